//! Token endpoint requests (code exchange, refresh, revocation) built from
//! catalog data, and token responses parsed with each provider's quirks.
//! Pure: `*_request` builds an [`HttpRequest`], [`process_token_response`]
//! reads an [`HttpResponse`]; the client service joins them to the ports.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::authorize::resolve_endpoint;
use super::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::catalog::{BodyFormat, ClientAuth, Pkce, Provider, RevocationStyle};
use crate::error::{Error, ErrorCode, KNOWN_ERRORS, Result};
use crate::http::{HttpRequest, HttpResponse, MAX_BODY_BYTES};

/// The app's credentials at the provider.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    /// `None` for public clients (PKCE only).
    pub client_secret: Option<ClientSecret>,
}

/// Which grant a token request is for: errors mean different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode,
    RefreshToken,
}

/// A successful token response.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    /// `Bearer` when the provider sends none; Slack says `bot` or `user`.
    pub token_type: String,
    /// When the access token expires, in ms since the epoch; `None` when the provider gives no lifetime.
    pub expires_at_ms: Option<u64>,
    /// The granted scopes (the provider may grant fewer than asked); the
    /// requested ones when the response does not say.
    pub scopes: Vec<String>,
    /// The scopes the request asked for. Providers may name a granted scope
    /// differently (Google grants `email` as `.../auth/userinfo.email`).
    pub requested_scopes: Vec<String>,
    /// Per-connection values from the response and the callback
    /// (Salesforce `instance_url`, QuickBooks `realmId`, ...).
    pub connection_config: BTreeMap<String, String>,
    /// Who the tokens belong to, when the provider says.
    pub account: Account,
    /// The whole response with every token removed.
    pub raw: Value,
}

/// The account a connection is for, when the provider tells it: from the
/// OpenID Connect `id_token` (taken from the token endpoint over TLS, so
/// not signature-checked: OIDC Core 3.1.3.7) or the provider's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Account {
    /// Reads a token response: the `id_token` claims `sub` and `email`,
    /// else Slack's `authed_user.id`, Notion's `owner.user`, a top-level
    /// `user_id`/`email`, or Salesforce's identity URL `id`.
    fn of(body: &Value) -> Account {
        let claims = body
            .get("id_token")
            .and_then(Value::as_str)
            .and_then(|jwt| jwt.split('.').nth(1))
            .and_then(|payload| crate::b64::from_url(payload.trim_end_matches('=')))
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .unwrap_or(Value::Null);
        let first = |paths: &[(&Value, &str)]| {
            paths
                .iter()
                .find_map(|(v, path)| lookup(v, path).and_then(as_config_string))
        };
        Account {
            id: first(&[
                (&claims, "sub"),
                (body, "authed_user.id"),
                (body, "owner.user.id"),
                (body, "user_id"),
                (body, "user.id"),
                (body, "id"),
            ]),
            email: first(&[
                (&claims, "email"),
                (body, "owner.user.person.email"),
                (body, "email"),
                (body, "user.email"),
            ]),
        }
    }
}

fn form_body(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

fn json_body(pairs: &[(&str, &str)]) -> Vec<u8> {
    // Inserts, not `collect`: a collected map sorts its input first, and
    // that sort is code of its own in the wasm.
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert((*k).to_owned(), Value::String((*v).to_owned()));
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

/// `Authorization: Basic` per RFC 6749 §2.3.1: id and secret form-encoded first.
fn basic(client: &ClientCredentials, secret: &ClientSecret) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = zeroize::Zeroizing::new(format!(
        "{}:{}",
        enc(&client.client_id),
        enc(secret.secret())
    ));
    format!("Basic {}", crate::b64::standard(pair.as_bytes()))
}

fn name<'a>(provider: &'a Provider, standard: &'a str) -> &'a str {
    provider
        .token_param_names
        .get(standard)
        .map_or(standard, String::as_str)
}

/// Places the client's credentials as the endpoint wants them: HTTP Basic,
/// or `client_id` and `client_secret` (renamed where the provider renames
/// them) in the body; a public client sends only its id.
fn add_client_auth<'a>(
    provider: &'a Provider,
    client_auth: ClientAuth,
    client: &'a ClientCredentials,
    pairs: &mut Vec<(&'a str, &'a str)>,
    headers: &mut Vec<(String, String)>,
) {
    match (&client.client_secret, client_auth) {
        (Some(secret), ClientAuth::Basic) => {
            headers.push(("authorization".to_owned(), basic(client, secret)))
        }
        (Some(secret), ClientAuth::Body) => {
            pairs.push((name(provider, "client_id"), &client.client_id));
            pairs.push((name(provider, "client_secret"), secret.secret()));
        }
        (None, _) => pairs.push((name(provider, "client_id"), &client.client_id)),
    }
}

/// Builds a POST to the token endpoint with the grant's parameters and the
/// client's credentials placed as the provider wants them.
fn token_endpoint_request(
    provider: &Provider,
    client: &ClientCredentials,
    config: &BTreeMap<String, String>,
    grant: &[(&str, &str)],
) -> Result<HttpRequest> {
    let template = provider.token_url.as_deref().ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidInput,
            format!("{} has no token endpoint", provider.id),
        )
    })?;
    let url = resolve_endpoint(provider, template, config)?;
    let mut pairs: Vec<(&str, &str)> = grant.to_vec();
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    add_client_auth(
        provider,
        provider.client_auth,
        client,
        &mut pairs,
        &mut headers,
    );
    let (content_type, body) = encode(provider.token_request_format, &pairs);
    headers.push(("content-type".to_owned(), content_type.to_owned()));
    extra_headers(&mut headers, &provider.token_request_headers);
    Ok(HttpRequest {
        method: "POST",
        url,
        headers,
        body,
    })
}

/// The code exchange (RFC 6749 §4.1.3), with the PKCE verifier when one was
/// used; providers without PKCE never get one, as the authorization URL never
/// carried its challenge.
pub fn code_request(
    provider: &Provider,
    client: &ClientCredentials,
    config: &BTreeMap<String, String>,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Result<HttpRequest> {
    let mut grant = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(v) = code_verifier
        && provider.pkce != Pkce::Unsupported
    {
        grant.push(("code_verifier", v));
    }
    token_endpoint_request(provider, client, config, &grant)
}

/// A refresh (RFC 6749 §6).
pub fn refresh_request(
    provider: &Provider,
    client: &ClientCredentials,
    config: &BTreeMap<String, String>,
    refresh_token: &RefreshToken,
) -> Result<HttpRequest> {
    refresh_request_from(provider, client, config, refresh_token, None)
}

/// A refresh by the client registered with `redirect_uri`, which the
/// request repeats when the provider wants it (`refresh_redirect_uri`,
/// Snowflake).
pub fn refresh_request_from(
    provider: &Provider,
    client: &ClientCredentials,
    config: &BTreeMap<String, String>,
    refresh_token: &RefreshToken,
    redirect_uri: Option<&str>,
) -> Result<HttpRequest> {
    let mut grant = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.secret()),
    ];
    if provider.refresh_redirect_uri {
        let uri = redirect_uri.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("a {} refresh needs the redirect URI", provider.id),
            )
        })?;
        grant.push(("redirect_uri", uri));
    }
    token_endpoint_request(provider, client, config, &grant)
}

/// A revocation in the provider's style; `None` when it has no revocation endpoint.
pub fn revocation_request(
    provider: &Provider,
    client: &ClientCredentials,
    config: &BTreeMap<String, String>,
    token: &str,
    token_type_hint: Option<&str>,
) -> Result<Option<HttpRequest>> {
    let Some(revocation) = &provider.revocation else {
        return Ok(None);
    };
    let url = resolve_endpoint(provider, &revocation.url, config)?;
    let accept = ("accept".to_owned(), "application/json".to_owned());
    let mut request = match revocation.style {
        RevocationStyle::Rfc7009 => {
            let field = revocation.token_param.as_deref().unwrap_or("token");
            let mut pairs = vec![(field, token)];
            if let Some(hint) = token_type_hint
                && revocation.token_param.is_none()
            {
                pairs.push(("token_type_hint", hint));
            }
            let mut headers = vec![accept];
            let client_auth = revocation.client_auth.unwrap_or(provider.client_auth);
            add_client_auth(provider, client_auth, client, &mut pairs, &mut headers);
            let (content_type, body) = encode(revocation.format, &pairs);
            headers.push(("content-type".to_owned(), content_type.to_owned()));
            HttpRequest {
                method: "POST",
                url,
                headers,
                body,
            }
        }
        RevocationStyle::Bearer => HttpRequest {
            method: "POST",
            url,
            headers: vec![
                accept,
                ("authorization".to_owned(), format!("Bearer {token}")),
            ],
            body: Vec::new(),
        },
        RevocationStyle::SquareClient => {
            let secret = client
                .client_secret
                .as_ref()
                .map(ClientSecret::secret)
                .unwrap_or_default();
            HttpRequest {
                method: "POST",
                url,
                headers: vec![
                    accept,
                    ("authorization".to_owned(), format!("Client {secret}")),
                    ("content-type".to_owned(), "application/json".to_owned()),
                ],
                body: json_body(&[("client_id", &client.client_id), ("access_token", token)]),
            }
        }
        RevocationStyle::GithubApplication => {
            let Some(secret) = &client.client_secret else {
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    "GitHub revocation needs the client secret",
                ));
            };
            // A path segment: form encoding's `+` for a space must be `%20`
            // (a literal `+` is already `%2B`).
            let enc = form_urlencoded::byte_serialize(client.client_id.as_bytes())
                .collect::<String>()
                .replace('+', "%20");
            HttpRequest {
                method: "DELETE",
                url: format!("{}/{enc}/token", url.trim_end_matches('/')),
                headers: vec![
                    accept,
                    ("authorization".to_owned(), basic(client, secret)),
                    ("content-type".to_owned(), "application/json".to_owned()),
                ],
                body: json_body(&[("access_token", token)]),
            }
        }
    };
    extra_headers(&mut request.headers, &revocation.headers);
    Ok(Some(request))
}

/// A body of `pairs` in `format`, with its content type.
fn encode(format: BodyFormat, pairs: &[(&str, &str)]) -> (&'static str, Vec<u8>) {
    match format {
        BodyFormat::Form => ("application/x-www-form-urlencoded", form_body(pairs)),
        BodyFormat::Json => ("application/json", json_body(pairs)),
    }
}

/// The catalog's extra headers (validated names and values; never one the
/// engine sets, see `validate.rs`).
fn extra_headers(headers: &mut Vec<(String, String)>, extra: &BTreeMap<String, String>) {
    headers.extend(
        extra
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
    );
}

/// What an OAuth `error` means for this grant.
pub fn classify_error(grant: Grant, error: &str) -> ErrorCode {
    match (grant, error) {
        (
            _,
            "invalid_client"
            | "unauthorized_client"
            | "invalid_client_id"
            | "bad_client_secret"
            | "incorrect_client_credentials",
        ) => ErrorCode::ProviderConfigError,
        (
            Grant::RefreshToken,
            "invalid_grant"
            | "invalid_refresh_token"
            | "token_revoked"
            | "token_expired"
            | "refresh_token_expired"
            | "bad_refresh_token",
        ) => ErrorCode::NeedsReconnect,
        (
            Grant::AuthorizationCode,
            "invalid_grant"
            | "bad_verification_code"
            | "invalid_code"
            | "code_already_used"
            | "invalid_code_verifier",
        ) => ErrorCode::CodeExchangeFailed,
        _ => ErrorCode::ProviderError,
    }
}

/// The name a message may show for a provider's `error`: one of
/// [`KNOWN_ERRORS`] (our own text, never the provider's), else `other`.
pub fn error_name(error: &str) -> &'static str {
    KNOWN_ERRORS
        .iter()
        .find(|known| **known == error)
        .copied()
        .unwrap_or("other")
}

fn provider_error(grant: Grant, error: &str) -> Error {
    Error::new(
        classify_error(grant, error),
        format!("The provider answered {}", error_name(error)),
    )
}

/// An answer that is no token response and names no error: 401 is the
/// client's credentials (RFC 6749 §5.2 `invalid_client`), anything else
/// the provider's.
fn status_error(status: u16) -> Error {
    let code = match status {
        401 => ErrorCode::ProviderConfigError,
        _ => ErrorCode::ProviderError,
    };
    Error::new(code, format!("The provider answered HTTP {status}"))
}

fn shape_error(what: &str) -> Error {
    Error::new(
        ErrorCode::ProviderError,
        format!("The token response is not usable: {what}"),
    )
}

/// A token as it arrives, refused when it cannot go into an HTTP header
/// (`Authorization: Bearer`, and the refresh token of a Bearer-style
/// revocation): RFC 6749 tokens are printable ASCII (VSCHAR).
fn sendable(token: &str, what: &str) -> Result<String> {
    match crate::http::header_value_problem(token) {
        Some(problem) => Err(shape_error(&format!("{what} {problem}"))),
        None => Ok(token.to_owned()),
    }
}

/// The value at a dot path; a segment of digits indexes an array
/// (Instagram's code exchange answers `{"data": [{…}]}`: `data.0`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| match v {
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => v.get(key),
    })
}

fn as_config_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whole seconds from a number or a numeric string; must be > 0.
fn parse_expires_in(value: &Value) -> Result<u64> {
    let seconds = match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 1.0 && *f < 1e15)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match seconds {
        Some(s) if s > 0 && s < 100 * 365 * 24 * 3600 => Ok(s),
        _ => Err(shape_error(
            "expires_in must be a positive number of seconds",
        )),
    }
}

/// Parses a provider's answer (JSON, or form-encoded where the catalog says
/// the provider may answer so) into a JSON object.
fn response_object(provider: &Provider, response: &HttpResponse) -> Result<Value> {
    if response.body.len() > MAX_BODY_BYTES {
        return Err(Error::new(
            ErrorCode::ResponseTooLarge,
            "The provider's answer is larger than 1 MiB",
        ));
    }
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let looks_json = content_type.contains("json") || response.body.first() == Some(&b'{');
    if looks_json {
        return match serde_json::from_slice::<Value>(&response.body) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Err(shape_error("the body is not a JSON object")),
        };
    }
    if provider.token_response.form_encoded && content_type.contains("x-www-form-urlencoded") {
        // A later pair wins, as in a collected map (see `json_body`).
        let mut map = Map::new();
        for (k, v) in form_urlencoded::parse(&response.body) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        return Ok(Value::Object(map));
    }
    Err(shape_error("the body is not JSON"))
}

/// Reads a token endpoint answer. An `error` member means failure even with
/// HTTP 200 (GitHub), as does `ok: false` where the catalog names an ok field
/// (Slack). Status 429 and 5xx are for the caller's retry policy and come
/// back as `RETRYABLE_EXHAUSTED`-to-be: see [`is_retryable_status`].
pub fn process_token_response(
    provider: &Provider,
    grant: Grant,
    response: &HttpResponse,
    requested_scopes: &[String],
    callback_params: &BTreeMap<String, String>,
    now_ms: u64,
) -> Result<TokenSet> {
    let spec = &provider.token_response;
    let body = match response_object(provider, response) {
        Ok(body) => body,
        Err(e)
            if !(200..300).contains(&response.status)
                && e.code() != ErrorCode::ResponseTooLarge =>
        {
            return Err(status_error(response.status));
        }
        Err(e) => return Err(e),
    };
    if let Some(ok_field) = spec.ok_field.as_deref()
        && body.get(ok_field) == Some(&Value::Bool(false))
    {
        let error = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(provider_error(grant, error));
    }
    if let Some(error) = body.get("error") {
        return Err(provider_error(grant, error.as_str().unwrap_or_default()));
    }
    if let Some(alias) = spec
        .error_aliases
        .iter()
        .find(|a| lookup(&body, &a.field).and_then(Value::as_str) == Some(a.value.as_str()))
    {
        return Err(provider_error(grant, &alias.error));
    }
    if !(200..300).contains(&response.status) {
        return Err(status_error(response.status));
    }
    let path = match grant {
        Grant::AuthorizationCode => spec.token_path.as_deref(),
        Grant::RefreshToken => spec.refresh_path.as_deref().or(spec.token_path.as_deref()),
    };
    let root = match path {
        Some(path) if !path.is_empty() => {
            lookup(&body, path).ok_or_else(|| shape_error("the token is missing"))?
        }
        _ => &body,
    };
    let access_token = match root.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => AccessToken::new(sendable(s, "access_token")?),
        _ => return Err(shape_error("access_token is missing or empty")),
    };
    let token_type = match root.get("token_type") {
        None | Some(Value::Null) => "Bearer".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(shape_error("token_type must be a string")),
    };
    let refresh_token = match root.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(RefreshToken::new(sendable(s, "refresh_token")?)),
        Some(_) => return Err(shape_error("refresh_token must be a string")),
    };
    let expires_at_ms = match (root.get("expires_in"), spec.expires_at_field.as_deref()) {
        (Some(v), _) if !v.is_null() => {
            Some(now_ms.saturating_add(parse_expires_in(v)?.saturating_mul(1000)))
        }
        (_, Some(field)) => match body.get(field).and_then(Value::as_str) {
            Some(ts) => Some(
                parse_rfc3339_ms(ts).ok_or_else(|| shape_error("the expiry time is not a date"))?,
            ),
            None => None,
        },
        _ => None,
    };
    let expires_at_ms = expires_at_ms.or_else(|| {
        spec.default_expires_in
            .map(|s| now_ms.saturating_add(s.saturating_mul(1000)))
    });
    let scopes = match root.get("scope").and_then(Value::as_str) {
        Some(granted) => {
            let separator = spec_separator(provider);
            granted
                .split(separator)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }
        None => requested_scopes.to_vec(),
    };
    let mut connection_config = BTreeMap::new();
    for (config_name, path) in &spec.connection_config {
        if let Some(value) = lookup(&body, path).and_then(as_config_string) {
            connection_config.insert(config_name.clone(), value);
        }
    }
    for param in &provider.callback_params {
        if let Some(value) = callback_params.get(param) {
            connection_config.insert(param.clone(), value.clone());
        }
    }
    Ok(TokenSet {
        access_token,
        refresh_token,
        token_type,
        expires_at_ms,
        scopes,
        requested_scopes: requested_scopes.to_vec(),
        connection_config,
        account: Account::of(&body),
        raw: without_tokens(body),
    })
}

fn spec_separator(provider: &Provider) -> &str {
    provider
        .scope
        .response_separator
        .as_deref()
        .unwrap_or(&provider.scope.separator)
}

/// The response with every member that holds a token removed, at any depth.
fn without_tokens(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| {
                    !matches!(
                        k.as_str(),
                        "access_token" | "refresh_token" | "id_token" | "signature"
                    )
                });
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

/// 429 and 5xx: worth another try under the retry policy.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// An RFC 3339 timestamp (`2026-11-21T10:00:00Z`, fractions and offsets
/// allowed) as ms since the epoch. Hand-written: a date crate would add tens
/// of KB to the wasm for Square's `expires_at` alone.
pub fn parse_rfc3339_ms(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 3)];
        millis = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
    }
    let offset_minutes = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    u64::try_from(secs * 1000 + millis).ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil); negative before 1970. `month` is 1 to 12.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests;
