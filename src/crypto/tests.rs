use super::*;

const SECRET: &[u8] = b"crypto-test-secret-0123456789abcdef";
const PURPOSE: &[u8] = b"oauth-connectors/token-key/v1";
const AAD: &[u8] = b"oauth-connectors:conn:app1:shared:acme";

fn key(secret: &[u8], purpose: &[u8]) -> Aes256Gcm {
    cipher(secret, purpose).unwrap_or_else(|e| panic!("{e}"))
}

fn sealed(cipher: &Aes256Gcm, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    seal(cipher, aad, plain).unwrap_or_else(|e| panic!("{e}"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn what_is_sealed_opens_with_the_same_key_and_aad() {
    let k = key(SECRET, PURPOSE);
    for plain in [&b""[..], b"x", b"{\"accessToken\":\"at\"}", &[0u8; 4096]] {
        let s = sealed(&k, AAD, plain);
        assert_eq!(s.len(), NONCE_LEN + plain.len() + TAG_LEN);
        let opened = open(&k, AAD, &s).unwrap_or_else(|| panic!("does not open"));
        assert_eq!(opened.as_slice(), plain);
    }
    // The plaintext does not show in the sealed bytes.
    let s = sealed(&k, AAD, b"SENTINEL_ACCESS_TOKEN");
    assert!(!s.windows(8).any(|w| w == b"SENTINEL"));
}

#[test]
fn each_seal_takes_a_fresh_nonce() {
    let k = key(SECRET, PURPOSE);
    let a = sealed(&k, AAD, b"same");
    let b = sealed(&k, AAD, b"same");
    assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    assert_ne!(a, b);
}

#[test]
fn another_key_another_aad_or_a_changed_byte_does_not_open() {
    let k = key(SECRET, PURPOSE);
    let s = sealed(&k, AAD, b"token");
    // Another secret, another purpose.
    let other_secret = key(b"another-secret-0123456789abcdefghij", PURPOSE);
    assert!(open(&other_secret, AAD, &s).is_none());
    assert!(open(&key(SECRET, b"oauth-connectors/state-key/v1"), AAD, &s).is_none());
    // Another slot's associated data (a record moved), or none.
    assert!(open(&k, b"oauth-connectors:conn:app1:shared:acmf", &s).is_none());
    assert!(open(&k, b"", &s).is_none());
    // Any bit changed: nonce, ciphertext or tag.
    for i in 0..s.len() {
        let mut t = s.clone();
        t[i] ^= 0x01;
        assert!(
            open(&k, AAD, &t).is_none(),
            "byte {i} changed and it opened"
        );
    }
    // Cut or lengthened.
    assert!(open(&k, AAD, &s[..s.len() - 1]).is_none());
    let mut longer = s.clone();
    longer.push(0);
    assert!(open(&k, AAD, &longer).is_none());
    assert!(open(&k, AAD, &s).is_some(), "the original still opens");
}

#[test]
fn input_shorter_than_a_nonce_and_a_tag_is_refused_without_panicking() {
    let k = key(SECRET, PURPOSE);
    for len in 0..NONCE_LEN + TAG_LEN {
        assert!(open(&k, AAD, &vec![0u8; len]).is_none(), "{len} bytes");
    }
    // The shortest seal (an empty plaintext) is exactly that long, and opens.
    let empty = sealed(&k, AAD, b"");
    assert_eq!(empty.len(), NONCE_LEN + TAG_LEN);
    assert!(open(&k, AAD, &empty).is_some_and(|p| p.is_empty()));
}

#[test]
fn each_purpose_gets_its_own_key_from_one_secret() {
    let purposes: [&[u8]; 3] = [
        b"oauth-connectors/token-key/v1",
        b"oauth-connectors/state-key/v1",
        b"oauth-connectors/key-id/v1",
    ];
    let keys: Vec<[u8; 32]> = purposes
        .iter()
        .map(|p| *derive::<32>(SECRET, p).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
    assert_ne!(keys[1], keys[2]);
    // Deterministic: the same secret and purpose give the same key (records
    // sealed by one instance open on another).
    assert_eq!(
        *derive::<32>(SECRET, purposes[0]).unwrap_or_else(|e| panic!("{e}")),
        keys[0]
    );
    // Another secret, another key for the same purpose.
    let other = derive::<32>(b"another-secret-0123456789abcdefghij", purposes[0])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(*other, keys[0]);
    // A seal for one purpose does not open under another's key.
    let s = sealed(&key(SECRET, purposes[0]), AAD, b"token");
    assert!(open(&key(SECRET, purposes[1]), AAD, &s).is_none());
}

/// The derivation and the layout are pinned: records and states sealed by
/// earlier versions must keep opening. The vector comes from an independent
/// implementation (Python's `hmac` for HKDF-SHA256 without salt, and
/// `cryptography`'s AES-GCM), `nonce || ciphertext || tag`.
#[test]
fn keys_and_sealed_bytes_match_an_independent_implementation() {
    assert_eq!(
        derive::<32>(SECRET, PURPOSE)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_vec(),
        hex("6168b495c733dc85d5741654a3c629b506c685d6890a3988d840454b5e22710b")
    );
    assert_eq!(
        derive::<6>(SECRET, b"oauth-connectors/key-id/v1")
            .unwrap_or_else(|e| panic!("{e}"))
            .to_vec(),
        hex("0bc32ab84266")
    );
    let vector = hex(
        "000102030405060708090a0b9d4e35e9785928cad9019fa9541fe1bd7c52965046dbd80057d9134c2704a0fcb07f815a",
    );
    let opened = open(&key(SECRET, PURPOSE), AAD, &vector);
    assert_eq!(
        opened.as_deref().map(Vec::as_slice),
        Some(&b"{\"accessToken\":\"at\"}"[..])
    );
}

#[test]
fn secrets_shorter_than_32_bytes_are_a_configuration_error() {
    let short = [7u8; MIN_SECRET_LEN - 1];
    let code = |r: Result<()>| r.err().map(|e| e.code());
    assert_eq!(code(check_secret(&short)), Some(ErrorCode::ConfigInvalid));
    assert_eq!(code(check_secret(b"")), Some(ErrorCode::ConfigInvalid));
    assert_eq!(code(check_secret(&[7u8; MIN_SECRET_LEN])), None);
    assert_eq!(
        derive::<32>(&short, PURPOSE).err().map(|e| e.code()),
        Some(ErrorCode::ConfigInvalid)
    );
    assert_eq!(
        cipher(&short, PURPOSE).err().map(|e| e.code()),
        Some(ErrorCode::ConfigInvalid)
    );
    // The message says what to use, and holds no part of the secret.
    let message = check_secret(b"hunter2")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.contains("32"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}
