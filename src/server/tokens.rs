//! Token reads (shared and workspace connections, and an app user's: on
//! behalf of the request's user or by user id) and `callApi`, the proxy
//! that calls the provider's API with the connection's token. A read hands
//! out a usable token, refreshed first when due, that holds every scope
//! the connector asks for.

use serde_json::{Value, json};

use super::config::Connector;
use super::respond::json_response;
use super::{Incoming, Reuse, Server, Slot, Users, proxy, redact};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpResponse, MAX_BODY_BYTES};
use crate::ports::Store;
use crate::ports::{Clock, Fetch};
use crate::vault::ConnectionKey;
use crate::vault::{Record, StoredAs};

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

/// Whose connection a token read is for.
pub(super) enum Reader {
    /// The slot's own (shared or workspace).
    Service,
    /// The app user named by `on-behalf-of`.
    OnBehalfOf,
    /// The app user with this id.
    Named(String),
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    /// The three token reads: the wire's JSON, and [`TOKEN_TTL_HEADER`].
    /// Sets `reuse` when the answer rests only on the request and the
    /// stored record (not refreshed) and, on behalf of a user, on a user
    /// token whose check holds until a known time (its `exp`).
    pub(super) async fn token(
        &self,
        request: &Incoming,
        slot: Slot,
        reader: Reader,
        reuse: &mut Option<Reuse>,
    ) -> Result<HttpResponse> {
        self.service(request).await?;
        // Until when the caller's checks hold: `None` when only the host's
        // verifyUser can say, so nothing is reused.
        let (user, checked_until) = match reader {
            Reader::Service => (None, Some(u64::MAX)),
            Reader::OnBehalfOf => {
                let user = self.on_behalf_of(request).await?;
                (Some(user.id), user.valid_until_ms)
            }
            Reader::Named(user_id) => (Some(user_id), Some(u64::MAX)),
        };
        let connector = self.config.connector(&slot)?;
        let (record, stored) = self.read(&slot, user.as_deref(), connector).await?;
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
        // A GET only: any other method empties the in-process caches.
        let checked_until = checked_until.filter(|_| request.method == "GET");
        *reuse = stored.zip(checked_until).map(|(stored, checked_until)| {
            let fresh_until_ms = self.vault.fresh_until_ms(&record);
            let until = fresh_until_ms.unwrap_or(u64::MAX).min(checked_until);
            Reuse {
                store_key: stored.key,
                sealed: stored.sealed,
                fresh_until_ms,
                until_ms: (until < u64::MAX).then_some(until),
            }
        });
        Ok(response)
    }

    /// A usable connection (refreshed first when due) that holds every
    /// scope the connector asks for: granted, or asked for at consent
    /// (a provider may name a granted scope differently).
    async fn read(
        &self,
        slot: &Slot,
        user: Option<&str>,
        connector: &Connector,
    ) -> Result<(Record, Option<StoredAs>)> {
        let (record, stored) = self
            .vault
            .get_stored(
                &ConnectionKey::of(slot, user),
                &connector.client,
                &self.fetch,
            )
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
        Ok((record, stored))
    }

    /// `POST external-auth/integrations/{type}/call` (`callApi`): the
    /// provider's API with the shared connection's token, its answer with
    /// every secret of the connection redacted.
    pub(super) async fn call(
        &self,
        integration_type: String,
        request: &Incoming,
    ) -> Result<HttpResponse> {
        self.service(request).await?;
        let slot = Slot::Shared(integration_type);
        let connector = self.config.connector(&slot)?;
        let call: proxy::CallRequest = request.json()?.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "The body must be { method, path, query, headers, body }",
            )
        })?;
        let (record, _) = self.read(&slot, None, connector).await?;
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
        let answer: Value = proxy::answer(outcome.map(|r| redact::redact(r, &secrets)));
        Ok(json_response(200, &answer))
    }
}
