//! The management calls (the service role: the builder's CLI and
//! dashboard): connecting a shared or workspace connector (the PUT and its
//! status), listing (Base44's shared list, and every connection a page at
//! a time), the available integrations, removing; and an app user's
//! disconnect.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::config::{Connector, connection_id};
use super::connect::{STATUS_TTL_MS, status_value};
use super::respond::json_response;
use super::{Incoming, Server, Slot, Users, return_url};
use crate::catalog::fold_type_id;
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpResponse;
use crate::ports::{Clock, Fetch};
use crate::ports::{MAX_LIST_LIMIT, Store};
use crate::scopes::check_scopes;
use crate::vault::{ConnectionKey, Kind, ListFilter, Record, Status};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBody {
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// Beyond the wire: where the builder's browser goes after consent.
    #[serde(default)]
    return_url: Option<String>,
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    /// `PUT external-auth/integrations/{type}` and `.../connectors/{id}`.
    pub(super) async fn set(&self, slot: Slot, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let connector = self.config.connector(&slot)?;
        if connector.integration_type == super::STRIPE && matches!(slot, Slot::Shared(_)) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "Stripe is not connected with OAuth: POST payments/stripe/install answers a page to paste its key, or PUT payments/stripe/key takes it",
            ));
        }
        let body: SetBody = request.json()?.unwrap_or(SetBody {
            scopes: None,
            return_url: None,
        });
        // No scopes, or none (`[]`, what Base44's CLI sends for a connector
        // file without scopes and for `initiate` without `--scopes`): the
        // connector's configured scopes.
        let asked = match body.scopes {
            Some(scopes) if !scopes.is_empty() => check_scopes(scopes.iter())?,
            _ => connector.scopes.clone(),
        };
        let return_url = body
            .return_url
            .map(|url| return_url::check(&url, &self.config.allowed_origins))
            .transpose()?;
        let answer = self.authorize(&slot, connector, asked, return_url).await?;
        Ok(json_response(200, &answer))
    }

    /// The management PUT: `already_authorized` when the active grant covers
    /// the scopes, else a consent URL for the union and a `connection_id`.
    async fn authorize(
        &self,
        slot: &Slot,
        connector: &Connector,
        asked: Vec<String>,
        return_url: Option<String>,
    ) -> Result<Value> {
        let current = self.vault.status(&ConnectionKey::of(slot, None)).await?;
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
                &self.status_key(&id),
                &status_value("PENDING", slot),
                Some(STATUS_TTL_MS),
            )
            .await?;
        Ok(answer(Some(url), Some(id), false))
    }

    /// `GET external-auth/status?connection_id=..`: how a PUT's authorization went.
    pub(super) async fn status(&self, request: &Incoming, query: &str) -> Result<HttpResponse> {
        self.service(request).await?;
        // Inserts (a later pair wins): `collect` would sort, more wasm.
        let mut params = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()).into_owned() {
            params.insert(k, v);
        }
        let id = params
            .get("connection_id")
            .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "connection_id is required"))?;
        let stored = self.vault.store().get(&self.status_key(id)).await?;
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
        Ok(json_response(200, &json!({ "status": status })))
    }

    /// `GET external-auth/list`: the shared OAuth connections, in Base44's
    /// shape. Not Stripe, which `payments/stripe/status` tells of: Base44's
    /// CLI adds Stripe to a pull from there, and its push removes every
    /// listed type with no local file but Stripe's through this list's
    /// remove route, so a listed Stripe would be pulled twice and its key
    /// forgotten (then installed again) by every push of a `stripe.jsonc`.
    pub(super) async fn list(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let mut list = Vec::new();
        for integration_type in self.config.shared.keys() {
            let slot = Slot::Shared(integration_type.clone());
            if let Some(record) = self.vault.status(&ConnectionKey::of(&slot, None)).await? {
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
        Ok(json_response(200, &json!({ "integrations": list })))
    }

    /// `GET connections?cursor=..&limit=..&kind=..&connector=..`: a page of
    /// every connection (shared, workspace, app user), never a token. The
    /// `cursor` wraps the store's (base64url), so it is URL-safe as it is.
    pub(super) async fn connections(
        &self,
        request: &Incoming,
        query: &str,
    ) -> Result<HttpResponse> {
        self.service(request).await?;
        let invalid = |what: &str| Error::new(ErrorCode::InvalidInput, what.to_owned());
        let mut params = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()).into_owned() {
            if !matches!(k.as_str(), "cursor" | "limit" | "kind" | "connector") {
                return Err(invalid(
                    "Unknown query parameter: this route takes cursor, limit, kind and connector",
                ));
            }
            if params.insert(k, v).is_some() {
                return Err(invalid("A query parameter was given twice"));
            }
        }
        let limit = match params.get("limit") {
            None => DEFAULT_PAGE,
            // Digits only, as written: `+5` and `05` are refused too.
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIST_LIMIT).contains(n) && n.to_string() == *l)
                .ok_or_else(|| invalid("limit must be a whole number from 1 to 1000"))?,
        };
        let kind = match params.get("kind").map(String::as_str) {
            None => None,
            Some("shared") => Some(Kind::Shared),
            Some("workspace") => Some(Kind::Workspace),
            Some("app_user") => Some(Kind::AppUser),
            Some(_) => return Err(invalid("kind must be shared, workspace or app_user")),
        };
        let connector = match (params.get("connector"), kind) {
            (Some(c), Some(Kind::Shared)) => Some(fold_type_id(c)),
            (Some(c), _) => Some(c.clone()),
            (None, _) => None,
        };
        let cursor = params
            .get("cursor")
            .map(|c| {
                crate::b64::from_url(c)
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| invalid("cursor is not one this route answered"))
            })
            .transpose()?;
        let filter = ListFilter { kind, connector };
        let page = self.vault.list(&filter, cursor.as_deref(), limit).await?;
        let connections: Vec<Value> = page.connections.iter().map(connection_json).collect();
        Ok(json_response(
            200,
            &json!({
                "connections": connections,
                "cursor": page.cursor.map(crate::b64::url),
                "unreadable": page.unreadable,
            }),
        ))
    }

    /// `GET external-auth/available-integrations`: the catalog.
    pub(super) async fn available(&self, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        Ok(json_response(
            200,
            &json!({ "integrations": self.config.catalog.list_available() }),
        ))
    }

    /// `DELETE external-auth/integrations/{type}/remove` (and a workspace
    /// connector's): disconnects, revoking at the provider.
    pub(super) async fn remove(&self, slot: Slot, request: &Incoming) -> Result<HttpResponse> {
        self.service(request).await?;
        let connector = self.config.connector(&slot)?;
        let revocation = self
            .vault
            .disconnect(
                &ConnectionKey::of(&slot, None),
                &connector.client,
                &self.fetch,
            )
            .await?;
        let (field, id) = match &slot {
            Slot::Shared(t) => ("integration_type", t),
            Slot::Workspace(id) | Slot::AppUser(id) => ("connector_id", id),
        };
        Ok(json_response(
            200,
            &json!({ "status": "removed", field: id, "revocation": revocation.as_str() }),
        ))
    }

    /// `DELETE app-user-auth/connectors/{id}`: the user's own connection.
    pub(super) async fn disconnect(&self, id: String, request: &Incoming) -> Result<HttpResponse> {
        let user = self.user(request).await?;
        let slot = Slot::AppUser(id);
        let connector = self.config.connector(&slot)?;
        let revocation = self
            .vault
            .disconnect(
                &ConnectionKey::of(&slot, Some(&user.id)),
                &connector.client,
                &self.fetch,
            )
            .await?;
        Ok(json_response(
            200,
            &json!({ "status": "disconnected", "revocation": revocation.as_str() }),
        ))
    }
}

/// How many connections a `GET connections` page holds at most by default.
const DEFAULT_PAGE: u32 = 100;

/// A connection as `GET connections` shows it: never a token.
fn connection_json(record: &Record) -> Value {
    json!({
        "id": record.id,
        "kind": record.kind.as_str(),
        "connector": record.connector,
        "user_id": record.user_id,
        "status": record.status.as_str(),
        "scopes": record.scopes,
        "user_email": record.account.email,
        "created_at_ms": record.created_at_ms,
        "updated_at_ms": record.updated_at_ms,
        "expires_at_ms": record.expires_at_ms,
        "last_refresh": record.last_refresh.as_ref().map(|r| json!({
            "at_ms": r.at_ms,
            "ok": r.code.is_none(),
            "code": r.code,
        })),
    })
}
