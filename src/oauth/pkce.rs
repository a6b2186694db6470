//! PKCE with S256 (RFC 7636): a 32-byte random verifier, base64url, and its
//! SHA-256 challenge. The verifier lives only in the sealed state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::secret::PkceVerifier;
use crate::error::{Error, ErrorCode, Result};
use crate::ports::random_bytes;

/// The only method we send: `plain` would defeat the purpose.
pub const METHOD: &str = "S256";

/// A new verifier: 32 random bytes as 43 base64url characters.
pub fn generate_verifier() -> Result<PkceVerifier> {
    let bytes = random_bytes::<32>()?;
    Ok(PkceVerifier::new(URL_SAFE_NO_PAD.encode(bytes)))
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub fn check_verifier(verifier: &str) -> Result<()> {
    if is_verifier(verifier) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidInput,
            "A PKCE code verifier is 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~' (RFC 7636)",
        ))
    }
}

/// A plain loop: the size-tuned wasm inlines no `all` closure.
fn is_verifier(verifier: &str) -> bool {
    if !matches!(verifier.len(), 43..=128) {
        return false;
    }
    for &b in verifier.as_bytes() {
        if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
            return false;
        }
    }
    true
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn challenge_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
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
        assert!(
            ok(&"a".repeat(43)) && ok(&"a".repeat(128)) && ok(&format!("{}-._~", "a".repeat(40)))
        );
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
}
