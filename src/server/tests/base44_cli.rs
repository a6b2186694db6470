//! Base44's own CLI (`base44` 0.1.18, `connectors list-available | push |
//! initiate | pull`) pointed at this server with `BASE44_API_URL` and a
//! workspace key in `BASE44_API_KEY`: every call it makes, with its headers
//! (`api_key`, `User-Agent: Base44 CLI`, `X-Request-ID`) and bodies, and
//! each answer checked against the schema the CLI validates it with.

use serde_json::json;

use super::*;

const BASE: &str = "/api/apps/app1/";

/// A call as Base44's CLI sends it: the key in `api_key`, no `Authorization`.
fn cli(env: &Env, method: &str, path: &str, body: &str) -> Value {
    json_of(&cli_raw(env, method, path, body))
}

fn cli_raw(env: &Env, method: &str, path: &str, body: &str) -> HttpResponse {
    let mut headers = vec![
        ("api_key", "service-token-0123456789"),
        ("User-Agent", "Base44 CLI"),
        ("X-Request-ID", "0b7f7f51-6a55-4b4e-9d43-1d4c2b1d7b6e"),
    ];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    let r = send(
        env,
        &request(method, &format!("{BASE}{path}"), &headers, body),
    );
    assert_eq!(
        r.status,
        200,
        "{method} {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r
}

fn string_or_null(v: &Value) -> bool {
    v.is_string() || v.is_null()
}

/// `ListConnectorsResponseSchema`: the type a custom type id
/// (`^[a-z0-9_-]+$`i), the status lower case, `user_email` a string or absent.
fn check_list(list: &Value) -> Vec<(String, String)> {
    let items = list["integrations"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|i| {
            let t = i["integration_type"].as_str().unwrap_or_default();
            assert!(
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{i}"
            );
            let status = i["status"].as_str().unwrap_or_default();
            assert!(
                ["active", "disconnected", "expired"].contains(&status),
                "{i}"
            );
            assert!(
                i["scopes"]
                    .as_array()
                    .is_some_and(|s| s.iter().all(Value::is_string)),
                "{i}"
            );
            assert!(i.get("user_email").is_none_or(Value::is_string), "{i}");
            (t.to_owned(), status.to_owned())
        })
        .collect()
}

/// `SetConnectorResponseSchema`.
fn check_set(answer: &Value) {
    for key in [
        "redirect_url",
        "connection_id",
        "error",
        "error_message",
        "other_user_email",
    ] {
        assert!(string_or_null(&answer[key]), "{key}: {answer}");
    }
    assert!(answer["already_authorized"].is_boolean(), "{answer}");
}

/// `StripeStatusResponseSchema`: the mode.
fn stripe_mode(env: &Env) -> Value {
    let status = cli(env, "GET", "payments/stripe/status", "");
    let mode = status["stripe_mode"].clone();
    assert!(
        mode.is_null() || mode == "sandbox" || mode == "live",
        "{status}"
    );
    assert!(status.get("sandbox_claim_url").is_none_or(string_or_null));
    mode
}

#[test]
fn list_available_answers_the_schema_base44s_cli_validates() {
    let env = env();
    let available = cli(&env, "GET", "external-auth/available-integrations", "");
    let items = available["integrations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(items.iter().any(|i| i["integration_type"] == "acme"));
    for i in &items {
        assert!(
            i["integration_type"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{i}"
        );
        assert!(
            i["display_name"].is_string() && i["description"].is_string(),
            "{i}"
        );
        let fields = i["connection_config_fields"].as_array();
        assert!(fields.is_some(), "{i}");
        for f in fields.into_iter().flatten() {
            for key in ["name", "display_name", "description", "placeholder"] {
                assert!(f[key].is_string(), "{key}: {f}");
            }
            assert!(f["required"].is_boolean(), "{f}");
            for key in ["validation_pattern", "validation_error"] {
                assert!(f.get(key).is_none_or(string_or_null), "{key}: {f}");
            }
        }
    }
}

#[test]
fn initiate_push_and_pull_as_base44s_cli_calls_them() {
    let env = env();
    // `connectors initiate --integration-type acme` (no --scopes) and a push
    // of `{ "type": "acme" }` send `scopes: []`: the configured scopes.
    let put = cli_raw(
        &env,
        "PUT",
        "external-auth/integrations/acme",
        r#"{"scopes":[]}"#,
    );
    let answer = json_of(&put);
    check_set(&answer);
    assert_eq!(answer["already_authorized"], false);
    let id = answer["connection_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let url = redirect_url_in(&env, &put);
    assert_eq!(query_param(&url, "scope"), "read");
    // The CLI polls with both parameters.
    let status = format!("external-auth/status?integration_type=acme&connection_id={id}");
    assert_eq!(
        cli(&env, "GET", &status, ""),
        json!({ "status": "PENDING" })
    );
    provider_answers(&env, tokens("AT", "RT", "read"));
    let done = send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(done.status, 200);
    assert_eq!(cli(&env, "GET", &status, ""), json!({ "status": "ACTIVE" }));

    // `connectors pull`: the list and the Stripe status.
    let list = cli(&env, "GET", "external-auth/list", "");
    assert_eq!(
        check_list(&list),
        [("acme".to_owned(), "active".to_owned())]
    );
    assert_eq!(stripe_mode(&env), Value::Null);

    // `connectors push` again: the list, a PUT per local file, the Stripe status.
    let again = cli(
        &env,
        "PUT",
        "external-auth/integrations/acme",
        r#"{"scopes":["read"]}"#,
    );
    check_set(&again);
    assert_eq!(again["already_authorized"], true);
    let none = cli(
        &env,
        "PUT",
        "external-auth/integrations/acme",
        r#"{"scopes":[]}"#,
    );
    assert_eq!(none["already_authorized"], true);

    // A push of a `stripe.jsonc`: install (a claim URL), the builder's key.
    let install = cli(&env, "POST", "payments/stripe/install", "");
    assert_eq!(install["already_installed"], false);
    assert!(install["claim_url"].is_string(), "{install}");
    env.fetch
        .answers
        .borrow_mut()
        .push_back(Ok(json_response(200, r#"{"id":"acct_1"}"#)));
    let key = cli(
        &env,
        "PUT",
        "payments/stripe/key",
        r#"{"secret_key":"sk_test_51abcdefghijklmnop"}"#,
    );
    assert_eq!(key["stripe_mode"], "sandbox");
    assert_eq!(stripe_mode(&env), "sandbox");
    // Stripe is not in the list, so the push does not remove it as an
    // OAuth type with no local file, and a pull adds it once, from the status.
    let list = cli(&env, "GET", "external-auth/list", "");
    assert_eq!(
        check_list(&list),
        [("acme".to_owned(), "active".to_owned())]
    );

    // A push with no `acme.jsonc` left: the remove route (`RemoveConnectorResponseSchema`).
    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    let removed = cli(&env, "DELETE", "external-auth/integrations/acme/remove", "");
    assert_eq!(removed["status"], "removed");
    assert_eq!(removed["integration_type"], "acme");
    // And with no `stripe.jsonc`: `RemoveStripeResponseSchema`.
    assert_eq!(
        cli(&env, "DELETE", "payments/stripe", ""),
        json!({ "success": true })
    );
    assert_eq!(stripe_mode(&env), Value::Null);
    assert_eq!(check_list(&cli(&env, "GET", "external-auth/list", "")), []);
}
