#!/usr/bin/env bash
# The bench command (a benchmark, not a test): builds the package, installs
# the harness's dependencies (@base44/sdk and arctic, to measure beside), and
# writes BENCHMARKS.md: sizes, cold starts, throughput and load, each beside
# its anchor and target.
#   bash scripts/bench.sh [runs]   (cold starts per runtime and library; at least 10, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench >&2
bash scripts/build.sh
(cd bench && npm install --no-audit --no-fund --loglevel=error --install-links=false >&2)
node bench/run.mjs "${1:-15}"
