//! Where a browser may be sent back after connecting: an absolute http(s)
//! URL whose origin is exactly one of the allowed origins. Anything a
//! browser could read differently from us (a backslash, white space,
//! user info, a scheme-relative `//host`, `javascript:`) is refused rather
//! than normalised, so the check cannot be bypassed by parser differences.

use crate::error::{Error, ErrorCode, Result};

/// The longest return URL accepted.
pub const MAX_RETURN_URL_LEN: usize = 2048;

fn refused() -> Error {
    Error::new(
        ErrorCode::ReturnUrlNotAllowed,
        "The return URL is not allowed: it must be an absolute http(s) URL on an origin listed in allowedReturnUrls",
    )
}

/// `scheme://host[:port]`, lower-cased, of an absolute http(s) URL with a
/// plain host (letters, digits, `.`, `-`, or `[::1]`), or `None`.
pub fn origin_of(url: &str) -> Option<String> {
    if url.len() > MAX_RETURN_URL_LEN
        || url
            .bytes()
            .any(|b| b <= 0x20 || b >= 0x7f || matches!(b, b'\\' | b'@' | b'"' | b'<' | b'>'))
    {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = if let Some(r) = lower.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = lower.strip_prefix("http://") {
        ("http", r)
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix("[::1]") {
        Some(port) => ("[::1]", port),
        None => match authority.find(':') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        },
    };
    let host_ok = host == "[::1]"
        || (!host.is_empty()
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')));
    let port_ok = port.is_empty()
        || (port.len() > 1 && port.len() <= 6 && port[1..].bytes().all(|b| b.is_ascii_digit()));
    // The default port is the same origin (WHATWG drops it).
    let port = match (scheme, port) {
        ("https", ":443") | ("http", ":80") => "",
        _ => port,
    };
    (host_ok && port_ok).then(|| format!("{scheme}://{host}{port}"))
}

/// Checks the configured allowlist: each entry must be an origin
/// (`https://app.example`, `http://127.0.0.1:5173`), with no path.
pub fn check_allowed(entries: &[String]) -> Result<Vec<String>> {
    entries
        .iter()
        .map(|entry| {
            let trimmed = entry.trim_end_matches('/');
            match origin_of(trimmed) {
                Some(origin) if origin.len() == trimmed.len() => Ok(origin),
                _ => Err(Error::new(
                    ErrorCode::ConfigInvalid,
                    "allowedReturnUrls holds origins such as \"https://app.example\" (scheme, host and port; no path)",
                )),
            }
        })
        .collect()
}

/// The return URL if its origin is allowed; `RETURN_URL_NOT_ALLOWED` otherwise.
pub fn check(url: &str, allowed: &[String]) -> Result<String> {
    match origin_of(url) {
        Some(origin) if allowed.contains(&origin) => Ok(url.to_owned()),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests;
