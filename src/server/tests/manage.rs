//! The management calls: PUT and its consent, status, list, available
//! integrations, remove and disconnect.

use super::*;

fn status_of(env: &Env, id: &str) -> Value {
    let path =
        format!("/api/apps/app1/external-auth/status?integration_type=acme&connection_id={id}");
    json_of(&send(env, &request("GET", &path, &[SVC], "")))["status"].clone()
}

#[test]
fn the_management_flow_connects_a_shared_connector() {
    let env = env();
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    let answer = json_of(&r);
    assert_eq!(answer["already_authorized"], false);
    assert_eq!(answer["error"], Value::Null);
    let id = answer["connection_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(status_of(&env, &id), "PENDING");
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("SHARED_AT", "RT", "read"));
    let r = send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert!(String::from_utf8_lossy(&r.body).contains("acme is connected"));
    assert_eq!(status_of(&env, &id), "ACTIVE");
    assert_eq!(status_of(&env, "unknown"), "FAILED");
    // The same id polled under another type is unknown there.
    let path =
        format!("/api/apps/app1/external-auth/status?integration_type=slack&connection_id={id}");
    assert_eq!(
        json_of(&send(&env, &request("GET", &path, &[SVC], "")))["status"],
        "FAILED"
    );

    let token = shared_token(&env);
    assert_eq!(
        json_of(&token),
        serde_json::json!({"access_token": "SHARED_AT", "integration_type": "acme", "connection_config": null})
    );
    let list = json_of(&send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/list", &[SVC], ""),
    ));
    assert_eq!(
        list,
        serde_json::json!({"integrations": [{"integration_type": "acme", "status": "active", "scopes": ["read"]}]})
    );
    // The same scopes again: nothing to do.
    let again = connect_shared(&env, r#"["read"]"#, "unused");
    assert_eq!(again["already_authorized"], true);
    assert_eq!(again["redirect_url"], Value::Null);
    // More scopes: consent for the union.
    let more = put_shared(&env, r#"{"scopes":["write"]}"#);
    let url = redirect_url_in(&env, &more);
    assert_eq!(query_param(&url, "scope"), "read write");

    let available = json_of(&send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/external-auth/available-integrations",
            &[SVC],
            "",
        ),
    ));
    let list = available["integrations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        list.iter()
            .any(|i| i["integration_type"] == "googlecalendar")
    );
    assert!(list.iter().any(|i| i["integration_type"] == "acme"));

    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    let removed = remove_shared(&env);
    assert_eq!(json_of(&removed)["status"], "removed");
    assert_eq!(json_of(&removed)["integration_type"], "acme");
    let token = shared_token(&env);
    assert_eq!(code_of(&token), "NOT_CONNECTED");
    let r = put_shared(&env, r#"{"scopes":["a b"]}"#);
    assert_eq!(code_of(&r), "INVALID_SCOPE");
}

#[test]
fn a_workspace_connector_connects_through_its_own_put() {
    let env = env();
    let r = send(
        &env,
        &request(
            "PUT",
            "/api/apps/app1/external-auth/connectors/team",
            &[SVC],
            "",
        ),
    );
    let url = redirect_url_in(&env, &r);
    assert_eq!(query_param(&url, "scope"), "read");
    provider_answers(&env, tokens("TEAM_AT", "RT", "read"));
    assert_eq!(
        send(
            &env,
            &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example")
        )
        .status,
        200
    );
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/external-auth/tokens/connectors/team",
            &[SVC],
            "",
        ),
    );
    assert_eq!(json_of(&r)["access_token"], "TEAM_AT");
    assert_eq!(json_of(&r)["integration_type"], "acme");
}

#[test]
fn two_users_get_two_connections() {
    let env = env();
    assert_eq!(connect_user(&env, "alice", "AT_A").status, 303);
    assert_eq!(connect_user(&env, "bob", "AT_B").status, 303);
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT_A");
    assert_eq!(json_of(&user_token(&env, "bob"))["access_token"], "AT_B");
    // Bob disconnecting leaves Alice intact; his tokens are revoked.
    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    let r = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/app-user-auth/connectors/mine",
            &[("Authorization", "Bearer user-bob")],
            "",
        ),
    );
    assert_eq!(
        json_of(&r),
        serde_json::json!({"status": "disconnected", "revocation": "revoked"})
    );
    let revoked: Vec<String> = env.fetch.requests.borrow()[2..]
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(revoked[0].contains("token=AT_B-rt") && revoked[1].contains("token=AT_B"));
    assert_eq!(code_of(&user_token(&env, "bob")), "NOT_CONNECTED");
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT_A");
}

#[test]
fn the_management_put_may_send_the_builder_back_to_an_allowed_page() {
    let env = env();
    let r = put_shared(
        &env,
        r#"{"scopes":["read"],"return_url":"https://app.example/admin"}"#,
    );
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let back = send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(
        back.header("location"),
        Some("https://app.example/admin?connector=acme&status=connected")
    );
    let r = put_shared(
        &env,
        r#"{"scopes":["write"],"return_url":"https://evil.example/"}"#,
    );
    assert_eq!(code_of(&r), "RETURN_URL_NOT_ALLOWED");
}

/// `GET connections` with `query`, by the service.
fn connections(env: &Env, query: &str) -> HttpResponse {
    send(
        env,
        &request(
            "GET",
            &format!("/api/apps/app1/connections{query}"),
            &[SVC],
            "",
        ),
    )
}

/// Every page of `GET connections` with `query` (`&cursor=` appended).
fn all_connections(env: &Env, query: &str) -> (Vec<Value>, usize) {
    let (mut all, mut pages) = (Vec::new(), 0);
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?{query}&cursor={c}"),
            None => format!("?{query}"),
        };
        let r = connections(env, &q);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let body = json_of(&r);
        all.extend(body["connections"].as_array().cloned().unwrap_or_default());
        pages += 1;
        match body["cursor"].as_str() {
            Some(c) => {
                assert!(
                    c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                    "{c}"
                );
                cursor = Some(c.to_owned());
            }
            None => return (all, pages),
        }
    }
}

#[test]
fn connections_pages_through_every_kind_with_status_and_no_token() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "SENTINEL_AT_SHARED");
    let r = send(
        &env,
        &request(
            "PUT",
            "/api/apps/app1/external-auth/connectors/team",
            &[SVC],
            "",
        ),
    );
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("SENTINEL_AT_TEAM", "SENTINEL_RT_TEAM", "read"));
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(connect_user(&env, "alice", "SENTINEL_AT_A").status, 303);
    assert_eq!(connect_user(&env, "bob", "SENTINEL_AT_B").status, 303);

    let (all, pages) = all_connections(&env, "limit=1");
    assert!(pages >= 4, "{pages} pages of 1");
    let mut names: Vec<String> = all
        .iter()
        .map(|c| {
            format!(
                "{}:{}:{}",
                c["kind"].as_str().unwrap_or("?"),
                c["connector"].as_str().unwrap_or("?"),
                c["user_id"].as_str().unwrap_or("-")
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "app_user:mine:alice",
            "app_user:mine:bob",
            "shared:acme:-",
            "workspace:team:-"
        ]
    );
    for c in &all {
        assert_eq!(c["status"], "active");
        assert_eq!(c["scopes"], serde_json::json!(["read"]));
        assert_eq!(c["created_at_ms"], T0);
        assert_eq!(c["updated_at_ms"], T0);
        assert_eq!(c["last_refresh"], Value::Null);
        assert!(c["id"].is_string() && c.get("user_email").is_some());
        assert!(c["expires_at_ms"].is_u64());
    }
    let whole = connections(&env, "");
    let text = String::from_utf8_lossy(&whole.body);
    assert!(!text.contains("SENTINEL"), "{text}");
    assert_eq!(
        json_of(&whole)["connections"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(json_of(&whole)["cursor"], Value::Null);
    assert_eq!(json_of(&whole)["unreadable"], 0);

    // Narrowed.
    let only = |q: &str| {
        let mut n: Vec<String> = all_connections(&env, q)
            .0
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c["connector"].as_str().unwrap_or("?"),
                    c["user_id"].as_str().unwrap_or("-")
                )
            })
            .collect();
        n.sort();
        n
    };
    assert_eq!(only("kind=app_user&limit=1"), ["mine:alice", "mine:bob"]);
    assert_eq!(
        only("kind=app_user&connector=mine"),
        ["mine:alice", "mine:bob"]
    );
    assert_eq!(only("kind=shared&connector=ACME"), ["acme:-"]);
    assert_eq!(only("kind=workspace"), ["team:-"]);
    assert_eq!(only("connector=team"), ["team:-"]);
    assert!(only("kind=app_user&connector=other").is_empty());

    // Base44's list keeps its shape.
    let r = send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/list", &[SVC], ""),
    );
    assert_eq!(
        json_of(&r),
        serde_json::json!({"integrations": [{"integration_type": "acme", "status": "active", "scopes": ["read"]}]})
    );
}

#[test]
fn connections_shows_the_last_refresh_and_leaves_out_the_disconnected() {
    let env = env();
    assert_eq!(connect_user(&env, "alice", "AT_A").status, 303);
    assert_eq!(connect_user(&env, "bob", "AT_B").status, 303);
    env.clock.now.set(T0 + 2 * 3_600_000);
    for _ in 0..3 {
        provider_answers(&env, Ok(json_response(503, "{}")));
    }
    assert_eq!(code_of(&user_token(&env, "alice")), "RETRYABLE_EXHAUSTED");
    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/app-user-auth/connectors/mine",
            &[("Authorization", "Bearer user-bob")],
            "",
        ),
    );
    let (all, _) = all_connections(&env, "");
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["user_id"], "alice");
    let last = &all[0]["last_refresh"];
    assert_eq!(last["ok"], false);
    assert_eq!(last["code"], "RETRYABLE_EXHAUSTED");
    assert!(
        last["at_ms"]
            .as_u64()
            .is_some_and(|t| t >= T0 + 2 * 3_600_000)
    );
    assert!(all[0]["updated_at_ms"].as_u64().is_some_and(|t| t > T0));

    provider_answers(&env, tokens("AT_A2", "RT2", "read"));
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT_A2");
    let (all, _) = all_connections(&env, "");
    assert_eq!(all[0]["last_refresh"]["ok"], true);
    assert_eq!(all[0]["last_refresh"]["code"], Value::Null);
}

#[test]
fn connections_is_for_the_service_checks_its_query_and_needs_a_store_that_lists() {
    let env = env();
    assert_eq!(connect_user(&env, "alice", "AT_A").status, 303);
    let anonymous = send(&env, &request("GET", "/api/apps/app1/connections", &[], ""));
    assert_eq!(code_of(&anonymous), "UNAUTHENTICATED");
    let user = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/connections",
            &[("Authorization", "Bearer user-alice")],
            "",
        ),
    );
    assert_eq!((user.status, code_of(&user).as_str()), (403, "FORBIDDEN"));
    let post = send(
        &env,
        &request("POST", "/api/apps/app1/connections", &[SVC], ""),
    );
    assert_eq!(code_of(&post), "METHOD_NOT_ALLOWED");
    for q in [
        "?limit=0",
        "?limit=1001",
        "?limit=1.5",
        "?limit=%2B5",
        "?limit=05",
        "?limit=x",
        "?kind=user",
        "?kind=Shared",
        "?cursor=%%%",
        "?cursor=not*base64",
        "?limt=5",
        "?limit=5&limit=6",
    ] {
        let r = connections(&env, q);
        assert_eq!(code_of(&r), "INVALID_INPUT", "{q}");
        assert_eq!(r.status, 400);
    }
    // A cursor the store did not make: the fake store takes any string, so it is a position.
    assert_eq!(connections(&env, "?cursor=eno").status, 200);
    env.store.no_list.set(true);
    let r = connections(&env, "");
    assert_eq!(r.status, 501);
    assert_eq!(code_of(&r), "LIST_UNSUPPORTED");
    env.store.no_list.set(false);
    env.store.fail_reads.set(1);
    let r = connections(&env, "");
    assert_eq!((r.status, code_of(&r).as_str()), (503, "STORE_UNAVAILABLE"));
}
