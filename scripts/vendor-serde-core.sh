#!/usr/bin/env bash
# Re-creates vendor/serde_core: serde_core VERSION from crates.io with
# vendor/serde_core.patch applied (see vendor/README.md). Run it when serde
# moves to a new version: the host tests fail until the two match.
#   bash scripts/vendor-serde-core.sh 1.0.230
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/vendor-serde-core.sh VERSION (the serde version in Cargo.lock)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A throwaway package that depends on exactly that version: cargo fetches it
# into its registry cache, where its source is unpacked.
mkdir -p "$scratch/fetch/src"
printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nserde_core = "=%s"\n' "$version" > "$scratch/fetch/Cargo.toml"
: > "$scratch/fetch/src/lib.rs"
cargo metadata --quiet --format-version 1 --manifest-path "$scratch/fetch/Cargo.toml" > "$scratch/meta.json"
manifest=$(node -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const p = m.packages.find((p) => p.name === "serde_core");
  process.stdout.write(p.manifest_path);
' "$scratch/meta.json")
rm -rf vendor/serde_core
cp -R "$(dirname "$manifest")" vendor/serde_core
rm -f vendor/serde_core/.cargo-ok vendor/serde_core/Cargo.lock
patch --quiet -p1 -d vendor/serde_core < vendor/serde_core.patch
cargo update --quiet -p serde_core
echo "vendor/serde_core: serde_core $version with vendor/serde_core.patch" >&2
