use super::*;
use crate::catalog::Catalog;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn provider(id: &str) -> &'static Provider {
    Catalog::builtin()
        .ok()
        .and_then(|c| c.get(id))
        .unwrap_or_else(|| panic!("{id}"))
}

fn url_for(
    id: &str,
    scopes: &[&str],
    config: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Result<String> {
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    let config: BTreeMap<String, String> = config
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    authorization_url(&AuthorizationRequest {
        provider: provider(id),
        client_id: "CLIENT",
        redirect_uri: "https://app.example/cb",
        scopes: &scopes,
        state: "STATE",
        code_verifier: Some(VERIFIER),
        connection_config: &config,
        extra_params: &extra,
    })
}

fn ok(id: &str, scopes: &[&str], config: &[(&str, &str)]) -> String {
    url_for(id, scopes, config, &[]).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn code(r: Result<String>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

#[test]
fn google_golden_url() {
    assert_eq!(
        ok(
            "googlecalendar",
            &["https://www.googleapis.com/auth/calendar.readonly"],
            &[]
        ),
        format!(
            "https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=CLIENT\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
             &scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.readonly&state=STATE\
             &code_challenge={CHALLENGE}&code_challenge_method=S256\
             &access_type=offline&include_granted_scopes=true&prompt=consent"
        )
    );
}

#[test]
fn slack_user_scopes_go_in_user_scope_comma_joined() {
    let url = ok("slack", &["channels:history", "search:read"], &[]);
    assert!(
        url.starts_with("https://slack.com/oauth/v2/authorize?"),
        "{url}"
    );
    assert!(
        url.contains("&user_scope=channels%3Ahistory%2Csearch%3Aread&"),
        "{url}"
    );
    assert!(!url.contains("&scope="), "{url}");
    assert!(
        !url.contains("code_challenge"),
        "PKCE is an opt-in Slack app setting: {url}"
    );
    let bot = ok("slackbot", &["chat:write"], &[]);
    assert!(bot.contains("&scope=chat%3Awrite&"), "{bot}");
}

#[test]
fn tiktok_sends_client_key() {
    let url = ok("tiktok", &["user.info.basic", "video.list"], &[]);
    assert!(
        url.contains("client_key=CLIENT") && !url.contains("client_id="),
        "{url}"
    );
    assert!(url.contains("scope=user.info.basic%2Cvideo.list"), "{url}");
}

#[test]
fn provider_defaults_are_sent() {
    assert!(ok("dropbox", &[], &[]).contains("token_access_type=offline"));
    assert!(ok("notion", &[], &[]).contains("owner=user"));
    let ms = ok("outlook", &["Mail.Read"], &[]);
    assert!(
        ms.starts_with("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?"),
        "{ms}"
    );
    assert!(
        ms.contains("scope=offline_access+Mail.Read"),
        "offline_access always comes first: {ms}"
    );
}

#[test]
fn providers_without_scopes_get_no_scope_parameter() {
    let url = ok("notion", &["ignored"], &[]);
    assert!(!url.contains("scope="), "{url}");
}

#[test]
fn an_endpoint_with_a_query_keeps_it() {
    let url = ok("bamboohr", &[], &[("companyDomain", "acme")]);
    assert!(
        url.starts_with(
            "https://acme.bamboohr.com/authorize.php?request=authorize&response_type=code&"
        ),
        "{url}"
    );
}

#[test]
fn templated_values_must_match_their_pattern() {
    for bad in ["evil.com#", "a.b", "evil.com/", "a@b", "a%2f"] {
        assert_eq!(
            code(url_for("bamboohr", &[], &[("companyDomain", bad)], &[])),
            Some(ErrorCode::InvalidInput),
            "{bad}"
        );
    }
    let e = url_for("bamboohr", &[], &[], &[])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("companyDomain"), "{e}");
    let tenant = ok("share_point", &[], &[("tenant", "contoso.onmicrosoft.com")]);
    assert!(
        tenant.starts_with("https://login.microsoftonline.com/contoso.onmicrosoft.com/"),
        "{tenant}"
    );
    assert_eq!(
        code(url_for(
            "share_point",
            &[],
            &[("tenant", "evil.com/x")],
            &[]
        )),
        Some(ErrorCode::InvalidInput)
    );
}

#[test]
fn engine_owned_parameters_cannot_be_overridden() {
    for key in [
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_type",
        "scope",
    ] {
        assert_eq!(
            code(url_for("github", &[], &[], &[(key, "x")])),
            Some(ErrorCode::InvalidInput),
            "{key}"
        );
    }
    // Slack's scope parameter for user tokens is user_scope.
    assert_eq!(
        code(url_for("slack", &[], &[], &[("user_scope", "x")])),
        Some(ErrorCode::InvalidInput)
    );
}

#[test]
fn extra_parameters_may_replace_provider_defaults() {
    let url = url_for(
        "googledrive",
        &[],
        &[],
        &[("prompt", "select_account"), ("login_hint", "a@b.c")],
    );
    let url = url.unwrap_or_default();
    assert!(
        url.contains("prompt=select_account") && !url.contains("prompt=consent"),
        "{url}"
    );
    assert!(url.contains("login_hint=a%40b.c"), "{url}");
}

#[test]
fn bad_scopes_are_rejected_and_repeats_dropped() {
    for bad in ["a b", "x\"y", "é", ""] {
        assert_eq!(
            code(url_for("github", &[bad], &[], &[])),
            Some(ErrorCode::InvalidScope),
            "{bad}"
        );
    }
    let url = ok("github", &["repo", "repo", "user"], &[]);
    assert!(url.contains("scope=repo+user&"), "{url}");
}

#[test]
fn pkce_is_sent_as_s256_only_and_never_the_verifier() {
    let url = ok("airtable", &["data.records:read"], &[]);
    assert!(
        url.contains(&format!(
            "code_challenge={CHALLENGE}&code_challenge_method=S256"
        )),
        "{url}"
    );
    assert!(!url.contains(VERIFIER));
    let bad = authorization_url(&AuthorizationRequest {
        provider: provider("airtable"),
        client_id: "C",
        redirect_uri: "https://a/cb",
        scopes: &[],
        state: "S",
        code_verifier: Some("short"),
        connection_config: &BTreeMap::new(),
        extra_params: &[],
    });
    assert_eq!(code(bad), Some(ErrorCode::InvalidInput));
}

#[test]
fn a_pkce_required_provider_needs_a_verifier_and_every_url_a_state() {
    let request = |id: &'static str, state: &'static str, verifier: Option<&'static str>| {
        authorization_url(&AuthorizationRequest {
            provider: provider(id),
            client_id: "C",
            redirect_uri: "https://a/cb",
            scopes: &[],
            state,
            code_verifier: verifier,
            connection_config: &BTreeMap::new(),
            extra_params: &[],
        })
    };
    let missing = request("airtable", "S", None).err();
    assert_eq!(
        missing.as_ref().map(Error::code),
        Some(ErrorCode::InvalidInput)
    );
    assert!(missing.is_some_and(|e| e.to_string().contains("airtable requires PKCE")),);
    // Where PKCE is only supported, leaving it out is the caller's choice.
    assert!(request("github", "S", None).is_ok());
    let no_state = request("github", "", Some(VERIFIER)).err();
    assert!(no_state.is_some_and(
        |e| e.code() == ErrorCode::InvalidInput && e.to_string().contains("state is required")
    ));
}

#[test]
fn wix_uses_the_installer_names_and_stripe_has_no_url() {
    let url = ok("wix", &[], &[]);
    assert!(
        url.contains("appId=CLIENT") && url.contains("redirectUrl="),
        "{url}"
    );
    assert_eq!(
        code(url_for("stripe", &[], &[], &[])),
        Some(ErrorCode::InvalidInput)
    );
}

#[test]
fn every_oauth_provider_builds_a_url_with_defaults() {
    let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let required: &[(&str, &str)] = &[
        ("companyDomain", "acme"),
        ("workspace_host", "dbc-1234.cloud.databricks.com"),
        ("account", "myorg-myaccount"),
    ];
    for p in catalog.iter().filter(|p| p.auth_model == AuthModel::Oauth) {
        let url = ok(&p.id, &[], required);
        assert!(
            url.starts_with("https://") && url.contains("state=STATE"),
            "{}: {url}",
            p.id
        );
    }
}

#[test]
fn append_encoded_is_form_urlencoded_byte_serialize() {
    let mut texts: Vec<String> = [
        "",
        " ",
        "a b",
        "*-._~!'()",
        "é",
        "\u{1F600}x",
        "a+b&c=d%20",
        "https://www.googleapis.com/auth/calendar.readonly",
        "\n\t\u{7f}\u{80}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Every char up to U+0800, alone and between kept bytes.
    for c in (0u32..0x800).filter_map(char::from_u32) {
        texts.push(c.to_string());
        texts.push(format!("a{c}b{c}"));
    }
    for text in &texts {
        let mut ours = b"prefix".to_vec();
        append_encoded(&mut ours, text);
        let theirs: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        assert_eq!(ours, format!("prefix{theirs}").into_bytes(), "{text:?}");
    }
}

#[test]
fn a_kept_start_gives_the_same_urls_and_errors() {
    let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let config: BTreeMap<String, String> = [
        ("companyDomain", "acme"),
        ("workspace_host", "dbc-1234.cloud.databricks.com"),
        ("account", "myorg-myaccount"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let scopes = ["openid".to_owned(), "a b".to_owned()];
    let extras = [
        vec![],
        vec![("login_hint".to_owned(), "a b@c".to_owned())],
        vec![("state".to_owned(), "x".to_owned())],
        vec![("prompt".to_owned(), "none".to_owned())],
    ];
    let mut compared = 0;
    for p in catalog.iter() {
        for client_id in ["CLIENT", ""] {
            for (scopes, state, verifier) in [
                (&scopes[..1], "STATE", Some(VERIFIER)),
                (&scopes[..], "STATE", Some(VERIFIER)),
                (&scopes[..0], "", None),
                (&scopes[..1], "S", Some("short")),
                (&scopes[..0], "S", None),
            ] {
                for extra in &extras {
                    let req = AuthorizationRequest {
                        provider: p,
                        client_id,
                        redirect_uri: "https://app.example/cb?x=1 2",
                        scopes,
                        state,
                        code_verifier: verifier,
                        connection_config: &config,
                        extra_params: extra,
                    };
                    let whole = authorization_url(&req).map_err(|e| e.to_string());
                    let start = authorization_url_start(&req).ok();
                    let after =
                        authorization_url_after(&req, start.as_deref()).map_err(|e| e.to_string());
                    assert_eq!(whole, after, "{}", p.id);
                    compared += usize::from(start.is_some());
                }
            }
        }
    }
    assert!(compared > 100, "{compared}");
}
