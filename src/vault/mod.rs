//! The token vault: connections stored sealed in a host-provided [`Store`],
//! read with a refresh first when the access token is inside its margin
//! (5 minutes ±10%, at most half the lifetime the provider announced), and
//! disconnected with revocation.
//!
//! - Sealing ([`keyring`]): AES-256-GCM per record, the store key as
//!   associated data, a key ring for rotation. The store sees no token.
//! - Refresh: single-flight inside an instance ([`flight`]) and across
//!   instances (a lease taken with `set_if_absent`, its TTL the refresh's
//!   worst case: timeout × attempts plus the waits between; the record is
//!   read again after taking the lease and while waiting for another's).
//!   While another instance holds the lease, a reader whose access token
//!   has not expired gets it at once; one whose token expired waits for the
//!   other's result up to `lease_wait_ms`, then fails with
//!   `REFRESH_IN_PROGRESS`.
//!   Every write is a compare-and-set on the record read, so a late writer
//!   cannot overwrite a newer record. A rotated refresh token is written
//!   before the new access token is handed out; when the write keeps
//!   failing, the new record stays in memory and is written first on the
//!   next read, so the old refresh token is never presented again.
//! - `invalid_grant` marks the connection `expired` (reads then fail with
//!   `NEEDS_RECONNECT`); other provider errors change nothing.
//! - Listing ([`Vault::list`], with a store that lists): the app's
//!   connections a page at a time, tombstones and records that do not
//!   open left out; each record says how its last refresh went.
//! - Disconnect: a tombstone first (reads fail at once), then revocation
//!   at the provider, then the record is purged. A refresh that lands after
//!   the tombstone finds it, revokes what it got, and writes nothing.

pub mod flight;
pub mod keyring;
pub mod record;

use std::cell::RefCell;
use std::collections::HashMap;

pub use keyring::{KeyRing, Opened};
pub use record::{ConnectionKey, Kind, Record, RefreshOutcome, Slot, Status};

use crate::error::{Error, ErrorCode, Result};
use crate::oauth::client::OAuthClient;
pub use crate::oauth::client::Revocation;
use crate::oauth::token::TokenSet;
use crate::ports::{Clock, Fetch, MAX_LIST_LIMIT, Store, random_bytes};
use crate::unit_enum::unit_enum;
use flight::Flights;

/// Tuning; the defaults suit serverless functions.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// Namespaces every store key (the app id).
    pub app: String,
    /// The refresh margin of a long-lived token: a read refreshes first when
    /// less than this remains (±10% jitter): 5 minutes. A token's margin,
    /// jitter included, is never more than half its lifetime.
    pub skew_ms: u64,
    /// How often a reader waiting on another instance's lease looks again.
    pub lease_poll_ms: u64,
    /// How long a reader whose access token has expired waits for another
    /// instance's refresh before failing with `REFRESH_IN_PROGRESS`: 25 s,
    /// below AWS API Gateway's 29 s and Heroku's 30 s request limits and far
    /// below the 300 s of browsers and Node, so the caller gets a retryable
    /// answer rather than a dropped connection. A reader whose token is only
    /// inside its margin does not wait: it gets that still-valid token.
    pub lease_wait_ms: u64,
    /// Tries for one write when the store fails.
    pub write_attempts: u32,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            app: "default".to_owned(),
            skew_ms: 5 * 60_000,
            lease_poll_ms: 250,
            lease_wait_ms: DEFAULT_LEASE_WAIT_MS,
            write_attempts: 3,
        }
    }
}

/// The default of [`VaultOptions::lease_wait_ms`].
pub const DEFAULT_LEASE_WAIT_MS: u64 = 25_000;

/// The largest [`VaultOptions::lease_wait_ms`] a host may set (`leaseWaitMs`).
pub const MAX_LEASE_WAIT_MS: u64 = 600_000;

/// The `leaseWaitMs` option as a host gives it (`None`: not a number): a
/// whole number of milliseconds from 0 (a reader with an expired token does
/// not wait) to [`MAX_LEASE_WAIT_MS`]; `INVALID_INPUT` otherwise.
pub fn lease_wait_ms(value: Option<f64>) -> Result<u64> {
    match value {
        Some(ms) if ms.fract() == 0.0 && (0.0..=MAX_LEASE_WAIT_MS as f64).contains(&ms) => {
            Ok(ms as u64)
        }
        _ => Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "leaseWaitMs must be a whole number of milliseconds from 0 to {MAX_LEASE_WAIT_MS}"
            ),
        )),
    }
}

/// What a refresh lease adds to the refresh's worst case: the store calls
/// made under it (reading the record again, writing the new one).
pub const LEASE_STORE_MS: u64 = 10_000;

/// What happened to a connection, for the host's `onEvent` hook. Never
/// holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: EventType,
    pub connection_id: String,
    pub kind: Kind,
    pub connector: String,
    pub user_id: Option<String>,
    pub status: Status,
    pub at_ms: u64,
    /// Why a refresh failed.
    pub code: Option<ErrorCode>,
}

unit_enum! {
    /// What happened to a connection, by the name the event hook sees.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum EventType {
        Created = "connection.created",
        Refreshed = "connection.refreshed",
        RefreshFailed = "connection.refresh_failed",
        Expired = "connection.expired",
        Recovered = "connection.recovered",
        Disconnected = "connection.disconnected",
    }
}

/// Which connections [`Vault::list`] answers: every kind and connector
/// unless narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub kind: Option<Kind>,
    /// The integration type (shared) or connector id.
    pub connector: Option<String>,
}

/// A page of [`Vault::list`].
#[derive(Debug, Clone)]
pub struct ConnectionPage {
    /// Not disconnected, in the store's order. Across pages a connection
    /// may come twice (a store such as Redis may answer a key twice).
    pub connections: Vec<Record>,
    /// For the next page (the store's); `None` when the listing is done.
    pub cursor: Option<String>,
    /// Records in this page that did not open (sealed under a secret no
    /// longer in the key ring, changed, or moved): left out.
    pub unreadable: u32,
}

/// Where a record handed out as stored came from: its store key and the
/// exact sealed string read there (see [`Vault::get_stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAs {
    pub key: String,
    pub sealed: String,
}

/// A refresh result not yet written: the record it replaces (`base`, as
/// stored and opened) and the new one.
struct Unsaved {
    base: String,
    base_record: Record,
    record: Record,
}

/// The hook that receives [`Event`]s.
pub type EventHook = Box<dyn Fn(&Event)>;

/// The vault over a store and a clock. Provider calls go through the
/// `fetch` given with each call's client.
pub struct Vault<S, C> {
    ring: KeyRing,
    store: S,
    clock: C,
    options: VaultOptions,
    on_event: Option<EventHook>,
    flights: Flights<Record>,
    /// Refresh results whose write failed, by store key: written first on
    /// the next read, so their refresh token is the one used next.
    unsaved: RefCell<HashMap<String, Unsaved>>,
    /// The last record opened per store key, with the exact sealed string
    /// it came from (see [`Vault::open_read`]).
    opened: RefCell<HashMap<String, (String, Record)>>,
}

/// The most records token reads keep opened beside their sealed strings;
/// past it, one is dropped per new one.
pub const OPENED_RECORDS: usize = 1024;

fn not_connected() -> Error {
    Error::new(
        ErrorCode::NotConnected,
        "There is no connection: connect the account first",
    )
}

fn needs_reconnect() -> Error {
    Error::new(
        ErrorCode::NeedsReconnect,
        "The provider no longer accepts this connection's refresh token: connect the account again",
    )
}

/// How many times a write is attempted again after another writer won the
/// compare-and-set, before giving up.
const CAS_ROUNDS: usize = 8;

/// Other writers won every compare-and-set of a bounded loop.
fn kept_changing(during: &str) -> Error {
    Error::new(
        ErrorCode::StoreUnavailable,
        format!("The connection kept changing while {during}; try again"),
    )
}

/// The record if it can hand out tokens.
fn usable(record: Record) -> Result<Record> {
    match record.status {
        Status::Active => Ok(record),
        Status::Expired => Err(needs_reconnect()),
        Status::Disconnected => Err(not_connected()),
    }
}

/// The wait before write attempt `attempt` + 1 (the first retry is 1).
fn write_backoff_ms(attempt: u32) -> u64 {
    100 << attempt.min(6)
}

/// A random id: 16 bytes, base64url.
fn random_id() -> Result<String> {
    Ok(crate::b64::url(random_bytes::<16>()?))
}

impl<S: Store, C: Clock> Vault<S, C> {
    pub fn new(ring: KeyRing, store: S, clock: C, options: VaultOptions) -> Self {
        Vault {
            ring,
            store,
            clock,
            options,
            on_event: None,
            flights: Flights::default(),
            unsaved: RefCell::default(),
            opened: RefCell::default(),
        }
    }

    /// The store the vault writes to (the server keeps `state` nonces and
    /// authorization status beside the records).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The vault's clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Sends every lifecycle event to `hook`.
    pub fn on_event(mut self, hook: EventHook) -> Self {
        self.on_event = Some(hook);
        self
    }

    fn key(&self, key: &ConnectionKey) -> Result<String> {
        key.check()?;
        Ok(key.store_key(&self.options.app))
    }

    fn emit(&self, event: EventType, record: &Record, code: Option<ErrorCode>) {
        if let Some(hook) = &self.on_event {
            hook(&Event {
                event,
                connection_id: record.id.clone(),
                kind: record.kind,
                connector: record.connector.clone(),
                user_id: record.user_id.clone(),
                status: record.status,
                at_ms: self.clock.now_ms(),
                code,
            });
        }
    }

    fn seal(&self, skey: &str, record: &Record) -> Result<String> {
        self.ring.seal(skey, &record.to_bytes()?)
    }

    fn open(&self, skey: &str, stored: &str) -> Result<Record> {
        Record::from_bytes(&self.ring.open(skey, stored)?.plain)
    }

    /// [`Vault::open`] for a read. The store is still read on every
    /// request; what is kept is the last record a read opened per slot,
    /// beside the exact sealed string it came from, so a read of that same
    /// string skips the AES-GCM open and the JSON parse, and any other
    /// string (another write: each seal has a fresh nonce) is opened and
    /// checked in full. Nothing stale can come out of it.
    fn open_read(&self, skey: &str, stored: &str) -> Result<Record> {
        if let Some((sealed, record)) = self.opened.borrow().get(skey)
            && sealed == stored
        {
            return Ok(record.clone());
        }
        let record = self.open(skey, stored)?;
        let mut opened = self.opened.borrow_mut();
        if opened.len() >= OPENED_RECORDS && !opened.contains_key(skey) {
            let first = opened.keys().next().cloned();
            if let Some(first) = first {
                opened.remove(&first);
            }
        }
        opened.insert(skey.to_owned(), (stored.to_owned(), record.clone()));
        Ok(record)
    }

    /// The stored string and its record, if any.
    async fn read(&self, skey: &str) -> Result<Option<(String, Record)>> {
        match self.store.get(skey).await? {
            Some(stored) => {
                let record = self.open_read(skey, &stored)?;
                Ok(Some((stored, record)))
            }
            None => Ok(None),
        }
    }

    /// The stored string and its record, which must be able to hand out
    /// tokens (`NOT_CONNECTED`, `NEEDS_RECONNECT` otherwise).
    async fn read_usable(&self, skey: &str) -> Result<(String, Record)> {
        let (stored, record) = self.read(skey).await?.ok_or_else(not_connected)?;
        Ok((stored, usable(record)?))
    }

    /// How long `record`'s access token is still handed out without a
    /// refresh (until the earliest moment it can be due); `None`
    /// when it does not expire.
    pub fn fresh_for_ms(&self, record: &Record) -> Option<u64> {
        let until = self.fresh_until_ms(record)?;
        Some(until.saturating_sub(self.clock.now_ms()))
    }

    /// Until when (ms since the epoch, exclusive) `record`'s access token
    /// is handed out without a refresh: before it, [`Vault::get`] never
    /// finds the record due. `None` when it does not expire.
    pub fn fresh_until_ms(&self, record: &Record) -> Option<u64> {
        let expires_at = record.expires_at_ms?;
        let (_, earliest) = self.margin(record, expires_at);
        Some(expires_at.saturating_sub(earliest))
    }

    /// The refresh margin of a token expiring at `expires_at`, as the time
    /// left from which it is always due and the time left from which it can
    /// be due (the jitter decides in between). For a long-lived token that
    /// is the skew ±10%; the upper end is never more than half the lifetime
    /// the provider announced, and the lower end keeps its ratio to it, so a
    /// token is never refreshed in the first half of its life.
    fn margin(&self, record: &Record, expires_at: u64) -> (u64, u64) {
        let skew = self.options.skew_ms;
        let lifetime = expires_at.saturating_sub(record.obtained_at_ms);
        let upper = skew.saturating_add(skew / 10).min(lifetime / 2);
        // 0.9 / 1.1 of the upper end, as in the skew's own window.
        (upper / 11 * 9 + upper % 11 * 9 / 11, upper)
    }

    /// Whether the access token is expired or inside its margin.
    fn due(&self, record: &Record) -> bool {
        let Some(expires_at) = record.expires_at_ms else {
            return false;
        };
        let (always, earliest) = self.margin(record, expires_at);
        let now = self.clock.now_ms();
        // Only inside the window does the jitter decide, so only there is
        // randomness drawn (a host call; Node's first costs ~2.4 ms).
        if expires_at <= now.saturating_add(always) {
            return true;
        }
        if expires_at > now.saturating_add(earliest) {
            return false;
        }
        let spread = earliest - always;
        let jitter = random_bytes::<8>()
            .map(u64::from_le_bytes)
            .map_or(spread / 2, |r| r % (spread + 1));
        expires_at <= now.saturating_add(always + jitter)
    }

    /// How long a refresh lease holds: the longest a refresh through
    /// `client` and `fetch` can take (every attempt timing out, the longest
    /// wait before each retry), the write's retries, and the store calls.
    pub fn lease_ttl_ms<F: Fetch>(&self, client: &OAuthClient, fetch: &F) -> u64 {
        let writes = (1..self.options.write_attempts.max(1))
            .map(write_backoff_ms)
            .fold(0u64, u64::saturating_add);
        client
            .retry
            .worst_case_ms(fetch.timeout_ms())
            .saturating_add(writes)
            .saturating_add(LEASE_STORE_MS)
    }

    /// A compare-and-set, retried with backoff while the store fails.
    async fn write(&self, skey: &str, expected: Option<&str>, value: Option<&str>) -> Result<bool> {
        let mut attempt = 0;
        loop {
            match self
                .store
                .compare_and_set(skey, expected, value, None)
                .await
            {
                Ok(done) => {
                    // The record kept opened is replaced: a disconnect's
                    // tombstone or purge leaves no opened token behind.
                    if done {
                        self.opened.borrow_mut().remove(skey);
                    }
                    return Ok(done);
                }
                Err(e) => {
                    attempt += 1;
                    if attempt >= self.options.write_attempts.max(1) {
                        return Err(e);
                    }
                    self.clock.sleep(write_backoff_ms(attempt)).await;
                }
            }
        }
    }

    /// Stores a new connection from a code exchange, or replaces the tokens
    /// of an existing one (a reconnect keeps its id and creation time). A
    /// record that no longer opens is replaced.
    pub async fn save(&self, key: &ConnectionKey, tokens: TokenSet) -> Result<Record> {
        let skey = self.key(key)?;
        for _ in 0..CAS_ROUNDS {
            let now = self.clock.now_ms();
            let stored = self.store.get(&skey).await?;
            let previous = stored
                .as_deref()
                .and_then(|s| self.open(&skey, s).ok())
                .filter(|r| r.status != Status::Disconnected);
            let (record, event) = match &previous {
                Some(p) => (
                    p.with_tokens(tokens.clone(), now),
                    match p.status {
                        Status::Expired => EventType::Recovered,
                        _ => EventType::Created,
                    },
                ),
                None => (
                    Record::new(random_id()?, key, tokens.clone(), now),
                    EventType::Created,
                ),
            };
            let sealed = self.seal(&skey, &record)?;
            if self.write(&skey, stored.as_deref(), Some(&sealed)).await? {
                // Newer tokens than any refresh result still unsaved.
                self.unsaved.borrow_mut().remove(&skey);
                self.emit(event, &record, None);
                return Ok(record);
            }
        }
        Err(kept_changing("it was saved"))
    }

    /// The stored connection as it is (any status), without refreshing.
    pub async fn status(&self, key: &ConnectionKey) -> Result<Option<Record>> {
        let skey = self.key(key)?;
        if let Some(unsaved) = self.unsaved.borrow().get(&skey) {
            return Ok(Some(unsaved.record.clone()));
        }
        Ok(self.read(&skey).await?.map(|(_, r)| r))
    }

    /// An active connection with an access token that is not about to
    /// expire: refreshed first when it is. `NOT_CONNECTED` when there is
    /// none, `NEEDS_RECONNECT` when the provider refused its refresh token.
    pub async fn get<F: Fetch>(
        &self,
        key: &ConnectionKey,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<Record> {
        Ok(self.get_stored(key, client, fetch).await?.0)
    }

    /// [`Vault::get`], and where the record was read from when it was
    /// handed out as the store holds it (not refreshed, nothing unsaved):
    /// then, while the store still holds that exact sealed string, a get
    /// before [`Vault::fresh_until_ms`] answers the same record.
    pub async fn get_stored<F: Fetch>(
        &self,
        key: &ConnectionKey,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<(Record, Option<StoredAs>)> {
        let skey = self.key(key)?;
        if !self.unsaved.borrow().contains_key(&skey) {
            let (sealed, record) = self.read_usable(&skey).await?;
            if !self.due(&record) {
                let stored = StoredAs { key: skey, sealed };
                return Ok((record, Some(stored)));
            }
        }
        let record = self
            .flights
            .run(&skey, || self.refresh(&skey, client, fetch))
            .await?;
        Ok((record, None))
    }

    /// The refresh, once per instance: an unsaved result is written first;
    /// then the lease, or a wait for the instance that holds it.
    async fn refresh<F: Fetch>(
        &self,
        skey: &str,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<Record> {
        let unsaved = self.unsaved.borrow_mut().remove(skey);
        if let Some(unsaved) = unsaved {
            let record = self.persist(skey, unsaved, client, fetch).await?;
            if !self.due(&record) {
                return Ok(record);
            }
        }
        let lease_key = crate::store_keys::lease(skey);
        let lease_id = random_id()?;
        let ttl = self.lease_ttl_ms(client, fetch);
        let give_up_at = self
            .clock
            .now_ms()
            .saturating_add(self.options.lease_wait_ms);
        while !self
            .store
            .set_if_absent(&lease_key, &lease_id, Some(ttl))
            .await?
        {
            // Another instance is refreshing: its result may already be
            // stored, and a token that has not expired is still handed out.
            let (_, record) = self.read_usable(skey).await?;
            let now = self.clock.now_ms();
            if !self.due(&record) || record.expires_at_ms.is_some_and(|e| e > now) {
                return Ok(record);
            }
            if now >= give_up_at {
                return Err(Error::new(
                    ErrorCode::RefreshInProgress,
                    format!(
                        "Another instance is refreshing this connection and did not finish within {} ms; try again",
                        self.options.lease_wait_ms
                    ),
                ));
            }
            self.clock
                .sleep(self.options.lease_poll_ms.min(give_up_at - now).max(1))
                .await;
        }
        let result = self.refresh_leased(skey, client, fetch).await;
        // Only our own lease; if this fails, the TTL frees it.
        let _ = self
            .store
            .compare_and_set(&lease_key, Some(&lease_id), None, None)
            .await;
        result
    }

    async fn refresh_leased<F: Fetch>(
        &self,
        skey: &str,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<Record> {
        // Read again: the previous holder may have refreshed it.
        let (stored, record) = self.read_usable(skey).await?;
        if !self.due(&record) {
            return Ok(record);
        }
        let now = self.clock.now_ms();
        let still_valid = record.expires_at_ms.is_some_and(|e| e > now);
        let Some(refresh_token) = record.refresh_token.clone() else {
            if still_valid {
                return Ok(record);
            }
            self.mark_expired(skey, &stored, &record).await?;
            return Err(needs_reconnect());
        };
        match client
            .refresh(fetch, &self.clock, &refresh_token, &record.scopes)
            .await
        {
            Ok(tokens) => {
                let now = self.clock.now_ms();
                let mut next = record.with_tokens(tokens, now);
                next.last_refresh = Some(RefreshOutcome::ok(now));
                let unsaved = Unsaved {
                    base: stored,
                    base_record: record,
                    record: next,
                };
                self.persist(skey, unsaved, client, fetch).await
            }
            Err(e) if e.code() == ErrorCode::NeedsReconnect => {
                // Another instance may have rotated the token meanwhile.
                match self.read(skey).await? {
                    Some((_, current)) if !current.same_tokens(&record) => usable(current),
                    Some((now_stored, current)) => {
                        self.mark_expired(skey, &now_stored, &current).await?;
                        Err(needs_reconnect())
                    }
                    None => Err(not_connected()),
                }
            }
            Err(e) => {
                let record = self.note_failure(skey, &stored, record, e.code()).await;
                self.emit(EventType::RefreshFailed, &record, Some(e.code()));
                if still_valid { Ok(record) } else { Err(e) }
            }
        }
    }

    /// Records in the stored record that its refresh failed with `code`:
    /// one compare-and-set, best effort (a record changed meanwhile, or a
    /// store that fails, keeps what it has). The record as it now stands.
    async fn note_failure(
        &self,
        skey: &str,
        stored: &str,
        record: Record,
        code: ErrorCode,
    ) -> Record {
        let failed = record.with_refresh_failed(code, self.clock.now_ms());
        let Ok(sealed) = self.seal(skey, &failed) else {
            return record;
        };
        match self
            .store
            .compare_and_set(skey, Some(stored), Some(&sealed), None)
            .await
        {
            Ok(true) => failed,
            _ => record,
        }
    }

    async fn mark_expired(&self, skey: &str, stored: &str, record: &Record) -> Result<()> {
        if record.status != Status::Active {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let mut expired = record.with_status(Status::Expired, now);
        expired.last_refresh = Some(RefreshOutcome::failed(ErrorCode::NeedsReconnect, now));
        let sealed = self.seal(skey, &expired)?;
        if self.write(skey, Some(stored), Some(&sealed)).await? {
            self.emit(
                EventType::Expired,
                &expired,
                Some(ErrorCode::NeedsReconnect),
            );
        }
        Ok(())
    }

    /// Writes a refresh result over the record it came from. When another
    /// write came first: a record with the same tokens (marked expired by
    /// another instance, or sealed again) takes our tokens; a newer one
    /// wins; a tombstone or a purge means disconnected, and our new tokens
    /// are revoked. When the store keeps failing, the result stays in
    /// memory for the next read.
    async fn persist<F: Fetch>(
        &self,
        skey: &str,
        mut unsaved: Unsaved,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<Record> {
        for _ in 0..CAS_ROUNDS {
            let sealed = self.seal(skey, &unsaved.record)?;
            let written = match self.write(skey, Some(&unsaved.base), Some(&sealed)).await {
                Ok(written) => written,
                Err(e) => {
                    self.unsaved.borrow_mut().insert(skey.to_owned(), unsaved);
                    return Err(e);
                }
            };
            if written {
                let event = match unsaved.base_record.status {
                    Status::Expired => EventType::Recovered,
                    _ => EventType::Refreshed,
                };
                self.emit(event, &unsaved.record, None);
                return Ok(unsaved.record);
            }
            let current = match self.read(skey).await {
                Ok(current) => current,
                Err(e) => {
                    self.unsaved.borrow_mut().insert(skey.to_owned(), unsaved);
                    return Err(e);
                }
            };
            match current {
                Some((stored, current))
                    if current.status != Status::Disconnected
                        && current.same_tokens(&unsaved.base_record) =>
                {
                    let now = self.clock.now_ms();
                    let record = current.with_tokens_of(&unsaved.record, now);
                    unsaved = Unsaved {
                        base: stored,
                        base_record: current,
                        record,
                    };
                }
                Some((_, current)) if current.status != Status::Disconnected => {
                    return usable(current);
                }
                _ => {
                    self.revoke_quietly(client, fetch, &unsaved.record).await;
                    return Err(not_connected());
                }
            }
        }
        self.unsaved.borrow_mut().insert(skey.to_owned(), unsaved);
        Err(kept_changing("its refresh was written"))
    }

    /// Revokes tokens nobody will store (best effort).
    async fn revoke_quietly<F: Fetch>(&self, client: &OAuthClient, fetch: &F, record: &Record) {
        self.revoke(client, fetch, record).await;
    }

    /// Revokes the refresh token, then the access token (RFC 7009); where
    /// the endpoint takes only access tokens, the access token alone. Once
    /// the refresh token is revoked, a provider may refuse the access token
    /// as already revoked (RFC 7009 §2.1: revoking a refresh token revokes
    /// the grant's access tokens; Salesforce then answers 400
    /// `invalid_token`): that refusal is not a failed revocation.
    async fn revoke<F: Fetch>(
        &self,
        client: &OAuthClient,
        fetch: &F,
        record: &Record,
    ) -> Revocation {
        let mut outcome = Revocation::Revoked;
        let mut refresh_revoked = false;
        let revocation = client.provider.revocation.as_ref();
        let refresh_only = revocation.is_some_and(|r| r.refresh_only);
        let takes_refresh = revocation.is_none_or(|r| r.style.takes_refresh_tokens());
        if let Some(rt) = record.refresh_token.as_ref().filter(|_| takes_refresh) {
            let revoked = client
                .revoke(fetch, &self.clock, rt.secret(), Some("refresh_token"))
                .await;
            match revoked {
                Ok(Revocation::Unsupported) => return Revocation::Unsupported,
                Ok(_) => refresh_revoked = true,
                Err(e) => outcome = Revocation::Failed(e.code()),
            }
        }
        // The endpoint takes only a refresh token (whose revocation ended
        // the grant): without one there is nothing it can revoke.
        if refresh_only {
            return match record.refresh_token {
                Some(_) => outcome,
                None => Revocation::Unsupported,
            };
        }
        let revoked = client
            .revoke(
                fetch,
                &self.clock,
                record.access_token.secret(),
                Some("access_token"),
            )
            .await;
        match (revoked, outcome) {
            (Ok(Revocation::Unsupported), _) => Revocation::Unsupported,
            (Ok(_), outcome) => outcome,
            (Err(e), outcome) if refresh_revoked && e.code() == ErrorCode::ProviderError => outcome,
            (Err(e), Revocation::Revoked) => Revocation::Failed(e.code()),
            (Err(_), outcome) => outcome,
        }
    }

    /// A page of the app's connections (every kind, or those of `filter`),
    /// at most `limit` (1 to [`MAX_LIST_LIMIT`]) of them, from `cursor`
    /// (the previous page's; `None` for the first). Needs a store that
    /// lists (`LIST_UNSUPPORTED` otherwise). Leases and other keys are not
    /// connections; tombstones (disconnected, revocation pending) are left
    /// out, and so are records that do not open (counted in
    /// [`ConnectionPage::unreadable`]). A refresh result not yet written
    /// stands for its record, as in [`Vault::status`]. A page may be short,
    /// even empty, before the end.
    pub async fn list(
        &self,
        filter: &ListFilter,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<ConnectionPage> {
        if !(1..=MAX_LIST_LIMIT).contains(&limit) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("limit must be a whole number from 1 to {MAX_LIST_LIMIT}"),
            ));
        }
        let app = &self.options.app;
        let kind = filter.kind.map(Kind::as_str);
        let user_connector = filter
            .connector
            .as_deref()
            .filter(|_| filter.kind == Some(Kind::AppUser));
        let prefix = crate::store_keys::connections(app, kind, user_connector);
        let page = self.store.list(&prefix, cursor, limit).await?;
        let mut seen = std::collections::HashSet::new();
        let mut connections = Vec::new();
        let mut unreadable = 0;
        for (skey, stored) in &page.entries {
            if !skey.starts_with(&prefix)
                || !crate::store_keys::is_connection(app, skey)
                || !seen.insert(skey.as_str())
            {
                continue;
            }
            let unsaved = self.unsaved.borrow().get(skey).map(|u| u.record.clone());
            let record = match unsaved.map_or_else(|| self.open(skey, stored), Ok) {
                Ok(record) => record,
                Err(_) => {
                    unreadable += 1;
                    continue;
                }
            };
            let wanted = record.status != Status::Disconnected
                && filter.kind.is_none_or(|k| k == record.kind)
                && filter
                    .connector
                    .as_ref()
                    .is_none_or(|c| *c == record.connector);
            if wanted {
                connections.push(record);
            }
        }
        Ok(ConnectionPage {
            connections,
            cursor: page.cursor,
            unreadable,
        })
    }

    /// Disconnects: a tombstone first (reads fail at once), then revocation
    /// of the refresh and access tokens, then the record is purged. When
    /// revocation fails the tombstone stays, its tokens sealed, and calling
    /// again tries again. A record that no longer opens is purged.
    pub async fn disconnect<F: Fetch>(
        &self,
        key: &ConnectionKey,
        client: &OAuthClient,
        fetch: &F,
    ) -> Result<Revocation> {
        let skey = self.key(key)?;
        let unsaved = self.unsaved.borrow_mut().remove(&skey);
        for _ in 0..CAS_ROUNDS {
            let Some(stored) = self.store.get(&skey).await? else {
                if let Some(p) = &unsaved {
                    self.revoke_quietly(client, fetch, &p.record).await;
                }
                return Ok(Revocation::None);
            };
            let Ok(record) = self.open(&skey, &stored) else {
                if self.write(&skey, Some(&stored), None).await? {
                    return Ok(Revocation::None);
                }
                continue;
            };
            let (tombstone, sealed) = if record.status == Status::Disconnected {
                (record, stored)
            } else {
                let tombstone = record.with_status(Status::Disconnected, self.clock.now_ms());
                let sealed = self.seal(&skey, &tombstone)?;
                if !self.write(&skey, Some(&stored), Some(&sealed)).await? {
                    continue;
                }
                self.emit(EventType::Disconnected, &tombstone, None);
                (tombstone, sealed)
            };
            if let Some(p) = &unsaved {
                self.revoke_quietly(client, fetch, &p.record).await;
            }
            let revocation = self.revoke(client, fetch, &tombstone).await;
            if !matches!(revocation, Revocation::Failed(_)) {
                // A reconnect since the tombstone is kept: compare-and-set.
                self.write(&skey, Some(&sealed), None).await?;
            }
            return Ok(revocation);
        }
        Err(kept_changing("it was disconnected"))
    }
}

#[cfg(test)]
mod tests;
