//! [`crate::ports::Pattern`] in the wasm: the host's `RegExp` (with the
//! `u` flag: strict syntax, as `regex-lite` on the host), registered as
//! the module starts.

use js_sys::{Array, Function, Reflect, RegExp};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::convert::get;
use crate::ports::{Matcher, set_pattern_compiler};
use crate::text::printable;

/// Registers the host's `RegExp` as [`crate::ports::Pattern`]'s engine:
/// run by the glue as the module starts (wasm-bindgen's test runner does
/// not run it, so the wasm tests call it).
#[wasm_bindgen(start)]
pub fn register_patterns() {
    set_pattern_compiler(compile);
}

/// `new RegExp(pattern, "u")`, or the host's reason for refusing it.
fn compile(pattern: &str) -> Result<Matcher, String> {
    let constructor = get(&js_sys::global(), "RegExp")
        .dyn_into::<Function>()
        .map_err(|_| "this runtime has no RegExp".to_owned())?;
    let args = Array::of2(&JsValue::from_str(pattern), &JsValue::from_str("u"));
    let made = Reflect::construct(&constructor, &args).map_err(|e| {
        get(&e, "message")
            .as_string()
            .map_or_else(|| "not a valid pattern".to_owned(), |m| printable(&m))
    })?;
    let re: RegExp = made
        .dyn_into()
        .map_err(|_| "RegExp did not make a regular expression".to_owned())?;
    Ok(Box::new(move |value| re.test(value)))
}
