//! AES-256-GCM under keys derived from the server secret with HKDF-SHA256
//! and a purpose label, shared by sealed `state` and sealed token records:
//! one secret, a different key per purpose.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::ports::random_bytes;

/// The shortest secret a server may use: 32 bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// A random 96-bit nonce per seal.
pub const NONCE_LEN: usize = 12;
/// The GCM tag.
pub const TAG_LEN: usize = 16;

/// Checks the secret's length (`CONFIG_INVALID`: use random bytes, not a password).
pub fn check_secret(secret: &[u8]) -> Result<()> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "The server secret must have at least {MIN_SECRET_LEN} bytes (use 32 random bytes)"
            ),
        ));
    }
    Ok(())
}

/// `N` bytes of HKDF-SHA256 output for `purpose`.
pub fn derive<const N: usize>(secret: &[u8], purpose: &[u8]) -> Result<Zeroizing<[u8; N]>> {
    check_secret(secret)?;
    let mut okm = Zeroizing::new([0u8; N]);
    Hkdf::<Sha256>::new(None, secret)
        .expand(purpose, okm.as_mut())
        .map_err(|_| Error::new(ErrorCode::ConfigInvalid, "Cannot derive a key"))?;
    Ok(okm)
}

/// The AES-256-GCM cipher for `purpose`.
pub fn cipher(secret: &[u8], purpose: &[u8]) -> Result<Aes256Gcm> {
    let key = derive::<32>(secret, purpose)?;
    Aes256Gcm::new_from_slice(key.as_ref())
        .map_err(|_| Error::new(ErrorCode::ConfigInvalid, "Cannot derive a key"))
}

/// `nonce || ciphertext || tag`, with `aad` bound to it.
pub fn seal(cipher: &Aes256Gcm, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let nonce = random_bytes::<NONCE_LEN>()?;
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| Error::new(ErrorCode::InvalidInput, "Cannot seal"))?;
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The plaintext of [`seal`]'s output, or `None` when it is too short,
/// was changed, or was sealed with another key or `aad`.
pub fn open(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).ok()?;
    cipher
        .decrypt(&nonce, Payload { msg: body, aad })
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests;
