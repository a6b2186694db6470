use super::*;
use crate::test_util::{FakeClock, MemoryStore, block_on};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const T0: u64 = 1_800_000_000_000;

fn key() -> StateKey {
    StateKey::derive(SECRET).unwrap_or_else(|e| panic!("{e}"))
}

fn claims() -> StateClaims {
    let mut c = StateClaims::new(
        "googlecalendar",
        "https://app.example/api/callback/googlecalendar",
        T0,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    c.user = Some("user-1".into());
    c.verifier = Some(PkceVerifier::new(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ));
    c.return_url = Some("https://app.example/settings".into());
    c.scopes = vec!["https://www.googleapis.com/auth/calendar.readonly".into()];
    c
}

fn sealed() -> String {
    seal(&key(), &claims())
        .map(|s| s.secret().to_owned())
        .unwrap_or_default()
}

fn code_of(r: Result<StateClaims>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

#[test]
fn sealed_state_round_trips() {
    let state = sealed();
    assert!(
        state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "URL-safe: {state}"
    );
    assert!(state.len() < 600, "{} characters", state.len());
    let opened =
        open(&key(), &state, "googlecalendar", T0 + 1000).unwrap_or_else(|e| panic!("{e}"));
    let original = claims();
    assert_eq!(opened.connector, "googlecalendar");
    assert_eq!(opened.user.as_deref(), Some("user-1"));
    assert_eq!(
        opened.verifier.as_ref().map(|v| v.secret()),
        Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    );
    assert_eq!(opened.redirect_uri, original.redirect_uri);
    assert_eq!(opened.return_url, original.return_url);
    assert_eq!(opened.scopes, original.scopes);
    assert_eq!(opened.expires_at_ms, T0 + STATE_TTL_MS);
}

#[test]
fn the_browser_cannot_read_the_verifier() {
    let state = sealed();
    let raw = crate::b64::from_url(&state).unwrap_or_default();
    let needle = b"dBjftJeZ4CVP";
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
    assert!(!format!("{:?}", claims()).contains("dBjftJeZ4CVP"));
}

#[test]
fn sealing_twice_gives_different_states_and_nonces_differ() {
    assert_ne!(sealed(), sealed());
    let mut nonces = std::collections::HashSet::new();
    for _ in 0..1000 {
        let n = StateClaims::new("x", "https://a/cb", T0)
            .map(|c| c.nonce)
            .unwrap_or_default();
        assert_eq!(n.len(), 43, "32 random bytes");
        assert!(nonces.insert(n));
    }
}

#[test]
fn expiry_is_ten_minutes() {
    let state = sealed();
    assert!(open(&key(), &state, "googlecalendar", T0 + 599_000).is_ok());
    assert!(open(&key(), &state, "googlecalendar", T0 + 600_000).is_ok());
    assert_eq!(
        code_of(open(&key(), &state, "googlecalendar", T0 + 601_000)),
        Some(ErrorCode::StateExpired)
    );
}

#[test]
fn a_state_for_another_connector_is_rejected() {
    assert_eq!(
        code_of(open(&key(), &sealed(), "slack", T0)),
        Some(ErrorCode::StateConnectorMismatch)
    );
}

#[test]
fn any_changed_character_fails_the_seal() {
    let state = sealed();
    for i in [10, state.len() / 2, state.len() - 2] {
        let mut bytes = state.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap_or_default();
        let code = code_of(open(&key(), &altered, "googlecalendar", T0));
        assert!(
            matches!(
                code,
                Some(ErrorCode::StateTampered | ErrorCode::StateMalformed)
            ),
            "{i}: {code:?}"
        );
    }
    let other =
        StateKey::derive(b"another secret of thirty-two bytes!").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(open(&other, &state, "googlecalendar", T0)),
        Some(ErrorCode::StateTampered)
    );
}

#[test]
fn malformed_states_are_rejected_before_any_crypto() {
    let long = "A".repeat(10 * 1024);
    for bad in ["", "%00", "not base64!", "a b", "AA", &long, "AQ", "Ag"] {
        assert_eq!(
            code_of(open(&key(), bad, "googlecalendar", T0)),
            Some(ErrorCode::StateMalformed),
            "{bad:.20}"
        );
    }
    // A well-encoded value of the wrong version.
    let mut raw = crate::b64::from_url(&sealed()).unwrap_or_default();
    raw[0] = 2;
    let wrong_version = crate::b64::url(raw);
    assert_eq!(
        code_of(open(&key(), &wrong_version, "googlecalendar", T0)),
        Some(ErrorCode::StateMalformed)
    );
}

#[test]
fn random_inputs_never_panic() {
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/%é\0"
            .chars()
            .collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for len in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let s: String = (0..len)
            .map(|i| alphabet[((seed >> (i % 50)) as usize + i) % alphabet.len()])
            .collect();
        assert!(open(&key(), &s, "googlecalendar", T0).is_err());
    }
}

#[test]
fn a_state_opens_once() {
    let store = MemoryStore::on(&FakeClock::at(0));
    let c = open(&key(), &sealed(), "googlecalendar", T0).unwrap_or_else(|e| panic!("{e}"));
    assert!(block_on(consume(&store, "app1", &c, T0)).is_ok());
    let again = block_on(consume(&store, "app1", &c, T0))
        .err()
        .map(|e| e.code());
    assert_eq!(again, Some(ErrorCode::StateReplayed));
}

#[test]
fn ten_uses_of_one_state_let_exactly_one_through() {
    let store = MemoryStore::on(&FakeClock::at(0));
    let c = open(&key(), &sealed(), "googlecalendar", T0).unwrap_or_else(|e| panic!("{e}"));
    let ok = (0..10)
        .filter(|_| block_on(consume(&store, "app1", &c, T0)).is_ok())
        .count();
    assert_eq!(ok, 1);
}

#[test]
fn short_secrets_are_a_config_error() {
    let e = StateKey::derive(&[7u8; 31]).err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::ConfigInvalid));
    assert!(StateKey::derive(&[7u8; 32]).is_ok());
    assert_eq!(format!("{:?}", key()), "StateKey([redacted])");
}

#[test]
fn a_start_ticket_and_a_state_never_open_as_each_other_and_each_opens_once() {
    let ticket = seal_ticket(&key(), &claims())
        .map(|s| s.secret().to_owned())
        .unwrap_or_default();
    let opened =
        open_ticket(&key(), &ticket, "googlecalendar", T0 + 1000).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opened.user.as_deref(), Some("user-1"));
    // A ticket at the callback, or a state at the start route: tampered.
    assert_eq!(
        code_of(open(&key(), &ticket, "googlecalendar", T0 + 1000)),
        Some(ErrorCode::StateTampered)
    );
    assert_eq!(
        code_of(open_ticket(&key(), &sealed(), "googlecalendar", T0 + 1000)),
        Some(ErrorCode::StateTampered)
    );
    // Burning the ticket does not burn the state made from it (same nonce).
    let store = MemoryStore::on(&FakeClock::at(0));
    assert!(block_on(consume_ticket(&store, "app1", &opened, T0)).is_ok());
    assert_eq!(
        block_on(consume_ticket(&store, "app1", &opened, T0))
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::StateReplayed)
    );
    assert!(block_on(consume(&store, "app1", &opened, T0)).is_ok());
}
