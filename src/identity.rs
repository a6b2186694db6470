//! Who the app user is: HS256 user tokens (JWT) verified with the
//! algorithm pinned, and the `Bearer` header form.
//!
//! [`Hs256::verify`] checks, in order: the size (before any decoding), the
//! compact form, the header (`alg` exactly `HS256`, from the config and never
//! from the token; no `crit`), the signature (constant time), and only then
//! the claims: `exp` and `nbf` (with [`LEEWAY_MS`]), `iss` (exact), `aud`
//! (a string or an array holding ours) and `sub` (non-empty). Every failure
//! has a fixed message: no part of a token or the secret is ever echoed.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::crypto::MIN_SECRET_LEN;
use crate::error::{Error, ErrorCode, Result};

/// The largest user token read: 8 KiB.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock leeway for exp/nbf: 60 s.
pub const LEEWAY_MS: u64 = 60_000;

/// The only header [`Hs256::sign`] writes.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

// The fixed failure messages.
const TOO_LARGE: &str = "The user token is larger than 8 KiB";
const MALFORMED: &str =
    "The user token is not a compact JWS (three base64url parts, a JSON header)";
const ALG: &str = "The user token's algorithm is not allowed (only HS256)";
const CRIT: &str =
    "The user token has critical header parameters (`crit`), which are not supported";
const SIGNATURE: &str = "The user token's signature does not verify";
const CLAIMS: &str = "The user token's claims are not a JSON object";
const NO_EXP: &str = "The user token has no numeric `exp`";
const EXPIRED: &str = "The user token has expired";
const NOT_YET: &str = "The user token is not valid yet (`nbf`)";
const ISSUER: &str = "The user token's `iss` is missing or not the configured issuer";
const AUDIENCE: &str = "The user token's `aud` is missing or does not name the configured audience";
const SUBJECT: &str = "The user token has no `sub` (a non-empty string)";
const NO_HEADER: &str = "No `Authorization` header (expected `Bearer <token>`)";
const NOT_BEARER: &str = "The `Authorization` header must be `Bearer <token>`";

/// An app user, as a verified token names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The token's `sub`.
    pub id: String,
    /// The token's `email`, when it is a string.
    pub email: Option<String>,
    /// Until when (ms since the epoch, exclusive) the same token verifies
    /// as this user: its `exp` with the leeway. `None` when only the
    /// verifier can say (the host's `verifyUser`).
    pub valid_until_ms: Option<u64>,
}

/// HS256 verification settings: the secret (wiped on drop, never printed),
/// the exact issuer and the audience.
#[derive(Clone)]
pub struct Hs256 {
    secret: Zeroizing<Vec<u8>>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for Hs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hs256")
            .field("secret", &format_args!("[redacted]"))
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl Hs256 {
    /// The settings. `CONFIG_INVALID` for a secret shorter than 32 bytes
    /// (use random bytes, not a password) or an empty issuer or audience.
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Result<Hs256> {
        let invalid = |m: &str| Err(Error::new(ErrorCode::ConfigInvalid, m));
        if secret.len() < MIN_SECRET_LEN {
            return invalid(
                "The user-token secret must have at least 32 bytes (use 32 random bytes)",
            );
        }
        if issuer.is_empty() {
            return invalid("The user-token issuer must not be empty");
        }
        if audience.is_empty() {
            return invalid("The user-token audience must not be empty");
        }
        Ok(Hs256 {
            secret: Zeroizing::new(secret.to_vec()),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    fn mac(&self) -> Result<Hmac<Sha256>> {
        Hmac::<Sha256>::new_from_slice(&self.secret)
            .map_err(|_| Error::new(ErrorCode::ConfigInvalid, "Cannot key HMAC-SHA256"))
    }

    /// Verifies a compact JWS and returns the user (`sub` -> id, `email` claim
    /// if a string). `now_ms` is milliseconds; the token's times are seconds.
    /// Never panics: any input is safe.
    pub fn verify(&self, token: &str, now_ms: u64) -> Result<User> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::new(ErrorCode::JwtTooLarge, TOO_LARGE));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(MALFORMED));
        };
        let head = object(header).ok_or_else(|| invalid(MALFORMED))?;
        // Pinned: the header may only confirm the configured algorithm.
        if head.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(Error::new(ErrorCode::JwtAlgNotAllowed, ALG));
        }
        if head.contains_key("crit") {
            return Err(invalid(CRIT));
        }
        let tag = crate::b64::from_url(signature).ok_or_else(|| invalid(SIGNATURE))?;
        let mut mac = self.mac()?;
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&tag).map_err(|_| invalid(SIGNATURE))?;

        // Signed by us: the claims can be read.
        let mut claims = object(payload).ok_or_else(|| invalid(CLAIMS))?;
        let exp = claims
            .get("exp")
            .and_then(millis)
            .ok_or_else(|| invalid(NO_EXP))?;
        if now_ms > exp.saturating_add(LEEWAY_MS) {
            return Err(Error::new(ErrorCode::JwtExpired, EXPIRED));
        }
        let started =
            |nbf: &Value| millis(nbf).is_some_and(|nbf| nbf <= now_ms.saturating_add(LEEWAY_MS));
        if !claims.get("nbf").is_none_or(started) {
            return Err(invalid(NOT_YET));
        }
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(invalid(ISSUER));
        }
        let ours = |a: &Value| a.as_str() == Some(self.audience.as_str());
        let audience_ok = match claims.get("aud") {
            Some(Value::Array(list)) => list.iter().any(ours),
            Some(aud) => ours(aud),
            None => false,
        };
        if !audience_ok {
            return Err(invalid(AUDIENCE));
        }
        let id = match claims.remove("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub,
            _ => return Err(invalid(SUBJECT)),
        };
        let email = match claims.remove("email") {
            Some(Value::String(email)) => Some(email),
            _ => None,
        };
        Ok(User {
            id,
            email,
            // Valid while `now <= exp + leeway`; `nbf`, once passed, stays passed.
            valid_until_ms: Some(exp.saturating_add(LEEWAY_MS).saturating_add(1)),
        })
    }

    /// Signs claims (HS256, header `{"alg":"HS256","typ":"JWT"}`): for tests
    /// and demos that issue their own user tokens. `INVALID_INPUT` unless the
    /// claims are an object; `JWT_TOO_LARGE` for a token `verify` would refuse.
    pub fn sign(&self, claims: &Value) -> Result<String> {
        if !claims.is_object() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "The claims of a user token must be a JSON object",
            ));
        }
        let payload = serde_json::to_vec(claims)
            .map_err(|_| Error::new(ErrorCode::InvalidInput, "Cannot encode the claims"))?;
        self.sign_payload(&payload)
    }

    /// The compact JWS of claims already encoded as JSON.
    fn sign_payload(&self, payload: &[u8]) -> Result<String> {
        // Every part encoded from a `&[u8]`: one monomorphization (wasm size).
        let mut token = crate::b64::url(HEADER.as_bytes());
        token.push('.');
        token.push_str(&crate::b64::url(payload));
        let mut mac = self.mac()?;
        mac.update(token.as_bytes());
        let tag = mac.finalize().into_bytes();
        token.push('.');
        token.push_str(&crate::b64::url(tag.as_slice()));
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::new(ErrorCode::JwtTooLarge, TOO_LARGE));
        }
        Ok(token)
    }
}

/// The longest lifetime [`issue`] gives a user token: 30 days.
pub const MAX_USER_TOKEN_LIFETIME_S: u64 = 30 * 24 * 3600;

/// What [`issue`] signs for: the server's `users` settings (`secret`,
/// `issuer`, `audience`) and the user.
#[derive(Debug, Clone, Copy)]
pub struct UserToken<'a> {
    /// The shared HS256 secret (at least 32 bytes), as the server has it.
    pub secret: &'a [u8],
    /// The `iss` the server expects, exactly.
    pub issuer: &'a str,
    /// The `aud` the server expects.
    pub audience: &'a str,
    /// The user's id: the token's `sub`, non-empty.
    pub user_id: &'a str,
    /// The user's email (the `email` claim), when known.
    pub email: Option<&'a str>,
    /// Seconds from now to `exp`: 1 to [`MAX_USER_TOKEN_LIFETIME_S`].
    pub expires_in_seconds: u64,
}

/// Issues a user token that [`Hs256::verify`] with the same secret, issuer
/// and audience accepts: header `{"alg":"HS256","typ":"JWT"}`, claims `sub`,
/// `iss`, `aud`, `iat`, `exp` and `email` when given. Every bad argument is
/// `INVALID_INPUT`, and no message holds the secret or the user's values.
pub fn issue(token: &UserToken<'_>, now_ms: u64) -> Result<String> {
    let bad = |m: &str| Err(Error::new(ErrorCode::InvalidInput, m));
    let hs = match Hs256::new(token.secret, token.issuer, token.audience) {
        Ok(hs) => hs,
        Err(e) => return bad(e.message()),
    };
    if token.user_id.is_empty() {
        return bad("The user id (the token's `sub`) must be a non-empty string");
    }
    if !(1..=MAX_USER_TOKEN_LIFETIME_S).contains(&token.expires_in_seconds) {
        return bad("expiresInSeconds must be a whole number from 1 to 2592000 (30 days)");
    }
    let iat = now_ms / 1000;
    let exp = iat.saturating_add(token.expires_in_seconds);
    // Written out, not through a `Value`: only strings need serde (escaping).
    let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let email = token
        .email
        .map(|e| format!(r#","email":{}"#, text(e)))
        .unwrap_or_default();
    let claims = format!(
        r#"{{"sub":{},"iss":{},"aud":{},"iat":{iat},"exp":{exp}{email}}}"#,
        text(token.user_id),
        text(token.issuer),
        text(token.audience),
    );
    hs.sign_payload(claims.as_bytes()).map_err(|e| {
        if e.code() == ErrorCode::JwtTooLarge {
            Error::new(
                ErrorCode::InvalidInput,
                "The user token would be larger than 8 KiB, which the server refuses: shorten the user id or email",
            )
        } else {
            e
        }
    })
}

fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::JwtInvalid, message)
}

/// A base64url (no padding) JSON object, or `None`.
fn object(part: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&crate::b64::from_url(part)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A NumericDate (seconds, maybe negative or fractional) in milliseconds,
/// saturating; `None` if it is not a number.
fn millis(seconds: &Value) -> Option<u64> {
    match seconds.as_u64() {
        Some(s) => Some(s.saturating_mul(1000)),
        // `as` saturates: negatives become 0, the huge become u64::MAX.
        None => seconds.as_f64().map(|s| (s * 1000.0) as u64),
    }
}

/// The token of an `Authorization`-style header value `Bearer <token>`: the
/// scheme in any case, then one space and one RFC 6750 `b64token`.
/// `UNAUTHENTICATED` otherwise; the message never holds the value.
pub fn bearer(header: Option<&str>) -> Result<&str> {
    let value = header
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, NO_HEADER))?
        .trim_matches([' ', '\t']);
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("Bearer") && b64token(token) => {
            Ok(token)
        }
        _ => Err(Error::new(ErrorCode::Unauthenticated, NOT_BEARER)),
    }
}

/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[cfg(test)]
mod tests;
