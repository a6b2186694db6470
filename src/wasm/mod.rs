//! The JavaScript boundary: the only module that uses wasm-bindgen and js-sys.
//!
//! Layered as workers-rs layers its bindings: [`convert`] turns JS values
//! into Rust ones and a [`crate::Error`] into a real JS `Error` named
//! `ConnectorsError` with `code` (and `path`, `line`, `column`, `suggestion`
//! when known), and reads options; every other file holds exports, which
//! decode their JS arguments with it into typed values and call the core.
//! Values cross as JSON: one serde format in the binary keeps the wasm
//! small, and `JSON.parse` is fast.

mod catalog;
mod client;
pub(crate) mod clock;
mod convert;
mod fetch;
mod pattern;
mod server;
mod store;
mod tokens;
mod vault;

pub use catalog::{
    error_codes, generate_types, get_provider, list_available, parse_connector_file,
    register_provider, validate_connectors,
};
pub use client::{JsOAuthClient, generate_code_verifier, generate_state};
#[doc(hidden)]
pub use pattern::register_patterns;
pub use server::JsConnectorsServer;
pub use tokens::issue_user_token;
pub use vault::JsTokenVault;

/// Talc in place of std's dlmalloc: 6.6 KB less wasm (2.7 KB gzipped), and
/// 2-4% slower on the paths that stay in the wasm (a consent URL, a token
/// read that is not a kept answer), measured with the bench's in-process
/// calls, one build of each in alternating runs.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
