//! Between JS values and Rust: a crate [`Error`] as a JS `Error` (also as
//! `From<Error> for JsValue`, so `?` turns one into the other), values to
//! and from JSON, and the readers of options (strings, whole numbers,
//! lists, maps, options objects with their allowed keys). The exports in
//! the other files read their arguments with these, then call the core.

use std::collections::BTreeMap;

use js_sys::{Array, JSON, Object, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::text::{closest, printable};

pub(crate) type JsResult<T = JsValue> = Result<T, JsValue>;

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        to_js_error(&e)
    }
}

/// A crate error as a JS `Error` named `ConnectorsError`.
pub(crate) fn to_js_error(e: &Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    js.set_name("ConnectorsError");
    set_fields(&js, e);
    if !e.errors().is_empty() {
        // Each as `{ code, message, path?, line?, column?, suggestion? }`:
        // what a thrown error of its own would carry.
        let list: Array = e
            .errors()
            .iter()
            .map(|one| {
                let object = Object::new();
                let _ = Reflect::set(&object, &"message".into(), &one.to_string().into());
                set_fields(&object, one);
                JsValue::from(object)
            })
            .collect();
        let _ = Reflect::set(&js, &"errors".into(), &list);
    }
    js.into()
}

/// `code`, and `path`, `line`, `column`, `suggestion` when known.
fn set_fields(target: &JsValue, e: &Error) {
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(target, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(e.code().as_str()));
    if let Some(loc) = e.location() {
        if let Some(p) = &loc.path {
            set("path", JsValue::from_str(p));
        }
        if loc.line > 0 {
            set("line", JsValue::from(loc.line));
            set("column", JsValue::from(loc.column));
        }
    }
    if let Some(s) = e.suggestion() {
        set("suggestion", JsValue::from_str(s));
    }
}

pub(crate) fn input_error(message: impl Into<String>) -> JsValue {
    to_js_error(&Error::new(ErrorCode::InvalidInput, message))
}

pub(crate) fn to_js<T: Serialize>(value: &T) -> JsResult {
    let text = serde_json::to_string(value).map_err(|e| input_error(e.to_string()))?;
    JSON::parse(&text)
}

/// A JS value through `JSON.stringify`, then serde. `what` names the argument.
pub(crate) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> JsResult<T> {
    let text = JSON::stringify(value)
        .map_err(|_| input_error(format!("{what} cannot be turned into JSON")))?
        .as_string()
        .ok_or_else(|| input_error(format!("{what} is missing")))?;
    serde_json::from_slice(text.as_bytes()).map_err(|e| {
        let s = e.to_string();
        let s = s
            .rfind(" at line ")
            .map_or(s.as_str(), |i| &s[..i])
            .to_owned();
        input_error(format!("{what}: {s}"))
    })
}

pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn optional_string(value: &JsValue, what: &str) -> JsResult<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| input_error(format!("{what} must be a string")))
}

/// A whole number from `min` to `max`, `None` when absent.
pub(crate) fn optional_whole(
    value: &JsValue,
    what: &str,
    min: u32,
    max: u32,
) -> JsResult<Option<u32>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(&n) => {
            Ok(Some(n as u32))
        }
        _ => Err(input_error(format!(
            "{what} must be a whole number from {min} to {max}"
        ))),
    }
}

pub(crate) fn required_string(value: &JsValue, what: &str) -> JsResult<String> {
    optional_string(value, what)?
        .ok_or_else(|| input_error(format!("{what} is required and must be a string")))
}

/// An options object: anything else is refused with `takes` (what the
/// call takes), then its keys are checked against `allowed` as in
/// [`check_keys`].
pub(crate) fn options_object(
    options: &JsValue,
    takes: &str,
    allowed: &[&str],
    what: &str,
) -> JsResult<()> {
    if !options.is_object() {
        return Err(input_error(takes));
    }
    check_keys(options, allowed, what)
}

/// Rejects keys of an options object that are not in `allowed`, with a
/// did-you-mean (a misspelt option must not be ignored silently).
pub(crate) fn check_keys(object: &JsValue, allowed: &[&str], what: &str) -> JsResult<()> {
    for key in object_keys(object)?.iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            let hint = closest(&key, allowed.iter().copied())
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            return Err(input_error(format!(
                "Unknown {what} \"{}\".{hint}",
                printable(&key)
            )));
        }
    }
    Ok(())
}

#[wasm_bindgen]
extern "C" {
    /// `Promise.resolve(value)`, which throws when `value` is a thenable
    /// whose `then` getter throws (js-sys's binding would let that through).
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(value: &JsValue) -> JsResult<js_sys::Promise>;

    /// `Object.keys(value)`, which throws for a Proxy whose traps throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> JsResult<Array>;

    /// `Object.entries(value)`, which throws for a throwing getter or Proxy.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    pub(crate) fn object_entries(value: &JsValue) -> JsResult<Array>;

    /// `Array.from(value)`: a plain array copied from an array, a Proxy of
    /// one or an iterable, whose getters and iterators may throw.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    pub(crate) fn array_from(value: &JsValue) -> JsResult<Array>;
}

/// What a host function answered (a value or a Promise), settled. Never
/// throws: a throwing thenable is a rejection. A primitive (a store's
/// string or null) is never a thenable: it is the answer at once, without
/// a Promise round trip, so a read from a store that answers in place
/// completes in the call that started it (see [`now_or_promise`]).
pub(crate) async fn settled(value: &JsValue) -> JsResult {
    if !value.is_object() && !value.is_function() {
        return Ok(value.clone());
    }
    wasm_bindgen_futures::JsFuture::from(promise_resolve(value)?).await
}

/// `future`'s answer, if it completes without waiting on the host (a token
/// read from a store that answers in place), else a Promise of it. The
/// first poll's waker does nothing: each future that waits re-registers
/// the waker of each poll (`JsFuture`, the vault's flights), and the
/// Promise polls again.
pub(crate) fn now_or_promise(future: impl Future<Output = JsResult> + 'static) -> JsValue {
    let mut future = Box::pin(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(Ok(value)) => value,
        std::task::Poll::Ready(Err(error)) => js_sys::Promise::reject(&error).into(),
        std::task::Poll::Pending => wasm_bindgen_futures::future_to_promise(future).into(),
    }
}

/// A list of strings (`scopes`), `undefined` for none.
pub(crate) fn string_list(value: &JsValue, what: &str) -> JsResult<Vec<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(value) {
        return Err(input_error(format!("{what} must be an array of strings")));
    }
    // A plain copy: a Proxy's traps may throw, and do so only here.
    let list = array_from(value)?;
    // Read item by item: a JSON round trip costs more than the rest of a call.
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_string()
                .ok_or_else(|| input_error(format!("{what}[{i}] must be a string")))
        })
        .collect()
}

/// `{ key: string }` from an object, a `URLSearchParams`/`Map` (anything
/// iterable with `entries()`), or a query string. A key given twice is an
/// error, as in a callback query (`INVALID_INPUT`).
pub(crate) fn string_map(value: &JsValue, what: &str) -> JsResult<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    let mut insert = |key: String, value: String| -> JsResult<()> {
        if map.contains_key(&key) {
            return Err(input_error(format!(
                "{what} repeats \"{}\"",
                printable(&key)
            )));
        }
        map.insert(key, value);
        Ok(())
    };
    if value.is_undefined() || value.is_null() {
        return Ok(BTreeMap::new());
    }
    if let Some(query) = value.as_string() {
        let query = query.strip_prefix('?').unwrap_or(&query);
        for (key, value) in form_urlencoded::parse(query.as_bytes()).into_owned() {
            insert(key, value)?;
        }
        return Ok(map);
    }
    if !value.is_object() {
        return Err(input_error(format!("{what} must be an object")));
    }
    let pairs = if get(value, "entries").is_function() {
        array_from(value)?
    } else {
        object_entries(value)?
    };
    for pair in pairs.iter() {
        let key = Reflect::get_u32(&pair, 0).ok().and_then(|k| k.as_string());
        let item = Reflect::get_u32(&pair, 1).ok().and_then(|v| v.as_string());
        match (key, item) {
            (Some(key), Some(item)) => insert(key, item)?,
            (key, _) => {
                return Err(input_error(format!(
                    "{what}.{} must be a string",
                    printable(&key.unwrap_or_default())
                )));
            }
        }
    }
    Ok(map)
}

/// `secrets`: one string or `[current, ...previous]`.
pub(crate) fn secrets_list(value: &JsValue) -> JsResult<Vec<String>> {
    if let Some(one) = value.as_string() {
        Ok(vec![one])
    } else if js_sys::Array::is_array(value) {
        string_list(value, "secrets")
    } else {
        Err(input_error(
            "secrets is required: a string of at least 32 random bytes, or [current, ...previous]",
        ))
    }
}

/// The entries of an object option (`credentials`, `appUserConnectors`, ...).
pub(crate) fn entries(value: &JsValue, what: &str) -> JsResult<Vec<(String, JsValue)>> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(input_error(format!(
            "{what} must be an object keyed by {}",
            if what == "credentials" {
                "integration type"
            } else {
                "connector id"
            }
        )));
    }
    Ok(object_entries(value)?
        .iter()
        .filter_map(|pair| {
            let key = Reflect::get_u32(&pair, 0).ok()?.as_string()?;
            Some((key, Reflect::get_u32(&pair, 1).ok()?))
        })
        .collect())
}

/// A time in ms as a `Date`, `null` for none.
pub(crate) fn date_or_null(ms: Option<u64>) -> JsValue {
    ms.map_or(JsValue::NULL, |ms| {
        js_sys::Date::new(&JsValue::from_f64(ms as f64)).into()
    })
}

/// Sets a non-enumerable property: `console.log`, spread and
/// `JSON.stringify` leave it out; reading it by name works as usual.
pub(crate) fn set_hidden(object: &JsValue, key: &str, value: &JsValue) -> JsResult<()> {
    let descriptor = Object::new();
    Reflect::set(&descriptor, &"value".into(), value)?;
    Object::define_property(object.unchecked_ref::<Object>(), &key.into(), &descriptor);
    Ok(())
}
