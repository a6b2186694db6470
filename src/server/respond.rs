//! The server's answers: JSON and the wire's error shape, the callback's
//! page and redirect, CORS. Every answer carries `cache-control: no-store`.

use serde_json::{Value, json};

use crate::error::{Error, ErrorCode};
use crate::http::HttpResponse;

/// The browser-facing code of a failed connection: coarse, so that a page
/// learns nothing about the provider's answer or the state.
pub fn coarse_code(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        StateMalformed
        | StateTampered
        | StateExpired
        | StateConnectorMismatch
        | StateReplayed
        | StateBrowserMismatch
        | InvalidCallback
        | IssuerMismatch
        | IssuerMissing => "invalid_state",
        AuthorizationDenied => "access_denied",
        UnknownConnector => "unknown_connector",
        NetworkError | RetryableExhausted | TimeoutAmbiguous | StoreUnavailable
        | RefreshInProgress | RngUnavailable => "try_again",
        _ => "provider_error",
    }
}

fn header_pairs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = vec![("cache-control".to_owned(), "no-store".to_owned())];
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    headers
}

/// A JSON answer.
pub fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: header_pairs(&[("content-type", "application/json")]),
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}

/// The wire's error answer.
pub fn error_response(e: &Error) -> HttpResponse {
    error_answer(e.code().http_status(), e.code().as_str(), &e.to_string())
}

/// The wire's error shape, for any status and code (the package's JS
/// answers `INTERNAL` and `BODY_TOO_LARGE` with it, without the server).
pub fn error_answer(status: u16, code: &str, message: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: header_pairs(&[
            ("content-type", "application/json"),
            ("x-base44-connector-error", code),
        ]),
        body: serde_json::to_vec(&json!({ "error": { "code": code, "message": message } }))
            .unwrap_or_default(),
    }
}

pub(super) fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// A callback answer's headers: `header_pairs` plus no referrer, no sniffing.
pub(super) fn callback_headers(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = header_pairs(extra);
    headers.extend(
        [
            ("referrer-policy", "no-referrer"),
            ("x-content-type-options", "nosniff"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    headers
}

/// The page a callback shows when it has nowhere to send the browser.
pub(super) fn callback_page(
    connector: &str,
    outcome: std::result::Result<(), ErrorCode>,
) -> HttpResponse {
    let name = html_escape(connector);
    let (status, title, text) = match outcome {
        Ok(()) => (
            200,
            "Connected",
            format!("{name} is connected. You can close this window."),
        ),
        Err(code) => (
            if code == ErrorCode::UnknownConnector {
                404
            } else {
                400
            },
            "Could not connect",
            format!(
                "{name} could not be connected ({}). Close this window and try again.",
                coarse_code(code)
            ),
        ),
    };
    let body = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>{title}</title><h1>{title}</h1><p>{text}</p>\n"
    );
    let headers = callback_headers(&[
        ("content-type", "text/html; charset=utf-8"),
        ("content-security-policy", "default-src 'none'"),
    ]);
    HttpResponse {
        status,
        headers,
        body: body.into_bytes(),
    }
}

/// A 303 to the return URL with only the outcome added to its query.
pub(super) fn callback_redirect(
    return_url: &str,
    connector: &str,
    outcome: std::result::Result<(), ErrorCode>,
) -> HttpResponse {
    let (base, fragment) = match return_url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (return_url, None),
    };
    let (path, own_query) = base.split_once('?').unwrap_or((base, ""));
    let mut query = form_urlencoded::Serializer::new(String::new());
    // The app's own parameters stay, but none that could pass for the
    // provider's (code, state, iss) or for the outcome.
    for (key, value) in form_urlencoded::parse(own_query.as_bytes()) {
        if !matches!(
            key.as_ref(),
            "code" | "state" | "iss" | "connector" | "status" | "connect_error"
        ) {
            query.append_pair(&key, &value);
        }
    }
    match outcome {
        Ok(()) => query
            .append_pair("connector", connector)
            .append_pair("status", "connected"),
        Err(code) => query.append_pair("connect_error", coarse_code(code)),
    };
    let mut location = format!("{path}?{}", query.finish());
    if let Some(f) = fragment {
        location.push('#');
        location.push_str(f);
    }
    let headers = callback_headers(&[("location", &location)]);
    HttpResponse {
        status: 303,
        headers,
        body: Vec::new(),
    }
}

/// The request headers `@base44/sdk` sends from a browser.
const CORS_HEADERS: &str =
    "authorization, content-type, on-behalf-of, x-app-id, x-origin-url, base44-state, x-data-env";

/// The answer to a CORS preflight (`OPTIONS` on a route).
pub(super) fn preflight() -> HttpResponse {
    HttpResponse {
        status: 204,
        headers: header_pairs(&[
            ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
            ("access-control-allow-headers", CORS_HEADERS),
            ("access-control-max-age", "600"),
        ]),
        body: Vec::new(),
    }
}

/// A frontend on an allowed origin may call the server from the browser.
pub(super) fn allow_origin(response: &mut HttpResponse, origin: Option<&str>, allowed: &[String]) {
    if let Some(origin) = origin
        && allowed.iter().any(|o| o.eq_ignore_ascii_case(origin))
    {
        response.headers.extend([
            ("access-control-allow-origin".to_owned(), origin.to_owned()),
            (
                "access-control-expose-headers".to_owned(),
                "x-base44-connector-error".to_owned(),
            ),
            ("vary".to_owned(), "origin".to_owned()),
        ]);
    }
}
