//! The Base44 connectors wire protocol's routes (listed in the README), all
//! under `/api/apps/{appId}/`, matched on percent-decoded path segments.

use percent_encoding::percent_decode_str;

use crate::catalog::fold_type_id;
use crate::error::{Error, ErrorCode, Result};

/// Whose connection a route is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A shared connector, by integration type.
    Shared(String),
    /// A workspace connector, by connector id.
    Workspace(String),
    /// An app-user connector, by connector id.
    AppUser(String),
}

impl Slot {
    /// What the sealed `state` names: a state made for one slot does not
    /// open at another's callback (the mix-up defence).
    pub fn label(&self) -> String {
        match self {
            Slot::Shared(t) => format!("shared:{t}"),
            Slot::Workspace(id) => format!("workspace:{id}"),
            Slot::AppUser(id) => format!("app_user:{id}"),
        }
    }

    /// The integration type or connector id.
    pub fn id(&self) -> &str {
        match self {
            Slot::Shared(id) | Slot::Workspace(id) | Slot::AppUser(id) => id,
        }
    }

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
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Result<Route> {
        match_route(method, path, "app1")
    }

    #[test]
    fn every_wire_route_matches() {
        let shared = |t: &str| Slot::Shared(t.to_owned());
        let cases = [
            (
                "GET",
                "/api/apps/app1/external-auth/tokens/slack",
                Route::Token(shared("slack")),
            ),
            (
                "GET",
                "/api/apps/app1/external-auth/tokens/connectors/team",
                Route::Token(Slot::Workspace("team".into())),
            ),
            (
                "GET",
                "/api/apps/app1/app-user-auth/connectors/c1/token",
                Route::AppUserToken("c1".into()),
            ),
            (
                "GET",
                "/api/apps/app1/app-user-auth/connectors/c1/users/u%2F1/token",
                Route::NamedUserToken("c1".into(), "u/1".into()),
            ),
            (
                "POST",
                "/api/apps/app1/app-user-auth/connectors/c1/initiate",
                Route::Initiate("c1".into()),
            ),
            (
                "DELETE",
                "/api/apps/app1/app-user-auth/connectors/c1",
                Route::Disconnect("c1".into()),
            ),
            (
                "POST",
                "/api/apps/app1/connectors/slack/call",
                Route::Call("slack".into()),
            ),
            ("GET", "/api/apps/app1/external-auth/list", Route::List),
            ("GET", "/api/apps/app1/external-auth/status", Route::Status),
            (
                "GET",
                "/api/apps/app1/external-auth/available-integrations",
                Route::Available,
            ),
            (
                "PUT",
                "/api/apps/app1/external-auth/integrations/slack",
                Route::Set(shared("slack")),
            ),
            (
                "DELETE",
                "/api/apps/app1/external-auth/integrations/slack/remove",
                Route::Remove(shared("slack")),
            ),
            (
                "GET",
                "/api/apps/app1/external-auth/callback/slack",
                Route::Callback(shared("slack")),
            ),
            (
                "GET",
                "/api/apps/app1/app-user-auth/connectors/c1/callback",
                Route::Callback(Slot::AppUser("c1".into())),
            ),
        ];
        for (method, path, want) in cases {
            assert_eq!(route(method, path).ok(), Some(want), "{method} {path}");
        }
    }

    #[test]
    fn unknown_paths_apps_and_methods_are_refused() {
        let code = |m: &str, p: &str| route(m, p).err().map(|e| e.code());
        assert_eq!(
            code("GET", "/api/apps/other/external-auth/list"),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(
            code("GET", "/api/apps/app1/nope"),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(code("GET", "/elsewhere"), Some(ErrorCode::NotFound));
        assert_eq!(
            code("GET", "/api/apps/app1/external-auth/tokens/"),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(
            code("GET", "/api/apps/app1/external-auth/tokens/%FF"),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(
            code("GET", "/api/apps/app1/external-auth/tokens/a%00"),
            Some(ErrorCode::NotFound)
        );
        assert_eq!(
            code("POST", "/api/apps/app1/external-auth/list"),
            Some(ErrorCode::MethodNotAllowed)
        );
    }

    #[test]
    fn callback_paths_keep_unreserved_characters_and_encode_what_a_segment_cannot_hold() {
        let cases = [
            (
                Slot::Shared("microsoft_teams".into()),
                "external-auth/callback/microsoft_teams",
            ),
            (
                Slot::Workspace("team-1_a.b~c".into()),
                "external-auth/connectors/team-1_a.b~c/callback",
            ),
            (
                Slot::AppUser("my_calendar".into()),
                "app-user-auth/connectors/my_calendar/callback",
            ),
            (
                Slot::AppUser("a/b?c#d%e f\"<>[\\]^`{|}".into()),
                "app-user-auth/connectors/a%2Fb%3Fc%23d%25e%20f%22%3C%3E%5B%5C%5D%5E%60%7B%7C%7D/callback",
            ),
            (
                Slot::AppUser("é\u{7f}\n".into()),
                "app-user-auth/connectors/%C3%A9%7F%0A/callback",
            ),
            // Sub-delims, ':' and '@' are pchars: they stay.
            (
                Slot::AppUser("a:b@c!$&'()*+,;=".into()),
                "app-user-auth/connectors/a:b@c!$&'()*+,;=/callback",
            ),
        ];
        for (slot, want) in cases {
            assert_eq!(slot.callback_path(), want, "{slot:?}");
        }
    }

    #[test]
    fn plain_and_encoded_ids_reach_the_same_route_and_types_fold_to_lower_case() {
        let shared = |t: &str| Some(Route::Callback(Slot::Shared(t.to_owned())));
        for path in [
            "/api/apps/app1/external-auth/callback/microsoft_teams",
            "/api/apps/app1/external-auth/callback/microsoft%5Fteams",
            "/api/apps/app1/external-auth/callback/microsoft%5fteams",
            "/api/apps/app1/external-auth/callback/Microsoft_Teams",
        ] {
            assert_eq!(route("GET", path).ok(), shared("microsoft_teams"), "{path}");
        }
        let user = |id: &str| Some(Route::Callback(Slot::AppUser(id.to_owned())));
        for path in [
            "/api/apps/app1/app-user-auth/connectors/my-cal.v2~x/callback",
            "/api/apps/app1/app-user-auth/connectors/my%2Dcal%2Ev2%7Ex/callback",
        ] {
            assert_eq!(route("GET", path).ok(), user("my-cal.v2~x"), "{path}");
        }
        // Connector ids are taken as they are; types in every route fold.
        assert_eq!(
            route(
                "GET",
                "/api/apps/app1/app-user-auth/connectors/My_Cal/callback"
            )
            .ok(),
            user("My_Cal")
        );
        let folded = [
            (
                "GET",
                "/api/apps/app1/external-auth/tokens/Slack",
                Route::Token(Slot::Shared("slack".into())),
            ),
            (
                "POST",
                "/api/apps/app1/connectors/SLACK/call",
                Route::Call("slack".into()),
            ),
            (
                "PUT",
                "/api/apps/app1/external-auth/integrations/Slack",
                Route::Set(Slot::Shared("slack".into())),
            ),
            (
                "DELETE",
                "/api/apps/app1/external-auth/integrations/Slack/remove",
                Route::Remove(Slot::Shared("slack".into())),
            ),
            (
                "GET",
                "/api/apps/app1/external-auth/tokens/connectors/Team",
                Route::Token(Slot::Workspace("Team".into())),
            ),
        ];
        for (method, path, want) in folded {
            assert_eq!(route(method, path).ok(), Some(want), "{method} {path}");
        }
    }

    #[test]
    fn callback_paths_round_trip_through_the_router() {
        for slot in [
            Slot::Shared("slack".into()),
            Slot::Shared("microsoft_teams".into()),
            Slot::Workspace("team one".into()),
            Slot::Workspace("a-b.c~d_e".into()),
            Slot::AppUser("c/1".into()),
            Slot::AppUser("é?#%".into()),
        ] {
            let path = format!("/api/apps/app1/{}", slot.callback_path());
            assert_eq!(
                route("GET", &path).ok(),
                Some(Route::Callback(slot.clone())),
                "{path}"
            );
            let path = format!("/api/apps/app1/{}", slot.start_path());
            assert_eq!(
                route("GET", &path).ok(),
                Some(Route::Start(slot.clone())),
                "{path}"
            );
        }
    }
}
