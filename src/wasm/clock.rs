//! The host's clock: `Date.now()` and a `setTimeout` sleep.

use wasm_bindgen::prelude::*;

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
        sleep_ms(ms).await;
    }
}

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (Node, Deno, browsers and workerd all have it).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
}

/// Waits `ms` milliseconds on the host's timer.
async fn sleep_ms(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms as f64);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
