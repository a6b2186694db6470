//! Turns the provider catalog (JSONC, commented for people) into a Rust
//! table of `(type id, compact JSON)` for the binary: comments and white
//! space cost wasm bytes, plain JSON lets the runtime parse it with
//! serde_json alone, and one string per entry lets it parse only the
//! entries it uses. Validation stays at parse time (and in `cargo test`),
//! so a bad entry cannot slip through.

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let source = "src/catalog/providers.jsonc";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source)?;
    let value: serde_json::Value = jsonc_parser::parse_to_serde_value(&text, &Default::default())
        .map_err(|e| format!("{source}: {e}"))?;
    let entries = value.as_array().ok_or(format!("{source}: not an array"))?;
    let mut table = String::from("&[\n");
    let mut ids = std::collections::BTreeSet::new();
    for entry in entries {
        let id = entry["type"]
            .as_str()
            .ok_or(format!("{source}: an entry without a \"type\""))?;
        if !ids.insert(id) {
            return Err(format!("{source}: \"{id}\" is defined twice").into());
        }
        // Debug formatting is a valid Rust string literal.
        table.push_str(&format!("({id:?}, {:?}),\n", entry.to_string()));
    }
    table.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("providers.rs"), table)?;
    Ok(())
}
