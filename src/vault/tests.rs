use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use super::*;
use crate::catalog::Catalog;
use crate::http::{FetchFailure, HttpResponse};
use crate::oauth::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::oauth::token::{Account, ClientCredentials};
use crate::test_util::{
    FakeClock, FakeFetch, MemoryStore, block_on, join_all, json_response, poll_once,
};

const T0: u64 = 1_800_000_000_000;
const MIN: u64 = 60_000;
const K1: &[u8] = b"first-secret-0123456789abcdef0123";
const K2: &[u8] = b"second-secret-0123456789abcdef012";

/// One instance: a vault and the fetch its provider calls go through.
struct TestVault {
    vault: Vault<Rc<MemoryStore>, Rc<FakeClock>>,
    fetch: Rc<FakeFetch>,
}

impl TestVault {
    async fn get(&self, key: &ConnectionKey, client: &OAuthClient) -> Result<Record> {
        self.vault.get(key, client, &self.fetch).await
    }

    async fn disconnect(&self, key: &ConnectionKey, client: &OAuthClient) -> Result<Revocation> {
        self.vault.disconnect(key, client, &self.fetch).await
    }

    async fn save(&self, key: &ConnectionKey, tokens: TokenSet) -> Result<Record> {
        self.vault.save(key, tokens).await
    }

    async fn status(&self, key: &ConnectionKey) -> Result<Option<Record>> {
        self.vault.status(key).await
    }
}

/// One deployment: a clock, a store, and the events every vault on it sent.
struct World {
    clock: Rc<FakeClock>,
    store: Rc<MemoryStore>,
    events: Rc<RefCell<Vec<Event>>>,
}

impl World {
    fn new() -> World {
        let clock = Rc::new(FakeClock::at(T0));
        let store = MemoryStore::on(&clock);
        World {
            clock,
            store,
            events: Rc::default(),
        }
    }

    /// A vault instance over the shared store, with its own fetch.
    fn vault(&self, secrets: &[&[u8]], fetch: &Rc<FakeFetch>) -> TestVault {
        self.vault_with(secrets, fetch, VaultOptions::default())
    }

    /// The same with `options` (its `app` is always "app1").
    fn vault_with(
        &self,
        secrets: &[&[u8]],
        fetch: &Rc<FakeFetch>,
        options: VaultOptions,
    ) -> TestVault {
        let events = self.events.clone();
        let vault = Vault::new(
            KeyRing::new(secrets).unwrap(),
            self.store.clone(),
            self.clock.clone(),
            VaultOptions {
                app: "app1".into(),
                ..options
            },
        )
        .on_event(Box::new(move |e| events.borrow_mut().push(e.clone())));
        TestVault {
            vault,
            fetch: fetch.clone(),
        }
    }

    fn events(&self) -> Vec<&'static str> {
        self.events
            .borrow()
            .iter()
            .map(|e| e.event.as_str())
            .collect()
    }

    fn advance(&self, ms: u64) {
        self.clock.now.set(self.clock.now.get() + ms);
    }

    fn set_to(&self, now_ms: u64) {
        self.clock.now.set(now_ms);
    }
}

fn client(provider: &str) -> OAuthClient {
    let provider = Catalog::builtin().unwrap().get(provider).cloned().unwrap();
    OAuthClient::new(
        provider,
        ClientCredentials {
            client_id: "CID".into(),
            client_secret: Some(ClientSecret::new("SENTINEL_CS")),
        },
        "https://app.example/callback",
    )
    .unwrap()
}

fn user(id: &str) -> ConnectionKey {
    ConnectionKey::AppUser {
        connector_id: "calendar".into(),
        user_id: id.into(),
    }
}

fn tokens(at: &str, rt: Option<&str>, expires_at_ms: Option<u64>) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(at),
        refresh_token: rt.map(RefreshToken::new),
        token_type: "Bearer".into(),
        expires_at_ms,
        scopes: vec!["calendar".into()],
        requested_scopes: Vec::new(),
        connection_config: BTreeMap::new(),
        account: Account {
            id: Some("u-1".into()),
            email: Some("a@example.com".into()),
        },
        raw: serde_json::Value::Null,
    }
}

/// A refresh answer: a new access token for an hour, maybe a new refresh token.
fn refreshed(at: &str, rt: Option<&str>) -> Result<HttpResponse, FetchFailure> {
    let rt = rt.map_or(String::new(), |rt| format!(r#","refresh_token":"{rt}""#));
    Ok(json_response(
        200,
        &format!(r#"{{"access_token":"{at}","expires_in":3600{rt}}}"#),
    ))
}

fn invalid_grant() -> Result<HttpResponse, FetchFailure> {
    Ok(json_response(400, r#"{"error":"invalid_grant"}"#))
}

fn fetch(answers: Vec<Result<HttpResponse, FetchFailure>>) -> Rc<FakeFetch> {
    Rc::new(FakeFetch::answering(answers))
}

/// The form body of request `i`.
fn body(fetch: &FakeFetch, i: usize) -> String {
    String::from_utf8(fetch.requests.borrow()[i].body.clone()).unwrap()
}

fn code<T: std::fmt::Debug>(result: Result<T>) -> ErrorCode {
    result.expect_err("an error").code()
}

/// `sealed` with one base64 character near its end changed.
fn one_byte_changed(sealed: String) -> String {
    let mut bytes = sealed.into_bytes();
    let last = bytes.len() - 5;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Writes `value` into `key`'s slot of the store, past the vault.
fn put_raw(w: &World, key: &ConnectionKey, value: String) {
    w.store
        .entries
        .borrow_mut()
        .insert(key.store_key("app1"), (value, None));
}

fn stored(w: &World, key: &ConnectionKey) -> String {
    w.store
        .value(&key.store_key("app1"))
        .expect("a stored record")
}

/// Polls `future` for 20 turns, long enough to reach a held fetch, and
/// checks that it has not finished.
fn park<T: Future + Unpin>(future: &mut T) {
    for _ in 0..20 {
        assert!(poll_once(future).is_none());
    }
}

/// A connection whose access token expired a minute ago.
fn expired_connection(w: &World, v: &TestVault, at: &str, rt: &str) -> Record {
    let record = block_on(v.save(&user("a"), tokens(at, Some(rt), Some(T0 - MIN)))).unwrap();
    w.events.borrow_mut().clear();
    record
}

#[test]
fn a_saved_connection_reads_back_and_the_store_holds_no_plaintext() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    let saved = block_on(v.save(
        &user("a"),
        tokens("SENTINEL_AT", Some("SENTINEL_RT"), Some(T0 + 60 * MIN)),
    ))
    .unwrap();
    let read = block_on(v.get(&user("a"), &client("googlecalendar"))).unwrap();
    assert_eq!(read.access_token.secret(), "SENTINEL_AT");
    assert_eq!(
        read.refresh_token.as_ref().map(RefreshToken::secret),
        Some("SENTINEL_RT")
    );
    assert_eq!((read.id.as_str(), read.version), (saved.id.as_str(), 1));
    assert_eq!(read.account.email.as_deref(), Some("a@example.com"));
    assert_eq!((read.kind, read.status), (Kind::AppUser, Status::Active));
    assert_eq!(f.calls(), 0, "a fresh token is not refreshed");
    assert_eq!(w.events(), ["connection.created"]);

    let dump = w.store.dump();
    let b64 = |s: &str| crate::b64::url(s);
    let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    for secret in ["SENTINEL_AT", "SENTINEL_RT", "a@example.com"] {
        for form in [secret.to_owned(), b64(secret), hex(secret)] {
            assert!(!dump.contains(&form), "the store holds {form}");
        }
    }
    // Saving the same tokens again writes a different ciphertext.
    let first = stored(&w, &user("a"));
    block_on(v.save(
        &user("a"),
        tokens("SENTINEL_AT", Some("SENTINEL_RT"), Some(T0 + 60 * MIN)),
    ))
    .unwrap();
    assert_ne!(stored(&w, &user("a")), first);
}

#[test]
fn no_connection_and_bad_keys_have_their_own_codes() {
    let w = World::new();
    let v = w.vault(&[K1], &fetch(vec![]));
    let c = client("googlecalendar");
    assert_eq!(
        code(block_on(v.get(&user("nobody"), &c))),
        ErrorCode::NotConnected
    );
    assert_eq!(
        code(block_on(v.get(&user(""), &c))),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(block_on(v.get(&user(&"x".repeat(257)), &c))),
        ErrorCode::InvalidInput
    );
    assert!(block_on(v.status(&user("nobody"))).unwrap().is_none());
}

#[test]
fn store_keys_do_not_collide() {
    let keys = [
        user("a:b").store_key("app"),
        ConnectionKey::AppUser {
            connector_id: "calendar:a".into(),
            user_id: "b".into(),
        }
        .store_key("app"),
        ConnectionKey::Workspace {
            connector_id: "calendar".into(),
        }
        .store_key("app"),
        ConnectionKey::Shared {
            integration_type: "calendar".into(),
        }
        .store_key("app"),
        user("a:b").store_key("app2"),
    ];
    let unique: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
}

#[test]
fn a_record_moved_to_another_users_slot_or_changed_does_not_open() {
    let w = World::new();
    let v = w.vault(&[K1], &fetch(vec![]));
    let c = client("googlecalendar");
    block_on(v.save(&user("a"), tokens("AT-A", Some("RT-A"), None))).unwrap();
    block_on(v.save(&user("b"), tokens("AT-B", Some("RT-B"), None))).unwrap();
    // Each read once first: the vault keeps both records opened beside
    // their sealed strings, and must still check any other string in full.
    for who in ["a", "b"] {
        block_on(v.get(&user(who), &c)).unwrap();
    }
    assert_eq!(v.vault.opened.borrow().len(), 2);
    let a = stored(&w, &user("a"));
    put_raw(&w, &user("b"), a.clone());
    assert_eq!(
        code(block_on(v.get(&user("b"), &c))),
        ErrorCode::RecordTampered
    );

    put_raw(&w, &user("a"), one_byte_changed(a));
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::RecordTampered
    );
    put_raw(&w, &user("a"), "not a record".into());
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::RecordMalformed
    );
}

#[test]
fn a_record_kept_opened_is_not_handed_out_once_another_instance_wrote() {
    let w = World::new();
    let v = w.vault(&[K1], &fetch(vec![]));
    let other = w.vault(&[K1], &fetch(vec![]));
    let c = client("googlecalendar");
    let token = |v: &TestVault| {
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret()
            .to_owned()
    };
    block_on(v.save(&user("a"), tokens("AT-A", Some("RT-A"), None))).unwrap();
    assert_eq!(token(&v), "AT-A");
    assert_eq!(v.vault.opened.borrow().len(), 1, "read once: kept opened");
    // Another instance writes new tokens: the next read hands them out.
    block_on(other.save(&user("a"), tokens("AT-A2", Some("RT-A2"), None))).unwrap();
    assert_eq!(token(&v), "AT-A2");
}

#[test]
fn records_kept_opened_are_bounded_and_a_disconnect_leaves_none() {
    let w = World::new();
    let v = w.vault(&[K1], &fetch(vec![]));
    let c = client("googlecalendar");
    for i in 0..OPENED_RECORDS + 5 {
        let key = user(&format!("u{i}"));
        block_on(v.save(&key, tokens(&format!("AT{i}"), None, None))).unwrap();
        assert_eq!(
            block_on(v.get(&key, &c)).unwrap().access_token.secret(),
            format!("AT{i}")
        );
    }
    assert_eq!(v.vault.opened.borrow().len(), OPENED_RECORDS);
    // Every connection still reads right, kept opened or not.
    for i in [0, 7, OPENED_RECORDS + 4] {
        let got = block_on(v.get(&user(&format!("u{i}")), &c)).unwrap();
        assert_eq!(got.access_token.secret(), format!("AT{i}"));
    }

    let last = user(&format!("u{}", OPENED_RECORDS + 4));
    let skey = last.store_key("app1");
    assert!(v.vault.opened.borrow().contains_key(&skey));
    block_on(v.disconnect(&last, &c)).unwrap();
    assert!(
        !v.vault.opened.borrow().contains_key(&skey),
        "a purged connection's tokens stay kept"
    );
    assert_eq!(code(block_on(v.get(&last, &c))), ErrorCode::NotConnected);
}

#[test]
fn key_rotation_reads_old_records_and_seals_again_on_the_next_write() {
    let w = World::new();
    let old = w.vault(&[K1], &fetch(vec![]));
    expired_connection(&w, &old, "AT1", "RT1");
    block_on(old.save(&user("b"), tokens("ATB", Some("RTB"), None))).unwrap();
    let k1_id = KeyRing::new(&[K1]).unwrap().current_id().to_owned();
    let k2_id = KeyRing::new(&[K2]).unwrap().current_id().to_owned();
    assert!(stored(&w, &user("a")).starts_with(&format!("v1.{k1_id}.")));

    let f = fetch(vec![refreshed("AT2", None)]);
    let rotated = w.vault(&[K2, K1], &f);
    let c = client("googlecalendar");
    assert_eq!(
        block_on(rotated.get(&user("b"), &c))
            .unwrap()
            .access_token
            .secret(),
        "ATB"
    );
    let read = block_on(rotated.get(&user("a"), &c)).unwrap();
    assert_eq!(read.access_token.secret(), "AT2");
    assert!(
        stored(&w, &user("a")).starts_with(&format!("v1.{k2_id}.")),
        "sealed again with k2"
    );

    // k1 dropped: records still under k1 fail with a code; the others read.
    let without_k1 = w.vault(&[K2], &fetch(vec![]));
    assert_eq!(
        block_on(without_k1.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT2"
    );
    assert_eq!(
        code(block_on(without_k1.get(&user("b"), &c))),
        ErrorCode::VaultKeyUnknown
    );
    // Connecting again replaces the record that no longer opens.
    block_on(without_k1.save(&user("b"), tokens("ATB2", None, None))).unwrap();
    assert_eq!(
        block_on(without_k1.get(&user("b"), &c))
            .unwrap()
            .access_token
            .secret(),
        "ATB2"
    );
}

#[test]
fn refresh_happens_inside_the_skew_and_not_before() {
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", None)]);
    let v = w.vault(&[K1], &f);
    let c = client("googlecalendar");
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), Some(T0 + 10 * MIN)))).unwrap();
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT1"
    );
    assert_eq!(f.calls(), 0, "10 minutes left: no refresh");
    w.advance(8 * MIN);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT2"
    );
    assert_eq!(f.calls(), 1, "2 minutes left: refreshed");
    assert!(body(&f, 0).contains("refresh_token=RT1"));
    // No expiry from the provider: never refreshed.
    block_on(v.save(&user("b"), tokens("ATB", Some("RTB"), None))).unwrap();
    w.advance(365 * 24 * 60 * MIN);
    assert_eq!(
        block_on(v.get(&user("b"), &c))
            .unwrap()
            .access_token
            .secret(),
        "ATB"
    );
    assert_eq!(f.calls(), 1);
}

#[test]
fn the_skew_jitter_decides_only_inside_its_window() {
    // For a long-lived token the skew is 5 minutes ±10%: due from 5.5
    // minutes before expiry at the earliest, and always from 4.5 minutes
    // before.
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", None)]);
    let v = w.vault(&[K1], &f);
    let c = client("googlecalendar");
    let read = |who: &str| {
        block_on(v.get(&user(who), &c))
            .unwrap()
            .access_token
            .secret()
            .to_string()
    };
    block_on(v.save(
        &user("a"),
        tokens("ATA", Some("RTA"), Some(T0 + 60 * MIN + 1)),
    ))
    .unwrap();
    block_on(v.save(&user("b"), tokens("ATB", Some("RTB"), Some(T0 + 59 * MIN)))).unwrap();
    w.advance(54 * MIN + MIN / 2);
    for _ in 0..20 {
        assert_eq!(read("a"), "ATA");
    }
    assert_eq!(f.calls(), 0, "just beyond the window: never due");
    assert_eq!(read("b"), "AT2", "at the window's lower end: always due");
    assert_eq!(f.calls(), 1);
}

#[test]
fn fifty_concurrent_reads_of_an_expired_token_make_one_refresh() {
    let w = World::new();
    let f = fetch(vec![
        refreshed("AT2", Some("RT2")),
        refreshed("AT3", Some("RT3")),
    ]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let reads = (0..50).map(|_| v.get(&key, &c)).collect();
    let results = join_all(reads);
    assert_eq!(f.calls(), 1, "one refresh request for 50 readers");
    // They shared the instance's refresh: none of them waited on the lease.
    assert!(
        w.clock.sleeps.borrow().is_empty(),
        "{:?}",
        w.clock.sleeps.borrow()
    );
    for r in results {
        assert_eq!(r.unwrap().access_token.secret(), "AT2");
    }
    assert_eq!(w.events(), ["connection.refreshed"]);
    let record = block_on(v.status(&key)).unwrap().unwrap();
    assert_eq!(
        (record.version, record.refresh_token.unwrap().secret()),
        (2, "RT2")
    );
}

#[test]
fn after_a_failed_refresh_the_next_read_tries_again() {
    let w = World::new();
    let f = fetch(vec![
        Ok(json_response(500, "{}")),
        Ok(json_response(500, "{}")),
        Ok(json_response(500, "{}")),
        refreshed("AT2", None),
    ]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let reads = (0..5).map(|_| v.get(&key, &c)).collect();
    for r in join_all(reads) {
        assert_eq!(code(r), ErrorCode::RetryableExhausted);
    }
    assert_eq!(f.calls(), 3, "one refresh (with its retries) for 5 readers");
    assert_eq!(w.events(), ["connection.refresh_failed"]);
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(
        record.status,
        Status::Active,
        "a transient error does not change the status"
    );
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT2"
    );
}

#[test]
fn a_transient_error_inside_the_skew_hands_out_the_still_valid_token() {
    let w = World::new();
    let f = fetch(vec![Err(FetchFailure::BeforeSend); 3]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), Some(T0 + 5 * MIN)))).unwrap();
    w.advance(4 * MIN);
    let read = block_on(v.get(&user("a"), &client("googlecalendar"))).unwrap();
    assert_eq!(read.access_token.secret(), "AT1");
    assert_eq!(f.calls(), 3);
}

#[test]
fn two_instances_sharing_a_store_make_one_refresh() {
    let w = World::new();
    let fa = fetch(vec![refreshed("AT2", Some("RT2"))]);
    let fb = fetch(vec![refreshed("AT2-B", Some("RT2-B"))]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    expired_connection(&w, &a, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let results = join_all(vec![a.get(&key, &c), b.get(&key, &c)]);
    assert_eq!(fa.calls() + fb.calls(), 1, "one refresh across instances");
    for r in results {
        assert_eq!(r.unwrap().access_token.secret(), "AT2");
    }
    assert!(
        w.store
            .value(&format!("{}:lease", key.store_key("app1")))
            .is_none(),
        "lease released"
    );
}

#[test]
fn a_refresh_stalled_past_the_lease_still_lands_its_rotated_token() {
    // A rotates RT1 -> RT2 and stalls past the lease; B takes the expired
    // lease, presents RT1 and gets invalid_grant, marks the connection
    // expired. A's write then lands on the expired record: RT2, active.
    let w = World::new();
    let fa = fetch(vec![refreshed("AT2", Some("RT2"))]);
    fa.held.set(true);
    let fb = fetch(vec![invalid_grant()]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    expired_connection(&w, &a, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let mut a_read = Box::pin(a.get(&key, &c));
    park(&mut a_read);
    assert_eq!(fa.calls(), 1, "A's refresh is in flight");
    w.advance(a.vault.lease_ttl_ms(&c, &fa) + 1);
    assert_eq!(code(block_on(b.get(&key, &c))), ErrorCode::NeedsReconnect);
    assert!(body(&fb, 0).contains("refresh_token=RT1"));
    fa.held.set(false);
    let landed = block_on(a_read).unwrap();
    assert_eq!(landed.access_token.secret(), "AT2");
    let record = block_on(b.status(&key)).unwrap().unwrap();
    assert_eq!(record.status, Status::Active);
    assert_eq!(record.refresh_token.unwrap().secret(), "RT2");
    assert_eq!(w.events(), ["connection.expired", "connection.recovered"]);
    assert_eq!(
        block_on(b.get(&key, &c)).unwrap().access_token.secret(),
        "AT2"
    );
}

#[test]
fn invalid_grant_after_another_instance_rotated_uses_its_tokens() {
    let w = World::new();
    let fb = fetch(vec![invalid_grant()]);
    let b = w.vault(&[K1], &fb);
    let record = expired_connection(&w, &b, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let skey = key.store_key("app1");
    // While B's request is out, another instance writes RT2.
    fb.held.set(true);
    let mut b_read = Box::pin(b.get(&key, &c));
    park(&mut b_read);
    let mut next = record.with_tokens(tokens("AT2", Some("RT2"), Some(T0 + 60 * MIN)), T0);
    next.version = 2;
    let sealed = KeyRing::new(&[K1])
        .unwrap()
        .seal(&skey, &next.to_bytes().unwrap())
        .unwrap();
    w.store.entries.borrow_mut().insert(skey, (sealed, None));
    fb.held.set(false);
    assert_eq!(block_on(b_read).unwrap().access_token.secret(), "AT2");
    assert_eq!(
        block_on(b.status(&key)).unwrap().unwrap().status,
        Status::Active
    );
}

#[test]
fn without_rotation_exactly_one_write_wins() {
    let w = World::new();
    let fa = fetch(vec![refreshed("AT2-A", None)]);
    let fb = fetch(vec![refreshed("AT2-B", None)]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    expired_connection(&w, &a, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    // A stalls past its lease, so B refreshes too.
    fa.held.set(true);
    let mut a_read = Box::pin(a.get(&key, &c));
    park(&mut a_read);
    w.advance(a.vault.lease_ttl_ms(&c, &fa) + 1);
    assert_eq!(
        block_on(b.get(&key, &c)).unwrap().access_token.secret(),
        "AT2-B"
    );
    fa.held.set(false);
    assert_eq!(
        block_on(a_read).unwrap().access_token.secret(),
        "AT2-B",
        "A takes the winner's"
    );
    let record = block_on(a.status(&key)).unwrap().unwrap();
    assert_eq!((record.access_token.secret(), record.version), ("AT2-B", 2));
    assert_eq!(w.events(), ["connection.refreshed"]);
}

#[test]
fn a_rotated_refresh_token_replaces_the_old_and_a_missing_one_keeps_it() {
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", Some("RT2")), refreshed("AT3", None)]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    block_on(v.get(&user("a"), &c)).unwrap();
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(record.refresh_token.unwrap().secret(), "RT2");
    w.advance(2 * 60 * MIN);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT3"
    );
    assert!(body(&f, 1).contains("refresh_token=RT2"));
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(
        record.refresh_token.unwrap().secret(),
        "RT2",
        "kept when the answer has none"
    );
}

#[test]
fn a_write_that_fails_once_is_retried() {
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", Some("RT2"))]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    // The lease write goes through; the record's first write fails.
    let (key, c) = (user("a"), client("googlecalendar"));
    let mut lease_then_fail = Box::pin(v.get(&key, &c));
    while f.calls() == 0 {
        assert!(poll_once(&mut lease_then_fail).is_none());
    }
    w.store.fail_writes.set(1);
    assert_eq!(
        block_on(lease_then_fail).unwrap().access_token.secret(),
        "AT2"
    );
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(record.refresh_token.unwrap().secret(), "RT2");
    assert_eq!(w.store.fail_writes.get(), 0, "the failure was used");
}

#[test]
fn a_store_that_keeps_failing_never_brings_back_the_old_refresh_token() {
    let w = World::new();
    let f = fetch(vec![
        refreshed("AT2", Some("RT2")),
        refreshed("AT3", Some("RT3")),
    ]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    let key = user("a");
    let mut read = Box::pin(v.get(&key, &c));
    while f.calls() == 0 {
        assert!(poll_once(&mut read).is_none());
    }
    w.store.fail_writes.set(u32::MAX);
    assert_eq!(code(block_on(read)), ErrorCode::StoreUnavailable);
    // Still down: the next read fails too, and sends nothing with RT1.
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::StoreUnavailable
    );
    assert_eq!(f.calls(), 1);
    // The store is back: RT2 is written first, and the next refresh presents it.
    w.store.fail_writes.set(0);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT2"
    );
    assert_eq!(f.calls(), 1);
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(record.refresh_token.unwrap().secret(), "RT2");
    w.advance(2 * 60 * MIN);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT3"
    );
    assert!(body(&f, 1).contains("refresh_token=RT2"));
    assert!(
        f.requests
            .borrow()
            .iter()
            .skip(1)
            .all(|r| !String::from_utf8_lossy(&r.body).contains("RT1"))
    );
}

#[test]
fn invalid_grant_marks_the_connection_expired_until_it_is_connected_again() {
    let w = World::new();
    let f = fetch(vec![invalid_grant()]);
    let v = w.vault(&[K1], &f);
    let before = expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NeedsReconnect
    );
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NeedsReconnect
    );
    assert_eq!(f.calls(), 1, "an expired connection is not refreshed again");
    let record = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(record.status, Status::Expired);
    assert_eq!(w.events(), ["connection.expired"]);
    // Connecting again keeps the identity and replaces the tokens.
    w.advance(MIN);
    let again =
        block_on(v.save(&user("a"), tokens("AT9", Some("RT9"), Some(T0 + 60 * MIN)))).unwrap();
    assert_eq!(
        (again.id.as_str(), again.created_at_ms),
        (before.id.as_str(), before.created_at_ms)
    );
    assert!(again.updated_at_ms > before.updated_at_ms);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT9"
    );
    assert_eq!(w.events(), ["connection.expired", "connection.recovered"]);
}

#[test]
fn an_expired_token_without_a_refresh_token_asks_for_a_reconnect() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", None, Some(T0 + MIN)))).unwrap();
    let c = client("googlecalendar");
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT1"
    );
    w.advance(2 * MIN);
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NeedsReconnect
    );
    assert_eq!(f.calls(), 0);
}

#[test]
fn store_outages_surface_with_a_code_and_write_nothing() {
    let w = World::new();
    let v = w.vault(&[K1], &fetch(vec![]));
    let c = client("googlecalendar");
    w.store.fail_writes.set(u32::MAX);
    assert_eq!(
        code(block_on(v.save(&user("a"), tokens("AT1", None, None)))),
        ErrorCode::StoreUnavailable
    );
    assert!(w.store.dump().is_empty());
    w.store.fail_writes.set(0);
    block_on(v.save(&user("a"), tokens("AT1", None, None))).unwrap();
    w.store.fail_reads.set(1);
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::StoreUnavailable
    );
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT1"
    );
}

#[test]
fn a_stuck_lease_without_expiry_gives_a_coded_error() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let lease = format!("{}:lease", user("a").store_key("app1"));
    w.store
        .entries
        .borrow_mut()
        .insert(lease, ("someone".into(), None));
    assert_eq!(
        code(block_on(v.get(&user("a"), &client("googlecalendar")))),
        ErrorCode::RefreshInProgress
    );
    assert_eq!(f.calls(), 0);
}

#[test]
fn disconnect_tombstones_revokes_both_tokens_then_purges() {
    let w = World::new();
    let f = fetch(vec![Ok(json_response(200, "")), Ok(json_response(200, ""))]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
    block_on(v.save(&user("b"), tokens("ATB", Some("RTB"), None))).unwrap();
    let c = client("googlecalendar");
    assert_eq!(
        block_on(v.disconnect(&user("a"), &c)).unwrap(),
        Revocation::Revoked
    );
    assert!(
        body(&f, 0).contains("token=RT1") && body(&f, 0).contains("token_type_hint=refresh_token")
    );
    assert!(
        body(&f, 1).contains("token=AT1") && body(&f, 1).contains("token_type_hint=access_token")
    );
    assert!(
        w.store.value(&user("a").store_key("app1")).is_none(),
        "purged"
    );
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NotConnected
    );
    assert_eq!(
        block_on(v.get(&user("b"), &c))
            .unwrap()
            .access_token
            .secret(),
        "ATB",
        "b is untouched"
    );
    assert_eq!(
        w.events(),
        [
            "connection.created",
            "connection.created",
            "connection.disconnected"
        ]
    );
    assert_eq!(
        block_on(v.disconnect(&user("a"), &c)).unwrap(),
        Revocation::None
    );
}

#[test]
fn a_refresh_only_revocation_sends_the_refresh_token_alone() {
    // Supabase's /v1/oauth/revoke takes only a refresh token, and revoking
    // it ends the grant: the access token is never sent there.
    let w = World::new();
    let f = fetch(vec![Ok(json_response(204, ""))]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
    assert_eq!(
        block_on(v.disconnect(&user("a"), &client("supabase"))).unwrap(),
        Revocation::Revoked
    );
    assert_eq!(f.calls(), 1);
    assert!(
        body(&f, 0).contains(r#""refresh_token":"RT1""#),
        "{}",
        body(&f, 0)
    );
    assert!(
        w.store.value(&user("a").store_key("app1")).is_none(),
        "purged"
    );
    // Without a refresh token there is nothing this endpoint can revoke.
    block_on(v.save(&user("b"), tokens("ATB", None, None))).unwrap();
    assert_eq!(
        block_on(v.disconnect(&user("b"), &client("supabase"))).unwrap(),
        Revocation::Unsupported
    );
    assert_eq!(f.calls(), 1);
}

#[test]
fn disconnect_revokes_only_the_access_token_where_the_endpoint_takes_no_refresh_token() {
    // Dropbox's and Slack's revocation authenticate with the token as
    // Bearer: a refresh token there is refused (Dropbox: 401
    // invalid_access_token), and revoking the access token ends the grant.
    for provider in ["dropbox", "slack", "github"] {
        let w = World::new();
        let f = fetch(vec![Ok(json_response(200, "")), Ok(json_response(200, ""))]);
        let v = w.vault(&[K1], &f);
        block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
        assert_eq!(
            block_on(v.disconnect(&user("a"), &client(provider))).unwrap(),
            Revocation::Revoked,
            "{provider}"
        );
        assert_eq!(
            f.calls(),
            1,
            "{provider}: one revocation, of the access token"
        );
        let bearer = f.requests.borrow()[0]
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == "Bearer AT1");
        assert!(
            bearer || body(&f, 0).contains("AT1"),
            "{provider}: the access token is revoked"
        );
        assert!(
            !body(&f, 0).contains("RT1"),
            "{provider}: no refresh token is sent"
        );
        assert!(w.store.dump().is_empty(), "{provider}: purged");
    }
}

#[test]
fn an_access_token_refused_after_its_refresh_token_was_revoked_is_no_failure() {
    // Salesforce revokes a refresh token with every access token issued
    // from it and answers 400 invalid_token for a revoked token.
    let w = World::new();
    let f = fetch(vec![
        Ok(json_response(200, "")),
        Ok(json_response(400, r#"{"error":"invalid_token"}"#)),
    ]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
    assert_eq!(
        block_on(v.disconnect(&user("a"), &client("googlecalendar"))).unwrap(),
        Revocation::Revoked
    );
    assert!(w.store.dump().is_empty(), "purged");
}

#[test]
fn an_access_token_refused_without_a_refresh_token_revoked_is_a_failure() {
    let w = World::new();
    let f = fetch(vec![Ok(json_response(400, r#"{"error":"invalid_token"}"#))]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", None, None))).unwrap();
    assert_eq!(
        block_on(v.disconnect(&user("a"), &client("googlecalendar"))).unwrap(),
        Revocation::Failed(ErrorCode::ProviderError)
    );
}

#[test]
fn disconnect_reports_unsupported_revocation_and_still_purges() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
    assert_eq!(
        block_on(v.disconnect(&user("a"), &client("airtable"))).unwrap(),
        Revocation::Unsupported
    );
    assert_eq!(f.calls(), 0);
    assert!(w.store.dump().is_empty());
}

#[test]
fn a_failed_revocation_keeps_the_tombstone_and_the_next_disconnect_retries() {
    let w = World::new();
    let f = fetch(vec![
        Ok(json_response(503, "")),
        Ok(json_response(503, "")),
        Ok(json_response(503, "")),
        Ok(json_response(200, "")),
        Ok(json_response(200, "")),
        Ok(json_response(200, "")),
    ]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT1", Some("RT1"), None))).unwrap();
    let c = client("googlecalendar");
    let first = block_on(v.disconnect(&user("a"), &c)).unwrap();
    assert_eq!(first, Revocation::Failed(ErrorCode::RetryableExhausted));
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NotConnected,
        "reads fail at once"
    );
    let tombstone = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(tombstone.status, Status::Disconnected);
    assert_eq!(
        block_on(v.disconnect(&user("a"), &c)).unwrap(),
        Revocation::Revoked
    );
    assert!(w.store.dump().is_empty());
    assert_eq!(
        w.events(),
        ["connection.created", "connection.disconnected"]
    );
}

#[test]
fn a_disconnect_racing_a_refresh_leaves_no_tokens_behind() {
    let w = World::new();
    let f = fetch(vec![
        refreshed("AT2", Some("RT2")),
        Ok(json_response(200, "")),
        Ok(json_response(200, "")),
        Ok(json_response(200, "")),
        Ok(json_response(200, "")),
    ]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    f.held.set(true);
    let key = user("a");
    let mut read = Box::pin(v.get(&key, &c));
    park(&mut read);
    let other = w.vault(&[K1], &f);
    let mut disconnect = Box::pin(other.disconnect(&key, &c));
    park(&mut disconnect);
    f.held.set(false);
    let (read, disconnect) = (block_on(read), block_on(disconnect));
    assert_eq!(code(read), ErrorCode::NotConnected);
    assert_eq!(disconnect.unwrap(), Revocation::Revoked);
    assert!(
        w.store.dump().is_empty(),
        "no tokens remain: {}",
        w.store.dump()
    );
    let revoked: Vec<String> = (1..5).map(|i| body(&f, i)).collect();
    for token in ["RT1", "AT1", "RT2", "AT2"] {
        assert!(
            revoked
                .iter()
                .any(|b| b.contains(&format!("token={token}&"))),
            "{token} revoked: {revoked:?}"
        );
    }
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NotConnected
    );
}

#[test]
fn no_secret_reaches_an_error_an_event_or_the_store() {
    let w = World::new();
    let echo = r#"{"error":"invalid_grant","error_description":"bad SENTINEL_RT SENTINEL_CS"}"#;
    let f = fetch(vec![
        Ok(json_response(
            500,
            r#"{"error":"server_error","error_description":"SENTINEL_RT"}"#,
        )),
        Ok(json_response(500, "SENTINEL_RT")),
        Ok(json_response(500, "SENTINEL_AT")),
        Ok(json_response(400, echo)),
        Ok(json_response(503, "SENTINEL_RT")),
    ]);
    let v = w.vault(&[K1], &f);
    block_on(v.save(
        &user("a"),
        tokens("SENTINEL_AT", Some("SENTINEL_RT"), Some(T0 - MIN)),
    ))
    .unwrap();
    let c = client("googlecalendar");
    let mut errors = vec![
        block_on(v.get(&user("a"), &c)).unwrap_err(),
        block_on(v.get(&user("a"), &c)).unwrap_err(),
        block_on(v.get(&user("a"), &c)).unwrap_err(),
        block_on(v.get(&user("b"), &c)).unwrap_err(),
    ];
    w.store.fail_writes.set(u32::MAX);
    errors.push(
        block_on(v.save(&user("a"), tokens("SENTINEL_AT", Some("SENTINEL_RT"), None))).unwrap_err(),
    );
    errors.push(block_on(v.disconnect(&user("a"), &c)).unwrap_err());
    w.store.fail_writes.set(0);
    let key = user("a").store_key("app1");
    let sealed = w.store.value(&key).unwrap();
    w.store
        .entries
        .borrow_mut()
        .insert(key, (sealed.replace('A', "B"), None));
    errors.push(block_on(v.get(&user("a"), &c)).unwrap_err());
    assert!(errors.len() >= 6);
    let record = KeyRing::new(&[K1]).unwrap();
    let seen = format!(
        "{}\n{:?}\n{:?}\n{}\n{:?}",
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        errors,
        w.events.borrow(),
        w.store.dump(),
        record
    );
    for sentinel in ["SENTINEL_AT", "SENTINEL_RT", "SENTINEL_CS"] {
        assert!(!seen.contains(sentinel), "{sentinel} leaked:\n{seen}");
    }
}

/// A refresh answer for a token living `seconds`, with a rotated refresh token.
fn refreshed_for(at: &str, rt: &str, seconds: u64) -> Result<HttpResponse, FetchFailure> {
    Ok(json_response(
        200,
        &format!(r#"{{"access_token":"{at}","refresh_token":"{rt}","expires_in":{seconds}}}"#),
    ))
}

fn read_token(v: &TestVault, key: &ConnectionKey, c: &OAuthClient) -> String {
    block_on(v.get(key, c))
        .unwrap()
        .access_token
        .secret()
        .to_owned()
}

#[test]
fn a_short_lived_token_is_refreshed_once_however_many_waves_of_readers() {
    // A 6-second first token, then 120-second ones (providers issue tokens
    // living 5 minutes or less: Keycloak's default is 5 minutes). Each
    // refreshed token is handed out as it is, not refreshed again.
    let w = World::new();
    let f = fetch(vec![
        refreshed_for("AT2", "RT2", 120),
        refreshed_for("AT3", "RT3", 120),
    ]);
    let v = w.vault(&[K1], &f);
    let (key, c) = (user("a"), client("googlecalendar"));
    block_on(v.save(&key, tokens("AT1", Some("RT1"), Some(T0 + 6_000)))).unwrap();
    w.advance(7_000);
    for _wave in 0..3 {
        let reads = (0..10).map(|_| v.get(&key, &c)).collect();
        for r in join_all(reads) {
            assert_eq!(r.unwrap().access_token.secret(), "AT2");
        }
    }
    assert_eq!(f.calls(), 1, "30 reads in 3 waves: one refresh");
    assert!(body(&f, 0).contains("refresh_token=RT1"));
    let record = block_on(v.status(&key)).unwrap().unwrap();
    assert_eq!(record.obtained_at_ms, T0 + 7_000);
    assert_eq!(record.expires_at_ms, Some(T0 + 127_000));
    assert_eq!(
        v.vault.fresh_for_ms(&record),
        Some(60_000),
        "handed out for its first half"
    );
    for _ in 0..3 {
        w.advance(1_000);
        assert_eq!(read_token(&v, &key, &c), "AT2");
    }
    assert_eq!(
        f.calls(),
        1,
        "3 reads a second apart of a fresh token: none"
    );
    assert_eq!(w.events(), ["connection.created", "connection.refreshed"]);
}

#[test]
fn a_short_lived_token_on_two_instances_is_refreshed_once() {
    let w = World::new();
    let fa = fetch(vec![refreshed_for("AT2", "RT2", 120)]);
    let fb = fetch(vec![refreshed_for("AT2-B", "RT2-B", 120)]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    let (key, c) = (user("a"), client("googlecalendar"));
    block_on(a.save(&key, tokens("AT1", Some("RT1"), Some(T0 + 6_000)))).unwrap();
    w.advance(7_000);
    for _wave in 0..3 {
        let reads = (0..10)
            .map(|i| if i % 2 == 0 { &a } else { &b })
            .map(|v| Box::pin(v.get(&key, &c)))
            .collect();
        for r in join_all(reads) {
            assert_eq!(r.unwrap().access_token.secret(), "AT2");
        }
    }
    assert_eq!(
        (fa.calls(), fb.calls()),
        (1, 0),
        "one refresh across instances"
    );
    for v in [&b, &a, &b] {
        w.advance(1_000);
        assert_eq!(read_token(v, &key, &c), "AT2");
    }
    assert_eq!(fa.calls() + fb.calls(), 1);
}

#[test]
fn the_margin_is_at_most_half_the_lifetime_the_provider_announced() {
    // A 2-minute token is refreshed in its last 49 to 60 seconds, a
    // 5-minute one in its last 123 to 150 seconds; never before.
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", None), refreshed("AT3", None)]);
    let v = w.vault(&[K1], &f);
    let c = client("googlecalendar");
    let (two, five) = (user("two"), user("five"));
    block_on(v.save(&two, tokens("AT-2M", Some("RT"), Some(T0 + 2 * MIN)))).unwrap();
    block_on(v.save(&five, tokens("AT-5M", Some("RT"), Some(T0 + 5 * MIN)))).unwrap();
    let fresh = |key: &ConnectionKey| {
        v.vault
            .fresh_for_ms(&block_on(v.status(key)).unwrap().unwrap())
    };
    assert_eq!((fresh(&two), fresh(&five)), (Some(60_000), Some(150_000)));
    w.advance(MIN - 1);
    for _ in 0..20 {
        assert_eq!(read_token(&v, &two, &c), "AT-2M");
    }
    assert_eq!(f.calls(), 0, "60.001 s left of 120: never due");
    assert_eq!(fresh(&two), Some(1), "1 ms before its margin");
    w.advance(60_000 - 49_090 + 1);
    assert_eq!(read_token(&v, &two, &c), "AT2", "49.09 s left: always due");
    w.set_to(T0 + 5 * MIN - 150_001);
    for _ in 0..20 {
        assert_eq!(read_token(&v, &five, &c), "AT-5M");
    }
    assert_eq!(f.calls(), 1);
    w.set_to(T0 + 5 * MIN - 122_727);
    assert_eq!(read_token(&v, &five, &c), "AT3");
    assert_eq!(f.calls(), 2);
}

#[test]
fn a_record_written_before_obtained_at_opens_and_counts_from_its_last_update() {
    let w = World::new();
    let f = fetch(vec![refreshed_for("AT2", "RT2", 120)]);
    let v = w.vault(&[K1], &f);
    let (key, c) = (user("a"), client("googlecalendar"));
    let saved = block_on(v.save(&key, tokens("AT1", Some("RT1"), Some(T0 + 2 * MIN)))).unwrap();
    // As an earlier version wrote it (no obtainedAt), with a field a later
    // version may add.
    let mut old: serde_json::Value = serde_json::from_slice(&saved.to_bytes().unwrap()).unwrap();
    let object = old.as_object_mut().unwrap();
    assert_eq!(object.remove("obtainedAt"), Some(serde_json::json!(T0)));
    object.insert("addedLater".into(), serde_json::json!({"x": 1}));
    let skey = key.store_key("app1");
    let sealed = KeyRing::new(&[K1])
        .unwrap()
        .seal(&skey, &serde_json::to_vec(&old).unwrap())
        .unwrap();
    w.store.entries.borrow_mut().insert(skey, (sealed, None));
    let opened = block_on(v.status(&key)).unwrap().unwrap();
    assert_eq!(opened.obtained_at_ms, opened.updated_at_ms);
    w.advance(30_000);
    assert_eq!(read_token(&v, &key, &c), "AT1", "90 s left of 120: not due");
    assert_eq!(f.calls(), 0);
    w.advance(41_000);
    assert_eq!(read_token(&v, &key, &c), "AT2", "49 s left of 120: due");
    let record = block_on(v.status(&key)).unwrap().unwrap();
    assert_eq!(record.obtained_at_ms, T0 + 71_000);
}

#[test]
fn the_refresh_lease_lasts_as_long_as_a_refresh_can() {
    // Each attempt may take the fetch's timeout (30 s by default), each
    // retry may wait the longest Retry-After honoured (60 s), the write its
    // retries (0.2 s, 0.4 s), and the store calls get 10 s.
    let w = World::new();
    let f = fetch(vec![refreshed("AT2", Some("RT2"))]);
    let v = w.vault(&[K1], &f);
    let c = client("googlecalendar");
    let ttl = 3 * 30_000 + 2 * 60_000 + 600 + 10_000;
    assert_eq!(v.vault.lease_ttl_ms(&c, &f), ttl);
    let mut once = c.clone();
    once.retry.max_attempts = 1;
    assert_eq!(v.vault.lease_ttl_ms(&once, &f), 30_000 + 600 + 10_000);
    expired_connection(&w, &v, "AT1", "RT1");
    f.held.set(true);
    let key = user("a");
    let mut read = Box::pin(v.get(&key, &c));
    park(&mut read);
    let lease = format!("{}:lease", key.store_key("app1"));
    let expiry = w.store.entries.borrow().get(&lease).and_then(|(_, e)| *e);
    assert_eq!(expiry, Some(T0 + ttl), "the lease in the store");
    f.held.set(false);
    assert_eq!(block_on(read).unwrap().access_token.secret(), "AT2");
}

#[test]
fn a_refresh_waiting_out_retry_after_keeps_its_lease() {
    // A's provider answers 503 with Retry-After: 60 twice before the new
    // token: two minutes under the lease. B does not present the refresh
    // token too: it waits its 25 s for A's result, then gives up with
    // REFRESH_IN_PROGRESS; its next read gets A's result.
    let w = World::new();
    let busy = || {
        let mut r = json_response(503, "{}");
        r.headers.push(("retry-after".into(), "60".into()));
        Ok(r)
    };
    let fa = fetch(vec![busy(), busy(), refreshed("AT2", Some("RT2"))]);
    let fb = fetch(vec![refreshed("AT2-B", Some("RT2-B"))]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    expired_connection(&w, &a, "AT1", "RT1");
    let (key, c) = (user("a"), client("googlecalendar"));
    let mut results = join_all(vec![a.get(&key, &c), b.get(&key, &c)]).into_iter();
    assert_eq!((fa.calls(), fb.calls()), (3, 0));
    assert_eq!(
        results.next().unwrap().unwrap().access_token.secret(),
        "AT2"
    );
    assert_eq!(code(results.next().unwrap()), ErrorCode::RefreshInProgress);
    assert_eq!(read_token(&b, &key, &c), "AT2");
    assert_eq!(fb.calls(), 0);
    let record = block_on(b.status(&key)).unwrap().unwrap();
    assert_eq!(record.refresh_token.unwrap().secret(), "RT2");
}

fn lease_key(key: &ConnectionKey) -> String {
    format!("{}:lease", key.store_key("app1"))
}

#[test]
fn while_another_instance_refreshes_a_still_valid_token_is_handed_out_at_once() {
    // A 5-minute token (Keycloak's default) with 2 minutes left: inside its
    // margin, not expired. A refreshes, its provider slow; B does not wait.
    let w = World::new();
    let fa = fetch(vec![refreshed_for("AT2", "RT2", 300)]);
    fa.held.set(true);
    let fb = fetch(vec![refreshed_for("AT2-B", "RT2-B", 300)]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    let (key, c) = (user("a"), client("googlecalendar"));
    block_on(a.save(&key, tokens("AT1", Some("RT1"), Some(T0 + 5 * MIN)))).unwrap();
    w.advance(3 * MIN);
    let mut a_read = Box::pin(a.get(&key, &c));
    park(&mut a_read);
    assert_eq!(fa.calls(), 1, "A's refresh is in flight");
    assert!(
        w.store.value(&lease_key(&key)).is_some(),
        "A holds the lease"
    );
    for _ in 0..3 {
        assert_eq!(read_token(&b, &key, &c), "AT1");
    }
    assert_eq!(fb.calls(), 0, "B made no provider call");
    assert!(w.clock.sleeps.borrow().is_empty(), "B did not wait");
    assert_eq!(w.clock.now_ms(), T0 + 3 * MIN);
    fa.held.set(false);
    assert_eq!(block_on(a_read).unwrap().access_token.secret(), "AT2");
    assert_eq!(read_token(&b, &key, &c), "AT2");
    assert_eq!((fa.calls(), fb.calls()), (1, 0));
}

#[test]
fn a_reader_with_an_expired_token_waits_for_the_other_instances_result() {
    // B's token has expired; A's refresh lands after 4 s, inside B's 5 s
    // bound: B hands out A's token, without a provider call of its own.
    let w = World::new();
    let fa = fetch(vec![refreshed("AT2", Some("RT2"))]);
    fa.held.set(true);
    let fb = fetch(vec![refreshed("AT2-B", Some("RT2-B"))]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault_with(
        &[K1],
        &fb,
        VaultOptions {
            lease_wait_ms: 5_000,
            ..VaultOptions::default()
        },
    );
    expired_connection(&w, &a, "AT1", "RT1");
    let (key, c) = (user("a"), client("googlecalendar"));
    let mut a_read = Box::pin(a.get(&key, &c));
    park(&mut a_read);
    let mut b_read = Box::pin(b.get(&key, &c));
    while w.clock.now_ms() < T0 + 4_000 {
        assert!(poll_once(&mut b_read).is_none(), "B waits");
    }
    fa.held.set(false);
    assert_eq!(block_on(a_read).unwrap().access_token.secret(), "AT2");
    assert_eq!(block_on(b_read).unwrap().access_token.secret(), "AT2");
    assert!(w.clock.now_ms() <= T0 + 4_250, "B saw it at its next look");
    assert_eq!((fa.calls(), fb.calls()), (1, 0));
}

#[test]
fn a_reader_with_an_expired_token_gives_up_after_the_lease_wait() {
    // A's refresh hangs (a provider timing out takes 30 s per attempt); B
    // answers REFRESH_IN_PROGRESS (503, retryable) after 25 s, well before
    // an HTTP client gives up on it, and never presents the refresh token.
    let w = World::new();
    let fa = fetch(vec![refreshed("AT2", Some("RT2"))]);
    fa.held.set(true);
    let fb = fetch(vec![refreshed("AT2-B", Some("RT2-B"))]);
    let a = w.vault(&[K1], &fa);
    let b = w.vault(&[K1], &fb);
    expired_connection(&w, &a, "AT1", "RT1");
    let (key, c) = (user("a"), client("googlecalendar"));
    let mut a_read = Box::pin(a.get(&key, &c));
    park(&mut a_read);
    let error = block_on(b.get(&key, &c)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::RefreshInProgress);
    assert_eq!(error.code().http_status(), 503);
    assert!(error.message().contains("25000 ms"), "{error}");
    assert_eq!(w.clock.now_ms(), T0 + 25_000, "the default bound, exactly");
    assert_eq!(fb.calls(), 0);
    let waited = w.clock.sleeps.borrow().iter().sum::<u64>();
    assert_eq!(waited, 25_000);
    // A zero bound: no wait at all.
    let now = w.clock.now_ms();
    let eager = w.vault_with(
        &[K1],
        &fb,
        VaultOptions {
            lease_wait_ms: 0,
            ..VaultOptions::default()
        },
    );
    assert_eq!(
        code(block_on(eager.get(&key, &c))),
        ErrorCode::RefreshInProgress
    );
    assert_eq!(w.clock.now_ms(), now);
    fa.held.set(false);
    assert_eq!(block_on(a_read).unwrap().access_token.secret(), "AT2");
    assert_eq!(read_token(&b, &key, &c), "AT2");
    assert_eq!((fa.calls(), fb.calls()), (1, 0));
}

#[test]
fn the_lease_wait_option_is_a_whole_number_of_milliseconds_up_to_ten_minutes() {
    assert_eq!(VaultOptions::default().lease_wait_ms, 25_000);
    for ok in [0.0, 1.0, 25_000.0, 600_000.0] {
        assert_eq!(lease_wait_ms(Some(ok)).unwrap(), ok as u64);
    }
    for bad in [
        None,
        Some(-1.0),
        Some(1.5),
        Some(600_001.0),
        Some(f64::NAN),
        Some(f64::INFINITY),
    ] {
        let error = lease_wait_ms(bad).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidInput, "{bad:?}");
        assert!(error.message().contains("leaseWaitMs"), "{error}");
    }
}

/// Every connection of every page, listing `limit` at a time.
fn list_all(v: &TestVault, filter: &ListFilter, limit: u32) -> (Vec<Record>, u32, usize) {
    let (mut all, mut unreadable, mut pages) = (Vec::new(), 0, 0);
    let mut cursor: Option<String> = None;
    loop {
        let page = block_on(v.vault.list(filter, cursor.as_deref(), limit)).unwrap();
        assert!(page.connections.len() <= limit as usize);
        all.extend(page.connections);
        unreadable += page.unreadable;
        pages += 1;
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return (all, unreadable, pages),
        }
    }
}

fn workspace(id: &str) -> ConnectionKey {
    ConnectionKey::Workspace {
        connector_id: id.into(),
    }
}

fn shared(t: &str) -> ConnectionKey {
    ConnectionKey::Shared {
        integration_type: t.into(),
    }
}

#[test]
fn list_pages_through_every_kind_without_leases_tombstones_or_other_apps() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    for key in [
        shared("slack"),
        workspace("team"),
        user("a"),
        user("lease"),
        user("b"),
    ] {
        block_on(v.save(&key, tokens("AT", Some("RT"), Some(T0 + 60 * MIN)))).unwrap();
    }
    // A lease, a used state, a disconnected one's tombstone, and another app's record.
    let lease = crate::store_keys::lease(&user("a").store_key("app1"));
    block_on(w.store.set(&lease, "lease-id", Some(MIN))).unwrap();
    block_on(
        w.store
            .set(&crate::store_keys::used("app1", "state", "n"), "1", None),
    )
    .unwrap();
    let gone = user("gone");
    let tombstone = block_on(v.save(&gone, tokens("AT", Some("RT"), None)))
        .unwrap()
        .with_status(Status::Disconnected, T0);
    let skey = gone.store_key("app1");
    let sealed = v.vault.seal(&skey, &tombstone).unwrap();
    block_on(w.store.set(&skey, &sealed, None)).unwrap();
    let other = Vault::new(
        KeyRing::new(&[K1]).unwrap(),
        w.store.clone(),
        w.clock.clone(),
        VaultOptions {
            app: "app10".into(),
            ..VaultOptions::default()
        },
    );
    block_on(other.save(&shared("slack"), tokens("AT", None, None))).unwrap();
    drop(other);

    for limit in [1, 2, 3, 100] {
        let (all, unreadable, pages) = list_all(&v, &ListFilter::default(), limit);
        let mut names: Vec<String> = all
            .iter()
            .map(|r| {
                format!(
                    "{}:{}:{}",
                    r.kind.as_str(),
                    r.connector,
                    r.user_id.as_deref().unwrap_or("-")
                )
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "app_user:calendar:a",
                "app_user:calendar:b",
                "app_user:calendar:lease",
                "shared:slack:-",
                "workspace:team:-"
            ],
            "limit {limit}"
        );
        assert_eq!(unreadable, 0);
        assert!(
            pages >= 5_usize.div_ceil(limit as usize),
            "limit {limit}: {pages} pages"
        );
        for r in &all {
            assert_eq!(r.account.email.as_deref(), Some("a@example.com"));
            assert_eq!((r.created_at_ms, r.updated_at_ms), (T0, T0));
            assert_eq!(r.last_refresh, None);
        }
    }
}

#[test]
fn list_narrows_by_kind_and_connector() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    let cal2 = ConnectionKey::AppUser {
        connector_id: "calendar2".into(),
        user_id: "a".into(),
    };
    for key in [
        shared("slack"),
        shared("slackx"),
        workspace("team"),
        workspace("teams"),
        user("a"),
        cal2,
    ] {
        block_on(v.save(&key, tokens("AT", None, None))).unwrap();
    }
    let names = |filter: ListFilter| {
        let mut n: Vec<String> = list_all(&v, &filter, 2)
            .0
            .iter()
            .map(|r| format!("{}:{}", r.kind.as_str(), r.connector))
            .collect();
        n.sort();
        n
    };
    let f = |kind: Option<Kind>, connector: Option<&str>| ListFilter {
        kind,
        connector: connector.map(str::to_owned),
    };
    assert_eq!(
        names(f(Some(Kind::Shared), None)),
        ["shared:slack", "shared:slackx"]
    );
    assert_eq!(
        names(f(Some(Kind::Shared), Some("slack"))),
        ["shared:slack"]
    );
    assert_eq!(
        names(f(Some(Kind::Workspace), Some("team"))),
        ["workspace:team"]
    );
    assert_eq!(
        names(f(Some(Kind::AppUser), Some("calendar"))),
        ["app_user:calendar"]
    );
    assert_eq!(names(f(None, Some("team"))), ["workspace:team"]);
    assert!(names(f(Some(Kind::AppUser), Some("nope"))).is_empty());
}

#[test]
fn list_leaves_out_records_that_do_not_open_and_counts_them() {
    let w = World::new();
    let f = fetch(vec![]);
    let old = w.vault(&[K2], &f);
    block_on(old.save(&user("old"), tokens("AT", None, None))).unwrap();
    let v = w.vault(&[K1], &f);
    block_on(v.save(&user("a"), tokens("AT", None, None))).unwrap();
    block_on(
        w.store
            .set(&user("junk").store_key("app1"), "not a record", None),
    )
    .unwrap();
    let (all, unreadable, _) = list_all(&v, &ListFilter::default(), 10);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].user_id.as_deref(), Some("a"));
    assert_eq!(
        unreadable, 2,
        "one sealed under a secret no longer in the ring, one not a record"
    );
}

#[test]
fn list_de_duplicates_inside_a_page_and_checks_its_arguments() {
    let w = World::new();
    let f = fetch(vec![]);
    let v = w.vault(&[K1], &f);
    for id in ["a", "b", "c"] {
        block_on(v.save(&user(id), tokens("AT", None, None))).unwrap();
    }
    w.store.list_twice.set(true);
    let (all, _, _) = list_all(&v, &ListFilter::default(), 2);
    assert_eq!(all.len(), 3);
    w.store.list_twice.set(false);
    for limit in [0, 1001] {
        assert_eq!(
            code(block_on(v.vault.list(&ListFilter::default(), None, limit))),
            ErrorCode::InvalidInput
        );
    }
    w.store.no_list.set(true);
    assert_eq!(
        code(block_on(v.vault.list(&ListFilter::default(), None, 10))),
        ErrorCode::ListUnsupported
    );
    w.store.no_list.set(false);
    w.store.fail_reads.set(1);
    assert_eq!(
        code(block_on(v.vault.list(&ListFilter::default(), None, 10))),
        ErrorCode::StoreUnavailable
    );
}

#[test]
fn each_record_keeps_its_last_refresh_outcome() {
    let w = World::new();
    let f = fetch(vec![
        Ok(json_response(500, "{}")),
        Ok(json_response(500, "{}")),
        Ok(json_response(500, "{}")),
        refreshed("AT2", None),
        invalid_grant(),
    ]);
    let v = w.vault(&[K1], &f);
    expired_connection(&w, &v, "AT1", "RT1");
    let c = client("googlecalendar");
    let outcome = || {
        block_on(v.status(&user("a")))
            .unwrap()
            .unwrap()
            .last_refresh
    };
    assert_eq!(outcome(), None, "a new grant has had no refresh");
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::RetryableExhausted
    );
    let failed = outcome().expect("an outcome after a failed refresh");
    assert_eq!(failed.code.as_deref(), Some("RETRYABLE_EXHAUSTED"));
    assert!(failed.at_ms >= T0);
    assert_eq!(
        block_on(v.get(&user("a"), &c))
            .unwrap()
            .access_token
            .secret(),
        "AT2"
    );
    assert_eq!(outcome().unwrap().code, None, "the next refresh worked");
    w.advance(2 * 60 * MIN);
    assert_eq!(
        code(block_on(v.get(&user("a"), &c))),
        ErrorCode::NeedsReconnect
    );
    let expired = block_on(v.status(&user("a"))).unwrap().unwrap();
    assert_eq!(expired.status, Status::Expired);
    assert_eq!(
        expired.last_refresh.unwrap().code.as_deref(),
        Some("NEEDS_RECONNECT")
    );
    // A reconnect is a new grant.
    block_on(v.save(&user("a"), tokens("AT3", Some("RT3"), None))).unwrap();
    assert_eq!(outcome(), None);
    // What lists is the same record.
    let (all, _, _) = list_all(&v, &ListFilter::default(), 10);
    assert_eq!(all[0].last_refresh, None);
}

#[test]
fn a_record_written_before_last_refresh_existed_still_opens() {
    let old = br#"{"id":"x","kind":"shared","connector":"slack","status":"active","scopes":[],"accessToken":"AT","tokenType":"Bearer","connectionConfig":{},"account":{},"createdAt":1,"updatedAt":2,"version":1}"#;
    let record = Record::from_bytes(old).unwrap();
    assert_eq!(record.last_refresh, None);
    let mut with = record.clone();
    with.last_refresh = Some(RefreshOutcome::failed(ErrorCode::ProviderError, 5));
    let bytes = with.to_bytes().unwrap();
    assert!(
        String::from_utf8_lossy(&bytes)
            .contains(r#""lastRefresh":{"at":5,"code":"PROVIDER_ERROR"}"#)
    );
    assert_eq!(
        Record::from_bytes(&bytes).unwrap().last_refresh,
        with.last_refresh
    );
    assert!(!String::from_utf8_lossy(&record.to_bytes().unwrap()).contains("lastRefresh"));
}
