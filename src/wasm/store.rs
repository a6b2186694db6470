//! The host store: any object with `get`, `set`, `delete`, `setIfAbsent`
//! and `compareAndSet`, and optionally `list` (each may answer a value or a
//! Promise), seen from Rust as a [`Store`]. A throw, a rejection or an
//! answer of the wrong kind is `STORE_UNAVAILABLE` (a `list` rejected with
//! `INVALID_INPUT` is `INVALID_INPUT`: a cursor that is not the store's);
//! the host's error text is not copied (it could quote a stored value).
//! Without `list`, listing is `LIST_UNSUPPORTED`.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{JsResult, get, input_error, settled};
use crate::error::{Error, ErrorCode, Result};
use crate::ports::{ListPage, Store, list_unsupported, unavailable};

const METHODS: [&str; 5] = ["get", "set", "delete", "setIfAbsent", "compareAndSet"];

/// A store object passed in by the host.
pub struct JsStore {
    object: JsValue,
}

impl JsStore {
    /// Checks that `object` has every method of the store interface.
    pub fn from_js(object: &JsValue) -> JsResult<JsStore> {
        if !object.is_object() {
            return Err(input_error(
                "store must be an object with get, set, delete, setIfAbsent and compareAndSet (or memoryStore())",
            ));
        }
        for method in METHODS {
            if !get(object, method).is_function() {
                return Err(input_error(format!(
                    "store.{method} must be a function (see ConnectorsStore in the package's types)"
                )));
            }
        }
        let list = get(object, "list");
        if !list.is_undefined() && !list.is_function() {
            return Err(input_error(
                "store.list must be a function when present (see ConnectorsStore in the package's types)",
            ));
        }
        Ok(JsStore {
            object: object.clone(),
        })
    }

    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue> {
        let function: Function = get(&self.object, method).unchecked_into();
        let args: Array = args.iter().collect();
        let answer = function
            .apply(&self.object, &args)
            .map_err(|_| unavailable(method))?;
        settled(&answer).await.map_err(|_| unavailable(method))
    }

    async fn call_bool(&self, method: &str, args: &[JsValue]) -> Result<bool> {
        self.call(method, args)
            .await?
            .as_bool()
            .ok_or_else(|| unavailable(&format!("{method} did not answer a boolean")))
    }
}

/// One `{ key, value }` of a `list` page.
fn list_entry(entry: &JsValue) -> Option<(String, String)> {
    Some((
        get(entry, "key").as_string()?,
        get(entry, "value").as_string()?,
    ))
}

fn ttl_options(ttl_ms: Option<u64>) -> JsValue {
    match ttl_ms {
        Some(ms) => {
            let options = Object::new();
            let _ = Reflect::set(&options, &"ttlMs".into(), &JsValue::from_f64(ms as f64));
            options.into()
        }
        None => JsValue::UNDEFINED,
    }
}

fn optional(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

impl Store for JsStore {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        let value = self.call("get", &[key.into()]).await?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| unavailable("get did not answer a string or null"))
    }

    async fn set(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<()> {
        self.call("set", &[key.into(), value.into(), ttl_options(ttl_ms)])
            .await
            .map(drop)
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.call("delete", &[key.into()]).await.map(drop)
    }

    async fn set_if_absent(&self, key: &str, value: &str, ttl_ms: Option<u64>) -> Result<bool> {
        self.call_bool(
            "setIfAbsent",
            &[key.into(), value.into(), ttl_options(ttl_ms)],
        )
        .await
    }

    async fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&str>,
        value: Option<&str>,
        ttl_ms: Option<u64>,
    ) -> Result<bool> {
        self.call_bool(
            "compareAndSet",
            &[
                key.into(),
                optional(expected),
                optional(value),
                ttl_options(ttl_ms),
            ],
        )
        .await
    }

    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: u32) -> Result<ListPage> {
        let function = get(&self.object, "list");
        if !function.is_function() {
            return Err(list_unsupported());
        }
        let function: Function = function.unchecked_into();
        let options = Object::new();
        let _ = Reflect::set(&options, &"cursor".into(), &optional(cursor));
        let _ = Reflect::set(&options, &"limit".into(), &JsValue::from(limit));
        let refused = |e: JsValue| {
            if get(&e, "code").as_string().as_deref() == Some("INVALID_INPUT") {
                Error::new(
                    ErrorCode::InvalidInput,
                    "The store refused the listing's cursor or limit (a cursor must be one the store answered)",
                )
            } else {
                unavailable("list")
            }
        };
        let answer = function
            .call2(&self.object, &prefix.into(), &options)
            .map_err(refused)?;
        let page = settled(&answer).await.map_err(refused)?;
        let bad = || unavailable("list did not answer { entries: [{ key, value }], cursor }");
        let entries = get(&page, "entries");
        if !Array::is_array(&entries) {
            return Err(bad());
        }
        let entries = Array::from(&entries)
            .iter()
            .map(|e| list_entry(&e))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        let cursor = get(&page, "cursor");
        let cursor = match cursor.as_string() {
            Some(c) => Some(c),
            None if cursor.is_null() || cursor.is_undefined() => None,
            None => return Err(bad()),
        };
        Ok(ListPage { entries, cursor })
    }
}
