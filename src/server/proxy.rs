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
use crate::http::{FetchFailure, HttpRequest, HttpResponse, url_problem};
use crate::oauth::authorize::resolve_endpoint;

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

fn check_path(path: &str) -> Result<()> {
    let bad = !path.starts_with('/')
        || path.starts_with("//")
        || path
            .bytes()
            .any(|b| b <= 0x20 || b >= 0x7f || matches!(b, b'\\' | b'?' | b'#'))
        || path
            .split('/')
            .any(|s| s == ".." || s == "." || s.eq_ignore_ascii_case("%2e%2e"))
        || path.to_ascii_lowercase().contains("%2f");
    if bad {
        return Err(not_allowed(
            "path must start with \"/\" and hold no \"..\", \"\\\", \"?\", \"#\" or white space (put the query in query)"
                .to_owned(),
        ));
    }
    Ok(())
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
        let lower = name.to_ascii_lowercase();
        if !(FORWARDED.contains(&lower.as_str()) || lower.ends_with("-version")) {
            return Err(not_allowed(format!(
                "The header \"{}\" is not forwarded (allowed: {}, and names ending in -version)",
                printable(name),
                FORWARDED.join(", ")
            )));
        }
        let value = scalar(value, "header values")?;
        if value.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "A header value holds a line break",
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
