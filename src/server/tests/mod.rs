//! The server over fakes: every route's success and error paths, the
//! callback's checks (state, mix-up, replay, issuer, return URLs), and a sentinel
//! canary over every answer. One file per flow, as the server is split;
//! this one holds what they share: [`FakeUsers`], [`TestServer`], the
//! test's environment (`Env`: a server over a fake fetch, store and clock,
//! with one browser's cookie jar) and the requests a test sends.

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

mod auth;
mod base44_cli;
mod binding;
mod config;
mod connect;
mod leaks;
mod manage;
mod redirects;
mod respond;
mod stripe;
mod token_cache;
mod tokens;

const SECRET: &str = "server-test-secret-0123456789abcdef";

const SERVICE: &str = "service-token-0123456789";

const T0: u64 = 1_700_000_000_000;

/// User tokens are `user-<id>` (whose check holds for an unknown time, as
/// the host's verifyUser's) or `until-<ms>-<id>` (valid before `ms`, as a
/// JWT before its `exp`); anything else is refused.
pub(super) struct FakeUsers;

impl Users for FakeUsers {
    async fn verify(&self, token: &str, now_ms: u64) -> Result<User> {
        let user = |id: &str, valid_until_ms| User {
            id: id.to_owned(),
            email: None,
            valid_until_ms,
        };
        let timed = token.strip_prefix("until-").and_then(|rest| {
            let (ms, id) = rest.split_once('-')?;
            let ms: u64 = ms.parse().ok()?;
            (now_ms < ms).then(|| user(id, Some(ms)))
        });
        timed
            .or_else(|| token.strip_prefix("user-").map(|id| user(id, None)))
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

/// Removes the shared integration (`DELETE .../integrations/acme/remove`).
fn remove_shared(env: &Env) -> HttpResponse {
    send(
        env,
        &request(
            "DELETE",
            "/api/apps/app1/external-auth/integrations/acme/remove",
            &[SVC],
            "",
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

fn call(env: &Env, body: &str) -> HttpResponse {
    send(
        env,
        &request("POST", "/api/apps/app1/connectors/acme/call", &[SVC], body),
    )
}
