//! The Base44 connectors wire protocol's routes (listed in the README), all
//! under `/api/apps/{appId}/`, matched on percent-decoded path segments.

use percent_encoding::percent_decode_str;

use crate::catalog::fold_type_id;
use crate::error::{Error, ErrorCode, Result};

pub use crate::vault::Slot;

/// The routes of a connector slot (see [`Slot`]).
impl Slot {
    /// The callback path below `/api/apps/{appId}/`, each id encoded as an
    /// RFC 3986 path segment ([`segment`]): `microsoft_teams` stays
    /// `microsoft_teams`, as the provider's registered redirect URI has it.
    pub fn callback_path(&self) -> String {
        match self {
            Slot::Shared(t) => format!("external-auth/callback/{}", segment(t)),
            Slot::Workspace(id) => format!("external-auth/connectors/{}/callback", segment(id)),
            Slot::AppUser(id) => format!("app-user-auth/connectors/{}/callback", segment(id)),
        }
    }

    /// The start route's path below `/api/apps/{appId}/`: the callback's
    /// path with `start` for `callback`, its id encoded alike.
    pub fn start_path(&self) -> String {
        match self {
            Slot::Shared(t) => format!("external-auth/start/{}", segment(t)),
            Slot::Workspace(id) => format!("external-auth/connectors/{}/start", segment(id)),
            Slot::AppUser(id) => format!("app-user-auth/connectors/{}/start", segment(id)),
        }
    }
}

/// What RFC 3986 does not allow as it is in a path segment (`pchar`):
/// controls, space, `"` `#` `%` `/` `<` `>` `?` `[` `\` `]` `^` `` ` ``
/// `{` `|` `}` and DEL. Unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// sub-delims, `:` and `@` stay; non-ASCII is encoded as UTF-8.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `s` as one path segment: what a provider compares a redirect URI with,
/// character for character. The router decodes segments, so the plain and
/// the encoded form of an id reach the same route.
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// A matched route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET external-auth/tokens/{type}` and `.../tokens/connectors/{id}`.
    Token(Slot),
    /// `GET app-user-auth/connectors/{id}/token`, on behalf of the user.
    AppUserToken(String),
    /// `GET app-user-auth/connectors/{id}/users/{userId}/token` (background jobs).
    NamedUserToken(String, String),
    /// `POST app-user-auth/connectors/{id}/initiate`.
    Initiate(String),
    /// `DELETE app-user-auth/connectors/{id}`.
    Disconnect(String),
    /// `POST connectors/{type}/call`.
    Call(String),
    /// `GET external-auth/list`.
    List,
    /// `GET connections`: every connection, a page at a time (beyond Base44).
    Connections,
    /// `PUT external-auth/integrations/{type}` and `PUT external-auth/connectors/{id}`.
    Set(Slot),
    /// `GET external-auth/status`.
    Status,
    /// `GET external-auth/available-integrations`.
    Available,
    /// `DELETE external-auth/integrations/{type}/remove` and `.../connectors/{id}/remove`.
    Remove(Slot),
    /// The OAuth callback of a slot.
    Callback(Slot),
    /// The start route of a slot: a browser opens the consent URL here.
    Start(Slot),
    /// `GET payments/stripe/status`: the Stripe key's mode, if any.
    StripeStatus,
    /// `POST payments/stripe/install`: a claim URL for the builder's key.
    StripeInstall,
    /// `DELETE payments/stripe`: forgets the key.
    StripeRemove,
    /// `PUT payments/stripe/key`: the key in a JSON body (beyond Base44).
    StripeKey,
    /// `GET payments/stripe/claim?ticket=..`: the claim page (a browser).
    StripeClaimPage,
    /// `POST payments/stripe/claim`: the claim page's form (a browser).
    StripeClaimSubmit,
}

fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "No such route")
}

/// The route for `method` and `path` (no query) under the app `app_id`:
/// `NOT_FOUND` for an unknown path or app, `METHOD_NOT_ALLOWED` for a known
/// path with another method.
pub fn match_route(method: &str, path: &str, app_id: &str) -> Result<Route> {
    let rest = path.strip_prefix("/api/apps/").ok_or_else(not_found)?;
    let mut segments = Vec::new();
    for raw in rest.split('/') {
        let decoded = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| not_found())?;
        if decoded.is_empty() || decoded.chars().any(char::is_control) {
            return Err(not_found());
        }
        segments.push(decoded.into_owned());
    }
    let Some((app, segments)) = segments.split_first() else {
        return Err(not_found());
    };
    if app != app_id {
        return Err(Error::new(ErrorCode::NotFound, "No such app"));
    }
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let id = |i: usize| s[i].to_owned();
    // An integration type is read in lower case (`fold_type_id`); a
    // connector id is taken as it is.
    let ty = |i: usize| fold_type_id(s[i]);
    let (route, wanted) = match s.as_slice() {
        ["external-auth", "tokens", "connectors", _] => {
            (Route::Token(Slot::Workspace(id(3))), "GET")
        }
        ["external-auth", "tokens", _] => (Route::Token(Slot::Shared(ty(2))), "GET"),
        ["app-user-auth", "connectors", _, "token"] => (Route::AppUserToken(id(2)), "GET"),
        ["app-user-auth", "connectors", _, "users", _, "token"] => {
            (Route::NamedUserToken(id(2), id(4)), "GET")
        }
        ["app-user-auth", "connectors", _, "initiate"] => (Route::Initiate(id(2)), "POST"),
        ["app-user-auth", "connectors", _, "callback"] => {
            (Route::Callback(Slot::AppUser(id(2))), "GET")
        }
        ["app-user-auth", "connectors", _] => (Route::Disconnect(id(2)), "DELETE"),
        ["connectors", _, "call"] => (Route::Call(ty(1)), "POST"),
        ["external-auth", "list"] => (Route::List, "GET"),
        ["connections"] => (Route::Connections, "GET"),
        ["external-auth", "status"] => (Route::Status, "GET"),
        ["external-auth", "available-integrations"] => (Route::Available, "GET"),
        ["external-auth", "integrations", _] => (Route::Set(Slot::Shared(ty(2))), "PUT"),
        ["external-auth", "integrations", _, "remove"] => {
            (Route::Remove(Slot::Shared(ty(2))), "DELETE")
        }
        ["external-auth", "connectors", _] => (Route::Set(Slot::Workspace(id(2))), "PUT"),
        ["external-auth", "connectors", _, "remove"] => {
            (Route::Remove(Slot::Workspace(id(2))), "DELETE")
        }
        ["external-auth", "connectors", _, "callback"] => {
            (Route::Callback(Slot::Workspace(id(2))), "GET")
        }
        ["external-auth", "callback", _] => (Route::Callback(Slot::Shared(ty(2))), "GET"),
        ["app-user-auth", "connectors", _, "start"] => (Route::Start(Slot::AppUser(id(2))), "GET"),
        ["external-auth", "connectors", _, "start"] => {
            (Route::Start(Slot::Workspace(id(2))), "GET")
        }
        ["external-auth", "start", _] => (Route::Start(Slot::Shared(ty(2))), "GET"),
        ["payments", "stripe", "status"] => (Route::StripeStatus, "GET"),
        ["payments", "stripe", "install"] => (Route::StripeInstall, "POST"),
        ["payments", "stripe"] => (Route::StripeRemove, "DELETE"),
        ["payments", "stripe", "key"] => (Route::StripeKey, "PUT"),
        // The one path with two methods: the page, and its form.
        ["payments", "stripe", "claim"] if method == "POST" => (Route::StripeClaimSubmit, "POST"),
        ["payments", "stripe", "claim"] => (Route::StripeClaimPage, "GET"),
        _ => return Err(not_found()),
    };
    if method != wanted {
        return Err(Error::new(
            ErrorCode::MethodNotAllowed,
            format!("This route takes {wanted}"),
        ));
    }
    Ok(route)
}

#[cfg(test)]
mod tests;
