//! The bodies of the fuzz targets: each takes arbitrary bytes, drives one
//! parser or check of the crate, and asserts what must hold for every
//! input (a panic is a finding). `fuzz/` runs them under libFuzzer
//! (`scripts/fuzz.sh`); `cargo test` replays the seed corpus
//! `fuzz/seeds/<target>/` through them. Compiled for tests, and for the
//! fuzz crate through the `fuzzing` feature; never part of the package.
//!
//! Structured inputs are fields separated by the byte `0x1f` (unit
//! separator), so seeds stay readable text.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::catalog::{Catalog, Provider};
use crate::error::ErrorCode;
use crate::error::KNOWN_ERRORS;
use crate::http::HttpResponse;
use crate::identity::{Hs256, LEEWAY_MS};
use crate::oauth::callback;
use crate::oauth::secret::PkceVerifier;
use crate::oauth::state::{self, StateClaims, StateKey};
use crate::oauth::token::{self, Grant};
use crate::server::proxy::{self, CallRequest};
use crate::server::return_url;
use crate::vault::{KeyRing, Record};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs`.
pub const TARGETS: &[(&str, Target)] = &[
    ("config_jsonc", config_jsonc),
    ("sealed_state", sealed_state),
    ("callback_query", callback_query),
    ("token_response", token_response),
    ("jwt", jwt),
    ("sealed_record", sealed_record),
    ("return_url", return_url),
    ("proxy", proxy),
];

/// A fixed time (ms), 2027-01-15.
const NOW: u64 = 1_800_000_000_000;
const SECRET: &[u8] = b"fuzzing-secret-0123456789abcdef-0123456789";
const OTHER_SECRET: &[u8] = b"another-fuzzing-secret-0123456789abcdef";

/// The input's fields (lossy UTF-8), split at `0x1f`; missing ones are empty.
fn fields<const N: usize>(data: &[u8]) -> [String; N] {
    let mut parts = data.split(|b| *b == 0x1f);
    std::array::from_fn(|_| String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned())
}

/// The first byte (0 for none) and the rest.
fn mode(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((m, rest)) => (*m, rest),
        None => (0, data),
    }
}

fn catalog() -> &'static Catalog {
    Catalog::builtin().expect("the built-in catalog loads")
}

fn provider(id: &str) -> &'static Provider {
    catalog().get(id).expect("a catalog provider")
}

/// A message shown to people holds no control character (no terminal or
/// log injection from what was parsed).
fn assert_printable(message: &str) {
    assert!(
        !message.chars().any(char::is_control),
        "a control character in {message:?}"
    );
}

// ---------------------------------------------------------------- config

/// Connector files (JSONC): any bytes parse or fail with a positioned,
/// printable error; a parsed file validates or fails without panicking.
pub fn config_jsonc(data: &[u8]) {
    match crate::config::parse_bytes(data, Some("fuzz.jsonc")) {
        Ok(file) => {
            let again = crate::config::parse_bytes(data, Some("fuzz.jsonc"));
            assert!(again.is_ok(), "parsing is deterministic");
            if let Err(e) = crate::config::validate(vec![file], catalog()) {
                assert_printable(&e.to_string());
            }
        }
        Err(e) => {
            assert_printable(&e.to_string());
            assert!(matches!(
                e.code(),
                ErrorCode::ConfigSyntax
                    | ErrorCode::ConfigTooLarge
                    | ErrorCode::ConfigTooDeep
                    | ErrorCode::DuplicateKey
                    | ErrorCode::UnknownField
                    | ErrorCode::ConfigInvalid
                    | ErrorCode::InvalidScope
            ));
            if let Some(location) = e.location().filter(|l| l.line > 0) {
                let text = String::from_utf8_lossy(data);
                let lines = text.split('\n').count();
                assert!(
                    location.line as usize <= lines && location.column >= 1,
                    "{location:?} is outside the file"
                );
            }
        }
    }
}

// ----------------------------------------------------------------- state

fn state_key() -> &'static StateKey {
    static KEY: OnceLock<StateKey> = OnceLock::new();
    KEY.get_or_init(|| StateKey::derive(SECRET).expect("a state key"))
}

fn other_state_key() -> &'static StateKey {
    static KEY: OnceLock<StateKey> = OnceLock::new();
    KEY.get_or_init(|| StateKey::derive(OTHER_SECRET).expect("a state key"))
}

/// Sealed `state`: claims sealed then opened are the same claims; opened
/// for another connector, or late, they fail with their codes; a state
/// changed anywhere, or any other string, never opens.
pub fn sealed_state(data: &[u8]) {
    let (m, rest) = mode(data);
    if m % 2 == 0 {
        let text = String::from_utf8_lossy(rest);
        let Err(e) = state::open(state_key(), &text, "conn", NOW) else {
            panic!("a state nobody sealed opened: {text:?}");
        };
        assert!(matches!(
            e.code(),
            ErrorCode::StateMalformed | ErrorCode::StateTampered
        ));
        return;
    }
    let [
        connector,
        user,
        redirect,
        return_url,
        scopes,
        binding,
        verifier,
        flip,
    ] = fields::<8>(rest);
    let Ok(mut claims) = StateClaims::new(connector.clone(), redirect.clone(), NOW) else {
        return;
    };
    claims.user = (!user.is_empty()).then_some(user);
    claims.return_url = (!return_url.is_empty()).then_some(return_url);
    claims.scopes = scopes.split(' ').map(str::to_owned).collect();
    claims.binding = (!binding.is_empty()).then_some(binding);
    claims.verifier = (!verifier.is_empty()).then(|| PkceVerifier::new(verifier));
    let Ok(sealed) = state::seal(state_key(), &claims) else {
        return;
    };
    let sealed = sealed.secret().to_owned();
    if sealed.len() > state::MAX_STATE_LEN {
        let e = state::open(state_key(), &sealed, &connector, NOW).err();
        assert_eq!(e.map(|e| e.code()), Some(ErrorCode::StateMalformed));
        return;
    }
    let opened = state::open(state_key(), &sealed, &connector, NOW + 1)
        .unwrap_or_else(|e| panic!("a sealed state does not open: {e}"));
    assert_eq!(opened.connector, claims.connector);
    assert_eq!(opened.user, claims.user);
    assert_eq!(opened.redirect_uri, claims.redirect_uri);
    assert_eq!(opened.return_url, claims.return_url);
    assert_eq!(opened.scopes, claims.scopes);
    assert_eq!(opened.binding, claims.binding);
    assert_eq!(opened.nonce, claims.nonce);
    assert_eq!(
        opened.verifier.as_ref().map(|v| v.secret().to_owned()),
        claims.verifier.as_ref().map(|v| v.secret().to_owned())
    );
    assert_eq!(
        (opened.issued_at_ms, opened.expires_at_ms),
        (claims.issued_at_ms, claims.expires_at_ms)
    );
    let code = |r: crate::Result<StateClaims>| r.err().map(|e| e.code());
    assert_eq!(
        code(state::open(
            state_key(),
            &sealed,
            &format!("{connector}x"),
            NOW
        )),
        Some(ErrorCode::StateConnectorMismatch)
    );
    assert_eq!(
        code(state::open(
            state_key(),
            &sealed,
            &connector,
            claims.expires_at_ms + 1
        )),
        Some(ErrorCode::StateExpired)
    );
    assert_eq!(
        code(state::open(other_state_key(), &sealed, &connector, NOW)),
        Some(ErrorCode::StateTampered)
    );
    // One character changed, wherever it is, never opens.
    let at = flip
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31) ^ b as usize)
        % sealed.len();
    let mut changed = sealed.clone().into_bytes();
    changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).expect("base64url stays ASCII");
    assert!(matches!(
        code(state::open(state_key(), &changed, &connector, NOW)),
        Some(ErrorCode::StateMalformed | ErrorCode::StateTampered)
    ));
}

// -------------------------------------------------------------- callback

/// The callback query: what parses is unambiguous (a state, a code or an
/// error, never both, no token); an error outcome names only a known
/// OAuth error code; refusals are `INVALID_CALLBACK` with a printable message.
pub fn callback_query(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    match callback::parse_query(&query) {
        Ok(params) => {
            assert!(!params.state.is_empty());
            assert!(query.len() <= callback::MAX_QUERY_LEN + 1);
            for key in [
                "token",
                "access_token",
                "id_token",
                "state",
                "code",
                "error",
            ] {
                assert!(!params.extra.contains_key(key), "{key} in the extras");
            }
            match (&params.code, &params.error) {
                (Some(code), None) => {
                    assert!(!code.secret().is_empty());
                    assert!(params.outcome().is_ok());
                }
                (None, Some(error)) => {
                    let e = params.outcome().expect_err("an error outcome");
                    let name = e
                        .message()
                        .strip_prefix("The provider answered ")
                        .unwrap_or_else(|| panic!("{e}"));
                    assert!(name == "other" || KNOWN_ERRORS.contains(&name), "{e}");
                    assert!(name == "other" || name == error.as_str());
                }
                _ => panic!("a code and an error, or neither"),
            }
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::InvalidCallback);
            assert_printable(e.message());
        }
    }
}

// --------------------------------------------------------- token response

/// Providers with a quirk of their own in the token response: GitHub
/// (HTTP 200 errors, form encoding), Slack (`ok: false`, `authed_user`),
/// Square (`expires_at`), Salesforce and Notion (connection config),
/// QuickBooks (callback parameters), TikTok (renamed parameters), and
/// GitLab (none).
const TOKEN_PROVIDERS: [&str; 8] = [
    "gitlab",
    "github",
    "slack",
    "square",
    "salesforce",
    "notion",
    "quickbooks",
    "tiktok",
];
const STATUSES: [u16; 8] = [200, 201, 204, 400, 401, 403, 429, 500];
const CONTENT_TYPES: [&str; 5] = [
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "",
];

/// A token response, on every quirk path: an error message is one of our
/// own sentences (a known error code or `other`, an HTTP status, or what
/// is unusable, in words) and never quotes the provider; a success holds
/// a non-empty access token and a `raw` without any token.
pub fn token_response(data: &[u8]) {
    let (m, rest) = mode(data);
    let (n, body) = mode(rest);
    let provider = provider(TOKEN_PROVIDERS[usize::from(m % 8)]);
    let grant = if m & 0x08 == 0 {
        Grant::AuthorizationCode
    } else {
        Grant::RefreshToken
    };
    let status = STATUSES[usize::from(n % 8)];
    let content_type = CONTENT_TYPES[usize::from((n >> 3) % 5)];
    let response = HttpResponse {
        status,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_vec(),
    };
    let mut callback_params = BTreeMap::new();
    callback_params.insert("realmId".to_owned(), "4620816365".to_owned());
    let requested = ["openid".to_owned(), "email".to_owned()];
    match token::process_token_response(
        provider,
        grant,
        &response,
        &requested,
        &callback_params,
        NOW,
    ) {
        Ok(tokens) => {
            assert!(!tokens.access_token.secret().is_empty());
            if let Some(rt) = &tokens.refresh_token {
                assert!(!rt.secret().is_empty());
            }
            for key in ["access_token", "refresh_token", "id_token"] {
                assert!(!raw_has_key(&tokens.raw, key), "{key} left in raw");
            }
            if provider.token_response.expires_at_field.is_none()
                && let Some(at) = tokens.expires_at_ms
            {
                assert!(at >= NOW + 1000, "an expiry in the past");
            }
            assert!(tokens.connection_config.values().all(|v| !v.is_empty()));
        }
        Err(e) => check_provider_message(e.code(), e.message(), status),
    }
}

fn raw_has_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| raw_has_key(v, key)),
        Value::Array(items) => items.iter().any(|v| raw_has_key(v, key)),
        _ => false,
    }
}

/// What a provider error may say: our sentences only.
fn check_provider_message(code: ErrorCode, message: &str, status: u16) {
    assert!(matches!(
        code,
        ErrorCode::ProviderError
            | ErrorCode::ProviderConfigError
            | ErrorCode::CodeExchangeFailed
            | ErrorCode::NeedsReconnect
            | ErrorCode::ResponseTooLarge
    ));
    assert_printable(message);
    if let Some(name) = message.strip_prefix("The provider answered ") {
        let ok =
            name == "other" || KNOWN_ERRORS.contains(&name) || name == format!("HTTP {status}");
        assert!(ok, "{message:?}");
    } else if let Some(what) = message.strip_prefix("The token response is not usable: ") {
        // Words of ours: letters only, no digit or symbol that a quoted
        // token or body would bring (the fuzzer finds such a quote fast).
        assert!(
            what.bytes()
                .all(|b| b.is_ascii_alphabetic() || b" _,.;:()".contains(&b)),
            "{message:?}"
        );
    } else {
        assert_eq!(message, "The provider's answer is larger than 1 MiB");
    }
}

// ------------------------------------------------------------------- JWT

fn hs256() -> &'static Hs256 {
    static KEY: OnceLock<Hs256> = OnceLock::new();
    KEY.get_or_init(|| Hs256::new(SECRET, "https://issuer.example", "my-app").expect("HS256"))
}

/// User tokens (HS256): no string nobody signed verifies; a signed token
/// verifies exactly when its claims say it should (`exp`, `nbf` with the
/// leeway, `iss`, `aud`, `sub`), and stops verifying if one character changes.
pub fn jwt(data: &[u8]) {
    let (m, rest) = mode(data);
    if m % 2 == 0 {
        let token = String::from_utf8_lossy(rest);
        let Err(e) = hs256().verify(&token, NOW) else {
            panic!("a token nobody signed verified: {token:?}");
        };
        assert!(matches!(
            e.code(),
            ErrorCode::JwtTooLarge | ErrorCode::JwtInvalid | ErrorCode::JwtAlgNotAllowed
        ));
        assert_printable(e.message());
        return;
    }
    let [sub, email, iss, aud, exp, nbf, flip] = fields::<7>(rest);
    let offset = |s: &str| s.trim().parse::<i64>().ok();
    let at = |secs: i64| Value::from(((NOW / 1000) as i64).saturating_add(secs));
    let mut claims = json!({ "sub": sub, "iss": iss, "aud": aud });
    if m & 0x02 != 0 {
        claims["aud"] = json!(["other", aud]);
    }
    if !email.is_empty() {
        claims["email"] = json!(email);
    }
    if let Some(s) = offset(&exp) {
        claims["exp"] = at(s);
    }
    if let Some(s) = offset(&nbf) {
        claims["nbf"] = at(s);
    }
    let Ok(token) = hs256().sign(&claims) else {
        return;
    };
    let verified = hs256().verify(&token, NOW);
    let leeway = (LEEWAY_MS / 1000) as i64;
    let should = !sub.is_empty()
        && iss == "https://issuer.example"
        && aud == "my-app"
        && offset(&exp).is_some_and(|s| s >= -leeway)
        && offset(&nbf).is_none_or(|s| s <= leeway);
    assert_eq!(verified.is_ok(), should, "{claims} -> {verified:?}");
    if let Ok(user) = verified {
        assert_eq!(user.id, sub);
        assert_eq!(user.email, (!email.is_empty()).then_some(email));
        let at = flip
            .bytes()
            .fold(0usize, |a, b| a.wrapping_mul(31) ^ b as usize)
            % token.len();
        let mut changed = token.into_bytes();
        changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).expect("base64url stays ASCII");
        assert!(
            hs256().verify(&changed, NOW).is_err(),
            "a changed token verified"
        );
    }
}

// ---------------------------------------------------------------- record

fn rings() -> &'static (KeyRing, KeyRing, KeyRing) {
    static RINGS: OnceLock<(KeyRing, KeyRing, KeyRing)> = OnceLock::new();
    RINGS.get_or_init(|| {
        (
            KeyRing::new(&[SECRET]).expect("a ring"),
            KeyRing::new(&[OTHER_SECRET, SECRET]).expect("a ring"),
            KeyRing::new(&[OTHER_SECRET]).expect("a ring"),
        )
    })
}

const RECORD_KEY: &str = "oauth-connectors:v1:app1:user:mine:alice";

/// Sealed records: a record sealed then opened is the same record (also
/// after the ring rotates); under another slot's key it is tampered, under
/// a ring without its secret the key is unknown; no string nobody sealed
/// ever opens.
pub fn sealed_record(data: &[u8]) {
    let (ring, rotated, other) = rings();
    let (m, rest) = mode(data);
    if m % 2 == 0 {
        let text = String::from_utf8_lossy(rest);
        let Err(e) = ring.open(RECORD_KEY, &text) else {
            panic!("a record nobody sealed opened: {text:?}");
        };
        assert!(matches!(
            e.code(),
            ErrorCode::RecordMalformed | ErrorCode::RecordTampered | ErrorCode::VaultKeyUnknown
        ));
        return;
    }
    let Ok(record) = Record::from_bytes(rest) else {
        return;
    };
    let plain = record.to_bytes().expect("a record encodes");
    let again = Record::from_bytes(&plain).expect("what to_bytes wrote reads back");
    assert_eq!(
        *again.to_bytes().expect("encodes"),
        *plain,
        "to_bytes is stable"
    );
    let sealed = ring.seal(RECORD_KEY, &plain).expect("seals");
    for r in [ring, rotated] {
        let opened = r.open(RECORD_KEY, &sealed).expect("opens");
        let back = Record::from_bytes(&opened.plain).expect("reads");
        assert_eq!(*back.to_bytes().expect("encodes"), *plain);
        assert_eq!(back.access_token.secret(), record.access_token.secret());
    }
    let code = |r: crate::Result<crate::vault::Opened>| r.err().map(|e| e.code());
    assert_eq!(
        code(ring.open(&format!("{RECORD_KEY}x"), &sealed)),
        Some(ErrorCode::RecordTampered)
    );
    assert_eq!(
        code(other.open(RECORD_KEY, &sealed)),
        Some(ErrorCode::VaultKeyUnknown)
    );
    // The store never sees a token in the clear.
    if record.access_token.secret().len() >= 8 {
        assert!(!sealed.contains(record.access_token.secret()));
    }
}

// ------------------------------------------------------------ return URL

/// Whether `url` starts with `origin` (or `origin` with its default port
/// written out), followed by a path, a query, a fragment or nothing.
fn on_origin(url: &str, origin: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let default = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    let explicit = format!("{origin}{default}");
    [origin, explicit.as_str()].iter().any(|prefix| {
        lower
            .strip_prefix(prefix)
            .is_some_and(|after| after.is_empty() || after.starts_with(['/', '?', '#']))
    })
}

/// Return URLs: the allowlist holds origins only; an accepted URL is the
/// one given, starts with an allowed origin followed by a path, query,
/// fragment or nothing, and has nothing a browser could read otherwise
/// (white space, control characters, `\`, `@`).
pub fn return_url(data: &[u8]) {
    let _ = return_url_accepted(data);
}

/// [`return_url`], and what it accepted: the URL and its allowed origin
/// (the fuzz target also reads both with a WHATWG URL parser).
pub fn return_url_accepted(data: &[u8]) -> Option<(String, String)> {
    let [entries, url] = fields::<2>(data);
    let entries: Vec<String> = entries.split('\n').map(str::to_owned).collect();
    let origins = return_url::check_allowed(&entries).ok()?;
    for origin in &origins {
        assert_eq!(return_url::origin_of(origin).as_ref(), Some(origin));
        assert!(!origin.ends_with('/'));
    }
    match return_url::check(&url, &origins) {
        Ok(accepted) => {
            assert_eq!(accepted, url);
            assert!(accepted.len() <= return_url::MAX_RETURN_URL_LEN);
            assert!(
                !accepted
                    .bytes()
                    .any(|b| b <= 0x20 || b >= 0x7f || matches!(b, b'\\' | b'@')),
                "{accepted:?}"
            );
            let origin = origins
                .iter()
                .find(|o| on_origin(&accepted, o))
                .unwrap_or_else(|| panic!("{accepted:?} is not on {origins:?}"));
            Some((accepted, origin.clone()))
        }
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::ReturnUrlNotAllowed);
            None
        }
    }
}

// ----------------------------------------------------------------- proxy

/// The path a WHATWG URL parser (what `fetch` uses) makes of an http(s)
/// URL's path: `\` is a `/`, and `.`, `%2e` are `.` and `..`, `.%2e`,
/// `%2e.`, `%2e%2e` are `..` in any case (URL Standard, path state).
pub fn whatwg_path(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let segments: Vec<&str> = path
        .strip_prefix(['/', '\\'])
        .unwrap_or(path)
        .split(['/', '\\'])
        .collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        let lower = segment.to_ascii_lowercase();
        let double = matches!(lower.as_str(), ".." | ".%2e" | "%2e." | "%2e%2e");
        let single = matches!(lower.as_str(), "." | "%2e");
        if double {
            out.pop();
            if i == last {
                out.push(String::new());
            }
        } else if single {
            if i == last {
                out.push(String::new());
            }
        } else {
            out.push((*segment).to_owned());
        }
    }
    out
}

/// An RFC 9110 token: what a header name may be.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

const PROXY_PROVIDERS: [&str; 4] = ["github", "dropbox", "bamboohr", "salesforce"];

/// `callApi`: whatever the caller asks, the request goes to a declared
/// API base over https, its path (read as `fetch` reads it) stays under
/// the base's path, every header is a valid name and value that a
/// `Headers` object takes, and the connection's token is the only
/// `Authorization`.
pub fn proxy(data: &[u8]) {
    let _ = proxy_request(data);
}

/// [`proxy`], and what it built: the upstream URL and the API base it is
/// under (the fuzz target also reads both with a WHATWG URL parser).
pub fn proxy_request(data: &[u8]) -> Option<(String, String)> {
    let (m, rest) = mode(data);
    let provider = provider(PROXY_PROVIDERS[usize::from(m % 4)]);
    let mut config = BTreeMap::new();
    config.insert("companyDomain".to_owned(), "acme".to_owned());
    config.insert(
        "instance_url".to_owned(),
        "https://acme.my.salesforce.com/services".to_owned(),
    );
    let call: CallRequest = if m & 0x04 == 0 {
        match serde_json::from_slice(rest) {
            Ok(call) => call,
            Err(_) => return None,
        }
    } else {
        let [method, host, path, name, value, key, item, body] = fields::<8>(rest);
        let mut headers = BTreeMap::new();
        if !name.is_empty() {
            headers.insert(name, Value::String(value));
        }
        let mut query = BTreeMap::new();
        if !key.is_empty() {
            query.insert(key, Value::String(item));
        }
        let call = json!({
            "method": (!method.is_empty()).then_some(method),
            "host": (!host.is_empty()).then_some(host),
            "path": path,
            "query": query,
            "headers": headers,
            "body": (!body.is_empty()).then_some(body),
        });
        match serde_json::from_value(call) {
            Ok(call) => call,
            Err(_) => return None,
        }
    };
    let request = proxy::upstream_request(provider, &config, "at-0123456789", &call).ok()?;
    let bases = proxy::api_bases(provider, &config);
    let (base, rest) = bases
        .iter()
        .find_map(|b| request.url.strip_prefix(b.as_str()).map(|r| (b, r)))
        .unwrap_or_else(|| panic!("{} is under no base of {bases:?}", request.url));
    assert!(base.starts_with("https://"));
    assert!(rest.starts_with('/'), "{} leaves {base}", request.url);
    let base_path = base
        .split_once("://")
        .map(|(_, r)| r.find('/').map_or("", |i| &r[i..]))
        .unwrap_or_default();
    let full = &request.url[base.len() - base_path.len()..];
    let path = full.split(['?', '#']).next().unwrap_or_default();
    let read = whatwg_path(path);
    let under = whatwg_path(base_path);
    let under = under.iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
    assert!(
        read.len() > under.len() && read.iter().zip(&under).all(|(a, b)| a == *b),
        "{} reads as /{} outside {base}",
        request.url,
        read.join("/")
    );
    let mut authorizations = 0;
    for (name, value) in &request.headers {
        assert!(is_token(name), "the header name {name:?}");
        assert!(
            value
                .chars()
                .all(|c| c == '\t' || (c >= ' ' && c != '\u{7f}' && c <= '\u{ff}')),
            "the header value {value:?} of {name}"
        );
        if name.eq_ignore_ascii_case("authorization") {
            authorizations += 1;
            assert_eq!(value, "Bearer at-0123456789");
        }
        assert!(
            !matches!(
                name.to_ascii_lowercase().as_str(),
                "cookie" | "host" | "content-length"
            ),
            "{name} forwarded"
        );
    }
    assert_eq!(authorizations, 1);
    assert!(matches!(
        request.method,
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD"
    ));
    Some((request.url, base.clone()))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
