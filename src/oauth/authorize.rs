//! Authorization URLs, from catalog data only (no per-provider code):
//! endpoint templates filled after each value matches its field's pattern,
//! scopes joined with the provider's separator under its parameter name,
//! provider defaults, renamed parameters, PKCE S256.

use std::collections::BTreeMap;

use crate::catalog::{AuthModel, Pkce, Provider, RESERVED_PARAMS, template_names};
use crate::error::{Error, ErrorCode, Result};
use crate::scopes::{check_scopes, checked_scopes};
use crate::text::printable;

use super::pkce;

/// Fills an endpoint template's `{field}` parts from connection config (or
/// the field's default), after each value matches the field's anchored
/// validation pattern: a value can never change the host.
pub fn resolve_endpoint(
    provider: &Provider,
    template: &str,
    config: &BTreeMap<String, String>,
) -> Result<String> {
    let names = template_names(template).map_err(|m| Error::new(ErrorCode::ProviderInvalid, m))?;
    let mut url = template.to_owned();
    for name in names {
        let field = provider.config_field(name).ok_or_else(|| {
            Error::new(
                ErrorCode::ProviderInvalid,
                format!("No connection config field \"{name}\""),
            )
        })?;
        let value = config.get(name).or(field.default.as_ref()).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "Connection config \"{name}\" ({}) is required for {}",
                    field.display_name, provider.id
                ),
            )
        })?;
        let pattern = field.validation_pattern.as_deref().unwrap_or("^$");
        let re = crate::ports::Pattern::new(pattern).map_err(|_| {
            Error::new(
                ErrorCode::ProviderInvalid,
                format!("Invalid pattern for \"{name}\""),
            )
        })?;
        if !re.is_match(value) {
            let why = field
                .validation_error
                .as_deref()
                .unwrap_or("it does not match the expected format");
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "Connection config \"{name}\" = \"{}\" is not valid: {why}",
                    printable(value)
                ),
            ));
        }
        url = url.replace(&format!("{{{name}}}"), value);
    }
    Ok(url)
}

/// The scopes to request: the provider's `always` scopes, then the caller's,
/// each checked (RFC 6749 §3.3) and kept once.
pub fn request_scopes(provider: &Provider, requested: &[String]) -> Result<Vec<String>> {
    check_scopes(provider.scope.always.iter().chain(requested))
}

/// The bytes form encoding keeps as they are: `*-._`, digits and letters.
const FORM_KEPT: [bool; 256] = {
    let mut kept = [false; 256];
    let mut b = 0;
    while b < 256 {
        kept[b] =
            matches!(b as u8, b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z');
        b += 1;
    }
    kept
};

/// Appends `text` form-urlencoded, byte for byte as
/// `form_urlencoded::byte_serialize` does (`*-._`, digits and letters
/// kept, space as `+`, the rest `%XX`), copying runs of kept bytes at
/// once: an authorization URL is mostly such runs. A plain loop over a
/// table, as the size-tuned build inlines no iterator adapters.
fn append_encoded(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !FORM_KEPT[usize::from(b)] {
            out.extend_from_slice(&bytes[run..i]);
            if b == b' ' {
                out.push(b'+');
            } else {
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
            run = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

/// A URL's query under construction: `key=value` pairs joined by `&`.
/// Bytes, as all of it is ASCII or copied from a `&str`.
struct Query {
    url: Vec<u8>,
    first: bool,
}

impl Query {
    fn key(&mut self, key: &str) {
        if !self.first {
            self.url.push(b'&');
        }
        self.first = false;
        append_encoded(&mut self.url, key);
        self.url.push(b'=');
    }

    fn pair(&mut self, key: &str, value: &str) {
        self.key(key);
        append_encoded(&mut self.url, value);
    }

    fn finish(self) -> String {
        // UTF-8 by construction: whole `&str`s and ASCII.
        String::from_utf8(self.url)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// What an authorization URL is built from.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizationRequest<'a> {
    pub provider: &'a Provider,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
    /// The sealed state (or the caller's own, for the low-level client).
    pub state: &'a str,
    /// The PKCE verifier; its S256 challenge is sent when the provider takes PKCE.
    pub code_verifier: Option<&'a str>,
    pub connection_config: &'a BTreeMap<String, String>,
    /// Extra parameters (`login_hint`, `prompt`, ...). They may replace the
    /// provider's defaults, never an engine-owned parameter or the scope.
    pub extra_params: &'a [(String, String)],
}

/// Builds the URL to send the user to.
pub fn authorization_url(req: &AuthorizationRequest<'_>) -> Result<String> {
    authorization_url_after(req, None)
}

/// `endpoint?response_type=code&client_id=…&redirect_uri=…`: how every
/// authorization URL of one client starts, for a caller that keeps it
/// (see [`authorization_url_after`]). Errors as [`authorization_url`] would
/// for a bad endpoint (not OAuth, a connection config value not matching).
pub fn authorization_url_start(req: &AuthorizationRequest<'_>) -> Result<String> {
    Ok(url_start(req, endpoint_template(req.provider)?)?.finish())
}

/// The provider's authorization endpoint template.
fn endpoint_template(p: &Provider) -> Result<&str> {
    match (p.auth_model, p.authorization_url.as_deref()) {
        (AuthModel::Oauth, Some(t)) => Ok(t),
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is not connected with OAuth, so it has no authorization URL",
                p.id
            ),
        )),
    }
}

/// See [`authorization_url_start`].
fn url_start(req: &AuthorizationRequest<'_>, template: &str) -> Result<Query> {
    let endpoint = resolve_endpoint(req.provider, template, req.connection_config)?;
    let mut query = Query {
        url: Vec::with_capacity(endpoint.len() + 384),
        first: true,
    };
    query.url.extend_from_slice(endpoint.as_bytes());
    query
        .url
        .push(if endpoint.contains('?') { b'&' } else { b'?' });
    query.pair(param_name(req.provider, "response_type"), "code");
    query.pair(param_name(req.provider, "client_id"), req.client_id);
    query.pair(param_name(req.provider, "redirect_uri"), req.redirect_uri);
    Ok(query)
}

/// A standard parameter's name at this provider (TikTok's `client_key`).
fn param_name<'a>(p: &'a Provider, standard: &'static str) -> &'a str {
    p.authorization_param_names
        .get(standard)
        .map_or(standard, String::as_str)
}

/// [`authorization_url`], from `start` when given: what
/// [`authorization_url_start`] returned for a request with the same
/// provider, client id, redirect URI and connection config. The same URL
/// and the same errors, without building that part again.
pub fn authorization_url_after(
    req: &AuthorizationRequest<'_>,
    start: Option<&str>,
) -> Result<String> {
    let p = req.provider;
    let template = endpoint_template(p)?;
    for (key, _) in req.extra_params {
        if RESERVED_PARAMS.contains(&key.as_str()) || Some(key.as_str()) == p.scope.param.as_deref()
        {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("The parameter \"{}\" cannot be set", printable(key)),
            ));
        }
    }
    if req.client_id.is_empty() {
        return Err(Error::new(ErrorCode::InvalidInput, "clientId is required"));
    }
    if req.state.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "A state is required (generateState() makes one)",
        ));
    }
    if p.pkce == Pkce::Required && req.code_verifier.is_none() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "{} requires PKCE: pass a codeVerifier (generateCodeVerifier() makes one)",
                p.id
            ),
        ));
    }
    let mut query = match start {
        Some(start) => {
            let mut url = Vec::with_capacity(start.len() + 384);
            url.extend_from_slice(start.as_bytes());
            Query { url, first: false }
        }
        None => url_start(req, template)?,
    };
    if let Some(param) = p.scope.param.as_deref() {
        let always = p.scope.always.iter().map(String::as_str);
        let scopes = checked_scopes(always.chain(req.scopes.iter().map(String::as_str)))?;
        if !scopes.is_empty() {
            // The scopes joined by the separator, encoded piece by piece
            // (form encoding is byte by byte, so this is the same text).
            query.key(param);
            for (i, scope) in scopes.iter().enumerate() {
                if i > 0 {
                    append_encoded(&mut query.url, &p.scope.separator);
                }
                append_encoded(&mut query.url, scope);
            }
        }
    }
    query.pair(param_name(p, "state"), req.state);
    if let Some(verifier) = req.code_verifier
        && p.pkce != Pkce::Unsupported
    {
        pkce::check_verifier(verifier)?;
        query.pair(
            param_name(p, "code_challenge"),
            &pkce::challenge_s256(verifier),
        );
        query.pair(param_name(p, "code_challenge_method"), pkce::METHOD);
    }
    for (key, value) in &p.authorization_params {
        if !req.extra_params.iter().any(|(k, _)| k == key) {
            query.pair(key, value);
        }
    }
    for (key, value) in req.extra_params {
        query.pair(key, value);
    }
    Ok(query.finish())
}

#[cfg(test)]
mod tests;
