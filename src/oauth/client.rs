//! The low-level OAuth client: one provider, one app registration. It joins
//! the pure request builders and response readers to the ports, like Arctic
//! but for every catalog provider. The connectors server and the vault build
//! on the same functions.

use std::collections::BTreeMap;

use super::authorize::{self, AuthorizationRequest};
use super::retry::{self, RetryPolicy};
use super::secret::RefreshToken;
use super::token::{self, ClientCredentials, Grant, TokenSet};
use crate::catalog::{AuthModel, Provider};
use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpRequest, HttpResponse};
use crate::ports::{Clock, Fetch};

/// What a revocation (one token's, or a disconnect's) achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The provider confirmed (RFC 7009: 200, even for an already invalid token).
    Revoked,
    /// The provider has no revocation endpoint.
    Unsupported,
    /// The provider failed: after a disconnect the tombstone (tokens
    /// sealed) stays, and the next disconnect tries again.
    Failed(ErrorCode),
    /// There was nothing to revoke (no connection, or a record that no
    /// longer opens).
    None,
}

impl Revocation {
    pub fn as_str(self) -> &'static str {
        match self {
            Revocation::Revoked => "revoked",
            Revocation::Unsupported => "unsupported",
            Revocation::Failed(_) => "failed",
            Revocation::None => "none",
        }
    }
}

/// A configured client for one provider.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub provider: Provider,
    pub credentials: ClientCredentials,
    pub redirect_uri: String,
    pub connection_config: BTreeMap<String, String>,
    pub retry: RetryPolicy,
}

impl OAuthClient {
    pub fn new(
        provider: Provider,
        credentials: ClientCredentials,
        redirect_uri: impl Into<String>,
    ) -> Result<OAuthClient> {
        if provider.auth_model != AuthModel::Oauth {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("{} is not connected with OAuth", provider.id),
            ));
        }
        if credentials.client_id.is_empty() {
            return Err(Error::new(ErrorCode::InvalidInput, "clientId is required"));
        }
        let redirect_uri = redirect_uri.into();
        check_redirect_uri(&redirect_uri)?;
        Ok(OAuthClient {
            provider,
            credentials,
            redirect_uri,
            connection_config: BTreeMap::new(),
            retry: RetryPolicy::default(),
        })
    }

    /// The URL to send the user to. `code_verifier` is sent as its S256
    /// challenge when the provider takes PKCE.
    pub fn authorization_url(
        &self,
        scopes: &[String],
        state: &str,
        code_verifier: Option<&str>,
        extra_params: &[(String, String)],
    ) -> Result<String> {
        self.authorization_url_after(None, scopes, state, code_verifier, extra_params)
    }

    /// How every authorization URL of this client starts, for a caller
    /// that keeps it while the client does not change (see
    /// [`authorize::authorization_url_start`]).
    pub fn authorization_url_start(&self) -> Result<String> {
        authorize::authorization_url_start(&self.request(&[], "", None, &[]))
    }

    /// [`Self::authorization_url`] from a kept [`Self::authorization_url_start`].
    pub fn authorization_url_after(
        &self,
        start: Option<&str>,
        scopes: &[String],
        state: &str,
        code_verifier: Option<&str>,
        extra_params: &[(String, String)],
    ) -> Result<String> {
        authorize::authorization_url_after(
            &self.request(scopes, state, code_verifier, extra_params),
            start,
        )
    }

    fn request<'a>(
        &'a self,
        scopes: &'a [String],
        state: &'a str,
        code_verifier: Option<&'a str>,
        extra_params: &'a [(String, String)],
    ) -> AuthorizationRequest<'a> {
        AuthorizationRequest {
            provider: &self.provider,
            client_id: &self.credentials.client_id,
            redirect_uri: &self.redirect_uri,
            scopes,
            state,
            code_verifier,
            connection_config: &self.connection_config,
            extra_params,
        }
    }

    /// Exchanges an authorization code. `callback_params` are the callback's
    /// other parameters (QuickBooks' `realmId` becomes connection config).
    pub async fn exchange_code<F: Fetch, C: Clock>(
        &self,
        fetch: &F,
        clock: &C,
        code: &str,
        code_verifier: Option<&str>,
        requested_scopes: &[String],
        callback_params: &BTreeMap<String, String>,
    ) -> Result<TokenSet> {
        let request = token::code_request(
            &self.provider,
            &self.credentials,
            &self.connection_config,
            code,
            &self.redirect_uri,
            code_verifier,
        )?;
        self.grant(
            fetch,
            clock,
            Grant::AuthorizationCode,
            &request,
            requested_scopes,
            callback_params,
        )
        .await
    }

    /// Refreshes an access token. A response without a refresh token keeps
    /// the old one (returned in the token set), so it is never lost.
    pub async fn refresh<F: Fetch, C: Clock>(
        &self,
        fetch: &F,
        clock: &C,
        refresh_token: &RefreshToken,
        scopes: &[String],
    ) -> Result<TokenSet> {
        let request = token::refresh_request_from(
            &self.provider,
            &self.credentials,
            &self.connection_config,
            refresh_token,
            Some(&self.redirect_uri),
        )?;
        let mut tokens = self
            .grant(
                fetch,
                clock,
                Grant::RefreshToken,
                &request,
                scopes,
                &BTreeMap::new(),
            )
            .await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        Ok(tokens)
    }

    /// Revokes a token (RFC 7009, or the provider's own style).
    pub async fn revoke<F: Fetch, C: Clock>(
        &self,
        fetch: &F,
        clock: &C,
        token: &str,
        token_type_hint: Option<&str>,
    ) -> Result<Revocation> {
        let Some(request) = token::revocation_request(
            &self.provider,
            &self.credentials,
            &self.connection_config,
            token,
            token_type_hint,
        )?
        else {
            return Ok(Revocation::Unsupported);
        };
        let response = retry::send(fetch, clock, &self.retry, &request, None).await?;
        if (200..300).contains(&response.status) {
            return refused_in_200(&self.provider, &response).map_or(Ok(Revocation::Revoked), Err);
        }
        let code = match response.status {
            401 | 403 => ErrorCode::ProviderConfigError,
            _ => ErrorCode::ProviderError,
        };
        Err(Error::new(
            code,
            format!(
                "The provider refused the revocation (HTTP {})",
                response.status
            ),
        ))
    }

    /// Sends a token request (retried per the policy; a code exchange is
    /// never sent twice) and reads the answer with the provider's quirks.
    /// Connection config given to the client stays with the tokens.
    async fn grant<F: Fetch, C: Clock>(
        &self,
        fetch: &F,
        clock: &C,
        grant: Grant,
        request: &HttpRequest,
        scopes: &[String],
        callback_params: &BTreeMap<String, String>,
    ) -> Result<TokenSet> {
        let response = retry::send(fetch, clock, &self.retry, request, Some(grant)).await?;
        token::process_token_response(
            &self.provider,
            grant,
            &response,
            scopes,
            callback_params,
            clock.now_ms(),
        )
        .map(|t| self.with_config(t))
    }

    /// Connection config given to the client stays with the tokens.
    fn with_config(&self, mut tokens: TokenSet) -> TokenSet {
        for (k, v) in &self.connection_config {
            tokens
                .connection_config
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        tokens
    }
}

/// A redirect URI: https (http only on a loopback host), no fragment, no user info.
pub fn check_redirect_uri(uri: &str) -> Result<()> {
    match crate::urls::url_problem(uri) {
        Some(problem) => Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!("redirectUri {problem}"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;

/// A refusal inside a 2xx answer, where the catalog names an ok field
/// (Slack's `ok: false`); an error saying the token is already dead is no
/// refusal: the token is as revoked as the revocation would have made it.
fn refused_in_200(provider: &Provider, response: &HttpResponse) -> Option<Error> {
    let ok_field = provider.token_response.ok_field.as_deref()?;
    let body: serde_json::Value = serde_json::from_slice(&response.body).ok()?;
    if body.get(ok_field) != Some(&serde_json::Value::Bool(false)) {
        return None;
    }
    let error = body
        .get("error")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if matches!(error, "invalid_auth" | "token_revoked" | "token_expired") {
        return None;
    }
    Some(Error::new(
        ErrorCode::ProviderError,
        format!(
            "The provider refused the revocation ({})",
            token::error_name(error)
        ),
    ))
}
