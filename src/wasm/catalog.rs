//! The catalog and connector files for JavaScript: `listAvailable`,
//! `getProvider`, `registerProvider`, `parseConnectorFile`,
//! `validateConnectors`, `generateTypes`, `errorCodes`.

use std::cell::RefCell;

use js_sys::{Array, JSON, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{
    JsResult, from_js, get, input_error, optional_string, required_string, to_js,
};
use crate::catalog::{Catalog, Provider};
use crate::config::{self, ConnectorConfig, ParsedFile};
use crate::error::{Error, ErrorCode};

thread_local! {
    /// The built-in catalog plus providers registered at runtime.
    static CATALOG: RefCell<Option<Catalog>> = const { RefCell::new(None) };
}

pub(super) fn with_catalog<T>(
    f: impl FnOnce(&mut Catalog) -> Result<T, Error>,
) -> Result<T, Error> {
    CATALOG.with(|cell| {
        let mut slot = cell.borrow_mut();
        let catalog = match slot.as_mut() {
            Some(c) => c,
            None => slot.insert(Catalog::builtin()?.clone()),
        };
        f(catalog)
    })
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
    })?
}

/// The whole catalog entry of a type id (snake_case, as in the catalog file).
#[wasm_bindgen(js_name = getProvider)]
pub fn get_provider(integration_type: JsValue) -> JsResult {
    let id = required_string(&integration_type, "Integration type")?;
    with_catalog(|catalog| Ok(to_js(catalog.require(&id)?)))?
}

/// A provider entry from an object or its JSON text, validated.
pub(super) fn provider_from_js(entry: &JsValue) -> JsResult<Provider> {
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
    Provider::from_json(&text).map_err(JsValue::from)
}

/// Adds a custom provider (or replaces one with the same type id) after
/// validating it; takes an entry object or its JSON text. Returns the entry
/// as stored, with defaults filled in.
#[wasm_bindgen(js_name = registerProvider)]
pub fn register_provider(entry: JsValue) -> JsResult {
    let provider = provider_from_js(&entry)?;
    let out = to_js(&provider)?;
    with_catalog(|catalog| catalog.register(provider))?;
    Ok(out)
}

/// Parses one connector file (JSONC) to `{ type, scopes }`.
#[wasm_bindgen(js_name = parseConnectorFile)]
pub fn parse_connector_file(text: JsValue, path: JsValue) -> JsResult {
    let path = optional_string(&path, "path")?;
    let file = parse_text(&text, path.as_deref())??;
    to_js(&file.config)
}

/// Connector files given as `{ path?, text }`, `{ type, scopes?, path? }`
/// or a JSONC string, parsed: each file's own error is kept in its place
/// (`config::validate_all` reports them all); a bad argument is thrown.
pub(super) fn files_from_js(
    files: &JsValue,
    what: &str,
) -> JsResult<Vec<Result<ParsedFile, Error>>> {
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
    let validated = with_catalog(|catalog| config::validate_all(parsed, catalog))?;
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
    .map_err(JsValue::from)
}

/// The stable error codes, for documentation and `switch` statements.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Array {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
}
