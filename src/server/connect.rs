//! Connecting: the consent URL (app users' `initiate`, and the management
//! PUT through [`Server::consent`]), the start route and the callback.
//!
//! The consent URL points at the slot's start route with a sealed,
//! single-use start ticket. The browser opens it top-level (so it is
//! first-party there, whatever site the frontend is on); the start route
//! burns the ticket, sets a binding cookie and sends the browser on to the
//! provider with a sealed, single-use `state` made for the slot's callback
//! route (the mix-up defence) that carries the cookie's hash. The callback
//! opens the state, checks the cookie and `iss`, burns the state, exchanges
//! the code and stores the tokens through the vault, then sends the browser
//! back with only `connector`/`status` or `connect_error` in the query.
//! `bind_browser(false)` skips the start route: the consent URL is the
//! provider's, bound to no browser.

use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::config::{Connector, connection_id};
use super::respond::{callback_headers, callback_page, callback_redirect, json_response};
use super::{Incoming, Server, Slot, Users, return_url};
use crate::catalog::Pkce;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpResponse;
use crate::oauth::callback::{self, CallbackParams};
use crate::oauth::state::{self, STATE_TTL_MS, StateClaims};
use crate::oauth::{pkce, secret::PkceVerifier};
use crate::ports::Store;
use crate::ports::{Clock, Fetch, random_bytes};
use crate::vault::ConnectionKey;
use crate::vault::Record;

/// What a bound state carries of its browser's cookie value.
pub(super) fn binding_hash(value: &str) -> String {
    crate::b64::url(Sha256::digest(value.as_bytes()))
}

fn too_long() -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        "The return URL and scopes are too long to carry through the consent",
    )
}

/// The start route's one `ticket` parameter (anything else in the query,
/// or a second ticket, is refused before any crypto or store call).
pub(super) fn ticket_param(query: &str) -> Result<String> {
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

/// How long an app user's start ticket opens: the page that asked for it
/// follows it at once.
const APP_USER_START_TTL_MS: u64 = 5 * 60_000;

/// How long the builder's start ticket opens: as long as a consent URL did
/// before the start route, since the CLI may print it for a person to open.
const BUILDER_START_TTL_MS: u64 = STATE_TTL_MS;

/// What a state holds beyond its ticket (the PKCE verifier, the binding
/// hash and their keys), in characters of the sealed form: a ticket must
/// leave that much room under [`state::MAX_STATE_LEN`].
const STATE_OVER_TICKET: usize = 200;

/// How long the status of a management PUT's authorization is kept: past
/// the ticket's and then the state's lifetime, so a late poll still sees
/// the outcome.
pub(super) const STATUS_TTL_MS: u64 = BUILDER_START_TTL_MS + STATE_TTL_MS + 5 * 60_000;

/// The status of an authorization started by the management PUT is kept
/// as `<STATUS> <slot label>`.
pub(super) fn status_value(status: &str, slot: &Slot) -> String {
    format!("{status} {}", slot.label())
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    /// Where the status of the management PUT's authorization `connection_id` is kept.
    pub(super) fn status_key(&self, connection_id: &str) -> String {
        crate::store_keys::authorization_status(&self.config.app_id, connection_id)
    }

    /// `connectAppUser`: the consent URL for the request's user, with the
    /// return URL from the body's `return_url` or the `X-Origin-URL` header.
    pub(super) async fn initiate(&self, id: String, request: &Incoming) -> Result<HttpResponse> {
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

    /// The consent URL for `slot`, and the flow's nonce. Bound (the
    /// default): the start route's URL with a sealed ticket; unbound: the
    /// provider's URL with a state.
    pub(super) fn consent(
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

    /// The start route: a browser opens the consent URL here, top-level.
    /// The ticket is opened (for this slot only) and burnt; the browser gets
    /// a binding cookie and a 303 to the provider with a state bound to it.
    /// A failure goes back like a callback's: to the return URL with only
    /// `connect_error`, or as a small page.
    pub(super) async fn start(&self, slot: &Slot, request: &Incoming, query: &str) -> HttpResponse {
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
        state::consume_ticket(self.vault.store(), &self.config.app_id, ticket, self.now()).await?;
        if matches!(slot, Slot::AppUser(_)) && ticket.user.is_none() {
            return Err(Error::new(
                ErrorCode::StateMalformed,
                "The start ticket names no user",
            ));
        }
        let value = crate::b64::url(random_bytes::<32>()?);
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

    /// Whether the request's browser holds the cookie a bound state names.
    /// While binding is on, a state bound to no browser is refused too.
    pub(super) fn same_browser(&self, request: &Incoming, claims: &StateClaims) -> Result<()> {
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

    /// The OAuth callback: the state is opened (for this slot only), the
    /// issuer checked, the state burnt, then the code exchanged and stored.
    pub(super) async fn callback(
        &self,
        slot: &Slot,
        request: &Incoming,
        query: &str,
    ) -> HttpResponse {
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
                    &self.status_key(&connection_id(&claims.nonce)),
                    Some(&status_value("PENDING", slot)),
                    Some(&status_value(status, slot)),
                    Some(STATUS_TTL_MS),
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
    pub(super) fn open_callback(
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
        state::consume(self.vault.store(), &self.config.app_id, claims, self.now()).await?;
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
            .save(&ConnectionKey::of(slot, claims.user.as_deref()), tokens)
            .await
    }
}
