//! `issueUserToken`: the app's own HS256 user tokens, signed by the same
//! code that the server's `users: { secret, issuer, audience }` verifies with.

use wasm_bindgen::prelude::*;

use super::convert::{
    JsResult, get, optional_string, optional_whole, options_object, required_string,
};
use crate::identity::{self, MAX_USER_TOKEN_LIFETIME_S, UserToken};

const OPTIONS: &[&str] = &[
    "secret",
    "issuer",
    "audience",
    "userId",
    "email",
    "expiresInSeconds",
];
/// A token lives an hour unless `expiresInSeconds` says otherwise.
const DEFAULT_LIFETIME_S: u32 = 3600;

/// `issueUserToken({ secret, issuer, audience, userId, email?, expiresInSeconds? })`:
/// a compact JWS that a connectors server with `users: { secret, issuer,
/// audience }` accepts for `userId`. `INVALID_INPUT` for every bad argument.
#[wasm_bindgen(js_name = issueUserToken)]
pub fn issue_user_token(options: JsValue) -> JsResult<String> {
    options_object(
        &options,
        "issueUserToken() takes { secret, issuer, audience, userId, email?, expiresInSeconds? }",
        OPTIONS,
        "issueUserToken option",
    )?;
    let secret = required_string(&get(&options, "secret"), "secret")?;
    let issuer = required_string(&get(&options, "issuer"), "issuer")?;
    let audience = required_string(&get(&options, "audience"), "audience")?;
    let user_id = required_string(&get(&options, "userId"), "userId")?;
    let email = optional_string(&get(&options, "email"), "email")?;
    let max = u32::try_from(MAX_USER_TOKEN_LIFETIME_S).unwrap_or(u32::MAX);
    let lifetime = optional_whole(
        &get(&options, "expiresInSeconds"),
        "expiresInSeconds",
        1,
        max,
    )?
    .unwrap_or(DEFAULT_LIFETIME_S);
    let token = UserToken {
        secret: secret.as_bytes(),
        issuer: &issuer,
        audience: &audience,
        user_id: &user_id,
        email: email.as_deref(),
        expires_in_seconds: u64::from(lifetime),
    };
    identity::issue(&token, js_sys::Date::now() as u64).map_err(JsValue::from)
}
