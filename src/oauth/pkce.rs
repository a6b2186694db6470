//! PKCE with S256 (RFC 7636): a 32-byte random verifier, base64url, and its
//! SHA-256 challenge. The verifier lives only in the sealed state.

use sha2::{Digest, Sha256};

use super::secret::PkceVerifier;
use crate::error::{Error, ErrorCode, Result};
use crate::ports::random_bytes;

/// The only method we send: `plain` would defeat the purpose.
pub const METHOD: &str = "S256";

/// A new verifier: 32 random bytes as 43 base64url characters.
pub fn generate_verifier() -> Result<PkceVerifier> {
    let bytes = random_bytes::<32>()?;
    Ok(PkceVerifier::new(crate::b64::url(bytes)))
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
    crate::b64::url(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests;
