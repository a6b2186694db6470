//! Scopes: what one is (RFC 6749 §3.3), and a list of them checked and
//! kept once. Connector files, catalog entries, the authorization URL and
//! the management calls all read scopes through here.

use crate::error::{Error, ErrorCode, Result};
use crate::text::printable;

/// The most scopes one connector may ask for.
pub const MAX_SCOPES: usize = 50;
/// The longest scope string.
pub const MAX_SCOPE_LEN: usize = 1024;

/// An RFC 6749 §3.3 scope token: one or more of `%x21 / %x23-5B / %x5D-7E`.
pub fn is_valid_scope(scope: &str) -> bool {
    if scope.is_empty() || scope.len() > MAX_SCOPE_LEN {
        return false;
    }
    // A plain loop and a pattern: the size-tuned wasm inlines neither
    // `all`'s closure nor `RangeInclusive::contains`.
    for &b in scope.as_bytes() {
        if !matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E) {
            return false;
        }
    }
    true
}

/// Scopes checked (RFC 6749 §3.3), each kept once, at most [`MAX_SCOPES`].
pub fn check_scopes<'a>(scopes: impl Iterator<Item = &'a String>) -> Result<Vec<String>> {
    Ok(checked_scopes(scopes.map(String::as_str))?
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// [`check_scopes`] without copies: every scope is checked, so an invalid
/// one is named even after the limit is passed; past the limit the
/// duplicates are no longer looked for (the answer is the limit's error).
pub(crate) fn checked_scopes<'a>(scopes: impl Iterator<Item = &'a str>) -> Result<Vec<&'a str>> {
    let mut out: Vec<&str> = Vec::new();
    for scope in scopes {
        if !is_valid_scope(scope) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                format!("Invalid scope \"{}\"", printable(scope)),
            ));
        }
        if out.len() <= MAX_SCOPES && !out.contains(&scope) {
            out.push(scope);
        }
    }
    if out.len() > MAX_SCOPES {
        return Err(Error::new(
            ErrorCode::InvalidScope,
            format!("At most {MAX_SCOPES} scopes"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
