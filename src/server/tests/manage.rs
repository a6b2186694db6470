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
    let removed = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/external-auth/integrations/acme/remove",
            &[SVC],
            "",
        ),
    );
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
