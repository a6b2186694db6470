//! What the server serves: the app, its public URL, the catalog, the
//! configured connectors (shared, workspace, app-user) with their clients,
//! the service tokens, the allowed return origins and the browser binding.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::return_url;
use super::routes::Slot;
use crate::catalog::{Catalog, Provider, fold_type_id};
use crate::error::{Error, ErrorCode, Result};
use crate::identity;
use crate::oauth::client::OAuthClient;
use crate::oauth::secret::SealedState;
use crate::oauth::token::ClientCredentials;
use crate::scopes::check_scopes;
use crate::text::printable;
use crate::urls::url_problem;
use crate::vault::Kind;

/// One configured connector: its provider client (with the callback as
/// redirect URI) and the scopes it asks for.
#[derive(Debug, Clone)]
pub struct Connector {
    pub integration_type: String,
    pub client: OAuthClient,
    /// What token reads require ("more scopes later") and consent asks for.
    pub scopes: Vec<String>,
}

/// One configured connector's callback, as [`ServerConfig::redirect_uris`]
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUri {
    /// `shared`, `workspace` or `app_user`.
    pub kind: &'static str,
    /// The connector id (workspace and app-user connectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
    pub integration_type: String,
    /// The exact URI the provider must have registered.
    pub redirect_uri: String,
}

/// What the server serves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub app_id: String,
    /// Where `/api/...` is reached, without a trailing slash.
    pub public_url: String,
    /// The providers (built-in plus custom), for `available-integrations`.
    pub catalog: Catalog,
    pub(super) shared: BTreeMap<String, Connector>,
    pub(super) workspace: BTreeMap<String, Connector>,
    pub(super) app_user: BTreeMap<String, Connector>,
    /// SHA-256 of each service token (compared in constant time).
    pub(super) service_tokens: Vec<[u8; 32]>,
    /// Origins a browser may be sent back to.
    pub(super) allowed_origins: Vec<String>,
    /// Whether an app user's consent is bound to the browser that started it.
    pub(super) bind_browser: bool,
    /// The Stripe connector (a key the builder brings, no OAuth), when the
    /// catalog has Stripe and it is not turned off.
    pub(super) stripe: Option<Connector>,
    /// Whether a Stripe key is checked against Stripe's API before it is kept.
    pub(super) verify_stripe_keys: bool,
}

/// The integration type of Stripe's shared connection.
pub const STRIPE: &str = "stripe";

/// The longest connector id: as long as a type id.
pub const MAX_CONNECTOR_ID_LEN: usize = crate::catalog::MAX_TYPE_ID_LEN;

/// A connector id is 1 to 64 of the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`), so its callback URL holds it as it is, but not
/// `.` or `..`: dot segments, which URL parsers remove from a path.
/// `CONFIG_INVALID` otherwise.
pub fn check_connector_id(id: &str) -> Result<()> {
    if id == "." || id == ".." {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "Invalid connector id \"{id}\": \".\" and \"..\" are dot segments, which URL parsers remove from the callback URL; choose another id"
            ),
        ));
    }
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if id.is_empty() || id.len() > MAX_CONNECTOR_ID_LEN || !id.bytes().all(unreserved) {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!(
                "Invalid connector id \"{}\": it must match ^[A-Za-z0-9._~-]+$, at most {MAX_CONNECTOR_ID_LEN} characters",
                crate::text::printable(id)
            ),
        ));
    }
    Ok(())
}

/// A server's connector files, validated: the files that parsed (for
/// [`ServerConfig::check_connector_files`]) and the scopes each type's
/// files declare, which its shared connection must hold.
#[derive(Debug, Default)]
pub struct ConnectorFiles {
    pub declared: Vec<crate::config::ParsedFile>,
    /// By integration type, the last file of a type winning. A list, not a
    /// map: one more map type is kilobytes of wasm.
    scopes: Vec<(String, Vec<String>)>,
}

impl ConnectorFiles {
    /// Validates parsed files against `catalog` (`config::validate_all`,
    /// which reports every file's error).
    pub fn validate(
        parsed: Vec<Result<crate::config::ParsedFile>>,
        catalog: &Catalog,
    ) -> Result<ConnectorFiles> {
        let declared = parsed
            .iter()
            .filter_map(|f| f.as_ref().ok().cloned())
            .collect();
        let validated = crate::config::validate_all(parsed, catalog)?;
        let mut scopes: Vec<(String, Vec<String>)> = Vec::new();
        for c in validated.connectors {
            scopes.retain(|(t, _)| *t != c.integration_type);
            scopes.push((c.integration_type, c.scopes));
        }
        Ok(ConnectorFiles { declared, scopes })
    }

    /// The scopes the files declare for `integration_type` (none without a
    /// file), taken: a type has one shared connection.
    pub fn take_scopes(&mut self, integration_type: &str) -> Vec<String> {
        self.scopes
            .iter()
            .position(|(t, _)| *t == integration_type)
            .map(|i| self.scopes.swap_remove(i).1)
            .unwrap_or_default()
    }
}

/// The secret that seals `state`: the current one, first of the key ring's
/// `secrets` (none when there is none, which `StateKey` refuses).
pub fn state_secret<S: AsRef<[u8]>>(secrets: &[S]) -> &[u8] {
    secrets.first().map(AsRef::as_ref).unwrap_or_default()
}

impl ServerConfig {
    /// A server for `app_id`, reached at `public_url` (https, or http on a
    /// loopback host), with the catalog it resolves types in.
    pub fn new(app_id: &str, public_url: &str, catalog: Catalog) -> Result<ServerConfig> {
        crate::app_id::check_app_id(app_id)?;
        let public_url = public_url.trim_end_matches('/');
        if let Some(problem) = url_problem(public_url) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("publicUrl {problem}"),
            ));
        }
        if public_url.contains('?') {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "publicUrl must not have a query",
            ));
        }
        let mut config = ServerConfig {
            app_id: app_id.to_owned(),
            public_url: public_url.to_owned(),
            catalog,
            shared: BTreeMap::new(),
            workspace: BTreeMap::new(),
            app_user: BTreeMap::new(),
            service_tokens: Vec::new(),
            allowed_origins: Vec::new(),
            bind_browser: true,
            stripe: None,
            verify_stripe_keys: true,
        };
        config.serve_stripe(true);
        Ok(config)
    }

    /// Serves Stripe (on by default): the `payments/stripe/...` routes, and
    /// its key as the shared connection of type `stripe`. Off, those routes
    /// and its token read answer `UNKNOWN_CONNECTOR`.
    pub fn serve_stripe(&mut self, on: bool) {
        let managed = self
            .catalog
            .get(STRIPE)
            .filter(|p| p.auth_model == crate::catalog::AuthModel::Managed)
            .cloned();
        self.stripe = managed.filter(|_| on).map(|provider| Connector {
            integration_type: STRIPE.to_owned(),
            // Built as it is: `OAuthClient::new` refuses a managed
            // provider, and this client only ever reads its entry (the API
            // bases `callApi` may reach) and finds no revocation endpoint.
            client: OAuthClient {
                provider,
                credentials: ClientCredentials {
                    client_id: STRIPE.to_owned(),
                    client_secret: None,
                },
                redirect_uri: format!(
                    "{}/api/apps/{}/payments/stripe/claim",
                    self.public_url, self.app_id
                ),
                connection_config: BTreeMap::new(),
                retry: crate::oauth::retry::RetryPolicy::default(),
            },
            scopes: Vec::new(),
        });
    }

    /// Whether a Stripe key is checked against Stripe's API (`GET /v1/account`
    /// with the key, through the host's fetch) before it is kept (on by
    /// default). Off, only its shape is checked.
    pub fn verify_stripe_keys(&mut self, on: bool) {
        self.verify_stripe_keys = on;
    }

    /// The redirect URI of a slot's callback.
    pub fn callback_url(&self, slot: &Slot) -> String {
        format!(
            "{}/api/apps/{}/{}",
            self.public_url,
            self.app_id,
            slot.callback_path()
        )
    }

    /// Every configured connector's exact redirect URI: what to register
    /// at each provider. Shared ones first, then workspace, then app-user
    /// ones, each by id.
    pub fn redirect_uris(&self) -> Vec<RedirectUri> {
        let kinds = [
            (
                Kind::Shared,
                &self.shared,
                Slot::Shared as fn(String) -> Slot,
            ),
            (Kind::Workspace, &self.workspace, Slot::Workspace),
            (Kind::AppUser, &self.app_user, Slot::AppUser),
        ];
        let mut out = Vec::new();
        for (kind, map, slot) in kinds {
            for (id, connector) in map {
                out.push(RedirectUri {
                    kind: kind.as_str(),
                    connector_id: (kind != Kind::Shared).then(|| id.clone()),
                    integration_type: connector.integration_type.clone(),
                    redirect_uri: self.callback_url(&slot(id.clone())),
                });
            }
        }
        out
    }

    /// Refuses connector files whose type has no shared connector (no
    /// `credentials` for it), naming every such file: each would only fail
    /// later, at its first consent. Managed types (Stripe) need none.
    pub fn check_connector_files(&self, files: &[crate::config::ParsedFile]) -> Result<()> {
        let mut errors = Vec::new();
        for file in files {
            let ty = fold_type_id(&file.config.integration_type);
            let managed = self
                .catalog
                .get(&ty)
                .is_some_and(|p| p.auth_model == crate::catalog::AuthModel::Managed);
            if !managed && !self.shared.contains_key(&ty) {
                errors.push(
                    Error::new(
                        ErrorCode::ConfigInvalid,
                        format!(
                            "The connector file declares \"{ty}\", which has no credentials: add credentials.{ty} ({{ clientId, clientSecret }}) or remove the file"
                        ),
                    )
                    .at(file.type_location()),
                );
            }
        }
        Error::all(errors).map_or(Ok(()), Err)
    }

    /// Adds a connector: shared ones by integration type (read in lower
    /// case), the others by connector id (as it is). `provider` is the
    /// entry to use (a catalog one or custom). A slot given twice is
    /// `CONFIG_INVALID`.
    pub fn add_connector(
        &mut self,
        slot: Slot,
        provider: Provider,
        credentials: ClientCredentials,
        scopes: &[String],
        connection_config: BTreeMap<String, String>,
    ) -> Result<()> {
        if provider.auth_model == crate::catalog::AuthModel::Managed {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!(
                    "\"{}\" is not connected with OAuth, so it takes no client credentials: the builder brings its key (POST payments/stripe/install answers a page to paste it)",
                    printable(&provider.id)
                ),
            ));
        }
        match &slot {
            Slot::Shared(t) if !crate::catalog::is_valid_type_id(t) => {
                return Err(crate::config::invalid_type(t));
            }
            Slot::Workspace(id) | Slot::AppUser(id) => check_connector_id(id)?,
            Slot::Shared(_) => {}
        }
        let slot = match slot {
            Slot::Shared(t) => Slot::Shared(fold_type_id(&t)),
            other => other,
        };
        if self.connector(&slot).is_ok() {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("\"{}\" is configured twice", slot.id()),
            ));
        }
        let integration_type = provider.id.clone();
        let mut client = OAuthClient::new(provider, credentials, self.callback_url(&slot))?;
        client.connection_config = connection_config;
        let connector = Connector {
            integration_type,
            client,
            scopes: check_scopes(scopes.iter())?,
        };
        let map = match &slot {
            Slot::Shared(_) => &mut self.shared,
            Slot::Workspace(_) => &mut self.workspace,
            Slot::AppUser(_) => &mut self.app_user,
        };
        map.insert(slot.id().to_owned(), connector);
        Ok(())
    }

    /// Adds the shared connector of `integration_type` (the `credentials`
    /// of that type) with the scopes its connector files declare.
    pub fn add_shared(
        &mut self,
        integration_type: String,
        provider: Provider,
        credentials: ClientCredentials,
        connection_config: BTreeMap<String, String>,
        files: &mut ConnectorFiles,
    ) -> Result<()> {
        let scopes = files.take_scopes(&integration_type);
        self.add_connector(
            Slot::Shared(integration_type),
            provider,
            credentials,
            &scopes,
            connection_config,
        )
    }

    /// Accepts `token` as a service token: at least 16 characters that a
    /// `Bearer` header can carry (letters, digits, `-._~+/`).
    pub fn add_service_token(&mut self, token: &str) -> Result<()> {
        if token.len() < 16 || !identity::b64token(token) {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "A service token must have at least 16 characters of A-Z, a-z, 0-9 and -._~+/ (use random ones)",
            ));
        }
        self.service_tokens
            .push(Sha256::digest(token.as_bytes()).into());
        Ok(())
    }

    /// Whether each consent (app users' and the builder's) is bound to the
    /// browser that opens it (on by default): the consent URL is the start
    /// route's, which sets a cookie (HttpOnly, SameSite=Lax, 10 minutes)
    /// whose hash the state carries, and the callback refuses a browser
    /// without it (`STATE_BROWSER_MISMATCH`). Off, the consent URL is the
    /// provider's and any browser may complete it.
    pub fn bind_browser(&mut self, on: bool) {
        self.bind_browser = on;
    }

    /// Calls in all for a retryable provider failure, for every connector's
    /// client (default 3). Fewer attempts also shorten the refresh lease
    /// (its TTL is the refresh's worst case), and so how long another
    /// instance waits when the lease holder dies.
    pub fn max_attempts(&mut self, attempts: u32) {
        for connector in self
            .shared
            .values_mut()
            .chain(self.workspace.values_mut())
            .chain(self.app_user.values_mut())
        {
            connector.client.retry.max_attempts = attempts;
        }
    }

    /// The binding cookie of the flow with this nonce: its name (one per
    /// flow, so two consents in one browser do not undo each other) and
    /// attributes: `__Host-` and `Secure` on https; plain on a loopback
    /// http `publicUrl`.
    pub(super) fn binding_cookie(&self, nonce: &str) -> (String, &'static str) {
        let id = connection_id(nonce);
        let id = id.get(..12).unwrap_or(&id);
        if self.public_url.starts_with("https://") {
            (
                format!("__Host-oauth-connectors-bind-{id}"),
                "; Path=/; HttpOnly; Secure; SameSite=Lax",
            )
        } else {
            (
                format!("oauth-connectors-bind-{id}"),
                "; Path=/; HttpOnly; SameSite=Lax",
            )
        }
    }

    /// The start route's URL for a sealed ticket.
    pub(super) fn start_url(&self, slot: &Slot, ticket: &SealedState) -> String {
        format!(
            "{}/api/apps/{}/{}?ticket={}",
            self.public_url,
            self.app_id,
            slot.start_path(),
            ticket.secret()
        )
    }

    /// Whether `referer` names a page of the app: an origin in
    /// `allowedReturnUrls`, or the server's own.
    pub(super) fn is_app_page(&self, referer: Option<&str>) -> bool {
        // The origin only: a same-origin Referer is the whole page URL,
        // whose path and query may hold anything (`@`, 3 KB).
        let head = |r: &str| {
            let authority = r.find("://").map_or(0, |i| i + 3);
            let end = r[authority..]
                .find(['/', '?', '#'])
                .map_or(r.len(), |j| authority + j);
            r[..end].to_owned()
        };
        let Some(origin) = referer.map(head).as_deref().and_then(return_url::origin_of) else {
            return false;
        };
        self.allowed_origins.contains(&origin)
            || return_url::origin_of(&self.public_url).is_some_and(|own| own == origin)
    }

    /// The origins a browser may be sent back to.
    pub fn allow_return_urls(&mut self, origins: &[String]) -> Result<()> {
        self.allowed_origins = return_url::check_allowed(origins)?;
        Ok(())
    }

    pub(super) fn connector(&self, slot: &Slot) -> Result<&Connector> {
        let (map, what) = match slot {
            Slot::Shared(_) => (&self.shared, "credentials for the integration type"),
            Slot::Workspace(_) => (&self.workspace, "workspace connector"),
            Slot::AppUser(_) => (&self.app_user, "app-user connector"),
        };
        if let (Slot::Shared(t), Some(stripe)) = (slot, &self.stripe)
            && t == STRIPE
        {
            return Ok(stripe);
        }
        map.get(slot.id()).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownConnector,
                format!("This server has no {what} \"{}\"", printable(slot.id())),
            )
        })
    }

    pub(super) fn is_service_token(&self, token: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every entry is compared, so the time does not tell which matched.
        self.service_tokens
            .iter()
            .fold(false, |found, t| found | bool::from(t.ct_eq(&digest)))
    }
}

/// A public id for an authorization in progress: derived one-way from the
/// state's nonce, so it reveals nothing of the state.
pub(super) fn connection_id(nonce: &str) -> String {
    let digest = Sha256::digest(nonce.as_bytes());
    crate::b64::url(&digest[..16])
}

#[cfg(test)]
mod tests;
