#!/usr/bin/env bash
# The main job: www-example, the whole product offline. Installs what is
# missing, builds the package, then starts the local OAuth provider (Node) and
# the app (Deno) and prints the URL. Ctrl-C stops both.
#   bash scripts/www.sh            Deno KV storage (www-example/.data/)
#   bash scripts/www.sh --memory   in-memory storage
#   bash scripts/www.sh --serve    the connectors server as its own process, `oauth-connectors serve`
#                                  (www-example/oauth-connectors.json and the environment, in memory),
#                                  the app forwarding /api/... to it
# PORT (8787) and PROVIDER_PORT (8788) choose the ports; GOOGLE_CLIENT_ID /
# GOOGLE_CLIENT_SECRET (and GITHUB_, SLACK_) add real providers (README).
set -euo pipefail
cd "$(dirname "$0")/.."
serve=0
args=()
for arg in "$@"; do
  case "$arg" in
    --serve) serve=1 ;;
    *) args+=("$arg") ;;
  esac
done
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
app_env=()
if [ "$serve" = 1 ]; then
  # The other way: the same connector files and client, served by `oauth-connectors serve`
  # (its settings: www-example/oauth-connectors.json and these variables). Browsers and the
  # provider still reach it at the app's origin, which forwards /api/... to it. pkg/ is linked
  # (not copied) into www-example, so the command's own dependencies (commander, @clack/prompts,
  # open) are www-example's, found from the link with --preserve-symlinks.
  [ "$provider_port" = 8788 ] || echo "[www] --serve: oauth-connectors.json names the provider at 127.0.0.1:8788" >&2
  serve_port=${SERVE_PORT:-8789}
  random() { node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"; }
  service_token=$(random)
  users_secret=$(random)
  (cd www-example && OAUTH_CONNECTORS_SECRET="$(random)" OAUTH_CONNECTORS_SERVICE_TOKENS="$service_token" \
    OAUTH_CONNECTORS_PUBLIC_URL="http://127.0.0.1:$port" OAUTH_CONNECTORS_ALLOWED_RETURN_URLS="http://127.0.0.1:$port" PORT="$serve_port" \
    OAUTH_CONNECTORS_USERS_SECRET="$users_secret" OAUTH_CONNECTORS_USERS_ISSUER="http://127.0.0.1:$port" \
    LOCALOIDC_CLIENT_ID="${LOCAL_CLIENT_ID:-www-example}" LOCALOIDC_CLIENT_SECRET="${LOCAL_CLIENT_SECRET:-www-example-secret-0123456789abcdef}" \
    exec node --preserve-symlinks --preserve-symlinks-main node_modules/oauth-connectors/cli/main.js serve) &
  pids+=($!)
  app_env=(CONNECTORS_URL="http://127.0.0.1:$serve_port" SERVICE_TOKEN="$service_token" USER_TOKEN_SECRET="$users_secret")
  echo "[www] connectors server: oauth-connectors serve on 127.0.0.1:$serve_port (its JSON log lines below)" >&2
fi
(cd www-example && if [ "${#app_env[@]}" -gt 0 ]; then export "${app_env[@]}"; fi
  PORT="$port" PROVIDER_ISSUER="http://127.0.0.1:$provider_port" exec deno run --quiet --unstable-kv --allow-net --allow-read --allow-write=.data --allow-env app.ts ${args[@]+"${args[@]}"}) &
pids+=($!)
echo "Open http://127.0.0.1:$port (Ctrl-C stops)" >&2
# Any process ending ends them all.
wait -n "${pids[@]}"
