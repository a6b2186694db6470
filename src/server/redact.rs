//! What a provider's API answers to `callApi` goes back to the caller, but
//! never with the connection's secrets in it: an API may echo the token it
//! was called with (in an error, an introspection, a `WWW-Authenticate`).
//! Each secret is replaced in the body and the header values, as it is and
//! in the forms an answer may carry it (JSON-escaped, percent-encoded).

use crate::http::HttpResponse;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter secrets are not looked for: replacing a few common bytes would
/// garble the answer and protect nothing (real tokens are far longer).
pub const MIN_SECRET_LEN: usize = 8;

/// The forms of a secret to look for: as it is, JSON-escaped (`\/`), and
/// percent-encoded (form or URL).
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    let escaped = secret.replace('/', "\\/");
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for form in [escaped, encoded.clone(), encoded.replace('+', "%20")] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

fn replace_all(haystack: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let first = haystack.windows(needle.len()).position(|w| w == needle)?;
    let mut out = Vec::with_capacity(haystack.len());
    out.extend_from_slice(&haystack[..first]);
    let mut rest = &haystack[first..];
    while !rest.is_empty() {
        if rest.starts_with(needle) {
            out.extend_from_slice(REDACTED.as_bytes());
            rest = &rest[needle.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    Some(out)
}

/// `response` with every secret (of at least [`MIN_SECRET_LEN`] bytes)
/// replaced by [`REDACTED`] in its body and header values.
pub fn redact(mut response: HttpResponse, secrets: &[&str]) -> HttpResponse {
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN) {
        for form in forms(secret) {
            if let Some(body) = replace_all(&response.body, form.as_bytes()) {
                response.body = body;
            }
            for (_, value) in &mut response.headers {
                if value.contains(form.as_str()) {
                    *value = value.replace(form.as_str(), REDACTED);
                }
            }
        }
    }
    response
}

#[cfg(test)]
mod tests;
