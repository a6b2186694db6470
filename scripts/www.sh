#!/usr/bin/env bash
# The main job: www-example, the whole product offline. Installs what is
# missing, builds the package, then starts the local OAuth provider (Node) and
# the app (Deno) and prints the URL. Ctrl-C stops both.
#   bash scripts/www.sh            Deno KV storage (www-example/.data/)
#   bash scripts/www.sh --memory   in-memory storage
# PORT (8787) and PROVIDER_PORT (8788) choose the ports; GOOGLE_CLIENT_ID /
# GOOGLE_CLIENT_SECRET (and GITHUB_, SLACK_) add real providers (README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
# The build's own output (cargo's progress, then any error) goes to the
# terminal: the first build compiles every Rust dependency.
if [ -d target/wasm32-unknown-unknown/release ]; then
  echo "[www] building the package" >&2
else
  echo "[www] building the package: the first build compiles the Rust dependencies and takes a few minutes" >&2
fi
if ! bash scripts/build.sh >&2; then
  echo "[www] the package did not build (the errors are above); nothing was started" >&2
  exit 1
fi
(cd www-example && npm install --no-audit --no-fund --loglevel=error --install-links=false >&2)
export PATH="$(pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"

port=${PORT:-8787}
provider_port=${PROVIDER_PORT:-8788}
pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

APP_ORIGIN="http://127.0.0.1:$port" PROVIDER_PORT="$provider_port" \
  node www-example/provider.mjs 2> >(grep -v 'oidc-provider WARNING' >&2) &
pids+=($!)
(cd www-example && PORT="$port" PROVIDER_ISSUER="http://127.0.0.1:$provider_port" \
  exec deno run --quiet --unstable-kv --allow-net --allow-read --allow-write=.data --allow-env app.ts "$@") &
pids+=($!)
echo "Open http://127.0.0.1:$port (Ctrl-C stops)" >&2
# Either process ending ends both.
wait -n "${pids[@]}"
