//! The key ring that seals token records at rest. Every record is sealed
//! with AES-256-GCM (a random 96-bit nonce per write) under a key derived
//! from the server secret, with the record's store key as associated data,
//! so a record copied into another user's slot does not open. The ring
//! (`secrets: [current, ...previous]`) names each key by a non-secret id
//! carried in the record: records sealed under an old key still open and
//! report that they should be sealed again.

use zeroize::Zeroizing;

use crate::crypto;
use crate::error::{Error, ErrorCode, Result};

const PREFIX: &str = "v1";
const KEY_PURPOSE: &[u8] = b"oauth-connectors/token-key/v1";
const ID_PURPOSE: &[u8] = b"oauth-connectors/key-id/v1";
/// The most secrets a ring holds (the current one and previous ones).
pub const MAX_KEYS: usize = 8;

/// A sealing key and its id.
struct RingKey {
    id: String,
    cipher: aes_gcm::Aes256Gcm,
}

/// The keys that seal token records: the first seals, all of them open.
pub struct KeyRing {
    keys: Vec<RingKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("KeyRing").field("ids", &ids).finish()
    }
}

/// An opened record.
pub struct Opened {
    pub plain: Zeroizing<Vec<u8>>,
    /// Sealed under a previous key: seal it again on the next write.
    pub stale: bool,
}

impl KeyRing {
    /// A ring from `[current, ...previous]` secrets (each at least 32 bytes).
    pub fn new<S: AsRef<[u8]>>(secrets: &[S]) -> Result<KeyRing> {
        if secrets.is_empty() || secrets.len() > MAX_KEYS {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("secrets must hold 1 to {MAX_KEYS} secrets: the current one first"),
            ));
        }
        let mut keys: Vec<RingKey> = Vec::with_capacity(secrets.len());
        for secret in secrets {
            let secret = secret.as_ref();
            let id = crate::b64::url(crypto::derive::<6>(secret, ID_PURPOSE)?.as_ref());
            if keys.iter().any(|k| k.id == id) {
                return Err(Error::new(
                    ErrorCode::ConfigInvalid,
                    "secrets holds the same secret twice",
                ));
            }
            keys.push(RingKey {
                id,
                cipher: crypto::cipher(secret, KEY_PURPOSE)?,
            });
        }
        Ok(KeyRing { keys })
    }

    /// The server takes its secrets as exactly one of `secret` (one) and
    /// `secrets` (`[current, ...previous]`): neither and both are
    /// `INVALID_INPUT`, each with its own message.
    pub fn check_secret_options(secret: bool, secrets: bool) -> Result<()> {
        let problem = match (secret, secrets) {
            (true, false) | (false, true) => return Ok(()),
            (false, false) => {
                "A secret is required: give secret (a string of at least 32 random bytes) or secrets ([current, ...previous])"
            }
            (true, true) => {
                "Give secret (a string of at least 32 random bytes) or secrets ([current, ...previous]), not both"
            }
        };
        Err(Error::new(ErrorCode::InvalidInput, problem))
    }

    /// The id of the key new records are sealed with.
    pub fn current_id(&self) -> &str {
        self.keys.first().map_or("", |k| k.id.as_str())
    }

    /// Seals `plain` for the store slot `record_key`:
    /// `v1.<key id>.<base64url(nonce || ciphertext || tag)>`.
    pub fn seal(&self, record_key: &str, plain: &[u8]) -> Result<String> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| Error::new(ErrorCode::ConfigInvalid, "The key ring is empty"))?;
        let sealed = crypto::seal(&key.cipher, record_key.as_bytes(), plain)?;
        Ok(format!("{PREFIX}.{}.{}", key.id, crate::b64::url(sealed)))
    }

    /// Opens what [`KeyRing::seal`] wrote for the same `record_key`.
    /// `RECORD_MALFORMED` when it is not a sealed record, `VAULT_KEY_UNKNOWN`
    /// when its key is not in the ring, `RECORD_TAMPERED` when it was
    /// changed or belongs to another slot. Never panics on any input.
    pub fn open(&self, record_key: &str, stored: &str) -> Result<Opened> {
        let malformed = || {
            Error::new(
                ErrorCode::RecordMalformed,
                "A stored record is not one this vault sealed",
            )
        };
        let mut parts = stored.splitn(3, '.');
        let (Some(PREFIX), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let position = self.keys.iter().position(|k| k.id == id).ok_or_else(|| {
            Error::new(
                ErrorCode::VaultKeyUnknown,
                "A stored record was sealed with a secret that is not in `secrets` (add the previous secret to the ring)",
            )
        })?;
        let bytes = crate::b64::from_url(body).ok_or_else(malformed)?;
        let plain = crypto::open(&self.keys[position].cipher, record_key.as_bytes(), &bytes)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::RecordTampered,
                    "A stored record failed its integrity check (changed, or moved from another slot)",
                )
            })?;
        Ok(Opened {
            plain,
            stale: position != 0,
        })
    }
}

#[cfg(test)]
mod tests;
