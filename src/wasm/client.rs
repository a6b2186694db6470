//! The low-level OAuth client for JavaScript: `new OAuthClient(options)`,
//! like Arctic's provider classes but for every catalog provider (or a
//! custom entry), in every runtime. A thin shell over
//! [`crate::oauth::client::OAuthClient`]; HTTP goes to the host's `fetch`.

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::catalog::{provider_from_js, with_catalog};
use super::convert::{
    JsResult, check_keys, date_or_null, from_js, get, input_error, optional_string, optional_whole,
    options_object, required_string, set_hidden, string_list, string_map, to_js,
};
use super::fetch::HostFetch;
use crate::oauth::callback::check_issuer_of;
use crate::oauth::client::{OAuthClient as Client, Revocation};
use crate::oauth::pkce;
use crate::oauth::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::oauth::token::{Account, ClientCredentials, TokenSet};
use crate::ports::random_bytes;
use crate::wasm::clock::SystemClock;

const OPTIONS: [&str; 8] = [
    "provider",
    "clientId",
    "clientSecret",
    "redirectUri",
    "fetch",
    "timeoutMs",
    "connectionConfig",
    "maxAttempts",
];

/// An OAuth client for one provider and one app registration.
#[wasm_bindgen(js_name = OAuthClient)]
pub struct JsOAuthClient {
    pub(super) client: Rc<Client>,
    pub(super) fetch: Rc<HostFetch>,
    /// How its authorization URLs start (endpoint, client id, redirect
    /// URI), built once: the client does not change after `new`.
    start: Option<String>,
}

/// The public part of a token set; the tokens are added as hidden properties.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokensJs<'a> {
    token_type: &'a str,
    scopes: &'a [String],
    connection_config: &'a BTreeMap<String, String>,
    account: &'a Account,
    raw: &'a serde_json::Value,
}

/// A token set as a JS object, `accessToken` and `refreshToken` hidden.
fn tokens_to_js(tokens: &TokenSet) -> JsResult {
    let object = to_js(&TokensJs {
        token_type: &tokens.token_type,
        scopes: &tokens.scopes,
        connection_config: &tokens.connection_config,
        account: &tokens.account,
        raw: &tokens.raw,
    })?;
    Reflect::set(
        &object,
        &"expiresAt".into(),
        &date_or_null(tokens.expires_at_ms),
    )?;
    set_hidden(&object, "accessToken", &tokens.access_token.secret().into())?;
    let refresh = tokens
        .refresh_token
        .as_ref()
        .map_or(JsValue::NULL, |t| t.secret().into());
    set_hidden(&object, "refreshToken", &refresh)?;
    Ok(object)
}

/// A token set from a JS object shaped like [`tokens_to_js`]'s (what
/// `validateAuthorizationCode` resolves), for the vault to store.
/// A token from the caller, refused (`INVALID_INPUT`) when it cannot go into
/// an HTTP header, as the tokens a provider sends are (printable ASCII).
fn sendable_token(token: String, what: &str) -> JsResult<String> {
    match crate::http::header_value_problem(&token) {
        Some(problem) => Err(input_error(format!("{what} {problem}"))),
        None => Ok(token),
    }
}

pub(super) fn tokens_from_js(value: &JsValue) -> JsResult<TokenSet> {
    if !value.is_object() {
        return Err(input_error(
            "tokens must be the object validateAuthorizationCode resolves",
        ));
    }
    let expires_at_ms = match get(value, "expiresAt") {
        v if v.is_null() || v.is_undefined() => None,
        v => match v
            .as_f64()
            .or_else(|| v.dyn_ref::<js_sys::Date>().map(js_sys::Date::get_time))
        {
            Some(ms) if ms.is_finite() && ms >= 0.0 => Some(ms as u64),
            _ => {
                return Err(input_error(
                    "tokens.expiresAt must be a Date, a time in ms, or null",
                ));
            }
        },
    };
    let account = get(value, "account");
    let access_token = sendable_token(
        required_string(&get(value, "accessToken"), "tokens.accessToken")?,
        "tokens.accessToken",
    )?;
    let refresh_token = match optional_string(&get(value, "refreshToken"), "tokens.refreshToken")? {
        Some(t) if !t.is_empty() => {
            Some(RefreshToken::new(sendable_token(t, "tokens.refreshToken")?))
        }
        _ => None,
    };
    Ok(TokenSet {
        access_token: AccessToken::new(access_token),
        refresh_token,
        token_type: optional_string(&get(value, "tokenType"), "tokens.tokenType")?
            .unwrap_or_else(|| "Bearer".to_owned()),
        expires_at_ms,
        scopes: string_list(&get(value, "scopes"), "tokens.scopes")?,
        requested_scopes: Vec::new(),
        connection_config: string_map(&get(value, "connectionConfig"), "tokens.connectionConfig")?,
        account: if account.is_object() {
            from_js(&account, "tokens.account")?
        } else {
            Account::default()
        },
        raw: serde_json::Value::Null,
    })
}

#[wasm_bindgen(js_class = OAuthClient)]
impl JsOAuthClient {
    /// `new OAuthClient({ provider, clientId, clientSecret?, redirectUri,
    /// fetch?, timeoutMs?, connectionConfig?, maxAttempts? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsOAuthClient> {
        options_object(
            &options,
            "new OAuthClient() takes an options object: { provider, clientId, clientSecret, redirectUri }",
            &OPTIONS,
            "OAuthClient option",
        )?;
        let provider_option = get(&options, "provider");
        let provider = if let Some(id) = provider_option.as_string() {
            with_catalog(|catalog| catalog.require(&id).cloned())?
        } else if provider_option.is_object() {
            provider_from_js(&provider_option)?
        } else {
            return Err(input_error(
                "provider is required: a catalog type (\"github\") or a provider entry object",
            ));
        };
        let credentials = ClientCredentials {
            client_id: required_string(&get(&options, "clientId"), "clientId")?,
            client_secret: optional_string(&get(&options, "clientSecret"), "clientSecret")?
                .filter(|s| !s.is_empty())
                .map(ClientSecret::new),
        };
        let redirect_uri = required_string(&get(&options, "redirectUri"), "redirectUri")?;
        let mut client = Client::new(provider, credentials, redirect_uri)?;
        client.connection_config =
            string_map(&get(&options, "connectionConfig"), "connectionConfig")?;
        if let Some(n) = optional_whole(&get(&options, "maxAttempts"), "maxAttempts", 1, 10)? {
            client.retry.max_attempts = n;
        }
        let fetch = HostFetch::from_options(&get(&options, "fetch"), &get(&options, "timeoutMs"))?;
        Ok(JsOAuthClient {
            // None when it fails: each call then builds it, with its error.
            start: client.authorization_url_start().ok(),
            client: Rc::new(client),
            fetch: Rc::new(fetch),
        })
    }

    /// The provider's type id.
    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.client.provider.id.clone()
    }

    /// The URL to send the user to: `{ scopes?, state, codeVerifier?, params? }`.
    /// The package's `OAuthClient` (api.js) reads the options in JS and
    /// calls [`authorization_url_fast`] or [`authorization_url_of`]; this
    /// is the whole path, and what api.js falls back to for anything odd.
    #[wasm_bindgen(js_name = createAuthorizationURL)]
    pub fn create_authorization_url(&self, options: JsValue) -> JsResult<String> {
        options_object(
            &options,
            "createAuthorizationURL() takes { scopes, state, codeVerifier }",
            &AUTHORIZATION_URL_OPTIONS,
            "createAuthorizationURL option",
        )?;
        authorization_url_of(
            self,
            get(&options, "scopes"),
            get(&options, "state"),
            get(&options, "codeVerifier"),
            get(&options, "params"),
        )
    }

    /// Exchanges the callback's code. `callbackParams` are the callback's
    /// query parameters: when given, `iss` is checked against the provider's
    /// issuer (RFC 9207), and the provider's callback values (QuickBooks
    /// `realmId`) join `connectionConfig`.
    #[wasm_bindgen(js_name = validateAuthorizationCode)]
    pub fn validate_authorization_code(
        &self,
        code: JsValue,
        code_verifier: JsValue,
        callback_params: JsValue,
        options: JsValue,
    ) -> Promise {
        let client = Rc::clone(&self.client);
        let fetch = Rc::clone(&self.fetch);
        future_to_promise(async move {
            let code = required_string(&code, "code")?;
            let verifier = optional_string(&code_verifier, "codeVerifier")?;
            let params = string_map(&callback_params, "callbackParams")?;
            let scopes = option_scopes(&options)?;
            let given = !(callback_params.is_undefined() || callback_params.is_null());
            check_issuer_of(&client.provider, given.then_some(&params))?;
            let tokens = client
                .exchange_code(
                    fetch.as_ref(),
                    &SystemClock,
                    &code,
                    verifier.as_deref(),
                    &scopes,
                    &params,
                )
                .await?;
            tokens_to_js(&tokens)
        })
    }

    /// Refreshes the access token. When the provider returns no new refresh
    /// token, the one given is kept in the result.
    #[wasm_bindgen(js_name = refreshAccessToken)]
    pub fn refresh_access_token(&self, refresh_token: JsValue, options: JsValue) -> Promise {
        let client = Rc::clone(&self.client);
        let fetch = Rc::clone(&self.fetch);
        future_to_promise(async move {
            let token = RefreshToken::new(required_string(&refresh_token, "refreshToken")?);
            let scopes = option_scopes(&options)?;
            let tokens = client
                .refresh(fetch.as_ref(), &SystemClock, &token, &scopes)
                .await?;
            tokens_to_js(&tokens)
        })
    }

    /// Revokes a token (RFC 7009). Resolves `true` when the provider
    /// confirmed, `false` when it has no revocation endpoint.
    #[wasm_bindgen(js_name = revokeToken)]
    pub fn revoke_token(&self, token: JsValue, token_type_hint: JsValue) -> Promise {
        let client = Rc::clone(&self.client);
        let fetch = Rc::clone(&self.fetch);
        future_to_promise(async move {
            let token = zeroize::Zeroizing::new(sendable_token(
                required_string(&token, "token")?,
                "token",
            )?);
            let hint = optional_string(&token_type_hint, "tokenTypeHint")?;
            if let Some(h) = hint.as_deref()
                && !matches!(h, "access_token" | "refresh_token")
            {
                return Err(input_error(
                    "tokenTypeHint must be \"access_token\" or \"refresh_token\"",
                ));
            }
            let revoked = client
                .revoke(fetch.as_ref(), &SystemClock, &token, hint.as_deref())
                .await?;
            Ok(JsValue::from_bool(revoked == Revocation::Revoked))
        })
    }
}

const AUTHORIZATION_URL_OPTIONS: [&str; 4] = ["scopes", "state", "codeVerifier", "params"];

/// The options `createAuthorizationURL` takes, for api.js's fast path.
#[wasm_bindgen(js_name = authorizationUrlOptions, skip_typescript)]
pub fn authorization_url_options() -> Vec<String> {
    AUTHORIZATION_URL_OPTIONS.map(str::to_owned).to_vec()
}

/// `createAuthorizationURL` from its options' values, read once by the
/// caller (api.js, or the method above), checked here with their errors.
#[wasm_bindgen(js_name = authorizationUrlOf, skip_typescript)]
pub fn authorization_url_of(
    client: &JsOAuthClient,
    scopes: JsValue,
    state: JsValue,
    code_verifier: JsValue,
    params: JsValue,
) -> JsResult<String> {
    let scopes = string_list(&scopes, "scopes")?;
    let state = required_string(&state, "state")?;
    let verifier = optional_string(&code_verifier, "codeVerifier")?;
    let params: Vec<(String, String)> = string_map(&params, "params")?.into_iter().collect();
    client
        .client
        .authorization_url_after(
            client.start.as_deref(),
            &scopes,
            &state,
            verifier.as_deref(),
            &params,
        )
        .map_err(JsValue::from)
}

/// `createAuthorizationURL` in one crossing, for api.js's common case:
/// `count` scopes (each a string) joined by spaces, a string state, no
/// `params`. `undefined` when a scope holds a space: such a scope is
/// invalid, and its error names it whole, so api.js then calls
/// [`authorization_url_of`] with the list.
#[wasm_bindgen(js_name = authorizationUrlFast, skip_typescript)]
pub fn authorization_url_fast(
    client: &JsOAuthClient,
    scopes: &str,
    count: u32,
    state: &str,
    code_verifier: Option<String>,
) -> JsResult<Option<String>> {
    let Some(scopes) = split(scopes, ' ', count) else {
        return Ok(None);
    };
    url_after_start(client, &scopes, state, code_verifier, &[])
}

/// The URL from the client's kept start (see `authorization_url_fast`).
fn url_after_start(
    client: &JsOAuthClient,
    scopes: &[String],
    state: &str,
    code_verifier: Option<String>,
    params: &[(String, String)],
) -> JsResult<Option<String>> {
    client
        .client
        .authorization_url_after(
            client.start.as_deref(),
            scopes,
            state,
            code_verifier.as_deref(),
            params,
        )
        .map(Some)
        .map_err(JsValue::from)
}

/// [`authorization_url_fast`] with `param_count` params from a plain object
/// of strings, as key, value, key, ... joined by NUL; `undefined` also
/// when one holds a NUL.
#[wasm_bindgen(js_name = authorizationUrlFastParams, skip_typescript)]
pub fn authorization_url_fast_params(
    client: &JsOAuthClient,
    scopes: &str,
    count: u32,
    state: &str,
    code_verifier: Option<String>,
    params: &str,
    param_count: u32,
) -> JsResult<Option<String>> {
    let (Some(scopes), Some(params)) = (
        split(scopes, ' ', count),
        split(params, '\0', param_count.saturating_mul(2)),
    ) else {
        return Ok(None);
    };
    // Sorted by key, as string_map gives them to the general path.
    let mut map = BTreeMap::new();
    for pair in params.chunks_exact(2) {
        if let [key, value] = pair
            && map.insert(key.clone(), value.clone()).is_some()
        {
            return Ok(None);
        }
    }
    let params: Vec<(String, String)> = map.into_iter().collect();
    url_after_start(client, &scopes, state, code_verifier, &params)
}

/// `count` pieces of `text` joined by `separator`, `None` when there are not
/// exactly that many (a piece held the separator).
fn split(text: &str, separator: char, count: u32) -> Option<Vec<String>> {
    let pieces: Vec<String> = match count {
        0 if text.is_empty() => Vec::new(),
        0 => return None,
        _ => text.split(separator).map(str::to_owned).collect(),
    };
    (pieces.len() == count as usize).then_some(pieces)
}

/// `{ scopes? }`: the scopes asked for, recorded when the provider does not say.
fn option_scopes(options: &JsValue) -> JsResult<Vec<String>> {
    if options.is_undefined() || options.is_null() {
        return Ok(Vec::new());
    }
    check_keys(options, &["scopes"], "option")?;
    string_list(&get(options, "scopes"), "scopes")
}

/// A random `state`: 32 bytes as 43 base64url characters.
#[wasm_bindgen(js_name = generateState)]
pub fn generate_state() -> JsResult<String> {
    random_bytes::<32>()
        .map(crate::b64::url)
        .map_err(JsValue::from)
}

/// A PKCE code verifier (RFC 7636): 32 random bytes as 43 base64url characters.
#[wasm_bindgen(js_name = generateCodeVerifier)]
pub fn generate_code_verifier() -> JsResult<String> {
    pkce::generate_verifier()
        .map(|v| v.secret().to_owned())
        .map_err(JsValue::from)
}
