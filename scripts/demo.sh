#!/usr/bin/env bash
# The main job, for a new user on a fresh machine: installs what is missing,
# builds the npm package, and runs examples/catalog (list the catalog,
# validate a connectors folder, write Dynamic Types).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd examples/catalog
npm install --no-audit --no-fund --loglevel=error --install-links=false
node main.mjs
