//! What a provider must have registered, and what the server refuses at
//! start: the exact redirect URI of every catalog type and of connector
//! ids with `_ - . ~` (providers compare them character for character;
//! the ids `.` and `..` are refused),
//! `redirect_uris()`, connector files without credentials, a callback for
//! a connector the server does not have, and type ids in any case.

use super::*;
use crate::catalog::AuthModel;
use crate::config::ParsedFile;

const SECRET: &str = "redirect-test-secret-0123456789abcdef";
const BASE: &str = "https://connect.example/api/apps/my_app-1";

fn credentials() -> ClientCredentials {
    ClientCredentials {
        client_id: "client-1".into(),
        client_secret: Some(ClientSecret::new("SENTINEL_CS")),
    }
}

/// A custom provider registered under a type with `_` (an OIDC provider).
fn local_oidc() -> Provider {
    Provider::from_json(
        r#"{"type": "Local_OIDC", "display_name": "Local", "auth_model": "oauth",
            "authorization_url": "https://op.example/auth",
            "token_url": "https://op.example/token",
            "pkce": "required"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn config() -> ServerConfig {
    let mut catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    catalog
        .register(local_oidc())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut config = ServerConfig::new("my_app-1", "https://connect.example/", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    config
        .add_service_token(SERVICE)
        .unwrap_or_else(|e| panic!("{e}"));
    // What the provider sees is the subject here: consent URLs go to it
    // directly. The browser binding, on by default, puts the server's start
    // route first; that route and its cookie are tested in binding.rs.
    config.bind_browser(false);
    config
}

/// Values for the connection-config fields a templated endpoint needs:
/// the field's default, else a real-looking value that its pattern takes.
fn connection_config(p: &Provider) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in &p.connection_config_fields {
        let value = match (f.default.as_deref(), f.name.as_str()) {
            (Some(d), _) => d,
            (None, "workspace_host") => "dbc-1a2b3c4d-5e6f.cloud.databricks.com",
            (None, "account") => "xy12345.us-east-1",
            (None, "companyDomain") => "acme",
            (None, "subdomain") => "acme",
            (None, _) => continue,
        };
        out.insert(f.name.clone(), value.to_owned());
    }
    out
}

fn server(config: ServerConfig) -> (TestServer, Rc<FakeFetch>) {
    let clock = Rc::new(FakeClock::at(1_700_000_000_000));
    let store = MemoryStore::on(&clock);
    let fetch = Rc::new(FakeFetch::default());
    let ring = KeyRing::new(&[SECRET]).unwrap_or_else(|e| panic!("{e}"));
    let vault = Vault::new(
        ring,
        store,
        clock,
        VaultOptions {
            app: "my_app-1".into(),
            ..VaultOptions::default()
        },
    );
    let server = Server::new(
        config,
        vault,
        Rc::clone(&fetch),
        FakeUsers,
        SECRET.as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (server, fetch)
}

/// The consent URL an answer carries.
fn consent_url(response: &HttpResponse) -> String {
    let body = json_of(response);
    body["redirect_url"]
        .as_str()
        .unwrap_or_else(|| panic!("no consent URL: {body}"))
        .to_owned()
}

/// The provider's redirect to `documented` with a code and the state of
/// `consent`: the callback there must answer 200.
fn come_back(server: &TestServer, documented: &str, consent: &str) {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("code", "SENTINEL_CODE")
        .append_pair("state", &query_param(consent, "state"));
    let back = block_on(server.handle(&Incoming {
        method: "GET".into(),
        url: format!("{documented}?{}", query.finish()),
        headers: Vec::new(),
        body: Vec::new(),
    }));
    assert_eq!(
        back.status,
        200,
        "{documented}: {}",
        String::from_utf8_lossy(&back.body)
    );
}

#[test]
fn every_catalog_type_sends_the_documented_redirect_uri_unencoded() {
    let mut config = config();
    let oauth: Vec<Provider> = config
        .catalog
        .iter()
        .filter(|p| p.auth_model == AuthModel::Oauth)
        .cloned()
        .collect();
    // The seven built-in types with '_' are among them (and local_oidc).
    let with_underscore: Vec<&str> = oauth
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| id.contains('_'))
        .collect();
    for id in [
        "google_analytics",
        "google_classroom",
        "google_search_console",
        "hugging_face",
        "microsoft_teams",
        "one_drive",
        "share_point",
        "local_oidc",
    ] {
        assert!(with_underscore.contains(&id), "{id} in {with_underscore:?}");
    }
    for p in &oauth {
        let cc = connection_config(p);
        config
            .add_connector(
                Slot::Shared(p.id.clone()),
                p.clone(),
                credentials(),
                &[],
                cc,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", p.id));
    }
    let (server, _) = server(config);
    for p in &oauth {
        let documented = format!("{BASE}/external-auth/callback/{}", p.id);
        let r = block_on(server.handle(&request(
            "PUT",
            &format!("/api/apps/my_app-1/external-auth/integrations/{}", p.id),
            &[SVC],
            "{}",
        )));
        assert_eq!(r.status, 200, "{}: {}", p.id, json_of(&r));
        let url = consent_url(&r);
        // Wix names it redirectUrl.
        let name = p
            .authorization_param_names
            .get("redirect_uri")
            .map_or("redirect_uri", String::as_str);
        assert_eq!(query_param(&url, name), documented, "{url}");
        // On the wire: the query carries exactly the documented URI, form-encoded.
        let wire: String = form_urlencoded::byte_serialize(documented.as_bytes()).collect();
        assert!(url.contains(&format!("{name}={wire}")), "{url}");
        assert!(!url.contains("%255F") && !url.contains("%5F"), "{url}");
    }
}

#[test]
fn connector_ids_with_underscores_and_hyphens_send_and_exchange_the_documented_redirect_uri() {
    let mut config = config();
    let provider = local_oidc();
    for slot in [
        Slot::Shared("local_oidc".into()),
        Slot::AppUser("my_calendar".into()),
        Slot::AppUser("team-cal_2".into()),
        Slot::Workspace("shared_drive-1".into()),
    ] {
        config
            .add_connector(slot, provider.clone(), credentials(), &[], BTreeMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (server, fetch) = server(config);
    let cases = [
        (
            "POST",
            "/api/apps/my_app-1/app-user-auth/connectors/my_calendar/initiate",
            format!("{BASE}/app-user-auth/connectors/my_calendar/callback"),
        ),
        (
            "POST",
            "/api/apps/my_app-1/app-user-auth/connectors/team-cal_2/initiate",
            format!("{BASE}/app-user-auth/connectors/team-cal_2/callback"),
        ),
        (
            "PUT",
            "/api/apps/my_app-1/external-auth/connectors/shared_drive-1",
            format!("{BASE}/external-auth/connectors/shared_drive-1/callback"),
        ),
        (
            "PUT",
            "/api/apps/my_app-1/external-auth/integrations/local_oidc",
            format!("{BASE}/external-auth/callback/local_oidc"),
        ),
    ];
    for (i, (method, path, documented)) in cases.into_iter().enumerate() {
        let auth = if method == "POST" {
            ("Authorization", "Bearer user-alice")
        } else {
            SVC
        };
        let r = block_on(server.handle(&request(method, path, &[auth], "")));
        assert_eq!(r.status, 200, "{path}: {}", json_of(&r));
        let url = consent_url(&r);
        assert_eq!(query_param(&url, "redirect_uri"), documented, "{path}");
        // The provider redirects to the URI exactly as registered; the
        // callback there exchanges the code with that same URI.
        fetch.answers.borrow_mut().push_back(Ok(json_response(
            200,
            r#"{"access_token":"SENTINEL_AT","refresh_token":"SENTINEL_RT","expires_in":3600,"token_type":"Bearer"}"#,
        )));
        come_back(&server, &documented, &url);
        let requests = fetch.requests.borrow();
        let sent = requests.get(i).map(|r| r.body.clone()).unwrap_or_default();
        let sent: Vec<(String, String)> = form_urlencoded::parse(&sent).into_owned().collect();
        assert!(
            sent.contains(&("redirect_uri".into(), documented.clone())),
            "{sent:?}"
        );
    }
}

#[test]
fn redirect_uris_lists_each_configured_connector_with_its_exact_uri() {
    let mut config = config();
    let teams = config
        .catalog
        .require("microsoft_teams")
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    for slot in [
        Slot::AppUser("my_calendar".into()),
        Slot::Shared("Microsoft_Teams".into()),
        Slot::Workspace("team-1".into()),
    ] {
        config
            .add_connector(slot, teams.clone(), credentials(), &[], BTreeMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let uri = |kind, id: Option<&str>, path: &str| RedirectUri {
        kind,
        connector_id: id.map(str::to_owned),
        integration_type: "microsoft_teams".into(),
        redirect_uri: format!("{BASE}/{path}"),
    };
    assert_eq!(
        config.redirect_uris(),
        vec![
            uri("shared", None, "external-auth/callback/microsoft_teams"),
            uri(
                "workspace",
                Some("team-1"),
                "external-auth/connectors/team-1/callback"
            ),
            uri(
                "app_user",
                Some("my_calendar"),
                "app-user-auth/connectors/my_calendar/callback"
            ),
        ]
    );
    let json = serde_json::to_value(config.redirect_uris()).unwrap_or_default();
    assert_eq!(
        json[2],
        serde_json::json!({
            "kind": "app_user", "connectorId": "my_calendar", "integrationType": "microsoft_teams",
            "redirectUri": format!("{BASE}/app-user-auth/connectors/my_calendar/callback"),
        })
    );
    assert!(json[0].get("connectorId").is_none(), "{json}");
}

#[test]
fn connector_files_without_credentials_are_refused_at_start_naming_each() {
    let mut config = config();
    config
        .add_connector(
            Slot::Shared("local_oidc".into()),
            local_oidc(),
            credentials(),
            &[],
            BTreeMap::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let parse = |text: &str, path: &str| {
        crate::config::parse(text, Some(path)).unwrap_or_else(|e| panic!("{e}"))
    };
    let good = [
        parse(r#"{"type": "local_oidc"}"#, "c/local_oidc.jsonc"),
        // Any case reads as the type; Stripe is provisioned without OAuth.
        parse(r#"{"type": "LOCAL_oidc"}"#, "c/upper.jsonc"),
        parse(r#"{"type": "stripe"}"#, "c/stripe.jsonc"),
    ];
    assert_eq!(config.check_connector_files(&good), Ok(()));
    let mut files = good.to_vec();
    files.push(parse("{\n  \"type\": \"slack\"\n}", "c/slack.jsonc"));
    files.push(ParsedFile::from_config(
        crate::config::ConnectorConfig {
            integration_type: "github".into(),
            scopes: Vec::new(),
        },
        Some("c/github.jsonc".into()),
    ));
    let e = config
        .check_connector_files(&files)
        .err()
        .unwrap_or_else(|| panic!("accepted files without credentials"));
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert_eq!(e.errors().len(), 2, "{e}");
    assert_eq!(
        e.to_string(),
        "c/slack.jsonc:2:11: The connector file declares \"slack\", which has no credentials: add credentials.slack ({ clientId, clientSecret }) or remove the file\n\
         c/github.jsonc: The connector file declares \"github\", which has no credentials: add credentials.github ({ clientId, clientSecret }) or remove the file"
    );
    let at = e.location().cloned();
    assert_eq!(
        at.map(|l| (l.path, l.line, l.column)),
        Some((Some("c/slack.jsonc".into()), 2, 11))
    );
}

#[test]
fn a_callback_for_an_unknown_connector_says_unknown_connector() {
    let mut config = config();
    config
        .add_connector(
            Slot::AppUser("my_calendar".into()),
            local_oidc(),
            credentials(),
            &[],
            BTreeMap::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (server, fetch) = server(config);
    for path in [
        "/api/apps/my_app-1/external-auth/callback/nosuchtype?code=c&state=s",
        "/api/apps/my_app-1/external-auth/connectors/nosuch/callback?code=c&state=s",
        "/api/apps/my_app-1/app-user-auth/connectors/my_calendar_2/callback?code=c&state=s",
    ] {
        let r = block_on(server.handle(&request("GET", path, &[], "")));
        let page = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, 404, "{path}: {page}");
        assert!(page.contains("(unknown_connector)"), "{page}");
        assert!(!page.contains("provider_error"), "{page}");
    }
    assert_eq!(
        coarse_code(ErrorCode::UnknownConnector),
        "unknown_connector"
    );
    assert_eq!(fetch.calls(), 0);
}

#[test]
fn shared_types_are_read_in_lower_case_and_configured_once() {
    let mut config = config();
    config
        .add_connector(
            Slot::Shared("Local_Oidc".into()),
            local_oidc(),
            credentials(),
            &[],
            BTreeMap::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let again = config.add_connector(
        Slot::Shared("local_oidc".into()),
        local_oidc(),
        credentials(),
        &[],
        BTreeMap::new(),
    );
    assert_eq!(
        again.err().map(|e| e.code()),
        Some(ErrorCode::ConfigInvalid)
    );
    assert_eq!(
        config.callback_url(&Slot::Shared("local_oidc".into())),
        format!("{BASE}/external-auth/callback/local_oidc")
    );
    let (server, _) = server(config);
    // A management PUT's status, polled under the type in another case.
    let put = block_on(server.handle(&request(
        "PUT",
        "/api/apps/my_app-1/external-auth/integrations/LOCAL_OIDC",
        &[SVC],
        "",
    )));
    assert_eq!(put.status, 200, "{}", json_of(&put));
    let id = json_of(&put)["connection_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let status = block_on(server.handle(&request(
        "GET",
        &format!(
            "/api/apps/my_app-1/external-auth/status?integration_type=Local_OIDC&connection_id={id}"
        ),
        &[SVC],
        "",
    )));
    assert_eq!(json_of(&status)["status"], "PENDING");
    // Any case of the type reaches the one connector (not connected yet).
    for path in [
        "/api/apps/my_app-1/external-auth/tokens/local_oidc",
        "/api/apps/my_app-1/external-auth/tokens/LOCAL_OIDC",
    ] {
        let r = block_on(server.handle(&request("GET", path, &[SVC], "")));
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.header("x-base44-connector-error"), Some("NOT_CONNECTED"));
    }
}

#[test]
fn connector_ids_with_dots_and_tildes_connect_under_the_documented_redirect_uri() {
    // Real connector ids hold `.` (`cal.v2`) and `~` is unreserved too: the
    // callback URL holds them as they are, and a whole connect flow works.
    let mut config = config();
    for slot in [
        Slot::AppUser("cal.v2".into()),
        Slot::Workspace("team~1".into()),
        Slot::AppUser("a.b-c_d~e".into()),
    ] {
        config
            .add_connector(slot, local_oidc(), credentials(), &[], BTreeMap::new())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let listed: Vec<String> = config
        .redirect_uris()
        .into_iter()
        .map(|r| r.redirect_uri)
        .collect();
    assert_eq!(
        listed,
        [
            format!("{BASE}/external-auth/connectors/team~1/callback"),
            format!("{BASE}/app-user-auth/connectors/a.b-c_d~e/callback"),
            format!("{BASE}/app-user-auth/connectors/cal.v2/callback"),
        ]
    );
    let (server, fetch) = server(config);
    let alice = ("Authorization", "Bearer user-alice");
    let cases = [
        (
            "POST",
            "/api/apps/my_app-1/app-user-auth/connectors/cal.v2/initiate",
            format!("{BASE}/app-user-auth/connectors/cal.v2/callback"),
            // Read back through the encoded form of the id.
            "/api/apps/my_app-1/app-user-auth/connectors/cal%2Ev2/token",
        ),
        (
            "PUT",
            "/api/apps/my_app-1/external-auth/connectors/team~1",
            format!("{BASE}/external-auth/connectors/team~1/callback"),
            "/api/apps/my_app-1/external-auth/tokens/connectors/team%7E1",
        ),
        (
            "POST",
            "/api/apps/my_app-1/app-user-auth/connectors/a.b-c_d~e/initiate",
            format!("{BASE}/app-user-auth/connectors/a.b-c_d~e/callback"),
            "/api/apps/my_app-1/app-user-auth/connectors/a.b-c_d~e/token",
        ),
    ];
    let on_behalf = ("on-behalf-of", "Bearer user-alice");
    for (i, (method, path, documented, token_path)) in cases.into_iter().enumerate() {
        let auth = if method == "POST" { alice } else { SVC };
        // A backend reads the token with the service role (for Alice).
        let reader: &[(&str, &str)] = if method == "POST" {
            &[SVC, on_behalf]
        } else {
            &[SVC]
        };
        let before = block_on(server.handle(&request("GET", token_path, reader, "")));
        assert_eq!(before.status, 404, "{token_path}: {}", json_of(&before));
        let r = block_on(server.handle(&request(method, path, &[auth], "")));
        assert_eq!(r.status, 200, "{path}: {}", json_of(&r));
        let url = consent_url(&r);
        assert_eq!(query_param(&url, "redirect_uri"), documented, "{path}");
        let wire: String = form_urlencoded::byte_serialize(documented.as_bytes()).collect();
        assert!(url.contains(&format!("redirect_uri={wire}")), "{url}");
        assert!(!url.contains("%252E") && !url.contains("%257E"), "{url}");
        fetch.answers.borrow_mut().push_back(Ok(json_response(
            200,
            &format!(
                r#"{{"access_token":"SENTINEL_AT{i}","refresh_token":"SENTINEL_RT","expires_in":3600,"token_type":"Bearer"}}"#
            ),
        )));
        come_back(&server, &documented, &url);
        let sent = fetch
            .requests
            .borrow()
            .get(i)
            .map(|r| r.body.clone())
            .unwrap_or_default();
        let sent: Vec<(String, String)> = form_urlencoded::parse(&sent).into_owned().collect();
        assert!(
            sent.contains(&("redirect_uri".into(), documented.clone())),
            "{sent:?}"
        );
        let token = block_on(server.handle(&request("GET", token_path, reader, "")));
        assert_eq!(token.status, 200, "{token_path}: {}", json_of(&token));
        let body = json_of(&token);
        assert_eq!(
            body["access_token"].as_str(),
            Some(format!("SENTINEL_AT{i}").as_str()),
            "{token_path}: {body}"
        );
    }
}

#[test]
fn the_connector_ids_dot_and_dot_dot_are_refused_and_so_is_anything_outside_unreserved() {
    let mut config = config();
    for id in [".", ".."] {
        for slot in [Slot::AppUser(id.into()), Slot::Workspace(id.into())] {
            let e = config
                .add_connector(slot, local_oidc(), credentials(), &[], BTreeMap::new())
                .err()
                .unwrap_or_else(|| panic!("accepted the connector id {id:?}"));
            assert_eq!(e.code(), ErrorCode::ConfigInvalid);
            assert_eq!(
                e.message(),
                format!(
                    "Invalid connector id \"{id}\": \".\" and \"..\" are dot segments, which URL parsers remove from the callback URL; choose another id"
                )
            );
        }
    }
    let long = "a".repeat(65);
    for id in [
        "",
        "a/b",
        "a b",
        "a%2Eb",
        "cal:v2",
        "é",
        "a\u{0}b",
        long.as_str(),
    ] {
        let e = config
            .add_connector(
                Slot::AppUser(id.into()),
                local_oidc(),
                credentials(),
                &[],
                BTreeMap::new(),
            )
            .err()
            .unwrap_or_else(|| panic!("accepted the connector id {id:?}"));
        assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{id:?}");
        assert!(
            e.message().contains("^[A-Za-z0-9._~-]+$"),
            "{id:?}: {}",
            e.message()
        );
    }
    // Neither a dot segment nor too long: accepted.
    for id in ["...", ".well", "v2.", "~", "a".repeat(64).as_str()] {
        config
            .add_connector(
                Slot::Workspace(id.into()),
                local_oidc(),
                credentials(),
                &[],
                BTreeMap::new(),
            )
            .unwrap_or_else(|e| panic!("{id:?}: {e}"));
    }
    // A shared connector is still named by a type id.
    let e = config
        .add_connector(
            Slot::Shared("local.oidc".into()),
            local_oidc(),
            credentials(),
            &[],
            BTreeMap::new(),
        )
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::ConfigInvalid));
}
