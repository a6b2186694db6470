//! The exported functions as JavaScript sees them: shared by `node.rs` and
//! `browser.rs`, so the same suite runs in Node and in headless Chrome.

#![allow(clippy::panic)] // a failed assertion

use js_sys::{Array, JSON, Reflect, Uint8Array};
use oauth_connectors::wasm::{
    error_codes, generate_types, get_provider, list_available, parse_connector_file,
    register_provider, validate_connectors,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// The thrown value must be a real `Error` named ConnectorsError with `code`.
fn thrown(result: Result<JsValue, JsValue>) -> JsValue {
    let error = match result {
        Ok(v) => panic!("expected a throw, got {v:?}"),
        Err(e) => e,
    };
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "not an Error: {error:?}"
    );
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("ConnectorsError")
    );
    error
}

fn code(error: &JsValue) -> String {
    get(error, "code").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn list_available_returns_every_type_in_camel_case() {
    let list: Array = list_available().unwrap_or(JsValue::NULL).unchecked_into();
    assert_eq!(list.length(), 47);
    let types: Vec<String> = list
        .iter()
        .filter_map(|i| get(&i, "integrationType").as_string())
        .collect();
    for t in [
        "googlecalendar",
        "slack",
        "slackbot",
        "github",
        "notion",
        "stripe",
        "wrike",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} missing");
    }
    let bamboo = list
        .iter()
        .find(|i| get(i, "integrationType").as_string().as_deref() == Some("bamboohr"));
    let bamboo = bamboo.unwrap_or(JsValue::NULL);
    assert_eq!(
        get(&bamboo, "displayName").as_string().as_deref(),
        Some("BambooHR")
    );
    let field = Array::from(&get(&bamboo, "connectionConfigFields")).get(0);
    assert_eq!(
        get(&field, "name").as_string().as_deref(),
        Some("companyDomain")
    );
    assert_eq!(get(&field, "required").as_bool(), Some(true));
    assert!(get(&field, "validationPattern").is_string());
    assert!(get(&field, "display_name").is_undefined(), "camelCase only");
}

#[wasm_bindgen_test]
fn get_provider_returns_the_whole_entry_or_a_coded_error() {
    let slack = get_provider(JsValue::from_str("slack")).unwrap_or(JsValue::NULL);
    let scope = get(&slack, "scope");
    assert_eq!(
        get(&scope, "param").as_string().as_deref(),
        Some("user_scope")
    );
    let e = thrown(get_provider(JsValue::from_str("githb")));
    assert_eq!(code(&e), "UNKNOWN_PROVIDER");
    assert_eq!(get(&e, "suggestion").as_string().as_deref(), Some("github"));
    assert_eq!(
        code(&thrown(get_provider(JsValue::from_f64(3.0)))),
        "INVALID_INPUT"
    );
    assert_eq!(
        code(&thrown(get_provider(JsValue::UNDEFINED))),
        "INVALID_INPUT"
    );
}

#[wasm_bindgen_test]
fn connector_files_parse_with_comments_and_trailing_commas() {
    let text =
        "// calendar\n{\n  \"type\": \"googlecalendar\",\n  \"scopes\": [\"a\", \"a\",],\n}\n";
    let parsed = parse_connector_file(JsValue::from_str(text), JsValue::from_str("g.jsonc"))
        .unwrap_or(JsValue::NULL);
    assert_eq!(
        get(&parsed, "type").as_string().as_deref(),
        Some("googlecalendar")
    );
    assert_eq!(Array::from(&get(&parsed, "scopes")).length(), 1);
    let bytes = Uint8Array::from(&b"{\"type\": \"notion\"}"[..]);
    let parsed = parse_connector_file(bytes.into(), JsValue::UNDEFINED).unwrap_or(JsValue::NULL);
    assert_eq!(get(&parsed, "type").as_string().as_deref(), Some("notion"));
}

#[wasm_bindgen_test]
fn bad_connector_files_throw_with_code_path_line_and_column() {
    let e = thrown(parse_connector_file(
        JsValue::from_str("{\n  \"type\": \"github\",\n  \"redirect_url\": 1\n}"),
        JsValue::from_str("base44/connectors/github.jsonc"),
    ));
    assert_eq!(code(&e), "UNKNOWN_FIELD");
    assert_eq!(
        get(&e, "path").as_string().as_deref(),
        Some("base44/connectors/github.jsonc")
    );
    assert_eq!(get(&e, "line").as_f64(), Some(3.0));
    assert_eq!(get(&e, "column").as_f64(), Some(3.0));
    let message = get(&e, "message").as_string().unwrap_or_default();
    assert!(
        message.starts_with("base44/connectors/github.jsonc:3:3: "),
        "{message}"
    );

    let bad_utf8 = Uint8Array::from(&b"{\"type\": \"\xff\"}"[..]);
    assert_eq!(
        code(&thrown(parse_connector_file(
            bad_utf8.into(),
            JsValue::UNDEFINED
        ))),
        "CONFIG_SYNTAX"
    );
    let e = thrown(parse_connector_file(
        JsValue::from_f64(1.0),
        JsValue::UNDEFINED,
    ));
    assert_eq!(code(&e), "INVALID_INPUT");
    let e = thrown(parse_connector_file(
        JsValue::from_str("{\"type\":\"x\"}"),
        JsValue::from_f64(1.0),
    ));
    assert_eq!(code(&e), "INVALID_INPUT");
}

#[wasm_bindgen_test]
fn validate_connectors_reports_duplicates_and_typos() {
    let files = json(
        r#"[{"path": "a/slack.jsonc", "text": "{\"type\": \"slack\"}"},
            {"path": "a/slack2.jsonc", "text": "{\"type\": \"slack\"}"}]"#,
    );
    let e = thrown(validate_connectors(files));
    assert_eq!(code(&e), "DUPLICATE_CONNECTOR");
    let message = get(&e, "message").as_string().unwrap_or_default();
    assert!(
        message.contains("Duplicate connector type \"slack\"") && message.contains("a/slack.jsonc"),
        "{message}"
    );

    let e = thrown(validate_connectors(json(r#"[{"type": "githb"}]"#)));
    assert_eq!(code(&e), "UNKNOWN_PROVIDER");
    assert_eq!(get(&e, "suggestion").as_string().as_deref(), Some("github"));

    let ok = validate_connectors(json(
        r#"[{"type": "stripe", "scopes": ["x"]}, {"type": "github"}]"#,
    ));
    let ok = ok.unwrap_or(JsValue::NULL);
    assert_eq!(Array::from(&get(&ok, "connectors")).length(), 2);
    let warning = Array::from(&get(&ok, "warnings")).get(0);
    assert_eq!(
        get(&warning, "code").as_string().as_deref(),
        Some("SCOPES_IGNORED")
    );

    assert_eq!(
        code(&thrown(validate_connectors(JsValue::from_str("x")))),
        "INVALID_INPUT"
    );
    assert_eq!(
        code(&thrown(validate_connectors(json(
            r#"[{"type": "github", "scopes": "repo"}]"#
        )))),
        "INVALID_INPUT"
    );
}

#[wasm_bindgen_test]
fn custom_providers_register_and_then_validate_as_known_types() {
    let entry = json(
        r#"{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize", "token_url": "https://acme.example/token"}"#,
    );
    let stored = register_provider(entry).unwrap_or(JsValue::NULL);
    assert_eq!(
        get(&get(&stored, "scope"), "separator")
            .as_string()
            .as_deref(),
        Some(" ")
    );
    assert!(validate_connectors(json(r#"[{"type": "acme"}]"#)).is_ok());
    let e = thrown(register_provider(json(
        r#"{"type": "bad id", "display_name": "x", "auth_model": "managed"}"#,
    )));
    assert_eq!(code(&e), "PROVIDER_INVALID");
    assert_eq!(
        code(&thrown(register_provider(JsValue::from_f64(1.0)))),
        "INVALID_INPUT"
    );
}

#[wasm_bindgen_test]
fn generate_types_augments_the_registry() {
    let text = generate_types(json(r#"[{"type": "slack"}, "github"]"#), JsValue::UNDEFINED)
        .unwrap_or_default();
    assert!(text.contains("declare module \"oauth-connectors\""));
    assert!(text.contains("\"github\": true;") && text.contains("\"slack\": true;"));
    let module = json(r#"{"moduleName": "@base44/sdk"}"#);
    let text = generate_types(
        json(r#"{"connectors": [{"type": "notion", "scopes": []}]}"#),
        module,
    );
    assert!(text.unwrap_or_default().contains("\"@base44/sdk\""));
    assert!(generate_types(JsValue::from_f64(1.0), JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
fn every_error_code_is_listed() {
    let codes: Vec<String> = error_codes().iter().filter_map(|c| c.as_string()).collect();
    assert!(codes.iter().any(|c| c == "DUPLICATE_CONNECTOR"));
    assert_eq!(codes.len(), oauth_connectors::ErrorCode::ALL.len());
}

#[wasm_bindgen_test]
fn the_instance_keeps_working_after_errors() {
    for _ in 0..3 {
        let _ = parse_connector_file(JsValue::from_str(&"[".repeat(100_000)), JsValue::UNDEFINED);
        let _ = get_provider(JsValue::from_str("nope"));
    }
    assert!(list_available().is_ok());
}
