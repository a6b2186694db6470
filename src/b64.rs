//! Base64 (RFC 4648) through `base64ct`, with the call shape of the
//! `base64` crate's engines (`URL_SAFE_NO_PAD.encode(..)`): the same strict
//! decoding (no padding in the URL-safe form, canonical trailing bits), in
//! less wasm than `base64`'s general-purpose engine.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

/// base64url without padding (JWTs, PKCE, state, record ids).
pub struct UrlSafeNoPad;
pub const URL_SAFE_NO_PAD: UrlSafeNoPad = UrlSafeNoPad;

/// Standard base64 with padding (Basic credentials, binary bodies).
pub struct Standard;
pub const STANDARD: Standard = Standard;

/// A decoding failure: bad characters, length or trailing bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError;

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid base64")
    }
}

impl UrlSafeNoPad {
    pub fn encode(&self, input: impl AsRef<[u8]>) -> String {
        Base64UrlUnpadded::encode_string(input.as_ref())
    }

    pub fn decode(&self, input: impl AsRef<[u8]>) -> Result<Vec<u8>, DecodeError> {
        decode_url(input.as_ref())
    }
}

fn decode_url(input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = vec![0u8; input.len() / 4 * 3 + 3];
    let len = Base64UrlUnpadded::decode(input, &mut out)
        .map_err(|_| DecodeError)?
        .len();
    out.truncate(len);
    Ok(out)
}

impl Standard {
    pub fn encode(&self, input: impl AsRef<[u8]>) -> String {
        Base64::encode_string(input.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_what_base64_rejects() {
        for n in 0..70u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let text = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(URL_SAFE_NO_PAD.decode(&text), Ok(bytes.clone()));
            assert!(!text.contains(['=', '+', '/']));
        }
        assert_eq!(URL_SAFE_NO_PAD.encode(b"\xfb\xff"), "-_8");
        assert_eq!(STANDARD.encode(b"\xfb\xff"), "+/8=");
        assert_eq!(STANDARD.encode(b"id:secret"), "aWQ6c2VjcmV0");
        for bad in ["a", "abcde", "ab==", "ab=", "a+b/", "ab c", "-_9", "AB"] {
            assert_eq!(URL_SAFE_NO_PAD.decode(bad), Err(DecodeError), "{bad}");
        }
        assert_eq!(URL_SAFE_NO_PAD.decode(""), Ok(Vec::new()));
    }
}
