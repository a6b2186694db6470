use super::*;

#[test]
fn a_scope_is_rfc_6749_printable_ascii_without_space_quote_or_backslash() {
    for ok in [
        "openid",
        "https://www.googleapis.com/auth/drive.file",
        "chat:write",
        "a!#[]~",
    ] {
        assert!(is_valid_scope(ok), "{ok}");
    }
    for bad in [
        "",
        "two words",
        "quo\"te",
        "back\\slash",
        "caf\u{e9}",
        "tab\t",
    ] {
        assert!(!is_valid_scope(bad), "{bad:?}");
    }
    assert!(is_valid_scope(&"a".repeat(MAX_SCOPE_LEN)));
    assert!(!is_valid_scope(&"a".repeat(MAX_SCOPE_LEN + 1)));
}

#[test]
fn a_list_keeps_each_scope_once_in_order_and_at_most_the_limit() {
    let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        check_scopes(list(&["b", "a", "b"]).iter()).ok(),
        Some(list(&["b", "a"]))
    );
    let many: Vec<String> = (0..=MAX_SCOPES).map(|i| format!("s{i}")).collect();
    let e = check_scopes(many.iter()).err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::InvalidScope));
    // A bad scope is named even past the limit.
    let mut past = many.clone();
    past.push("bad scope".to_owned());
    let message = check_scopes(past.iter())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("\"bad scope\""), "{message}");
}
