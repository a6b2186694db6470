use super::*;

#[test]
fn parts_cannot_pass_for_separators_or_another_app() {
    assert_eq!(
        connection("app1", "user", "my:cal", Some("a:b")),
        "oauth-connectors:conn:app1:user:my%3Acal:a%3Ab"
    );
    assert_ne!(
        connection("a:b", "shared", "c", None),
        connection("a", "shared", "b:c", None)
    );
    assert_ne!(used("app1", "state", "n"), used("app2", "state", "n"));
    assert_ne!(used("app1", "state", "n"), used("app1", "start", "n"));
    assert_eq!(
        authorization_status("app 1", "id"),
        "oauth-connectors:pending:app+1:id"
    );
    assert_eq!(lease("k"), "k:lease");
}

#[test]
fn the_connection_prefix_holds_the_apps_records_and_tells_them_from_leases() {
    let shared = connection("app1", "shared", "slack", None);
    let user = connection("app1", "app_user", "mine", Some("lease"));
    let prefix = connections("app1", None, None);
    assert_eq!(prefix, "oauth-connectors:conn:app1:");
    for key in [&shared, &user] {
        assert!(
            key.starts_with(&prefix) && is_connection("app1", key),
            "{key}"
        );
        assert!(!is_connection("app1", &lease(key)), "{key}");
        assert!(!is_connection("app", key) && !is_connection("app10", key));
    }
    // An app-user key for the user "lease" is not a lease.
    assert!(is_connection(
        "app1",
        "oauth-connectors:conn:app1:app_user:mine:lease"
    ));
    assert!(!is_connection(
        "app1",
        &connection("app10", "shared", "slack", None)
    ));
    assert!(!is_connection("app1", &used("app1", "state", "n")));
    assert_eq!(
        connections("app1", Some("app_user"), Some("my:cal")),
        "oauth-connectors:conn:app1:app_user:my%3Acal:"
    );
    assert!(user.starts_with(&connections("app1", Some("app_user"), Some("mine"))));
    assert!(!user.starts_with(&connections("app1", Some("app_user"), Some("min"))));
    assert_eq!(
        connections("app1", Some("shared"), None),
        "oauth-connectors:conn:app1:shared:"
    );
}
