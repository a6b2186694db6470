use super::*;

#[test]
fn rfc7636_appendix_b_vector() {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(
        challenge_s256(verifier),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert!(check_verifier(verifier).is_ok());
}

#[test]
fn generated_verifiers_are_43_base64url_characters_and_distinct() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let v = generate_verifier()
            .map(|v| v.secret().to_owned())
            .unwrap_or_default();
        assert_eq!(v.len(), 43);
        assert!(check_verifier(&v).is_ok(), "{v}");
        assert!(seen.insert(v));
    }
}

#[test]
fn verifier_length_and_charset_are_checked() {
    let ok = |s: &str| check_verifier(s).is_ok();
    assert!(ok(&"a".repeat(43)) && ok(&"a".repeat(128)) && ok(&format!("{}-._~", "a".repeat(40))));
    for bad in [
        "a".repeat(42),
        "a".repeat(129),
        format!("{}+", "a".repeat(42)),
        format!("{}/", "a".repeat(42)),
        format!("{}=", "a".repeat(42)),
        format!("{} ", "a".repeat(42)),
        format!("{}é", "a".repeat(41)),
    ] {
        assert_eq!(
            check_verifier(&bad).err().map(|e| e.code()),
            Some(ErrorCode::InvalidInput),
            "{bad}"
        );
    }
}
