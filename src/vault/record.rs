//! Connection records: what the vault keeps per connection, sealed. The
//! plaintext is JSON, built and read here only; the store sees the sealed
//! string.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::oauth::secret::{AccessToken, RefreshToken};
use crate::oauth::token::{Account, TokenSet};
use crate::unit_enum::unit_enum;

/// A connector: one of the three kinds and its id. With a user (app-user
/// connectors) it names a connection: [`ConnectionKey::of`]. Its routes
/// are in `server::routes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A shared connector, by integration type.
    Shared(String),
    /// A workspace connector, by connector id.
    Workspace(String),
    /// An app-user connector, by connector id.
    AppUser(String),
}

impl Slot {
    pub fn kind(&self) -> Kind {
        match self {
            Slot::Shared(_) => Kind::Shared,
            Slot::Workspace(_) => Kind::Workspace,
            Slot::AppUser(_) => Kind::AppUser,
        }
    }

    /// The integration type or connector id.
    pub fn id(&self) -> &str {
        match self {
            Slot::Shared(id) | Slot::Workspace(id) | Slot::AppUser(id) => id,
        }
    }

    /// What the sealed `state` names (`<kind>:<id>`): a state made for one
    /// slot does not open at another's callback (the mix-up defence).
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind().as_str(), self.id())
    }
}

/// Whose connection it is: a slot, and for an app-user connector the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionKey {
    /// One account for the whole app, per integration type.
    Shared { integration_type: String },
    /// One account per connector id, shared by the app's users.
    Workspace { connector_id: String },
    /// Each end user's own account, per connector id.
    AppUser {
        connector_id: String,
        user_id: String,
    },
}

unit_enum! {
    /// The kind of a connection, as events and records name it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        Shared = "shared",
        Workspace = "workspace",
        AppUser = "app_user",
    }
}

impl ConnectionKey {
    /// The connection of `slot` (and `user`, for an app-user slot).
    pub fn of(slot: &Slot, user: Option<&str>) -> ConnectionKey {
        match slot {
            Slot::Shared(t) => ConnectionKey::Shared {
                integration_type: t.clone(),
            },
            Slot::Workspace(id) => ConnectionKey::Workspace {
                connector_id: id.clone(),
            },
            Slot::AppUser(id) => ConnectionKey::AppUser {
                connector_id: id.clone(),
                user_id: user.unwrap_or_default().to_owned(),
            },
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            ConnectionKey::Shared { .. } => Kind::Shared,
            ConnectionKey::Workspace { .. } => Kind::Workspace,
            ConnectionKey::AppUser { .. } => Kind::AppUser,
        }
    }

    /// The integration type (shared) or connector id.
    pub fn connector(&self) -> &str {
        match self {
            ConnectionKey::Shared { integration_type } => integration_type,
            ConnectionKey::Workspace { connector_id }
            | ConnectionKey::AppUser { connector_id, .. } => connector_id,
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            ConnectionKey::AppUser { user_id, .. } => Some(user_id),
            _ => None,
        }
    }

    /// The store key: `oauth-connectors:conn:<app>:<kind>:<connector>[:<user>]`,
    /// each part percent-encoded so no two connections share a key. It is
    /// also the record's associated data: a record moved to another slot
    /// does not open.
    pub fn store_key(&self, app: &str) -> String {
        crate::store_keys::connection(app, self.kind().as_str(), self.connector(), self.user_id())
    }

    /// Checks the parts: non-empty, at most 256 bytes.
    pub fn check(&self) -> Result<()> {
        let parts = [Some(self.connector()), self.user_id()];
        for part in parts.into_iter().flatten() {
            if part.is_empty() || part.len() > 256 {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "A connector id, integration type or user id must have 1 to 256 bytes",
                ));
            }
        }
        Ok(())
    }
}

unit_enum! {
    /// Where a connection stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Status {
        Active = "active",
        /// The provider refused the refresh token: the user must connect again.
        Expired = "expired",
        /// Disconnected: a tombstone until the tokens are revoked and purged.
        Disconnected = "disconnected",
    }
}

/// A connection as the vault keeps it.
#[derive(Debug, Clone)]
pub struct Record {
    /// Stable across refreshes and reconnects.
    pub id: String,
    pub kind: Kind,
    pub connector: String,
    pub user_id: Option<String>,
    pub status: Status,
    pub scopes: Vec<String>,
    /// Every scope a consent for this connection asked for (a provider may
    /// name what it granted differently).
    pub requested_scopes: Vec<String>,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub token_type: String,
    pub expires_at_ms: Option<u64>,
    /// When the access token was obtained: with `expires_at_ms`, the
    /// lifetime the provider announced, which bounds the refresh margin.
    /// A record written before this field counts from its last update.
    pub obtained_at_ms: u64,
    pub connection_config: BTreeMap<String, String>,
    pub account: Account,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
    /// Goes up by one on every write.
    pub version: u64,
    /// How the last refresh went; `None` before the first since the grant
    /// (and in records written before this field).
    pub last_refresh: Option<RefreshOutcome>,
}

/// How a refresh went: when, and the error code when it failed (`None`: it
/// worked). Codes are kept as strings: a newer version may know more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshOutcome {
    #[serde(rename = "at")]
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl RefreshOutcome {
    pub fn ok(at_ms: u64) -> RefreshOutcome {
        RefreshOutcome { at_ms, code: None }
    }

    pub fn failed(code: ErrorCode, at_ms: u64) -> RefreshOutcome {
        RefreshOutcome {
            at_ms,
            code: Some(code.as_str().to_owned()),
        }
    }
}

/// The sealed JSON: the same fields, tokens as plain strings. Fields added
/// later are optional, and fields this version does not know are ignored,
/// so instances of two versions can share a store.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored<T> {
    id: String,
    kind: Kind,
    connector: String,
    #[serde(default)]
    user_id: Option<String>,
    status: Status,
    scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    requested_scopes: Vec<String>,
    access_token: T,
    #[serde(default)]
    refresh_token: Option<T>,
    token_type: String,
    #[serde(default)]
    expires_at: Option<u64>,
    #[serde(default)]
    obtained_at: Option<u64>,
    connection_config: BTreeMap<String, String>,
    account: Account,
    created_at: u64,
    updated_at: u64,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_refresh: Option<RefreshOutcome>,
}

impl Record {
    /// A new active record for `key` from a token response.
    pub fn new(id: String, key: &ConnectionKey, tokens: TokenSet, now_ms: u64) -> Record {
        Record {
            id,
            kind: key.kind(),
            connector: key.connector().to_owned(),
            user_id: key.user_id().map(str::to_owned),
            status: Status::Active,
            scopes: tokens.scopes,
            requested_scopes: tokens.requested_scopes,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            token_type: tokens.token_type,
            expires_at_ms: tokens.expires_at_ms,
            obtained_at_ms: now_ms,
            connection_config: tokens.connection_config,
            account: tokens.account,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            version: 1,
            last_refresh: None,
        }
    }

    /// The next version with new tokens, active. A response without a
    /// refresh token keeps the old one; one without an account keeps it.
    pub fn with_tokens(&self, tokens: TokenSet, now_ms: u64) -> Record {
        let mut next = self.next(now_ms);
        next.status = Status::Active;
        next.scopes = tokens.scopes;
        for scope in tokens.requested_scopes {
            if !next.requested_scopes.contains(&scope) {
                next.requested_scopes.push(scope);
            }
        }
        next.access_token = tokens.access_token;
        if tokens.refresh_token.is_some() {
            next.refresh_token = tokens.refresh_token;
        }
        next.token_type = tokens.token_type;
        next.expires_at_ms = tokens.expires_at_ms;
        next.obtained_at_ms = now_ms;
        next.connection_config.extend(tokens.connection_config);
        if tokens.account != Account::default() {
            next.account = tokens.account;
        }
        // New tokens: a refresh sets its outcome after this; a new grant has had none.
        next.last_refresh = None;
        next
    }

    /// The next version of this record carrying `newer`'s tokens, active
    /// (a refresh result landing on a record changed meanwhile).
    pub fn with_tokens_of(&self, newer: &Record, now_ms: u64) -> Record {
        let mut next = self.next(now_ms);
        next.status = Status::Active;
        next.scopes = newer.scopes.clone();
        next.requested_scopes = newer.requested_scopes.clone();
        next.access_token = newer.access_token.clone();
        next.refresh_token = newer.refresh_token.clone();
        next.token_type = newer.token_type.clone();
        next.expires_at_ms = newer.expires_at_ms;
        next.obtained_at_ms = newer.obtained_at_ms;
        next.connection_config = newer.connection_config.clone();
        next.account = newer.account.clone();
        next.last_refresh = newer.last_refresh.clone();
        next
    }

    /// The next version recording a refresh that failed with `code`.
    pub fn with_refresh_failed(&self, code: ErrorCode, now_ms: u64) -> Record {
        let mut next = self.next(now_ms);
        next.last_refresh = Some(RefreshOutcome::failed(code, now_ms));
        next
    }

    /// The next version with another status.
    pub fn with_status(&self, status: Status, now_ms: u64) -> Record {
        let mut next = self.next(now_ms);
        next.status = status;
        next
    }

    fn next(&self, now_ms: u64) -> Record {
        let mut next = self.clone();
        next.version = self.version.saturating_add(1);
        next.updated_at_ms = now_ms.max(self.updated_at_ms);
        next
    }

    /// Whether both hold the same tokens (nobody refreshed in between).
    pub fn same_tokens(&self, other: &Record) -> bool {
        self.access_token.secret() == other.access_token.secret()
            && self.refresh_token.as_ref().map(RefreshToken::secret)
                == other.refresh_token.as_ref().map(RefreshToken::secret)
    }

    /// The plaintext to seal.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>> {
        let stored = Stored::<&str> {
            id: self.id.clone(),
            kind: self.kind,
            connector: self.connector.clone(),
            user_id: self.user_id.clone(),
            status: self.status,
            scopes: self.scopes.clone(),
            requested_scopes: self.requested_scopes.clone(),
            access_token: self.access_token.secret(),
            refresh_token: self.refresh_token.as_ref().map(RefreshToken::secret),
            token_type: self.token_type.clone(),
            expires_at: self.expires_at_ms,
            obtained_at: Some(self.obtained_at_ms),
            connection_config: self.connection_config.clone(),
            account: self.account.clone(),
            created_at: self.created_at_ms,
            updated_at: self.updated_at_ms,
            version: self.version,
            last_refresh: self.last_refresh.clone(),
        };
        serde_json::to_vec(&stored)
            .map(Zeroizing::new)
            .map_err(|_| Error::new(ErrorCode::RecordMalformed, "Cannot encode a record"))
    }

    /// Reads what [`Record::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Record> {
        let s: Stored<String> = serde_json::from_slice(bytes).map_err(|_| {
            Error::new(
                ErrorCode::RecordMalformed,
                "A stored record opened but is not a connection record",
            )
        })?;
        Ok(Record {
            id: s.id,
            kind: s.kind,
            connector: s.connector,
            user_id: s.user_id,
            status: s.status,
            scopes: s.scopes,
            requested_scopes: s.requested_scopes,
            access_token: AccessToken::new(s.access_token),
            refresh_token: s.refresh_token.map(RefreshToken::new),
            token_type: s.token_type,
            expires_at_ms: s.expires_at,
            obtained_at_ms: s.obtained_at.unwrap_or(s.updated_at),
            connection_config: s.connection_config,
            account: s.account,
            created_at_ms: s.created_at,
            updated_at_ms: s.updated_at,
            version: s.version,
            last_refresh: s.last_refresh,
        })
    }
}

#[cfg(test)]
mod tests;
