//! The host-provided store: where sealed records, refresh leases and used
//! `state` nonces live. Implemented over a JS object in `src/wasm/` (see
//! `ConnectorsStore` in the package's `index.d.ts`), over a map in tests.
//! It only ever sees sealed records and random lease ids.

use crate::error::{Error, ErrorCode, Result};
use crate::oauth::state::NonceStore;

/// A key-value store with expiry and the two atomic operations the vault
/// needs across instances. Every method fails with `STORE_UNAVAILABLE`
/// when the store does. Futures are not `Send`: wasm is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The value, or `None` when absent or expired.
    async fn get(&self, key: &str) -> Result<Option<String>>;
    /// Writes unconditionally; `ttl_ms` makes it expire.
    async fn set(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<()>;
    async fn delete(&self, key: &str) -> Result<()>;
    /// Writes only when `key` is absent (or expired); whether it wrote.
    async fn set_if_absent(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<bool>;
    /// When the current value (`None`: absent) equals `expected`, replaces
    /// it with `value` (`None`: deletes it) and answers `true`; otherwise
    /// changes nothing. Every sealed record is unique (a fresh nonce per
    /// write), so the value is its own version.
    async fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
        ttl_ms: Option<u64>,
    ) -> Result<bool>;
}

/// A used `state` nonce is a `set_if_absent` in the same store.
impl<S: Store> NonceStore for S {
    async fn set_if_absent(&self, key: &str, value: &str, ttl_ms: u64) -> Result<bool> {
        Store::set_if_absent(self, key, value, Some(ttl_ms)).await
    }
}

/// The error for a store that failed; `what` names the operation, never a value.
pub fn unavailable(what: &str) -> Error {
    Error::new(
        ErrorCode::StoreUnavailable,
        format!("The store failed ({what})"),
    )
}
