//! HTTP messages as the engine sees them ([`HttpRequest`], [`HttpResponse`],
//! [`FetchFailure`]) and the rules their parts meet: header names and
//! values, the 1 MiB body limit. The port that sends them is
//! [`crate::ports::Fetch`].

/// Whether `name` can be an HTTP header name: an RFC 9110 token (letters,
/// digits and ``!#$%&'*+-.^_`|~``), not empty.
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// What keeps `value` out of an HTTP header, if anything. Allowed: printable
/// ASCII, space to `~`. Refused: control characters (NUL, CR, LF, tab and
/// the rest of C0, DEL), which RFC 9110 forbids or `fetch` refuses or
/// strips, and anything outside ASCII. A JS string holding `€` is no
/// `ByteString` (`Headers` throws), and one holding `é` goes out as the
/// Latin-1 byte 0xE9, which no receiver reads as the UTF-8 the caller meant.
pub fn header_value_problem(value: &str) -> Option<&'static str> {
    value.bytes().find_map(|b| match b {
        b' '..=b'~' => None,
        0x80.. => Some("holds a character outside ASCII"),
        _ => Some("holds a control character (NUL, CR, LF, tab, ...)"),
    })
}

/// The largest response body the engine reads (token and revocation answers).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// An HTTP request the engine wants sent.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Requests carry client secrets and codes: their `Debug` shows only the
/// method, the URL without its query, and header names.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.url.split('?').next().unwrap_or_default();
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &url)
            .field("headers", &names)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// The answer to an [`HttpRequest`].
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Responses carry tokens: `Debug` shows the status and header names only.
impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &names)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// Why a request got no response. The difference matters: a request that
/// failed before it was sent can be retried; one that may have reached the
/// provider (a timeout after sending) must not be for a code exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFailure {
    /// Nothing reached the provider (DNS, connection refused, TLS).
    BeforeSend,
    /// The request may have been processed (a reset mid-answer, an opaque failure).
    AfterSend,
    /// No answer in time: the request may have been processed.
    TimedOut,
}

impl FetchFailure {
    /// Whether the request may have reached the other side.
    pub fn maybe_sent(self) -> bool {
        self != FetchFailure::BeforeSend
    }
}

/// Reads a failed `fetch` (its error's `name`, `message` and Node's
/// `cause.code`). Only failures known to happen while connecting count as
/// [`FetchFailure::BeforeSend`]; anything else (a timeout, a reset, a
/// browser's opaque "Failed to fetch") may have reached the provider.
pub fn classify_fetch_error(name: &str, message: &str, cause_code: Option<&str>) -> FetchFailure {
    const CONNECT_CODES: [&str; 9] = [
        "ECONNREFUSED",
        "ENOTFOUND",
        "EAI_AGAIN",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "UND_ERR_CONNECT_TIMEOUT",
        "ERR_INVALID_URL",
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
    ];
    if matches!(name, "AbortError" | "TimeoutError") {
        return FetchFailure::TimedOut;
    }
    if cause_code.is_some_and(|c| CONNECT_CODES.contains(&c)) {
        return FetchFailure::BeforeSend;
    }
    // Deno: "error sending request ...: client error (Connect): tcp connect error: ..."
    let lower = message.to_ascii_lowercase();
    if [
        "(connect)",
        "tcp connect error",
        "dns error",
        "connection refused",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        return FetchFailure::BeforeSend;
    }
    FetchFailure::AfterSend
}

#[cfg(test)]
mod tests;
