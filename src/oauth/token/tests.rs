use super::*;
use crate::catalog::Catalog;
use serde_json::json;

const NOW: u64 = 1_800_000_000_000;

fn provider(id: &str) -> &'static Provider {
    Catalog::builtin()
        .ok()
        .and_then(|c| c.get(id))
        .unwrap_or_else(|| panic!("{id}"))
}

fn client() -> ClientCredentials {
    ClientCredentials {
        client_id: "CLIENT ID".into(),
        client_secret: Some(ClientSecret::new("SENTINEL_CS")),
    }
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: body.as_bytes().to_vec(),
    }
}

fn process(id: &str, grant: Grant, response: &HttpResponse) -> Result<TokenSet> {
    process_token_response(
        provider(id),
        grant,
        response,
        &["asked".to_owned()],
        &BTreeMap::new(),
        NOW,
    )
}

fn code_of(r: Result<TokenSet>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

/// `id`'s revocation request for `token`, without connection config.
fn revocation_of(id: &str, token: &str, hint: Option<&str>) -> HttpRequest {
    revocation_request(provider(id), &client(), &BTreeMap::new(), token, hint)
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{id} revokes"))
}

/// Whether `id`'s refresh request authenticates with HTTP Basic.
fn refreshes_with_basic(id: &str) -> bool {
    refresh_request(
        provider(id),
        &client(),
        &BTreeMap::new(),
        &RefreshToken::new("RT"),
    )
    .is_ok_and(|r| {
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    })
}

fn body_text(r: &HttpRequest) -> String {
    String::from_utf8(r.body.clone()).unwrap_or_default()
}

#[test]
fn a_token_that_cannot_go_into_a_header_is_refused_as_it_arrives() {
    for grant in [Grant::AuthorizationCode, Grant::RefreshToken] {
        for bad in [
            "SENTINEL\u{20ac}",
            "SENTINEL\u{0}",
            "SENTINEL\r\nx-injected: 1",
            "SENTINEL\t",
            "SENTINEL\u{e9}",
        ] {
            for body in [
                json!({ "access_token": bad, "refresh_token": "RT", "expires_in": 300 }),
                json!({ "access_token": "AT", "refresh_token": bad, "expires_in": 300 }),
            ] {
                let r = process("github", grant, &json(200, &body.to_string()));
                let e = r.err().unwrap_or_else(|| panic!("accepted {body}"));
                assert_eq!(e.code(), ErrorCode::ProviderError, "{body}");
                assert!(!e.to_string().contains("SENTINEL"), "{e}");
            }
        }
        // Printable ASCII, spaces included (RFC 6749 VSCHAR), is a token.
        let body = json!({ "access_token": "ya29.a0-_~+/= x", "refresh_token": "1//0g~", "expires_in": 300 });
        let tokens = process("github", grant, &json(200, &body.to_string()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens.access_token.secret(), "ya29.a0-_~+/= x");
    }
}

// ------------------------------------------------------------------ requests

#[test]
fn code_exchange_in_the_form_body_with_the_verifier() {
    let r = code_request(
        provider("googlecalendar"),
        &client(),
        &BTreeMap::new(),
        "CODE",
        "https://a/cb",
        Some("VERIFIER"),
    );
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (r.method, r.url.as_str()),
        ("POST", "https://oauth2.googleapis.com/token")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        body_text(&r),
        "grant_type=authorization_code&code=CODE&redirect_uri=https%3A%2F%2Fa%2Fcb&code_verifier=VERIFIER\
         &client_id=CLIENT+ID&client_secret=SENTINEL_CS"
    );
    assert!(r.header("authorization").is_none());
}

#[test]
fn basic_auth_form_encodes_id_and_secret_first() {
    let r = refresh_request(
        provider("airtable"),
        &client(),
        &BTreeMap::new(),
        &RefreshToken::new("RT"),
    );
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    // base64("CLIENT+ID:SENTINEL_CS")
    assert_eq!(
        r.header("authorization"),
        Some("Basic Q0xJRU5UK0lEOlNFTlRJTkVMX0NT")
    );
    assert_eq!(body_text(&r), "grant_type=refresh_token&refresh_token=RT");
    assert!(
        !format!("{r:?}").contains("SENTINEL"),
        "Debug hides the body and headers"
    );
}

#[test]
fn notion_sends_json_with_basic_auth() {
    let r = code_request(
        provider("notion"),
        &client(),
        &BTreeMap::new(),
        "C",
        "https://a/cb",
        None,
    );
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // Notion-Version on every request, the token endpoint's too.
    assert_eq!(r.header("notion-version"), Some("2022-06-28"));
    let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(v["grant_type"], "authorization_code");
    assert!(
        v.get("client_secret").is_none()
            && r.header("authorization")
                .is_some_and(|a| a.starts_with("Basic "))
    );
}

#[test]
fn providers_without_pkce_never_get_a_verifier() {
    let r = code_request(
        provider("notion"),
        &client(),
        &BTreeMap::new(),
        "C",
        "https://a/cb",
        Some("VERIFIER"),
    );
    let text = r
        .map(|r| String::from_utf8(r.body).unwrap_or_default())
        .unwrap_or_default();
    assert!(
        text.contains("authorization_code") && !text.contains("VERIFIER"),
        "{text}"
    );
}

#[test]
fn tiktok_sends_client_key_at_the_token_endpoint() {
    let r = code_request(
        provider("tiktok"),
        &client(),
        &BTreeMap::new(),
        "C",
        "https://a/cb",
        None,
    );
    let text = r.map(|r| body_text(&r)).unwrap_or_default();
    assert!(
        text.contains("client_key=CLIENT+ID") && !text.contains("client_id="),
        "{text}"
    );
}

#[test]
fn public_clients_send_only_their_id() {
    let public = ClientCredentials {
        client_id: "PUB".into(),
        client_secret: None,
    };
    let r = code_request(
        provider("airtable"),
        &public,
        &BTreeMap::new(),
        "C",
        "https://a/cb",
        Some("V"),
    );
    let r = r.unwrap_or_else(|e| panic!("{e}"));
    assert!(r.header("authorization").is_none());
    assert!(body_text(&r).ends_with("&client_id=PUB"));
}

#[test]
fn templated_token_endpoints_are_filled_and_checked() {
    let config = BTreeMap::from([("companyDomain".to_owned(), "acme".to_owned())]);
    let r = code_request(
        provider("bamboohr"),
        &client(),
        &config,
        "C",
        "https://a/cb",
        None,
    );
    assert_eq!(
        r.map(|r| r.url).ok().as_deref(),
        Some("https://acme.bamboohr.com/token.php?request=token")
    );
    let bad = BTreeMap::from([("companyDomain".to_owned(), "evil.com#".to_owned())]);
    let e = code_request(
        provider("bamboohr"),
        &client(),
        &bad,
        "C",
        "https://a/cb",
        None,
    )
    .err()
    .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::InvalidInput));
}

#[test]
fn revocation_in_each_style() {
    let none = BTreeMap::new();
    let google = revocation_request(
        provider("googledrive"),
        &client(),
        &none,
        "RT",
        Some("refresh_token"),
    );
    let google = google
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("google revokes"));
    assert_eq!(google.url, "https://oauth2.googleapis.com/revoke");
    assert!(body_text(&google).starts_with("token=RT&token_type_hint=refresh_token"));
    let dropbox = revocation_request(provider("dropbox"), &client(), &none, "AT", None)
        .ok()
        .flatten();
    let dropbox = dropbox.unwrap_or_else(|| panic!("dropbox revokes"));
    assert_eq!(dropbox.header("authorization"), Some("Bearer AT"));
    assert!(dropbox.body.is_empty());
    let square = revocation_request(provider("square"), &client(), &none, "AT", None)
        .ok()
        .flatten();
    let square = square.unwrap_or_else(|| panic!("square revokes"));
    assert_eq!(square.header("authorization"), Some("Client SENTINEL_CS"));
    let github = revocation_request(provider("github"), &client(), &none, "AT", None)
        .ok()
        .flatten();
    let github = github.unwrap_or_else(|| panic!("github revokes"));
    assert_eq!(github.method, "DELETE");
    assert_eq!(
        github.url,
        "https://api.github.com/applications/CLIENT%20ID/token"
    );
    assert!(
        github
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert_eq!(body_text(&github), r#"{"access_token":"AT"}"#);
    let ms = revocation_request(provider("outlook"), &client(), &none, "RT", None);
    assert!(
        matches!(ms, Ok(None)),
        "Microsoft has no revocation endpoint"
    );
}

// ----------------------------------------------------------------- responses

#[test]
fn a_standard_response() {
    let t = process(
        "googlecalendar",
        Grant::AuthorizationCode,
        &json(
            200,
            r#"{"access_token":"SENTINEL_AT","refresh_token":"SENTINEL_RT","expires_in":3599,"scope":"a b","token_type":"Bearer","id_token":"x.y.z"}"#,
        ),
    );
    let t = t.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "SENTINEL_AT");
    assert_eq!(
        t.refresh_token.as_ref().map(RefreshToken::secret),
        Some("SENTINEL_RT")
    );
    assert_eq!(t.expires_at_ms, Some(NOW + 3_599_000));
    assert_eq!(t.scopes, vec!["a", "b"]);
    let raw = t.raw.to_string();
    assert!(!raw.contains("SENTINEL") && !raw.contains("x.y.z"), "{raw}");
    assert!(!format!("{t:?}").contains("SENTINEL"));
}

#[test]
fn expires_in_as_a_numeric_string_and_missing_token_type() {
    let t = process(
        "github",
        Grant::AuthorizationCode,
        &json(200, r#"{"access_token":"a","expires_in":"3600"}"#),
    );
    let t = t.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.expires_at_ms, Some(NOW + 3_600_000));
    assert_eq!(t.token_type, "Bearer");
    assert_eq!(
        t.scopes,
        vec!["asked"],
        "no scope in the answer: the requested ones"
    );
}

#[test]
fn bad_expires_in_and_token_type_are_rejected() {
    for body in [
        r#"{"access_token":"a","expires_in":-5}"#,
        r#"{"access_token":"a","expires_in":0}"#,
        r#"{"access_token":"a","expires_in":"soon"}"#,
        r#"{"access_token":"a","expires_in":1e309}"#,
        r#"{"access_token":"12/34","token_type":123}"#,
        r#"{"access_token":""}"#,
        r#"{"token_type":"Bearer"}"#,
        r#"[1,2]"#,
    ] {
        assert_eq!(
            code_of(process(
                "gitlab",
                Grant::AuthorizationCode,
                &json(200, body)
            )),
            Some(ErrorCode::ProviderError),
            "{body}"
        );
    }
    let text = HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"access_token=x".to_vec(),
    };
    assert_eq!(
        code_of(process("gitlab", Grant::AuthorizationCode, &text)),
        Some(ErrorCode::ProviderError)
    );
}

#[test]
fn github_errors_come_with_http_200_and_may_be_form_encoded() {
    let e = process(
        "github",
        Grant::AuthorizationCode,
        &json(
            200,
            r#"{"error":"bad_verification_code","error_description":"SENTINEL_CODE"}"#,
        ),
    );
    let e = e.err().unwrap_or_else(|| panic!("an error"));
    assert_eq!(e.code(), ErrorCode::CodeExchangeFailed);
    assert!(!e.to_string().contains("SENTINEL"), "{e}");
    let form = HttpResponse {
        status: 200,
        headers: vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: b"access_token=gho_x&scope=repo%2Cuser&token_type=bearer".to_vec(),
    };
    let t = process("github", Grant::AuthorizationCode, &form).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.scopes,
        vec!["repo", "user"],
        "GitHub joins granted scopes with commas"
    );
    // Only providers the catalog marks form_encoded get that leniency.
    assert_eq!(
        code_of(process("gitlab", Grant::AuthorizationCode, &form)),
        Some(ErrorCode::ProviderError)
    );
}

#[test]
fn slack_ok_false_and_the_user_token_under_authed_user() {
    let e = process(
        "slack",
        Grant::AuthorizationCode,
        &json(200, r#"{"ok":false,"error":"invalid_code"}"#),
    );
    assert_eq!(code_of(e), Some(ErrorCode::CodeExchangeFailed));
    let body = r#"{"ok":true,"app_id":"A1","team":{"id":"T1","name":"Acme"},
        "authed_user":{"id":"U1","scope":"search:read,channels:history","access_token":"xoxp-SENTINEL","token_type":"user"}}"#;
    let t = process("slack", Grant::AuthorizationCode, &json(200, body))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "xoxp-SENTINEL");
    assert_eq!(t.token_type, "user");
    assert_eq!(t.scopes, vec!["search:read", "channels:history"]);
    assert_eq!(
        t.connection_config.get("team_id").map(String::as_str),
        Some("T1")
    );
    assert_eq!(
        t.connection_config.get("user_id").map(String::as_str),
        Some("U1")
    );
    assert!(!t.raw.to_string().contains("SENTINEL"));
    let bot = r#"{"ok":true,"access_token":"xoxb-1","token_type":"bot","scope":"chat:write","bot_user_id":"B1","team":{"id":"T1"}}"#;
    let t = process("slackbot", Grant::AuthorizationCode, &json(200, bot))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            t.token_type.as_str(),
            t.connection_config.get("bot_user_id").map(String::as_str)
        ),
        ("bot", Some("B1"))
    );
}

#[test]
fn per_connection_values_from_the_response_and_the_callback() {
    let sf = process(
        "salesforce",
        Grant::AuthorizationCode,
        &json(
            200,
            r#"{"access_token":"a","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/1/2"}"#,
        ),
    );
    assert_eq!(
        sf.ok()
            .and_then(|t| t.connection_config.get("instance_url").cloned())
            .as_deref(),
        Some("https://acme.my.salesforce.com")
    );
    let wrike = process(
        "wrike",
        Grant::AuthorizationCode,
        &json(200, r#"{"access_token":"a","host":"app-eu.wrike.com"}"#),
    );
    assert_eq!(
        wrike
            .ok()
            .and_then(|t| t.connection_config.get("host").cloned())
            .as_deref(),
        Some("app-eu.wrike.com")
    );
    let notion = process(
        "notion",
        Grant::AuthorizationCode,
        &json(
            200,
            r#"{"access_token":"a","workspace_id":"W","workspace_name":"Acme","bot_id":"B"}"#,
        ),
    );
    let notion = notion.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notion.connection_config.len(), 3);
    let callback = BTreeMap::from([("realmId".to_owned(), "4620816365".to_owned())]);
    let qb = process_token_response(
        provider("quickbooks"),
        Grant::AuthorizationCode,
        &json(200, r#"{"access_token":"a","expires_in":3600}"#),
        &[],
        &callback,
        NOW,
    );
    assert_eq!(
        qb.ok()
            .and_then(|t| t.connection_config.get("realmId").cloned())
            .as_deref(),
        Some("4620816365")
    );
}

#[test]
fn a_token_path_segment_of_digits_indexes_an_array() {
    let custom = Provider::from_json(
        r#"{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize",
            "token_url": "https://acme.example/token",
            "token_response": {"token_path": "data.0", "connection_config": {"user_id": "data.0.user_id"}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let read = |body: &str| {
        let none = BTreeMap::new();
        process_token_response(
            &custom,
            Grant::AuthorizationCode,
            &json(200, body),
            &[],
            &none,
            NOW,
        )
    };
    let t =
        read(r#"{"data":[{"access_token":"SENTINEL_AT","user_id":"1020","permissions":"a,b"}]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "SENTINEL_AT");
    assert_eq!(
        t.connection_config.get("user_id").map(String::as_str),
        Some("1020")
    );
    // An index past the end, or a name into an array, finds nothing.
    for body in [r#"{"data":[]}"#, r#"{"data":[{"x":{"access_token":"x"}}]}"#] {
        assert_eq!(
            code_of(read(body)),
            Some(ErrorCode::ProviderError),
            "{body}"
        );
    }
}

#[test]
fn square_expires_at_is_a_timestamp() {
    let t = process(
        "square",
        Grant::AuthorizationCode,
        &json(
            200,
            r#"{"access_token":"a","expires_at":"2026-12-21T10:00:00Z","merchant_id":"M1"}"#,
        ),
    );
    let t = t.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.expires_at_ms, parse_rfc3339_ms("2026-12-21T10:00:00Z"));
    assert_eq!(
        t.connection_config.get("merchant_id").map(String::as_str),
        Some("M1")
    );
}

#[test]
fn rfc3339_parsing() {
    assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_rfc3339_ms("2000-03-01T00:00:00Z"),
        Some(951_868_800_000)
    );
    assert_eq!(
        parse_rfc3339_ms("2026-11-21T10:00:00.5Z"),
        parse_rfc3339_ms("2026-11-21T10:00:00Z").map(|t| t + 500)
    );
    assert_eq!(
        parse_rfc3339_ms("2026-11-21T12:00:00+02:00"),
        parse_rfc3339_ms("2026-11-21T10:00:00Z")
    );
    for bad in [
        "",
        "2026-11-21",
        "2026-13-01T00:00:00Z",
        "2026-11-21T10:00:00",
        "2026-11-21T10:00:00Zjunk",
        "２０２６-11-21T10:00:00Z",
    ] {
        assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
    }
}

#[test]
fn errors_are_classified_by_grant() {
    let invalid_grant = json(
        400,
        r#"{"error":"invalid_grant","error_description":"SENTINEL_RT is revoked"}"#,
    );
    let e = process("gitlab", Grant::RefreshToken, &invalid_grant).err();
    assert_eq!(e.as_ref().map(Error::code), Some(ErrorCode::NeedsReconnect));
    assert!(
        !e.map(|e| e.to_string())
            .unwrap_or_default()
            .contains("SENTINEL"),
        "provider bodies are never echoed"
    );
    assert_eq!(
        code_of(process("gitlab", Grant::AuthorizationCode, &invalid_grant)),
        Some(ErrorCode::CodeExchangeFailed)
    );
    let client_error = json(401, r#"{"error":"invalid_client"}"#);
    assert_eq!(
        code_of(process("gitlab", Grant::RefreshToken, &client_error)),
        Some(ErrorCode::ProviderConfigError)
    );
    let html = HttpResponse {
        status: 502,
        headers: vec![],
        body: b"<html>bad gateway</html>".to_vec(),
    };
    assert_eq!(
        code_of(process("gitlab", Grant::RefreshToken, &html)),
        Some(ErrorCode::ProviderError)
    );
    assert!(is_retryable_status(429) && is_retryable_status(503) && !is_retryable_status(400));
}

#[test]
fn answers_over_one_mib_are_refused() {
    let big = format!(
        r#"{{"access_token":"a","pad":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    assert_eq!(
        code_of(process(
            "gitlab",
            Grant::AuthorizationCode,
            &json(200, &big)
        )),
        Some(ErrorCode::ResponseTooLarge)
    );
}

#[test]
fn the_account_comes_from_the_id_token_or_the_providers_own_fields() {
    let claims = crate::b64::url(r#"{"sub":"248289761001","email":"jane@example.com"}"#);
    let oidc = serde_json::json!({ "id_token": format!("eyJhbGciOiJSUzI1NiJ9.{claims}.sig") });
    assert_eq!(
        Account::of(&oidc),
        Account {
            id: Some("248289761001".into()),
            email: Some("jane@example.com".into())
        }
    );
    let slack = serde_json::json!({ "authed_user": { "id": "U123" } });
    assert_eq!(Account::of(&slack).id.as_deref(), Some("U123"));
    let notion = serde_json::json!({ "owner": { "user": { "id": "n-1", "person": { "email": "n@example.com" } } } });
    assert_eq!(
        Account::of(&notion),
        Account {
            id: Some("n-1".into()),
            email: Some("n@example.com".into())
        }
    );
    // A broken id_token gives nothing rather than an error.
    assert_eq!(
        Account::of(&serde_json::json!({ "id_token": "x.%%%.y" })),
        Account::default()
    );
}

/// Issue 16 §5: a token endpoint that answers with the token it was sent as
/// its `error` (or anything else that is no OAuth error code) is named
/// `other`; the message never holds what the provider wrote.
#[test]
fn a_provider_error_is_named_only_by_a_known_code() {
    let sentinels = [
        "SENTINEL_RT_1f0aB9",
        "SENTINEL_AT_z8Yq",
        "SENTINEL_CS",
        "SENTINEL_CODE_4d2",
        "ya29.a0AfH6SMB-x_y",
        "xoxe-1-My0xLTQ5",
    ];
    // Every quirk path: a plain JSON error, GitHub's HTTP 200 (also
    // form-encoded), Slack's `ok: false` with its token path, Square's
    // absolute expiry, a non-2xx status.
    let providers = ["gitlab", "github", "slack", "square", "salesforce"];
    for sentinel in sentinels {
        let fields = [
            "error",
            "error_description",
            "error_uri",
            "message",
            "detail",
        ]
        .map(|f| format!(r#""{f}":"{sentinel}""#))
        .join(",");
        let responses = [
            json(400, &format!("{{{fields}}}")),
            json(200, &format!("{{{fields}}}")),
            json(200, &format!(r#"{{"ok":false,{fields}}}"#)),
            json(401, &format!(r#"{{"error":{{"message":"{sentinel}"}}}}"#)),
            HttpResponse {
                status: 200,
                headers: vec![(
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: format!("error={sentinel}&error_description={sentinel}").into_bytes(),
            },
        ];
        for id in providers {
            for grant in [Grant::AuthorizationCode, Grant::RefreshToken] {
                for response in &responses {
                    let Err(e) = process(id, grant, response) else {
                        continue;
                    };
                    let shown = format!("{e} {e:?}");
                    assert!(!shown.contains(sentinel), "{id} {grant:?}: {shown}");
                    assert!(!shown.contains("SENTINEL"), "{id} {grant:?}: {shown}");
                }
            }
        }
        let e = process(
            "gitlab",
            Grant::RefreshToken,
            &json(400, &format!(r#"{{"error":"{sentinel}"}}"#)),
        );
        let e = e.err().unwrap_or_else(|| panic!("an error"));
        assert_eq!(e.code(), ErrorCode::ProviderError);
        assert_eq!(e.message(), "The provider answered other");
    }
    // The codes of RFC 6749 and RFC 7009, and the providers' own that the
    // engine reads, are named.
    for (error, grant, code) in [
        (
            "invalid_grant",
            Grant::RefreshToken,
            ErrorCode::NeedsReconnect,
        ),
        (
            "invalid_grant",
            Grant::AuthorizationCode,
            ErrorCode::CodeExchangeFailed,
        ),
        (
            "invalid_client",
            Grant::RefreshToken,
            ErrorCode::ProviderConfigError,
        ),
        (
            "unsupported_grant_type",
            Grant::RefreshToken,
            ErrorCode::ProviderError,
        ),
        (
            "unsupported_token_type",
            Grant::RefreshToken,
            ErrorCode::ProviderError,
        ),
        (
            "temporarily_unavailable",
            Grant::RefreshToken,
            ErrorCode::ProviderError,
        ),
        (
            "token_revoked",
            Grant::RefreshToken,
            ErrorCode::NeedsReconnect,
        ),
        (
            "bad_verification_code",
            Grant::AuthorizationCode,
            ErrorCode::CodeExchangeFailed,
        ),
    ] {
        let e = process(
            "gitlab",
            grant,
            &json(400, &format!(r#"{{"error":"{error}"}}"#)),
        );
        let e = e.err().unwrap_or_else(|| panic!("an error"));
        assert_eq!(e.code(), code, "{error}");
        assert_eq!(e.message(), format!("The provider answered {error}"));
    }
    // A code that only differs in case or by a suffix is not one of them.
    for error in [
        "INVALID_GRANT",
        "invalid_grant_SENTINEL",
        " invalid_grant",
        "",
    ] {
        let e = process(
            "gitlab",
            Grant::RefreshToken,
            &json(400, &format!(r#"{{"error":"{error}"}}"#)),
        );
        assert_eq!(
            e.err().map(|e| e.message().to_owned()).as_deref(),
            Some("The provider answered other"),
            "{error:?}"
        );
    }
}

// ------------------------------------------------- per-grant and per-endpoint data

#[test]
fn a_slack_user_token_refresh_answers_at_the_top_level() {
    // The code exchange nests the user token under `authed_user`; a refresh
    // with token rotation answers it at the top level (Slack's SDK,
    // install-provider.ts `authorize()`).
    let body = r#"{"ok":true,"app_id":"A1","access_token":"xoxe.xoxp-NEW","refresh_token":"xoxe-1-NEW",
        "expires_in":43200,"token_type":"user","scope":"search:read,channels:history","team":{"id":"T1"}}"#;
    let t =
        process("slack", Grant::RefreshToken, &json(200, body)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "xoxe.xoxp-NEW");
    assert_eq!(
        t.refresh_token.as_ref().map(RefreshToken::secret),
        Some("xoxe-1-NEW")
    );
    assert_eq!(t.token_type, "user");
    assert_eq!(t.expires_at_ms, Some(NOW + 43_200_000));
    assert_eq!(t.scopes, vec!["search:read", "channels:history"]);
    // The code exchange still reads `authed_user` only: the bot token at
    // the top of that answer is not the user's.
    let exchange = r#"{"ok":true,"access_token":"xoxb-BOT","token_type":"bot",
        "authed_user":{"id":"U1","access_token":"xoxp-USER","token_type":"user"}}"#;
    let t = process("slack", Grant::AuthorizationCode, &json(200, exchange))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "xoxp-USER");
}

#[test]
fn a_github_app_refresh_with_a_bad_refresh_token_asks_for_a_reconnect() {
    // GitHub answers HTTP 200 {"error": "bad_refresh_token"} for an expired,
    // used or revoked refresh token (docs.github.com, "Refreshing user access tokens").
    let body = r#"{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired."}"#;
    let e = process("github", Grant::RefreshToken, &json(200, body)).err();
    assert_eq!(e.as_ref().map(Error::code), Some(ErrorCode::NeedsReconnect));
    assert!(e.is_some_and(|e| e.to_string().contains("bad_refresh_token")));
}

#[test]
fn github_revocation_sends_the_user_agent_the_rest_api_requires() {
    let r = revocation_of("github", "AT", None);
    assert!(r.header("user-agent").is_some_and(|v| !v.trim().is_empty()));
}

#[test]
fn linkedin_answers_granted_scopes_comma_joined() {
    let body = r#"{"access_token":"AQV1","expires_in":5184000,"scope":"email,openid,profile","token_type":"Bearer"}"#;
    let t = process("linkedin", Grant::AuthorizationCode, &json(200, body))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.scopes, vec!["email", "openid", "profile"]);
}

#[test]
fn calendly_revocation_takes_the_credentials_in_the_form_body() {
    let r = revocation_of("calendly", "RT", None);
    assert_eq!(r.url, "https://auth.calendly.com/oauth/revoke");
    assert_eq!(r.header("authorization"), None);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: BTreeMap<String, String> = form_urlencoded::parse(&r.body).into_owned().collect();
    assert_eq!(form.get("client_id").map(String::as_str), Some("CLIENT ID"));
    assert_eq!(
        form.get("client_secret").map(String::as_str),
        Some("SENTINEL_CS")
    );
    assert_eq!(form.get("token").map(String::as_str), Some("RT"));
    // The token endpoint keeps Basic.
    assert!(refreshes_with_basic("calendly"));
}

#[test]
fn linear_revokes_rfc7009_style_and_answers_scopes_space_separated() {
    let r = revocation_of("linear", "RT", Some("refresh_token"));
    assert_eq!(
        (r.method, r.url.as_str()),
        ("POST", "https://api.linear.app/oauth/revoke")
    );
    assert!(body_text(&r).starts_with("token=RT&token_type_hint=refresh_token"));
    let body = r#"{"access_token":"lin_oauth_1","token_type":"Bearer","expires_in":86399,"scope":"read write","refresh_token":"lin_rt_1"}"#;
    let t = process("linear", Grant::AuthorizationCode, &json(200, body))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.scopes, vec!["read", "write"]);
}

#[test]
fn quickbooks_revokes_with_basic_and_a_json_body() {
    let r = revocation_of("quickbooks", "RT", Some("refresh_token"));
    assert_eq!(
        r.url,
        "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
    );
    assert!(
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("accept"), Some("application/json"));
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(body["token"], "RT");
}

#[test]
fn notion_revokes_with_basic_a_json_body_and_its_version_header() {
    let r = revocation_of("notion", "AT", Some("access_token"));
    assert_eq!(r.url, "https://api.notion.com/v1/oauth/revoke");
    assert!(
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("notion-version").is_some_and(|v| !v.is_empty()));
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(body["token"], "AT");
    assert!(body.get("client_secret").is_none(), "{body}");
}

#[test]
fn a_lifetime_the_answer_does_not_give_comes_from_the_catalog() {
    let mut p = provider("salesforce").clone();
    let body = r#"{"access_token":"00D!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer","issued_at":"1800000000000","signature":"x"}"#;
    let read = |p: &Provider| {
        process_token_response(
            p,
            Grant::RefreshToken,
            &json(200, body),
            &[],
            &BTreeMap::new(),
            NOW,
        )
        .map(|t| t.expires_at_ms)
        .unwrap_or_else(|e| panic!("{e}"))
    };
    p.token_response.default_expires_in = Some(900);
    assert_eq!(read(&p), Some(NOW + 900_000));
    // An announced lifetime wins.
    let announced = r#"{"access_token":"AT","expires_in":60}"#;
    let t = process_token_response(
        &p,
        Grant::AuthorizationCode,
        &json(200, announced),
        &[],
        &BTreeMap::new(),
        NOW,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.expires_at_ms, Some(NOW + 60_000));
    p.token_response.default_expires_in = None;
    assert_eq!(read(&p), None);
}

#[test]
fn a_snowflake_refresh_repeats_the_redirect_uri_others_do_not() {
    // docs.snowflake.com/en/user-guide/oauth-custom: a refresh posts
    // grant_type, refresh_token and redirect_uri, with Basic client auth.
    let rt = RefreshToken::new("RT");
    let config = BTreeMap::from([("account".to_owned(), "myorg-acct".to_owned())]);
    let r = refresh_request_from(
        provider("snowflake"),
        &client(),
        &config,
        &rt,
        Some("https://a/cb"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.url,
        "https://myorg-acct.snowflakecomputing.com/oauth/token-request"
    );
    assert_eq!(
        body_text(&r),
        "grant_type=refresh_token&refresh_token=RT&redirect_uri=https%3A%2F%2Fa%2Fcb"
    );
    assert!(
        r.header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );
    // Without the client's redirect URI the request cannot be made.
    let none = refresh_request(provider("snowflake"), &client(), &config, &rt);
    assert_eq!(none.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    // Everyone else refreshes without it.
    let airtable = refresh_request_from(
        provider("airtable"),
        &client(),
        &BTreeMap::new(),
        &rt,
        Some("https://a/cb"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        body_text(&airtable),
        "grant_type=refresh_token&refresh_token=RT"
    );
}

#[test]
fn supabase_revokes_the_refresh_token_in_a_json_body_with_the_client_and_no_hint() {
    // Management API reference, POST /v1/oauth/revoke: application/json
    // { client_id, client_secret, refresh_token }, no other property.
    let r = revocation_of("supabase", "RT", Some("refresh_token"));
    assert_eq!(
        (r.method, r.url.as_str()),
        ("POST", "https://api.supabase.com/v1/oauth/revoke")
    );
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(
        body,
        json!({ "refresh_token": "RT", "client_id": "CLIENT ID", "client_secret": "SENTINEL_CS" })
    );
    // The token endpoint takes Basic, as the integration guide says.
    assert!(refreshes_with_basic("supabase"));
}

#[test]
fn instagram_reads_the_documented_data_array_and_its_one_hour_token() {
    // Business Login for Instagram, step 2: the short-lived token, its
    // user id and permissions in a `data` array, with no expires_in.
    let body = r#"{"data":[{"access_token":"IGAA_SENTINEL","user_id":"17841400000000042","permissions":"instagram_business_basic,instagram_business_content_publish"}]}"#;
    let t = process("instagram", Grant::AuthorizationCode, &json(200, body))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.access_token.secret(), "IGAA_SENTINEL");
    assert_eq!(
        t.connection_config.get("user_id").map(String::as_str),
        Some("17841400000000042")
    );
    assert_eq!(t.expires_at_ms, Some(NOW + 3_600_000));
    assert!(!t.raw.to_string().contains("SENTINEL"));
}

#[test]
fn wix_access_tokens_lapse_after_five_minutes_unannounced() {
    let body = r#"{"access_token":"OauthNG.JWS.a","refresh_token":"OauthNG.JWS.r"}"#;
    for grant in [Grant::AuthorizationCode, Grant::RefreshToken] {
        let t = process("wix", grant, &json(200, body)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.expires_at_ms, Some(NOW + 300_000));
    }
}

#[test]
fn square_answers_a_dead_refresh_token_in_its_own_shape() {
    // Square's OAuth answers carry no `error`: a revoked refresh token is
    // HTTP 401 {"message": "Invalid refresh token", "type": "service.not_authorized"},
    // a wrong client secret the same with "Not Authorized".
    let dead = json(
        401,
        r#"{"message":"Invalid refresh token","type":"service.not_authorized"}"#,
    );
    assert_eq!(
        code_of(process("square", Grant::RefreshToken, &dead)),
        Some(ErrorCode::NeedsReconnect)
    );
    let client = json(
        401,
        r#"{"message":"Not Authorized","type":"service.not_authorized"}"#,
    );
    assert_eq!(
        code_of(process("square", Grant::RefreshToken, &client)),
        Some(ErrorCode::ProviderConfigError)
    );
}
