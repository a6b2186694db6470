//! `callApi`: a call to the provider's API with the connection's token,
//! attached here so it never reaches the caller. Pure: [`upstream_request`]
//! builds the request (only to the provider's declared API hosts, only
//! allowed headers), [`answer`] shapes what came back as the wire says.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::{Provider, printable};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{FetchFailure, HttpRequest, HttpResponse, header_value_problem, is_header_name};
use crate::oauth::authorize::resolve_endpoint;
use crate::urls::url_problem;

/// The body of `POST connectors/{type}/call`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    pub path: String,
    #[serde(default)]
    pub query: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub headers: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    pub body: Value,
}

/// Headers a caller may send on; plus any name ending in `-version`
/// (`Notion-Version`, `X-GitHub-Api-Version`, ...).
const FORWARDED: [&str; 8] = [
    "accept",
    "accept-language",
    "content-type",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "prefer",
    "range",
];

fn not_allowed(message: String) -> Error {
    Error::new(ErrorCode::ProxyNotAllowed, message)
}

fn method_of(method: Option<&str>) -> Result<&'static str> {
    Ok(match method.unwrap_or("GET") {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        other => {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "method must be GET, POST, PUT, PATCH, DELETE or HEAD, not \"{}\"",
                    printable(other)
                ),
            ));
        }
    })
}

/// The provider's API base URLs for this connection: the catalog's
/// `api_base_urls` with `{field}` parts filled from the connection config,
/// or, for a provider that names its API host per connection (Salesforce),
/// the connection's `instance_url`.
pub fn api_bases(provider: &Provider, config: &BTreeMap<String, String>) -> Vec<String> {
    let mut bases: Vec<String> = provider
        .api_base_urls
        .iter()
        .filter_map(|template| resolve_endpoint(provider, template, config).ok())
        .collect();
    if provider.api_base_urls.is_empty()
        && let Some(url) = config.get("instance_url")
        && url_problem(url).is_none()
    {
        bases.push(url.clone());
    }
    bases
}

/// The host (and port) of an absolute URL.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// How many layers of percent-encoding a path segment may have: each is
/// decoded to see whether a dot segment or a slash hides under it.
const DECODE_ROUNDS: usize = 8;

/// A segment percent-decoded until nothing changes; `None` when it still
/// changes after [`DECODE_ROUNDS`] rounds.
fn fully_decoded(segment: &str) -> Option<Vec<u8>> {
    let mut bytes = segment.as_bytes().to_vec();
    for _ in 0..DECODE_ROUNDS {
        let next: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        if next == bytes {
            return Some(bytes);
        }
        bytes = next;
    }
    None
}

/// Whether a decoded segment is one an API server (or a proxy in front of
/// it) may read as `.` or `..`: only dots, once what follows a `;` (path
/// parameters, Tomcat's `..;`) and white space around are set aside.
fn is_dot_segment(decoded: &[u8]) -> bool {
    let head = decoded.split(|b| *b == b';').next().unwrap_or_default();
    let head = head.trim_ascii();
    !head.is_empty() && head.iter().all(|b| *b == b'.')
}

/// What is wrong with a `callApi` path, if anything. It must start with one
/// `/`, hold printable ASCII only (no space, tab or line break, which the
/// URL parser of `fetch` strips), no `\`, `?` or `#`, and `%` only in
/// `%XX` escapes (IIS reads `%u002e` as a dot). No segment may
/// decode, through any number of layers of percent-encoding up to
/// [`DECODE_ROUNDS`], to a dot segment (`.`, `..`, `.%2e`, `%2e.`,
/// `%252e%252e`, `..;x`), a slash or backslash (`%2f`, `%5c`, `%252f`) or
/// a control character (`%00`, `%0a`).
fn path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Some("must start with one \"/\"");
    }
    if path.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        return Some("must hold printable ASCII only, without white space");
    }
    if path.bytes().any(|b| matches!(b, b'\\' | b'?' | b'#')) {
        return Some("must hold no \"\\\", \"?\" or \"#\" (put the query in query)");
    }
    let bytes = path.as_bytes();
    if bytes.iter().enumerate().any(|(i, b)| {
        *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    }) {
        return Some("must write \"%\" as %25 (\"%\" starts a %XX escape)");
    }
    for segment in path.split('/') {
        let Some(decoded) = fully_decoded(segment) else {
            return Some("is percent-encoded too many times over");
        };
        if is_dot_segment(&decoded) {
            return Some("must hold no \".\" or \"..\" segment, in any encoding");
        }
        if decoded.iter().any(|b| matches!(b, b'/' | b'\\')) {
            return Some("must hold no encoded \"/\" or \"\\\"");
        }
        if decoded.iter().any(|b| *b < 0x20 || *b == 0x7f) {
            return Some("must hold no encoded control character");
        }
    }
    None
}

fn check_path(path: &str) -> Result<()> {
    match path_problem(path) {
        Some(problem) => Err(not_allowed(format!("The path {problem}"))),
        None => Ok(()),
    }
}

/// The path segments of an http(s) URL as the WHATWG URL parser (the one
/// `fetch` uses) resolves them: tabs and line breaks removed, `\` read as
/// `/`, and `.` / `..` segments (also `%2e`, `.%2e`, `%2e.`, `%2e%2e`, in
/// any case) applied. `None` without `://`.
fn whatwg_segments(url: &str) -> Option<Vec<String>> {
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (_, rest) = url.split_once("://")?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    // An http(s) URL without a path has the path `/`.
    let path = rest.find(['/', '\\']).map_or("/", |i| &rest[i..]);
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split(['/', '\\']).skip(1).peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let lower = part.to_ascii_lowercase();
        match lower.as_str() {
            ".." | ".%2e" | "%2e." | "%2e%2e" => {
                segments.pop();
                if last {
                    segments.push(String::new());
                }
            }
            "." | "%2e" => {
                if last {
                    segments.push(String::new());
                }
            }
            _ => segments.push(part.to_owned()),
        }
    }
    Some(segments)
}

/// Whether `url`, read as `fetch` reads it, is on the host of `base` and
/// under its path.
fn stays_under(base: &str, url: &str) -> bool {
    let authority = |u: &str| {
        u.split_once("://")
            .map(|(scheme, rest)| {
                let host = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
                format!("{scheme}://{host}").to_ascii_lowercase()
            })
            .unwrap_or_default()
    };
    let (Some(mut prefix), Some(segments)) = (whatwg_segments(base), whatwg_segments(url)) else {
        return false;
    };
    if prefix.last().is_some_and(String::is_empty) {
        prefix.pop();
    }
    !authority(base).is_empty()
        && authority(base) == authority(url)
        && segments.len() > prefix.len()
        && segments.starts_with(&prefix)
}

/// A query or header value: a string, number or boolean.
fn scalar(value: &Value, what: &str) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            format!("{what} must be a string, number or boolean"),
        )),
    }
}

/// The request to send upstream, with the token attached.
pub fn upstream_request(
    provider: &Provider,
    config: &BTreeMap<String, String>,
    access_token: &str,
    call: &CallRequest,
) -> Result<HttpRequest> {
    let method = method_of(call.method.as_deref())?;
    let bases = api_bases(provider, config);
    let base = match call.host.as_deref() {
        None => bases.first(),
        Some(host) => bases.iter().find(|b| host_of(b).eq_ignore_ascii_case(host)),
    }
    .ok_or_else(|| {
        let hosts: Vec<&str> = bases.iter().map(|b| host_of(b)).collect();
        not_allowed(format!(
            "{} API calls may go to {} only",
            provider.id,
            if hosts.is_empty() {
                "no host (the provider declares no API base URL)".to_owned()
            } else {
                hosts.join(", ")
            }
        ))
    })?;
    check_path(&call.path)?;
    let mut url = format!("{}{}", base.trim_end_matches('/'), call.path);
    // Checked as fetch will read it, whatever the path check above missed.
    if !stays_under(base, &url) {
        return Err(not_allowed(format!(
            "The path leaves the API base URL {}",
            printable(base)
        )));
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in call.query.iter().flatten() {
        match value {
            Value::Array(items) => {
                for item in items {
                    query.append_pair(key, &scalar(item, "query values")?);
                }
            }
            Value::Null => {}
            other => {
                query.append_pair(key, &scalar(other, "query values")?);
            }
        }
    }
    let query = query.finish();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    let mut headers = Vec::new();
    for (name, value) in call.headers.iter().flatten() {
        if !is_header_name(name) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "The header name \"{}\" is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
                    printable(name)
                ),
            ));
        }
        let lower = name.to_ascii_lowercase();
        if !(FORWARDED.contains(&lower.as_str()) || lower.ends_with("-version")) {
            return Err(not_allowed(format!(
                "The header \"{}\" is not forwarded (allowed: {}, and names ending in -version)",
                printable(name),
                FORWARDED.join(", ")
            )));
        }
        let value = scalar(value, "header values")?;
        if let Some(problem) = header_value_problem(&value) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "The value of the header \"{lower}\" {problem}: send printable ASCII (percent-encode anything else)"
                ),
            ));
        }
        headers.push((lower, value));
    }
    let body = match &call.body {
        Value::Null => Vec::new(),
        Value::String(s) => s.as_bytes().to_vec(),
        other => {
            if !headers.iter().any(|(k, _)| k == "content-type") {
                headers.push(("content-type".to_owned(), "application/json".to_owned()));
            }
            serde_json::to_vec(other)
                .map_err(|_| Error::new(ErrorCode::InvalidInput, "body cannot be sent as JSON"))?
        }
    };
    if !body.is_empty() && matches!(method, "GET" | "HEAD") {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!("A {method} request has no body"),
        ));
    }
    // Tokens are checked as they arrive; one stored before that check was
    // made must not reach the header either.
    if header_value_problem(access_token).is_some() {
        return Err(Error::new(
            ErrorCode::ProviderError,
            "The stored access token cannot be sent in an HTTP header: connect again",
        ));
    }
    headers.push(("authorization".to_owned(), format!("Bearer {access_token}")));
    Ok(HttpRequest {
        method,
        url,
        headers,
        body,
    })
}

fn is_text(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.contains("xml")
        || ct.contains("x-www-form-urlencoded")
        || ct.contains("javascript")
}

/// The wire answer of `callApi`: `{ success, phase, status_code, data,
/// data_base64, content_type, headers, credits_charged }`.
pub fn answer(outcome: std::result::Result<HttpResponse, FetchFailure>) -> Value {
    let response = match outcome {
        Ok(response) => response,
        Err(failure) => {
            let phase = match failure {
                FetchFailure::BeforeSend => "not_sent",
                FetchFailure::TimedOut => "timed_out",
                FetchFailure::AfterSend => "sent_unconfirmed",
            };
            return json!({
                "success": false, "phase": phase, "status_code": null, "data": null,
                "data_base64": null, "content_type": null, "headers": null, "credits_charged": 0,
            });
        }
    };
    let content_type = response.header("content-type").map(str::to_owned);
    let ct = content_type.as_deref().unwrap_or_default();
    let (data, data_base64) = if response.body.is_empty() {
        (Value::Null, Value::Null)
    } else if ct.to_ascii_lowercase().contains("json") {
        match serde_json::from_slice::<Value>(&response.body) {
            Ok(v) => (v, Value::Null),
            Err(_) => (
                Value::String(String::from_utf8_lossy(&response.body).into_owned()),
                Value::Null,
            ),
        }
    } else if is_text(ct) {
        (
            Value::String(String::from_utf8_lossy(&response.body).into_owned()),
            Value::Null,
        )
    } else {
        (Value::Null, Value::String(STANDARD.encode(&response.body)))
    };
    let mut headers = serde_json::Map::new();
    for (name, value) in &response.headers {
        let name = name.to_ascii_lowercase();
        if name == "set-cookie" {
            continue;
        }
        headers.insert(name, Value::String(value.clone()));
    }
    json!({
        "success": (200..300).contains(&response.status),
        "phase": "responded",
        "status_code": response.status,
        "data": data,
        "data_base64": data_base64,
        "content_type": content_type,
        "headers": headers,
        "credits_charged": 0,
    })
}

#[cfg(test)]
mod tests {
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
            let json = serde_json::to_string(&json!({ "path": "/x", "headers": headers }))
                .unwrap_or_default();
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
}
