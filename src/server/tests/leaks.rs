//! The sentinel canaries: no answer, error message, event or stored byte
//! ever holds a token, code, state or secret, whatever the provider echoes.

use super::*;

#[test]
fn no_answer_ever_holds_a_secret() {
    let env = env();
    let mut seen = String::new();
    let mut record = |r: &HttpResponse| {
        seen.push_str(&String::from_utf8_lossy(&r.body));
        for (k, v) in &r.headers {
            seen.push_str(&format!("{k}: {v}\n"));
        }
    };
    let r = initiate(&env, "alice", r#"{"return_url":"https://app.example/"}"#);
    let url = redirect_url_in(&env, &r);
    let state = query_param(&url, "state");
    // A provider that echoes the code and the secret in its error.
    provider_answers(
        &env,
        Ok(json_response(
            400,
            r#"{"error":"invalid_grant","error_description":"SENTINEL_CODE SENTINEL_CS"}"#,
        )),
    );
    record(&send(
        &env,
        &callback_for(&url, "&code=SENTINEL_CODE&iss=https%3A%2F%2Facme.example"),
    ));
    record(&connect_user(&env, "bob", "SENTINEL_AT"));
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(
        &env,
        Ok(json_response(
            500,
            r#"{"error":"server_error","error_description":"SENTINEL_AT-rt"}"#,
        )),
    );
    record(&user_token(&env, "bob"));
    record(&send(&env, &callback_for(&url, "&code=SENTINEL_CODE")));
    for needle in ["SENTINEL", state.as_str()] {
        assert!(!seen.contains(needle), "{needle} leaked: {seen}");
    }
    assert!(!env.store.dump().contains("SENTINEL"));
}

/// Issue 16 §5: a provider that echoes the refresh token, the access
/// token, the client secret and the code into `error`, `error_description`,
/// `error_uri`, `message` and `detail`, on every path: the code exchange
/// (app user and shared), the callback's own `error=`, the refresh, the
/// revocation and the proxy. No sentinel reaches an answer (body or
/// header), an error message, an event or the store.
#[test]
fn a_provider_that_echoes_every_secret_everywhere_leaks_none() {
    const AT: &str = "SNTL_AT_9f8e7d6c5b4a";
    const RT: &str = "SNTL_RT_0a1b2c3d4e5f";
    const CS: &str = "SENTINEL_CS";
    const CODE: &str = "SNTL_CODE_77aa88bb";
    let echo = |value: &str| {
        format!(
            r#"{{"error":"{value}","error_description":"{value}","error_uri":"{value}","message":"{value}","detail":"{value}"}}"#
        )
    };
    let all = [RT, AT, CS, CODE].join(" ");
    let mut bodies: Vec<String> = [RT, AT, CS, CODE, all.as_str()]
        .iter()
        .map(|v| echo(v))
        .collect();
    bodies.push(format!(r#"{{"error":"{RT}"}}"#));
    bodies.push(format!(
        r#"{{"error":{{"message":"{all}","detail":"{all}"}}}}"#
    ));
    let env = env();
    let mut seen = String::new();
    let mut record = |r: &HttpResponse| {
        seen.push_str(&String::from_utf8_lossy(&r.body));
        for (k, v) in &r.headers {
            seen.push_str(&format!("\n{k}: {v}"));
        }
        seen.push('\n');
    };
    let code = format!("&code={CODE}&iss=https%3A%2F%2Facme.example");
    // The code exchange, for an app user and for the shared connection.
    for body in &bodies {
        for status in [400, 200, 401] {
            let r = initiate(
                &env,
                "alice",
                r#"{"return_url":"https://app.example/done"}"#,
            );
            record(&r);
            provider_answers(&env, Ok(json_response(status, body)));
            record(&send(
                &env,
                &callback_for(&redirect_url_in(&env, &r), &code),
            ));
            let r = put_shared(&env, r#"{"scopes":["read"]}"#);
            record(&r);
            provider_answers(&env, Ok(json_response(status, body)));
            record(&send(
                &env,
                &callback_for(&redirect_url_in(&env, &r), &code),
            ));
            let id = json_of(&r)["connection_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let path = format!(
                "/api/apps/app1/external-auth/status?integration_type=acme&connection_id={id}"
            );
            record(&send(&env, &request("GET", &path, &[SVC], "")));
        }
    }
    // The provider's own error redirect.
    for value in [RT, AT, CS, CODE] {
        let r = initiate(
            &env,
            "alice",
            r#"{"return_url":"https://app.example/done"}"#,
        );
        let extra = format!(
            "&error={value}&error_description={value}&error_uri={value}&iss=https%3A%2F%2Facme.example"
        );
        record(&send(
            &env,
            &callback_for(&redirect_url_in(&env, &r), &extra),
        ));
    }
    assert_eq!(code_of(&user_token(&env, "alice")), "NOT_CONNECTED");
    // Refresh: bob's token has expired, and every refresh fails.
    let r = initiate(&env, "bob", r#"{"return_url":"https://app.example/done"}"#);
    provider_answers(&env, tokens(AT, RT, "read"));
    assert_eq!(
        send(&env, &callback_for(&redirect_url_in(&env, &r), &code)).status,
        303
    );
    env.clock.now.set(T0 + 7_200_000);
    for body in &bodies {
        for status in [400, 200, 401] {
            provider_answers(&env, Ok(json_response(status, body)));
            let r = user_token(&env, "bob");
            assert_eq!(r.status, 502, "{}", String::from_utf8_lossy(&r.body));
            record(&r);
        }
    }
    // The proxy: a fresh shared token, an API that echoes everything.
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    provider_answers(&env, tokens(AT, RT, "read"));
    assert_eq!(
        send(&env, &callback_for(&redirect_url_in(&env, &r), &code)).status,
        200
    );
    let secrets = [RT, AT, CS].join(" ");
    let encoded: String = form_urlencoded::byte_serialize(secrets.as_bytes()).collect();
    for (content_type, body) in [
        ("application/json", echo(&secrets)),
        ("text/plain", format!("token={AT} refresh={RT} secret={CS}")),
        (
            "application/x-www-form-urlencoded",
            format!("error={encoded}"),
        ),
        ("application/octet-stream", format!("\u{0}{AT}\u{1}{RT}")),
    ] {
        provider_answers(
            &env,
            Ok(HttpResponse {
                status: 401,
                headers: vec![
                    ("content-type".into(), content_type.into()),
                    (
                        "www-authenticate".into(),
                        format!(r#"Bearer error="invalid_token", error_description="{AT} {RT}""#),
                    ),
                    ("x-echo".into(), secrets.clone()),
                ],
                body: body.into_bytes(),
            }),
        );
        let r = call(&env, r#"{"path":"/me"}"#);
        assert_eq!(json_of(&r)["status_code"], 401);
        record(&r);
    }
    // Revocation of bob's tokens: the provider refuses both, echoing.
    for body in [&bodies[4], &bodies[5]] {
        provider_answers(&env, Ok(json_response(400, body)));
    }
    let r = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/app-user-auth/connectors/mine",
            &[("Authorization", "Bearer user-bob")],
            "",
        ),
    );
    assert_eq!(json_of(&r)["revocation"], "failed");
    record(&r);
    // The shared connection's revocation, too.
    for body in [&bodies[0], &bodies[1]] {
        provider_answers(&env, Ok(json_response(200, body)));
        provider_answers(&env, Ok(json_response(403, body)));
    }
    let r = remove_shared(&env);
    assert_eq!(json_of(&r)["revocation"], "failed");
    record(&r);
    let events = env.events.borrow().join("\n");
    assert!(events.contains("RefreshFailed"), "{events}");
    for needle in [AT, RT, CS, CODE, "SNTL", "SENTINEL"] {
        assert!(
            !seen.contains(needle),
            "{needle} leaked in an answer:\n{seen}"
        );
        assert!(
            !events.contains(needle),
            "{needle} leaked in an event:\n{events}"
        );
        assert!(!env.store.dump().contains(needle), "{needle} in the store");
    }
}
