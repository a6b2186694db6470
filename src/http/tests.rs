use super::*;

#[test]
fn header_names_are_rfc_9110_tokens() {
    for name in [
        "accept",
        "X-GitHub-Api-Version",
        "notion-version",
        "x_custom.v2-version",
        "!#$%&'*+-.^_`|~09AZaz",
    ] {
        assert!(is_header_name(name), "{name}");
    }
    for name in [
        "",
        "x version",
        "x:a-version",
        "x-ü-version",
        "x\0-version",
        "x\r\n-version",
        "(x)-version",
        "x/y",
        "x@y",
        "\"x\"",
        "x\ty",
        "x\u{7f}y",
    ] {
        assert!(!is_header_name(name), "{name:?}");
    }
}

#[test]
fn header_values_are_printable_ascii() {
    for value in [
        "",
        "application/vnd.github+json",
        "2022-06-28",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig-_~+/=",
        "text/html, */*; q=0.8",
        " padded ",
        "\"quoted\" (comment) ~!@#$%^&*[]{}|\\;:',<>?",
    ] {
        assert_eq!(header_value_problem(value), None, "{value:?}");
    }
    for (value, problem) in [
        ("€", "outside ASCII"),
        ("caf\u{e9}", "outside ASCII"),
        ("\u{ff}", "outside ASCII"),
        ("\u{80}", "outside ASCII"),
        ("a\0b", "control"),
        ("a\rb", "control"),
        ("a\nb", "control"),
        ("a\r\nX-Injected: 1", "control"),
        ("a\tb", "control"),
        ("\u{1}", "control"),
        ("\u{1f}", "control"),
        ("a\u{7f}", "control"),
    ] {
        assert!(
            header_value_problem(value).is_some_and(|p| p.contains(problem)),
            "{value:?}"
        );
    }
}

#[test]
fn only_connect_failures_may_be_retried_as_never_sent() {
    use FetchFailure::*;
    let node = |code| classify_fetch_error("TypeError", "fetch failed", Some(code));
    assert_eq!(node("ECONNREFUSED"), BeforeSend);
    assert_eq!(node("ENOTFOUND"), BeforeSend);
    assert_eq!(node("UND_ERR_SOCKET"), AfterSend);
    assert_eq!(node("ECONNRESET"), AfterSend);
    let deno = "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)";
    assert_eq!(classify_fetch_error("TypeError", deno, None), BeforeSend);
    assert_eq!(
        classify_fetch_error("TypeError", "Failed to fetch", None),
        AfterSend
    );
    assert_eq!(
        classify_fetch_error("TimeoutError", "connection refused", None),
        TimedOut
    );
    assert_eq!(
        classify_fetch_error("AbortError", "", Some("ECONNREFUSED")),
        TimedOut
    );
}
