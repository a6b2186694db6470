//! Base64 (RFC 4648) by base64ct, whose encoding and decoding take the same
//! time whatever the bytes (sealed records, states and keys go through it):
//! the URL-safe alphabet without padding for every token, state, key id
//! and cursor (strict: padding, other alphabets and non-zero trailing bits
//! are refused), the standard one with padding for HTTP Basic and for
//! bytes in JSON.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

/// `bytes` in base64url without padding.
pub fn url(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// The bytes of unpadded base64url `text`, or `None` when it is not.
pub fn from_url(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// `bytes` in standard base64, padded.
pub fn standard(bytes: impl AsRef<[u8]>) -> String {
    Base64::encode_string(bytes.as_ref())
}

#[cfg(test)]
mod tests;
