//! The OAuth engine: PKCE, sealed state, and (next) authorization URLs,
//! callbacks and token requests for every catalog provider. Pure: HTTP, time
//! and storage come in through the ports in [`crate::http`] and
//! [`state::NonceStore`].

pub mod authorize;
pub mod callback;
pub mod pkce;
pub mod retry;
pub mod secret;
pub mod state;
pub mod token;
