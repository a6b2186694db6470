//! The app id rule, one for every part that takes an app id: the server's
//! `appId` (it is a path segment of every route) and the token vault's
//! (it namespaces every store key).

use crate::error::{Error, ErrorCode, Result};

/// The longest app id.
pub const MAX_APP_ID_LEN: usize = 128;

/// An app id is 1 to [`MAX_APP_ID_LEN`] characters of `A-Z a-z 0-9 - _ .`;
/// `INVALID_INPUT` otherwise.
pub fn check_app_id(app_id: &str) -> Result<()> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if app_id.is_empty() || app_id.len() > MAX_APP_ID_LEN || !app_id.bytes().all(allowed) {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "appId must have 1 to 128 characters of A-Z, a-z, 0-9, '-', '_' and '.'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
