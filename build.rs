//! Turns the provider catalog (JSONC, commented for people) into compact
//! JSON for the binary: comments and white space cost wasm bytes, and plain
//! JSON lets the runtime parse it with serde_json alone. Validation stays at
//! load time (and in `cargo test`), so a bad entry cannot slip through.

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let source = "src/catalog/providers.jsonc";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source)?;
    let value: serde_json::Value = jsonc_parser::parse_to_serde_value(&text, &Default::default())
        .map_err(|e| format!("{source}: {e}"))?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("providers.json"), value.to_string())?;
    Ok(())
}
