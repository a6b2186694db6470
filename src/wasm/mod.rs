//! The JavaScript boundary: the only module that uses wasm-bindgen and js-sys.
//!
//! Every export takes `JsValue`s or primitives, converts inside, calls the
//! pure Rust above, and turns a [`crate::Error`] into a real JS `Error` named
//! `ConnectorsError` with `code` (and `path`, `line`, `column`, `suggestion`
//! when known). Values cross as JSON: one serde format in the binary keeps
//! the wasm small, and `JSON.parse` is fast.

mod client;
pub(crate) mod clock;
mod fetch;
mod server;
mod store;
mod tokens;
mod vault;

pub use client::{JsOAuthClient, generate_code_verifier, generate_state};
pub use server::JsConnectorsServer;
pub use tokens::issue_user_token;
pub use vault::JsTokenVault;

use std::cell::RefCell;

use js_sys::{Array, JSON, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::catalog::{Catalog, Provider, closest, printable};
use crate::config::{self, ConnectorConfig, ParsedFile};
use crate::error::{Error, ErrorCode};

type JsResult<T = JsValue> = Result<T, JsValue>;

thread_local! {
    /// The built-in catalog plus providers registered at runtime.
    static CATALOG: RefCell<Option<Catalog>> = const { RefCell::new(None) };
}

fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> Result<T, Error>) -> Result<T, Error> {
    CATALOG.with(|cell| {
        let mut slot = cell.borrow_mut();
        let catalog = match slot.as_mut() {
            Some(c) => c,
            None => slot.insert(Catalog::builtin()?.clone()),
        };
        f(catalog)
    })
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

fn input_error(message: impl Into<String>) -> JsValue {
    to_js_error(&Error::new(ErrorCode::InvalidInput, message))
}

fn to_js<T: Serialize>(value: &T) -> JsResult {
    let text = serde_json::to_string(value).map_err(|e| input_error(e.to_string()))?;
    JSON::parse(&text)
}

/// A JS value through `JSON.stringify`, then serde. `what` names the argument.
fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> JsResult<T> {
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

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn optional_string(value: &JsValue, what: &str) -> JsResult<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| input_error(format!("{what} must be a string")))
}

/// A whole number from `min` to `max`, `None` when absent.
fn optional_whole(value: &JsValue, what: &str, min: u32, max: u32) -> JsResult<Option<u32>> {
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

fn required_string(value: &JsValue, what: &str) -> JsResult<String> {
    optional_string(value, what)?
        .ok_or_else(|| input_error(format!("{what} is required and must be a string")))
}

/// A connector file's text: a string or a `Uint8Array` (checked as UTF-8).
/// The outer error is a bad argument; the inner one what the file holds.
fn parse_text(text: &JsValue, path: Option<&str>) -> JsResult<Result<ParsedFile, Error>> {
    let parsed = if let Some(s) = text.as_string() {
        config::parse(&s, path)
    } else if let Some(bytes) = text.dyn_ref::<Uint8Array>() {
        let len = bytes.length() as usize;
        if len > config::MAX_FILE_BYTES {
            Err(config::too_large(len, path))
        } else {
            config::parse_bytes(&bytes.to_vec(), path)
        }
    } else {
        return Err(input_error(
            "The file text must be a string or a Uint8Array",
        ));
    };
    Ok(parsed)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AvailableJs<'a> {
    integration_type: &'a str,
    display_name: &'a str,
    description: &'a str,
    connection_config_fields: Vec<ConfigFieldJs<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFieldJs<'a> {
    name: &'a str,
    display_name: &'a str,
    description: &'a str,
    placeholder: &'a str,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    validation_pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    validation_error: Option<&'a str>,
}

/// Every provider in the Base44 "available integrations" shape, camelCase.
#[wasm_bindgen(js_name = listAvailable)]
pub fn list_available() -> JsResult {
    with_catalog(|catalog| {
        let list: Vec<AvailableJs<'_>> = catalog
            .list_available()
            .into_iter()
            .map(|a| AvailableJs {
                integration_type: a.integration_type,
                display_name: a.display_name,
                description: a.description,
                connection_config_fields: a
                    .connection_config_fields
                    .into_iter()
                    .map(|f| ConfigFieldJs {
                        name: f.name,
                        display_name: f.display_name,
                        description: f.description,
                        placeholder: f.placeholder,
                        required: f.required,
                        validation_pattern: f.validation_pattern,
                        validation_error: f.validation_error,
                    })
                    .collect(),
            })
            .collect();
        Ok(to_js(&list))
    })
    .map_err(|e| to_js_error(&e))?
}

/// The whole catalog entry of a type id (snake_case, as in the catalog file).
#[wasm_bindgen(js_name = getProvider)]
pub fn get_provider(integration_type: JsValue) -> JsResult {
    let id = required_string(&integration_type, "Integration type")?;
    with_catalog(|catalog| Ok(to_js(catalog.require(&id)?))).map_err(|e| to_js_error(&e))?
}

/// A provider entry from an object or its JSON text, validated.
fn provider_from_js(entry: &JsValue) -> JsResult<Provider> {
    let text = match entry.as_string() {
        Some(text) => text,
        None if entry.is_object() => JSON::stringify(entry)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| input_error("The provider entry cannot be turned into JSON"))?,
        None => {
            return Err(input_error(
                "The provider entry must be an object or JSON text",
            ));
        }
    };
    Provider::from_json(&text).map_err(|e| to_js_error(&e))
}

/// An options object: anything else is refused with `takes` (what the
/// call takes), then its keys are checked against `allowed` as in
/// [`check_keys`].
fn options_object(options: &JsValue, takes: &str, allowed: &[&str], what: &str) -> JsResult<()> {
    if !options.is_object() {
        return Err(input_error(takes));
    }
    check_keys(options, allowed, what)
}

/// Rejects keys of an options object that are not in `allowed`, with a
/// did-you-mean (a misspelt option must not be ignored silently).
fn check_keys(object: &JsValue, allowed: &[&str], what: &str) -> JsResult<()> {
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

/// Adds a custom provider (or replaces one with the same type id) after
/// validating it; takes an entry object or its JSON text. Returns the entry
/// as stored, with defaults filled in.
#[wasm_bindgen(js_name = registerProvider)]
pub fn register_provider(entry: JsValue) -> JsResult {
    let provider = provider_from_js(&entry)?;
    let out = to_js(&provider)?;
    with_catalog(|catalog| catalog.register(provider)).map_err(|e| to_js_error(&e))?;
    Ok(out)
}

/// Parses one connector file (JSONC) to `{ type, scopes }`.
#[wasm_bindgen(js_name = parseConnectorFile)]
pub fn parse_connector_file(text: JsValue, path: JsValue) -> JsResult {
    let path = optional_string(&path, "path")?;
    let file = parse_text(&text, path.as_deref())?.map_err(|e| to_js_error(&e))?;
    to_js(&file.config)
}

/// Connector files given as `{ path?, text }`, `{ type, scopes?, path? }`
/// or a JSONC string, parsed: each file's own error is kept in its place
/// (`config::validate_all` reports them all); a bad argument is thrown.
fn files_from_js(files: &JsValue, what: &str) -> JsResult<Vec<Result<ParsedFile, Error>>> {
    let files: Array = files
        .clone()
        .dyn_into()
        .map_err(|_| input_error(format!("{what} takes an array of files")))?;
    let mut parsed = Vec::with_capacity(files.length() as usize);
    for (i, item) in files.iter().enumerate() {
        if item.is_string() {
            parsed.push(parse_text(&item, None)?);
            continue;
        }
        if !item.is_object() {
            return Err(input_error(format!("File {i} must be an object")));
        }
        let path = optional_string(&get(&item, "path"), "path")?;
        let text = get(&item, "text");
        if !text.is_undefined() {
            parsed.push(parse_text(&text, path.as_deref())?);
            continue;
        }
        let integration_type = required_string(&get(&item, "type"), "type")?;
        let scopes_js = get(&item, "scopes");
        let scopes: Vec<String> = if scopes_js.is_undefined() || scopes_js.is_null() {
            Vec::new()
        } else {
            from_js(&scopes_js, "scopes")?
        };
        let config = ConnectorConfig {
            integration_type,
            scopes,
        };
        parsed.push(Ok(ParsedFile::from_config(config, path)));
    }
    Ok(parsed)
}

/// Validates a set of connector files, given as `{ path?, text }`, as
/// `{ type, scopes?, path? }` or as JSONC strings, against the catalog.
#[wasm_bindgen(js_name = validateConnectors)]
pub fn validate_connectors(files: JsValue) -> JsResult {
    let parsed = files_from_js(&files, "validateConnectors")?;
    let validated = with_catalog(|catalog| config::validate_all(parsed, catalog))
        .map_err(|e| to_js_error(&e))?;
    to_js(&validated)
}

/// d.ts text augmenting `ConnectorIntegrationTypeRegistry` with the given
/// types. Takes configs (`{ type }`), type strings, or `validateConnectors`'s
/// result; `options.moduleName` defaults to `"oauth-connectors"`.
#[wasm_bindgen(js_name = generateTypes)]
pub fn generate_types(configs: JsValue, options: JsValue) -> JsResult<String> {
    let list = if Array::is_array(&configs) {
        configs
    } else if configs.is_object() && Array::is_array(&get(&configs, "connectors")) {
        get(&configs, "connectors")
    } else {
        return Err(input_error(
            "generateTypes takes an array of connector configs",
        ));
    };
    let mut out = Vec::new();
    for item in Array::from(&list).iter() {
        let integration_type = match item.as_string() {
            Some(s) => s,
            None if item.is_object() => required_string(&get(&item, "type"), "type")?,
            None => {
                return Err(input_error(
                    "Each connector must be a type string or an object with a type",
                ));
            }
        };
        out.push(ConnectorConfig {
            integration_type,
            scopes: Vec::new(),
        });
    }
    let module = if options.is_object() {
        optional_string(&get(&options, "moduleName"), "moduleName")?
    } else {
        None
    };
    crate::types::generate_types(
        &out,
        module.as_deref().unwrap_or(crate::types::DEFAULT_MODULE),
    )
    .map_err(|e| to_js_error(&e))
}

/// The stable error codes, for documentation and `switch` statements.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Array {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
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
/// throws: a throwing thenable is a rejection.
pub(crate) async fn settled(value: &JsValue) -> JsResult {
    wasm_bindgen_futures::JsFuture::from(promise_resolve(value)?).await
}

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (Node, Deno, browsers and workerd all have it).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
}

/// Waits `ms` milliseconds on the host's timer.
pub(crate) async fn sleep_ms(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms as f64);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
