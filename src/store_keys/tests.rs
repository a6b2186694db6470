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
