//! The JS-facing suite in a real browser:
//! `wasm-pack test --headless --chrome -- --test browser`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod common;

/// Guards against the suite silently running somewhere else (gloo's lesson).
#[wasm_bindgen_test]
fn this_suite_runs_in_a_browser_page() {
    let global = js_sys::global();
    let has = |key: &str| js_sys::Reflect::has(&global, &key.into()).unwrap_or(false);
    assert!(has("document") && has("navigator"), "not a browser page");
    assert!(!has("process"), "looks like Node");
}
