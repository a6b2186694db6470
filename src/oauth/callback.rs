//! The callback query: parsed strictly (a duplicate parameter, both `code`
//! and `error`, or an implicit-flow `token` is `INVALID_CALLBACK`), then
//! checked in the order that keeps forged answers harmless: the caller opens
//! the state first (`state::open`), then [`check_issuer`], then burns the
//! state (`state::consume`), and only then reads [`CallbackParams::outcome`]:
//! an `error=` becomes a coded error, a `code` goes to the token endpoint.

use std::collections::BTreeMap;

use crate::catalog::Provider;
use crate::error::{Error, ErrorCode, Result};
use crate::text::printable;

use super::secret::AuthorizationCode;

/// The longest callback query we read.
pub const MAX_QUERY_LEN: usize = 16 * 1024;

/// A parsed callback query.
#[derive(Debug)]
pub struct CallbackParams {
    pub state: String,
    pub code: Option<AuthorizationCode>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub iss: Option<String>,
    /// Every other parameter (QuickBooks' `realmId`, ...).
    pub extra: BTreeMap<String, String>,
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidCallback, message)
}

/// Parses a callback's query string (with or without the leading `?`).
pub fn parse_query(query: &str) -> Result<CallbackParams> {
    let query = query.strip_prefix('?').unwrap_or(query);
    if query.len() > MAX_QUERY_LEN {
        return Err(invalid("The callback query is too long"));
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if seen
            .insert(key.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(Error::new(
                ErrorCode::InvalidCallback,
                format!("The callback repeats the parameter \"{}\"", printable(&key)),
            ));
        }
    }
    if seen.contains_key("token")
        || seen.contains_key("access_token")
        || seen.contains_key("id_token")
    {
        return Err(invalid(
            "The callback carries a token: only the authorization code flow is accepted",
        ));
    }
    let state = seen
        .remove("state")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("The callback has no state"))?;
    let code = seen.remove("code");
    let error = seen.remove("error");
    match (&code, &error) {
        (Some(_), Some(_)) => return Err(invalid("The callback has both a code and an error")),
        (None, None) => return Err(invalid("The callback has neither a code nor an error")),
        (Some(c), None) if c.is_empty() => return Err(invalid("The callback's code is empty")),
        _ => {}
    }
    Ok(CallbackParams {
        state,
        code: code.map(AuthorizationCode::new),
        error,
        error_description: seen.remove("error_description"),
        iss: seen.remove("iss"),
        extra: seen,
    })
}

/// RFC 9207: when the callback has `iss`, it must equal the provider's issuer
/// exactly; a provider known to send `iss` must send it. Providers without a
/// configured issuer are not checked (most omit `iss`; each connector's own
/// callback path is the mix-up defence there).
pub fn check_issuer(provider: &Provider, iss: Option<&str>) -> Result<()> {
    match (provider.issuer.as_deref(), iss) {
        (Some(expected), Some(got)) if expected == got => Ok(()),
        (Some(_), Some(_)) => Err(Error::new(
            ErrorCode::IssuerMismatch,
            "The callback's issuer is not this connector's provider",
        )),
        (Some(_), None) => Err(Error::new(
            ErrorCode::IssuerMissing,
            "The callback has no issuer (iss)",
        )),
        (None, _) => Ok(()),
    }
}

/// [`check_issuer`] for a caller that may not have the callback's query
/// (the JS `validateAuthorizationCode`, whose `callbackParams` are
/// optional): without the callback's parameters there is no `iss` to
/// check; with them, a missing `iss` is checked as missing.
pub fn check_issuer_of(
    provider: &Provider,
    callback_params: Option<&BTreeMap<String, String>>,
) -> Result<()> {
    match callback_params {
        Some(params) => check_issuer(provider, params.get("iss").map(String::as_str)),
        None => Ok(()),
    }
}

impl CallbackParams {
    /// The authorization code, or the provider's `error=` as a coded error.
    /// Call it only after the state was opened and consumed.
    pub fn outcome(&self) -> Result<&AuthorizationCode> {
        if let Some(code) = &self.code {
            return Ok(code);
        }
        let error = self.error.as_deref().unwrap_or_default();
        let code = match error {
            "access_denied" => ErrorCode::AuthorizationDenied,
            "invalid_scope" => ErrorCode::InvalidScope,
            "unauthorized_client"
            | "unsupported_response_type"
            | "invalid_request"
            | "invalid_client" => ErrorCode::ProviderConfigError,
            _ => ErrorCode::ProviderError,
        };
        // The error's name only (`other` for a code RFC 6749 does not
        // define): a provider may echo anything, a secret included, into
        // `error` and `error_description`.
        let message = format!("The provider answered {}", super::token::error_name(error));
        Err(Error::new(code, message))
    }
}

#[cfg(test)]
mod tests;
