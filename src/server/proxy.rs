//! `callApi`: a call to the provider's API with the connection's token,
//! attached here so it never reaches the caller. Pure: [`upstream_request`]
//! builds the request (only to the provider's declared API hosts, only
//! allowed headers), [`answer`] shapes what came back as the wire says.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::Provider;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{FetchFailure, HttpRequest, HttpResponse, header_value_problem, is_header_name};
use crate::oauth::authorize::resolve_endpoint;
use crate::text::printable;
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
        (
            Value::Null,
            Value::String(crate::b64::standard(&response.body)),
        )
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
mod tests;
