//! The OAuth engine: PKCE, sealed state, authorization URLs, callbacks,
//! token exchange, refresh and revocation for every catalog provider. Pure: HTTP, time
//! and storage come in through the ports in [`crate::http`] and
//! [`crate::ports::NonceStore`].

pub mod authorize;
pub mod callback;
pub mod client;
pub mod pkce;
pub mod retry;
pub mod secret;
pub mod state;
pub mod token;
