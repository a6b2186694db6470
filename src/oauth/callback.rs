//! The callback query: parsed strictly (a duplicate parameter, both `code`
//! and `error`, or an implicit-flow `token` is `INVALID_CALLBACK`), then
//! checked in the order that keeps forged answers harmless: the caller opens
//! the state first (`state::open`), then [`check_issuer`], then burns the
//! state (`state::consume`), and only then reads [`CallbackParams::outcome`]:
//! an `error=` becomes a coded error, a `code` goes to the token endpoint.

use std::collections::BTreeMap;

use crate::catalog::{Provider, printable};
use crate::error::{Error, ErrorCode, Result};

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
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn parse(q: &str) -> Result<CallbackParams> {
        parse_query(q)
    }

    fn code_of<T: std::fmt::Debug>(r: Result<T>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn a_code_callback_parses_with_extra_parameters() {
        let p = parse("?code=abc&state=S&realmId=123").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.state, "S");
        assert_eq!(
            p.outcome().map(|c| c.secret().to_owned()).ok().as_deref(),
            Some("abc")
        );
        assert_eq!(p.extra.get("realmId").map(String::as_str), Some("123"));
    }

    #[test]
    fn ambiguous_callbacks_are_rejected() {
        for q in [
            "code=a&code=b&state=S",
            "state=a&state=a&code=x",
            "code=x&error=y&state=S",
            "code=x&token=y&state=S",
            "access_token=x&state=S",
            "code=x",
            "code=x&state=",
            "state=S",
            "code=&state=S",
        ] {
            assert_eq!(code_of(parse(q)), Some(ErrorCode::InvalidCallback), "{q}");
        }
        assert_eq!(
            code_of(parse(&"a".repeat(MAX_QUERY_LEN + 1))),
            Some(ErrorCode::InvalidCallback)
        );
    }

    #[test]
    fn provider_errors_map_to_codes_after_the_state_check() {
        let p = parse("error=access_denied&state=S&error_description=User+said+no")
            .unwrap_or_else(|e| panic!("{e}"));
        let e = p.outcome().err().unwrap_or_else(|| panic!("an error"));
        assert_eq!(e.code(), ErrorCode::AuthorizationDenied);
        assert_eq!(e.message(), "The provider answered access_denied");
        let p = parse("error=server_error&state=S").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code_of(p.outcome()), Some(ErrorCode::ProviderError));
        // Any error RFC 6749 does not define is `other`: it may be a token.
        for error in ["made_up", "SENTINEL_CS", "SENTINEL_CODE_0123456789abcdef"] {
            let p = parse(&format!("error={error}&state=S")).unwrap_or_else(|e| panic!("{e}"));
            let e = p.outcome().err().unwrap_or_else(|| panic!("an error"));
            assert_eq!(e.code(), ErrorCode::ProviderError);
            assert_eq!(e.message(), "The provider answered other", "{error}");
        }
    }

    #[test]
    fn error_descriptions_never_reach_the_message() {
        // A provider may echo a secret there, in the RFC 6749 charset.
        for d in [
            "User+said+no",
            "client_secret%3DSENTINEL_CS",
            "%3Cscript%3E%22x%22",
            &"a".repeat(300),
            "tab%09x",
            "back%5Cslash",
        ] {
            let p = parse(&format!(
                "error=access_denied&state=S&error_description={d}"
            ))
            .unwrap_or_else(|e| panic!("{e}"));
            let message = p
                .outcome()
                .err()
                .map(|e| e.message().to_owned())
                .unwrap_or_default();
            assert_eq!(message, "The provider answered access_denied", "{d}");
        }
    }

    fn provider_with_issuer(issuer: Option<&str>) -> Provider {
        let mut p = Catalog::builtin()
            .ok()
            .and_then(|c| c.get("github"))
            .cloned()
            .unwrap_or_else(|| panic!("github"));
        p.issuer = issuer.map(str::to_owned);
        p
    }

    #[test]
    fn issuer_is_compared_exactly_when_present() {
        let op = provider_with_issuer(Some("https://op.example.com"));
        let ok = parse("code=x&state=S&iss=https%3A%2F%2Fop.example.com")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(check_issuer(&op, ok.iss.as_deref()).is_ok());
        let foo = parse("code=x&state=S&iss=foo").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            code_of(check_issuer(&op, foo.iss.as_deref())),
            Some(ErrorCode::IssuerMismatch)
        );
        let slash = parse("code=x&state=S&iss=https%3A%2F%2Fop.example.com%2F")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            code_of(check_issuer(&op, slash.iss.as_deref())),
            Some(ErrorCode::IssuerMismatch)
        );
        let missing = parse("code=x&state=S").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            code_of(check_issuer(&op, missing.iss.as_deref())),
            Some(ErrorCode::IssuerMissing)
        );
        // An error callback from the wrong issuer is a mismatch, not a denial.
        let denied = parse("error=access_denied&state=S&iss=foo").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            code_of(check_issuer(&op, denied.iss.as_deref())),
            Some(ErrorCode::IssuerMismatch)
        );
        // Providers without a configured issuer are not checked.
        assert!(check_issuer(&provider_with_issuer(None), foo.iss.as_deref()).is_ok());
    }
}

#[cfg(test)]
mod issuer_tests;
