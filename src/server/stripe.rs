//! Stripe: the calls Base44's CLI makes (`GET payments/stripe/status`,
//! `POST payments/stripe/install`, `DELETE payments/stripe`), a service
//! route that takes the key in a JSON body (`PUT payments/stripe/key`), and
//! the claim page a builder pastes the key into.
//!
//! Base44 provisions a sandbox itself; a self-hosted server cannot, so the
//! builder brings a key. `install` answers a `claim_url`: this server's
//! claim page with a sealed, single-use ticket (10 minutes). Opening it
//! burns the ticket, sets a binding cookie (as the start route does) and
//! shows a form that carries a sealed, single-use token bound to that
//! cookie (the CSRF defence: another site can neither read the token nor
//! send the cookie). The form's key is checked for its shape (`sk_` or
//! `rk_`, then `test_` or `live_`), then against Stripe's API (unless
//! turned off), then sealed by the vault as the shared connection of type
//! `stripe`, its mode (`sandbox` or `live`) in its connection config. The
//! key appears in no answer but the token read (`getConnection('stripe')`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::config::{Connector, STRIPE};
use super::connect::{binding_hash, ticket_param};
use super::respond::{callback_headers, html_escape, json_response};
use super::{Incoming, Server, Slot, Users};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpRequest, HttpResponse};
use crate::oauth::secret::AccessToken;
use crate::oauth::state::{self, STATE_TTL_MS, StateClaims};
use crate::oauth::token::{Account, TokenSet};
use crate::ports::{Clock, Fetch, Store, random_bytes};
use crate::vault::{ConnectionKey, Status};

/// What the claim's ticket and form token name: no slot's label
/// (`<kind>:<id>`) has this form, so neither opens anywhere else.
const CLAIM_LABEL: &str = "stripe-claim";

/// How long a claim URL opens, and then how long its form takes a key.
const CLAIM_TTL_MS: u64 = STATE_TTL_MS;

/// The connection config key that holds the key's mode.
pub const MODE_KEY: &str = "stripe_mode";

/// The longest key taken (Stripe's are far shorter; its docs allow 255).
const MAX_KEY_LEN: usize = 255;

const SHAPE: &str = "A Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_, followed by letters and digits";

/// The mode of a Stripe secret or restricted key: `sandbox` for a test
/// key, `live` for a live one. `STRIPE_KEY_INVALID` for anything else; the
/// message never holds the key.
pub fn key_mode(key: &str) -> Result<&'static str> {
    let invalid = |what: &str| Error::new(ErrorCode::StripeKeyInvalid, what.to_owned());
    if key.starts_with("pk_") {
        return Err(invalid(
            "That is a publishable key (pk_): paste a secret key (sk_) or a restricted key (rk_)",
        ));
    }
    let rest = key
        .strip_prefix("sk_")
        .or_else(|| key.strip_prefix("rk_"))
        .ok_or_else(|| invalid(SHAPE))?;
    let (mode, body) = if let Some(body) = rest.strip_prefix("test_") {
        ("sandbox", body)
    } else if let Some(body) = rest.strip_prefix("live_") {
        ("live", body)
    } else {
        return Err(invalid(SHAPE));
    };
    if key.len() > MAX_KEY_LEN || body.len() < 8 || !body.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(invalid(SHAPE));
    }
    Ok(mode)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyBody {
    secret_key: String,
}

fn stripe_slot() -> Slot {
    Slot::Shared(STRIPE.to_owned())
}

fn stripe_key() -> ConnectionKey {
    ConnectionKey::of(&stripe_slot(), None)
}

/// A claim page: HTML that no other site may frame, with no script, no
/// style and no form target but this server.
fn page(status: u16, body: &str, extra: &[(&str, &str)]) -> HttpResponse {
    let mut pairs = vec![
        ("content-type", "text/html; charset=utf-8"),
        (
            "content-security-policy",
            "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-frame-options", "DENY"),
    ];
    pairs.extend_from_slice(extra);
    HttpResponse {
        status,
        headers: callback_headers(&pairs),
        body: format!(
            "<!doctype html><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\"><title>Stripe</title>{body}\n"
        )
        .into_bytes(),
    }
}

/// The page of a claim that cannot go on: its code, and what to do.
fn failure_page(e: &Error) -> HttpResponse {
    let status = if e.code() == ErrorCode::UnknownConnector {
        404
    } else {
        400
    };
    page(
        status,
        &format!(
            "<h1>Stripe could not be connected</h1><p>{} ({}). Run the install again for a new link.</p>",
            html_escape(e.message()),
            html_escape(e.code().as_str()),
        ),
        &[],
    )
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    fn stripe(&self) -> Result<&Connector> {
        self.config.connector(&stripe_slot())
    }

    /// The mode of the stored key: `None` when there is none.
    async fn stripe_mode(&self) -> Result<Option<String>> {
        let record = self.vault.status(&stripe_key()).await?;
        Ok(record
            .filter(|r| r.status == Status::Active)
            .and_then(|r| r.connection_config.get(MODE_KEY).cloned()))
    }

    /// `GET payments/stripe/status`: `{ stripe_mode, sandbox_claim_url }`
    /// (the mode `null` when no key is kept; never a claim URL, which is
    /// single-use and only `install` answers).
    pub(super) async fn stripe_status(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        self.stripe()?;
        let mode = self.stripe_mode().await?;
        Ok(json_response(
            200,
            &json!({ "stripe_mode": mode, "sandbox_claim_url": null }),
        ))
    }

    /// `POST payments/stripe/install`: `{ already_installed, claim_url }`,
    /// the claim URL a page of this server where the builder pastes a key.
    pub(super) async fn stripe_install(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let connector = self.stripe()?;
        // Whatever the body holds (Base44's CLI sends none): nothing to read.
        if self.stripe_mode().await?.is_some() {
            return Ok(json_response(
                200,
                &json!({ "already_installed": true, "claim_url": null }),
            ));
        }
        let mut claims = StateClaims::new(
            CLAIM_LABEL,
            connector.client.redirect_uri.clone(),
            self.now(),
        )?;
        claims.expires_at_ms = claims.issued_at_ms.saturating_add(CLAIM_TTL_MS);
        let ticket = state::seal_ticket(&self.state_key, &claims)?;
        let url = format!(
            "{}?ticket={}",
            connector.client.redirect_uri,
            ticket.secret()
        );
        Ok(json_response(
            200,
            &json!({ "already_installed": false, "claim_url": url }),
        ))
    }

    /// `DELETE payments/stripe`: forgets the key. `{ success: true }`, also
    /// when there was none.
    pub(super) async fn stripe_remove(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let connector = self.stripe()?;
        self.vault
            .disconnect(&stripe_key(), &connector.client, &self.fetch)
            .await?;
        Ok(json_response(200, &json!({ "success": true })))
    }

    /// `PUT payments/stripe/key` with `{ secret_key }`: keeps the key (the
    /// command line's way, with no browser). `{ stripe_mode }`.
    pub(super) async fn stripe_put_key(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let connector = self.stripe()?;
        let body: KeyBody = request.json()?.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "The body must be { \"secret_key\": \"sk_test_...\" }",
            )
        })?;
        let key = Zeroizing::new(body.secret_key);
        let key = key.trim();
        let mode = self.check_key(connector, key).await?;
        self.save_key(key, mode).await?;
        Ok(json_response(200, &json!({ "stripe_mode": mode })))
    }

    /// The key's mode once its shape and (unless turned off) Stripe's API
    /// accept it: `GET {api base}/account` with the key. A restricted key
    /// may lack the permission to read the account (`403`): Stripe knew it,
    /// so it is taken. `401` is `STRIPE_KEY_REFUSED`.
    async fn check_key(&self, connector: &Connector, key: &str) -> Result<&'static str> {
        let mode = key_mode(key)?;
        if !self.config.verify_stripe_keys {
            return Ok(mode);
        }
        let base = connector
            .client
            .provider
            .api_base_urls
            .first()
            .map_or("https://api.stripe.com/v1", String::as_str);
        let request = HttpRequest {
            method: "GET",
            url: format!("{}/account", base.trim_end_matches('/')),
            headers: vec![
                ("authorization".to_owned(), format!("Bearer {key}")),
                ("accept".to_owned(), "application/json".to_owned()),
            ],
            body: Vec::new(),
        };
        let response = crate::oauth::retry::send(
            &self.fetch,
            self.vault.clock(),
            &connector.client.retry,
            &request,
            None,
        )
        .await?;
        match response.status {
            200..=299 | 403 => Ok(mode),
            401 => Err(Error::new(
                ErrorCode::StripeKeyRefused,
                "Stripe refused this key (revoked, rolled or mistyped): copy it again from the Stripe dashboard",
            )),
            status => Err(Error::new(
                ErrorCode::ProviderError,
                format!("Stripe answered HTTP {status} when the key was checked; try again"),
            )),
        }
    }

    async fn save_key(&self, key: &str, mode: &str) -> Result<()> {
        let mut connection_config = BTreeMap::new();
        connection_config.insert(MODE_KEY.to_owned(), mode.to_owned());
        let tokens = TokenSet {
            access_token: AccessToken::new(key),
            refresh_token: None,
            token_type: "Bearer".to_owned(),
            expires_at_ms: None,
            scopes: Vec::new(),
            requested_scopes: Vec::new(),
            connection_config,
            account: Account::default(),
            raw: Value::Null,
        };
        self.vault.save(&stripe_key(), tokens).await.map(drop)
    }

    /// `GET payments/stripe/claim?ticket=..`: the ticket is opened and
    /// burnt; the browser gets a binding cookie and the form.
    pub(super) async fn stripe_claim_page(&self, query: &str) -> HttpResponse {
        match self.open_claim(query).await {
            Ok(response) => response,
            Err(e) => failure_page(&e),
        }
    }

    async fn open_claim(&self, query: &str) -> Result<HttpResponse> {
        let connector = self.stripe()?;
        let ticket = ticket_param(query)?;
        let ticket = state::open_ticket(&self.state_key, &ticket, CLAIM_LABEL, self.now())?;
        state::consume_ticket(self.vault.store(), &self.config.app_id, &ticket, self.now()).await?;
        let value = crate::b64::url(random_bytes::<32>()?);
        let mut claims = StateClaims::new(
            CLAIM_LABEL,
            connector.client.redirect_uri.clone(),
            self.now(),
        )?;
        claims.nonce = ticket.nonce;
        claims.binding = Some(binding_hash(&value));
        claims.expires_at_ms = claims.issued_at_ms.saturating_add(CLAIM_TTL_MS);
        let token = state::seal(&self.state_key, &claims)?;
        let (name, attributes) = self.config.binding_cookie(&claims.nonce);
        let cookie = format!("{name}={value}; Max-Age=600{attributes}");
        Ok(self.form(200, token.secret(), None, &cookie))
    }

    /// The claim form: its single-use token, and what went wrong last time
    /// (never the key that was pasted).
    fn form(
        &self,
        status: u16,
        token: &str,
        problem: Option<&Error>,
        cookie: &str,
    ) -> HttpResponse {
        let action = html_escape(
            &self
                .stripe()
                .map_or_else(|_| String::new(), |c| c.client.redirect_uri.clone()),
        );
        let problem = problem.map_or_else(String::new, |e| {
            format!(
                "<p><strong>{} ({})</strong></p>",
                html_escape(e.message()),
                html_escape(e.code().as_str())
            )
        });
        let body = format!(
            "<h1>Connect Stripe</h1><p>Paste a secret key (sk_test_... for a sandbox, sk_live_... for live payments) or a restricted key (rk_...) of the Stripe account for the app {app}. It is sealed at rest and handed only to the app's backend.</p>{problem}<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><label>Secret key <input type=\"password\" name=\"secret_key\" autocomplete=\"off\" spellcheck=\"false\" required></label> <button type=\"submit\">Connect</button></form>",
            app = html_escape(&self.config.app_id),
            token = html_escape(token),
        );
        let extra: Vec<(&str, &str)> = if cookie.is_empty() {
            Vec::new()
        } else {
            vec![("set-cookie", cookie)]
        };
        page(status, &body, &extra)
    }

    /// `POST payments/stripe/claim`: the form's token (opened, bound to
    /// this browser's cookie, burnt once the key is accepted) and the key.
    /// A key refused for its shape or by Stripe shows the form again with
    /// the same token; the success page clears the cookie.
    pub(super) async fn stripe_claim_submit(&self, request: &Incoming) -> HttpResponse {
        let (token, key) = match claim_form(&request.body) {
            Ok(fields) => fields,
            Err(e) => return failure_page(&e),
        };
        let opened = self.stripe().and_then(|connector| {
            let claims = state::open(&self.state_key, &token, CLAIM_LABEL, self.now())?;
            self.same_browser(request, &claims)?;
            Ok((connector, claims))
        });
        let (connector, claims) = match opened {
            Ok(opened) => opened,
            Err(e) => return failure_page(&e),
        };
        // A pasted key may carry the line's end or spaces around it.
        let key = key.trim();
        let mode = match self.check_key(connector, key).await {
            Ok(mode) => mode,
            Err(e) => return self.form(400, &token, Some(&e), ""),
        };
        let saved = async {
            state::consume(self.vault.store(), &self.config.app_id, &claims, self.now()).await?;
            self.save_key(key, mode).await
        }
        .await;
        if let Err(e) = saved {
            return failure_page(&e);
        }
        let (name, attributes) = self.config.binding_cookie(&claims.nonce);
        let clear = format!("{name}=; Max-Age=0{attributes}");
        page(
            200,
            &format!(
                "<h1>Stripe is connected</h1><p>The key is kept in {} mode. You can close this window.</p>",
                if mode == "live" {
                    "live"
                } else {
                    "sandbox (test)"
                }
            ),
            &[("set-cookie", &clear)],
        )
    }
}

/// The claim form's two fields, each exactly once.
fn claim_form(body: &[u8]) -> Result<(String, Zeroizing<String>)> {
    let mut token = None;
    let mut key = None;
    let malformed = || {
        Error::new(
            ErrorCode::InvalidInput,
            "The form must hold one token and one secret_key",
        )
    };
    if body.len() > crate::http::MAX_BODY_BYTES {
        return Err(malformed());
    }
    for (name, value) in form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "token" => &mut token,
            "secret_key" => &mut key,
            _ => return Err(malformed()),
        };
        if slot.is_some() {
            return Err(malformed());
        }
        *slot = Some(Zeroizing::new(value.into_owned()));
    }
    match (token, key) {
        (Some(token), Some(key)) => Ok((token.to_string(), key)),
        _ => Err(malformed()),
    }
}
