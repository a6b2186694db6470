//! The token vault for JavaScript: `new TokenVault({ secrets, store, ... })`
//! stores connections sealed in the host's store, hands out access tokens
//! (refreshed first when they are about to expire) and disconnects with
//! revocation. A thin shell over [`crate::vault::Vault`].

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::client::{JsOAuthClient, tokens_from_js};
use super::convert::{
    JsResult, check_keys, date_or_null, get, input_error, optional_string, options_object,
    required_string, secrets_list, set_hidden, to_js,
};
use super::store::JsStore;
use crate::oauth::token::Account;
use crate::vault::{ConnectionKey, Event, KeyRing, Record, Revocation, Vault, VaultOptions};
use crate::wasm::clock::SystemClock;

const OPTIONS: [&str; 5] = ["secrets", "store", "appId", "onEvent", "leaseWaitMs"];

type Inner = Vault<JsStore, SystemClock>;

/// Connections sealed in a host store.
#[wasm_bindgen(js_name = TokenVault)]
pub struct JsTokenVault {
    vault: Rc<Inner>,
}

fn secrets_from_js(value: &JsValue) -> JsResult<KeyRing> {
    KeyRing::new(&secrets_list(value)?).map_err(JsValue::from)
}

/// `{ kind: 'shared', integrationType }`, `{ kind: 'workspace', connectorId }`
/// or `{ kind: 'app_user', connectorId, userId }`.
fn connection_from_js(value: &JsValue) -> JsResult<ConnectionKey> {
    if !value.is_object() {
        return Err(input_error(
            "connection must be { kind: 'shared', integrationType }, { kind: 'workspace', connectorId } or { kind: 'app_user', connectorId, userId }",
        ));
    }
    let kind = required_string(&get(value, "kind"), "connection.kind")?;
    let key = match kind.as_str() {
        "shared" => {
            check_keys(value, &["kind", "integrationType"], "connection field")?;
            ConnectionKey::Shared {
                // A type id, read in lower case as everywhere.
                integration_type: crate::catalog::fold_type_id(&required_string(
                    &get(value, "integrationType"),
                    "connection.integrationType",
                )?),
            }
        }
        "workspace" => {
            check_keys(value, &["kind", "connectorId"], "connection field")?;
            ConnectionKey::Workspace {
                connector_id: required_string(
                    &get(value, "connectorId"),
                    "connection.connectorId",
                )?,
            }
        }
        "app_user" => {
            check_keys(
                value,
                &["kind", "connectorId", "userId"],
                "connection field",
            )?;
            ConnectionKey::AppUser {
                connector_id: required_string(
                    &get(value, "connectorId"),
                    "connection.connectorId",
                )?,
                user_id: required_string(&get(value, "userId"), "connection.userId")?,
            }
        }
        _ => {
            return Err(input_error(
                "connection.kind must be \"shared\", \"workspace\" or \"app_user\"",
            ));
        }
    };
    key.check()?;
    Ok(key)
}

/// What a connection shows to JavaScript, tokens aside.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionJs<'a> {
    connection_id: &'a str,
    kind: &'static str,
    connector: &'a str,
    user_id: Option<&'a str>,
    status: &'static str,
    token_type: &'a str,
    scopes: &'a [String],
    connection_config: &'a std::collections::BTreeMap<String, String>,
    account: &'a Account,
    version: u64,
}

/// A record as a JS object; with `with_token`, `accessToken` is a hidden
/// property (the refresh token never leaves the vault).
fn record_to_js(record: &Record, with_token: bool) -> JsResult {
    let object = to_js(&ConnectionJs {
        connection_id: &record.id,
        kind: record.kind.as_str(),
        connector: &record.connector,
        user_id: record.user_id.as_deref(),
        status: record.status.as_str(),
        token_type: &record.token_type,
        scopes: &record.scopes,
        connection_config: &record.connection_config,
        account: &record.account,
        version: record.version,
    })?;
    Reflect::set(
        &object,
        &"expiresAt".into(),
        &date_or_null(record.expires_at_ms),
    )?;
    Reflect::set(
        &object,
        &"createdAt".into(),
        &date_or_null(Some(record.created_at_ms)),
    )?;
    Reflect::set(
        &object,
        &"updatedAt".into(),
        &date_or_null(Some(record.updated_at_ms)),
    )?;
    let last_refresh = match &record.last_refresh {
        Some(outcome) => {
            let last = Object::new();
            Reflect::set(&last, &"at".into(), &date_or_null(Some(outcome.at_ms)))?;
            let code = outcome
                .code
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str);
            Reflect::set(&last, &"code".into(), &code)?;
            last.into()
        }
        None => JsValue::NULL,
    };
    Reflect::set(&object, &"lastRefresh".into(), &last_refresh)?;
    if with_token {
        set_hidden(&object, "accessToken", &record.access_token.secret().into())?;
    }
    Ok(object)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventJs<'a> {
    #[serde(rename = "type")]
    event: &'static str,
    connection_id: &'a str,
    kind: &'static str,
    connector: &'a str,
    user_id: Option<&'a str>,
    status: &'static str,
    code: Option<&'static str>,
}

/// The `leaseWaitMs` option (`undefined` or `null`: the default).
pub(super) fn lease_wait_from_js(value: &JsValue) -> JsResult<u64> {
    if value.is_undefined() || value.is_null() {
        return Ok(VaultOptions::default().lease_wait_ms);
    }
    crate::vault::lease_wait_ms(value.as_f64()).map_err(JsValue::from)
}

/// The vault with the `onEvent` option, when given, as its event hook.
pub(super) fn with_event_hook<S, C>(vault: Vault<S, C>, options: &JsValue) -> JsResult<Vault<S, C>>
where
    S: crate::ports::Store,
    C: crate::ports::Clock,
{
    let hook = get(options, "onEvent");
    if hook.is_undefined() || hook.is_null() {
        return Ok(vault);
    }
    let hook = hook
        .dyn_into::<Function>()
        .map_err(|_| input_error("onEvent must be a function"))?;
    Ok(vault.on_event(event_hook(hook)))
}

/// Calls the host's `onEvent` with a plain object; what it throws is ignored
/// (an alerting hook must not break a token read).
fn event_hook(hook: Function) -> Box<dyn Fn(&Event)> {
    Box::new(move |event: &Event| {
        let Ok(object) = to_js(&EventJs {
            event: event.event.as_str(),
            connection_id: &event.connection_id,
            kind: event.kind.as_str(),
            connector: &event.connector,
            user_id: event.user_id.as_deref(),
            status: event.status.as_str(),
            code: event.code.map(|c| c.as_str()),
        }) else {
            return;
        };
        let _ = Reflect::set(&object, &"at".into(), &date_or_null(Some(event.at_ms)));
        let _ = hook.call1(&JsValue::UNDEFINED, &object);
    })
}

#[wasm_bindgen(js_class = TokenVault)]
impl JsTokenVault {
    /// `new TokenVault({ secrets, store, appId?, onEvent?, leaseWaitMs? })`. Provider
    /// calls go through the `fetch` of the `OAuthClient` given to each call.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsTokenVault> {
        options_object(
            &options,
            "new TokenVault() takes an options object: { secrets, store }",
            &OPTIONS,
            "TokenVault option",
        )?;
        let ring = secrets_from_js(&get(&options, "secrets"))?;
        let store = JsStore::from_js(&get(&options, "store"))?;
        let app = optional_string(&get(&options, "appId"), "appId")?
            .unwrap_or_else(|| VaultOptions::default().app);
        crate::app_id::check_app_id(&app)?;
        let vault = Vault::new(
            ring,
            store,
            SystemClock,
            VaultOptions {
                app,
                lease_wait_ms: lease_wait_from_js(&get(&options, "leaseWaitMs"))?,
                ..VaultOptions::default()
            },
        );
        Ok(JsTokenVault {
            vault: Rc::new(with_event_hook(vault, &options)?),
        })
    }

    /// Stores the tokens of a new connection, or of a reconnect (which keeps
    /// the connection's id). Resolves the connection, without its token.
    pub fn save(&self, connection: JsValue, tokens: JsValue) -> Promise {
        let vault = Rc::clone(&self.vault);
        future_to_promise(async move {
            let key = connection_from_js(&connection)?;
            let tokens = tokens_from_js(&tokens)?;
            let record = vault.save(&key, tokens).await?;
            record_to_js(&record, false)
        })
    }

    /// An active connection with a usable `accessToken` (refreshed first
    /// through `client` when it is about to expire). Rejects with
    /// `NOT_CONNECTED` or `NEEDS_RECONNECT`.
    #[wasm_bindgen(js_name = getConnection)]
    pub fn get_connection(&self, connection: JsValue, client: &JsOAuthClient) -> Promise {
        let vault = Rc::clone(&self.vault);
        let (client, fetch) = (Rc::clone(&client.client), Rc::clone(&client.fetch));
        future_to_promise(async move {
            let key = connection_from_js(&connection)?;
            let record = vault.get(&key, &client, fetch.as_ref()).await?;
            record_to_js(&record, true)
        })
    }

    /// The stored connection as it is (any status, no token), or `null`.
    pub fn status(&self, connection: JsValue) -> Promise {
        let vault = Rc::clone(&self.vault);
        future_to_promise(async move {
            let key = connection_from_js(&connection)?;
            match vault.status(&key).await? {
                Some(record) => record_to_js(&record, false),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// Disconnects: reads fail at once, then the tokens are revoked at the
    /// provider and purged. Resolves `{ revocation: 'revoked' | 'unsupported'
    /// | 'failed' | 'none', code? }`; after `failed`, call again to retry.
    pub fn disconnect(&self, connection: JsValue, client: &JsOAuthClient) -> Promise {
        let vault = Rc::clone(&self.vault);
        let (client, fetch) = (Rc::clone(&client.client), Rc::clone(&client.fetch));
        future_to_promise(async move {
            let key = connection_from_js(&connection)?;
            let revocation = vault.disconnect(&key, &client, fetch.as_ref()).await?;
            let object = js_sys::Object::new();
            Reflect::set(&object, &"revocation".into(), &revocation.as_str().into())?;
            if let Revocation::Failed(code) = revocation {
                Reflect::set(&object, &"code".into(), &code.as_str().into())?;
            }
            Ok(object.into())
        })
    }
}
