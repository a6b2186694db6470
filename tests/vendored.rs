//! The wasm is built with the vendored serde_core (vendor/README.md). When
//! serde moves on, Cargo would quietly take the registry's serde_core and
//! the wasm would grow by core's float formatting: this says so first.
#![cfg(not(target_arch = "wasm32"))]

use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Lock {
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    source: Option<String>,
}

#[test]
fn serde_core_is_the_vendored_copy_at_serdes_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let lock: Lock = toml::from_str(&text).unwrap_or_else(|e| panic!("Cargo.lock: {e}"));
    let locked = |name: &str| -> Vec<(&str, Option<&str>)> {
        let named = lock.package.iter().filter(|p| p.name == name);
        named
            .map(|p| (p.version.as_str(), p.source.as_deref()))
            .collect()
    };
    let serde = locked("serde");
    assert_eq!(serde.len(), 1, "one serde in Cargo.lock: {serde:?}");
    let version = serde[0].0;
    assert_eq!(
        locked("serde_core"),
        vec![(version, None)],
        "serde {version} needs serde_core {version} from vendor/: run \
         `bash scripts/vendor-serde-core.sh {version}` (vendor/README.md)"
    );
    let de =
        std::fs::read_to_string(root.join("vendor/serde_core/src/de/mod.rs")).unwrap_or_default();
    assert!(
        de.contains("Float(_) => formatter.write_str(\"floating point\"),"),
        "vendor/serde_core is not patched: run scripts/vendor-serde-core.sh"
    );
}
