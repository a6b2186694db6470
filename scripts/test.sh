#!/usr/bin/env bash
# Every test, as CI runs them. Installs what it misses first (scripts/setup.sh).
#   1. formatting and lints (host and wasm32)      4. the JS boundary in headless Chrome
#   2. Rust tests on the host (cargo test)         5. the built npm package in Node, Deno,
#   3. the JS boundary in Node (wasm-bindgen-test)    workerd, and tsc on consumer .ts files
#                                                   6. the runnable examples, and www-example end to end
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "setup"
bash scripts/setup.sh --browser

step "cargo fmt --check; clippy (host and wasm32)"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
# The layering (ARCHITECTURE.md): only src/wasm/ touches JavaScript.
if grep -rn --include='*.rs' -E 'crate::wasm|wasm_bindgen|js_sys|web_sys' src | grep -v '^src/wasm/'; then
  echo "test.sh: the lines above reach into JavaScript outside src/wasm/" >&2; exit 1
fi

step "cargo test (host)"
cargo test

step "wasm-bindgen tests in Node"
wasm-pack test --node -- --test node

step "wasm-bindgen tests in headless Chrome"
CHROMEDRIVER=$(command -v chromedriver) wasm-pack test --headless --chrome -- --test browser

step "build the npm package"
bash scripts/build.sh

step "package tests: Node, Deno, workerd, Chromium, oidc-provider, tsc"
bash tests/package/run.sh

step "the runnable examples (so the README's examples do not rot)"
for example in catalog oauth-client token-vault connectors-server; do
  (cd "examples/$example" &&
    npm install --no-audit --no-fund --loglevel=error --install-links=false &&
    node main.mjs > /dev/null)
done

step "scripts: www.sh shows a failed build's errors"
node --test --test-reporter=spec tests/scripts/www-sh.test.mjs

step "www-example end to end: headless Chromium, the Deno app on Deno KV, oidc-provider"
(cd www-example && npm install --no-audit --no-fund --loglevel=error --install-links=false)
node --test --test-reporter=spec www-example/e2e.test.mjs 2> >(grep -v 'oidc-provider WARNING' >&2)

step "all tests passed"
