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

use std::cell::Cell;
use std::collections::VecDeque;

use crate::http::{Clock, Fetch, FetchFailure, HttpRequest, HttpResponse};

/// A fetch that answers from a script and records what it was asked.
#[derive(Default)]
pub struct FakeFetch {
    pub answers: RefCell<VecDeque<Result<HttpResponse, FetchFailure>>>,
    pub requests: RefCell<Vec<HttpRequest>>,
}

impl FakeFetch {
    pub fn answering(answers: Vec<Result<HttpResponse, FetchFailure>>) -> FakeFetch {
        FakeFetch {
            answers: RefCell::new(answers.into()),
            requests: RefCell::default(),
        }
    }

    pub fn calls(&self) -> usize {
        self.requests.borrow().len()
    }
}

impl Fetch for FakeFetch {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure> {
        self.requests.borrow_mut().push(request);
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or(Err(FetchFailure::BeforeSend))
    }
}

/// A clock that only moves when something sleeps; records each sleep.
pub struct FakeClock {
    pub now: Cell<u64>,
    pub sleeps: RefCell<Vec<u64>>,
}

impl FakeClock {
    pub fn at(now_ms: u64) -> FakeClock {
        FakeClock {
            now: Cell::new(now_ms),
            sleeps: RefCell::default(),
        }
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    async fn sleep(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.now.set(self.now.get() + ms);
    }
}

/// A JSON response.
pub fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}
