//! Fakes and helpers for host tests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use crate::error::Result;
use crate::oauth::state::NonceStore;

/// Runs a future whose fakes complete at once (no real I/O in host tests).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// An in-memory "set if absent" store that records every call.
#[derive(Default)]
pub struct MemoryNonceStore {
    pub entries: RefCell<HashMap<String, String>>,
    pub calls: RefCell<usize>,
}

impl NonceStore for MemoryNonceStore {
    async fn set_if_absent(&self, key: &str, value: &str, _ttl_ms: u64) -> Result<bool> {
        *self.calls.borrow_mut() += 1;
        let mut entries = self.entries.borrow_mut();
        if entries.contains_key(key) {
            return Ok(false);
        }
        entries.insert(key.to_owned(), value.to_owned());
        Ok(true)
    }
}
