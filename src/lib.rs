//! # oauth-connectors
//!
//! OAuth connections to third-party tools, wire-compatible with Base44's
//! connectors, in Rust compiled to WebAssembly.
//!
//! Everything above `wasm` (compiled for wasm32 only) is pure Rust and runs under plain `cargo test`;
//! `src/wasm/` is the only place that touches JavaScript.
//!
//! - [`catalog`]: the providers (data, validated on load) and custom entries.
//! - [`config`]: connector files (JSONC) and their validation.
//! - [`types`]: Dynamic Types (`generateTypes`).
//! - [`error`]: one error type with stable codes.
//! - [`ports`]: what the core needs from its host: [`ports::Fetch`],
//!   [`ports::Clock`], [`ports::Store`], randomness.
//! - [`http`]: HTTP messages and the rules their parts meet; [`urls`]: the URL policy.
//! - [`store_keys`]: every key written to the host store.
//! - [`oauth`]: the OAuth engine: PKCE, sealed state, authorization URLs,
//!   callbacks, token exchange, refresh and revocation.
//! - [`vault`]: connections sealed at rest under a key ring, in a host
//!   store; refresh that never races or loses a token; disconnect.
//! - [`identity`]: user tokens (HS256 JWTs) and `Bearer` headers.
//! - [`server`]: the connectors server (the Base44 wire protocol).
//! - [`crypto`]: AES-256-GCM under HKDF-derived, per-purpose keys.
//!
//! Unit tests: a module's tests live in `tests.rs` in the module's folder
//! (`foo.rs` and `foo/mod.rs` have `foo/tests.rs`, or `foo/tests/` when they
//! need several files), declared last as `#[cfg(test)] mod tests;`; never inline.

pub mod app_id;
pub mod b64;
pub mod catalog;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod identity;
pub mod oauth;
pub mod ports;
pub mod scopes;
pub mod server;
pub mod store_keys;
pub mod text;
pub mod types;
mod unit_enum;
pub mod urls;
pub mod vault;

#[cfg(test)]
pub(crate) mod test_util;

/// The fuzz targets' bodies (`fuzz/`, `scripts/fuzz.sh`): for the fuzz crate
/// and the tests only.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use catalog::{Catalog, Provider};
pub use config::{ConnectorConfig, ParsedFile, Validated};
pub use error::{Error, ErrorCode, Location, Result};
