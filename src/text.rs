//! Text for messages: a caller's string shown safely, and the
//! did-you-mean of a misspelt name.

/// A caller's string as it may appear in a message: at most 64 characters,
/// control characters escaped.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_debug).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// The candidate closest to `wanted` by edit distance, when it is close
/// enough to be a typo of it.
pub fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|name| (strsim::damerau_levenshtein(wanted, name), name))
        .filter(|(d, name)| *d <= (name.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests;
