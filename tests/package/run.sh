#!/usr/bin/env bash
# Package tests: installs the built pkg/ (as its npm tarball) into a fresh
# project and runs it in Node (ESM), Deno 2 and workerd, drives the OAuth
# client against a real authorization server (oidc-provider on 127.0.0.1),
# then type-checks consumer .ts files with tsc. Run scripts/build.sh first.
#   bash tests/package/run.sh                        everything
#   bash tests/package/run.sh --only a.test.mjs ...  only these node:test files (no Deno, no tsc)
set -euo pipefail
only=()
if [ "${1:-}" = "--only" ]; then
  shift
  [ "$#" -gt 0 ] || { echo "run.sh: --only needs test files" >&2; exit 2; }
  only=("$@")
fi
cd "$(dirname "$0")"
here=$(pwd)
tools="$here/../../node_modules/.bin"
[ -f ../../pkg/package.json ] || { echo "package tests: build pkg/ first (bash scripts/build.sh)" >&2; exit 1; }

work="$here/.work"
rm -rf "$work"
mkdir -p "$work/consumer"
tarball=$(cd "$work" && npm pack "$here/../../pkg" --silent)
cp -R consumer/. "$work/consumer/"
cd "$work/consumer"
# oauth-connectors/dev-provider imports oidc-provider, which a user installs beside it: the repository's version.
oidc_provider=$(node -p 'require(process.argv[1]).version' "$here/../../node_modules/oidc-provider/package.json")
cat > package.json <<JSON
{ "name": "consumer", "private": true, "type": "module",
  "dependencies": { "oauth-connectors": "file:../$tarball", "@base44/sdk": "0.8.50", "oidc-provider": "$oidc_provider",
    "pg": "8.23.1", "@types/pg": "8.23.1", "postgres": "3.4.9",
    "redis": "5.12.1", "ioredis": "5.11.1", "@types/node": "20.19.43" } }
JSON
npm install --no-audit --no-fund --prefer-offline --loglevel=error

# Throwaway PostgreSQL servers (postgres-server.mjs) live under this folder; each
# test process stops its own, and this trap stops whatever a killed one left.
export POSTGRES_TEST_ROOT
POSTGRES_TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/oauth-connectors-pg-run-XXXXXX")
chmod 755 "$POSTGRES_TEST_ROOT"
# The same for throwaway redis-servers (redis-server.mjs), by their pidfiles.
export REDIS_TEST_ROOT
REDIS_TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/oauth-connectors-redis-run-XXXXXX")
# And for the tmux servers of cli-tty.test.mjs, by their sockets.
export TMUX_TMPDIR
TMUX_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/oauth-connectors-tmux-run-XXXXXX")
stop_test_servers() {
  for pid_file in "$POSTGRES_TEST_ROOT"/*/data/postmaster.pid; do
    [ -f "$pid_file" ] || continue
    pid=$(head -n 1 "$pid_file")
    kill -QUIT "$pid" 2>/dev/null || true
  done
  for pid_file in "$REDIS_TEST_ROOT"/*/redis.pid; do
    [ -f "$pid_file" ] || continue
    kill -KILL "$(head -n 1 "$pid_file")" 2>/dev/null || true
  done
  for socket in "$TMUX_TMPDIR"/tmux-*/*; do
    [ -S "$socket" ] || continue
    tmux -S "$socket" kill-server 2>/dev/null || true
  done
  rm -rf "$POSTGRES_TEST_ROOT" "$REDIS_TEST_ROOT" "$TMUX_TMPDIR"
}
trap stop_test_servers EXIT

if [ "${#only[@]}" -gt 0 ]; then
  PACKAGE_TEST_TOOLS="$tools" LOCAL_PROVIDER="oauth-connectors/dev-provider" node --test --test-reporter=spec "${only[@]}"
  exit
fi

echo "== Node $(node --version): node:test (Node, workerd, Chromium page, Vite build, oidc-provider flow, connectors server, SDK client conformance)"
# LOCAL_PROVIDER: what a test file imports its local OAuth provider from (the package's dev entry).
PACKAGE_TEST_TOOLS="$tools" LOCAL_PROVIDER="oauth-connectors/dev-provider" \
  node --test --test-reporter=spec node.test.mjs workerd.test.mjs browser.test.mjs oidc.test.mjs server.test.mjs short-tokens.test.mjs token-reads.test.mjs client.test.mjs client-browser.test.mjs setup.test.mjs binding.test.mjs hostile.test.mjs connector-ids.test.mjs \
  serve-node-limits.test.mjs dev-tools.test.mjs provider-echo.test.mjs standins.test.mjs \
  postgres.test.mjs redis.test.mjs connections.test.mjs cli.test.mjs cli-tty.test.mjs cli-serve.test.mjs stripe.test.mjs

echo "== Deno: deno test (Deno KV needs --unstable-kv; Deno.serve on 127.0.0.1 needs --allow-net), deno check of the Deno KV types"
"$tools/deno" test --quiet --no-check --unstable-kv --allow-read --allow-write --allow-env --allow-run --allow-net=127.0.0.1 deno.test.mjs
"$tools/deno" check --quiet --unstable-kv deno.types.ts

echo "== Deno: deno run with no permission flags (deno eval would grant them all)"
echo 'import { listAvailable } from "oauth-connectors"; console.log(listAvailable().length);' > no-permissions.mjs
out=$("$tools/deno" run --no-prompt --no-check no-permissions.mjs)
[ "$out" = 47 ] || { echo "deno eval printed: $out" >&2; exit 1; }

# Scale (scale.test.mjs, scale/): 4 server processes per store (Node on
# PostgreSQL and on Redis, Deno on one Deno KV file) against oidc-provider;
# each scenario has its own timeout, and every process it starts exits with it.
echo "== Scale: 4 instances per store, one refresh per burst, a lease holder killed, the store stopped mid-burst"
PACKAGE_TEST_TOOLS="$tools" node --test --test-reporter=spec --test-timeout=600000 scale.test.mjs

echo "== tsc $("$tools/tsc" --version)"
node gen-types.mjs
"$tools/tsc" -p tsconfig.json
"$tools/tsc" -p tsconfig.untyped.json
"$tools/tsc" -p tsconfig.setup.json
# redisStore takes the real clients (node-redis 5, ioredis) as its structural client types.
"$tools/tsc" -p tsconfig.redis.json
# The typo must be what fails: without the @ts-expect-error it does not compile.
sed 's#^// @ts-expect-error.*##' typed.ts > typed-broken.ts
echo '{ "extends": "./tsconfig.json", "files": ["typed-broken.ts", "generated/connectors.d.ts"] }' > tsconfig.broken.json
if "$tools/tsc" -p tsconfig.broken.json > tsc-broken.log 2>&1; then
  echo "tsc accepted a misspelt connector type" >&2; exit 1
fi
grep -q "googlecalendr" tsc-broken.log || { cat tsc-broken.log >&2; exit 1; }
# Code written against @base44/sdk's connector types: as it is, then with only the import changed.
"$tools/tsc" -p tsconfig.sdk.json
sed "s#from '@base44/sdk'#from 'oauth-connectors'#" sdk-consumer.ts > sdk-consumer-ours.ts
grep -q "from 'oauth-connectors'" sdk-consumer-ours.ts
echo '{ "extends": "./tsconfig.sdk.json", "compilerOptions": { "skipLibCheck": false }, "files": ["sdk-consumer-ours.ts"] }' > tsconfig.sdk-ours.json
"$tools/tsc" -p tsconfig.sdk-ours.json
echo "tsc: 5 checks passed (typed, untyped, typo rejected, @base44/sdk consumer against @base44/sdk and against ours)"
# postgresStore's structural client types against the real ones: @types/pg and postgres.js's own.
"$tools/tsc" -p tsconfig.postgres.json
echo "tsc: postgresStore accepts a pg Pool, PoolClient and Client and a postgres.js sql"
