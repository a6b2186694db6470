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
        ("GET", "/api/apps/app1/connections", Route::Connections),
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
        (
            "GET",
            "/api/apps/app1/payments/stripe/status",
            Route::StripeStatus,
        ),
        (
            "POST",
            "/api/apps/app1/payments/stripe/install",
            Route::StripeInstall,
        ),
        (
            "DELETE",
            "/api/apps/app1/payments/stripe",
            Route::StripeRemove,
        ),
        (
            "PUT",
            "/api/apps/app1/payments/stripe/key",
            Route::StripeKey,
        ),
        (
            "GET",
            "/api/apps/app1/payments/stripe/claim",
            Route::StripeClaimPage,
        ),
        (
            "POST",
            "/api/apps/app1/payments/stripe/claim",
            Route::StripeClaimSubmit,
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
