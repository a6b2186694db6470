//! The connectors server: the Base44 wire protocol
//! (its routes are listed in the README) over the token vault and the
//! OAuth engine. [`Server::handle`] takes one request and answers it; the
//! wasm boundary turns it into a standard `fetch(request) -> Response`
//! handler, so it runs under `Deno.serve`, Workers, Node or in-process.
//!
//! - Identity: service-role calls carry a configured service token; app-user
//!   calls carry the user's token (verified by [`Users`]) in `Authorization`,
//!   or in `on-behalf-of` beside a service token. A user reaches only their
//!   own connections: the user id comes from the verified token alone.
//! - Connecting: the consent URL points at the slot's start route with a
//!   sealed, single-use start ticket. The browser opens it top-level (so it
//!   is first-party there, whatever site the frontend is on); the start
//!   route burns the ticket, sets a binding cookie and sends the browser on
//!   to the provider with a sealed, single-use `state` made for the slot's
//!   callback route (the mix-up defence) that carries the cookie's hash.
//!   The callback opens the state, checks the cookie and `iss`, burns the
//!   state, exchanges the code and stores the tokens through the vault,
//!   then sends the browser back with only `connector`/`status` or
//!   `connect_error` in the query. `bind_browser(false)` skips the start
//!   route: the consent URL is the provider's, bound to no browser.
//! - Errors: JSON `{ "error": { "code", "message" } }` with the code's HTTP
//!   status and the `x-base44-connector-error` header; no message holds a
//!   token, code, state or secret.

pub mod proxy;
pub mod redact;
pub mod return_url;
pub mod routes;

use std::collections::BTreeMap;
use std::pin::Pin;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::catalog::{Catalog, Pkce, Provider, fold_type_id, printable};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{Clock, Fetch, HttpResponse, MAX_BODY_BYTES, random_bytes, url_problem};
use crate::identity::{self, User};
use crate::oauth::authorize::check_scopes;
use crate::oauth::callback::{self, CallbackParams};
use crate::oauth::client::OAuthClient;
use crate::oauth::secret::SealedState;
use crate::oauth::state::{self, STATE_TTL_MS, StateClaims, StateKey};
use crate::oauth::token::ClientCredentials;
use crate::oauth::{pkce, secret::PkceVerifier};
use crate::vault::{ConnectionKey, Record, Status, Store, Vault};
pub use routes::{Route, Slot};

/// A request to the server: what the wasm boundary reads off a `Request`.
#[derive(Clone)]
pub struct Incoming {
    pub method: String,
    /// The absolute URL (or a path with its query).
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// At most [`MAX_BODY_BYTES`] + 1 bytes: more is `BODY_TOO_LARGE`.
    pub body: Vec<u8>,
}

impl Incoming {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path and the query (without `?`) of the URL.
    fn path_and_query(&self) -> (&str, &str) {
        let url = self.url.split('#').next().unwrap_or_default();
        let after_scheme = match url.find("://") {
            Some(i) => {
                let rest = &url[i + 3..];
                rest.find(['/', '?']).map_or("", |j| &rest[j..])
            }
            None => url,
        };
        after_scheme.split_once('?').unwrap_or((after_scheme, ""))
    }

    /// The body as JSON; an empty body is `None`.
    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(Error::new(
                ErrorCode::BodyTooLarge,
                "The request body is larger than 1 MiB",
            ));
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&self.body).map(Some).map_err(|e| {
            let s = e.to_string();
            let s = s.rfind(" at line ").map_or(s.as_str(), |i| &s[..i]);
            Error::new(
                ErrorCode::InvalidInput,
                format!("The request body is not what this route takes: {s}"),
            )
        })
    }
}

/// Who app users are: verifies a user token.
#[allow(async_fn_in_trait)]
pub trait Users {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User>;
}

impl Users for identity::Hs256 {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User> {
        identity::Hs256::verify(self, token, now_ms)
    }
}

/// No app users configured: app-user routes answer `UNAUTHENTICATED`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUsers;

impl Users for NoUsers {
    async fn verify(&self, _token: &str, _now_ms: u64) -> Result<User> {
        Err(Error::new(
            ErrorCode::Unauthenticated,
            "This server has no users option: app-user routes are off",
        ))
    }
}

/// One configured connector: its provider client (with the callback as
/// redirect URI) and the scopes it asks for.
#[derive(Debug, Clone)]
pub struct Connector {
    pub integration_type: String,
    pub client: OAuthClient,
    /// What token reads require ("more scopes later") and consent asks for.
    pub scopes: Vec<String>,
}

/// One configured connector's callback, as [`ServerConfig::redirect_uris`]
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUri {
    /// `shared`, `workspace` or `app_user`.
    pub kind: &'static str,
    /// The connector id (workspace and app-user connectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
    pub integration_type: String,
    /// The exact URI the provider must have registered.
    pub redirect_uri: String,
}

/// What the server serves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub app_id: String,
    /// Where `/api/...` is reached, without a trailing slash.
    pub public_url: String,
    /// The providers (built-in plus custom), for `available-integrations`.
    pub catalog: Catalog,
    shared: BTreeMap<String, Connector>,
    workspace: BTreeMap<String, Connector>,
    app_user: BTreeMap<String, Connector>,
    /// SHA-256 of each service token (compared in constant time).
    service_tokens: Vec<[u8; 32]>,
    /// Origins a browser may be sent back to.
    allowed_origins: Vec<String>,
    /// Whether an app user's consent is bound to the browser that started it.
    bind_browser: bool,
}

/// The longest connector id: as long as a type id.
pub const MAX_CONNECTOR_ID_LEN: usize = crate::catalog::MAX_TYPE_ID_LEN;

/// A connector id is 1 to 64 of the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), so its callback URL holds it as it is, but not
/// `.` or `..`: dot segments, which URL parsers remove from a path.
/// `CONFIG_INVALID` otherwise.
pub fn check_connector_id(id: &str) -> Result<()> {
    if id == "." || id == ".." {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "Invalid connector id \"{id}\": \".\" and \"..\" are dot segments, which URL parsers remove from the callback URL; choose another id"
            ),
        ));
    }
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if id.is_empty() || id.len() > MAX_CONNECTOR_ID_LEN || !id.bytes().all(unreserved) {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "Invalid connector id \"{}\": it must match ^[A-Za-z0-9._~-]+$, at most {MAX_CONNECTOR_ID_LEN} characters",
                crate::catalog::printable(id)
            ),
        ));
    }
    Ok(())
}

impl ServerConfig {
    /// A server for `app_id`, reached at `public_url` (https, or http on a
    /// loopback host), with the catalog it resolves types in.
    pub fn new(app_id: &str, public_url: &str, catalog: Catalog) -> Result<ServerConfig> {
        if app_id.is_empty()
            || app_id.len() > 128
            || !app_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "appId must have 1 to 128 characters of A-Z, a-z, 0-9, '-', '_' and '.'",
            ));
        }
        let public_url = public_url.trim_end_matches('/');
        if let Some(problem) = url_problem(public_url) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("publicUrl {problem}"),
            ));
        }
        if public_url.contains('?') {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "publicUrl must not have a query",
            ));
        }
        Ok(ServerConfig {
            app_id: app_id.to_owned(),
            public_url: public_url.to_owned(),
            catalog,
            shared: BTreeMap::new(),
            workspace: BTreeMap::new(),
            app_user: BTreeMap::new(),
            service_tokens: Vec::new(),
            allowed_origins: Vec::new(),
            bind_browser: true,
        })
    }

    /// The redirect URI of a slot's callback.
    pub fn callback_url(&self, slot: &Slot) -> String {
        format!(
            "{}/api/apps/{}/{}",
            self.public_url,
            self.app_id,
            slot.callback_path()
        )
    }

    /// Every configured connector's exact redirect URI: what to register
    /// at each provider. Shared ones first, then workspace, then app-user
    /// ones, each by id.
    pub fn redirect_uris(&self) -> Vec<RedirectUri> {
        let kinds = [
            ("shared", &self.shared, Slot::Shared as fn(String) -> Slot),
            ("workspace", &self.workspace, Slot::Workspace),
            ("app_user", &self.app_user, Slot::AppUser),
        ];
        let mut out = Vec::new();
        for (kind, map, slot) in kinds {
            for (id, connector) in map {
                out.push(RedirectUri {
                    kind,
                    connector_id: (kind != "shared").then(|| id.clone()),
                    integration_type: connector.integration_type.clone(),
                    redirect_uri: self.callback_url(&slot(id.clone())),
                });
            }
        }
        out
    }

    /// Refuses connector files whose type has no shared connector (no
    /// `credentials` for it), naming every such file: each would only fail
    /// later, at its first consent. Managed types (Stripe) need none.
    pub fn check_connector_files(&self, files: &[crate::config::ParsedFile]) -> Result<()> {
        let mut errors = Vec::new();
        for file in files {
            let ty = fold_type_id(&file.config.integration_type);
            let managed = self
                .catalog
                .get(&ty)
                .is_some_and(|p| p.auth_model == crate::catalog::AuthModel::Managed);
            if !managed && !self.shared.contains_key(&ty) {
                errors.push(
                    Error::new(
                        ErrorCode::ConfigInvalid,
                        format!(
                            "The connector file declares \"{ty}\", which has no credentials: add credentials.{ty} ({{ clientId, clientSecret }}) or remove the file"
                        ),
                    )
                    .at(file.type_location()),
                );
            }
        }
        Error::all(errors).map_or(Ok(()), Err)
    }

    /// Adds a connector: shared ones by integration type (read in lower
    /// case), the others by connector id (as it is). `provider` is the
    /// entry to use (a catalog one or custom). A slot given twice is
    /// `CONFIG_INVALID`.
    pub fn add_connector(
        &mut self,
        slot: Slot,
        provider: Provider,
        credentials: ClientCredentials,
        scopes: &[String],
        connection_config: BTreeMap<String, String>,
    ) -> Result<()> {
        match &slot {
            Slot::Shared(t) if !crate::catalog::is_valid_type_id(t) => {
                return Err(crate::config::invalid_type(t));
            }
            Slot::Workspace(id) | Slot::AppUser(id) => check_connector_id(id)?,
            Slot::Shared(_) => {}
        }
        let slot = match slot {
            Slot::Shared(t) => Slot::Shared(fold_type_id(&t)),
            other => other,
        };
        if self.connector(&slot).is_ok() {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("\"{}\" is configured twice", slot.id()),
            ));
        }
        let integration_type = provider.id.clone();
        let mut client = OAuthClient::new(provider, credentials, self.callback_url(&slot))?;
        client.connection_config = connection_config;
        let connector = Connector {
            integration_type,
            client,
            scopes: check_scopes(scopes.iter())?,
        };
        let map = match &slot {
            Slot::Shared(_) => &mut self.shared,
            Slot::Workspace(_) => &mut self.workspace,
            Slot::AppUser(_) => &mut self.app_user,
        };
        map.insert(slot.id().to_owned(), connector);
        Ok(())
    }

    /// Accepts `token` as a service token: at least 16 characters that a
    /// `Bearer` header can carry (letters, digits, `-._~+/`).
    pub fn add_service_token(&mut self, token: &str) -> Result<()> {
        if token.len() < 16 || !identity::b64token(token) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "A service token must have at least 16 characters of A-Z, a-z, 0-9 and -._~+/ (use random ones)",
            ));
        }
        self.service_tokens
            .push(Sha256::digest(token.as_bytes()).into());
        Ok(())
    }

    /// Whether each consent (app users' and the builder's) is bound to the
    /// browser that opens it (on by default): the consent URL is the start
    /// route's, which sets a cookie (HttpOnly, SameSite=Lax, 10 minutes)
    /// whose hash the state carries, and the callback refuses a browser
    /// without it (`STATE_BROWSER_MISMATCH`). Off, the consent URL is the
    /// provider's and any browser may complete it.
    pub fn bind_browser(&mut self, on: bool) {
        self.bind_browser = on;
    }

    /// The binding cookie of the flow with this nonce: its name (one per
    /// flow, so two consents in one browser do not undo each other) and
    /// attributes: `__Host-` and `Secure` on https; plain on a loopback
    /// http `publicUrl`.
    fn binding_cookie(&self, nonce: &str) -> (String, &'static str) {
        let id = connection_id(nonce);
        let id = id.get(..12).unwrap_or(&id);
        if self.public_url.starts_with("https://") {
            (
                format!("__Host-oauth-connectors-bind-{id}"),
                "; Path=/; HttpOnly; Secure; SameSite=Lax",
            )
        } else {
            (
                format!("oauth-connectors-bind-{id}"),
                "; Path=/; HttpOnly; SameSite=Lax",
            )
        }
    }

    /// The start route's URL for a sealed ticket.
    fn start_url(&self, slot: &Slot, ticket: &SealedState) -> String {
        format!(
            "{}/api/apps/{}/{}?ticket={}",
            self.public_url,
            self.app_id,
            slot.start_path(),
            ticket.secret()
        )
    }

    /// Whether `referer` names a page of the app: an origin in
    /// `allowedReturnUrls`, or the server's own.
    fn is_app_page(&self, referer: Option<&str>) -> bool {
        // The origin only: a same-origin Referer is the whole page URL,
        // whose path and query may hold anything (`@`, 3 KB).
        let head = |r: &str| {
            let authority = r.find("://").map_or(0, |i| i + 3);
            let end = r[authority..]
                .find(['/', '?', '#'])
                .map_or(r.len(), |j| authority + j);
            r[..end].to_owned()
        };
        let Some(origin) = referer.map(head).as_deref().and_then(return_url::origin_of) else {
            return false;
        };
        self.allowed_origins.contains(&origin)
            || return_url::origin_of(&self.public_url).is_some_and(|own| own == origin)
    }

    /// The origins a browser may be sent back to.
    pub fn allow_return_urls(&mut self, origins: &[String]) -> Result<()> {
        self.allowed_origins = return_url::check_allowed(origins)?;
        Ok(())
    }

    fn connector(&self, slot: &Slot) -> Result<&Connector> {
        let (map, what) = match slot {
            Slot::Shared(_) => (&self.shared, "credentials for the integration type"),
            Slot::Workspace(_) => (&self.workspace, "workspace connector"),
            Slot::AppUser(_) => (&self.app_user, "app-user connector"),
        };
        map.get(slot.id()).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownConnector,
                format!("This server has no {what} \"{}\"", printable(slot.id())),
            )
        })
    }

    fn is_service_token(&self, token: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every entry is compared, so the time does not tell which matched.
        self.service_tokens
            .iter()
            .fold(false, |found, t| found | bool::from(t.ct_eq(&digest)))
    }
}

fn key_of(slot: &Slot, user: Option<&str>) -> ConnectionKey {
    match slot {
        Slot::Shared(t) => ConnectionKey::Shared {
            integration_type: t.clone(),
        },
        Slot::Workspace(id) => ConnectionKey::Workspace {
            connector_id: id.clone(),
        },
        Slot::AppUser(id) => ConnectionKey::AppUser {
            connector_id: id.clone(),
            user_id: user.unwrap_or_default().to_owned(),
        },
    }
}

/// A public id for an authorization in progress: derived one-way from the
/// state's nonce, so it reveals nothing of the state.
fn connection_id(nonce: &str) -> String {
    let digest = Sha256::digest(nonce.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// What a bound state carries of its browser's cookie value.
fn binding_hash(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(value.as_bytes()))
}

/// The browser-facing code of a failed connection: coarse, so that a page
/// learns nothing about the provider's answer or the state.
pub fn coarse_code(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        StateMalformed
        | StateTampered
        | StateExpired
        | StateConnectorMismatch
        | StateReplayed
        | StateBrowserMismatch
        | InvalidCallback
        | IssuerMismatch
        | IssuerMissing => "invalid_state",
        AuthorizationDenied => "access_denied",
        UnknownConnector => "unknown_connector",
        NetworkError | RetryableExhausted | TimeoutAmbiguous | StoreUnavailable
        | RefreshInProgress | RngUnavailable => "try_again",
        _ => "provider_error",
    }
}

fn header_pairs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = vec![("cache-control".to_owned(), "no-store".to_owned())];
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    headers
}

/// A JSON answer.
pub fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: header_pairs(&[("content-type", "application/json")]),
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}

/// The wire's error answer.
pub fn error_response(e: &Error) -> HttpResponse {
    let code = e.code().as_str();
    HttpResponse {
        status: e.code().http_status(),
        headers: header_pairs(&[
            ("content-type", "application/json"),
            ("x-base44-connector-error", code),
        ]),
        body: serde_json::to_vec(&json!({ "error": { "code": code, "message": e.to_string() } }))
            .unwrap_or_default(),
    }
}

fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// A callback answer's headers: `header_pairs` plus no referrer, no sniffing.
fn callback_headers(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = header_pairs(extra);
    headers.extend(
        [
            ("referrer-policy", "no-referrer"),
            ("x-content-type-options", "nosniff"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    headers
}

/// The page a callback shows when it has nowhere to send the browser.
fn callback_page(connector: &str, outcome: std::result::Result<(), ErrorCode>) -> HttpResponse {
    let name = html_escape(connector);
    let (status, title, text) = match outcome {
        Ok(()) => (
            200,
            "Connected",
            format!("{name} is connected. You can close this window."),
        ),
        Err(code) => (
            if code == ErrorCode::UnknownConnector {
                404
            } else {
                400
            },
            "Could not connect",
            format!(
                "{name} could not be connected ({}). Close this window and try again.",
                coarse_code(code)
            ),
        ),
    };
    let body = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>{title}</title><h1>{title}</h1><p>{text}</p>\n"
    );
    let headers = callback_headers(&[
        ("content-type", "text/html; charset=utf-8"),
        ("content-security-policy", "default-src 'none'"),
    ]);
    HttpResponse {
        status,
        headers,
        body: body.into_bytes(),
    }
}

/// A 303 to the return URL with only the outcome added to its query.
fn callback_redirect(
    return_url: &str,
    connector: &str,
    outcome: std::result::Result<(), ErrorCode>,
) -> HttpResponse {
    let (base, fragment) = match return_url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (return_url, None),
    };
    let (path, own_query) = base.split_once('?').unwrap_or((base, ""));
    let mut query = form_urlencoded::Serializer::new(String::new());
    // The app's own parameters stay, but none that could pass for the
    // provider's (code, state, iss) or for the outcome.
    for (key, value) in form_urlencoded::parse(own_query.as_bytes()) {
        if !matches!(
            key.as_ref(),
            "code" | "state" | "iss" | "connector" | "status" | "connect_error"
        ) {
            query.append_pair(&key, &value);
        }
    }
    match outcome {
        Ok(()) => query
            .append_pair("connector", connector)
            .append_pair("status", "connected"),
        Err(code) => query.append_pair("connect_error", coarse_code(code)),
    };
    let mut location = format!("{path}?{}", query.finish());
    if let Some(f) = fragment {
        location.push('#');
        location.push_str(f);
    }
    let headers = callback_headers(&[("location", &location)]);
    HttpResponse {
        status: 303,
        headers,
        body: Vec::new(),
    }
}

fn too_long() -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        "The return URL and scopes are too long to carry through the consent",
    )
}

/// The start route's one `ticket` parameter (anything else in the query,
/// or a second ticket, is refused before any crypto or store call).
fn ticket_param(query: &str) -> Result<String> {
    let mut ticket = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != "ticket" || ticket.is_some() {
            ticket = None;
            break;
        }
        ticket = Some(value.into_owned());
    }
    ticket.ok_or_else(|| {
        Error::new(
            ErrorCode::StateMalformed,
            "The start route takes one ticket parameter",
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InitiateBody {
    #[serde(default)]
    return_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBody {
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// Beyond the wire: where the builder's browser goes after consent.
    #[serde(default)]
    return_url: Option<String>,
}

/// `null` for an empty connection config, as the SDK expects.
fn config_json(record: &Record) -> Value {
    if record.connection_config.is_empty() {
        Value::Null
    } else {
        json!(record.connection_config)
    }
}

/// On a token read: how many milliseconds the token is handed out as it is
/// (before the server would refresh it). `createClient` caches the answer
/// for that long, capped by its `tokenCacheMs`; Base44 sends no such header,
/// so a client of Base44 never caches.
pub const TOKEN_TTL_HEADER: &str = "x-connectors-token-ttl";

/// The TTL of a token without an expiry (a day: the client's cap decides).
const TOKEN_TTL_UNBOUNDED_MS: u64 = 86_400_000;

/// A route's future behind a pointer, so each route is its own function in
/// the wasm, compiled when it is first used: one state machine holding every
/// route was 53 KB that a cold start compiled for its first token read.
fn boxed<'a, T>(future: impl Future<Output = T> + 'a) -> Pin<Box<dyn Future<Output = T> + 'a>> {
    Box::pin(future)
}

/// How long an app user's start ticket opens: the page that asked for it
/// follows it at once.
const APP_USER_START_TTL_MS: u64 = 5 * 60_000;

/// How long the builder's start ticket opens: as long as a consent URL did
/// before the start route, since the CLI may print it for a person to open.
const BUILDER_START_TTL_MS: u64 = STATE_TTL_MS;

/// How long the status of a management PUT's authorization is kept: past
/// the ticket's and then the state's lifetime, so a late poll still sees
/// the outcome.
const PENDING_TTL_MS: u64 = BUILDER_START_TTL_MS + STATE_TTL_MS + 5 * 60_000;

/// What a state holds beyond its ticket (the PKCE verifier, the binding
/// hash and their keys), in characters of the sealed form: a ticket must
/// leave that much room under [`state::MAX_STATE_LEN`].
const STATE_OVER_TICKET: usize = 200;

/// The status of an authorization started by the management PUT is kept
/// as `<STATUS> <slot label>`.
fn pending_value(status: &str, slot: &Slot) -> String {
    format!("{status} {}", slot.label())
}

/// The request headers `@base44/sdk` sends from a browser.
const CORS_HEADERS: &str =
    "authorization, content-type, on-behalf-of, x-app-id, x-origin-url, base44-state, x-data-env";

/// The connectors server over a store, a fetch, a clock and the app's users.
pub struct Server<S, F, C, U> {
    config: ServerConfig,
    vault: Vault<S, C>,
    fetch: F,
    users: U,
    state_key: StateKey,
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    /// `state_secret` seals `state` (the current secret of the key ring
    /// that seals the vault's records; at least 32 bytes).
    pub fn new(
        config: ServerConfig,
        vault: Vault<S, C>,
        fetch: F,
        users: U,
        state_secret: &[u8],
    ) -> Result<Self> {
        Ok(Server {
            config,
            vault,
            fetch,
            users,
            state_key: StateKey::derive(state_secret)?,
        })
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    fn now(&self) -> u64 {
        self.vault.clock().now_ms()
    }

    /// Answers one request. Never fails: errors become the wire's error
    /// answer. Each route's future is boxed (see `boxed`).
    pub async fn handle(&self, request: &Incoming) -> HttpResponse {
        let (path, query) = request.path_and_query();
        let route = routes::match_route(&request.method, path, &self.config.app_id);
        let mut response = match route {
            Ok(Route::Callback(slot)) => return boxed(self.callback(&slot, request, query)).await,
            Ok(Route::Start(slot)) => return boxed(self.start(&slot, request, query)).await,
            Ok(_)
                if request
                    .header("x-app-id")
                    .is_some_and(|id| id != self.config.app_id) =>
            {
                error_response(&Error::new(
                    ErrorCode::NotFound,
                    "X-App-Id names another app than the path",
                ))
            }
            Ok(route @ (Route::Token(_) | Route::AppUserToken(_) | Route::NamedUserToken(..))) => {
                boxed(self.token(route, request))
                    .await
                    .unwrap_or_else(|e| error_response(&e))
            }
            Ok(Route::Initiate(id)) => boxed(self.initiate(id, request))
                .await
                .unwrap_or_else(|e| error_response(&e)),
            Err(e) if e.code() == ErrorCode::MethodNotAllowed && request.method == "OPTIONS" => {
                HttpResponse {
                    status: 204,
                    headers: header_pairs(&[
                        ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
                        ("access-control-allow-headers", CORS_HEADERS),
                        ("access-control-max-age", "600"),
                    ]),
                    body: Vec::new(),
                }
            }
            Ok(route) => match self.dispatch(route, request, query).await {
                Ok(body) => json_response(200, &body),
                Err(e) => error_response(&e),
            },
            Err(e) => error_response(&e),
        };
        // A frontend on an allowed origin may call the server from the browser.
        if let Some(origin) = request.header("origin")
            && self
                .config
                .allowed_origins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(origin))
        {
            response.headers.extend([
                ("access-control-allow-origin".to_owned(), origin.to_owned()),
                (
                    "access-control-expose-headers".to_owned(),
                    "x-base44-connector-error".to_owned(),
                ),
                ("vary".to_owned(), "origin".to_owned()),
            ]);
        }
        response
    }

    async fn dispatch(&self, route: Route, request: &Incoming, query: &str) -> Result<Value> {
        match route {
            Route::Disconnect(id) => {
                boxed(async move {
                    let user = self.user(request).await?;
                    let slot = Slot::AppUser(id);
                    let connector = self.config.connector(&slot)?;
                    let revocation = self
                        .vault
                        .disconnect(
                            &key_of(&slot, Some(&user.id)),
                            &connector.client,
                            &self.fetch,
                        )
                        .await?;
                    Ok(json!({ "status": "disconnected", "revocation": revocation.as_str() }))
                })
                .await
            }
            Route::Call(integration_type) => {
                boxed(async move {
                    self.service(request).await?;
                    let slot = Slot::Shared(integration_type);
                    let connector = self.config.connector(&slot)?;
                    let call: proxy::CallRequest = request.json()?.ok_or_else(|| {
                        Error::new(
                            ErrorCode::InvalidInput,
                            "The body must be { method, path, query, headers, body }",
                        )
                    })?;
                    let record = self.read(&slot, None, connector).await?;
                    let upstream = proxy::upstream_request(
                        &connector.client.provider,
                        &record.connection_config,
                        record.access_token.secret(),
                        &call,
                    )?;
                    let outcome = self.fetch.fetch(upstream).await;
                    if let Ok(response) = &outcome
                        && response.body.len() > MAX_BODY_BYTES
                    {
                        return Err(Error::new(
                            ErrorCode::ResponseTooLarge,
                            "The provider's answer is larger than 1 MiB",
                        ));
                    }
                    // The API may echo a secret of the connection: none goes back.
                    let client = &connector.client;
                    let secrets = [
                        Some(record.access_token.secret()),
                        record.refresh_token.as_ref().map(|t| t.secret()),
                        client
                            .credentials
                            .client_secret
                            .as_ref()
                            .map(|s| s.secret()),
                    ];
                    let secrets: Vec<&str> = secrets.into_iter().flatten().collect();
                    Ok(proxy::answer(outcome.map(|r| redact::redact(r, &secrets))))
                })
                .await
            }
            Route::List => {
                boxed(async move {
                    self.service(request).await?;
                    let mut list = Vec::new();
                    for integration_type in self.config.shared.keys() {
                        let slot = Slot::Shared(integration_type.clone());
                        if let Some(record) = self.vault.status(&key_of(&slot, None)).await? {
                            let mut item = json!({
                                "integration_type": integration_type,
                                "status": record.status.as_str(),
                                "scopes": record.scopes,
                            });
                            if let Some(email) = &record.account.email {
                                item["user_email"] = json!(email);
                            }
                            list.push(item);
                        }
                    }
                    Ok(json!({ "integrations": list }))
                })
                .await
            }
            Route::Set(slot) => {
                boxed(async move {
                    self.service(request).await?;
                    let connector = self.config.connector(&slot)?;
                    let body: SetBody = request.json()?.unwrap_or(SetBody {
                        scopes: None,
                        return_url: None,
                    });
                    let asked = match body.scopes {
                        Some(scopes) => check_scopes(scopes.iter())?,
                        None => connector.scopes.clone(),
                    };
                    let return_url = body
                        .return_url
                        .map(|url| return_url::check(&url, &self.config.allowed_origins))
                        .transpose()?;
                    self.set(&slot, connector, asked, return_url).await
                })
                .await
            }
            Route::Status => {
                boxed(async move {
                    self.service(request).await?;
                    // Inserts (a later pair wins): `collect` would sort, more wasm.
                    let mut params = BTreeMap::new();
                    for (k, v) in form_urlencoded::parse(query.as_bytes()).into_owned() {
                        params.insert(k, v);
                    }
                    let id = params.get("connection_id").ok_or_else(|| {
                        Error::new(ErrorCode::InvalidInput, "connection_id is required")
                    })?;
                    let stored = self.vault.store().get(&self.pending_key(id)).await?;
                    let (status, label) = stored
                        .as_deref()
                        .and_then(|v| v.split_once(' '))
                        .unwrap_or(("FAILED", ""));
                    // A connection id polled under another type is not known there.
                    let asked = params
                        .get("integration_type")
                        .map(|t| [Slot::Shared(fold_type_id(t)), Slot::Workspace(t.clone())]);
                    let known = asked.is_none_or(|slots| slots.iter().any(|s| s.label() == label));
                    let status = match status {
                        "PENDING" | "ACTIVE" if known => status,
                        _ => "FAILED",
                    };
                    Ok(json!({ "status": status }))
                })
                .await
            }
            Route::Available => {
                boxed(async move {
                    self.service(request).await?;
                    Ok(json!({ "integrations": self.config.catalog.list_available() }))
                })
                .await
            }
            Route::Remove(slot) => {
                boxed(async move {
                    self.service(request).await?;
                    let connector = self.config.connector(&slot)?;
                    let revocation = self
                        .vault
                        .disconnect(&key_of(&slot, None), &connector.client, &self.fetch)
                        .await?;
                    let (field, id) = match &slot {
                        Slot::Shared(t) => ("integration_type", t),
                        Slot::Workspace(id) | Slot::AppUser(id) => ("connector_id", id),
                    };
                    Ok(json!({ "status": "removed", field: id, "revocation": revocation.as_str() }))
                })
                .await
            }
            Route::Callback(_)
            | Route::Start(_)
            | Route::Initiate(_)
            | Route::Token(_)
            | Route::AppUserToken(_)
            | Route::NamedUserToken(..) => Err(Error::new(ErrorCode::NotFound, "No such route")),
        }
    }

    /// The bearer token of `Authorization`, which must be a service token.
    /// A user's token there is `FORBIDDEN`; anything else `UNAUTHENTICATED`.
    async fn service(&self, request: &Incoming) -> Result<()> {
        let token = identity::bearer(request.header("authorization"))?;
        if self.config.is_service_token(token) {
            return Ok(());
        }
        if self.users.verify(token, self.now()).await.is_ok() {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "This route needs the service role (a service token), not a user's token",
            ));
        }
        Err(Error::new(
            ErrorCode::Unauthenticated,
            "The bearer token is not a service token of this app",
        ))
    }

    /// `connectAppUser`: the consent URL for the request's user, with the
    /// return URL from the body's `return_url` or the `X-Origin-URL` header.
    async fn initiate(&self, id: String, request: &Incoming) -> Result<HttpResponse> {
        let user = self.user(request).await?;
        let slot = Slot::AppUser(id);
        let connector = self.config.connector(&slot)?;
        let body: Option<InitiateBody> = request.json()?;
        let asked = body
            .and_then(|b| b.return_url)
            .or_else(|| request.header("x-origin-url").map(str::to_owned));
        let return_url = asked
            .map(|url| return_url::check(&url, &self.config.allowed_origins))
            .transpose()?;
        let (url, _) = self.consent(
            &slot,
            connector,
            Some(&user.id),
            connector.scopes.clone(),
            return_url,
        )?;
        Ok(json_response(200, &json!({ "redirect_url": url })))
    }

    /// Whether the request's browser holds the cookie a bound state names.
    /// While binding is on, a state bound to no browser is refused too.
    fn same_browser(&self, request: &Incoming, claims: &StateClaims) -> Result<()> {
        let mismatch = || {
            Error::new(
                ErrorCode::StateBrowserMismatch,
                "This authorization was started in another browser",
            )
        };
        let Some(expected) = &claims.binding else {
            return if self.config.bind_browser {
                Err(mismatch())
            } else {
                Ok(())
            };
        };
        let (name, _) = self.config.binding_cookie(&claims.nonce);
        let held = request
            .header("cookie")
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| binding_hash(v));
        match held {
            Some(h) if bool::from(h.as_bytes().ct_eq(expected.as_bytes())) => Ok(()),
            _ => Err(mismatch()),
        }
    }

    /// The start route: a browser opens the consent URL here, top-level.
    /// The ticket is opened (for this slot only) and burnt; the browser gets
    /// a binding cookie and a 303 to the provider with a state bound to it.
    /// A failure goes back like a callback's: to the return URL with only
    /// `connect_error`, or as a small page.
    async fn start(&self, slot: &Slot, request: &Incoming, query: &str) -> HttpResponse {
        let opened = self.config.connector(slot).and_then(|connector| {
            let ticket = ticket_param(query)?;
            let claims = state::open_ticket(&self.state_key, &ticket, &slot.label(), self.now())?;
            Ok((connector, claims))
        });
        let (connector, claims) = match opened {
            Ok(opened) => opened,
            Err(e) => return callback_page(slot.id(), Err(e.code())),
        };
        match self.begin(slot, connector, request, &claims).await {
            Ok(response) => response,
            Err(e) => match &claims.return_url {
                Some(url) => callback_redirect(url, slot.id(), Err(e.code())),
                None => callback_page(slot.id(), Err(e.code())),
            },
        }
    }

    /// The start route's work once the ticket opened (see [`Self::start`]).
    async fn begin(
        &self,
        slot: &Slot,
        connector: &Connector,
        request: &Incoming,
        ticket: &StateClaims,
    ) -> Result<HttpResponse> {
        if matches!(slot, Slot::AppUser(_)) && !self.config.is_app_page(request.header("referer")) {
            // A link to an unopened ticket, sent to a victim: whoever opens
            // it first would be bound, so an app user's consent must be
            // opened from the app's own page (its origin as Referer).
            return Err(Error::new(
                ErrorCode::StateBrowserMismatch,
                "This consent link was not opened from the app's page: start again from the app",
            ));
        }
        state::consume_ticket(self.vault.store(), ticket, self.now()).await?;
        if matches!(slot, Slot::AppUser(_)) && ticket.user.is_none() {
            return Err(Error::new(
                ErrorCode::StateMalformed,
                "The start ticket names no user",
            ));
        }
        let value = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        let mut claims = StateClaims::new(
            slot.label(),
            connector.client.redirect_uri.clone(),
            self.now(),
        )?;
        claims.user = ticket.user.clone();
        claims.return_url = ticket.return_url.clone();
        claims.scopes = ticket.scopes.clone();
        // The ticket's nonce: the management PUT's connection id follows it.
        claims.nonce = ticket.nonce.clone();
        claims.binding = Some(binding_hash(&value));
        let url = self.provider_url(connector, claims.clone())?;
        let (name, attributes) = self.config.binding_cookie(&claims.nonce);
        let cookie = format!("{name}={value}; Max-Age=600{attributes}");
        Ok(HttpResponse {
            status: 303,
            headers: callback_headers(&[("location", &url), ("set-cookie", &cookie)]),
            body: Vec::new(),
        })
    }

    /// The user of `on-behalf-of: Bearer <user token>`.
    async fn on_behalf_of(&self, request: &Incoming) -> Result<User> {
        let header = request.header("on-behalf-of").ok_or_else(|| {
            Error::new(
                ErrorCode::Unauthenticated,
                "This route acts for a user: send on-behalf-of: Bearer <user token>",
            )
        })?;
        self.users
            .verify(identity::bearer(Some(header))?, self.now())
            .await
    }

    /// The app user of the request: their token in `Authorization`, or in
    /// `on-behalf-of` beside a service token.
    async fn user(&self, request: &Incoming) -> Result<User> {
        let token = identity::bearer(request.header("authorization"))?;
        if self.config.is_service_token(token) {
            return self.on_behalf_of(request).await;
        }
        self.users.verify(token, self.now()).await
    }

    /// The three token reads: the wire's JSON, and [`TOKEN_TTL_HEADER`].
    async fn token(&self, route: Route, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let (slot, user) = match route {
            Route::AppUserToken(id) => (
                Slot::AppUser(id),
                Some(self.on_behalf_of(request).await?.id),
            ),
            Route::NamedUserToken(id, user_id) => (Slot::AppUser(id), Some(user_id)),
            Route::Token(slot) => (slot, None),
            _ => return Err(Error::new(ErrorCode::NotFound, "No such route")),
        };
        let connector = self.config.connector(&slot)?;
        let record = self.read(&slot, user.as_deref(), connector).await?;
        let mut body = json!({
            "access_token": record.access_token.secret(),
            "connection_config": config_json(&record),
        });
        if user.is_none() {
            body["integration_type"] = json!(connector.integration_type);
        }
        let mut response = json_response(200, &body);
        let ttl = self
            .vault
            .fresh_for_ms(&record)
            .unwrap_or(TOKEN_TTL_UNBOUNDED_MS);
        response
            .headers
            .push((TOKEN_TTL_HEADER.to_owned(), ttl.to_string()));
        Ok(response)
    }

    /// A usable connection (refreshed first when due) that holds every
    /// scope the connector asks for: granted, or asked for at consent
    /// (a provider may name a granted scope differently).
    async fn read(&self, slot: &Slot, user: Option<&str>, connector: &Connector) -> Result<Record> {
        let record = self
            .vault
            .get(&key_of(slot, user), &connector.client, &self.fetch)
            .await?;
        let missing: Vec<&str> = connector
            .scopes
            .iter()
            .filter(|s| !record.scopes.contains(s) && !record.requested_scopes.contains(s))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Error::new(
                ErrorCode::ScopesMissing,
                format!(
                    "The connection lacks scopes the connector asks for ({}): connect again to grant them",
                    missing.join(" ")
                ),
            ));
        }
        Ok(record)
    }

    /// The consent URL for `slot`, and the flow's nonce. Bound (the
    /// default): the start route's URL with a sealed ticket; unbound: the
    /// provider's URL with a state.
    fn consent(
        &self,
        slot: &Slot,
        connector: &Connector,
        user: Option<&str>,
        scopes: Vec<String>,
        return_url: Option<String>,
    ) -> Result<(String, String)> {
        let client = &connector.client;
        let mut claims = StateClaims::new(slot.label(), client.redirect_uri.clone(), self.now())?;
        claims.user = user.map(str::to_owned);
        claims.return_url = return_url;
        claims.scopes = scopes;
        let nonce = claims.nonce.clone();
        if !self.config.bind_browser {
            return Ok((self.provider_url(connector, claims)?, nonce));
        }
        let ttl = match slot {
            Slot::AppUser(_) => APP_USER_START_TTL_MS,
            Slot::Shared(_) | Slot::Workspace(_) => BUILDER_START_TTL_MS,
        };
        claims.expires_at_ms = claims.issued_at_ms.saturating_add(ttl);
        let ticket = state::seal_ticket(&self.state_key, &claims)?;
        if ticket.secret().len() + STATE_OVER_TICKET > state::MAX_STATE_LEN {
            // Its state would not open at the callback: refuse it now.
            return Err(too_long());
        }
        Ok((self.config.start_url(slot, &ticket), nonce))
    }

    /// The provider's consent URL with `claims` sealed as the state (a
    /// PKCE verifier added where the provider takes one).
    fn provider_url(&self, connector: &Connector, mut claims: StateClaims) -> Result<String> {
        let client = &connector.client;
        if client.provider.pkce != Pkce::Unsupported {
            claims.verifier = Some(pkce::generate_verifier()?);
        }
        let sealed = state::seal(&self.state_key, &claims)?;
        if sealed.secret().len() > state::MAX_STATE_LEN {
            // It would not open at the callback: refuse it now.
            return Err(too_long());
        }
        client.authorization_url(
            &claims.scopes,
            sealed.secret(),
            claims.verifier.as_ref().map(PkceVerifier::secret),
            &[],
        )
    }

    fn pending_key(&self, connection_id: &str) -> String {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        format!(
            "oauth-connectors:pending:{}:{}",
            enc(&self.config.app_id),
            enc(connection_id)
        )
    }

    /// The management PUT: `already_authorized` when the active grant covers
    /// the scopes, else a consent URL for the union and a `connection_id`.
    async fn set(
        &self,
        slot: &Slot,
        connector: &Connector,
        asked: Vec<String>,
        return_url: Option<String>,
    ) -> Result<Value> {
        let current = self.vault.status(&key_of(slot, None)).await?;
        let (granted, requested) = current
            .filter(|r| r.status == Status::Active)
            .map(|r| (r.scopes, r.requested_scopes))
            .unwrap_or_default();
        let answer = |redirect: Option<String>, id: Option<String>, already: bool| {
            json!({
                "redirect_url": redirect, "connection_id": id, "already_authorized": already,
                "error": null, "error_message": null, "other_user_email": null,
            })
        };
        let covered = |s: &String| granted.contains(s) || requested.contains(s);
        if !granted.is_empty() && asked.iter().all(covered) {
            return Ok(answer(None, None, true));
        }
        // Kept once each, granted first.
        let union = check_scopes(granted.iter().chain(&asked))?;
        let (url, nonce) = self.consent(slot, connector, None, union, return_url)?;
        let id = connection_id(&nonce);
        self.vault
            .store()
            .set(
                &self.pending_key(&id),
                &pending_value("PENDING", slot),
                Some(PENDING_TTL_MS),
            )
            .await?;
        Ok(answer(Some(url), Some(id), false))
    }

    /// The OAuth callback: the state is opened (for this slot only), the
    /// issuer checked, the state burnt, then the code exchanged and stored.
    async fn callback(&self, slot: &Slot, request: &Incoming, query: &str) -> HttpResponse {
        let (connector, params, claims) = match self.open_callback(slot, request, query) {
            Ok(opened) => opened,
            Err(e) => return callback_page(slot.id(), Err(e.code())),
        };
        let outcome = self
            .finish(slot, connector, &params, &claims)
            .await
            .map(drop)
            .map_err(|e| e.code());
        if matches!(slot, Slot::Shared(_) | Slot::Workspace(_)) {
            let status = if outcome.is_ok() { "ACTIVE" } else { "FAILED" };
            // Only an authorization still pending changes: a replayed
            // callback cannot turn a success into a failure.
            let _ = self
                .vault
                .store()
                .compare_and_set(
                    &self.pending_key(&connection_id(&claims.nonce)),
                    Some(&pending_value("PENDING", slot)),
                    Some(&pending_value(status, slot)),
                    Some(PENDING_TTL_MS),
                )
                .await;
        }
        let mut response = match &claims.return_url {
            Some(url) => callback_redirect(url, slot.id(), outcome),
            None => callback_page(slot.id(), outcome),
        };
        if claims.binding.is_some() {
            let (name, attributes) = self.config.binding_cookie(&claims.nonce);
            response.headers.push((
                "set-cookie".to_owned(),
                format!("{name}=; Max-Age=0{attributes}"),
            ));
        }
        response
    }

    /// The callback's checks before any store or provider call: the
    /// connector, the query, the state (for this slot) and the browser.
    fn open_callback(
        &self,
        slot: &Slot,
        request: &Incoming,
        query: &str,
    ) -> Result<(&Connector, CallbackParams, StateClaims)> {
        let connector = self.config.connector(slot)?;
        let params = callback::parse_query(query)?;
        let claims = state::open(&self.state_key, &params.state, &slot.label(), self.now())?;
        self.same_browser(request, &claims)?;
        Ok((connector, params, claims))
    }

    async fn finish(
        &self,
        slot: &Slot,
        connector: &Connector,
        params: &CallbackParams,
        claims: &StateClaims,
    ) -> Result<Record> {
        let client = &connector.client;
        callback::check_issuer(&client.provider, params.iss.as_deref())?;
        state::consume(self.vault.store(), claims, self.now()).await?;
        let code = params.outcome()?;
        if matches!(slot, Slot::AppUser(_)) && claims.user.is_none() {
            return Err(Error::new(
                ErrorCode::StateMalformed,
                "The state names no user",
            ));
        }
        let tokens = client
            .exchange_code(
                &self.fetch,
                self.vault.clock(),
                code.secret(),
                claims.verifier.as_ref().map(PkceVerifier::secret),
                &claims.scopes,
                &params.extra,
            )
            .await?;
        self.vault
            .save(&key_of(slot, claims.user.as_deref()), tokens)
            .await
    }
}

#[cfg(test)]
mod redirect_tests;
#[cfg(test)]
mod tests;
