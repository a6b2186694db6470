//! One error type for the whole crate.
//!
//! Every error has a stable [`ErrorCode`] (what programs match on), a message
//! for people, and, for errors found in a file, where: path, line and column.
//! Messages never hold a token, code, state or secret: they are built from
//! names, types and positions only.

use std::fmt;

/// The [`ErrorCode`] enum from one table: its variants, [`ErrorCode::ALL`]
/// (complete by construction), [`ErrorCode::as_str`] and
/// [`ErrorCode::http_status`].
macro_rules! error_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $name:literal, $status:literal;)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $ty {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $ty {
            /// Every code, for docs and for tests that check the docs list them all.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable string form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The HTTP status a server answers with for this code.
            pub const fn http_status(self) -> u16 {
                match self {
                    $($ty::$variant => $status,)+
                }
            }
        }
    };
}

error_codes! {
    /// The stable codes. Their string forms (`ErrorCode::as_str`) are part of the
    /// public API: they are listed in the README and in the package's `index.d.ts`.
    ///
    /// Each row: the variant, its string form, the HTTP status a server
    /// answers with.
    #[non_exhaustive]
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// A connector file is not valid JSONC (a syntax error).
        ConfigSyntax = "CONFIG_SYNTAX", 400;
        /// A connector file is larger than [`crate::config::MAX_FILE_BYTES`].
        ConfigTooLarge = "CONFIG_TOO_LARGE", 400;
        /// A connector file nests deeper than [`crate::config::MAX_DEPTH`].
        ConfigTooDeep = "CONFIG_TOO_DEEP", 400;
        /// An object has the same key twice.
        DuplicateKey = "DUPLICATE_KEY", 400;
        /// A connector file has a field we do not know.
        UnknownField = "UNKNOWN_FIELD", 400;
        /// A connector file is well-formed JSONC but not a valid connector
        /// (missing `type`, wrong value kinds, a malformed type id).
        ConfigInvalid = "CONFIG_INVALID", 400;
        /// Two connector files declare the same type.
        DuplicateConnector = "DUPLICATE_CONNECTOR", 400;
        /// A type id that is not in the catalog.
        UnknownProvider = "UNKNOWN_PROVIDER", 404;
        /// A scope that is not an RFC 6749 §3.3 scope token.
        InvalidScope = "INVALID_SCOPE", 400;
        /// A provider entry (built-in or custom) that fails validation.
        ProviderInvalid = "PROVIDER_INVALID", 400;
        /// An argument from the caller has the wrong shape.
        InvalidInput = "INVALID_INPUT", 400;
        /// The platform's secure random number generator failed (no fallback).
        RngUnavailable = "RNG_UNAVAILABLE", 500;
        /// A `state` value that is not one we could have made (length, encoding).
        StateMalformed = "STATE_MALFORMED", 400;
        /// A `state` whose seal does not verify (altered, or another server's).
        StateTampered = "STATE_TAMPERED", 400;
        /// A `state` older than its 10 minutes.
        StateExpired = "STATE_EXPIRED", 400;
        /// A `state` made for another connector arrived at this one's callback.
        StateConnectorMismatch = "STATE_CONNECTOR_MISMATCH", 400;
        /// A `state` that was already used once.
        StateReplayed = "STATE_REPLAYED", 400;
        /// A `state` bound to another browser (its binding cookie is missing or
        /// is another's): a consent URL made for one user, opened by someone else.
        StateBrowserMismatch = "STATE_BROWSER_MISMATCH", 400;
        /// A callback query we must not act on (duplicates, both `code` and `error`, no `state`).
        InvalidCallback = "INVALID_CALLBACK", 400;
        /// The callback's `iss` is not the provider's issuer (RFC 9207).
        IssuerMismatch = "ISSUER_MISMATCH", 400;
        /// The provider sends `iss`, and this callback has none.
        IssuerMissing = "ISSUER_MISSING", 400;
        /// The user (or the provider) refused the authorization (`error=` on the callback).
        AuthorizationDenied = "AUTHORIZATION_DENIED", 400;
        /// The provider refused the authorization code.
        CodeExchangeFailed = "CODE_EXCHANGE_FAILED", 502;
        /// The refresh token is no longer valid (`invalid_grant`): the user must connect again.
        NeedsReconnect = "NEEDS_RECONNECT", 409;
        /// The provider rejected our client credentials or configuration (`invalid_client`, ...).
        ProviderConfigError = "PROVIDER_CONFIG_ERROR", 502;
        /// The provider answered with an error or an answer we cannot use.
        ProviderError = "PROVIDER_ERROR", 502;
        /// The provider kept answering 429/5xx until the retries ran out.
        RetryableExhausted = "RETRYABLE_EXHAUSTED", 502;
        /// A code exchange timed out after it was sent: it is not retried, since
        /// reusing a code can revoke the tokens it issued.
        TimeoutAmbiguous = "TIMEOUT_AMBIGUOUS", 504;
        /// A provider's answer was larger than 1 MiB.
        ResponseTooLarge = "RESPONSE_TOO_LARGE", 502;
        /// The request could not be sent (DNS, connection, TLS).
        NetworkError = "NETWORK_ERROR", 502;
        /// A stored record is not one the vault sealed.
        RecordMalformed = "RECORD_MALFORMED", 500;
        /// A stored record failed its integrity check: changed, or moved from another slot.
        RecordTampered = "RECORD_TAMPERED", 500;
        /// A stored record was sealed with a secret that is no longer in the key ring.
        VaultKeyUnknown = "VAULT_KEY_UNKNOWN", 500;
        /// There is no connection (never connected, or disconnected).
        NotConnected = "NOT_CONNECTED", 404;
        /// The host store failed (threw, rejected, or answered nonsense); nothing was half-written.
        StoreUnavailable = "STORE_UNAVAILABLE", 503;
        /// Another instance is refreshing this connection and did not finish in time.
        RefreshInProgress = "REFRESH_IN_PROGRESS", 503;
        /// A request to the connectors server without the credentials it needs
        /// (no `Authorization`, not `Bearer`, an unknown service token).
        Unauthenticated = "UNAUTHENTICATED", 401;
        /// A user token (JWT) larger than 8 KiB.
        JwtTooLarge = "JWT_TOO_LARGE", 401;
        /// A user token signed with an algorithm other than the configured one (`none`, RS256, ...).
        JwtAlgNotAllowed = "JWT_ALG_NOT_ALLOWED", 401;
        /// A user token past its `exp` (beyond the leeway).
        JwtExpired = "JWT_EXPIRED", 401;
        /// A user token that does not verify: signature, form, `iss`, `aud`, `sub`, `nbf`, `crit`.
        JwtInvalid = "JWT_INVALID", 401;
        /// Authenticated, but not allowed to do this (a user where the service role is needed).
        Forbidden = "FORBIDDEN", 403;
        /// No such route, app or pending authorization.
        NotFound = "NOT_FOUND", 404;
        /// A connector id or integration type the server has no configuration for.
        UnknownConnector = "UNKNOWN_CONNECTOR", 404;
        /// The route exists, but not for this HTTP method.
        MethodNotAllowed = "METHOD_NOT_ALLOWED", 405;
        /// The stored grant lacks scopes the connector now asks for: connect again to grant them.
        ScopesMissing = "SCOPES_MISSING", 409;
        /// A return URL whose origin is not in `allowedReturnUrls`, or that is not a plain http(s) URL.
        ReturnUrlNotAllowed = "RETURN_URL_NOT_ALLOWED", 400;
        /// A proxied API call to a host, path or header the connector does not allow.
        ProxyNotAllowed = "PROXY_NOT_ALLOWED", 400;
        /// A request body larger than the server reads.
        BodyTooLarge = "BODY_TOO_LARGE", 413;
        /// The host store has no `list`: the vault cannot list connections
        /// (the server's `GET connections` route).
        ListUnsupported = "LIST_UNSUPPORTED", 501;
        /// A Stripe key that is not one: not `sk_` or `rk_`, then `test_` or
        /// `live_`, then letters and digits.
        StripeKeyInvalid = "STRIPE_KEY_INVALID", 400;
        /// Stripe's API refused the key (revoked, rolled, or mistyped).
        StripeKeyRefused = "STRIPE_KEY_REFUSED", 400;
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

/// The OAuth error codes a message may name: RFC 6749 (§4.1.2.1, §5.2),
/// RFC 7009 (§2.2.1), and the providers' own codes that
/// [`crate::oauth::token::classify_error`]
/// reads (Slack's, GitHub's). A provider may put anything in `error`, the
/// token it was sent included, so any other value is named `other`.
pub const KNOWN_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "unsupported_token_type",
    "invalid_client_id",
    "bad_client_secret",
    "incorrect_client_credentials",
    "invalid_refresh_token",
    "token_revoked",
    "token_expired",
    "refresh_token_expired",
    "bad_refresh_token",
    "bad_verification_code",
    "invalid_code",
    "code_already_used",
    "invalid_code_verifier",
];

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
