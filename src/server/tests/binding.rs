//! The start route and the browser binding: the single-use start ticket,
//! the binding cookie the callback checks, the app's page as the only
//! opener of an app user's link, and the opt-out.

use super::*;

/// The start route's answer: its binding cookie as a `Cookie` pair, after
/// checking the attributes.
fn cookie_of(r: &HttpResponse) -> String {
    let set = r.header("set-cookie").unwrap_or_default();
    assert!(
        set.starts_with("__Host-oauth-connectors-bind-")
            && set.contains("; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap_or_default().to_owned()
}

/// The callback of a provider consent URL, from a browser holding `cookie`
/// (none when empty), and no other cookie.
fn callback_with(url: &str, cookie: &str) -> Incoming {
    let mut req = callback_for(url, "&code=c&iss=https%3A%2F%2Facme.example");
    req.headers.push((
        "Cookie".into(),
        if cookie.is_empty() {
            "theme=dark".into()
        } else {
            format!("theme=dark; {cookie}")
        },
    ));
    req
}

/// The code of the callback's first failing check, which the browser sees
/// only as `invalid_state`.
fn callback_code(env: &Env, slot: &Slot, req: &Incoming) -> Option<ErrorCode> {
    let (_, query) = req.path_and_query();
    env.server
        .open_callback(slot, req, query)
        .err()
        .map(|e| e.code())
}

#[test]
fn initiate_answers_the_start_route_which_sets_the_cookie_and_sends_the_browser_on() {
    let env = env();
    let r = initiate(
        &env,
        "alice",
        r#"{"return_url":"https://app.example/done"}"#,
    );
    assert_eq!(
        r.header("set-cookie"),
        None,
        "initiate is a cross-site fetch: no cookie there"
    );
    let start = answer_url(&r);
    let prefix =
        "https://connect.example/api/apps/app1/app-user-auth/connectors/mine/start?ticket=";
    assert!(start.starts_with(prefix), "{start}");
    let ticket = &start[prefix.len()..];
    assert!(
        ticket.len() > 43
            && ticket
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    // The ticket is sealed: nothing of the user, return URL or scopes shows.
    for clear in ["alice", "app.example", "read"] {
        assert!(!ticket.contains(clear), "{clear} in {ticket}");
    }
    let opened = open_start(&env, &start);
    assert_eq!(opened.status, 303);
    let url = opened.header("location").unwrap_or_default().to_owned();
    assert!(url.starts_with("https://acme.example/authorize?"), "{url}");
    assert_eq!(query_param(&url, "code_challenge_method"), "S256");
    assert_eq!(opened.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(opened.header("cache-control"), Some("no-store"));
    let cookie = cookie_of(&opened);
    assert!(
        !url.contains(cookie.split('=').nth(1).unwrap_or("?")),
        "the cookie value is not in the URL"
    );
    assert_eq!(env.fetch.calls(), 0);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let r = send(&env, &callback_with(&url, &cookie));
    assert_eq!(
        r.header("location"),
        Some("https://app.example/done?connector=mine&status=connected")
    );
    assert!(
        r.headers.iter().any(|(k, v)| k == "set-cookie"
            && v.starts_with(&format!(
                "{}=; Max-Age=0",
                cookie.split('=').next().unwrap_or("?")
            ))),
        "the cookie is cleared"
    );
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT");
}

#[test]
fn a_missing_or_foreign_binding_cookie_is_refused_before_any_token_request() {
    let env = env();
    let slot = Slot::AppUser("mine".into());
    let alice = initiate(&env, "alice", r#"{"return_url":"https://app.example/"}"#);
    let alice_start = open_start(&env, &answer_url(&alice));
    let alice_cookie = cookie_of(&alice_start);
    let url = alice_start
        .header("location")
        .unwrap_or_default()
        .to_owned();
    let bob_start = open_start(&env, &answer_url(&initiate(&env, "bob", "")));
    let bob_cookie = cookie_of(&bob_start);
    // Bob's cookie under the name of Alice's flow: still not hers.
    let bob_value = bob_cookie.split_once('=').map_or("", |(_, v)| v);
    let alice_name = alice_cookie.split_once('=').map_or("", |(n, _)| n);
    let renamed = format!("{alice_name}={bob_value}");
    // Alice's consent URL opened by Bob (URL phishing), or by a browser
    // without the cookie: refused before any provider call, not burnt.
    for cookie in [
        bob_cookie.as_str(),
        renamed.as_str(),
        "",
        &format!("{alice_name}=forged"),
        &format!("{alice_name}="),
    ] {
        let req = callback_with(&url, cookie);
        assert_eq!(
            callback_code(&env, &slot, &req),
            Some(ErrorCode::StateBrowserMismatch),
            "{cookie}"
        );
        // The browser sees a page: the state is not trusted enough to
        // follow its return URL.
        let r = send(&env, &req);
        assert_eq!((r.status, r.header("location")), (400, None), "{cookie}");
        assert!(String::from_utf8_lossy(&r.body).contains("invalid_state"));
    }
    assert_eq!(env.fetch.calls(), 0);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let r = send(&env, &callback_with(&url, &alice_cookie));
    assert_eq!(
        r.header("location"),
        Some("https://app.example/?connector=mine&status=connected")
    );
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT");
    assert_eq!(code_of(&user_token(&env, "bob")), "NOT_CONNECTED");
}

#[test]
fn a_start_ticket_opens_once_so_the_attacker_who_opened_his_gains_nothing() {
    let env = env();
    let slot = Slot::AppUser("mine".into());
    // The attacker connects from the app's page: his browser opens the
    // start URL, is bound, and lands at the provider's consent page.
    let start = answer_url(&initiate(
        &env,
        "mallory",
        r#"{"return_url":"https://app.example/"}"#,
    ));
    let his = open_start(&env, &start);
    let consent = his.header("location").unwrap_or_default().to_owned();
    // He sends both URLs to Alice. The start URL is spent...
    env.jar.borrow_mut().clear();
    let again = send(
        &env,
        &request(
            "GET",
            start
                .strip_prefix("https://connect.example")
                .unwrap_or_default(),
            &[APP_PAGE],
            "",
        ),
    );
    assert_eq!(
        again.header("location"),
        Some("https://app.example/?connect_error=invalid_state")
    );
    assert_eq!(again.header("set-cookie"), None);
    let ticket = query_param(&start, "ticket");
    let replayed = block_on(async {
        let claims = state::open_ticket(&env.server.state_key, &ticket, &slot.label(), T0)?;
        state::consume_ticket(
            env.server.vault.store(),
            &env.server.config.app_id,
            &claims,
            T0,
        )
        .await
    });
    assert_eq!(
        replayed.err().map(|e| e.code()),
        Some(ErrorCode::StateReplayed)
    );
    // ...and the consent URL is bound to his browser: Alice's has no cookie for it.
    let req = callback_with(&consent, "");
    assert_eq!(
        callback_code(&env, &slot, &req),
        Some(ErrorCode::StateBrowserMismatch)
    );
    assert_eq!(send(&env, &req).status, 400);
    assert_eq!(env.fetch.calls(), 0);
    assert_eq!(code_of(&user_token(&env, "mallory")), "NOT_CONNECTED");
}

#[test]
fn an_app_users_start_link_opens_only_from_the_apps_page() {
    let env = env();
    // The attacker initiates through the API and never opens the link: a
    // victim's browser would be the first, so where it comes from decides.
    for referer in [
        None,
        Some("https://evil.example/phish"),
        Some("https://app.example.evil.com/"),
        Some("https://mail.example/inbox"),
        Some("not a url"),
    ] {
        let start = answer_url(&initiate(
            &env,
            "mallory",
            r#"{"return_url":"https://app.example/"}"#,
        ));
        let path = start
            .strip_prefix("https://connect.example")
            .unwrap_or_default()
            .to_owned();
        let headers: Vec<(&str, &str)> = referer.iter().map(|r| ("Referer", *r)).collect();
        let r = send(&env, &request("GET", &path, &headers, ""));
        assert_eq!(
            (r.status, r.header("location"), r.header("set-cookie")),
            (
                303,
                Some("https://app.example/?connect_error=invalid_state"),
                None
            ),
            "{referer:?}"
        );
        // Not burnt: the app's own page may still open it.
        let ok = send(&env, &request("GET", &path, &[APP_PAGE], ""));
        assert_eq!(ok.status, 303);
        assert!(
            ok.header("location")
                .is_some_and(|l| l.starts_with("https://acme.example/"))
        );
    }
    // A same-origin page sends its whole URL: only the origin counts.
    let long = format!(
        "https://app.example/invite?email=a@b.example&x={}",
        "y".repeat(3000)
    );
    for referer in [long.as_str(), "https://app.example:443/a?b=c#d"] {
        let start = answer_url(&initiate(&env, "alice", ""));
        let path = start
            .strip_prefix("https://connect.example")
            .unwrap_or_default()
            .to_owned();
        let r = send(&env, &request("GET", &path, &[("Referer", referer)], ""));
        assert!(
            r.header("location")
                .is_some_and(|l| l.starts_with("https://acme.example/")),
            "{referer}"
        );
    }
    // Userinfo, another port or scheme: not the app's page.
    for referer in [
        "https://evil@app.example/",
        "https://app.example:8443/",
        "http://app.example/",
    ] {
        let start = answer_url(&initiate(&env, "alice", ""));
        let path = start
            .strip_prefix("https://connect.example")
            .unwrap_or_default()
            .to_owned();
        let r = send(&env, &request("GET", &path, &[("Referer", referer)], ""));
        assert_eq!((r.status, r.header("set-cookie")), (400, None), "{referer}");
    }
    // The server's own origin counts as the app's (a frontend served with it).
    let start = answer_url(&initiate(&env, "alice", ""));
    let path = start
        .strip_prefix("https://connect.example")
        .unwrap_or_default()
        .to_owned();
    let own = send(
        &env,
        &request(
            "GET",
            &path,
            &[("Referer", "https://connect.example/app")],
            "",
        ),
    );
    assert!(
        own.header("location")
            .is_some_and(|l| l.starts_with("https://acme.example/"))
    );
    // The builder's consent is opened by the CLI's browser: no page, no Referer.
    let put = put_shared(&env, r#"{"scopes":["read"]}"#);
    let start = answer_url(&put);
    assert!(
        start.starts_with("https://connect.example/api/apps/app1/external-auth/start/acme?ticket="),
        "{start}"
    );
    let path = start
        .strip_prefix("https://connect.example")
        .unwrap_or_default()
        .to_owned();
    let r = send(&env, &request("GET", &path, &[], ""));
    assert!(
        r.header("location")
            .is_some_and(|l| l.starts_with("https://acme.example/"))
    );
    assert_eq!(env.fetch.calls(), 0);
}

#[test]
fn builder_consents_are_bound_to_the_browser_too() {
    let env = env();
    for (path, callback_slot) in [
        (
            "/api/apps/app1/external-auth/integrations/acme",
            Slot::Shared("acme".into()),
        ),
        (
            "/api/apps/app1/external-auth/connectors/team",
            Slot::Workspace("team".into()),
        ),
    ] {
        let put = send(
            &env,
            &request("PUT", path, &[SVC], r#"{"scopes":["read"]}"#),
        );
        let id = json_of(&put)["connection_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let start = answer_url(&put);
        assert!(
            start.starts_with(&format!(
                "https://connect.example/api/apps/app1/{}?ticket=",
                callback_slot.start_path()
            )),
            "{start}"
        );
        let opened = open_start(&env, &start);
        let cookie = cookie_of(&opened);
        let url = opened.header("location").unwrap_or_default().to_owned();
        // Another browser: refused, no token request, still pending.
        let req = callback_with(&url, "");
        assert_eq!(
            callback_code(&env, &callback_slot, &req),
            Some(ErrorCode::StateBrowserMismatch)
        );
        assert_eq!(send(&env, &req).status, 400);
        assert_eq!(env.fetch.calls(), 0);
        let status = |env: &Env| {
            let path = format!(
                "/api/apps/app1/external-auth/status?integration_type={}&connection_id={id}",
                callback_slot.id()
            );
            json_of(&send(env, &request("GET", &path, &[SVC], "")))["status"].clone()
        };
        assert_eq!(status(&env), "PENDING");
        // The builder's browser: connected, and the status follows the ticket's id.
        provider_answers(&env, tokens("B_AT", "RT", "read"));
        assert_eq!(send(&env, &callback_with(&url, &cookie)).status, 200);
        assert_eq!(status(&env), "ACTIVE");
        env.fetch.requests.borrow_mut().clear();
    }
}

#[test]
fn bad_start_requests_show_a_page_and_touch_nothing() {
    let env = env();
    let start = answer_url(&initiate(
        &env,
        "alice",
        r#"{"return_url":"https://app.example/"}"#,
    ));
    let ticket = query_param(&start, "ticket");
    let base = "/api/apps/app1/app-user-auth/connectors/mine/start";
    let flipped: String = ticket
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 30 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    // A state (from the opt-out, same secret) where a ticket goes.
    let off = env_configured(&["read"], |c| c.bind_browser(false));
    let state_as_ticket = query_param(&answer_url(&initiate(&off, "alice", "")), "state");
    for query in [
        String::new(),
        "?ticket=".into(),
        format!("?ticket={ticket}&ticket={ticket}"),
        format!("?ticket={ticket}&code=x"),
        format!("?ticket={flipped}"),
        format!("?ticket={state_as_ticket}"),
        "?ticket=%00".into(),
        format!("?ticket={}", "a".repeat(10 * 1024)),
    ] {
        let r = send(
            &env,
            &request("GET", &format!("{base}{query}"), &[APP_PAGE], ""),
        );
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.header("set-cookie"), None, "{query}");
        assert!(
            String::from_utf8_lossy(&r.body).contains("invalid_state"),
            "{query}"
        );
    }
    // Another connector's start route, a POST, an unknown connector.
    let other = send(
        &env,
        &request(
            "GET",
            &format!("/api/apps/app1/external-auth/connectors/team/start?ticket={ticket}"),
            &[APP_PAGE],
            "",
        ),
    );
    assert_eq!(other.status, 400);
    assert_eq!(
        code_of(&send(
            &env,
            &request("POST", &format!("{base}?ticket={ticket}"), &[APP_PAGE], "")
        )),
        "METHOD_NOT_ALLOWED"
    );
    let unknown = send(
        &env,
        &request(
            "GET",
            &format!("/api/apps/app1/app-user-auth/connectors/nope/start?ticket={ticket}"),
            &[APP_PAGE],
            "",
        ),
    );
    assert_eq!(unknown.status, 404);
    // The untouched ticket still opens, within its 5 minutes only.
    env.clock.now.set(T0 + 301_000);
    let late = send(
        &env,
        &request("GET", &format!("{base}?ticket={ticket}"), &[APP_PAGE], ""),
    );
    assert_eq!(late.header("location"), None);
    assert_eq!(late.status, 400);
    assert_eq!(env.fetch.calls(), 0);
    assert!(
        !env.store.dump().contains("oauth-connectors:start:"),
        "nothing burnt"
    );
}

#[test]
fn a_state_bound_to_no_browser_is_refused_while_binding_is_on() {
    // A consent URL made by the opt-out (the same secret, binding off)...
    let off = env_configured(&["read"], |c| c.bind_browser(false));
    let url = answer_url(&initiate(&off, "alice", ""));
    assert!(url.starts_with("https://acme.example/authorize?"), "{url}");
    // ...opens where binding is off, and not where it is on.
    let on = env();
    let req = callback_with(&url, "");
    assert_eq!(
        callback_code(&on, &Slot::AppUser("mine".into()), &req),
        Some(ErrorCode::StateBrowserMismatch)
    );
    assert_eq!(on.fetch.calls(), 0);
    provider_answers(&off, tokens("AT", "RT", "read"));
    assert_eq!(send(&off, &req).status, 200);
    assert_eq!(json_of(&user_token(&off, "alice"))["access_token"], "AT");
}

#[test]
fn two_consents_in_one_browser_do_not_undo_each_other() {
    let env = env();
    // Alice starts twice (two tabs); each start sets its own cookie.
    let first = redirect_url_in(&env, &initiate(&env, "alice", ""));
    let second = redirect_url_in(&env, &put_shared(&env, r#"{"scopes":["read"]}"#));
    assert_eq!(env.jar.borrow().len(), 2);
    provider_answers(&env, tokens("SHARED_AT", "RT", "read"));
    let r = send(
        &env,
        &callback_for(&second, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    provider_answers(&env, tokens("AT", "RT", "read"));
    let r = send(
        &env,
        &callback_for(&first, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT");
    assert_eq!(json_of(&shared_token(&env))["access_token"], "SHARED_AT");
}
