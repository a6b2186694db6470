#!/usr/bin/env bash
# The main job, for a new user on a fresh machine: installs what is missing,
# builds the npm package, and runs the examples: examples/catalog (list the
# catalog, validate a connectors folder, write Dynamic Types),
# examples/oauth-client (a whole OAuth flow against a local provider),
# examples/token-vault (the vault against the same provider), and
# examples/connectors-server (the server: a shared and an app-user connection).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
for example in catalog oauth-client token-vault connectors-server; do
  echo "== examples/$example"
  (cd "examples/$example" &&
    npm install --no-audit --no-fund --loglevel=error --install-links=false &&
    node main.mjs)
done
