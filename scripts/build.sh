#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack's output (release, size-tuned,
# wasm-opt) plus pkg-template/ (the exports map, per-runtime entries, types).
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-pack runs the first wasm-opt on PATH: ours, from npm (scripts/setup.sh).
export PATH="$(pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"

rm -rf pkg
wasm-pack build --release --target web --out-dir pkg --out-name oauth_connectors --no-pack 1>&2
# The glue without comments and indentation (its docs are in the .d.ts):
# 8.2 -> 5.9 KB gzipped. Names are kept; Deno's types pragma is put back.
esbuild pkg/oauth_connectors.js --minify-whitespace --format=esm --log-level=warning \
  --banner:js='/* @ts-self-types="./oauth_connectors.d.ts" */' \
  --outfile=pkg/oauth_connectors.js --allow-overwrite 1>&2
# wasm-pack's own package files are replaced by ours.
rm -f pkg/package.json pkg/README.md pkg/.gitignore
cp -R pkg-template/. pkg/
# The package's README (package.json "files") is the repository's.
cp README.md pkg/README.md
node scripts/bundle-node.mjs pkg 1>&2
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
node -e '
  const fs = require("fs");
  const p = JSON.parse(fs.readFileSync("pkg/package.json", "utf8"));
  p.version = process.argv[1];
  fs.writeFileSync("pkg/package.json", JSON.stringify(p, null, 2) + "\n");
' "$version"
echo "built pkg/ (oauth-connectors $version): $(wc -c < pkg/oauth_connectors_bg.wasm) bytes of wasm" >&2
