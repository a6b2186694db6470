use super::*;

fn allowed() -> Vec<String> {
    check_allowed(&[
        "https://app.example".into(),
        "http://127.0.0.1:5173/".into(),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn urls_on_allowed_origins_pass_unchanged() {
    for url in [
        "https://app.example",
        "https://app.example/settings?tab=1",
        "https://APP.example/x#frag",
        "http://127.0.0.1:5173/",
        "https://app.example:443/x",
    ] {
        assert_eq!(check(url, &allowed()).ok().as_deref(), Some(url), "{url}");
    }
}

#[test]
fn bypass_strings_are_refused() {
    // Open-redirect bypasses (a browser reads each as another host), and their cousins.
    for url in [
        "//evil.com",
        "/\\evil.com",
        "/\t/evil.com",
        "https://app.example.evil.com",
        "https://app.example@evil.com",
        "https://evil.com@app.example",
        "javascript:alert(1)",
        "https://app.example\\@evil.com",
        "https:/app.example",
        "https://app.example:443x/",
        "http://app.example/",
        "https://app.example./",
        "https://app.exam%70le/",
        "/settings",
        "",
        "https://app.example/\u{0}",
        "https://app.example/é",
    ] {
        assert_eq!(
            check(url, &allowed()).err().map(|e| e.code()),
            Some(ErrorCode::ReturnUrlNotAllowed),
            "{url:?}"
        );
    }
    let long = format!("https://app.example/{}", "a".repeat(MAX_RETURN_URL_LEN));
    assert!(check(&long, &allowed()).is_err());
}

#[test]
fn the_allowlist_takes_origins_only() {
    for bad in [
        "https://app.example/path",
        "app.example",
        "https://a@b.example",
    ] {
        assert_eq!(
            check_allowed(&[bad.to_owned()]).err().map(|e| e.code()),
            Some(ErrorCode::ConfigInvalid),
            "{bad}"
        );
    }
}
