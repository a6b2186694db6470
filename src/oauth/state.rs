//! Sealed `state`: what the callback must know (connector, user, PKCE
//! verifier, redirect and return URLs, scopes), sealed with AES-256-GCM under
//! a key derived from the server secret, so nothing is stored before the
//! callback and nothing can be forged or read by the browser.
//!
//! Opening checks, in order, each with its own code: the length and encoding
//! (`STATE_MALFORMED`, before any crypto or store call), the seal
//! (`STATE_TAMPERED`), the expiry (`STATE_EXPIRED`, 10 minutes) and the
//! connector (`STATE_CONNECTOR_MISMATCH`). Single use is [`consume`]: the
//! nonce is burned with a store's "set if absent" (`STATE_REPLAYED`).
//!
//! A start ticket ([`seal_ticket`], [`open_ticket`], [`consume_ticket`]) is
//! the same claims sealed for another purpose: the consent URL a browser
//! opens at the server's start route, which binds the flow to that browser
//! and only then makes the `state`. A ticket never opens as a `state`, nor
//! a `state` as a ticket, and each is used once.

use aes_gcm::Aes256Gcm;
use serde::{Deserialize, Serialize};

use super::secret::{PkceVerifier, SealedState};
pub use crate::crypto::MIN_SECRET_LEN;
use crate::crypto::{self, NONCE_LEN, TAG_LEN};
use crate::error::{Error, ErrorCode, Result};
use crate::ports::{NonceStore, random_bytes};

/// How long a `state` is accepted.
pub const STATE_TTL_MS: u64 = 10 * 60 * 1000;
/// The longest `state` we try to open (ours are far shorter).
pub const MAX_STATE_LEN: usize = 4096;
const VERSION: u8 = 1;
const AAD: &[u8] = b"oauth-connectors/state/v1";
const TICKET_AAD: &[u8] = b"oauth-connectors/start-ticket/v1";
const HKDF_INFO: &[u8] = b"oauth-connectors/state-key/v1";

/// What a sealed `state` carries.
#[derive(Clone)]
pub struct StateClaims {
    /// The integration type (shared connectors) or the connector id.
    pub connector: String,
    /// The app user the connection is for; `None` for a shared connection.
    pub user: Option<String>,
    /// The PKCE verifier, for providers that take PKCE.
    pub verifier: Option<PkceVerifier>,
    /// The `redirect_uri` of the authorization request (sent again at the token endpoint).
    pub redirect_uri: String,
    /// Where to send the browser after the callback.
    pub return_url: Option<String>,
    /// The scopes requested.
    pub scopes: Vec<String>,
    /// 32 random bytes, base64url: the single-use key.
    pub nonce: String,
    /// The SHA-256 (base64url) of a value the browser that started the flow
    /// holds in a cookie, when the flow is bound to that browser.
    pub binding: Option<String>,
    pub issued_at_ms: u64,
    pub expires_at_ms: u64,
}

impl std::fmt::Debug for StateClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateClaims")
            .field("connector", &self.connector)
            .field("user", &self.user)
            .field("verifier", &self.verifier)
            .field("scopes", &self.scopes)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// The sealed form: short keys keep the URL short.
#[derive(Serialize, Deserialize)]
struct Wire {
    c: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<String>,
    r: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default)]
    s: Vec<String>,
    n: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<String>,
    i: u64,
    e: u64,
}

impl StateClaims {
    /// New claims issued now, expiring in [`STATE_TTL_MS`], with a fresh nonce.
    pub fn new(
        connector: impl Into<String>,
        redirect_uri: impl Into<String>,
        now_ms: u64,
    ) -> Result<StateClaims> {
        Ok(StateClaims {
            connector: connector.into(),
            user: None,
            verifier: None,
            redirect_uri: redirect_uri.into(),
            return_url: None,
            scopes: Vec::new(),
            nonce: crate::b64::url(random_bytes::<32>()?),
            binding: None,
            issued_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(STATE_TTL_MS),
        })
    }
}

/// The AES-256-GCM key for `state`, derived from the server secret with
/// HKDF-SHA256 and a purpose label (so it is never the key that seals tokens).
#[derive(Clone)]
pub struct StateKey(Aes256Gcm);

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateKey([redacted])")
    }
}

impl StateKey {
    /// Derives the key. The secret must have at least 32 bytes
    /// (`CONFIG_INVALID` otherwise): use random bytes, not a password.
    pub fn derive(secret: &[u8]) -> Result<StateKey> {
        crypto::cipher(secret, HKDF_INFO).map(StateKey)
    }
}

/// Seals the claims into the `state` to send to the provider.
pub fn seal(key: &StateKey, claims: &StateClaims) -> Result<SealedState> {
    seal_as(key, claims, AAD)
}

/// Seals the claims into a start ticket (see the module's notes).
pub fn seal_ticket(key: &StateKey, claims: &StateClaims) -> Result<SealedState> {
    seal_as(key, claims, TICKET_AAD)
}

fn seal_as(key: &StateKey, claims: &StateClaims, aad: &[u8]) -> Result<SealedState> {
    let wire = Wire {
        c: claims.connector.clone(),
        u: claims.user.clone(),
        v: claims.verifier.as_ref().map(|v| v.secret().to_owned()),
        r: claims.redirect_uri.clone(),
        t: claims.return_url.clone(),
        s: claims.scopes.clone(),
        n: claims.nonce.clone(),
        b: claims.binding.clone(),
        i: claims.issued_at_ms,
        e: claims.expires_at_ms,
    };
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(&wire)
            .map_err(|_| Error::new(ErrorCode::InvalidInput, "Cannot encode the state"))?,
    );
    let sealed = crypto::seal(&key.0, aad, &plain)?;
    let mut out = Vec::with_capacity(1 + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&sealed);
    Ok(SealedState::new(crate::b64::url(out)))
}

fn state_error(code: ErrorCode) -> Error {
    let message = match code {
        ErrorCode::StateMalformed => "The state parameter is not one this server issued",
        ErrorCode::StateTampered => "The state parameter failed its integrity check",
        ErrorCode::StateExpired => "The authorization took longer than 10 minutes; start again",
        ErrorCode::StateConnectorMismatch => "The state parameter was issued for another connector",
        _ => "The state parameter was already used; start again",
    };
    Error::new(code, message)
}

/// Opens a `state` from a callback: checks its form, seal, expiry and
/// connector. Never panics and never touches a store; any input is safe.
pub fn open(
    key: &StateKey,
    state: &str,
    expected_connector: &str,
    now_ms: u64,
) -> Result<StateClaims> {
    open_as(key, state, expected_connector, now_ms, AAD)
}

/// Opens a start ticket, with the checks of [`open`].
pub fn open_ticket(
    key: &StateKey,
    ticket: &str,
    expected_connector: &str,
    now_ms: u64,
) -> Result<StateClaims> {
    open_as(key, ticket, expected_connector, now_ms, TICKET_AAD)
}

fn open_as(
    key: &StateKey,
    state: &str,
    expected_connector: &str,
    now_ms: u64,
    aad: &[u8],
) -> Result<StateClaims> {
    if state.is_empty() || state.len() > MAX_STATE_LEN {
        return Err(state_error(ErrorCode::StateMalformed));
    }
    let bytes =
        crate::b64::from_url(state).ok_or_else(|| state_error(ErrorCode::StateMalformed))?;
    if bytes.len() < 1 + NONCE_LEN + TAG_LEN || bytes[0] != VERSION {
        return Err(state_error(ErrorCode::StateMalformed));
    }
    let plain = crypto::open(&key.0, aad, &bytes[1..])
        .ok_or_else(|| state_error(ErrorCode::StateTampered))?;
    let wire: Wire =
        serde_json::from_slice(&plain).map_err(|_| state_error(ErrorCode::StateMalformed))?;
    if now_ms > wire.e {
        return Err(state_error(ErrorCode::StateExpired));
    }
    if wire.c != expected_connector {
        return Err(state_error(ErrorCode::StateConnectorMismatch));
    }
    Ok(StateClaims {
        connector: wire.c,
        user: wire.u,
        verifier: wire.v.map(PkceVerifier::new),
        redirect_uri: wire.r,
        return_url: wire.t,
        scopes: wire.s,
        nonce: wire.n,
        binding: wire.b,
        issued_at_ms: wire.i,
        expires_at_ms: wire.e,
    })
}

/// Burns the state's nonce so it opens once: a second use, or a concurrent
/// one, gets `STATE_REPLAYED`.
pub async fn consume<S: NonceStore>(
    store: &S,
    app: &str,
    claims: &StateClaims,
    now_ms: u64,
) -> Result<()> {
    consume_as(store, app, "state", claims, now_ms).await
}

/// Burns a start ticket's nonce, as [`consume`] does a state's: the start
/// route opens once (`STATE_REPLAYED` after). The `state` it then makes
/// keeps the nonce and is burnt under its own key at the callback.
pub async fn consume_ticket<S: NonceStore>(
    store: &S,
    app: &str,
    claims: &StateClaims,
    now_ms: u64,
) -> Result<()> {
    consume_as(store, app, "start", claims, now_ms).await
}

async fn consume_as<S: NonceStore>(
    store: &S,
    app: &str,
    kind: &str,
    claims: &StateClaims,
    now_ms: u64,
) -> Result<()> {
    let key = crate::store_keys::used(app, kind, &claims.nonce);
    // Keep the mark until the state could no longer be accepted anyway.
    let ttl = claims
        .expires_at_ms
        .saturating_sub(now_ms)
        .saturating_add(60_000);
    if store.set_if_absent(&key, "used", ttl).await? {
        Ok(())
    } else {
        Err(state_error(ErrorCode::StateReplayed))
    }
}

#[cfg(test)]
mod tests;
