//! Fakes and helpers for host tests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::task::{Context, Poll, Waker};

use std::rc::Rc;

use crate::error::Result;
use crate::ports::{ListPage, Store, list_unsupported, unavailable};

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

use std::cell::Cell;
use std::collections::VecDeque;

use crate::http::{FetchFailure, HttpRequest, HttpResponse};

use crate::ports::{Clock, Fetch};

/// Runs futures together on one thread until all are done (what
/// `Promise.all` does in JS); their outputs in order.
pub fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut cx = Context::from_waker(Waker::noop());
    while outputs.iter().any(Option::is_none) {
        for (future, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none()
                && let Poll::Ready(value) = future.as_mut().poll(&mut cx)
            {
                *out = Some(value);
            }
        }
    }
    outputs.into_iter().flatten().collect()
}

/// Polls a future once; its output if it finished.
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
    match std::pin::Pin::new(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

/// Gives other futures a turn (one `Pending`), as real I/O would.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// An in-memory [`Store`] with expiry (on a shared fake clock), that yields
/// on every call and can be told to fail.
#[derive(Default)]
pub struct MemoryStore {
    pub entries: RefCell<HashMap<String, (String, Option<u64>)>>,
    pub now: Rc<Cell<u64>>,
    /// The next this many writes fail (`u32::MAX`: all of them).
    pub fail_writes: Cell<u32>,
    /// The next this many reads fail.
    pub fail_reads: Cell<u32>,
    pub writes: Cell<u32>,
    /// Set: the store has no `list` (`LIST_UNSUPPORTED`).
    pub no_list: Cell<bool>,
    /// Set: each `list` page answers every key twice, as Redis SCAN may.
    pub list_twice: Cell<bool>,
}

impl MemoryStore {
    pub fn on(clock: &FakeClock) -> Rc<MemoryStore> {
        Rc::new(MemoryStore {
            now: clock.now.clone(),
            ..MemoryStore::default()
        })
    }

    /// The live value under `key`.
    pub fn value(&self, key: &str) -> Option<String> {
        let now = self.now.get();
        self.entries
            .borrow()
            .get(key)
            .filter(|(_, exp)| exp.is_none_or(|e| e > now))
            .map(|(v, _)| v.clone())
    }

    /// Every stored byte, for canary checks.
    pub fn dump(&self) -> String {
        let entries = self.entries.borrow();
        let mut all: Vec<_> = entries
            .iter()
            .map(|(k, (v, _))| format!("{k}={v}"))
            .collect();
        all.sort();
        all.join("\n")
    }

    fn check(counter: &Cell<u32>, what: &str) -> Result<()> {
        match counter.get() {
            0 => Ok(()),
            u32::MAX => Err(unavailable(what)),
            n => {
                counter.set(n - 1);
                Err(unavailable(what))
            }
        }
    }

    fn write(&self, key: &str, value: Option<&str>, ttl_ms: Option<u64>) {
        self.writes.set(self.writes.get() + 1);
        let mut entries = self.entries.borrow_mut();
        match value {
            Some(v) => {
                let exp = ttl_ms.map(|t| self.now.get() + t);
                entries.insert(key.to_owned(), (v.to_owned(), exp));
            }
            None => {
                entries.remove(key);
            }
        }
    }
}

impl Store for Rc<MemoryStore> {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        yield_now().await;
        MemoryStore::check(&self.fail_reads, "get")?;
        Ok(self.value(key))
    }

    async fn set(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<()> {
        yield_now().await;
        MemoryStore::check(&self.fail_writes, "set")?;
        self.write(key, Some(value), ttl_ms);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<()> {
        yield_now().await;
        MemoryStore::check(&self.fail_writes, "delete")?;
        self.write(key, None, None);
        Ok(())
    }

    async fn set_if_absent(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<bool> {
        self.compare_and_set(key, None, Some(value), ttl_ms).await
    }

    async fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
        ttl_ms: Option<u64>,
    ) -> Result<bool> {
        yield_now().await;
        MemoryStore::check(&self.fail_writes, "compareAndSet")?;
        if self.value(key).as_deref() != expected {
            return Ok(false);
        }
        self.write(key, value, ttl_ms);
        Ok(true)
    }

    /// Keys in order; the cursor is the last key of the page.
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ListPage> {
        yield_now().await;
        if self.no_list.get() {
            return Err(list_unsupported());
        }
        MemoryStore::check(&self.fail_reads, "list")?;
        let now = self.now.get();
        let mut keys: Vec<(String, String)> = self
            .entries
            .borrow()
            .iter()
            .filter(|(k, (_, exp))| {
                k.starts_with(prefix)
                    && cursor.is_none_or(|c| k.as_str() > c)
                    && exp.is_none_or(|e| e > now)
            })
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        keys.sort();
        let more = keys.len() > limit as usize;
        keys.truncate(limit as usize);
        let cursor = more.then(|| keys.last().map(|(k, _)| k.clone())).flatten();
        if self.list_twice.get() {
            keys = keys.iter().flat_map(|e| [e.clone(), e.clone()]).collect();
        }
        Ok(ListPage {
            entries: keys,
            cursor,
        })
    }
}

/// A fetch that answers from a script and records what it was asked. It
/// yields once per call, and waits while `held` is set.
#[derive(Default)]
pub struct FakeFetch {
    pub answers: RefCell<VecDeque<Result<HttpResponse, FetchFailure>>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub held: Cell<bool>,
}

impl FakeFetch {
    pub fn answering(answers: Vec<Result<HttpResponse, FetchFailure>>) -> FakeFetch {
        FakeFetch {
            answers: RefCell::new(answers.into()),
            ..FakeFetch::default()
        }
    }

    pub fn calls(&self) -> usize {
        self.requests.borrow().len()
    }
}

impl Fetch for FakeFetch {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure> {
        self.requests.borrow_mut().push(request);
        yield_now().await;
        while self.held.get() {
            yield_now().await;
        }
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or(Err(FetchFailure::BeforeSend))
    }
}

/// A clock that only moves when something sleeps; records each sleep.
pub struct FakeClock {
    pub now: Rc<Cell<u64>>,
    pub sleeps: RefCell<Vec<u64>>,
}

impl FakeClock {
    pub fn at(now_ms: u64) -> FakeClock {
        FakeClock {
            now: Rc::new(Cell::new(now_ms)),
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

impl Fetch for Rc<FakeFetch> {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchFailure> {
        FakeFetch::fetch(self, request).await
    }
}

impl Clock for Rc<FakeClock> {
    fn now_ms(&self) -> u64 {
        FakeClock::now_ms(self)
    }

    async fn sleep(&self, ms: u64) {
        FakeClock::sleep(self, ms).await;
    }
}
