//! The answers: error codes and `no-store` for bad routes, apps, methods
//! and connectors; CORS for allowed origins.

use super::*;

#[test]
fn routes_apps_methods_and_connectors_are_checked() {
    let env = env();
    let cases = [
        ("GET", "/api/apps/app1/nope", "NOT_FOUND", 404),
        (
            "GET",
            "/api/apps/other/external-auth/list",
            "NOT_FOUND",
            404,
        ),
        (
            "DELETE",
            "/api/apps/app1/external-auth/list",
            "METHOD_NOT_ALLOWED",
            405,
        ),
        (
            "GET",
            "/api/apps/app1/external-auth/tokens/slack",
            "UNKNOWN_CONNECTOR",
            404,
        ),
        (
            "GET",
            "/api/apps/app1/external-auth/tokens/connectors/nope",
            "UNKNOWN_CONNECTOR",
            404,
        ),
    ];
    for (method, path, code, status) in cases {
        let r = send(&env, &request(method, path, &[SVC], ""));
        assert_eq!(
            (code_of(&r).as_str(), r.status),
            (code, status),
            "{method} {path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}

#[test]
fn browsers_on_allowed_origins_get_cors_headers() {
    let env = env();
    let path = "/api/apps/app1/app-user-auth/connectors/mine/initiate";
    let preflight = send(
        &env,
        &request("OPTIONS", path, &[("Origin", "https://app.example")], ""),
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .is_some_and(|h| h.contains("authorization") && h.contains("x-origin-url"))
    );
    let r = initiate(&env, "alice", "");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = send(
        &env,
        &request(
            "POST",
            path,
            &[
                ("Authorization", "Bearer user-alice"),
                ("Origin", "https://evil.example"),
            ],
            "",
        ),
    );
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (200, None)
    );
    let r = send(
        &env,
        &request(
            "OPTIONS",
            "/api/apps/app1/nope",
            &[("Origin", "https://app.example")],
            "",
        ),
    );
    assert_eq!(r.status, 404);
}
