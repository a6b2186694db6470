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
//!
//! One file per job: `config` (what the server serves), `auth` (who is
//! calling), `connect` (consent, the start route and the callback),
//! `manage` (the management calls), `tokens` (token reads and
//! `callApi`), `stripe` (the Stripe key: its calls and claim page),
//! `respond` (the answers), beside the pure [`routes`],
//! [`proxy`], [`redact`] and [`return_url`].

mod auth;
mod config;
mod connect;
mod manage;
pub mod proxy;
pub mod redact;
mod respond;
pub mod return_url;
pub mod routes;
mod stripe;
mod tokens;

use std::pin::Pin;

use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpResponse, MAX_BODY_BYTES};
use crate::oauth::state::StateKey;
use crate::ports::Store;
use crate::ports::{Clock, Fetch};
use crate::vault::Vault;
pub use auth::{NoUsers, Users};
pub use config::{
    Connector, ConnectorFiles, MAX_CONNECTOR_ID_LEN, RedirectUri, STRIPE, ServerConfig,
    check_connector_id, state_secret,
};
pub use respond::{coarse_code, error_answer, error_response, json_response};
pub use routes::{Route, Slot};
pub use stripe::key_mode as stripe_key_mode;
use tokens::Reader;
pub use tokens::TOKEN_TTL_HEADER;

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
        path_and_query(&self.url)
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

/// A route's future behind a pointer, so each route is its own function in
/// the wasm, compiled when it is first used: one state machine holding every
/// route was 53 KB that a cold start compiled for its first token read.
fn boxed<'a, T>(future: impl Future<Output = T> + 'a) -> Pin<Box<dyn Future<Output = T> + 'a>> {
    Box::pin(future)
}

/// The connectors server over a store, a fetch, a clock and the app's users.
pub struct Server<S, F, C, U> {
    config: ServerConfig,
    vault: Vault<S, C>,
    fetch: F,
    users: U,
    state_key: StateKey,
}

/// The path and the query (without `?`) of an absolute URL or a path.
fn path_and_query(url: &str) -> (&str, &str) {
    let url = url.split('#').next().unwrap_or_default();
    let after_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find(['/', '?']).map_or("", |j| &rest[j..])
        }
        None => url,
    };
    after_scheme.split_once('?').unwrap_or((after_scheme, ""))
}

/// [`Server::may_change_connections`] for the server of `app_id`.
pub fn may_change_connections(method: &str, url: &str, app_id: &str) -> bool {
    method != "GET"
        || matches!(
            routes::match_route(method, path_and_query(url).0, app_id),
            Ok(Route::Callback(_))
        )
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

    /// Whether answering `method` `url` may change what a token read
    /// answers: every request but a read, a read being a `GET` other than a
    /// consent's callback. The token cache of clients bound in-process
    /// (the package's `client.js`) is emptied around each such request.
    pub fn may_change_connections(&self, method: &str, url: &str) -> bool {
        may_change_connections(method, url, &self.config.app_id)
    }

    fn now(&self) -> u64 {
        self.vault.clock().now_ms()
    }

    /// Answers one request. Never fails: errors become the wire's error
    /// answer.
    pub async fn handle(&self, request: &Incoming) -> HttpResponse {
        self.answer(request).await.response
    }

    /// [`Server::handle`]'s answer, and for a token read what it rests on
    /// ([`Reuse`]). One `match` from the route to its
    /// handler; each handler's future is boxed (see `boxed`).
    pub async fn answer(&self, request: &Incoming) -> Answer {
        let (path, query) = request.path_and_query();
        let route = routes::match_route(&request.method, path, &self.config.app_id);
        let mut reuse = None;
        let answer = match route {
            Ok(Route::Callback(slot)) => {
                return Answer::of(boxed(self.callback(&slot, request, query)).await);
            }
            Ok(Route::Start(slot)) => {
                return Answer::of(boxed(self.start(&slot, request, query)).await);
            }
            Ok(Route::StripeClaimPage) => {
                return Answer::of(boxed(self.stripe_claim_page(query)).await);
            }
            Ok(Route::StripeClaimSubmit) => {
                return Answer::of(boxed(self.stripe_claim_submit(request)).await);
            }
            Ok(_)
                if request
                    .header("x-app-id")
                    .is_some_and(|id| id != self.config.app_id) =>
            {
                Err(Error::new(
                    ErrorCode::NotFound,
                    "X-App-Id names another app than the path",
                ))
            }
            Ok(Route::Token(slot)) => {
                boxed(self.token(request, slot, Reader::Service, &mut reuse)).await
            }
            Ok(Route::AppUserToken(id)) => {
                let reader = Reader::OnBehalfOf;
                boxed(self.token(request, Slot::AppUser(id), reader, &mut reuse)).await
            }
            Ok(Route::NamedUserToken(id, user)) => {
                let reader = Reader::Named(user);
                boxed(self.token(request, Slot::AppUser(id), reader, &mut reuse)).await
            }
            Ok(Route::Call(integration_type)) => boxed(self.call(integration_type, request)).await,
            Ok(Route::Initiate(id)) => boxed(self.initiate(id, request)).await,
            Ok(Route::Disconnect(id)) => boxed(self.disconnect(id, request)).await,
            Ok(Route::Set(slot)) => boxed(self.set(slot, request)).await,
            Ok(Route::Status) => boxed(self.status(request, query)).await,
            Ok(Route::List) => boxed(self.list(request)).await,
            Ok(Route::Connections) => boxed(self.connections(request, query)).await,
            Ok(Route::Available) => boxed(self.available(request)).await,
            Ok(Route::Remove(slot)) => boxed(self.remove(slot, request)).await,
            Ok(Route::StripeStatus) => boxed(self.stripe_status(request)).await,
            Ok(Route::StripeInstall) => boxed(self.stripe_install(request)).await,
            Ok(Route::StripeRemove) => boxed(self.stripe_remove(request)).await,
            Ok(Route::StripeKey) => boxed(self.stripe_put_key(request)).await,
            Err(e) if e.code() == ErrorCode::MethodNotAllowed && request.method == "OPTIONS" => {
                Ok(respond::preflight())
            }
            Err(e) => Err(e),
        };
        let mut response = answer.unwrap_or_else(|e| error_response(&e));
        respond::allow_origin(
            &mut response,
            request.header("origin"),
            &self.config.allowed_origins,
        );
        Answer { response, reuse }
    }
}

/// An answer of [`Server::answer`].
pub struct Answer {
    pub response: HttpResponse,
    /// Set on a token read that handed the token out as the store holds
    /// it, by service token (the slot's own, or an app user's by id) or on
    /// behalf of a user token that holds until a known time.
    pub reuse: Option<Reuse>,
}

impl Answer {
    fn of(response: HttpResponse) -> Self {
        Answer {
            response,
            reuse: None,
        }
    }
}

/// What a token read's answer rests on: the same request (method, URL and
/// every header) is answered the same, but for the TTL header (the
/// milliseconds to `fresh_until_ms`, or unchanged when that is `None`),
/// for as long as the store holds exactly `sealed` under `store_key` and
/// the clock is before `until_ms`, unless a request that may change
/// connections ([`Server::may_change_connections`]) comes in between. The
/// package's JS answers such repeats without the wasm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reuse {
    pub store_key: String,
    pub sealed: String,
    /// Until when the token is handed out without a refresh; `None` when
    /// it does not expire.
    pub fresh_until_ms: Option<u64>,
    /// `fresh_until_ms`, or earlier when the user token the read was made
    /// on behalf of expires first; `None`: no end.
    pub until_ms: Option<u64>,
}

#[cfg(test)]
mod tests;
