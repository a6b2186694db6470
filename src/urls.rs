//! The URL policy: what an endpoint, redirect or public URL must be.

/// What is wrong with an endpoint or redirect URL, if anything: it must be
/// https (plain http only on `127.0.0.1`, `localhost` or `[::1]`), with a host, no
/// user info, no fragment and no white space.
pub fn url_problem(url: &str) -> Option<&'static str> {
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        let authority = r.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix("[::1]") {
            Some(_) => "[::1]",
            None => authority.split(':').next().unwrap_or_default(),
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Some("must use https (http only on 127.0.0.1, localhost or [::1])");
        }
        r
    } else {
        return Some("must be an absolute https URL");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Some("has no host");
    }
    if authority.contains('@') {
        return Some("must not hold user info");
    }
    if url.contains('#') {
        return Some("must not have a fragment");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("holds white space");
    }
    None
}
