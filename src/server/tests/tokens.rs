//! Token reads (scopes missing, refresh on read, the TTL header) and
//! `callApi` (the proxy).

use super::*;

#[test]
fn scopes_asked_later_make_token_reads_name_what_is_missing() {
    let env = env_with(&["read", "write"]);
    // The grant covers only `read` (the provider granted less).
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = shared_token(&env);
    assert_eq!((r.status, code_of(&r).as_str()), (409, "SCOPES_MISSING"));
    assert!(
        json_of(&r)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("(write)")
    );
    // The PUT without scopes asks for the connector's own, unioned with the grant.
    let r = put_shared(&env, "");
    let url = redirect_url_in(&env, &r);
    assert_eq!(query_param(&url, "scope"), "read write");
}

#[test]
fn a_scope_granted_under_another_name_is_not_missing() {
    // Google grants `email` as `https://www.googleapis.com/auth/userinfo.email`.
    let env = env_with(&["email"]);
    let r = put_shared(&env, "");
    let url = redirect_url_in(&env, &r);
    provider_answers(
        &env,
        tokens(
            "AT",
            "RT",
            "https://www.googleapis.com/auth/userinfo.email openid",
        ),
    );
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT");
    let again = put_shared(&env, r#"{"scopes":["email"]}"#);
    assert_eq!(json_of(&again)["already_authorized"], true);
    // Still covered after a refresh.
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(
        &env,
        tokens(
            "AT2",
            "RT2",
            "https://www.googleapis.com/auth/userinfo.email",
        ),
    );
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
}

#[test]
fn an_expired_token_is_refreshed_on_read() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(&env, tokens("AT2", "RT2", "read"));
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    let sent = String::from_utf8_lossy(&env.fetch.requests.borrow()[1].body).into_owned();
    assert!(sent.contains("grant_type=refresh_token"));
    // invalid_grant: the connection needs a reconnect, and says so.
    env.clock.now.set(T0 + 7_200_000);
    provider_answers(&env, Ok(json_response(400, r#"{"error":"invalid_grant"}"#)));
    let r = shared_token(&env);
    assert_eq!((r.status, code_of(&r).as_str()), (409, "NEEDS_RECONNECT"));
    let list = json_of(&send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/list", &[SVC], ""),
    ));
    assert_eq!(list["integrations"][0]["status"], "expired");
}

#[test]
fn token_reads_say_how_long_the_token_is_handed_out_as_it_is() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    // Issued at T0 for an hour; handed out until the earliest refresh, 5.5
    // minutes (the skew and its jitter) before that.
    let ttl = |r: &HttpResponse| r.header(TOKEN_TTL_HEADER).map(str::to_owned);
    assert_eq!(ttl(&shared_token(&env)).as_deref(), Some("3270000"));
    env.clock.now.set(T0 + 3_000_000);
    assert_eq!(ttl(&shared_token(&env)).as_deref(), Some("270000"));
    // Past the earliest refresh: refreshed, and the new token's TTL.
    env.clock.now.set(T0 + 3_400_000);
    provider_answers(&env, tokens("AT2", "RT2", "read"));
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    assert_eq!(ttl(&r).as_deref(), Some("3270000"));
    // A token without an expiry: a day (the client's own cap decides).
    let url = redirect_url_in(&env, &initiate(&env, "alice", "{}"));
    provider_answers(
        &env,
        Ok(json_response(
            200,
            r#"{"access_token":"AT-forever","token_type":"Bearer","scope":"read"}"#,
        )),
    );
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = user_token(&env, "alice");
    assert_eq!(json_of(&r)["access_token"], "AT-forever");
    assert_eq!(ttl(&r).as_deref(), Some("86400000"));
    // No header on an error answer.
    let r = send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/tokens/acme", &[], ""),
    );
    assert_eq!((r.status, ttl(&r)), (401, None));
}

#[test]
fn a_short_lived_token_is_handed_out_for_half_its_lifetime_then_refreshed_once() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    env.clock.now.set(T0 + 3_600_000);
    // Refreshed tokens live 2 minutes.
    provider_answers(
        &env,
        Ok(json_response(
            200,
            r#"{"access_token":"AT2","refresh_token":"RT2","expires_in":120,"scope":"read"}"#,
        )),
    );
    let ttl = |r: &HttpResponse| r.header(TOKEN_TTL_HEADER).map(str::to_owned);
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    assert_eq!(ttl(&r).as_deref(), Some("60000"));
    let calls = env.fetch.calls();
    for second in 1..=3 {
        env.clock.now.set(T0 + 3_600_000 + second * 1_000);
        let r = shared_token(&env);
        assert_eq!(json_of(&r)["access_token"], "AT2");
        assert_eq!(ttl(&r), Some((60_000 - second * 1_000).to_string()));
    }
    assert_eq!(env.fetch.calls(), calls, "not refreshed again");
}

#[test]
fn the_proxy_attaches_the_token_and_reports_each_phase() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "SENTINEL_AT");
    env.fetch.answers.borrow_mut().extend([
        Ok(json_response(200, r#"{"items":[1]}"#)),
        Ok(json_response(404, r#"{"message":"nope"}"#)),
        Err(FetchFailure::BeforeSend),
    ]);
    let r = call(
        &env,
        r#"{"method":"GET","path":"/items","query":{"q":"x"}}"#,
    );
    let a = json_of(&r);
    assert_eq!(
        (a["success"].clone(), a["phase"].clone()),
        (Value::Bool(true), Value::from("responded"))
    );
    assert_eq!(a["data"]["items"][0], 1);
    let upstream: HttpRequest = env
        .fetch
        .requests
        .borrow()
        .last()
        .cloned()
        .unwrap_or_else(|| panic!("sent"));
    assert_eq!(upstream.url, "https://api.acme.example/v1/items?q=x");
    assert_eq!(upstream.header("authorization"), Some("Bearer SENTINEL_AT"));
    assert!(!String::from_utf8_lossy(&r.body).contains("SENTINEL_AT"));
    let a = json_of(&call(&env, r#"{"path":"/missing"}"#));
    assert_eq!(
        (a["success"].clone(), a["status_code"].clone()),
        (Value::Bool(false), Value::from(404))
    );
    let a = json_of(&call(&env, r#"{"path":"/down"}"#));
    assert_eq!(a["phase"], "not_sent");
    for (body, code) in [
        (r#"{"path":"/x","host":"evil.com"}"#, "PROXY_NOT_ALLOWED"),
        (
            r#"{"path":"/x","headers":{"Authorization":"Bearer x"}}"#,
            "PROXY_NOT_ALLOWED",
        ),
        (r#"{"path":"/../x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"paths":"/x"}"#, "INVALID_INPUT"),
        ("", "INVALID_INPUT"),
    ] {
        assert_eq!(code_of(&call(&env, body)), code, "{body}");
    }
}

#[test]
fn the_proxy_refuses_what_fetch_would_resolve_or_refuse_before_sending() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "SENTINEL_AT");
    let sent = env.fetch.requests.borrow().len();
    for (body, code) in [
        (r#"{"path":"/.%2e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/%2e./x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/.%2E/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/a/.%2e/.%2e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/a/%252e%252e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/x","headers":{"accept":"€"}}"#, "INVALID_INPUT"),
        (
            r#"{"path":"/x","headers":{"accept":"a\u0000"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x y-version":"1"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x:y-version":"1"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x-ü-version":"1"}}"#,
            "INVALID_INPUT",
        ),
    ] {
        assert_eq!(code_of(&call(&env, body)), code, "{body}");
    }
    assert_eq!(env.fetch.requests.borrow().len(), sent, "nothing was sent");
}

/// `answer`, without the browser's cookies (token reads carry none).
fn answer(env: &Env, req: &Incoming) -> Answer {
    block_on(env.server.answer(req))
}

fn shared_read() -> Incoming {
    request(
        "GET",
        "/api/apps/app1/external-auth/tokens/acme",
        &[SVC, ("Origin", "https://app.example"), ("X-Note", "é\u{1}")],
        "",
    )
}

/// A token read of the `mine` connection of the user `token` names.
fn on_behalf(token: &str) -> Incoming {
    let obo = format!("Bearer {token}");
    request(
        "GET",
        "/api/apps/app1/app-user-auth/connectors/mine/token",
        &[SVC, ("on-behalf-of", &obo)],
        "",
    )
}

/// The answer `first` predicts at `now` (the TTL header counted down to
/// `until`), as the package's JS builds a repeat's.
fn predicted(first: &HttpResponse, until: Option<u64>, now: u64) -> HttpResponse {
    let mut answer = first.clone();
    if let Some(until) = until {
        for (name, value) in &mut answer.headers {
            if name == TOKEN_TTL_HEADER {
                *value = (until - now).to_string();
            }
        }
    }
    answer
}

#[test]
fn a_read_by_service_token_says_what_its_answer_rests_on_and_a_repeat_is_answered_the_same() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    let first = answer(&env, &shared_read());
    let reuse = first.reuse.clone().unwrap_or_else(|| panic!("no reuse"));
    assert_eq!(
        env.store.value(&reuse.store_key),
        Some(reuse.sealed.clone())
    );
    // An hour from T0, less the earliest refresh (5.5 minutes).
    assert_eq!(reuse.fresh_until_ms, Some(T0 + 3_270_000));
    assert_eq!(reuse.until_ms, reuse.fresh_until_ms);
    let until = T0 + 3_270_000;
    for now in [T0, T0 + 1, T0 + 1_800_000, until - 1] {
        env.clock.now.set(now);
        let again = answer(&env, &shared_read());
        assert_eq!(again.reuse.as_ref(), Some(&reuse), "at {now}");
        assert!(
            again.response == predicted(&first.response, Some(until), now),
            "at {now}"
        );
    }
    // Disconnected: a tombstone, and an error to reuse nothing of.
    let r = remove_shared(&env);
    assert_eq!(r.status, 200);
    assert_ne!(env.store.value(&reuse.store_key), Some(reuse.sealed));
    let gone = answer(&env, &shared_read());
    assert_eq!(code_of(&gone.response), "NOT_CONNECTED");
    assert!(gone.reuse.is_none());
}

#[test]
fn a_read_that_refreshed_failed_or_rests_on_a_user_token_says_nothing_to_reuse() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    // Refreshed (past the earliest refresh): nothing to reuse, even though
    // the refresh was stored.
    env.clock.now.set(T0 + 3_400_000);
    provider_answers(&env, tokens("AT2", "RT2", "read"));
    let refreshed = answer(&env, &shared_read());
    assert_eq!(json_of(&refreshed.response)["access_token"], "AT2");
    assert!(refreshed.reuse.is_none());
    assert!(
        answer(&env, &shared_read()).reuse.is_some(),
        "the next read"
    );
    // A refresh whose write failed is kept in memory, not in the store: the
    // store's string no longer says what a read answers, until it is written.
    env.clock.now.set(T0 + 7_000_000);
    provider_answers(&env, tokens("AT3", "RT3", "read"));
    env.store.fail_writes.set(u32::MAX);
    assert!(answer(&env, &shared_read()).reuse.is_none());
    assert!(
        answer(&env, &shared_read()).reuse.is_none(),
        "still unsaved"
    );
    env.store.fail_writes.set(0);
    let written = answer(&env, &shared_read());
    assert_eq!(json_of(&written.response)["access_token"], "AT3");
    assert!(written.reuse.is_none());
    assert!(answer(&env, &shared_read()).reuse.is_some(), "once written");
    // Errors: no service token, a wrong one, another app's X-App-Id.
    for headers in [
        vec![],
        vec![("Authorization", "Bearer service-token-0123456788")],
        vec![SVC, ("X-App-Id", "app2")],
    ] {
        let req = request(
            "GET",
            "/api/apps/app1/external-auth/tokens/acme",
            &headers,
            "",
        );
        let failed = answer(&env, &req);
        assert_ne!(failed.response.status, 200);
        assert!(failed.reuse.is_none());
    }
    // An app user's on behalf of a user token whose check holds for an
    // unknown time (the host's verifyUser): nothing to reuse.
    connect_user(&env, "alice", "AT-alice");
    let read = answer(&env, &on_behalf("user-alice"));
    assert_eq!(json_of(&read.response)["access_token"], "AT-alice");
    assert!(read.reuse.is_none());
    let named = request(
        "GET",
        "/api/apps/app1/app-user-auth/connectors/mine/users/alice/token",
        &[SVC],
        "",
    );
    assert!(answer(&env, &named).reuse.is_some());
    // Only a GET: a HEAD is answered without the cache of reads.
    let mut head = shared_read();
    head.method = "HEAD".into();
    assert!(answer(&env, &head).reuse.is_none());
}

#[test]
fn a_read_on_behalf_of_a_user_token_is_reused_until_the_token_or_the_user_token_expires() {
    let env = env();
    connect_user(&env, "alice", "AT-alice");
    let fresh_until = T0 + 3_270_000;
    // The user token expires first: the answer holds until it does.
    let short = on_behalf(&format!("until-{}-alice", T0 + 1_000_000));
    let first = answer(&env, &short);
    let reuse = first.reuse.clone().unwrap_or_else(|| panic!("no reuse"));
    assert_eq!(
        (reuse.fresh_until_ms, reuse.until_ms),
        (Some(fresh_until), Some(T0 + 1_000_000))
    );
    for now in [T0 + 1, T0 + 999_999] {
        env.clock.now.set(now);
        let again = answer(&env, &short);
        assert!(again.response == predicted(&first.response, Some(fresh_until), now));
    }
    env.clock.now.set(T0 + 1_000_000);
    let expired = answer(&env, &short);
    assert_eq!(expired.response.status, 401);
    assert!(expired.reuse.is_none());
    // The access token comes due first: until then.
    env.clock.now.set(T0);
    let long = answer(&env, &on_behalf(&format!("until-{}-alice", T0 + 9_000_000)));
    let reuse = long.reuse.unwrap_or_else(|| panic!("no reuse"));
    assert_eq!(reuse.until_ms, Some(fresh_until));
    assert_eq!(json_of(&long.response)["access_token"], "AT-alice");
}
