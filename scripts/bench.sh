#!/usr/bin/env bash
# The bench command (a benchmark, not a test): builds the package and prints
# its size and cold-start figures as a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
bash scripts/build.sh
node bench/run.mjs "${1:-15}"
