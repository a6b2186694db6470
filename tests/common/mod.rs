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

/// Every test that reaches a `validation_pattern` first registers the
/// host's `RegExp` (the glue does it as the module starts; this runner
/// does not run start functions).
fn patterns() {
    oauth_connectors::wasm::register_patterns();
}

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
    assert_eq!(text(&error, "name").as_deref(), Some("ConnectorsError"));
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
    assert_eq!(text(&bamboo, "displayName").as_deref(), Some("BambooHR"));
    let field = Array::from(&get(&bamboo, "connectionConfigFields")).get(0);
    assert_eq!(text(&field, "name").as_deref(), Some("companyDomain"));
    assert_eq!(get(&field, "required").as_bool(), Some(true));
    assert!(get(&field, "validationPattern").is_string());
    assert!(get(&field, "display_name").is_undefined(), "camelCase only");
}

#[wasm_bindgen_test]
fn get_provider_returns_the_whole_entry_or_a_coded_error() {
    let slack = get_provider(JsValue::from_str("slack")).unwrap_or(JsValue::NULL);
    let scope = get(&slack, "scope");
    assert_eq!(text(&scope, "param").as_deref(), Some("user_scope"));
    let e = thrown(get_provider(JsValue::from_str("githb")));
    assert_eq!(code(&e), "UNKNOWN_PROVIDER");
    assert_eq!(text(&e, "suggestion").as_deref(), Some("github"));
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
    let file =
        "// calendar\n{\n  \"type\": \"googlecalendar\",\n  \"scopes\": [\"a\", \"a\",],\n}\n";
    let parsed = parse_connector_file(JsValue::from_str(file), JsValue::from_str("g.jsonc"))
        .unwrap_or(JsValue::NULL);
    assert_eq!(text(&parsed, "type").as_deref(), Some("googlecalendar"));
    assert_eq!(Array::from(&get(&parsed, "scopes")).length(), 1);
    let bytes = Uint8Array::from(&b"{\"type\": \"notion\"}"[..]);
    let parsed = parse_connector_file(bytes.into(), JsValue::UNDEFINED).unwrap_or(JsValue::NULL);
    assert_eq!(text(&parsed, "type").as_deref(), Some("notion"));
}

#[wasm_bindgen_test]
fn bad_connector_files_throw_with_code_path_line_and_column() {
    let e = thrown(parse_connector_file(
        JsValue::from_str("{\n  \"type\": \"github\",\n  \"redirect_url\": 1\n}"),
        JsValue::from_str("base44/connectors/github.jsonc"),
    ));
    assert_eq!(code(&e), "UNKNOWN_FIELD");
    assert_eq!(
        text(&e, "path").as_deref(),
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
    assert_eq!(text(&e, "suggestion").as_deref(), Some("github"));

    let ok = validate_connectors(json(
        r#"[{"type": "stripe", "scopes": ["x"]}, {"type": "github"}]"#,
    ));
    let ok = ok.unwrap_or(JsValue::NULL);
    assert_eq!(Array::from(&get(&ok, "connectors")).length(), 2);
    let warning = Array::from(&get(&ok, "warnings")).get(0);
    assert_eq!(text(&warning, "code").as_deref(), Some("SCOPES_IGNORED"));

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

// ---- The OAuth client: URL building and token parsing through the host fetch.

use oauth_connectors::wasm::{JsOAuthClient, generate_code_verifier, generate_state};
use wasm_bindgen_futures::JsFuture;

/// A fake provider: a JS `fetch` that records each request (method, URL,
/// headers, body) in `log` and answers `body` with `status`.
fn fake_fetch(log: &Array, status: u16, content_type: &str, body: &str) -> js_sys::Function {
    let make = js_sys::Function::new_with_args(
        "log, status, type, body",
        "return async (request) => {
           log.push({ method: request.method, url: request.url, redirect: request.redirect,
                      authorization: request.headers.get('authorization'), body: await request.text() });
           return new Response(body, { status, headers: { 'content-type': type } });
         };",
    );
    let args = Array::of4(
        log,
        &JsValue::from(status),
        &content_type.into(),
        &body.into(),
    );
    Reflect::apply(&make, &JsValue::UNDEFINED, &args)
        .unwrap_or(JsValue::UNDEFINED)
        .unchecked_into()
}

fn client(provider: &str, fetch: &js_sys::Function, extra: &str) -> JsOAuthClient {
    let options = json(&format!(
        r#"{{ "provider": "{provider}", "clientId": "CLIENT", "clientSecret": "SECRET",
             "redirectUri": "https://app.example/cb", "maxAttempts": 1 {extra} }}"#
    ));
    let _ = Reflect::set(&options, &"fetch".into(), fetch);
    JsOAuthClient::new(options).unwrap_or_else(|e| panic!("{e:?}"))
}

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// Exchanges "CODE" with the client; panics when the promise rejects.
async fn exchange(client: &JsOAuthClient, verifier: JsValue) -> JsValue {
    let promise = client.validate_authorization_code(
        "CODE".into(),
        verifier,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The code of the `ConnectorsError` a promise rejects with.
async fn rejection_code(promise: js_sys::Promise) -> String {
    let error = JsFuture::from(promise).await.err().unwrap_or(JsValue::NULL);
    code(&thrown(Err(error)))
}

fn query(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    js_sys::decode_uri_component(
        query
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{key}=")))?
            .replace('+', " ")
            .as_str(),
    )
    .ok()
    .and_then(|s| s.as_string())
}

#[wasm_bindgen_test]
async fn oauth_client_builds_provider_urls_and_reads_tokens_through_the_host_fetch() {
    patterns();
    let log = Array::new();
    let fetch = fake_fetch(
        &log,
        200,
        "application/json",
        r#"{"access_token":"00D!SECRET","refresh_token":"5Aep!R","instance_url":"https://acme.my.salesforce.com","issued_at":"1700000000000","token_type":"Bearer","scope":"api refresh_token"}"#,
    );
    let salesforce = client(
        "salesforce",
        &fetch,
        r#", "connectionConfig": { "login_host": "acme.my.salesforce.com" }"#,
    );
    let state = generate_state().unwrap_or_default();
    let verifier = generate_code_verifier().unwrap_or_default();
    assert_eq!((state.len(), verifier.len()), (43, 43));
    let options = json(r#"{ "scopes": ["api", "refresh_token"] }"#);
    let _ = Reflect::set(&options, &"state".into(), &state.clone().into());
    let _ = Reflect::set(&options, &"codeVerifier".into(), &verifier.clone().into());
    let url = salesforce
        .create_authorization_url(options)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        url.starts_with("https://acme.my.salesforce.com/services/oauth2/authorize?"),
        "{url}"
    );
    // Salesforce always asks for refresh_token (once).
    assert_eq!(query(&url, "scope").as_deref(), Some("refresh_token api"));
    assert_eq!(query(&url, "state"), Some(state));
    assert_eq!(
        query(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(!url.contains(&verifier));

    let tokens = exchange(&salesforce, verifier.clone().into()).await;
    assert_eq!(text(&tokens, "accessToken").as_deref(), Some("00D!SECRET"));
    assert_eq!(text(&tokens, "refreshToken").as_deref(), Some("5Aep!R"));
    assert_eq!(
        text(&get(&tokens, "connectionConfig"), "instance_url").as_deref(),
        Some("https://acme.my.salesforce.com"),
    );
    let shown = JSON::stringify(&tokens)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    assert!(
        !shown.contains("SECRET") && !shown.contains("5Aep"),
        "{shown}"
    );
    assert_eq!(log.length(), 1);
    let request = log.get(0);
    assert_eq!(
        text(&request, "url").as_deref(),
        Some("https://acme.my.salesforce.com/services/oauth2/token")
    );
    assert_eq!(text(&request, "redirect").as_deref(), Some("manual"));
    let body = get(&request, "body").as_string().unwrap_or_default();
    assert!(
        body.contains(&format!("code_verifier={verifier}")),
        "{body}"
    );
    assert!(body.contains("client_secret=SECRET"), "{body}");
}

#[wasm_bindgen_test]
async fn oauth_client_reads_slack_quirks_and_classifies_errors() {
    let log = Array::new();
    let ok = fake_fetch(
        &log,
        200,
        "application/json",
        r#"{"ok":true,"team":{"id":"T1"},"authed_user":{"id":"U1","scope":"search:read,chat:write","access_token":"xoxp-SECRET","token_type":"user"}}"#,
    );
    let slack = client("slack", &ok, "");
    let url = slack
        .create_authorization_url(json(
            r#"{ "state": "S", "scopes": ["search:read", "chat:write"] }"#,
        ))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        query(&url, "user_scope").as_deref(),
        Some("search:read,chat:write")
    );
    assert_eq!(query(&url, "code_challenge"), None, "Slack takes no PKCE");
    let tokens = exchange(&slack, JsValue::UNDEFINED).await;
    assert_eq!(text(&tokens, "accessToken").as_deref(), Some("xoxp-SECRET"));
    assert_eq!(text(&tokens, "tokenType").as_deref(), Some("user"));
    assert_eq!(
        text(&get(&tokens, "connectionConfig"), "team_id").as_deref(),
        Some("T1")
    );
    assert!(
        get(&log.get(0), "authorization")
            .as_string()
            .is_some_and(|a| a.starts_with("Basic ")),
        "Slack takes HTTP Basic"
    );

    let refused = fake_fetch(
        &log,
        200,
        "application/json",
        r#"{"ok":false,"error":"invalid_refresh_token"}"#,
    );
    let refresh =
        client("slack", &refused, "").refresh_access_token("R".into(), JsValue::UNDEFINED);
    assert_eq!(rejection_code(refresh).await, "NEEDS_RECONNECT");

    let huge = "x".repeat(1024 * 1024 + 10);
    let big = fake_fetch(&log, 200, "application/json", &huge);
    let refresh = client("slack", &big, "").refresh_access_token("R".into(), JsValue::UNDEFINED);
    assert_eq!(rejection_code(refresh).await, "RESPONSE_TOO_LARGE");
}

// ---- The token vault's options.

use oauth_connectors::wasm::JsTokenVault;

/// Options of a `TokenVault` over a store whose methods answer nothing
/// (the constructor checks that they are functions, and calls none).
fn vault_options(app_id: Option<&str>) -> JsValue {
    let store = js_sys::Object::new();
    for method in ["get", "set", "delete", "setIfAbsent", "compareAndSet"] {
        let _ = Reflect::set(
            &store,
            &method.into(),
            &js_sys::Function::new_no_args("return null"),
        );
    }
    let options = js_sys::Object::new();
    let _ = Reflect::set(
        &options,
        &"secrets".into(),
        &"0123456789abcdef0123456789abcdef-vault".into(),
    );
    let _ = Reflect::set(&options, &"store".into(), &store);
    if let Some(app_id) = app_id {
        let _ = Reflect::set(&options, &"appId".into(), &app_id.into());
    }
    options.into()
}

#[wasm_bindgen_test]
fn a_token_vault_takes_an_app_id_by_the_server_rule() {
    for good in [
        None,
        Some("app1"),
        Some("my-app_2.prod"),
        Some(&*"x".repeat(128)),
    ] {
        assert!(JsTokenVault::new(vault_options(good)).is_ok(), "{good:?}");
    }
    let long = "x".repeat(129);
    for bad in ["", "a b", "app/1", "é", long.as_str()] {
        let e = thrown(JsTokenVault::new(vault_options(Some(bad))).map(|_| JsValue::NULL));
        assert_eq!(code(&e), "INVALID_INPUT", "{bad:?}");
        assert_eq!(
            text(&e, "message").as_deref(),
            Some("appId must have 1 to 128 characters of A-Z, a-z, 0-9, '-', '_' and '.'"),
            "{bad:?}"
        );
    }
}

#[wasm_bindgen_test]
fn validation_patterns_run_on_the_hosts_regexp_with_the_hosts_answers() {
    patterns();
    use oauth_connectors::catalog::pattern_vectors::{HOSTILE, VECTORS};
    use oauth_connectors::ports::Pattern;
    let catalog = oauth_connectors::Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let compiled = |id: &str, name: &str| {
        let provider = catalog.get(id).unwrap_or_else(|| panic!("{id}"));
        let field = provider
            .config_field(name)
            .unwrap_or_else(|| panic!("{id}.{name}"));
        let pattern = field.validation_pattern.as_deref().unwrap_or("^$");
        Pattern::new(pattern).unwrap_or_else(|e| panic!("{id}.{name}: {e}"))
    };
    // The same table the host tests hold regex-lite to.
    for (id, name, accepted, refused) in VECTORS {
        let re = compiled(id, name);
        for ok in *accepted {
            assert!(re.is_match(ok), "{id}.{name} refuses {ok:?}");
        }
        for bad in *refused {
            assert!(!re.is_match(bad), "{id}.{name} accepts {bad:?}");
        }
    }
    // Every pattern of the catalog: hostile values refused, its default
    // accepted, and long near-misses answered at once (no catastrophic
    // backtracking in a backtracking engine).
    let long = [
        "a".repeat(20_000),
        format!("{}!", "a.".repeat(10_000)),
        format!("{}.", "a-".repeat(10_000)),
        format!("{}x", "0".repeat(20_000)),
    ];
    for provider in catalog.iter() {
        for field in &provider.connection_config_fields {
            let Some(pattern) = field.validation_pattern.as_deref() else {
                continue;
            };
            let re = Pattern::new(pattern)
                .unwrap_or_else(|e| panic!("{}.{}: {e}", provider.id, field.name));
            for bad in HOSTILE
                .iter()
                .copied()
                .chain(long.iter().map(String::as_str))
            {
                assert!(
                    !re.is_match(bad),
                    "{}.{} accepts {:?}",
                    provider.id,
                    field.name,
                    &bad[..bad.len().min(40)]
                );
            }
            if let Some(default) = &field.default {
                assert!(
                    re.is_match(default),
                    "{}.{} default",
                    provider.id,
                    field.name
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn a_custom_providers_pattern_is_checked_by_the_hosts_regexp() {
    patterns();
    let entry = |pattern: &str, default: &str| {
        json(&format!(
            r#"{{"type": "acme_eu", "display_name": "Acme", "auth_model": "oauth",
                "authorization_url": "https://{{sub}}.acme.example/authorize", "token_url": "https://{{sub}}.acme.example/token",
                "connection_config_fields": [{{"name": "sub", "display_name": "Subdomain", "required": true,
                  "validation_pattern": {}, "validation_error": "letters only", "default": {}}}]}}"#,
            JSON::stringify(&JsValue::from_str(pattern))
                .map(String::from)
                .unwrap_or_default(),
            JSON::stringify(&JsValue::from_str(default))
                .map(String::from)
                .unwrap_or_default(),
        ))
    };
    let e = thrown(register_provider(entry("^(a$", "a")));
    assert_eq!(code(&e), "PROVIDER_INVALID");
    let message = get(&e, "message").as_string().unwrap_or_default();
    assert!(
        message.contains("is not a valid regular expression"),
        "{message}"
    );
    let e = thrown(register_provider(entry("^[a-z]+$", "Acme-1")));
    assert_eq!(code(&e), "PROVIDER_INVALID");
    assert!(register_provider(entry("^[a-z][a-z0-9\\-]{0,20}$", "acme-1")).is_ok());
}
