//! Who is calling: a service token of the app (compared in constant
//! time, see [`super::ServerConfig`]) in `Authorization: Bearer` or in
//! `api_key` (as Base44's CLI sends a workspace key), or an app user whose token
//! [`Users`] verifies, in `Authorization` or in `on-behalf-of` beside a
//! service token. A user reaches only their own connections: the user id
//! comes from the verified token alone.

use super::{Incoming, Server};
use crate::error::{Error, ErrorCode, Result};
use crate::identity::{self, User};
use crate::ports::Store;
use crate::ports::{Clock, Fetch};

/// Who app users are: verifies a user token.
#[allow(async_fn_in_trait)]
pub trait Users {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User>;
}

impl Users for identity::Hs256 {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User> {
        identity::Hs256::verify(self, token, now_ms)
    }
}

/// No app users configured: app-user routes answer `UNAUTHENTICATED`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoUsers;

impl Users for NoUsers {
    async fn verify(&self, _token: &str, _now_ms: u64) -> Result<User> {
        Err(Error::new(
            ErrorCode::Unauthenticated,
            "This server has no users option: app-user routes are off",
        ))
    }
}

impl<S: Store, F: Fetch, C: Clock, U: Users> Server<S, F, C, U> {
    /// Whether the `api_key` header (Base44's CLI sends a workspace key
    /// there) holds a service token, compared as `Authorization`'s is.
    fn api_key_is_service(&self, request: &Incoming) -> bool {
        request
            .header("api_key")
            .is_some_and(|key| self.config.is_service_token(key.trim_matches([' ', '\t'])))
    }

    /// A service token: the bearer token of `Authorization`, or the
    /// `api_key` header. A user's token in `Authorization` is `FORBIDDEN`;
    /// anything else `UNAUTHENTICATED`.
    pub(super) async fn service(&self, request: &Incoming) -> Result<()> {
        if self.api_key_is_service(request) {
            return Ok(());
        }
        if request.header("authorization").is_none() && request.header("api_key").is_some() {
            return Err(Error::new(
                ErrorCode::Unauthenticated,
                "The api_key header is not a service token of this app",
            ));
        }
        let token = identity::bearer(request.header("authorization"))?;
        if self.config.is_service_token(token) {
            return Ok(());
        }
        if self.users.verify(token, self.now()).await.is_ok() {
            return Err(Error::new(
                ErrorCode::Forbidden,
                "This route needs the service role (a service token), not a user's token",
            ));
        }
        Err(Error::new(
            ErrorCode::Unauthenticated,
            "The bearer token is not a service token of this app",
        ))
    }

    /// The user of `on-behalf-of: Bearer <user token>`.
    pub(super) async fn on_behalf_of(&self, request: &Incoming) -> Result<User> {
        let header = request.header("on-behalf-of").ok_or_else(|| {
            Error::new(
                ErrorCode::Unauthenticated,
                "This route acts for a user: send on-behalf-of: Bearer <user token>",
            )
        })?;
        self.users
            .verify(identity::bearer(Some(header))?, self.now())
            .await
    }

    /// The app user of the request: their token in `Authorization`, or in
    /// `on-behalf-of` beside a service token (in `Authorization` or `api_key`).
    pub(super) async fn user(&self, request: &Incoming) -> Result<User> {
        if request.header("authorization").is_none() && self.api_key_is_service(request) {
            return self.on_behalf_of(request).await;
        }
        let token = identity::bearer(request.header("authorization"))?;
        if self.config.is_service_token(token) {
            return self.on_behalf_of(request).await;
        }
        self.users.verify(token, self.now()).await
    }
}
