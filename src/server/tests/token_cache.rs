use crate::server::may_change_connections;

#[test]
fn every_request_but_a_read_may_change_connections() {
    let changes = |method: &str, url: &str| may_change_connections(method, url, "app1");
    let base = "https://connect.example/api/apps/app1";
    // Reads: token reads, lists, status, a consent's start, unknown routes.
    for path in [
        "/external-auth/tokens/slack",
        "/external-auth/tokens/connectors/team",
        "/app-user-auth/connectors/mine/token",
        "/app-user-auth/connectors/mine/users/u1/token",
        "/external-auth/list",
        "/external-auth/status?integration_type=slack",
        "/external-auth/start/slack?state=x",
        "/no/such/route/callback-like",
    ] {
        assert!(!changes("GET", &format!("{base}{path}")), "{path}");
        assert!(!changes("GET", &format!("/api/apps/app1{path}")), "{path}");
    }
    // A consent's callback is a GET that stores a connection.
    for path in [
        "/external-auth/callback/slack?code=c&state=s",
        "/external-auth/connectors/team/callback?code=c&state=s",
        "/app-user-auth/connectors/mine/callback?code=c&state=s",
    ] {
        assert!(changes("GET", &format!("{base}{path}")), "{path}");
        assert!(changes("GET", &format!("/api/apps/app1{path}")), "{path}");
    }
    // Every other method, on any route.
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "",
    ] {
        assert!(
            changes(method, &format!("{base}/external-auth/tokens/slack")),
            "{method}"
        );
    }
}
