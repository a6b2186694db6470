//! The provider catalog: one data entry per provider, validated when loaded.
//!
//! The built-in entries live in `providers.jsonc` beside this file (data, not
//! code: adding a provider is adding an entry and a test). Hosts add or
//! override entries at runtime with [`Catalog::register`]; custom entries go
//! through the same validation.
//!
//! An entry is a JSON object with snake_case fields, the same going in
//! (built-in file, custom providers) and coming out (`getProvider`).

#[doc(hidden)]
pub mod pattern_vectors;
mod validate;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::text::{closest, printable};
use crate::unit_enum::unit_enum;

pub use validate::{
    MAX_TYPE_ID_LEN, Patterns, RESERVED_PARAMS, fold_type_id, is_valid_type_id, template_names,
};

unit_enum! {
    /// How the app authenticates to the provider.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum AuthModel {
        /// OAuth 2.0 authorization code flow.
        Oauth = "oauth",
        /// Provisioned outside OAuth (Stripe): no endpoints, no scopes.
        Managed = "managed",
    }
}

unit_enum! {
    /// Whether the provider accepts PKCE (RFC 7636, always S256 here).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Pkce {
        Required = "required",
        Supported = "supported",
        Unsupported = "unsupported",
    }
}

unit_enum! {
    /// How client credentials reach the token endpoint.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ClientAuth {
        /// `client_id` and `client_secret` in the request body (`client_secret_post`).
        Body = "body",
        /// `Authorization: Basic base64(client_id:client_secret)` (`client_secret_basic`).
        Basic = "basic",
    }
}

unit_enum! {
    /// The token request body's encoding.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum BodyFormat {
        #[default]
        Form = "form",
        Json = "json",
    }
}

impl BodyFormat {
    fn is_form(&self) -> bool {
        *self == BodyFormat::Form
    }
}

unit_enum! {
    /// Whether a refresh returns a new refresh token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum RefreshTokens {
        /// No refresh token: the access token is long-lived (or re-minted).
        None = "none",
        /// Each refresh may return a new refresh token, which replaces the old.
        Rotated = "rotated",
        /// The same refresh token keeps working.
        Reused = "reused",
        /// Not documented: treat a returned refresh token as a rotation.
        #[default]
        Unknown = "unknown",
    }
}

unit_enum! {
    /// How a token is revoked.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub enum RevocationStyle {
        /// RFC 7009: POST form `token` (+ `token_type_hint`) with client auth.
        #[default]
        Rfc7009 = "rfc7009",
        /// The access token as `Authorization: Bearer`, no body (Dropbox, Slack).
        Bearer = "bearer",
        /// GitHub: `DELETE {url}/{client_id}/token` with Basic client auth and
        /// JSON `{"access_token": …}`.
        GithubApplication = "github_application",
        /// Square: `Authorization: Client {secret}` and JSON `{client_id, access_token}`.
        SquareClient = "square_client",
    }
}

impl RevocationStyle {
    /// Whether the endpoint takes a refresh token. Only RFC 7009 does: the
    /// others authenticate with, or name, an access token (Dropbox's and
    /// Slack's Bearer, GitHub's `access_token`, Square's `access_token`),
    /// and revoking that access token ends its grant.
    pub fn takes_refresh_tokens(self) -> bool {
        self == RevocationStyle::Rfc7009
    }
}

/// The revocation endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationEndpoint {
    pub url: String,
    #[serde(default)]
    pub style: RevocationStyle,
    /// How client credentials reach this endpoint (`rfc7009` style), when
    /// it differs from the token endpoint's `client_auth` (Calendly: the
    /// form body here, Basic there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<ClientAuth>,
    /// The body's encoding (`rfc7009` style): the RFC's form, or JSON
    /// (Notion's `{"token": …}`).
    #[serde(default, skip_serializing_if = "BodyFormat::is_form")]
    pub format: BodyFormat,
    /// Extra request headers (Notion's `Notion-Version`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body field that carries the token (`rfc7009` style), when it is
    /// not RFC 7009's `token`; no `token_type_hint` goes with it (Supabase:
    /// `refresh_token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_param: Option<String>,
    /// Only the refresh token is revoked, which ends the grant; the endpoint
    /// takes no access token (Supabase).
    #[serde(default, skip_serializing_if = "is_false")]
    pub refresh_only: bool,
}

/// How scopes go into the authorization URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSpec {
    /// The query parameter (`scope`; Slack user tokens: `user_scope`).
    /// `None`: the provider takes no scopes (they are set on the app).
    pub param: Option<String>,
    /// What joins scopes (`" "`, or `","` for Slack, Linear, TikTok, ...).
    #[serde(default = "space")]
    pub separator: String,
    /// Scopes always requested, whatever the connector asks for
    /// (Microsoft `offline_access`, Typeform `offline`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub always: Vec<String>,
    /// The separator of the granted `scope` in token responses, when it
    /// differs from `separator` (GitHub answers comma-joined, Linear asks
    /// comma-joined and answers space-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_separator: Option<String>,
}

fn space() -> String {
    " ".to_owned()
}

/// How to read the token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenResponseSpec {
    /// A dot path to the object holding `access_token`, `refresh_token`,
    /// `expires_in`, `scope` and `token_type` in the code exchange's answer
    /// (Slack user: `authed_user`; a segment of digits indexes an array,
    /// Instagram: `data.0`); absent: the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_path: Option<String>,
    /// The same in a refresh's answer, when it differs: `""` is the top
    /// level (Slack answers a user-token refresh at the top level);
    /// absent: `token_path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_path: Option<String>,
    /// A boolean field that is `false` on failure, even with HTTP 200 (Slack `ok`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok_field: Option<String>,
    /// The answer may be form-encoded (GitHub without `Accept: application/json`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub form_encoded: bool,
    /// An absolute expiry timestamp field instead of `expires_in` (Square `expires_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_field: Option<String>,
    /// The access token's lifetime in seconds when the answer gives none,
    /// for providers whose tokens expire unannounced (Salesforce: the org's
    /// session timeout, at least 15 minutes; Wix: 5 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_expires_in: Option<u64>,
    /// Errors in the provider's own shape, read as OAuth errors: an answer
    /// whose `field` (a dot path) is `value` is the error `error` (Square
    /// answers a dead refresh token with HTTP 401 and
    /// `{"message": "Invalid refresh token"}`, no `error`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_aliases: Vec<ErrorAlias>,
    /// Connection-config values read from the answer: config name -> dot path
    /// as in `token_path` (Salesforce `instance_url`, Wrike `host`, Notion
    /// `workspace_id`, Instagram `data.0.user_id`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub connection_config: BTreeMap<String, String>,
}

/// One of [`TokenResponseSpec::error_aliases`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorAlias {
    /// A dot path in the answer.
    pub field: String,
    /// The value that names the error there.
    pub value: String,
    /// The OAuth error it is (one the engine reads, such as `invalid_grant`).
    pub error: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A value the user gives per connection (a subdomain, a tenant), in the
/// Base44 `connection_config_fields` shape plus a `default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigField {
    pub name: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub placeholder: String,
    #[serde(default)]
    pub required: bool,
    /// An anchored regular expression (`^…$`) the value must match. Required
    /// for every field used in an endpoint template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_error: Option<String>,
    /// The value used when the user gives none (Microsoft tenant `common`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// One provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// The integration type id (`googlecalendar`, `slack`, ...).
    #[serde(rename = "type")]
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub auth_model: AuthModel,
    /// Endpoints may hold `{field}` parts filled from connection config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationEndpoint>,
    /// The `iss` the provider sends on the callback (RFC 9207), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default = "default_scope_spec")]
    pub scope: ScopeSpec,
    #[serde(default = "default_pkce")]
    pub pkce: Pkce,
    /// Extra authorization parameters (Google `access_type=offline`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authorization_params: BTreeMap<String, String>,
    /// Renamed standard parameters in the authorization URL
    /// (TikTok `client_id` -> `client_key`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authorization_param_names: BTreeMap<String, String>,
    /// Renamed standard parameters in token requests (TikTok `client_key`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub token_param_names: BTreeMap<String, String>,
    #[serde(default = "default_client_auth")]
    pub client_auth: ClientAuth,
    #[serde(default)]
    pub token_request_format: BodyFormat,
    /// Extra headers on every token endpoint request (code exchange and refresh).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub token_request_headers: BTreeMap<String, String>,
    /// A refresh repeats the `redirect_uri` of the code exchange (Snowflake).
    #[serde(default, skip_serializing_if = "is_false")]
    pub refresh_redirect_uri: bool,
    #[serde(default)]
    pub token_response: TokenResponseSpec,
    /// Callback query parameters kept as connection config (QuickBooks `realmId`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callback_params: Vec<String>,
    #[serde(default)]
    pub refresh_tokens: RefreshTokens,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_base_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connection_config_fields: Vec<ConfigField>,
    /// Where the provider documents its OAuth (for people, not used in flows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    /// What no source confirmed: a field of this entry (`pkce`,
    /// `revocation`, `scope.separator`, ...) and what is unknown about it.
    /// A field listed here is the catalog's best reading, not a fact.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unconfirmed: BTreeMap<String, String>,
}

fn default_scope_spec() -> ScopeSpec {
    ScopeSpec {
        param: Some("scope".to_owned()),
        separator: space(),
        always: Vec::new(),
        response_separator: None,
    }
}

fn default_pkce() -> Pkce {
    Pkce::Supported
}

fn default_client_auth() -> ClientAuth {
    ClientAuth::Body
}

impl Provider {
    /// Parses and validates one entry from JSON text (a custom provider).
    pub fn from_json(text: &str) -> Result<Provider> {
        let mut provider: Provider = serde_json::from_slice(text.as_bytes()).map_err(|e| {
            Error::new(
                ErrorCode::ProviderInvalid,
                format!("Invalid provider entry: {}", describe_serde_error(&e)),
            )
        })?;
        provider.id = fold_type_id(&provider.id);
        provider.validate()?;
        Ok(provider)
    }

    /// Checks every rule an entry must meet; see `validate.rs`.
    pub fn validate(&self) -> Result<()> {
        validate::provider(self, Patterns::Compile)
    }

    /// The connection-config field with this name.
    pub fn config_field(&self, name: &str) -> Option<&ConfigField> {
        self.connection_config_fields
            .iter()
            .find(|f| f.name == name)
    }

    /// The entry in the Base44 "available integrations" shape.
    pub fn available(&self) -> AvailableIntegration<'_> {
        AvailableIntegration {
            integration_type: &self.id,
            display_name: &self.display_name,
            description: &self.description,
            connection_config_fields: self
                .connection_config_fields
                .iter()
                .map(|f| AvailableConfigField {
                    name: &f.name,
                    display_name: &f.display_name,
                    description: &f.description,
                    placeholder: &f.placeholder,
                    required: f.required,
                    validation_pattern: f.validation_pattern.as_deref(),
                    validation_error: f.validation_error.as_deref(),
                })
                .collect(),
        }
    }
}

/// serde_json's message without its " at line 1 column 42" tail, which
/// points into text the caller never wrote (it was built from their object).
fn describe_serde_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// The Base44 available-integrations item. Serialized in snake_case for the
/// wire (`GET external-auth/available-integrations`); the JS boundary
/// renames to camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableIntegration<'a> {
    pub integration_type: &'a str,
    pub display_name: &'a str,
    pub description: &'a str,
    pub connection_config_fields: Vec<AvailableConfigField<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableConfigField<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub description: &'a str,
    pub placeholder: &'a str,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_error: Option<&'a str>,
}

/// The built-in entries: `providers.jsonc` as `(type id, compact JSON)`
/// pairs (see `build.rs`), each parsed on first use: a process that uses two
/// providers does not pay for parsing fifty at its cold start.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/providers.rs"));

/// One entry: built in (parsed and validated when first asked for), or
/// registered at runtime.
#[derive(Debug, Clone)]
enum Entry {
    Builtin {
        id: &'static str,
        json: &'static str,
        parsed: OnceLock<Option<Provider>>,
    },
    Registered(Provider),
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Builtin { id, .. } => id,
            Entry::Registered(p) => &p.id,
        }
    }

    /// The provider; `None` only for a built-in entry that does not parse
    /// or validate, which `cargo test` rules out.
    fn provider(&self) -> Option<&Provider> {
        match self {
            Entry::Builtin { json, parsed, .. } => parsed
                .get_or_init(|| {
                    serde_json::from_slice::<Provider>(json.as_bytes())
                        .ok()
                        .filter(|p| validate::provider(p, Patterns::Trust).is_ok())
                })
                .as_ref(),
            Entry::Registered(p) => Some(p),
        }
    }
}

/// A set of providers: the built-in ones plus any registered at runtime.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The built-in catalog (its entries parse when first used).
    pub fn builtin() -> Result<&'static Catalog> {
        static BUILTIN_CATALOG: OnceLock<Catalog> = OnceLock::new();
        Ok(BUILTIN_CATALOG.get_or_init(|| Catalog {
            entries: BUILTIN
                .iter()
                .map(|&(id, json)| Entry::Builtin {
                    id,
                    json,
                    parsed: OnceLock::new(),
                })
                .collect(),
        }))
    }

    /// Parses a JSON array of entries and validates each, and that type ids
    /// are unique.
    pub fn from_json(text: &str, patterns: Patterns) -> Result<Catalog> {
        let providers: Vec<Provider> = serde_json::from_slice(text.as_bytes()).map_err(|e| {
            Error::new(
                ErrorCode::ProviderInvalid,
                format!("Invalid provider catalog: {e}"),
            )
        })?;
        let mut catalog = Catalog {
            entries: Vec::with_capacity(providers.len()),
        };
        for mut p in providers {
            p.id = fold_type_id(&p.id);
            validate::provider(&p, patterns)?;
            if catalog.get(&p.id).is_some() {
                return Err(Error::new(
                    ErrorCode::ProviderInvalid,
                    format!("Provider type \"{}\" is defined twice", p.id),
                ));
            }
            catalog.entries.push(Entry::Registered(p));
        }
        Ok(catalog)
    }

    /// Adds a validated custom entry, or replaces the entry with its type id.
    /// The type id is read in lower case ([`fold_type_id`]).
    pub fn register(&mut self, mut provider: Provider) -> Result<()> {
        provider.id = fold_type_id(&provider.id);
        provider.validate()?;
        match self.entries.iter_mut().find(|e| e.id() == provider.id) {
            Some(slot) => *slot = Entry::Registered(provider),
            None => self.entries.push(Entry::Registered(provider)),
        }
        Ok(())
    }

    /// The entry of a type id, in any ASCII case: entries are stored under
    /// their lower-case id ([`fold_type_id`]).
    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.entries
            .iter()
            .find(|e| e.id().eq_ignore_ascii_case(id))?
            .provider()
    }

    /// Like `get`, with an `UNKNOWN_PROVIDER` error naming the closest type id.
    pub fn require(&self, id: &str) -> Result<&Provider> {
        self.get(id).ok_or_else(|| {
            let suggestion = self.suggest(id);
            let hint = suggestion
                .as_deref()
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            Error::new(
                ErrorCode::UnknownProvider,
                format!("Unknown connector type \"{}\".{hint}", printable(id)),
            )
            .with_suggestion(suggestion)
        })
    }

    /// The closest type id by edit distance, when it is close enough to be a typo.
    pub fn suggest(&self, id: &str) -> Option<String> {
        closest(&id.to_ascii_lowercase(), self.entries.iter().map(Entry::id)).map(str::to_owned)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Provider> {
        self.entries.iter().filter_map(Entry::provider)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry in the Base44 available-integrations shape, in catalog order.
    pub fn list_available(&self) -> Vec<AvailableIntegration<'_>> {
        self.iter().map(Provider::available).collect()
    }
}

#[cfg(test)]
mod tests;
