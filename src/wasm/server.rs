//! The connectors server for JavaScript: `new ConnectorsServer(options)`
//! (wrapped by `createConnectorsServer` in the package's `api.js`) with one
//! method, `handle(request) -> Promise<Response>`, over standard `Request`
//! and `Response` objects. A thin shell over [`crate::server::Server`].

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::catalog::{files_from_js, provider_from_js, with_catalog};
use super::convert::{
    JsResult, check_keys, entries, get, input_error, now_or_promise, optional_string,
    optional_whole, options_object, required_string, secrets_list, settled, string_list,
    string_map, to_js,
};
use super::fetch::{HostFetch, header_entries, read_array_buffer, read_stream};
use super::store::JsStore;
use super::vault::with_event_hook;
use crate::catalog::{Catalog, Provider};
use crate::error::{Error, ErrorCode, Result};
use crate::http::MAX_BODY_BYTES;
use crate::identity::{Hs256, User};
use crate::oauth::secret::ClientSecret;
use crate::oauth::token::ClientCredentials;
use crate::server::{
    self, ConnectorFiles, Incoming, NoUsers, Server, ServerConfig, Slot, Users, error_response,
    state_secret,
};
use crate::text::printable;
use crate::vault::{KeyRing, Vault, VaultOptions};
use crate::wasm::clock::SystemClock;

const OPTIONS: [&str; 20] = [
    "appId",
    "publicUrl",
    "secret",
    "secrets",
    "store",
    "fetch",
    "timeoutMs",
    "connectors",
    "credentials",
    "workspaceConnectors",
    "appUserConnectors",
    "providers",
    "serviceTokens",
    "users",
    "allowedReturnUrls",
    "bindBrowser",
    "onEvent",
    "leaseWaitMs",
    "maxAttempts",
    "stripe",
];

const CONNECTOR_OPTIONS: [&str; 6] = [
    "type",
    "clientId",
    "clientSecret",
    "scopes",
    "provider",
    "connectionConfig",
];

/// Who app users are: HS256 tokens, the host's `verifyUser`, or nobody.
enum JsUsers {
    None,
    Hs256(Hs256),
    Hook(Function),
}

impl Users for JsUsers {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User> {
        let hook = match self {
            JsUsers::None => return NoUsers.verify(token, now_ms).await,
            JsUsers::Hs256(hs) => return hs.verify(token, now_ms),
            JsUsers::Hook(hook) => hook,
        };
        let refused = || {
            Error::new(
                ErrorCode::Unauthenticated,
                "verifyUser did not accept the user token",
            )
        };
        let answer = hook
            .call1(&JsValue::UNDEFINED, &JsValue::from_str(token))
            .map_err(|_| refused())?;
        let user = settled(&answer).await.map_err(|_| refused())?;
        if !user.is_object() {
            return Err(refused());
        }
        let id = get(&user, "id")
            .as_string()
            .filter(|id| !id.is_empty() && id.len() <= 256)
            .ok_or_else(refused)?;
        Ok(User {
            id,
            email: get(&user, "email").as_string(),
            valid_until_ms: None,
        })
    }
}

type Inner = Server<JsStore, HostFetch, SystemClock, JsUsers>;

/// The connectors server: the Base44 wire protocol over a host store and fetch.
#[wasm_bindgen(js_name = ConnectorsServer)]
pub struct JsConnectorsServer {
    server: Rc<Inner>,
}

fn users_from_js(value: &JsValue) -> JsResult<JsUsers> {
    if value.is_undefined() || value.is_null() {
        return Ok(JsUsers::None);
    }
    if !value.is_object() {
        return Err(input_error(
            "users must be { secret, issuer, audience } or { verifyUser }",
        ));
    }
    let hook = get(value, "verifyUser");
    if !hook.is_undefined() {
        check_keys(value, &["verifyUser"], "users option")?;
        return hook
            .dyn_into::<Function>()
            .map(JsUsers::Hook)
            .map_err(|_| input_error("users.verifyUser must be a function"));
    }
    check_keys(value, &["secret", "issuer", "audience"], "users option")?;
    let secret = required_string(&get(value, "secret"), "users.secret")?;
    let issuer = required_string(&get(value, "issuer"), "users.issuer")?;
    let audience = required_string(&get(value, "audience"), "users.audience")?;
    Hs256::new(secret.as_bytes(), &issuer, &audience)
        .map(JsUsers::Hs256)
        .map_err(JsValue::from)
}

/// `{ clientId, clientSecret? }` and the connection config of a connector.
fn credentials_of(
    spec: &JsValue,
    what: &str,
) -> JsResult<(ClientCredentials, BTreeMap<String, String>)> {
    let credentials = ClientCredentials {
        client_id: required_string(&get(spec, "clientId"), &format!("{what}.clientId"))?,
        client_secret: optional_string(
            &get(spec, "clientSecret"),
            &format!("{what}.clientSecret"),
        )?
        .filter(|s| !s.is_empty())
        .map(ClientSecret::new),
    };
    let config = string_map(
        &get(spec, "connectionConfig"),
        &format!("{what}.connectionConfig"),
    )?;
    Ok((credentials, config))
}

/// A workspace or app-user connector: `{ type, clientId, clientSecret?,
/// scopes?, provider?, connectionConfig? }`.
fn add_connectors(
    config: &mut ServerConfig,
    catalog: &Catalog,
    value: &JsValue,
    what: &str,
    slot: fn(String) -> Slot,
) -> JsResult<()> {
    for (id, spec) in entries(value, what)? {
        let name = format!("{what}.{}", printable(&id));
        if !spec.is_object() {
            return Err(input_error(format!("{name} must be an object")));
        }
        check_keys(&spec, &CONNECTOR_OPTIONS, "connector option")?;
        let entry = get(&spec, "provider");
        let provider: Provider = if entry.is_undefined() || entry.is_null() {
            let integration_type = required_string(&get(&spec, "type"), &format!("{name}.type"))?;
            catalog.require(&integration_type)?.clone()
        } else {
            let provider = provider_from_js(&entry)?;
            if let Some(t) = optional_string(&get(&spec, "type"), &format!("{name}.type"))?
                && !t.eq_ignore_ascii_case(&provider.id)
            {
                return Err(input_error(format!(
                    "{name}.type is \"{}\" but its provider entry is \"{}\"",
                    printable(&t),
                    provider.id
                )));
            }
            provider
        };
        let (credentials, connection_config) = credentials_of(&spec, &name)?;
        let scopes = string_list(&get(&spec, "scopes"), &format!("{name}.scopes"))?;
        config
            .add_connector(slot(id), provider, credentials, &scopes, connection_config)
            .map_err(|e| e.in_file(Some(&name)))?;
    }
    Ok(())
}

fn config_from_js(options: &JsValue) -> JsResult<ServerConfig> {
    let mut catalog = with_catalog(|c| Ok(c.clone()))?;
    let providers = get(options, "providers");
    if !(providers.is_undefined() || providers.is_null()) {
        let list: Array = providers
            .dyn_into()
            .map_err(|_| input_error("providers must be an array of provider entries"))?;
        for entry in list.iter() {
            catalog.register(provider_from_js(&entry)?)?;
        }
    }
    let app_id = required_string(&get(options, "appId"), "appId")?;
    let public_url = required_string(&get(options, "publicUrl"), "publicUrl")?;
    // Connector files: their scopes are what shared connections must hold.
    let files = get(options, "connectors");
    let mut files = if files.is_undefined() || files.is_null() {
        ConnectorFiles::default()
    } else {
        ConnectorFiles::validate(files_from_js(&files, "connectors")?, &catalog)?
    };
    let mut config = ServerConfig::new(&app_id, &public_url, catalog)?;
    for (integration_type, spec) in entries(&get(options, "credentials"), "credentials")? {
        let name = format!("credentials.{}", printable(&integration_type));
        let integration_type = crate::catalog::fold_type_id(&integration_type);
        if !spec.is_object() {
            return Err(input_error(format!(
                "{name} must be {{ clientId, clientSecret }}"
            )));
        }
        check_keys(
            &spec,
            &["clientId", "clientSecret", "connectionConfig"],
            "credentials option",
        )?;
        let provider = config.catalog.require(&integration_type)?.clone();
        let (credentials, connection_config) = credentials_of(&spec, &name)?;
        config
            .add_shared(
                integration_type,
                provider,
                credentials,
                connection_config,
                &mut files,
            )
            .map_err(|e| e.in_file(Some(&name)))?;
    }
    let catalog = config.catalog.clone();
    add_connectors(
        &mut config,
        &catalog,
        &get(options, "workspaceConnectors"),
        "workspaceConnectors",
        Slot::Workspace,
    )?;
    add_connectors(
        &mut config,
        &catalog,
        &get(options, "appUserConnectors"),
        "appUserConnectors",
        Slot::AppUser,
    )?;
    config.check_connector_files(&files.declared)?;
    for token in string_list(&get(options, "serviceTokens"), "serviceTokens")? {
        config.add_service_token(&token)?;
    }
    let origins = string_list(&get(options, "allowedReturnUrls"), "allowedReturnUrls")?;
    config.allow_return_urls(&origins)?;
    let bind = get(options, "bindBrowser");
    if !(bind.is_undefined() || bind.is_null()) {
        config.bind_browser(
            bind.as_bool()
                .ok_or_else(|| input_error("bindBrowser must be true or false"))?,
        );
    }
    stripe_from_js(&mut config, &get(options, "stripe"))?;
    // After every connector is added: it applies to each one's client.
    if let Some(n) = optional_whole(&get(options, "maxAttempts"), "maxAttempts", 1, 10)? {
        config.max_attempts(n);
    }
    Ok(config)
}

/// The `stripe` option: `false` turns the Stripe routes off; `true` or
/// `{ verifyKey }` keeps them, `verifyKey: false` taking a key on its shape
/// alone (no call to Stripe's API).
fn stripe_from_js(config: &mut ServerConfig, value: &JsValue) -> JsResult<()> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    if let Some(on) = value.as_bool() {
        config.serve_stripe(on);
        return Ok(());
    }
    if !value.is_object() {
        return Err(input_error("stripe must be true, false or { verifyKey }"));
    }
    check_keys(value, &["verifyKey"], "stripe option")?;
    let verify = get(value, "verifyKey");
    if !(verify.is_undefined() || verify.is_null()) {
        config.verify_stripe_keys(
            verify
                .as_bool()
                .ok_or_else(|| input_error("stripe.verifyKey must be true or false"))?,
        );
    }
    Ok(())
}

/// A standard `Request` (duck-typed) as the server's [`Incoming`]: `None`
/// when `request` has no string `method` and `url`. Its headers and body
/// are read with calls that return their exceptions (a body stream that
/// fails midway is `Err`).
async fn incoming(request: &JsValue) -> JsResult<Option<Incoming>> {
    let method = get(request, "method").as_string();
    let url = get(request, "url").as_string();
    let (Some(method), Some(url)) = (method, url) else {
        return Ok(None);
    };
    let headers = header_entries(&get(request, "headers"))?;
    let stream = get(request, "body");
    let body = if stream.is_null() || stream.is_undefined() {
        Vec::new()
    } else if let Some(body) = read_stream(&stream, MAX_BODY_BYTES + 1).await? {
        body
    } else {
        read_array_buffer(request, MAX_BODY_BYTES + 1).await?
    };
    Ok(Some(Incoming {
        method,
        url,
        headers,
        body,
    }))
}

/// The server's answer as a standard `Response`.
fn response(answer: crate::http::HttpResponse) -> JsResult {
    let headers = Array::new();
    for (name, value) in &answer.headers {
        headers.push(&Array::of2(&name.into(), &value.into()));
    }
    let init = Object::new();
    Reflect::set(&init, &"status".into(), &answer.status.into())?;
    Reflect::set(&init, &"headers".into(), &headers)?;
    let body: JsValue = if answer.body.is_empty() {
        JsValue::NULL
    } else {
        Uint8Array::from(answer.body.as_slice()).into()
    };
    let constructor: Function = get(&js_sys::global(), "Response")
        .dyn_into()
        .map_err(|_| input_error("This runtime has no global Response"))?;
    Reflect::construct(&constructor, &Array::of2(&body, &init))
}

#[wasm_bindgen(js_class = ConnectorsServer)]
impl JsConnectorsServer {
    /// `new ConnectorsServer(options)`; see `createConnectorsServer` in the
    /// package's `index.d.ts` for the options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsConnectorsServer> {
        options_object(
            &options,
            "createConnectorsServer() takes an options object: { appId, publicUrl, secret, ... }",
            &OPTIONS,
            "server option",
        )?;
        let (secret, secrets) = (get(&options, "secret"), get(&options, "secrets"));
        KeyRing::check_secret_options(!secret.is_undefined(), !secrets.is_undefined())?;
        let secrets = secrets_list(if secret.is_undefined() {
            &secrets
        } else {
            &secret
        })?;
        let ring = KeyRing::new(&secrets)?;
        let config = config_from_js(&options)?;
        let store = JsStore::from_js(&get(&options, "store"))?;
        let fetch = HostFetch::from_options(&get(&options, "fetch"), &get(&options, "timeoutMs"))?;
        let users = users_from_js(&get(&options, "users"))?;
        let vault = Vault::new(
            ring,
            store,
            SystemClock,
            VaultOptions {
                app: config.app_id.clone(),
                lease_wait_ms: super::vault::lease_wait_from_js(&get(&options, "leaseWaitMs"))?,
                ..VaultOptions::default()
            },
        );
        let vault = with_event_hook(vault, &options)?;
        let server = Server::new(config, vault, fetch, users, state_secret(&secrets))?;
        Ok(JsConnectorsServer {
            server: Rc::new(server),
        })
    }

    /// Every configured connector's exact redirect URI, to register at its
    /// provider: `[{ kind, integrationType, connectorId?, redirectUri }]`.
    #[wasm_bindgen(js_name = redirectUris)]
    pub fn redirect_uris(&self) -> JsResult {
        to_js(&self.server.config().redirect_uris())
    }

    /// Answers one `Request` with a `Response`. Rejects only when `request`
    /// is not a Request; every other failure is an error answer.
    pub fn handle(&self, request: JsValue) -> Promise {
        let server = Rc::clone(&self.server);
        future_to_promise(async move {
            let answer = match incoming(&request).await {
                Ok(Some(incoming)) => server.answer(&incoming).await.response,
                Ok(None) => return Err(input_error("handle() takes a Request")),
                Err(_) => error_response(&Error::new(
                    ErrorCode::InvalidInput,
                    "The request could not be read",
                )),
            };
            response(answer)
        })
    }

    /// The same answer as [`Self::handle`] without `Request` and `Response`
    /// objects, for a client bound in-process (`createClient({ fetch:
    /// server.fetch })`): Node builds those slowly, the first one in ~20 ms.
    /// `headers` is `[name, value, ...]` and `body` bytes; answers
    /// `[status, [name, value, ...], body text]`, or a Promise of it when
    /// the answer waits on the host (a store's Promise, a provider). A
    /// token read that may be answered again without the server (see
    /// [`crate::server::Reuse`]) has a fourth item, `[store key, sealed
    /// string, fresh until, until]` (ms since the epoch, or null).
    #[wasm_bindgen(js_name = handleParts)]
    pub fn handle_parts(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: Option<Vec<u8>>,
    ) -> JsValue {
        let server = Rc::clone(&self.server);
        now_or_promise(async move {
            let mut pairs = headers.into_iter();
            let incoming = Incoming {
                method,
                url,
                headers: std::iter::from_fn(|| Some((pairs.next()?, pairs.next()?))).collect(),
                body: body.unwrap_or_default(),
            };
            let answer = server.answer(&incoming).await;
            let parts = parts(&answer.response);
            if let Some(reuse) = answer.reuse {
                let ms = |ms: Option<u64>| ms.map_or(JsValue::NULL, |ms| (ms as f64).into());
                parts.push(&Array::of4(
                    &reuse.store_key.into(),
                    &reuse.sealed.into(),
                    &ms(reuse.fresh_until_ms),
                    &ms(reuse.until_ms),
                ));
            }
            Ok(parts.into())
        })
    }

    /// Whether answering `method` `url` may change what a token read
    /// answers (see [`Server::may_change_connections`]): api.js empties the
    /// token cache of in-process clients around such requests.
    #[wasm_bindgen(js_name = mayChangeConnections, skip_typescript)]
    pub fn may_change_connections(&self, method: &str, url: &str) -> bool {
        self.server.may_change_connections(method, url)
    }
}

/// An answer as the in-process protocol carries it (`handleParts`,
/// `errorAnswer`): `[status, [name, value, ...], body text]`.
fn parts(answer: &crate::http::HttpResponse) -> Array {
    let headers = Array::new();
    for (name, value) in &answer.headers {
        headers.push(&name.into());
        headers.push(&value.into());
    }
    let body = String::from_utf8_lossy(&answer.body);
    Array::of3(&answer.status.into(), &headers, &body.as_ref().into())
}

/// The wire's error answer (`status`, `code`, `message`) as [`parts`]:
/// the one shape, for the answers node-server.js and api.js give without
/// the server (`INTERNAL`, `BODY_TOO_LARGE`).
#[wasm_bindgen(js_name = errorAnswer, skip_typescript)]
pub fn error_answer(status: u16, code: &str, message: &str) -> Array {
    parts(&server::error_answer(status, code, message))
}

/// The largest request body the server reads ([`MAX_BODY_BYTES`]), and
/// `toNodeHandler`'s default `maxBodyBytes`.
#[wasm_bindgen(js_name = maxBodyBytes, skip_typescript)]
pub fn max_body_bytes() -> u32 {
    u32::try_from(MAX_BODY_BYTES).unwrap_or(u32::MAX)
}
