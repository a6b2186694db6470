//! The server over fakes: every route's success and error paths, the
//! callback's checks (state, mix-up, replay, issuer, return URLs), and a sentinel
//! canary over every answer.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value;

use super::*;
use crate::catalog::{Catalog, Provider};
use crate::http::{FetchFailure, HttpRequest};
use crate::identity::User;
use crate::oauth::secret::ClientSecret;
use crate::oauth::state;
use crate::oauth::token::ClientCredentials;
use crate::test_util::{FakeClock, FakeFetch, MemoryStore, block_on, join_all, json_response};
use crate::vault::{KeyRing, VaultOptions};

const SECRET: &str = "server-test-secret-0123456789abcdef";
const SERVICE: &str = "service-token-0123456789";
const T0: u64 = 1_700_000_000_000;

/// User tokens are `user-<id>`; anything else is refused.
pub(super) struct FakeUsers;

impl Users for FakeUsers {
    async fn verify(&self, token: &str, _now_ms: u64) -> Result<User> {
        token
            .strip_prefix("user-")
            .map(|id| User {
                id: id.to_owned(),
                email: None,
            })
            .ok_or_else(|| Error::new(ErrorCode::JwtInvalid, "The user token does not verify"))
    }
}

pub(super) type TestServer = Server<Rc<MemoryStore>, Rc<FakeFetch>, Rc<FakeClock>, FakeUsers>;

struct Env {
    server: TestServer,
    fetch: Rc<FakeFetch>,
    store: Rc<MemoryStore>,
    clock: Rc<FakeClock>,
    /// The cookies of the test's one browser: `send` presents them.
    jar: std::cell::RefCell<Vec<String>>,
    /// Every lifecycle event, as `{:?}`.
    events: Rc<std::cell::RefCell<Vec<String>>>,
}

fn provider() -> Provider {
    Provider::from_json(
        r#"{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize",
            "token_url": "https://acme.example/token",
            "revocation": {"url": "https://acme.example/revoke"},
            "issuer": "https://acme.example",
            "api_base_urls": ["https://api.acme.example/v1"]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn env_with(shared_scopes: &[&str]) -> Env {
    env_configured(shared_scopes, |_| {})
}

fn env_configured(shared_scopes: &[&str], configure: impl FnOnce(&mut ServerConfig)) -> Env {
    let clock = Rc::new(FakeClock::at(T0));
    let store = MemoryStore::on(&clock);
    let fetch = Rc::new(FakeFetch::default());
    let mut catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .register(provider())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut config = ServerConfig::new("app1", "https://connect.example/", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    let credentials = ClientCredentials {
        client_id: "client-1".into(),
        client_secret: Some(ClientSecret::new("SENTINEL_CS")),
    };
    let scopes = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    for (slot, s) in [
        (Slot::Shared("acme".into()), scopes(shared_scopes)),
        (Slot::Workspace("team".into()), scopes(&["read"])),
        (Slot::AppUser("mine".into()), scopes(&["read"])),
    ] {
        config
            .add_connector(slot, provider(), credentials.clone(), &s, BTreeMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    config
        .add_service_token(SERVICE)
        .unwrap_or_else(|e| panic!("{e}"));
    config
        .allow_return_urls(&["https://app.example".into()])
        .unwrap_or_else(|e| panic!("{e}"));
    configure(&mut config);
    let ring = KeyRing::new(&[SECRET]).unwrap_or_else(|e| panic!("{e}"));
    let events = Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = Rc::clone(&events);
    let vault = Vault::new(
        ring,
        Rc::clone(&store),
        Rc::clone(&clock),
        VaultOptions {
            app: "app1".into(),
            ..VaultOptions::default()
        },
    )
    .on_event(Box::new(move |e| seen.borrow_mut().push(format!("{e:?}"))));
    let server = Server::new(
        config,
        vault,
        Rc::clone(&fetch),
        FakeUsers,
        SECRET.as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Env {
        server,
        fetch,
        store,
        clock,
        jar: std::cell::RefCell::new(Vec::new()),
        events,
    }
}

fn env() -> Env {
    env_with(&["read"])
}

fn tokens(at: &str, rt: &str, scope: &str) -> std::result::Result<HttpResponse, FetchFailure> {
    Ok(json_response(
        200,
        &format!(
            r#"{{"access_token":"{at}","refresh_token":"{rt}","expires_in":3600,"token_type":"Bearer","scope":"{scope}"}}"#
        ),
    ))
}

fn answer_url(r: &HttpResponse) -> String {
    json_of(r)["redirect_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The page of the app a browser opens consent URLs from.
const APP_PAGE: (&str, &str) = ("Referer", "https://app.example/settings");

/// Opens a start URL as the browser does from the app's page: the 303 to
/// the provider, its binding cookie kept in the jar.
fn open_start(env: &Env, start_url: &str) -> HttpResponse {
    let path = start_url
        .strip_prefix("https://connect.example")
        .unwrap_or(start_url);
    let r = send(env, &request("GET", path, &[APP_PAGE], ""));
    if let Some(cookie) = r.header("set-cookie") {
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        env.jar.borrow_mut().push(pair);
    }
    r
}

/// The provider's consent URL of an initiate or PUT answer, reached
/// through the start route as a browser would (its cookie kept).
fn redirect_url_in(env: &Env, r: &HttpResponse) -> String {
    let start = answer_url(r);
    let opened = open_start(env, &start);
    assert_eq!(
        opened.status,
        303,
        "{start}: {}",
        String::from_utf8_lossy(&opened.body)
    );
    opened.header("location").unwrap_or_default().to_owned()
}

fn put_shared(env: &Env, body: &str) -> HttpResponse {
    send(
        env,
        &request(
            "PUT",
            "/api/apps/app1/external-auth/integrations/acme",
            &[SVC],
            body,
        ),
    )
}

fn shared_token(env: &Env) -> HttpResponse {
    send(
        env,
        &request(
            "GET",
            "/api/apps/app1/external-auth/tokens/acme",
            &[SVC],
            "",
        ),
    )
}

/// The provider's next answer.
fn provider_answers(env: &Env, response: std::result::Result<HttpResponse, FetchFailure>) {
    env.fetch.answers.borrow_mut().push_back(response);
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Incoming {
    Incoming {
        method: method.into(),
        url: format!("https://connect.example{path}"),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

const SVC: (&str, &str) = ("Authorization", "Bearer service-token-0123456789");

/// Sends a request from the test's browser: with the jar's cookies,
/// unless the request names its own.
fn send(env: &Env, req: &Incoming) -> HttpResponse {
    let jar = env.jar.borrow().join("; ");
    if jar.is_empty() || req.header("cookie").is_some() {
        return block_on(env.server.handle(req));
    }
    let mut req = req.clone();
    req.headers.push(("Cookie".into(), jar));
    block_on(env.server.handle(&req))
}

fn json_of(response: &HttpResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

/// The error code of an error answer, checked against its header.
fn code_of(response: &HttpResponse) -> String {
    let body = json_of(response);
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        response.header("x-base44-connector-error"),
        Some(code.as_str())
    );
    assert!(body["error"]["message"].is_string());
    code
}

fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The path and query of a callback for `redirect_url`'s state.
fn callback_for(redirect_url: &str, extra: &str) -> Incoming {
    let redirect_uri = query_param(redirect_url, "redirect_uri");
    let state = query_param(redirect_url, "state");
    let path = redirect_uri
        .strip_prefix("https://connect.example")
        .unwrap_or_default()
        .to_owned();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("state", &state);
    let url = format!("{path}?{}{extra}", query.finish());
    request("GET", &url, &[], "")
}

/// Initiates an app-user connection for `user`; the redirect URL.
fn initiate(env: &Env, user: &str, body: &str) -> HttpResponse {
    let auth = format!("Bearer user-{user}");
    send(
        env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[("Authorization", &auth)],
            body,
        ),
    )
}

fn connect_user(env: &Env, user: &str, at: &str) -> HttpResponse {
    let r = initiate(env, user, r#"{"return_url":"https://app.example/done"}"#);
    let url = redirect_url_in(env, &r);
    provider_answers(env, tokens(at, &format!("{at}-rt"), "read"));
    send(
        env,
        &callback_for(&url, "&code=SENTINEL_CODE&iss=https%3A%2F%2Facme.example"),
    )
}

fn user_token(env: &Env, user: &str) -> HttpResponse {
    let obo = format!("Bearer user-{user}");
    send(
        env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/mine/token",
            &[SVC, ("on-behalf-of", &obo), ("X-User-Id", "bob")],
            "",
        ),
    )
}

#[test]
fn an_app_user_connects_and_reads_only_their_own_token() {
    let env = env();
    let r = initiate(
        &env,
        "alice",
        r#"{"return_url":"https://app.example/done"}"#,
    );
    assert_eq!(r.status, 200);
    let url = redirect_url_in(&env, &r);
    assert!(url.starts_with("https://acme.example/authorize?"), "{url}");
    assert_eq!(query_param(&url, "code_challenge_method"), "S256");
    assert_eq!(
        query_param(&url, "redirect_uri"),
        "https://connect.example/api/apps/app1/app-user-auth/connectors/mine/callback"
    );
    assert!(query_param(&url, "state").len() > 43);

    provider_answers(&env, tokens("SENTINEL_AT", "SENTINEL_RT", "read"));
    let r = send(
        &env,
        &callback_for(&url, "&code=SENTINEL_CODE&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("https://app.example/done?connector=mine&status=connected")
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // The code went to the token endpoint with the verifier.
    let sent = String::from_utf8_lossy(&env.fetch.requests.borrow()[0].body).into_owned();
    assert!(sent.contains("code=SENTINEL_CODE") && sent.contains("code_verifier="));

    let r = user_token(&env, "alice");
    assert_eq!(r.status, 200);
    assert_eq!(
        json_of(&r),
        serde_json::json!({ "access_token": "SENTINEL_AT", "connection_config": null })
    );
    // Bob (whatever headers say) has no connection; the background route names alice.
    assert_eq!(code_of(&user_token(&env, "bob")), "NOT_CONNECTED");
    let named = request(
        "GET",
        "/api/apps/app1/app-user-auth/connectors/mine/users/alice/token",
        &[SVC],
        "",
    );
    assert_eq!(json_of(&send(&env, &named))["access_token"], "SENTINEL_AT");
    assert!(!env.store.dump().contains("SENTINEL"), "sealed at rest");
}

#[test]
fn two_users_get_two_connections() {
    let env = env();
    assert_eq!(connect_user(&env, "alice", "AT_A").status, 303);
    assert_eq!(connect_user(&env, "bob", "AT_B").status, 303);
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT_A");
    assert_eq!(json_of(&user_token(&env, "bob"))["access_token"], "AT_B");
    // Bob disconnecting leaves Alice intact; his tokens are revoked.
    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    let r = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/app-user-auth/connectors/mine",
            &[("Authorization", "Bearer user-bob")],
            "",
        ),
    );
    assert_eq!(
        json_of(&r),
        serde_json::json!({"status": "disconnected", "revocation": "revoked"})
    );
    let revoked: Vec<String> = env.fetch.requests.borrow()[2..]
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(revoked[0].contains("token=AT_B-rt") && revoked[1].contains("token=AT_B"));
    assert_eq!(code_of(&user_token(&env, "bob")), "NOT_CONNECTED");
    assert_eq!(json_of(&user_token(&env, "alice"))["access_token"], "AT_A");
}

#[test]
fn a_state_opens_once_for_its_own_connector_within_ten_minutes() {
    let env = env();
    let r = initiate(&env, "alice", r#"{"return_url":"https://app.example/"}"#);
    let url = redirect_url_in(&env, &r);
    // Another connector's callback: refused before any provider call.
    let mut other = callback_for(&url, "&code=x");
    other.url = other.url.replace(
        "/app-user-auth/connectors/mine/",
        "/external-auth/connectors/team/",
    );
    let r = send(&env, &other);
    assert_eq!((r.status, env.fetch.calls()), (400, 0));
    assert!(String::from_utf8_lossy(&r.body).contains("invalid_state"));
    // Tampered: one character changed.
    let state = query_param(&url, "state");
    let flipped: String = state
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 20 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    let tampered = url.replace(&state, &flipped);
    assert_eq!(send(&env, &callback_for(&tampered, "&code=x")).status, 400);
    // The wrong issuer: refused, and the state is not burnt by it.
    let r = send(
        &env,
        &callback_for(&url, "&code=x&iss=https%3A%2F%2Fevil.example"),
    );
    assert_eq!(
        r.header("location"),
        Some("https://app.example/?connect_error=invalid_state")
    );
    assert_eq!(env.fetch.calls(), 0);
    // At +599 s it works once; again it is a replay.
    env.clock.now.set(T0 + 599_000);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let ok = callback_for(&url, "&code=x&iss=https%3A%2F%2Facme.example");
    assert_eq!(
        send(&env, &ok).header("location"),
        Some("https://app.example/?connector=mine&status=connected")
    );
    assert_eq!(
        send(&env, &ok).header("location"),
        Some("https://app.example/?connect_error=invalid_state")
    );
    assert_eq!(env.fetch.calls(), 1);
    // A state older than 10 minutes.
    let r = initiate(&env, "alice", "");
    let late = redirect_url_in(&env, &r);
    env.clock.now.set(env.clock.now.get() + 601_000);
    let r = send(
        &env,
        &callback_for(&late, "&code=x&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
}

#[test]
fn concurrent_callbacks_with_one_state_make_one_token_request() {
    let env = env();
    let r = initiate(&env, "alice", "");
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let mut req = callback_for(&url, "&code=x&iss=https%3A%2F%2Facme.example");
    req.headers
        .push(("Cookie".into(), env.jar.borrow().join("; ")));
    let answers = join_all((0..10).map(|_| env.server.handle(&req)).collect());
    assert_eq!(env.fetch.calls(), 1);
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 1);
}

#[test]
fn a_refused_consent_burns_the_state_and_stores_nothing() {
    let env = env();
    let r = initiate(&env, "alice", "");
    let url = redirect_url_in(&env, &r);
    let denied = callback_for(
        &url,
        "&error=access_denied&error_description=%3Cscript%3E&iss=https%3A%2F%2Facme.example",
    );
    let r = send(&env, &denied);
    let page = String::from_utf8_lossy(&r.body).into_owned();
    assert!(r.status == 400 && page.contains("access_denied") && !page.contains("<script>"));
    assert!(String::from_utf8_lossy(&send(&env, &denied).body).contains("invalid_state"));
    assert_eq!(code_of(&user_token(&env, "alice")), "NOT_CONNECTED");
}

#[test]
fn malformed_callbacks_show_a_page_without_touching_the_provider() {
    let env = env();
    for query in [
        "",
        "?code=x",
        "?state=&code=x",
        "?state=a&state=a&code=x",
        "?state=%00&code=x",
    ] {
        let path = format!("/api/apps/app1/app-user-auth/connectors/mine/callback{query}");
        let r = send(&env, &request("GET", &path, &[], ""));
        assert_eq!(r.status, 400, "{query}");
        assert!(String::from_utf8_lossy(&r.body).contains("invalid_state"));
    }
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/nope/callback?state=a&code=b",
            &[],
            "",
        ),
    );
    // An unknown connector, not a provider's failure.
    assert_eq!(r.status, 404);
    assert!(String::from_utf8_lossy(&r.body).contains("unknown_connector"));
    assert_eq!(env.fetch.calls(), 0);
}

#[test]
fn return_urls_come_from_the_body_or_the_origin_header_and_must_be_allowed() {
    let env = env();
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[
                ("Authorization", "Bearer user-alice"),
                ("X-Origin-URL", "https://app.example/page"),
            ],
            "",
        ),
    );
    assert_eq!(r.status, 200);
    for bad in [
        "//evil.com",
        "/\\\\evil.com",
        "https://app.example.evil.com",
        "https://app.example@evil.com",
        "javascript:alert(1)",
    ] {
        let body = serde_json::json!({ "return_url": bad }).to_string();
        assert_eq!(
            code_of(&initiate(&env, "alice", &body)),
            "RETURN_URL_NOT_ALLOWED",
            "{bad}"
        );
    }
    assert_eq!(
        code_of(&initiate(&env, "alice", "{\"return\":1}")),
        "INVALID_INPUT"
    );
    assert_eq!(
        code_of(&initiate(&env, "alice", "not json")),
        "INVALID_INPUT"
    );
    let big = format!("{{\"return_url\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
    assert_eq!(code_of(&initiate(&env, "alice", &big)), "BODY_TOO_LARGE");
}

#[test]
fn identity_is_checked_on_every_route() {
    let env = env();
    let token = "/api/apps/app1/external-auth/tokens/acme";
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], "UNAUTHENTICATED"),
        (&[("Authorization", "Basic abc")], "UNAUTHENTICATED"),
        (
            &[("Authorization", "Bearer not-a-service-token")],
            "UNAUTHENTICATED",
        ),
        (&[("Authorization", "Bearer user-alice")], "FORBIDDEN"),
        (
            &[("authorization", "bearer service-token-0123456789")],
            "NOT_CONNECTED",
        ),
    ];
    for (headers, want) in cases {
        assert_eq!(
            code_of(&send(&env, &request("GET", token, headers, ""))),
            want
        );
    }
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/app-user-auth/connectors/mine/token",
            &[SVC],
            "",
        ),
    );
    assert_eq!((r.status, code_of(&r).as_str()), (401, "UNAUTHENTICATED"));
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[],
            "",
        ),
    );
    assert_eq!(r.status, 401);
    // A user may start their own connection through the service role too.
    let r = send(
        &env,
        &request(
            "POST",
            "/api/apps/app1/app-user-auth/connectors/mine/initiate",
            &[SVC, ("on-behalf-of", "Bearer user-alice")],
            "",
        ),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn routes_apps_methods_and_connectors_are_checked() {
    let env = env();
    let cases = [
        ("GET", "/api/apps/app1/nope", "NOT_FOUND", 404),
        (
            "GET",
            "/api/apps/other/external-auth/list",
            "NOT_FOUND",
            404,
        ),
        (
            "DELETE",
            "/api/apps/app1/external-auth/list",
            "METHOD_NOT_ALLOWED",
            405,
        ),
        (
            "GET",
            "/api/apps/app1/external-auth/tokens/slack",
            "UNKNOWN_CONNECTOR",
            404,
        ),
        (
            "GET",
            "/api/apps/app1/external-auth/tokens/connectors/nope",
            "UNKNOWN_CONNECTOR",
            404,
        ),
    ];
    for (method, path, code, status) in cases {
        let r = send(&env, &request(method, path, &[SVC], ""));
        assert_eq!(
            (code_of(&r).as_str(), r.status),
            (code, status),
            "{method} {path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}

/// PUT, consent, callback: the shared connection of the management flow.
fn connect_shared(env: &Env, scopes: &str, at: &str) -> Value {
    let r = send(
        env,
        &request(
            "PUT",
            "/api/apps/app1/external-auth/integrations/acme",
            &[SVC],
            &format!("{{\"scopes\":{scopes}}}"),
        ),
    );
    let answer = json_of(&r);
    if answer["redirect_url"].is_string() {
        let url = redirect_url_in(env, &r);
        let granted = query_param(&url, "scope");
        provider_answers(env, tokens(at, "RT", &granted));
        let r = send(
            env,
            &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    answer
}

fn status_of(env: &Env, id: &str) -> Value {
    let path =
        format!("/api/apps/app1/external-auth/status?integration_type=acme&connection_id={id}");
    json_of(&send(env, &request("GET", &path, &[SVC], "")))["status"].clone()
}

#[test]
fn the_management_flow_connects_a_shared_connector() {
    let env = env();
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    let answer = json_of(&r);
    assert_eq!(answer["already_authorized"], false);
    assert_eq!(answer["error"], Value::Null);
    let id = answer["connection_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(status_of(&env, &id), "PENDING");
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("SHARED_AT", "RT", "read"));
    let r = send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert!(String::from_utf8_lossy(&r.body).contains("acme is connected"));
    assert_eq!(status_of(&env, &id), "ACTIVE");
    assert_eq!(status_of(&env, "unknown"), "FAILED");
    // The same id polled under another type is unknown there.
    let path =
        format!("/api/apps/app1/external-auth/status?integration_type=slack&connection_id={id}");
    assert_eq!(
        json_of(&send(&env, &request("GET", &path, &[SVC], "")))["status"],
        "FAILED"
    );

    let token = shared_token(&env);
    assert_eq!(
        json_of(&token),
        serde_json::json!({"access_token": "SHARED_AT", "integration_type": "acme", "connection_config": null})
    );
    let list = json_of(&send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/list", &[SVC], ""),
    ));
    assert_eq!(
        list,
        serde_json::json!({"integrations": [{"integration_type": "acme", "status": "active", "scopes": ["read"]}]})
    );
    // The same scopes again: nothing to do.
    let again = connect_shared(&env, r#"["read"]"#, "unused");
    assert_eq!(again["already_authorized"], true);
    assert_eq!(again["redirect_url"], Value::Null);
    // More scopes: consent for the union.
    let more = put_shared(&env, r#"{"scopes":["write"]}"#);
    let url = redirect_url_in(&env, &more);
    assert_eq!(query_param(&url, "scope"), "read write");

    let available = json_of(&send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/external-auth/available-integrations",
            &[SVC],
            "",
        ),
    ));
    let list = available["integrations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        list.iter()
            .any(|i| i["integration_type"] == "googlecalendar")
    );
    assert!(list.iter().any(|i| i["integration_type"] == "acme"));

    env.fetch
        .answers
        .borrow_mut()
        .extend([Ok(json_response(200, "{}")), Ok(json_response(200, "{}"))]);
    let removed = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/external-auth/integrations/acme/remove",
            &[SVC],
            "",
        ),
    );
    assert_eq!(json_of(&removed)["status"], "removed");
    assert_eq!(json_of(&removed)["integration_type"], "acme");
    let token = shared_token(&env);
    assert_eq!(code_of(&token), "NOT_CONNECTED");
    let r = put_shared(&env, r#"{"scopes":["a b"]}"#);
    assert_eq!(code_of(&r), "INVALID_SCOPE");
}

#[test]
fn a_workspace_connector_connects_through_its_own_put() {
    let env = env();
    let r = send(
        &env,
        &request(
            "PUT",
            "/api/apps/app1/external-auth/connectors/team",
            &[SVC],
            "",
        ),
    );
    let url = redirect_url_in(&env, &r);
    assert_eq!(query_param(&url, "scope"), "read");
    provider_answers(&env, tokens("TEAM_AT", "RT", "read"));
    assert_eq!(
        send(
            &env,
            &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example")
        )
        .status,
        200
    );
    let r = send(
        &env,
        &request(
            "GET",
            "/api/apps/app1/external-auth/tokens/connectors/team",
            &[SVC],
            "",
        ),
    );
    assert_eq!(json_of(&r)["access_token"], "TEAM_AT");
    assert_eq!(json_of(&r)["integration_type"], "acme");
}

#[test]
fn scopes_asked_later_make_token_reads_name_what_is_missing() {
    let env = env_with(&["read", "write"]);
    // The grant covers only `read` (the provider granted less).
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = shared_token(&env);
    assert_eq!((r.status, code_of(&r).as_str()), (409, "SCOPES_MISSING"));
    assert!(
        json_of(&r)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("(write)")
    );
    // The PUT without scopes asks for the connector's own, unioned with the grant.
    let r = put_shared(&env, "");
    let url = redirect_url_in(&env, &r);
    assert_eq!(query_param(&url, "scope"), "read write");
}

#[test]
fn an_expired_token_is_refreshed_on_read() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(&env, tokens("AT2", "RT2", "read"));
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    let sent = String::from_utf8_lossy(&env.fetch.requests.borrow()[1].body).into_owned();
    assert!(sent.contains("grant_type=refresh_token"));
    // invalid_grant: the connection needs a reconnect, and says so.
    env.clock.now.set(T0 + 7_200_000);
    provider_answers(&env, Ok(json_response(400, r#"{"error":"invalid_grant"}"#)));
    let r = shared_token(&env);
    assert_eq!((r.status, code_of(&r).as_str()), (409, "NEEDS_RECONNECT"));
    let list = json_of(&send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/list", &[SVC], ""),
    ));
    assert_eq!(list["integrations"][0]["status"], "expired");
}

#[test]
fn token_reads_say_how_long_the_token_is_handed_out_as_it_is() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    // Issued at T0 for an hour; handed out until the earliest refresh, 5.5
    // minutes (the skew and its jitter) before that.
    let ttl = |r: &HttpResponse| r.header(TOKEN_TTL_HEADER).map(str::to_owned);
    assert_eq!(ttl(&shared_token(&env)).as_deref(), Some("3270000"));
    env.clock.now.set(T0 + 3_000_000);
    assert_eq!(ttl(&shared_token(&env)).as_deref(), Some("270000"));
    // Past the earliest refresh: refreshed, and the new token's TTL.
    env.clock.now.set(T0 + 3_400_000);
    provider_answers(&env, tokens("AT2", "RT2", "read"));
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    assert_eq!(ttl(&r).as_deref(), Some("3270000"));
    // A token without an expiry: a day (the client's own cap decides).
    let url = redirect_url_in(&env, &initiate(&env, "alice", "{}"));
    provider_answers(
        &env,
        Ok(json_response(
            200,
            r#"{"access_token":"AT-forever","token_type":"Bearer","scope":"read"}"#,
        )),
    );
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = user_token(&env, "alice");
    assert_eq!(json_of(&r)["access_token"], "AT-forever");
    assert_eq!(ttl(&r).as_deref(), Some("86400000"));
    // No header on an error answer.
    let r = send(
        &env,
        &request("GET", "/api/apps/app1/external-auth/tokens/acme", &[], ""),
    );
    assert_eq!((r.status, ttl(&r)), (401, None));
}

#[test]
fn a_short_lived_token_is_handed_out_for_half_its_lifetime_then_refreshed_once() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "AT1");
    env.clock.now.set(T0 + 3_600_000);
    // Refreshed tokens live 2 minutes.
    provider_answers(
        &env,
        Ok(json_response(
            200,
            r#"{"access_token":"AT2","refresh_token":"RT2","expires_in":120,"scope":"read"}"#,
        )),
    );
    let ttl = |r: &HttpResponse| r.header(TOKEN_TTL_HEADER).map(str::to_owned);
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
    assert_eq!(ttl(&r).as_deref(), Some("60000"));
    let calls = env.fetch.calls();
    for second in 1..=3 {
        env.clock.now.set(T0 + 3_600_000 + second * 1_000);
        let r = shared_token(&env);
        assert_eq!(json_of(&r)["access_token"], "AT2");
        assert_eq!(ttl(&r), Some((60_000 - second * 1_000).to_string()));
    }
    assert_eq!(env.fetch.calls(), calls, "not refreshed again");
}

fn call(env: &Env, body: &str) -> HttpResponse {
    send(
        env,
        &request("POST", "/api/apps/app1/connectors/acme/call", &[SVC], body),
    )
}

#[test]
fn the_proxy_attaches_the_token_and_reports_each_phase() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "SENTINEL_AT");
    env.fetch.answers.borrow_mut().extend([
        Ok(json_response(200, r#"{"items":[1]}"#)),
        Ok(json_response(404, r#"{"message":"nope"}"#)),
        Err(FetchFailure::BeforeSend),
    ]);
    let r = call(
        &env,
        r#"{"method":"GET","path":"/items","query":{"q":"x"}}"#,
    );
    let a = json_of(&r);
    assert_eq!(
        (a["success"].clone(), a["phase"].clone()),
        (Value::Bool(true), Value::from("responded"))
    );
    assert_eq!(a["data"]["items"][0], 1);
    let upstream: HttpRequest = env
        .fetch
        .requests
        .borrow()
        .last()
        .cloned()
        .unwrap_or_else(|| panic!("sent"));
    assert_eq!(upstream.url, "https://api.acme.example/v1/items?q=x");
    assert_eq!(upstream.header("authorization"), Some("Bearer SENTINEL_AT"));
    assert!(!String::from_utf8_lossy(&r.body).contains("SENTINEL_AT"));
    let a = json_of(&call(&env, r#"{"path":"/missing"}"#));
    assert_eq!(
        (a["success"].clone(), a["status_code"].clone()),
        (Value::Bool(false), Value::from(404))
    );
    let a = json_of(&call(&env, r#"{"path":"/down"}"#));
    assert_eq!(a["phase"], "not_sent");
    for (body, code) in [
        (r#"{"path":"/x","host":"evil.com"}"#, "PROXY_NOT_ALLOWED"),
        (
            r#"{"path":"/x","headers":{"Authorization":"Bearer x"}}"#,
            "PROXY_NOT_ALLOWED",
        ),
        (r#"{"path":"/../x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"paths":"/x"}"#, "INVALID_INPUT"),
        ("", "INVALID_INPUT"),
    ] {
        assert_eq!(code_of(&call(&env, body)), code, "{body}");
    }
}

#[test]
fn the_proxy_refuses_what_fetch_would_resolve_or_refuse_before_sending() {
    let env = env();
    connect_shared(&env, r#"["read"]"#, "SENTINEL_AT");
    let sent = env.fetch.requests.borrow().len();
    for (body, code) in [
        (r#"{"path":"/.%2e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/%2e./x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/.%2E/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/a/.%2e/.%2e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/a/%252e%252e/x"}"#, "PROXY_NOT_ALLOWED"),
        (r#"{"path":"/x","headers":{"accept":"€"}}"#, "INVALID_INPUT"),
        (
            r#"{"path":"/x","headers":{"accept":"a\u0000"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x y-version":"1"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x:y-version":"1"}}"#,
            "INVALID_INPUT",
        ),
        (
            r#"{"path":"/x","headers":{"x-ü-version":"1"}}"#,
            "INVALID_INPUT",
        ),
    ] {
        assert_eq!(code_of(&call(&env, body)), code, "{body}");
    }
    assert_eq!(env.fetch.requests.borrow().len(), sent, "nothing was sent");
}

#[test]
fn no_answer_ever_holds_a_secret() {
    let env = env();
    let mut seen = String::new();
    let mut record = |r: &HttpResponse| {
        seen.push_str(&String::from_utf8_lossy(&r.body));
        for (k, v) in &r.headers {
            seen.push_str(&format!("{k}: {v}\n"));
        }
    };
    let r = initiate(&env, "alice", r#"{"return_url":"https://app.example/"}"#);
    let url = redirect_url_in(&env, &r);
    let state = query_param(&url, "state");
    // A provider that echoes the code and the secret in its error.
    provider_answers(
        &env,
        Ok(json_response(
            400,
            r#"{"error":"invalid_grant","error_description":"SENTINEL_CODE SENTINEL_CS"}"#,
        )),
    );
    record(&send(
        &env,
        &callback_for(&url, "&code=SENTINEL_CODE&iss=https%3A%2F%2Facme.example"),
    ));
    record(&connect_user(&env, "bob", "SENTINEL_AT"));
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(
        &env,
        Ok(json_response(
            500,
            r#"{"error":"server_error","error_description":"SENTINEL_AT-rt"}"#,
        )),
    );
    record(&user_token(&env, "bob"));
    record(&send(&env, &callback_for(&url, "&code=SENTINEL_CODE")));
    for needle in ["SENTINEL", state.as_str()] {
        assert!(!seen.contains(needle), "{needle} leaked: {seen}");
    }
    assert!(!env.store.dump().contains("SENTINEL"));
}

/// Issue 16 §5: a provider that echoes the refresh token, the access
/// token, the client secret and the code into `error`, `error_description`,
/// `error_uri`, `message` and `detail`, on every path: the code exchange
/// (app user and shared), the callback's own `error=`, the refresh, the
/// revocation and the proxy. No sentinel reaches an answer (body or
/// header), an error message, an event or the store.
#[test]
fn a_provider_that_echoes_every_secret_everywhere_leaks_none() {
    const AT: &str = "SNTL_AT_9f8e7d6c5b4a";
    const RT: &str = "SNTL_RT_0a1b2c3d4e5f";
    const CS: &str = "SENTINEL_CS";
    const CODE: &str = "SNTL_CODE_77aa88bb";
    let echo = |value: &str| {
        format!(
            r#"{{"error":"{value}","error_description":"{value}","error_uri":"{value}","message":"{value}","detail":"{value}"}}"#
        )
    };
    let all = [RT, AT, CS, CODE].join(" ");
    let mut bodies: Vec<String> = [RT, AT, CS, CODE, all.as_str()]
        .iter()
        .map(|v| echo(v))
        .collect();
    bodies.push(format!(r#"{{"error":"{RT}"}}"#));
    bodies.push(format!(
        r#"{{"error":{{"message":"{all}","detail":"{all}"}}}}"#
    ));
    let env = env();
    let mut seen = String::new();
    let mut record = |r: &HttpResponse| {
        seen.push_str(&String::from_utf8_lossy(&r.body));
        for (k, v) in &r.headers {
            seen.push_str(&format!("\n{k}: {v}"));
        }
        seen.push('\n');
    };
    let code = format!("&code={CODE}&iss=https%3A%2F%2Facme.example");
    // The code exchange, for an app user and for the shared connection.
    for body in &bodies {
        for status in [400, 200, 401] {
            let r = initiate(
                &env,
                "alice",
                r#"{"return_url":"https://app.example/done"}"#,
            );
            record(&r);
            provider_answers(&env, Ok(json_response(status, body)));
            record(&send(
                &env,
                &callback_for(&redirect_url_in(&env, &r), &code),
            ));
            let r = put_shared(&env, r#"{"scopes":["read"]}"#);
            record(&r);
            provider_answers(&env, Ok(json_response(status, body)));
            record(&send(
                &env,
                &callback_for(&redirect_url_in(&env, &r), &code),
            ));
            let id = json_of(&r)["connection_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let path = format!(
                "/api/apps/app1/external-auth/status?integration_type=acme&connection_id={id}"
            );
            record(&send(&env, &request("GET", &path, &[SVC], "")));
        }
    }
    // The provider's own error redirect.
    for value in [RT, AT, CS, CODE] {
        let r = initiate(
            &env,
            "alice",
            r#"{"return_url":"https://app.example/done"}"#,
        );
        let extra = format!(
            "&error={value}&error_description={value}&error_uri={value}&iss=https%3A%2F%2Facme.example"
        );
        record(&send(
            &env,
            &callback_for(&redirect_url_in(&env, &r), &extra),
        ));
    }
    assert_eq!(code_of(&user_token(&env, "alice")), "NOT_CONNECTED");
    // Refresh: bob's token has expired, and every refresh fails.
    let r = initiate(&env, "bob", r#"{"return_url":"https://app.example/done"}"#);
    provider_answers(&env, tokens(AT, RT, "read"));
    assert_eq!(
        send(&env, &callback_for(&redirect_url_in(&env, &r), &code)).status,
        303
    );
    env.clock.now.set(T0 + 7_200_000);
    for body in &bodies {
        for status in [400, 200, 401] {
            provider_answers(&env, Ok(json_response(status, body)));
            let r = user_token(&env, "bob");
            assert_eq!(r.status, 502, "{}", String::from_utf8_lossy(&r.body));
            record(&r);
        }
    }
    // The proxy: a fresh shared token, an API that echoes everything.
    let r = put_shared(&env, r#"{"scopes":["read"]}"#);
    provider_answers(&env, tokens(AT, RT, "read"));
    assert_eq!(
        send(&env, &callback_for(&redirect_url_in(&env, &r), &code)).status,
        200
    );
    let secrets = [RT, AT, CS].join(" ");
    let encoded: String = form_urlencoded::byte_serialize(secrets.as_bytes()).collect();
    for (content_type, body) in [
        ("application/json", echo(&secrets)),
        ("text/plain", format!("token={AT} refresh={RT} secret={CS}")),
        (
            "application/x-www-form-urlencoded",
            format!("error={encoded}"),
        ),
        ("application/octet-stream", format!("\u{0}{AT}\u{1}{RT}")),
    ] {
        provider_answers(
            &env,
            Ok(HttpResponse {
                status: 401,
                headers: vec![
                    ("content-type".into(), content_type.into()),
                    (
                        "www-authenticate".into(),
                        format!(r#"Bearer error="invalid_token", error_description="{AT} {RT}""#),
                    ),
                    ("x-echo".into(), secrets.clone()),
                ],
                body: body.into_bytes(),
            }),
        );
        let r = call(&env, r#"{"path":"/me"}"#);
        assert_eq!(json_of(&r)["status_code"], 401);
        record(&r);
    }
    // Revocation of bob's tokens: the provider refuses both, echoing.
    for body in [&bodies[4], &bodies[5]] {
        provider_answers(&env, Ok(json_response(400, body)));
    }
    let r = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/app-user-auth/connectors/mine",
            &[("Authorization", "Bearer user-bob")],
            "",
        ),
    );
    assert_eq!(json_of(&r)["revocation"], "failed");
    record(&r);
    // The shared connection's revocation, too.
    for body in [&bodies[0], &bodies[1]] {
        provider_answers(&env, Ok(json_response(200, body)));
        provider_answers(&env, Ok(json_response(403, body)));
    }
    let r = send(
        &env,
        &request(
            "DELETE",
            "/api/apps/app1/external-auth/integrations/acme/remove",
            &[SVC],
            "",
        ),
    );
    assert_eq!(json_of(&r)["revocation"], "failed");
    record(&r);
    let events = env.events.borrow().join("\n");
    assert!(events.contains("RefreshFailed"), "{events}");
    for needle in [AT, RT, CS, CODE, "SNTL", "SENTINEL"] {
        assert!(
            !seen.contains(needle),
            "{needle} leaked in an answer:\n{seen}"
        );
        assert!(
            !events.contains(needle),
            "{needle} leaked in an event:\n{events}"
        );
        assert!(!env.store.dump().contains(needle), "{needle} in the store");
    }
}

#[test]
fn bad_configuration_is_refused() {
    let catalog = || {
        Catalog::builtin()
            .cloned()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let code = |r: Result<ServerConfig>| r.err().map(|e| e.code());
    assert_eq!(
        code(ServerConfig::new("", "https://a.example", catalog())),
        Some(ErrorCode::InvalidInput)
    );
    assert_eq!(
        code(ServerConfig::new("a/b", "https://a.example", catalog())),
        Some(ErrorCode::InvalidInput)
    );
    for url in [
        "http://a.example",
        "https://a.example/#x",
        "https://u:p@a.example",
        "https://a.example/?x=1",
    ] {
        assert_eq!(
            code(ServerConfig::new("app", url, catalog())),
            Some(ErrorCode::ConfigInvalid),
            "{url}"
        );
    }
    let mut config =
        ServerConfig::new("app", "https://a.example", catalog()).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.add_service_token("short").is_err());
    assert!(
        config
            .add_service_token("has spaces in it, 0123456789")
            .is_err()
    );
    let credentials = ClientCredentials {
        client_id: "id".into(),
        client_secret: None,
    };
    let bad_scope = config.add_connector(
        Slot::AppUser("x".into()),
        provider(),
        credentials.clone(),
        &["a b".into()],
        BTreeMap::new(),
    );
    assert_eq!(
        bad_scope.err().map(|e| e.code()),
        Some(ErrorCode::InvalidScope)
    );
    let bad_id = config.add_connector(
        Slot::AppUser("a/b".into()),
        provider(),
        credentials,
        &[],
        BTreeMap::new(),
    );
    assert_eq!(
        bad_id.err().map(|e| e.code()),
        Some(ErrorCode::ConfigInvalid)
    );
}

#[test]
fn browsers_on_allowed_origins_get_cors_headers() {
    let env = env();
    let path = "/api/apps/app1/app-user-auth/connectors/mine/initiate";
    let preflight = send(
        &env,
        &request("OPTIONS", path, &[("Origin", "https://app.example")], ""),
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .is_some_and(|h| h.contains("authorization") && h.contains("x-origin-url"))
    );
    let r = initiate(&env, "alice", "");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = send(
        &env,
        &request(
            "POST",
            path,
            &[
                ("Authorization", "Bearer user-alice"),
                ("Origin", "https://evil.example"),
            ],
            "",
        ),
    );
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (200, None)
    );
    let r = send(
        &env,
        &request(
            "OPTIONS",
            "/api/apps/app1/nope",
            &[("Origin", "https://app.example")],
            "",
        ),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn an_app_id_header_must_name_this_app() {
    let env = env();
    let path = "/api/apps/app1/external-auth/list";
    let r = send(
        &env,
        &request("GET", path, &[SVC, ("X-App-Id", "app1")], ""),
    );
    assert_eq!(r.status, 200);
    let r = send(
        &env,
        &request("GET", path, &[SVC, ("X-App-Id", "other")], ""),
    );
    assert_eq!(code_of(&r), "NOT_FOUND");
}

#[test]
fn a_state_too_long_to_come_back_is_refused_up_front() {
    let env = env();
    let url = format!("https://app.example/{}", "a".repeat(2000));
    let body = serde_json::json!({ "return_url": url }).to_string();
    assert_eq!(initiate(&env, "alice", &body).status, 200);
    let many: Vec<String> = (0..50)
        .map(|i| format!("https://scopes.example/{i:02}/{}", "s".repeat(40)))
        .collect();
    let body = serde_json::json!({ "scopes": many }).to_string();
    let r = put_shared(&env, &body);
    assert_eq!(code_of(&r), "INVALID_INPUT");
}

#[test]
fn the_location_keeps_the_apps_parameters_but_none_that_pass_for_the_providers() {
    let env = env();
    let body =
        r#"{"return_url":"https://app.example/back?code=mine&state=s&iss=i&status=x&keep=1#top"}"#;
    let r = initiate(&env, "alice", body);
    let url = redirect_url_in(&env, &r);
    let r = send(
        &env,
        &callback_for(&url, "&error=access_denied&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(
        r.header("location"),
        Some("https://app.example/back?keep=1&connect_error=access_denied#top")
    );
}

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
fn binding_is_on_by_default() {
    let catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    let config = ServerConfig::new("app1", "https://connect.example", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(config.bind_browser);
    // On a loopback http publicUrl the cookie has no prefix and no Secure.
    let catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    let local = ServerConfig::new("app1", "http://127.0.0.1:8787", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    let (name, attributes) = local.binding_cookie("nonce");
    assert!(name.starts_with("oauth-connectors-bind-"), "{name}");
    assert_eq!(attributes, "; Path=/; HttpOnly; SameSite=Lax");
}

#[test]
fn a_scope_granted_under_another_name_is_not_missing() {
    // Google grants `email` as `https://www.googleapis.com/auth/userinfo.email`.
    let env = env_with(&["email"]);
    let r = put_shared(&env, "");
    let url = redirect_url_in(&env, &r);
    provider_answers(
        &env,
        tokens(
            "AT",
            "RT",
            "https://www.googleapis.com/auth/userinfo.email openid",
        ),
    );
    send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT");
    let again = put_shared(&env, r#"{"scopes":["email"]}"#);
    assert_eq!(json_of(&again)["already_authorized"], true);
    // Still covered after a refresh.
    env.clock.now.set(T0 + 3_600_000);
    provider_answers(
        &env,
        tokens(
            "AT2",
            "RT2",
            "https://www.googleapis.com/auth/userinfo.email",
        ),
    );
    let r = shared_token(&env);
    assert_eq!(json_of(&r)["access_token"], "AT2");
}

#[test]
fn the_management_put_may_send_the_builder_back_to_an_allowed_page() {
    let env = env();
    let r = put_shared(
        &env,
        r#"{"scopes":["read"],"return_url":"https://app.example/admin"}"#,
    );
    let url = redirect_url_in(&env, &r);
    provider_answers(&env, tokens("AT", "RT", "read"));
    let back = send(
        &env,
        &callback_for(&url, "&code=c&iss=https%3A%2F%2Facme.example"),
    );
    assert_eq!(
        back.header("location"),
        Some("https://app.example/admin?connector=acme&status=connected")
    );
    let r = put_shared(
        &env,
        r#"{"scopes":["write"],"return_url":"https://evil.example/"}"#,
    );
    assert_eq!(code_of(&r), "RETURN_URL_NOT_ALLOWED");
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
