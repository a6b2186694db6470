//! One error type for the whole crate.
//!
//! Every error has a stable [`ErrorCode`] (what programs match on), a message
//! for people, and, for errors found in a file, where: path, line and column.
//! Messages never hold a token, code, state or secret: they are built from
//! names, types and positions only.

use std::fmt;

/// The stable codes. Their string forms (`ErrorCode::as_str`) are part of the
/// public API: they are listed in the README and in the package's `index.d.ts`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A connector file is not valid JSONC (a syntax error).
    ConfigSyntax,
    /// A connector file is larger than [`crate::config::MAX_FILE_BYTES`].
    ConfigTooLarge,
    /// A connector file nests deeper than [`crate::config::MAX_DEPTH`].
    ConfigTooDeep,
    /// An object has the same key twice.
    DuplicateKey,
    /// A connector file has a field we do not know.
    UnknownField,
    /// A connector file is well-formed JSONC but not a valid connector
    /// (missing `type`, wrong value kinds, a malformed type id).
    ConfigInvalid,
    /// Two connector files declare the same type.
    DuplicateConnector,
    /// A type id that is not in the catalog.
    UnknownProvider,
    /// A scope that is not an RFC 6749 §3.3 scope token.
    InvalidScope,
    /// A provider entry (built-in or custom) that fails validation.
    ProviderInvalid,
    /// An argument from the caller has the wrong shape.
    InvalidInput,
    /// The platform's secure random number generator failed (no fallback).
    RngUnavailable,
    /// A `state` value that is not one we could have made (length, encoding).
    StateMalformed,
    /// A `state` whose seal does not verify (altered, or another server's).
    StateTampered,
    /// A `state` older than its 10 minutes.
    StateExpired,
    /// A `state` made for another connector arrived at this one's callback.
    StateConnectorMismatch,
    /// A `state` that was already used once.
    StateReplayed,
    /// A `state` bound to another browser (its binding cookie is missing or
    /// is another's): a consent URL made for one user, opened by someone else.
    StateBrowserMismatch,
    /// A callback query we must not act on (duplicates, both `code` and `error`, no `state`).
    InvalidCallback,
    /// The callback's `iss` is not the provider's issuer (RFC 9207).
    IssuerMismatch,
    /// The provider sends `iss`, and this callback has none.
    IssuerMissing,
    /// The user (or the provider) refused the authorization (`error=` on the callback).
    AuthorizationDenied,
    /// The provider refused the authorization code.
    CodeExchangeFailed,
    /// The refresh token is no longer valid (`invalid_grant`): the user must connect again.
    NeedsReconnect,
    /// The provider rejected our client credentials or configuration (`invalid_client`, ...).
    ProviderConfigError,
    /// The provider answered with an error or an answer we cannot use.
    ProviderError,
    /// The provider kept answering 429/5xx until the retries ran out.
    RetryableExhausted,
    /// A code exchange timed out after it was sent: it is not retried, since
    /// reusing a code can revoke the tokens it issued.
    TimeoutAmbiguous,
    /// A provider's answer was larger than 1 MiB.
    ResponseTooLarge,
    /// The request could not be sent (DNS, connection, TLS).
    NetworkError,
    /// A stored record is not one the vault sealed.
    RecordMalformed,
    /// A stored record failed its integrity check: changed, or moved from another slot.
    RecordTampered,
    /// A stored record was sealed with a secret that is no longer in the key ring.
    VaultKeyUnknown,
    /// There is no connection (never connected, or disconnected).
    NotConnected,
    /// The host store failed (threw, rejected, or answered nonsense); nothing was half-written.
    StoreUnavailable,
    /// Another instance is refreshing this connection and did not finish in time.
    RefreshInProgress,
    /// A request to the connectors server without the credentials it needs
    /// (no `Authorization`, not `Bearer`, an unknown service token).
    Unauthenticated,
    /// A user token (JWT) larger than 8 KiB.
    JwtTooLarge,
    /// A user token signed with an algorithm other than the configured one (`none`, RS256, ...).
    JwtAlgNotAllowed,
    /// A user token past its `exp` (beyond the leeway).
    JwtExpired,
    /// A user token that does not verify: signature, form, `iss`, `aud`, `sub`, `nbf`, `crit`.
    JwtInvalid,
    /// Authenticated, but not allowed to do this (a user where the service role is needed).
    Forbidden,
    /// No such route, app or pending authorization.
    NotFound,
    /// A connector id or integration type the server has no configuration for.
    UnknownConnector,
    /// The route exists, but not for this HTTP method.
    MethodNotAllowed,
    /// The stored grant lacks scopes the connector now asks for: connect again to grant them.
    ScopesMissing,
    /// A return URL whose origin is not in `allowedReturnUrls`, or that is not a plain http(s) URL.
    ReturnUrlNotAllowed,
    /// A proxied API call to a host, path or header the connector does not allow.
    ProxyNotAllowed,
    /// A request body larger than the server reads.
    BodyTooLarge,
}

impl ErrorCode {
    /// Every code, for docs and for tests that check the docs list them all.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::ConfigSyntax,
        ErrorCode::ConfigTooLarge,
        ErrorCode::ConfigTooDeep,
        ErrorCode::DuplicateKey,
        ErrorCode::UnknownField,
        ErrorCode::ConfigInvalid,
        ErrorCode::DuplicateConnector,
        ErrorCode::UnknownProvider,
        ErrorCode::InvalidScope,
        ErrorCode::ProviderInvalid,
        ErrorCode::InvalidInput,
        ErrorCode::RngUnavailable,
        ErrorCode::StateMalformed,
        ErrorCode::StateTampered,
        ErrorCode::StateExpired,
        ErrorCode::StateConnectorMismatch,
        ErrorCode::StateReplayed,
        ErrorCode::StateBrowserMismatch,
        ErrorCode::InvalidCallback,
        ErrorCode::IssuerMismatch,
        ErrorCode::IssuerMissing,
        ErrorCode::AuthorizationDenied,
        ErrorCode::CodeExchangeFailed,
        ErrorCode::NeedsReconnect,
        ErrorCode::ProviderConfigError,
        ErrorCode::ProviderError,
        ErrorCode::RetryableExhausted,
        ErrorCode::TimeoutAmbiguous,
        ErrorCode::ResponseTooLarge,
        ErrorCode::NetworkError,
        ErrorCode::RecordMalformed,
        ErrorCode::RecordTampered,
        ErrorCode::VaultKeyUnknown,
        ErrorCode::NotConnected,
        ErrorCode::StoreUnavailable,
        ErrorCode::RefreshInProgress,
        ErrorCode::Unauthenticated,
        ErrorCode::JwtTooLarge,
        ErrorCode::JwtAlgNotAllowed,
        ErrorCode::JwtExpired,
        ErrorCode::JwtInvalid,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::UnknownConnector,
        ErrorCode::MethodNotAllowed,
        ErrorCode::ScopesMissing,
        ErrorCode::ReturnUrlNotAllowed,
        ErrorCode::ProxyNotAllowed,
        ErrorCode::BodyTooLarge,
    ];

    /// The stable string form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConfigSyntax => "CONFIG_SYNTAX",
            ErrorCode::ConfigTooLarge => "CONFIG_TOO_LARGE",
            ErrorCode::ConfigTooDeep => "CONFIG_TOO_DEEP",
            ErrorCode::DuplicateKey => "DUPLICATE_KEY",
            ErrorCode::UnknownField => "UNKNOWN_FIELD",
            ErrorCode::ConfigInvalid => "CONFIG_INVALID",
            ErrorCode::DuplicateConnector => "DUPLICATE_CONNECTOR",
            ErrorCode::UnknownProvider => "UNKNOWN_PROVIDER",
            ErrorCode::InvalidScope => "INVALID_SCOPE",
            ErrorCode::ProviderInvalid => "PROVIDER_INVALID",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::RngUnavailable => "RNG_UNAVAILABLE",
            ErrorCode::StateMalformed => "STATE_MALFORMED",
            ErrorCode::StateTampered => "STATE_TAMPERED",
            ErrorCode::StateExpired => "STATE_EXPIRED",
            ErrorCode::StateConnectorMismatch => "STATE_CONNECTOR_MISMATCH",
            ErrorCode::StateReplayed => "STATE_REPLAYED",
            ErrorCode::StateBrowserMismatch => "STATE_BROWSER_MISMATCH",
            ErrorCode::InvalidCallback => "INVALID_CALLBACK",
            ErrorCode::IssuerMismatch => "ISSUER_MISMATCH",
            ErrorCode::IssuerMissing => "ISSUER_MISSING",
            ErrorCode::AuthorizationDenied => "AUTHORIZATION_DENIED",
            ErrorCode::CodeExchangeFailed => "CODE_EXCHANGE_FAILED",
            ErrorCode::NeedsReconnect => "NEEDS_RECONNECT",
            ErrorCode::ProviderConfigError => "PROVIDER_CONFIG_ERROR",
            ErrorCode::ProviderError => "PROVIDER_ERROR",
            ErrorCode::RetryableExhausted => "RETRYABLE_EXHAUSTED",
            ErrorCode::TimeoutAmbiguous => "TIMEOUT_AMBIGUOUS",
            ErrorCode::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorCode::NetworkError => "NETWORK_ERROR",
            ErrorCode::RecordMalformed => "RECORD_MALFORMED",
            ErrorCode::RecordTampered => "RECORD_TAMPERED",
            ErrorCode::VaultKeyUnknown => "VAULT_KEY_UNKNOWN",
            ErrorCode::NotConnected => "NOT_CONNECTED",
            ErrorCode::StoreUnavailable => "STORE_UNAVAILABLE",
            ErrorCode::RefreshInProgress => "REFRESH_IN_PROGRESS",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::JwtTooLarge => "JWT_TOO_LARGE",
            ErrorCode::JwtAlgNotAllowed => "JWT_ALG_NOT_ALLOWED",
            ErrorCode::JwtExpired => "JWT_EXPIRED",
            ErrorCode::JwtInvalid => "JWT_INVALID",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::UnknownConnector => "UNKNOWN_CONNECTOR",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::ScopesMissing => "SCOPES_MISSING",
            ErrorCode::ReturnUrlNotAllowed => "RETURN_URL_NOT_ALLOWED",
            ErrorCode::ProxyNotAllowed => "PROXY_NOT_ALLOWED",
            ErrorCode::BodyTooLarge => "BODY_TOO_LARGE",
        }
    }

    /// The HTTP status a server answers with for this code.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated
            | ErrorCode::JwtTooLarge
            | ErrorCode::JwtAlgNotAllowed
            | ErrorCode::JwtExpired
            | ErrorCode::JwtInvalid => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::UnknownProvider
            | ErrorCode::NotConnected
            | ErrorCode::NotFound
            | ErrorCode::UnknownConnector => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::NeedsReconnect | ErrorCode::ScopesMissing => 409,
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::RngUnavailable
            | ErrorCode::RecordMalformed
            | ErrorCode::RecordTampered
            | ErrorCode::VaultKeyUnknown => 500,
            ErrorCode::ProviderConfigError
            | ErrorCode::ProviderError
            | ErrorCode::CodeExchangeFailed
            | ErrorCode::RetryableExhausted
            | ErrorCode::ResponseTooLarge
            | ErrorCode::NetworkError => 502,
            ErrorCode::StoreUnavailable | ErrorCode::RefreshInProgress => 503,
            ErrorCode::TimeoutAmbiguous => 504,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a file an error was found. `line` and `column` start at 1;
/// `column` counts Unicode characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Option<String>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn at(text: &str, offset: usize, path: Option<&str>) -> Location {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        Location {
            path: path.map(str::to_owned),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// The crate's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    location: Option<Box<Location>>,
    /// For `UNKNOWN_PROVIDER`: the closest known type id.
    suggestion: Option<String>,
    /// For an error that stands for several ([`Error::all`]): each of them.
    errors: Vec<Error>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            location: None,
            suggestion: None,
            errors: Vec::new(),
        }
    }

    /// One error for several (every bad connector file, say): the first
    /// one's code, location and suggestion, a message with one line per
    /// error (each `path:line:column: message`, so the whole starts as the
    /// first one does), and every one in [`Error::errors`]. `None` for none.
    pub fn all(errors: Vec<Error>) -> Option<Error> {
        let first = errors.first()?;
        let mut message = first.message.clone();
        for e in &errors[1..] {
            message.push('\n');
            message.push_str(&e.to_string());
        }
        Some(Error {
            code: first.code,
            message,
            location: first.location.clone(),
            suggestion: first.suggestion.clone(),
            errors,
        })
    }

    /// The errors an [`Error::all`] stands for (empty for a single error).
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    pub fn at(mut self, location: Location) -> Error {
        self.location = Some(Box::new(location));
        self
    }

    pub fn with_suggestion(mut self, suggestion: Option<String>) -> Error {
        self.suggestion = suggestion;
        self
    }

    /// Sets the file path, keeping any line and column already known.
    pub fn in_file(mut self, path: Option<&str>) -> Error {
        match (&mut self.location, path) {
            (Some(loc), Some(p)) => loc.path = Some(p.to_owned()),
            (None, Some(p)) => {
                self.location = Some(Box::new(Location {
                    path: Some(p.to_owned()),
                    line: 0,
                    column: 0,
                }))
            }
            _ => {}
        }
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn location(&self) -> Option<&Location> {
        self.location.as_deref()
    }

    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

/// `path:line:column: message`, the form editors and terminals link.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location.as_deref() {
            Some(Location {
                path: Some(p),
                line: 0,
                ..
            }) => write!(f, "{p}: {}", self.message),
            Some(Location {
                path: Some(p),
                line,
                column,
            }) => write!(f, "{p}:{line}:{column}: {}", self.message),
            Some(Location {
                path: None,
                line,
                column,
            }) if *line > 0 => {
                write!(f, "{line}:{column}: {}", self.message)
            }
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
