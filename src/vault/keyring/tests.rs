use super::*;

const OLD: &[u8] = b"old-secret-0123456789abcdef012345";
const NEW: &[u8] = b"new-secret-0123456789abcdef012345";
const SLOT: &str = "conn:app1:googlecalendar:user-a";

fn ring(secrets: &[&[u8]]) -> KeyRing {
    KeyRing::new(secrets).unwrap_or_else(|e| panic!("{e}"))
}

fn code<T>(r: Result<T>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

#[test]
fn a_record_opens_in_its_own_slot_only() {
    let ring = ring(&[NEW]);
    let sealed = ring.seal(SLOT, b"SENTINEL_TOKEN").unwrap_or_default();
    assert!(sealed.starts_with(&format!("v1.{}.", ring.current_id())));
    assert!(!sealed.contains("SENTINEL"));
    let opened = ring.open(SLOT, &sealed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opened.plain.as_slice(), b"SENTINEL_TOKEN");
    assert!(!opened.stale);
    // Copied into another user's slot: the associated data differs.
    let other = "conn:app1:googlecalendar:user-b";
    assert_eq!(
        code(ring.open(other, &sealed)),
        Some(ErrorCode::RecordTampered)
    );
}

#[test]
fn each_write_uses_a_fresh_nonce() {
    let ring = ring(&[NEW]);
    let a = ring.seal(SLOT, b"same").unwrap_or_default();
    let b = ring.seal(SLOT, b"same").unwrap_or_default();
    assert_ne!(a, b);
}

#[test]
fn old_keys_still_open_and_ask_for_a_reseal() {
    let before = ring(&[OLD]);
    let sealed = before.seal(SLOT, b"token").unwrap_or_default();
    let rotated = ring(&[NEW, OLD]);
    let opened = rotated
        .open(SLOT, &sealed)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(opened.plain.as_slice(), b"token");
    assert!(opened.stale, "sealed under the previous key");
    let resealed = rotated.seal(SLOT, &opened.plain).unwrap_or_default();
    assert!(resealed.contains(rotated.current_id()));
    assert!(rotated.open(SLOT, &resealed).is_ok_and(|o| !o.stale));
    // Once the old secret leaves the ring, its records name an unknown key.
    assert_eq!(
        code(ring(&[NEW]).open(SLOT, &sealed)),
        Some(ErrorCode::VaultKeyUnknown)
    );
}

#[test]
fn any_input_is_a_coded_error_never_a_panic() {
    let ring = ring(&[NEW]);
    let good = ring.seal(SLOT, b"token").unwrap_or_default();
    let id = ring.current_id().to_owned();
    let mut flipped = good.clone().into_bytes();
    if let Some(last) = flipped.last_mut() {
        *last = if *last == b'A' { b'B' } else { b'A' };
    }
    let flipped = String::from_utf8(flipped).unwrap_or_default();
    let cases: Vec<(String, ErrorCode)> = vec![
        (String::new(), ErrorCode::RecordMalformed),
        ("v1".into(), ErrorCode::RecordMalformed),
        ("v2.x.y".into(), ErrorCode::RecordMalformed),
        (format!("v1.{id}.***"), ErrorCode::RecordMalformed),
        (format!("v1.{id}."), ErrorCode::RecordTampered),
        (format!("v1.{id}.AAAA"), ErrorCode::RecordTampered),
        ("v1.unknown.AAAA".into(), ErrorCode::VaultKeyUnknown),
        (flipped, ErrorCode::RecordTampered),
        ("v1.é.\u{0}".into(), ErrorCode::VaultKeyUnknown),
    ];
    for (input, expected) in cases {
        assert_eq!(code(ring.open(SLOT, &input)), Some(expected), "{input:?}");
    }
}

#[test]
fn bad_rings_are_configuration_errors() {
    let none: [&[u8]; 0] = [];
    assert_eq!(code(KeyRing::new(&none)), Some(ErrorCode::ConfigInvalid));
    assert_eq!(
        code(KeyRing::new(&[b"short".as_slice()])),
        Some(ErrorCode::ConfigInvalid)
    );
    assert_eq!(
        code(KeyRing::new(&[NEW, NEW])),
        Some(ErrorCode::ConfigInvalid)
    );
    let nine = [NEW; 9];
    assert_eq!(code(KeyRing::new(&nine)), Some(ErrorCode::ConfigInvalid));
    // The ids say nothing about the secrets, and Debug shows only ids.
    let r = ring(&[NEW, OLD]);
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("secret") && shown.contains(r.current_id()),
        "{shown}"
    );
}

#[test]
fn exactly_one_of_secret_and_secrets_is_taken_and_each_mistake_says_which() {
    assert!(KeyRing::check_secret_options(true, false).is_ok());
    assert!(KeyRing::check_secret_options(false, true).is_ok());
    let message = |secret, secrets| {
        let e = KeyRing::check_secret_options(secret, secrets).err();
        assert_eq!(e.as_ref().map(Error::code), Some(ErrorCode::InvalidInput));
        e.map(|e| e.to_string()).unwrap_or_default()
    };
    let none = message(false, false);
    assert!(
        none.starts_with("A secret is required: give secret"),
        "{none}"
    );
    assert!(!none.contains("not both"), "{none}");
    assert!(message(true, true).ends_with(", not both"));
}
