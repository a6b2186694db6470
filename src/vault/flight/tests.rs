use std::cell::Cell;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake};

use super::*;
use crate::test_util::{block_on, join_all, yield_now};

/// A waker that counts its wakes: a waiter that is never woken hangs under
/// a real executor, however often a test polls it.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<u32>> + 'a>>;

fn poll(future: &mut Boxed<'_>, wakes: &Arc<Wakes>) -> Poll<Result<u32>> {
    let waker = Waker::from(Arc::clone(wakes));
    future.as_mut().poll(&mut Context::from_waker(&waker))
}

/// Work that never finishes: its run ends only by being dropped.
async fn forever() -> Result<u32> {
    std::future::pending().await
}

fn code(result: &Result<u32>) -> Option<ErrorCode> {
    result.as_ref().err().map(Error::code)
}

#[test]
fn concurrent_callers_for_one_key_share_one_run_and_its_result() {
    let flights = Flights::default();
    let runs = Cell::new(0);
    let work = || async {
        runs.set(runs.get() + 1);
        yield_now().await;
        yield_now().await;
        Ok(7)
    };
    let calls: Vec<_> = (0..10).map(|_| flights.run("conn-a", work)).collect();
    let results = join_all(calls);
    assert_eq!(runs.get(), 1);
    assert_eq!(results.len(), 10);
    assert!(results.iter().all(|r| matches!(r, Ok(7))), "{results:?}");
    // The run has landed: the next caller runs the work again.
    assert_eq!(block_on(flights.run("conn-a", work)).ok(), Some(7));
    assert_eq!(runs.get(), 2);
}

#[test]
fn each_key_has_its_own_flight() {
    let flights = Flights::default();
    let runs = Cell::new(0);
    let work = |value: u32| {
        let runs = &runs;
        move || async move {
            runs.set(runs.get() + 1);
            yield_now().await;
            Ok(value)
        }
    };
    let results = join_all(vec![
        Box::pin(flights.run("conn-a", work(1))) as Boxed<'_>,
        Box::pin(flights.run("conn-b", work(2))),
        Box::pin(flights.run("conn-a", work(3))),
        Box::pin(flights.run("conn-b", work(4))),
    ]);
    assert_eq!(runs.get(), 2);
    let values: Vec<Option<u32>> = results.into_iter().map(|r| r.ok()).collect();
    assert_eq!(values, [Some(1), Some(2), Some(1), Some(2)]);
}

#[test]
fn a_failure_is_shared_by_the_waiters_and_the_next_caller_starts_afresh() {
    let flights = Flights::default();
    let runs = Cell::new(0);
    let failing = || async {
        runs.set(runs.get() + 1);
        yield_now().await;
        Err(Error::new(ErrorCode::NetworkError, "down"))
    };
    let results = join_all((0..3).map(|_| flights.run("conn-a", failing)).collect());
    assert_eq!(runs.get(), 1);
    assert!(
        results
            .iter()
            .all(|r| code(r) == Some(ErrorCode::NetworkError))
    );
    // Not stuck on the failure: the next call runs and succeeds.
    let ok = block_on(flights.run("conn-a", || async { Ok(9) }));
    assert_eq!(ok.ok(), Some(9));
}

#[test]
fn waiters_are_woken_when_the_run_lands() {
    let flights = Flights::default();
    let release = Cell::new(false);
    let mut leader: Boxed<'_> = Box::pin(flights.run("conn-a", || async {
        std::future::poll_fn(|_| {
            if release.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        Ok(5)
    }));
    let mut waiter: Boxed<'_> = Box::pin(flights.run("conn-a", || async {
        panic!("a waiter never runs the work")
    }));
    let (leader_wakes, waiter_wakes) = (Arc::default(), Arc::default());
    assert!(poll(&mut leader, &leader_wakes).is_pending());
    assert!(poll(&mut waiter, &waiter_wakes).is_pending());
    assert_eq!(waiter_wakes.0.load(Ordering::SeqCst), 0);
    release.set(true);
    assert!(matches!(
        poll(&mut leader, &leader_wakes),
        Poll::Ready(Ok(5))
    ));
    assert_eq!(
        waiter_wakes.0.load(Ordering::SeqCst),
        1,
        "the waiter is woken"
    );
    assert!(matches!(
        poll(&mut waiter, &waiter_wakes),
        Poll::Ready(Ok(5))
    ));
}

#[test]
fn a_cancelled_leader_wakes_its_waiters_with_an_error_and_the_next_call_runs_again() {
    let flights = Flights::default();
    let mut leader: Boxed<'_> = Box::pin(flights.run("conn-a", forever));
    let mut first: Boxed<'_> = Box::pin(flights.run("conn-a", forever));
    let mut second: Boxed<'_> = Box::pin(flights.run("conn-a", forever));
    let wakes: Vec<Arc<Wakes>> = (0..3).map(|_| Arc::default()).collect();
    assert!(poll(&mut leader, &wakes[0]).is_pending());
    assert!(poll(&mut first, &wakes[1]).is_pending());
    assert!(poll(&mut second, &wakes[2]).is_pending());
    // The leader's caller goes away (a timeout, a closed request) half-way.
    drop(leader);
    for (i, waiter) in [&mut first, &mut second].into_iter().enumerate() {
        assert_eq!(wakes[i + 1].0.load(Ordering::SeqCst), 1, "waiter {i} woken");
        match poll(waiter, &wakes[i + 1]) {
            Poll::Ready(r) => assert_eq!(code(&r), Some(ErrorCode::RefreshInProgress)),
            Poll::Pending => panic!("waiter {i} hangs"),
        }
    }
    // The key is free again: a later call runs its own work.
    let runs = Cell::new(0);
    let again = block_on(flights.run("conn-a", || async {
        runs.set(runs.get() + 1);
        Ok(3)
    }));
    assert_eq!((again.ok(), runs.get()), (Some(3), 1));
}

#[test]
fn a_leader_cancelled_with_no_waiters_leaves_nothing_behind() {
    let flights = Flights::default();
    let mut leader: Boxed<'_> = Box::pin(flights.run("conn-a", forever));
    assert!(poll(&mut leader, &Arc::default()).is_pending());
    drop(leader);
    assert!(flights.running.borrow().is_empty());
    // A caller arriving now leads a new run instead of waiting on the dead one.
    assert_eq!(
        block_on(flights.run("conn-a", || async { Ok(1) })).ok(),
        Some(1)
    );
    assert!(
        flights.running.borrow().is_empty(),
        "a landed run is removed"
    );
}

#[test]
fn a_waiter_that_gives_up_does_not_disturb_the_run() {
    let flights = Flights::default();
    let release = Cell::new(false);
    let mut leader: Boxed<'_> = Box::pin(flights.run("conn-a", || async {
        std::future::poll_fn(|_| {
            if release.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        Ok(8)
    }));
    let mut waiter: Boxed<'_> = Box::pin(flights.run("conn-a", forever));
    assert!(poll(&mut leader, &Arc::default()).is_pending());
    assert!(poll(&mut waiter, &Arc::default()).is_pending());
    drop(waiter);
    release.set(true);
    assert!(matches!(
        poll(&mut leader, &Arc::default()),
        Poll::Ready(Ok(8))
    ));
}
