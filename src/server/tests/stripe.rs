//! Stripe: the three calls of Base44's CLI (status, install, remove), the
//! key route, the claim page (ticket, binding cookie, single-use form
//! token), key shapes and Stripe's verdict, the `api_key` header, and a
//! sentinel key that reaches no answer but the token read, and no store
//! byte.

use serde_json::json;

use super::*;

const TEST_KEY: &str = "sk_test_51SENTINELabcdefghijklmnop0123";
const LIVE_KEY: &str = "rk_live_51SENTINELqrstuvwxyz9876543210";
const STATUS: &str = "/api/apps/app1/payments/stripe/status";
const INSTALL: &str = "/api/apps/app1/payments/stripe/install";
const REMOVE: &str = "/api/apps/app1/payments/stripe";
const KEY: &str = "/api/apps/app1/payments/stripe/key";
const CLAIM: &str = "/api/apps/app1/payments/stripe/claim";
const TOKEN: &str = "/api/apps/app1/external-auth/tokens/stripe";

fn svc(env: &Env, method: &str, path: &str, body: &str) -> HttpResponse {
    send(env, &request(method, path, &[SVC], body))
}

fn mode(env: &Env) -> Value {
    let r = svc(env, "GET", STATUS, "");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = json_of(&r);
    assert!(body["sandbox_claim_url"].is_null());
    body["stripe_mode"].clone()
}

fn stripe_accepts(env: &Env) {
    provider_answers(env, Ok(json_response(200, r#"{"id":"acct_1"}"#)));
}

fn put_key(env: &Env, key: &str) -> HttpResponse {
    svc(env, "PUT", KEY, &json!({ "secret_key": key }).to_string())
}

fn install(env: &Env) -> Value {
    let r = svc(env, "POST", INSTALL, "");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    json_of(&r)
}

fn page_text(r: &HttpResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The claim URL opened by the test's browser: the page, its cookie kept.
fn open_claim(env: &Env, url: &str) -> HttpResponse {
    let path = url.strip_prefix("https://connect.example").unwrap_or(url);
    let r = send(env, &request("GET", path, &[], ""));
    if let Some(cookie) = r.header("set-cookie") {
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        env.jar.borrow_mut().push(pair);
    }
    r
}

/// The form's single-use token on a claim page.
fn form_token(page: &HttpResponse) -> String {
    let text = page_text(page);
    let start = text
        .find("name=\"token\" value=\"")
        .map(|i| i + 20)
        .unwrap_or_else(|| panic!("no token in {text}"));
    text[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn submit(env: &Env, token: &str, key: &str) -> HttpResponse {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("secret_key", key)
        .finish();
    send(
        env,
        &request(
            "POST",
            CLAIM,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &body,
        ),
    )
}

/// Install, open the claim page, and the form's token.
fn claim_form(env: &Env) -> String {
    let answer = install(env);
    assert_eq!(answer["already_installed"], false);
    let url = answer["claim_url"].as_str().unwrap_or_default().to_owned();
    assert!(
        url.starts_with("https://connect.example/api/apps/app1/payments/stripe/claim?ticket="),
        "{url}"
    );
    let page = open_claim(env, &url);
    assert_eq!(page.status, 200, "{}", page_text(&page));
    form_token(&page)
}

#[test]
fn key_shapes_give_their_mode_and_nothing_else_is_a_key() {
    for (key, want) in [
        ("sk_test_abcdefgh", "sandbox"),
        ("rk_test_51ABCdef0123", "sandbox"),
        ("sk_live_51ABCdef0123", "live"),
        ("rk_live_ABCDEFGH", "live"),
    ] {
        assert_eq!(stripe_key_mode(key).ok(), Some(want), "{key}");
    }
    let long = format!("sk_test_{}", "a".repeat(250));
    for key in [
        "",
        "sk_test_",
        "sk_test_short",
        "sk_prod_abcdefghij",
        "sk_abcdefghij",
        "pk_test_abcdefghij",
        "pk_live_abcdefghij",
        "whsec_abcdefghij",
        "sk_test_abc def ghij",
        "sk_test_abcdefgh\n",
        "sk_test_abcdéfghij",
        "sk_test_abcdefgh<script>",
        "SK_TEST_abcdefghij",
        long.as_str(),
    ] {
        let e = stripe_key_mode(key).err();
        assert_eq!(
            e.as_ref().map(Error::code),
            Some(ErrorCode::StripeKeyInvalid)
        );
        let message = e.map(|e| e.message().to_owned()).unwrap_or_default();
        assert!(key.len() < 9 || !message.contains(&key[8..]), "{message}");
    }
    assert!(
        stripe_key_mode("pk_test_abcdefghij")
            .err()
            .is_some_and(|e| e.message().contains("publishable"))
    );
}

#[test]
fn install_claim_status_token_read_and_remove() {
    let env = env();
    assert_eq!(mode(&env), Value::Null);
    let token = claim_form(&env);
    stripe_accepts(&env);
    let done = submit(&env, &token, &format!("  {TEST_KEY}\n"));
    assert_eq!(done.status, 200, "{}", page_text(&done));
    assert!(page_text(&done).contains("Stripe is connected"));
    assert!(
        done.header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0")),
        "the binding cookie is cleared"
    );
    // Stripe's API saw the key, once, as a bearer token.
    let sent = env.fetch.requests.borrow();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].url, "https://api.stripe.com/v1/account");
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    drop(sent);
    assert_eq!(mode(&env), "sandbox");
    let read = svc(&env, "GET", TOKEN, "");
    assert_eq!(read.status, 200, "{}", page_text(&read));
    assert_eq!(
        json_of(&read),
        json!({
            "access_token": TEST_KEY,
            "integration_type": "stripe",
            "connection_config": { "stripe_mode": "sandbox" },
        })
    );
    // Installed: no second claim URL.
    assert_eq!(
        install(&env),
        json!({ "already_installed": true, "claim_url": null })
    );
    // Base44's list leaves it out (its CLI reads Stripe from the status,
    // and a push would remove a listed Stripe with no local OAuth file).
    let list = json_of(&svc(&env, "GET", "/api/apps/app1/external-auth/list", ""));
    assert_eq!(list["integrations"], json!([]));
    let r = svc(&env, "DELETE", REMOVE, "");
    assert_eq!((r.status, json_of(&r)), (200, json!({ "success": true })));
    assert_eq!(mode(&env), Value::Null);
    assert_eq!(code_of(&svc(&env, "GET", TOKEN, "")), "NOT_CONNECTED");
    // Removing again is still a success; a new install gives a new claim URL.
    assert_eq!(
        json_of(&svc(&env, "DELETE", REMOVE, "")),
        json!({ "success": true })
    );
    assert_eq!(install(&env)["already_installed"], false);
}

#[test]
fn the_key_route_takes_a_live_key_and_replaces_the_test_one() {
    let env = env();
    stripe_accepts(&env);
    let r = put_key(&env, TEST_KEY);
    assert_eq!(
        (r.status, json_of(&r)),
        (200, json!({ "stripe_mode": "sandbox" }))
    );
    // A restricted key without the permission to read the account: Stripe
    // knew it, so it is taken.
    provider_answers(
        &env,
        Ok(json_response(
            403,
            r#"{"error":{"type":"invalid_request_error"}}"#,
        )),
    );
    let r = put_key(&env, LIVE_KEY);
    assert_eq!(json_of(&r), json!({ "stripe_mode": "live" }));
    assert_eq!(mode(&env), "live");
    let read = json_of(&svc(&env, "GET", TOKEN, ""));
    assert_eq!(read["access_token"], LIVE_KEY);
    assert_eq!(read["connection_config"]["stripe_mode"], "live");
}

#[test]
fn bad_keys_are_refused_with_a_clear_code() {
    let env = env();
    for key in [
        "pk_test_abcdefghij",
        "sk_test_",
        "not a key",
        "sk_prod_abcdefghij",
    ] {
        let r = put_key(&env, key);
        assert_eq!(
            (r.status, code_of(&r).as_str()),
            (400, "STRIPE_KEY_INVALID"),
            "{key}"
        );
    }
    assert_eq!(env.fetch.calls(), 0, "a malformed key never reaches Stripe");
    provider_answers(
        &env,
        Ok(json_response(
            401,
            r#"{"error":{"message":"Invalid API Key provided: sk_test_****"}}"#,
        )),
    );
    let r = put_key(&env, TEST_KEY);
    assert_eq!(
        (r.status, code_of(&r).as_str()),
        (400, "STRIPE_KEY_REFUSED")
    );
    for _ in 0..3 {
        provider_answers(&env, Ok(json_response(503, "{}")));
    }
    assert_eq!(code_of(&put_key(&env, TEST_KEY)), "RETRYABLE_EXHAUSTED");
    assert_eq!(code_of(&put_key(&env, TEST_KEY)), "NETWORK_ERROR");
    provider_answers(&env, Ok(json_response(400, "{}")));
    assert_eq!(code_of(&put_key(&env, TEST_KEY)), "PROVIDER_ERROR");
    assert_eq!(mode(&env), Value::Null, "nothing refused was kept");
    for body in [
        "",
        "{}",
        r#"{"secret_key": 5}"#,
        r#"{"secret_key": "sk_test_abcdefghij", "mode": "live"}"#,
        "not json",
    ] {
        let r = svc(&env, "PUT", KEY, body);
        assert_eq!(code_of(&r), "INVALID_INPUT", "{body}");
    }
}

#[test]
fn verification_can_be_turned_off() {
    let env = env_configured(&["read"], |c| c.verify_stripe_keys(false));
    assert_eq!(json_of(&put_key(&env, TEST_KEY))["stripe_mode"], "sandbox");
    assert_eq!(env.fetch.calls(), 0);
    assert_eq!(code_of(&put_key(&env, "sk_test_x")), "STRIPE_KEY_INVALID");
}

#[test]
fn the_stripe_routes_need_the_service_role_and_take_api_key() {
    let env = env();
    let routes = [
        ("GET", STATUS, ""),
        ("POST", INSTALL, ""),
        ("DELETE", REMOVE, ""),
        ("PUT", KEY, r#"{"secret_key":"sk_test_abcdefghij"}"#),
    ];
    for (method, path, body) in routes {
        for (headers, want) in [
            (&[][..], "UNAUTHENTICATED"),
            (&[("Authorization", "Bearer user-alice")][..], "FORBIDDEN"),
            (&[("api_key", "not-a-service-token")][..], "UNAUTHENTICATED"),
            (
                &[("Authorization", "Bearer nope-nope-nope")][..],
                "UNAUTHENTICATED",
            ),
        ] {
            let r = send(&env, &request(method, path, headers, body));
            assert_eq!(code_of(&r), want, "{method} {path} {headers:?}");
        }
    }
    // Base44's CLI sends a workspace key as `api_key`.
    let with_key = |method: &str, path: &str, body: &str| {
        send(
            &env,
            &request(
                method,
                path,
                &[("api_key", SERVICE), ("User-Agent", "Base44 CLI")],
                body,
            ),
        )
    };
    assert_eq!(
        json_of(&with_key("GET", STATUS, ""))["stripe_mode"],
        Value::Null
    );
    assert_eq!(with_key("POST", INSTALL, "").status, 200);
    assert_eq!(with_key("DELETE", REMOVE, "").status, 200);
    assert_eq!(
        code_of(&with_key(
            "GET",
            "/api/apps/app1/external-auth/tokens/acme",
            ""
        )),
        "NOT_CONNECTED"
    );
    assert_eq!(
        with_key(
            "GET",
            "/api/apps/app1/external-auth/available-integrations",
            ""
        )
        .status,
        200
    );
    // A good api_key wins over a bad Authorization, and a good
    // Authorization over a bad api_key.
    let r = send(
        &env,
        &request(
            "GET",
            STATUS,
            &[
                ("api_key", SERVICE),
                ("Authorization", "Bearer wrong-wrong-wrong"),
            ],
            "",
        ),
    );
    assert_eq!(r.status, 200);
    let r = send(
        &env,
        &request("GET", STATUS, &[("api_key", "bad"), SVC], ""),
    );
    assert_eq!(r.status, 200);
    // As the service credential beside `on-behalf-of`.
    connect_user(&env, "bob", "SENTINEL_AT");
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/mine/token",
            &[("api_key", SERVICE), ("on-behalf-of", "Bearer user-bob")],
            "",
        ),
    );
    assert_eq!(json_of(&r)["access_token"], "SENTINEL_AT");
}

#[test]
fn wrong_methods_and_a_server_without_stripe() {
    let env = env();
    for (method, path) in [
        ("GET", REMOVE),
        ("POST", STATUS),
        ("GET", INSTALL),
        ("POST", KEY),
        ("PUT", CLAIM),
        ("DELETE", CLAIM),
    ] {
        assert_eq!(
            code_of(&svc(&env, method, path, "")),
            "METHOD_NOT_ALLOWED",
            "{method} {path}"
        );
    }
    // Stripe is not an OAuth connection: the management PUT says where to go.
    let r = svc(
        &env,
        "PUT",
        "/api/apps/app1/external-auth/integrations/stripe",
        "",
    );
    assert_eq!(code_of(&r), "INVALID_INPUT");
    assert!(
        json_of(&r)["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("payments/stripe/install"))
    );
    let off = env_configured(&["read"], |c| c.serve_stripe(false));
    for (method, path, body) in [
        ("GET", STATUS, ""),
        ("POST", INSTALL, ""),
        ("DELETE", REMOVE, ""),
        ("PUT", KEY, r#"{"secret_key":"sk_test_abcdefghij"}"#),
        ("GET", TOKEN, ""),
    ] {
        assert_eq!(code_of(&svc(&off, method, path, body)), "UNKNOWN_CONNECTOR");
    }
    let r = send(&off, &request("GET", &format!("{CLAIM}?ticket=x"), &[], ""));
    assert_eq!(r.status, 404);
    assert!(page_text(&r).contains("UNKNOWN_CONNECTOR"));
}

#[test]
fn credentials_for_stripe_are_refused_with_a_clear_message() {
    let catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    let stripe = catalog
        .get("stripe")
        .cloned()
        .unwrap_or_else(|| panic!("stripe"));
    let mut config = ServerConfig::new("app1", "https://connect.example", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    let e = config
        .add_connector(
            Slot::Shared("stripe".into()),
            stripe,
            ClientCredentials {
                client_id: "x".into(),
                client_secret: None,
            },
            &[],
            BTreeMap::new(),
        )
        .err();
    assert_eq!(e.as_ref().map(Error::code), Some(ErrorCode::ConfigInvalid));
    assert!(
        e.is_some_and(|e| e.message().contains("payments/stripe/install")),
        "the message says what to do"
    );
}

#[test]
fn the_claim_page_is_a_locked_down_form() {
    let env = env();
    let answer = install(&env);
    let url = answer["claim_url"].as_str().unwrap_or_default().to_owned();
    let page = open_claim(&env, &url);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.starts_with("default-src 'none'; form-action 'self'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let cookie = page.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.starts_with("__Host-oauth-connectors-bind-")
            && cookie.contains("HttpOnly; Secure; SameSite=Lax"),
        "{cookie}"
    );
    let text = page_text(&page);
    assert!(text.contains(
        "<form method=\"post\" action=\"https://connect.example/api/apps/app1/payments/stripe/claim\">"
    ));
    assert!(text.contains("type=\"password\" name=\"secret_key\""));
    assert!(!text.contains("<script") && !text.contains("style"));
    // The ticket opens once.
    let again = open_claim(&env, &url);
    assert_eq!(again.status, 400);
    assert!(page_text(&again).contains("STATE_REPLAYED"));
    assert!(again.header("set-cookie").is_none());
}

#[test]
fn claim_tickets_and_form_tokens_refuse_every_misuse() {
    let env = env();
    let path = |q: &str| format!("{CLAIM}{q}");
    let code_in = |r: &HttpResponse| {
        assert!(r.status >= 400, "{}", page_text(r));
        page_text(r)
    };
    for (query, want) in [
        ("", "STATE_MALFORMED"),
        ("?ticket=", "STATE_MALFORMED"),
        ("?ticket=abc", "STATE_MALFORMED"),
        ("?ticket=a&ticket=b", "STATE_MALFORMED"),
        ("?ticket=a&x=1", "STATE_MALFORMED"),
    ] {
        let r = send(&env, &request("GET", &path(query), &[], ""));
        assert!(code_in(&r).contains(want), "{query}");
    }
    // A consent's start ticket is not a claim ticket.
    let consent = json_of(&put_shared(&env, r#"{"scopes":["read"]}"#));
    let start = consent["redirect_url"].as_str().unwrap_or_default();
    let ticket = query_param(start, "ticket");
    let r = send(
        &env,
        &request("GET", &path(&format!("?ticket={ticket}")), &[], ""),
    );
    assert!(code_in(&r).contains("STATE_CONNECTOR_MISMATCH"));
    // Late: the claim URL opens for 10 minutes.
    let url = install(&env)["claim_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    env.clock.now.set(T0 + 11 * 60_000);
    assert!(code_in(&open_claim(&env, &url)).contains("STATE_EXPIRED"));
    env.clock.now.set(T0);

    let token = claim_form(&env);
    // Another browser (no cookie, or another one) cannot use the form.
    let body = format!("token={token}&secret_key={TEST_KEY}");
    for cookie in ["", "theme=dark", "oauth-connectors-bind-x=y"] {
        let mut req = request("POST", CLAIM, &[], &body);
        req.headers.push(("Cookie".into(), cookie.into()));
        let r = block_on(env.server.handle(&req));
        assert!(code_in(&r).contains("STATE_BROWSER_MISMATCH"), "{cookie}");
    }
    // The ticket is not a form token, nor a tampered token.
    let ticket = query_param(&url, "ticket");
    assert!(code_in(&submit(&env, &ticket, TEST_KEY)).contains("STATE_TAMPERED"));
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap_or_default();
    assert!(code_in(&submit(&env, &tampered, TEST_KEY)).contains("STATE_TAMPERED"));
    // Malformed forms.
    for body in [
        String::new(),
        format!("token={token}"),
        format!("secret_key={TEST_KEY}"),
        format!("token={token}&token={token}&secret_key={TEST_KEY}"),
        format!("token={token}&secret_key={TEST_KEY}&mode=live"),
    ] {
        let r = send(&env, &request("POST", CLAIM, &[], &body));
        assert!(code_in(&r).contains("INVALID_INPUT"), "{body}");
    }
    // A bad key shows the form again, with the same token and not the key.
    let r = submit(&env, &token, "pk_test_SENTINELpublishable");
    assert_eq!(r.status, 400);
    let text = page_text(&r);
    assert!(text.contains("STRIPE_KEY_INVALID") && text.contains("publishable"));
    assert!(!text.contains("SENTINEL"), "{text}");
    assert_eq!(form_token(&r), token);
    // Stripe refuses one: the form again.
    provider_answers(&env, Ok(json_response(401, "{}")));
    let r = submit(&env, &token, TEST_KEY);
    assert!(page_text(&r).contains("STRIPE_KEY_REFUSED"));
    assert_eq!(form_token(&r), token);
    assert_eq!(mode(&env), Value::Null);
    // Then a good one, once: the token does not take a second key.
    stripe_accepts(&env);
    assert_eq!(submit(&env, &token, TEST_KEY).status, 200);
    stripe_accepts(&env);
    let r = submit(&env, &token, LIVE_KEY);
    assert!(code_in(&r).contains("STATE_REPLAYED"));
    assert_eq!(mode(&env), "sandbox");
}

#[test]
fn the_key_reaches_no_answer_but_the_token_read_and_no_store_byte() {
    let env = env();
    let mut seen = String::new();
    let mut record = |r: &HttpResponse| {
        seen.push_str(&String::from_utf8_lossy(&r.body));
        for (k, v) in &r.headers {
            seen.push_str(&format!("\n{k}: {v}"));
        }
    };
    record(&svc(&env, "GET", STATUS, ""));
    let answer = svc(&env, "POST", INSTALL, "");
    record(&answer);
    let url = json_of(&answer)["claim_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let page = open_claim(&env, &url);
    record(&page);
    let token = form_token(&page);
    // Refused by Stripe (whose error echoes the key), then a bad shape
    // holding the sentinel, then accepted.
    provider_answers(
        &env,
        Ok(json_response(
            401,
            &format!(r#"{{"error":{{"message":"Invalid API Key provided: {TEST_KEY}"}}}}"#),
        )),
    );
    record(&submit(&env, &token, TEST_KEY));
    record(&submit(&env, &token, &format!("{TEST_KEY}!")));
    record(&put_key(&env, "sk_test_SENTINEL!"));
    provider_answers(
        &env,
        Ok(json_response(500, &format!(r#"{{"k":"{TEST_KEY}"}}"#))),
    );
    provider_answers(
        &env,
        Ok(json_response(500, &format!(r#"{{"k":"{TEST_KEY}"}}"#))),
    );
    provider_answers(
        &env,
        Ok(json_response(500, &format!(r#"{{"k":"{TEST_KEY}"}}"#))),
    );
    record(&put_key(&env, TEST_KEY));
    stripe_accepts(&env);
    record(&submit(&env, &token, TEST_KEY));
    record(&svc(&env, "GET", STATUS, ""));
    record(&svc(&env, "POST", INSTALL, ""));
    record(&svc(&env, "GET", "/api/apps/app1/external-auth/list", ""));
    record(&svc(&env, "GET", "/api/apps/app1/connections", ""));
    // callApi answers are redacted: Stripe echoing the key is not passed on.
    provider_answers(
        &env,
        Ok(json_response(200, &format!(r#"{{"echo":"{TEST_KEY}"}}"#))),
    );
    record(&svc(
        &env,
        "POST",
        "/api/apps/app1/connectors/stripe/call",
        r#"{"method":"GET","path":"/balance"}"#,
    ));
    let read = svc(&env, "GET", TOKEN, "");
    assert_eq!(json_of(&read)["access_token"], TEST_KEY);
    stripe_accepts(&env);
    record(&put_key(&env, LIVE_KEY));
    record(&svc(&env, "DELETE", REMOVE, ""));
    record(&svc(&env, "GET", STATUS, ""));
    assert!(!seen.contains("SENTINEL"), "the key leaked: {seen}");
    assert!(!env.store.dump().contains("SENTINEL"));
    assert!(!env.events.borrow().join("\n").contains("SENTINEL"));
}
