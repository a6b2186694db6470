//! The wasm is built with the vendored serde_core (vendor/README.md). When
//! serde moves on, Cargo would quietly take the registry's serde_core and
//! the wasm would grow by core's float formatting: this says so first.

use std::path::Path;

/// The `version` and `source` of each `[[package]]` of that name in Cargo.lock.
fn locked(lock: &str, name: &str) -> Vec<(String, Option<String>)> {
    lock.split("[[package]]")
        .filter(|block| block.lines().any(|l| l == format!("name = \"{name}\"")))
        .map(|block| {
            let field = |key: &str| {
                block.lines().find_map(|l| {
                    l.strip_prefix(&format!("{key} = \""))
                        .and_then(|rest| rest.strip_suffix('"'))
                        .map(str::to_owned)
                })
            };
            (field("version").unwrap_or_default(), field("source"))
        })
        .collect()
}

#[test]
fn serde_core_is_the_vendored_copy_at_serdes_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let serde = locked(&lock, "serde");
    let core = locked(&lock, "serde_core");
    assert_eq!(serde.len(), 1, "one serde in Cargo.lock: {serde:?}");
    let version = &serde[0].0;
    assert_eq!(
        core,
        vec![(version.clone(), None)],
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
