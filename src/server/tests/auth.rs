//! Who is calling: the service token, user tokens and `on-behalf-of` on
//! every route, and an `X-App-Id` that must name this app.

use super::*;

#[test]
fn identity_is_checked_on_every_route() {
    let env = env();
    let token = "/api/apps/app1/external-auth/tokens/acme";
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], "UNAUTHENTICATED"),
        (&[("Authorization", "Basic abc")], "UNAUTHENTICATED"),
        (
            &[("Authorization", "Bearer not-a-service-token")],
            "UNAUTHENTICATED",
        ),
        (&[("Authorization", "Bearer user-alice")], "FORBIDDEN"),
        (
            &[("authorization", "bearer service-token-0123456789")],
            "NOT_CONNECTED",
        ),
    ];
    for (headers, want) in cases {
        assert_eq!(
            code_of(&send(&env, &request("GET", token, headers, ""))),
            want
        );
    }
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/mine/token",
            &[SVC],
            "",
        ),
    );
    assert_eq!((r.status, code_of(&r).as_str()), (401, "UNAUTHENTICATED"));
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[],
            "",
        ),
    );
    assert_eq!(r.status, 401);
    // A user may start their own connection through the service role too.
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[SVC, ("on-behalf-of", "Bearer user-alice")],
            "",
        ),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn an_app_id_header_must_name_this_app() {
    let env = env();
    let path = "/api/apps/app1/external-auth/list";
    let r = send(
        &env,
        &request("GET", path, &[SVC, ("X-App-Id", "app1")], ""),
    );
    assert_eq!(r.status, 200);
    let r = send(
        &env,
        &request("GET", path, &[SVC, ("X-App-Id", "other")], ""),
    );
    assert_eq!(code_of(&r), "NOT_FOUND");
}
