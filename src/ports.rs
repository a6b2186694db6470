//! The engine's ports: all the core needs from its host, and nothing else.
//! The core never calls a global: the wasm boundary (`src/wasm/`) passes
//! the host's `fetch`, clock and store; host tests pass fakes
//! (`test_util`).
//!
//! - [`Fetch`]: sends an HTTP request (token endpoints, revocation, `callApi`).
//! - [`Clock`]: the time, and waiting between retries.
//! - [`Store`]: a key-value store with expiry and two atomic operations,
//!   where sealed records, refresh leases, used states and authorization
//!   status live (keys: [`crate::store_keys`]); [`NonceStore`] is the part
//!   of it that single-use `state` needs.
//! - [`random_bytes`]: the platform's CSPRNG.
//! - [`Pattern`]: the platform's regular expressions, for the catalog's
//!   `validation_pattern`s: `regex-lite` on the host, the JavaScript
//!   `RegExp` in the wasm (which then carries no regex engine: 45 KB raw,
//!   19.5 KB gzipped less).

use crate::error::{Error, ErrorCode, Result};
use crate::http::{FetchFailure, HttpRequest, HttpResponse};

/// Sends HTTP requests. Implemented over the host's `fetch` in `src/wasm/`,
/// and by closures and fakes in tests. An implementation may stop reading a
/// body after [`crate::http::MAX_BODY_BYTES`] + 1 bytes: callers reject what is larger. Futures are not `Send`: wasm is
/// single-threaded.
#[allow(async_fn_in_trait)]
pub trait Fetch {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure>;

    /// The longest one call may take before it fails: with the retry
    /// policy, how long a refresh can take (the vault's lease covers it).
    fn timeout_ms(&self) -> u64 {
        u64::from(DEFAULT_TIMEOUT_MS)
    }
}

/// The default time a provider call may take, body included.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// The current time, in milliseconds since the Unix epoch, and waiting.
#[allow(async_fn_in_trait)]
pub trait Clock {
    fn now_ms(&self) -> u64;
    /// Waits `ms` milliseconds (between retries).
    async fn sleep(&self, ms: u64);
}

/// `n` bytes from the platform's CSPRNG (`crypto.getRandomValues` under
/// wasm). Fails closed with `RNG_UNAVAILABLE`: there is no fallback.
///
/// The bytes come from a pool refilled [`POOL_BYTES`] at a time: under wasm
/// each `getrandom` call is a crossing into the host's `getRandomValues`,
/// and a consent URL asks for randomness six times. Bytes handed out are
/// wiped from the pool; none is handed out twice.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    if N > POOL_BYTES {
        fill(&mut bytes)?;
        return Ok(bytes);
    }
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.left < N {
            fill(&mut pool.bytes[..])?;
            pool.left = POOL_BYTES;
        }
        let end = pool.left;
        let start = end - N;
        let taken = &mut pool.bytes[start..end];
        bytes.copy_from_slice(taken);
        zeroize::Zeroize::zeroize(taken);
        pool.left = start;
        Ok(bytes)
    })
}

/// How many random bytes the pool of [`random_bytes`] holds.
pub const POOL_BYTES: usize = 4096;

struct Pool {
    bytes: [u8; POOL_BYTES],
    /// The bytes `bytes[..left]` are unused.
    left: usize,
}

impl Drop for Pool {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

thread_local! {
    static POOL: std::cell::RefCell<Pool> = const {
        std::cell::RefCell::new(Pool { bytes: [0; POOL_BYTES], left: 0 })
    };
}

fn fill(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes).map_err(|_| {
        Error::new(
            ErrorCode::RngUnavailable,
            "The platform's secure random number generator is unavailable",
        )
    })
}

/// A compiled `validation_pattern`: anchored (`^...$`, checked by the
/// catalog), matched with [`Pattern::is_match`].
pub struct Pattern(Matcher);

#[cfg(not(target_arch = "wasm32"))]
type Matcher = regex_lite::Regex;
/// A pattern compiled by the host's engine.
#[cfg(target_arch = "wasm32")]
pub type Matcher = Box<dyn Fn(&str) -> bool>;

/// How the wasm boundary compiles a pattern with the host's engine: the
/// matcher, or the engine's reason for refusing the pattern.
#[cfg(target_arch = "wasm32")]
pub type PatternCompiler = fn(&str) -> std::result::Result<Matcher, String>;

#[cfg(target_arch = "wasm32")]
static COMPILER: std::sync::OnceLock<PatternCompiler> = std::sync::OnceLock::new();

/// Called once by the wasm boundary as the module starts.
#[cfg(target_arch = "wasm32")]
pub fn set_pattern_compiler(compiler: PatternCompiler) {
    let _ = COMPILER.set(compiler);
}

impl Pattern {
    /// The compiled pattern, or why the engine refuses it.
    pub fn new(pattern: &str) -> std::result::Result<Pattern, String> {
        #[cfg(not(target_arch = "wasm32"))]
        let matcher = regex_lite::Regex::new(pattern).map_err(|e| e.to_string());
        #[cfg(target_arch = "wasm32")]
        let matcher = match COMPILER.get() {
            Some(compile) => compile(pattern),
            None => Err("no regular expression engine".to_owned()),
        };
        matcher.map(Pattern)
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        return self.0.is_match(value);
        #[cfg(target_arch = "wasm32")]
        return (self.0)(value);
    }
}

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

    /// Optional: a page of the live entries whose key starts with `prefix`,
    /// at most `limit` ([`MAX_LIST_LIMIT`] at most) of them, from `cursor`
    /// (`None`: the first page). A key may come twice across pages; a page
    /// may be short, even empty, while [`ListPage::cursor`] is not `None`.
    /// A store without it fails with `LIST_UNSUPPORTED`.
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ListPage> {
        let _ = (prefix, cursor, limit);
        Err(list_unsupported())
    }
}

/// A page of [`Store::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Keys and values.
    pub entries: Vec<(String, String)>,
    /// For the next page; `None` when the listing is done.
    pub cursor: Option<String>,
}

/// The largest `limit` of one [`Store::list`] page.
pub const MAX_LIST_LIMIT: u32 = 1000;

/// The error of a store that cannot list.
pub fn list_unsupported() -> Error {
    Error::new(
        ErrorCode::ListUnsupported,
        "The store cannot list its keys (it has no list method): listing connections needs one that can",
    )
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

/// The part of a store that single use needs: an atomic "set if absent"
/// with a time to live. The token vault's store implements it.
#[allow(async_fn_in_trait)]
pub trait NonceStore {
    /// Sets `key` if it is absent; returns whether it was set.
    async fn set_if_absent(&self, key: &str, value: &str, ttl_ms: u64) -> Result<bool>;
}

#[cfg(test)]
mod tests;
