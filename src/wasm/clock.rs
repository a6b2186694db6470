//! The host's clock: `Date.now()` and a `setTimeout` sleep.

use crate::ports::Clock;

/// The system clock: the host's `Date.now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        // Date.now() is an integral number of milliseconds.
        js_sys::Date::now() as u64
    }

    async fn sleep(&self, ms: u64) {
        super::sleep_ms(ms).await;
    }
}
