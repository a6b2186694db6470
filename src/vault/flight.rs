//! Single-flight: concurrent callers for one key share one run of the work
//! (one refresh per connection per instance). The entry is removed when the
//! run ends, on success and on failure, so the next caller starts afresh.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::task::{Poll, Waker};

use crate::error::{Error, ErrorCode, Result};

struct Flight<T> {
    result: RefCell<Option<Result<T>>>,
    waiters: RefCell<Vec<Waker>>,
}

/// The runs in flight, by key.
pub struct Flights<T> {
    running: RefCell<HashMap<String, Rc<Flight<T>>>>,
}

impl<T> Default for Flights<T> {
    fn default() -> Self {
        Flights {
            running: RefCell::default(),
        }
    }
}

/// Ends a flight even when the leader's future is dropped half-way, so
/// waiters never hang.
struct Landing<'a, T> {
    flights: &'a Flights<T>,
    key: &'a str,
    flight: Rc<Flight<T>>,
}

impl<T> Drop for Landing<'_, T> {
    fn drop(&mut self) {
        self.flights.running.borrow_mut().remove(self.key);
        let mut result = self.flight.result.borrow_mut();
        if result.is_none() {
            *result = Some(Err(Error::new(
                ErrorCode::RefreshInProgress,
                "The refresh this call was waiting for was cancelled",
            )));
        }
        drop(result);
        for waker in self.flight.waiters.take() {
            waker.wake();
        }
    }
}

impl<T: Clone> Flights<T> {
    /// Runs `work` for `key`, or waits for the run already in flight and
    /// shares its result.
    pub async fn run<F: Future<Output = Result<T>>>(
        &self,
        key: &str,
        work: impl FnOnce() -> F,
    ) -> Result<T> {
        let existing = self.running.borrow().get(key).cloned();
        if let Some(flight) = existing {
            return std::future::poll_fn(|cx| match flight.result.borrow().as_ref() {
                Some(result) => Poll::Ready(result.clone()),
                None => {
                    flight.waiters.borrow_mut().push(cx.waker().clone());
                    Poll::Pending
                }
            })
            .await;
        }
        let flight = Rc::new(Flight {
            result: RefCell::new(None),
            waiters: RefCell::default(),
        });
        self.running
            .borrow_mut()
            .insert(key.to_owned(), flight.clone());
        let landing = Landing {
            flights: self,
            key,
            flight,
        };
        let result = work().await;
        *landing.flight.result.borrow_mut() = Some(result.clone());
        drop(landing);
        result
    }
}

#[cfg(test)]
mod tests;
