//! Consent and the callback: the consent URL, the callback's checks
//! (state, mix-up, replay, issuer, expiry), refused consents, return URLs.

use super::*;

#[test]
fn an_app_user_connects_and_reads_only_their_own_token() {
    let env = env();
    let r = initiate(
        &env,
        "alice",
        r#"{"return_url":"https://app.example/done"}"#,
    );
    assert_eq!(r.status, 200);
    let url = redirect_url_in(&env, &r);
    assert!(url.starts_with("https://acme.example/authorize?"), "{url}");
    assert_eq!(query_param(&url, "code_challenge_method"), "S256");
    assert_eq!(
        query_param(&url, "redirect_uri"),
        "https://connect.example/api/apps/app1/app-user-auth/connectors/mine/callback"
    );
    assert!(query_param(&url, "state").len() > 43);

    provider_answers(&env, tokens("SENTINEL_AT", "SENTINEL_RT", "read"));
    let r = send(
        &env,
        &callback_for(&url, "&code=SENTINEL_CODE&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("https://app.example/done?connector=mine&status=connected")
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // The code went to the token endpoint with the verifier.
    let sent = String::from_utf8_lossy(&env.fetch.requests.borrow()[0].body).into_owned();
    assert!(sent.contains("code=SENTINEL_CODE") && sent.contains("code_verifier="));

    let r = user_token(&env, "alice");
    assert_eq!(r.status, 200);
    assert_eq!(
        json_of(&r),
        serde_json::json!({ "access_token": "SENTINEL_AT", "connection_config": null })
    );
    // Bob (whatever headers say) has no connection; the background route names alice.
    assert_eq!(code_of(&user_token(&env, "bob")), "NOT_CONNECTED");
    let named = request(
        "GET",
        "/api/apps/app1/app-user-auth/connectors/mine/users/alice/token",
        &[SVC],
        "",
    );
    assert_eq!(json_of(&send(&env, &named))["access_token"], "SENTINEL_AT");
    assert!(!env.store.dump().contains("SENTINEL"), "sealed at rest");
}

#[test]
fn a_state_opens_once_for_its_own_connector_within_ten_minutes() {
    let env = env();
    let r = initiate(&env, "alice", r#"{"return_url":"https://app.example/"}"#);
    let url = redirect_url_in(&env, &r);
    // Another connector's callback: refused before any provider call.
    let mut other = callback_for(&url, "&code=x");
    other.url = other.url.replace(
        "/app-user-auth/connectors/mine/",
        "/external-auth/connectors/team/",
    );
    let r = send(&env, &other);
    assert_eq!((r.status, env.fetch.calls()), (400, 0));
    assert!(String::from_utf8_lossy(&r.body).contains("invalid_state"));
    // Tampered: one character changed.
    let state = query_param(&url, "state");
    let flipped: String = state
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 20 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    let tampered = url.replace(&state, &flipped);
    assert_eq!(send(&env, &callback_for(&tampered, "&code=x")).status, 400);
    // The wrong issuer: refused, and the state is not burnt by it.
    let r = send(
        &env,
        &callback_for(&url, "&code=x&iss=https%3A%2F%2Fevil.example"),
    );
    assert_eq!(
        r.header("location"),
        Some("https://app.example/?connect_error=invalid_state")
    );
    assert_eq!(env.fetch.calls(), 0);
    // At +599 s it works once; again it is a replay.
    env.clock.now.set(T0 + 599_000);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let ok = callback_for(&url, "&code=x&iss=https%3A%2F%2Facme.example");
    assert_eq!(
        send(&env, &ok).header("location"),
        Some("https://app.example/?connector=mine&status=connected")
    );
    assert_eq!(
        send(&env, &ok).header("location"),
        Some("https://app.example/?connect_error=invalid_state")
    );
    assert_eq!(env.fetch.calls(), 1);
    // A state older than 10 minutes.
    let r = initiate(&env, "alice", "");
    let late = redirect_url_in(&env, &r);
    env.clock.now.set(env.clock.now.get() + 601_000);
    let r = send(
        &env,
        &callback_for(&late, "&code=x&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
}

#[test]
fn concurrent_callbacks_with_one_state_make_one_token_request() {
    let env = env();
    let r = initiate(&env, "alice", "");
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let mut req = callback_for(&url, "&code=x&iss=https%3A%2F%2Facme.example");
    req.headers
        .push(("Cookie".into(), env.jar.borrow().join("; ")));
    let answers = join_all((0..10).map(|_| env.server.handle(&req)).collect());
    assert_eq!(env.fetch.calls(), 1);
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 1);
}

#[test]
fn a_refused_consent_burns_the_state_and_stores_nothing() {
    let env = env();
    let r = initiate(&env, "alice", "");
    let url = redirect_url_in(&env, &r);
    let denied = callback_for(
        &url,
        "&error=access_denied&error_description=%3Cscript%3E&iss=https%3A%2F%2Facme.example",
    );
    let r = send(&env, &denied);
    let page = String::from_utf8_lossy(&r.body).into_owned();
    assert!(r.status == 400 && page.contains("access_denied") && !page.contains("<script>"));
    assert!(String::from_utf8_lossy(&send(&env, &denied).body).contains("invalid_state"));
    assert_eq!(code_of(&user_token(&env, "alice")), "NOT_CONNECTED");
}

#[test]
fn malformed_callbacks_show_a_page_without_touching_the_provider() {
    let env = env();
    for query in [
        "",
        "?code=x",
        "?state=&code=x",
        "?state=a&state=a&code=x",
        "?state=%00&code=x",
    ] {
        let path = format!("/api/apps/app1/app-user-auth/connectors/mine/callback{query}");
        let r = send(&env, &request("GET", &path, &[], ""));
        assert_eq!(r.status, 400, "{query}");
        assert!(String::from_utf8_lossy(&r.body).contains("invalid_state"));
    }
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/nope/callback?state=a&code=b",
            &[],
            "",
        ),
    );
    // An unknown connector, not a provider's failure.
    assert_eq!(r.status, 404);
    assert!(String::from_utf8_lossy(&r.body).contains("unknown_connector"));
    assert_eq!(env.fetch.calls(), 0);
}

#[test]
fn return_urls_come_from_the_body_or_the_origin_header_and_must_be_allowed() {
    let env = env();
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[
                ("Authorization", "Bearer user-alice"),
                ("X-Origin-URL", "https://app.example/page"),
            ],
            "",
        ),
    );
    assert_eq!(r.status, 200);
    for bad in [
        "//evil.com",
        "/\\\\evil.com",
        "https://app.example.evil.com",
        "https://app.example@evil.com",
        "javascript:alert(1)",
    ] {
        let body = serde_json::json!({ "return_url": bad }).to_string();
        assert_eq!(
            code_of(&initiate(&env, "alice", &body)),
            "RETURN_URL_NOT_ALLOWED",
            "{bad}"
        );
    }
    assert_eq!(
        code_of(&initiate(&env, "alice", "{\"return\":1}")),
        "INVALID_INPUT"
    );
    assert_eq!(
        code_of(&initiate(&env, "alice", "not json")),
        "INVALID_INPUT"
    );
    let big = format!("{{\"return_url\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
    assert_eq!(code_of(&initiate(&env, "alice", &big)), "BODY_TOO_LARGE");
}

#[test]
fn a_state_too_long_to_come_back_is_refused_up_front() {
    let env = env();
    let url = format!("https://app.example/{}", "a".repeat(2000));
    let body = serde_json::json!({ "return_url": url }).to_string();
    assert_eq!(initiate(&env, "alice", &body).status, 200);
    let many: Vec<String> = (0..50)
        .map(|i| format!("https://scopes.example/{i:02}/{}", "s".repeat(40)))
        .collect();
    let body = serde_json::json!({ "scopes": many }).to_string();
    let r = put_shared(&env, &body);
    assert_eq!(code_of(&r), "INVALID_INPUT");
}

#[test]
fn the_location_keeps_the_apps_parameters_but_none_that_pass_for_the_providers() {
    let env = env();
    let body =
        r#"{"return_url":"https://app.example/back?code=mine&state=s&iss=i&status=x&keep=1#top"}"#;
    let r = initiate(&env, "alice", body);
    let url = redirect_url_in(&env, &r);
    let r = send(
        &env,
        &callback_for(&url, "&error=access_denied&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(
        r.header("location"),
        Some("https://app.example/back?keep=1&connect_error=access_denied#top")
    );
}
