use serde_json::{Value, json};

use super::*;

const T0: u64 = 1_700_000_000_000;

fn shared() -> ConnectionKey {
    ConnectionKey::Shared {
        integration_type: "acme".into(),
    }
}

fn alice() -> ConnectionKey {
    ConnectionKey::AppUser {
        connector_id: "mine".into(),
        user_id: "alice".into(),
    }
}

fn config(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}

fn tokens(at: &str, rt: Option<&str>) -> TokenSet {
    TokenSet {
        access_token: AccessToken::new(at),
        refresh_token: rt.map(RefreshToken::new),
        token_type: "Bearer".into(),
        expires_at_ms: Some(T0 + 3_600_000),
        scopes: strings(&["read"]),
        requested_scopes: strings(&["read"]),
        connection_config: config(&[("instance_url", "https://a.example")]),
        account: Account {
            id: Some("u-1".into()),
            email: Some("a@example.com".into()),
        },
        raw: Value::Null,
    }
}

fn record() -> Record {
    Record::new("conn-1".into(), &alice(), tokens("AT1", Some("RT1")), T0)
}

fn rt(r: &Record) -> Option<&str> {
    r.refresh_token.as_ref().map(RefreshToken::secret)
}

fn stored(r: &Record) -> Value {
    let bytes = r.to_bytes().unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn read(v: &Value) -> Result<Record> {
    Record::from_bytes(v.to_string().as_bytes())
}

#[test]
fn a_new_record_is_version_one_active_and_says_whose_it_is() {
    let r = record();
    assert_eq!(r.id, "conn-1");
    assert_eq!(
        (r.kind, r.connector.as_str(), r.user_id.as_deref()),
        (Kind::AppUser, "mine", Some("alice"))
    );
    assert_eq!((r.status, r.version), (Status::Active, 1));
    assert_eq!(
        (r.created_at_ms, r.updated_at_ms, r.obtained_at_ms),
        (T0, T0, T0)
    );
    assert_eq!((r.access_token.secret(), rt(&r)), ("AT1", Some("RT1")));
    assert_eq!(r.expires_at_ms, Some(T0 + 3_600_000));
    assert_eq!(r.connection_config["instance_url"], "https://a.example");
    let s = Record::new("conn-2".into(), &shared(), tokens("AT", None), T0);
    assert_eq!(
        (s.kind, s.connector.as_str(), s.user_id),
        (Kind::Shared, "acme", None)
    );
}

#[test]
fn new_tokens_without_a_refresh_token_keep_the_old_one() {
    let r = record();
    let mut next = tokens("AT2", None);
    next.expires_at_ms = Some(T0 + 7_200_000);
    let n = r.with_tokens(next, T0 + 60_000);
    assert_eq!((n.access_token.secret(), rt(&n)), ("AT2", Some("RT1")));
    assert_eq!(n.expires_at_ms, Some(T0 + 7_200_000));
    assert_eq!(n.obtained_at_ms, T0 + 60_000);
    // A rotated refresh token replaces the old one.
    let rotated = n.with_tokens(tokens("AT3", Some("RT3")), T0 + 120_000);
    assert_eq!(
        (rotated.access_token.secret(), rt(&rotated)),
        ("AT3", Some("RT3"))
    );
}

#[test]
fn every_write_is_the_next_version_of_the_same_connection() {
    let r = record();
    let n = r.with_tokens(tokens("AT2", None), T0 + 60_000);
    assert_eq!((n.id.as_str(), n.version), ("conn-1", 2));
    assert_eq!((n.created_at_ms, n.updated_at_ms), (T0, T0 + 60_000));
    let s = n.with_status(Status::Expired, T0 + 120_000);
    assert_eq!(
        (s.status, s.version, s.updated_at_ms),
        (Status::Expired, 3, T0 + 120_000)
    );
    assert!(s.same_tokens(&n), "a status change keeps the tokens");
    // Reconnecting an expired connection makes it active again.
    let back = s.with_tokens(tokens("AT4", Some("RT4")), T0 + 180_000);
    assert_eq!((back.status, back.version), (Status::Active, 4));
    // A clock that goes back never moves `updated_at` back.
    let late = back.with_status(Status::Disconnected, T0);
    assert_eq!((late.updated_at_ms, late.version), (T0 + 180_000, 5));
    // The version saturates rather than wrapping to an old number.
    let mut top = record();
    top.version = u64::MAX;
    assert_eq!(top.with_status(Status::Active, T0).version, u64::MAX);
}

#[test]
fn new_tokens_merge_the_connection_config_and_union_the_requested_scopes() {
    let mut r = record();
    r.connection_config = config(&[("instance_url", "https://a.example"), ("realmId", "1")]);
    r.requested_scopes = strings(&["read", "email"]);
    let mut next = tokens("AT2", None);
    next.connection_config = config(&[("instance_url", "https://b.example"), ("host", "h")]);
    next.scopes = strings(&["write"]);
    next.requested_scopes = strings(&["write", "read"]);
    let n = r.with_tokens(next, T0 + 1);
    assert_eq!(
        n.connection_config,
        config(&[
            ("host", "h"),
            ("instance_url", "https://b.example"),
            ("realmId", "1"),
        ])
    );
    // What was granted is what the provider said this time; what was
    // asked for only grows, once per scope, in order.
    assert_eq!(n.scopes, strings(&["write"]));
    assert_eq!(n.requested_scopes, strings(&["read", "email", "write"]));
}

#[test]
fn a_response_without_an_account_keeps_the_known_one() {
    let r = record();
    let mut next = tokens("AT2", None);
    next.account = Account::default();
    assert_eq!(r.with_tokens(next, T0 + 1).account, r.account);
    let mut other = tokens("AT3", None);
    other.account = Account {
        id: Some("u-2".into()),
        email: None,
    };
    assert_eq!(
        r.with_tokens(other, T0 + 2).account.id.as_deref(),
        Some("u-2")
    );
}

#[test]
fn tokens_of_a_newer_record_land_on_this_version() {
    // A refresh landed on a record that a status write changed meanwhile.
    let base = record();
    let changed = base.with_status(Status::Expired, T0 + 10);
    let mut refreshed = base.with_tokens(tokens("AT2", Some("RT2")), T0 + 20);
    refreshed.connection_config = config(&[("host", "h")]);
    refreshed.scopes = strings(&["read", "write"]);
    let n = changed.with_tokens_of(&refreshed, T0 + 30);
    assert_eq!((n.version, n.status), (changed.version + 1, Status::Active));
    assert!(n.same_tokens(&refreshed));
    assert_eq!(n.obtained_at_ms, refreshed.obtained_at_ms);
    assert_eq!(n.expires_at_ms, refreshed.expires_at_ms);
    assert_eq!(n.connection_config, refreshed.connection_config);
    assert_eq!(n.scopes, refreshed.scopes);
    assert_eq!((n.id.as_str(), n.created_at_ms), ("conn-1", T0));
    // Without a refresh token in the newer record, none is carried over.
    let mut dropped = refreshed.clone();
    dropped.refresh_token = None;
    assert_eq!(rt(&changed.with_tokens_of(&dropped, T0 + 40)), None);
}

#[test]
fn same_tokens_compares_the_access_and_the_refresh_token() {
    let r = record();
    assert!(r.same_tokens(&r.clone()));
    assert!(r.same_tokens(&r.with_status(Status::Expired, T0 + 1)));
    let at = r.with_tokens(tokens("AT2", None), T0 + 1);
    assert!(!r.same_tokens(&at), "another access token");
    let mut rt2 = r.clone();
    rt2.refresh_token = Some(RefreshToken::new("RT2"));
    assert!(!r.same_tokens(&rt2), "another refresh token");
    let mut none = r.clone();
    none.refresh_token = None;
    assert!(!r.same_tokens(&none) && !none.same_tokens(&r));
    assert!(none.same_tokens(&none.clone()));
}

#[test]
fn a_record_reads_back_as_it_was_written() {
    let mut r = record().with_status(Status::Expired, T0 + 5);
    r.requested_scopes = strings(&["read", "email"]);
    let back = read(&stored(&r)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            back.id.as_str(),
            back.kind,
            back.connector.as_str(),
            back.user_id.as_deref()
        ),
        ("conn-1", Kind::AppUser, "mine", Some("alice"))
    );
    assert_eq!((back.status, back.version), (Status::Expired, 2));
    assert_eq!(
        (back.access_token.secret(), rt(&back)),
        ("AT1", Some("RT1"))
    );
    assert_eq!(back.token_type, r.token_type);
    assert_eq!(back.scopes, r.scopes);
    assert_eq!(back.requested_scopes, r.requested_scopes);
    assert_eq!(back.expires_at_ms, r.expires_at_ms);
    assert_eq!(back.obtained_at_ms, r.obtained_at_ms);
    assert_eq!(back.connection_config, r.connection_config);
    assert_eq!(back.account, r.account);
    assert_eq!((back.created_at_ms, back.updated_at_ms), (T0, T0 + 5));
}

/// The sealed JSON is shared by every version of the engine on one store:
/// its names are fixed, older records open and unknown fields are skipped.
#[test]
fn the_stored_form_keeps_its_names_and_reads_older_and_newer_records() {
    let v = stored(&record());
    assert_eq!(
        v,
        json!({
            "id": "conn-1", "kind": "app_user", "connector": "mine", "userId": "alice",
            "status": "active", "scopes": ["read"], "requestedScopes": ["read"],
            "accessToken": "AT1", "refreshToken": "RT1", "tokenType": "Bearer",
            "expiresAt": T0 + 3_600_000, "obtainedAt": T0,
            "connectionConfig": {"instance_url": "https://a.example"},
            "account": {"id": "u-1", "email": "a@example.com"},
            "createdAt": T0, "updatedAt": T0, "version": 1
        })
    );
    // No requested scopes: the field is left out.
    let mut r = record();
    r.requested_scopes.clear();
    assert!(stored(&r).get("requestedScopes").is_none());
    // An older record: no user, refresh token, expiry, obtainedAt or
    // requested scopes. It counts from its last update.
    let old = json!({
        "id": "c", "kind": "shared", "connector": "acme", "status": "active",
        "scopes": [], "accessToken": "AT", "tokenType": "Bearer",
        "connectionConfig": {}, "account": {},
        "createdAt": 1, "updatedAt": 2, "version": 3
    });
    let o = read(&old).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (o.user_id.as_deref(), rt(&o), o.expires_at_ms),
        (None, None, None)
    );
    assert_eq!((o.obtained_at_ms, o.requested_scopes.len()), (2, 0));
    // A newer record with fields this version does not know.
    let mut newer = stored(&record());
    newer["somethingNew"] = json!({"x": 1});
    assert!(read(&newer).is_ok());
}

#[test]
fn what_is_not_a_record_is_record_malformed() {
    let code = |r: Result<Record>| r.err().map(|e| e.code());
    assert_eq!(
        code(Record::from_bytes(b"")),
        Some(ErrorCode::RecordMalformed)
    );
    assert_eq!(
        code(Record::from_bytes(b"not json")),
        Some(ErrorCode::RecordMalformed)
    );
    assert_eq!(
        code(read(&json!({"id": "c"}))),
        Some(ErrorCode::RecordMalformed)
    );
    for (field, value) in [
        ("kind", json!("team")),
        ("status", json!("paused")),
        ("accessToken", json!(1)),
        ("version", json!(-1)),
    ] {
        let mut v = stored(&record());
        v[field] = value;
        assert_eq!(code(read(&v)), Some(ErrorCode::RecordMalformed), "{field}");
    }
    // The message names no token.
    let mut v = stored(&record());
    v["kind"] = json!("team");
    let message = read(&v).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        !message.contains("AT1") && !message.contains("RT1"),
        "{message}"
    );
}

#[test]
fn each_connection_has_its_own_store_key() {
    let keys = [
        shared().store_key("app1"),
        ConnectionKey::Workspace {
            connector_id: "acme".into(),
        }
        .store_key("app1"),
        alice().store_key("app1"),
        ConnectionKey::AppUser {
            connector_id: "mine".into(),
            user_id: "bob".into(),
        }
        .store_key("app1"),
        shared().store_key("app2"),
        // Parts holding the separator do not pass for other parts.
        ConnectionKey::AppUser {
            connector_id: "mine:alice".into(),
            user_id: "x".into(),
        }
        .store_key("app1"),
        ConnectionKey::AppUser {
            connector_id: "mine".into(),
            user_id: "alice:x".into(),
        }
        .store_key("app1"),
    ];
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(keys[0], "oauth-connectors:conn:app1:shared:acme");
    assert_eq!(keys[2], "oauth-connectors:conn:app1:app_user:mine:alice");
    assert_eq!(alice().store_key("app1"), keys[2], "stable");
}

#[test]
fn a_key_names_its_kind_connector_and_user() {
    let work = ConnectionKey::Workspace {
        connector_id: "team".into(),
    };
    assert_eq!(
        (shared().kind(), shared().connector(), shared().user_id()),
        (Kind::Shared, "acme", None)
    );
    assert_eq!(
        (work.kind(), work.connector(), work.user_id()),
        (Kind::Workspace, "team", None)
    );
    assert_eq!(
        (alice().kind(), alice().connector(), alice().user_id()),
        (Kind::AppUser, "mine", Some("alice"))
    );
    // Names as records and events write them.
    for kind in [Kind::Shared, Kind::Workspace, Kind::AppUser] {
        assert_eq!(serde_json::to_value(kind).ok(), Some(json!(kind.as_str())));
    }
    for status in [Status::Active, Status::Expired, Status::Disconnected] {
        assert_eq!(
            serde_json::to_value(status).ok(),
            Some(json!(status.as_str()))
        );
    }
}

#[test]
fn key_parts_must_have_1_to_256_bytes() {
    let user = |id: &str| ConnectionKey::AppUser {
        connector_id: "mine".into(),
        user_id: id.into(),
    };
    let code = |k: ConnectionKey| k.check().err().map(|e| e.code());
    assert_eq!(code(user("alice")), None);
    assert_eq!(code(user(&"u".repeat(256))), None);
    assert_eq!(code(user(&"u".repeat(257))), Some(ErrorCode::InvalidInput));
    assert_eq!(code(user("")), Some(ErrorCode::InvalidInput));
    // 256 bytes, not characters.
    assert_eq!(code(user(&"é".repeat(129))), Some(ErrorCode::InvalidInput));
    let shared = |t: &str| ConnectionKey::Shared {
        integration_type: t.into(),
    };
    assert_eq!(code(shared("")), Some(ErrorCode::InvalidInput));
    assert_eq!(
        code(shared(&"a".repeat(257))),
        Some(ErrorCode::InvalidInput)
    );
    let work = ConnectionKey::Workspace {
        connector_id: String::new(),
    };
    assert_eq!(code(work), Some(ErrorCode::InvalidInput));
}
