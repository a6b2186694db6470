use super::*;
use crate::catalog::Catalog;

fn provider(id: &str) -> Provider {
    Catalog::builtin()
        .ok()
        .and_then(|c| c.get(id))
        .cloned()
        .unwrap_or_else(|| panic!("{id}"))
}

fn call(json: &str) -> CallRequest {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
}

fn build(id: &str, json: &str) -> Result<HttpRequest> {
    upstream_request(&provider(id), &BTreeMap::new(), "SENTINEL_AT", &call(json))
}

#[test]
fn a_call_goes_to_the_declared_host_with_the_token() {
    let r = build(
            "github",
            r#"{"path":"/user/repos","query":{"per_page":5,"sort":"updated","x":["a","b"]},"headers":{"Accept":"application/vnd.github+json","X-GitHub-Api-Version":"2022-11-28"}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.url,
        "https://api.github.com/user/repos?per_page=5&sort=updated&x=a&x=b"
    );
    assert_eq!(r.header("authorization"), Some("Bearer SENTINEL_AT"));
    assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
}

#[test]
fn host_picks_one_of_the_declared_bases() {
    let r = build(
            "dropbox",
            r#"{"method":"POST","host":"content.dropboxapi.com","path":"/files/download","body":{"a":1}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://content.dropboxapi.com/2/files/download");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, br#"{"a":1}"#);
    let e = build("dropbox", r#"{"host":"evil.com","path":"/x"}"#).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::ProxyNotAllowed));
}

#[test]
fn forbidden_headers_paths_and_methods_are_refused() {
    for (json, code) in [
        (
            r#"{"path":"/x","headers":{"Authorization":"Bearer mine"}}"#,
            ErrorCode::ProxyNotAllowed,
        ),
        (
            r#"{"path":"/x","headers":{"Cookie":"a=b"}}"#,
            ErrorCode::ProxyNotAllowed,
        ),
        (
            r#"{"path":"/x","headers":{"Host":"evil.com"}}"#,
            ErrorCode::ProxyNotAllowed,
        ),
        (r#"{"path":"/../admin"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"/a/%2e%2e/b"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"//evil.com/x"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"x"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"/x?y=1"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"/x\\y"}"#, ErrorCode::ProxyNotAllowed),
        (r#"{"path":"/x","method":"TRACE"}"#, ErrorCode::InvalidInput),
        (r#"{"path":"/x","body":"data"}"#, ErrorCode::InvalidInput),
        (
            r#"{"path":"/x","headers":{"Accept":"a\r\nX: y"}}"#,
            ErrorCode::InvalidInput,
        ),
        (
            r#"{"path":"/x","query":{"a":{"b":1}}}"#,
            ErrorCode::InvalidInput,
        ),
    ] {
        assert_eq!(
            build("github", json).err().map(|e| e.code()),
            Some(code),
            "{json}"
        );
    }
}

/// Paths that reach outside `/2/` of Dropbox's API base once `fetch`
/// (the WHATWG URL parser) or the server reads them, and paths that
/// hide a slash or a control character under percent-encoding.
const ESCAPING_PATHS: [&str; 42] = [
    "/../x",
    "/./x",
    "/.%2e/x",
    "/%2e./x",
    "/.%2E/x",
    "/%2E./x",
    "/%2e%2e/x",
    "/%2E%2e/x",
    "/%2e/x",
    "/%2E/x",
    "/a/.%2e/.%2e/x",
    "/a/%2e%2e",
    "/a/..",
    "/a/.",
    // Encoded more than once: a server or proxy that decodes again.
    "/%252e%252e/x",
    "/.%252e/x",
    "/%25%32%65%25%32%65/x",
    "/%2525252e%2525252e/x",
    "/%252525252525252525252e/x",
    // Path parameters (Tomcat reads `..;x` as `..`), white space, only dots.
    "/..;/x",
    "/..;jsessionid=1/x",
    "/%2e%2e%3b/x",
    "/.;x/x",
    "/%20..%20/x",
    "/.../x",
    // Encoded slashes and backslashes, control characters.
    "/a%2f..%2fx",
    "/a%2Fb",
    "/a%5cb",
    "/a%5C..%5Cx",
    "/a%252fb",
    "/a%00b",
    "/a%0d%0aHost:%20evil.com",
    // Raw characters the URL parser strips or reads as a separator.
    "/a\\..\\x",
    "/.\t./x",
    "/..\n/x",
    "/a\r/x",
    "/ ../x",
    "/%u002e%u002e/x",
    "/100%",
    "/%2",
    "//evil.com/x",
    "/\u{ff0e}\u{ff0e}/x",
];

#[test]
fn every_encoding_of_a_dot_segment_is_refused() {
    for path in ESCAPING_PATHS {
        let json = serde_json::to_string(&json!({ "path": path })).unwrap_or_default();
        let e = build("dropbox", &json).err();
        assert_eq!(
            e.as_ref().map(Error::code),
            Some(ErrorCode::ProxyNotAllowed),
            "{path:?}"
        );
        assert!(
            e.is_some_and(|e| e.to_string().starts_with("The path ")),
            "{path:?}"
        );
    }
}

#[test]
fn ordinary_paths_go_through() {
    for (path, url) in [
        (
            "/files/list_folder",
            "https://api.dropboxapi.com/2/files/list_folder",
        ),
        ("/", "https://api.dropboxapi.com/2/"),
        (
            "/a.b/c..d/..x/x../.well-known",
            "https://api.dropboxapi.com/2/a.b/c..d/..x/x../.well-known",
        ),
        (
            "/files/%E2%82%AC%20report.txt",
            "https://api.dropboxapi.com/2/files/%E2%82%AC%20report.txt",
        ),
        (
            "/a%3Fb%23c;v=1",
            "https://api.dropboxapi.com/2/a%3Fb%23c;v=1",
        ),
        ("/a//b/", "https://api.dropboxapi.com/2/a//b/"),
        ("/100%25", "https://api.dropboxapi.com/2/100%25"),
    ] {
        let json = serde_json::to_string(&json!({ "path": path })).unwrap_or_default();
        let r = build("dropbox", &json).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(r.url, url);
    }
}

#[test]
fn urls_are_resolved_as_the_whatwg_parser_does() {
    let seg = |url: &str| whatwg_segments(url).unwrap_or_else(|| panic!("{url}"));
    for (url, segments) in [
        ("https://h", vec![""]),
        ("https://h/", vec![""]),
        ("https://h/a/.%2e/x", vec!["x"]),
        ("https://h/a/b/%2e%2E", vec!["a", ""]),
        ("https://h/a/b/.", vec!["a", "b", ""]),
        ("https://h/a/%2e/b", vec!["a", "b"]),
        ("https://h/a\\b", vec!["a", "b"]),
        ("https://h/a/\t.\n./x", vec!["x"]),
        ("https://h/../../x", vec!["x"]),
        ("https://h/a/..%2fx?q=/../#/..", vec!["a", "..%2fx"]),
        ("https://h/a/%252e%252e/x", vec!["a", "%252e%252e", "x"]),
        ("https://h/a/...", vec!["a", "..."]),
    ] {
        assert_eq!(seg(url), segments, "{url}");
    }
    assert_eq!(whatwg_segments("api.example/x"), None);
}

#[test]
fn the_built_url_must_stay_under_the_base() {
    let base = "https://api.dropboxapi.com/2";
    for url in [
        "https://api.dropboxapi.com/2/files",
        "https://api.dropboxapi.com/2/",
        "https://API.dropboxapi.com/2/files/../x",
    ] {
        assert!(stays_under(base, url), "{url}");
    }
    for url in [
        "https://api.dropboxapi.com/2/.%2e/x",
        "https://api.dropboxapi.com/2/%2e%2e",
        "https://api.dropboxapi.com/2/a/../../x",
        "https://api.dropboxapi.com/2\\..\\x",
        "https://api.dropboxapi.com/2x/files",
        "https://api.dropboxapi.com/x/2/files",
        "https://api.dropboxapi.com/2",
        "https://api.dropboxapi.com.evil/2/files",
        "https://evil.com/2/files",
        "http://api.dropboxapi.com/2/files",
        "api.dropboxapi.com/2/files",
    ] {
        assert!(!stays_under(base, url), "{url}");
    }
    assert!(stays_under(
        "https://api.github.com",
        "https://api.github.com/user"
    ));
    assert!(stays_under(
        "https://api.github.com/",
        "https://api.github.com/"
    ));
    // At the root, `..` stays at the root.
    assert!(stays_under(
        "https://api.github.com",
        "https://api.github.com/%2e%2e"
    ));
    assert!(!stays_under(
        "https://api.github.com",
        "https://api.github.com@evil.com/"
    ));
}

#[test]
fn header_names_and_values_that_cannot_be_sent_are_refused() {
    for headers in [
        json!({ "accept": "€" }),
        json!({ "accept": "caf\u{e9}" }),
        json!({ "accept": "a\u{0}b" }),
        json!({ "accept": "a\tb" }),
        json!({ "accept": "a\nb" }),
        json!({ "accept": "\u{7f}" }),
        json!({ "x-api-version": "2022 11:28 \u{1}" }),
        json!({ "x y-version": "1" }),
        json!({ "x:y-version": "1" }),
        json!({ "x-\u{fc}-version": "1" }),
        json!({ "\u{0}-version": "1" }),
        json!({ "x\r\nhost: evil-version": "1" }),
        json!({ "": "1" }),
    ] {
        let json =
            serde_json::to_string(&json!({ "path": "/x", "headers": headers })).unwrap_or_default();
        let e = build("github", &json).err();
        assert_eq!(
            e.map(|e| e.code()),
            Some(ErrorCode::InvalidInput),
            "{headers}"
        );
    }
    // Names that are tokens but not forwarded keep their own code.
    let e = build("github", r#"{"path":"/x","headers":{"x-api":"1"}}"#).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::ProxyNotAllowed));
    let r = build(
            "github",
            r#"{"path":"/x","headers":{"Accept":"text/html, */*; q=0.8","X-GitHub-Api-Version":"2022-11-28","If-None-Match":"W/\"abc\""}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.header("if-none-match"), Some("W/\"abc\""));
}

#[test]
fn a_stored_token_that_cannot_be_sent_is_a_provider_error() {
    for token in [
        "SENTINEL€",
        "SENTINEL\u{0}",
        "SENTINEL\r\nx-injected: 1",
        "SENTINEL\u{e9}",
    ] {
        let e = upstream_request(
            &provider("github"),
            &BTreeMap::new(),
            token,
            &call(r#"{"path":"/user"}"#),
        )
        .err();
        assert_eq!(
            e.as_ref().map(Error::code),
            Some(ErrorCode::ProviderError),
            "{token:?}"
        );
        assert!(!e.is_some_and(|e| e.to_string().contains("SENTINEL")));
    }
}

#[test]
fn templated_and_per_connection_hosts() {
    let sf = provider("salesforce");
    let mut config = BTreeMap::new();
    assert!(api_bases(&sf, &config).is_empty());
    config.insert(
        "instance_url".into(),
        "https://acme.my.salesforce.com".into(),
    );
    assert_eq!(api_bases(&sf, &config), ["https://acme.my.salesforce.com"]);
    config.insert("instance_url".into(), "http://evil.com".into());
    assert!(api_bases(&sf, &config).is_empty());
}

fn response(ct: &str, body: &[u8], status: u16) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            ("Content-Type".into(), ct.into()),
            ("set-cookie".into(), "s=1".into()),
        ],
        body: body.to_vec(),
    }
}

#[test]
fn answers_carry_json_text_or_base64() {
    let a = answer(Ok(response("application/json", br#"{"ok":true}"#, 200)));
    assert_eq!(a["success"], true);
    assert_eq!(a["phase"], "responded");
    assert_eq!(a["status_code"], 200);
    assert_eq!(a["data"]["ok"], true);
    assert_eq!(a["credits_charged"], 0);
    assert!(a["headers"].get("set-cookie").is_none());
    let a = answer(Ok(response("text/plain", b"hi", 404)));
    assert_eq!(
        (a["success"].clone(), a["data"].clone()),
        (json!(false), json!("hi"))
    );
    let a = answer(Ok(response("image/png", &[0, 255, 1], 200)));
    assert_eq!(a["data"], Value::Null);
    assert_eq!(a["data_base64"], "AP8B");
    for (failure, phase) in [
        (FetchFailure::BeforeSend, "not_sent"),
        (FetchFailure::TimedOut, "timed_out"),
        (FetchFailure::AfterSend, "sent_unconfirmed"),
    ] {
        let a = answer(Err(failure));
        assert_eq!(
            (a["phase"].as_str(), a["success"].as_bool()),
            (Some(phase), Some(false))
        );
    }
}
