#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there.
#   bash scripts/setup.sh            Rust wasm target, wasm-bindgen CLI, wasm-pack, npm dev tools
#                                    (wasm-opt from npm's binaryen: Debian's is too old for wasm-bindgen),
#                                    redis-server (Debian's: the package tests start throwaway ones),
#                                    tmux (the CLI's terminal tests)
#   bash scripts/setup.sh --browser  also Chromium and ChromeDriver (browser tests)
#   bash scripts/setup.sh --bench    also wrk (scripts/bench.sh loads the HTTP servers with it)
set -euo pipefail
cd "$(dirname "$0")/.."

browser=0
bench=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --bench) bench=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (have: ${have:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack; this takes a few minutes"
  cargo install wasm-pack
fi

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "setup.sh: installing $* needs root (apt-get)" >&2; exit 1; fi
  if [ ! -f /tmp/.oauth-connectors-apt-updated ]; then
    apt-get update -qq && touch /tmp/.oauth-connectors-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
if [ "$browser" = 1 ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
if [ "$bench" = 1 ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi
# redis-server: the package tests start throwaway servers of it (redisStore).
command -v redis-server >/dev/null || missing+=(redis-server)
# tmux: the package tests drive the CLI's prompts and spinner in a real terminal (cli-tty.test.mjs).
command -v tmux >/dev/null || missing+=(tmux)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the npm dev tools (wasm-opt, deno, workerd, esbuild, typescript)"
  # Not `npm ci`: npm 11 here records only this platform's optional packages
  # (deno, workerd binaries) in the lock file, and then `npm ci` rejects it.
  npm install --no-audit --no-fund --loglevel=error
fi
say "ready"
