use super::*;
use crate::catalog::Catalog;
use crate::http::{FetchFailure, HttpResponse};
use crate::oauth::secret::{ClientSecret, PkceVerifier};
use crate::oauth::{callback, pkce, state};
use crate::test_util::{FakeClock, FakeFetch, MemoryStore, block_on, json_response};

const NOW: u64 = 1_800_000_000_000;

fn client(id: &str) -> OAuthClient {
    let provider = Catalog::builtin()
        .ok()
        .and_then(|c| c.get(id))
        .cloned()
        .unwrap_or_else(|| panic!("{id}"));
    let credentials = ClientCredentials {
        client_id: "CID".into(),
        client_secret: Some(ClientSecret::new("SENTINEL_CS")),
    };
    OAuthClient::new(
        provider,
        credentials,
        "https://app.example/api/callback/gitlab",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_whole_code_flow_with_sealed_state_and_pkce() {
    let c = client("gitlab");
    let key = state::StateKey::derive(&[9u8; 32]).unwrap_or_else(|e| panic!("{e}"));
    let store = MemoryStore::on(&FakeClock::at(0));
    let verifier = pkce::generate_verifier().unwrap_or_else(|e| panic!("{e}"));
    let mut claims = state::StateClaims::new("gitlab", c.redirect_uri.clone(), NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    claims.verifier = Some(verifier.clone());
    claims.scopes = vec!["read_user".into()];
    let sealed = state::seal(&key, &claims).unwrap_or_else(|e| panic!("{e}"));
    let url = c.authorization_url(
        &claims.scopes,
        sealed.secret(),
        Some(verifier.secret()),
        &[],
    );
    let url = url.unwrap_or_else(|e| panic!("{e}"));
    assert!(url.contains(&pkce::challenge_s256(verifier.secret())));

    // The provider redirects back with the state and a code.
    let query = format!("code=SENTINEL_CODE&state={}", sealed.secret());
    let params = callback::parse_query(&query).unwrap_or_else(|e| panic!("{e}"));
    let opened =
        state::open(&key, &params.state, "gitlab", NOW + 5_000).unwrap_or_else(|e| panic!("{e}"));
    callback::check_issuer(&c.provider, params.iss.as_deref()).unwrap_or_else(|e| panic!("{e}"));
    block_on(state::consume(&store, "app1", &opened, NOW + 5_000))
        .unwrap_or_else(|e| panic!("{e}"));
    let code = params.outcome().unwrap_or_else(|e| panic!("{e}"));

    let fetch = FakeFetch::answering(vec![Ok(json_response(
        200,
        r#"{"access_token":"AT1","refresh_token":"RT1","expires_in":7200,"scope":"read_user","created_at":1}"#,
    ))]);
    let clock = FakeClock::at(NOW + 6_000);
    let verifier_used = opened.verifier.as_ref().map(PkceVerifier::secret);
    let tokens = block_on(c.exchange_code(
        &fetch,
        &clock,
        code.secret(),
        verifier_used,
        &opened.scopes,
        &params.extra,
    ));
    let tokens = tokens.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tokens.access_token.secret(), "AT1");
    assert_eq!(tokens.expires_at_ms, Some(NOW + 6_000 + 7_200_000));
    let sent = String::from_utf8(fetch.requests.borrow()[0].body.clone()).unwrap_or_default();
    assert!(
        sent.contains(&format!("code_verifier={}", verifier.secret())),
        "the stored verifier is sent: {sent}"
    );
    assert!(sent.contains("redirect_uri=https%3A%2F%2Fapp.example%2Fapi%2Fcallback%2Fgitlab"));

    // The same callback again is refused before any token request.
    let again =
        state::open(&key, &params.state, "gitlab", NOW + 7_000).unwrap_or_else(|e| panic!("{e}"));
    let replay = block_on(state::consume(&store, "app1", &again, NOW + 7_000))
        .err()
        .map(|e| e.code());
    assert_eq!(replay, Some(ErrorCode::StateReplayed));
}

#[test]
fn refresh_keeps_the_old_refresh_token_when_none_comes_back() {
    let c = client("googlecalendar");
    let fetch = FakeFetch::answering(vec![Ok(json_response(
        200,
        r#"{"access_token":"AT2","expires_in":3599}"#,
    ))]);
    let t = block_on(c.refresh(&fetch, &FakeClock::at(NOW), &RefreshToken::new("RT1"), &[]));
    let t = t.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        t.refresh_token.as_ref().map(RefreshToken::secret),
        Some("RT1")
    );
    let fetch = FakeFetch::answering(vec![Ok(json_response(
        200,
        r#"{"access_token":"AT2","refresh_token":"RT2"}"#,
    ))]);
    let t = block_on(c.refresh(&fetch, &FakeClock::at(NOW), &RefreshToken::new("RT1"), &[]));
    assert_eq!(
        t.ok()
            .and_then(|t| t.refresh_token)
            .map(|r| r.secret().to_owned())
            .as_deref(),
        Some("RT2")
    );
}

#[test]
fn refresh_with_invalid_grant_needs_a_reconnect_after_one_call() {
    let c = client("gitlab");
    let fetch = FakeFetch::answering(vec![Ok(json_response(400, r#"{"error":"invalid_grant"}"#))]);
    let e = block_on(c.refresh(&fetch, &FakeClock::at(NOW), &RefreshToken::new("RT1"), &[]))
        .err()
        .map(|e| e.code());
    assert_eq!((e, fetch.calls()), (Some(ErrorCode::NeedsReconnect), 1));
}

#[test]
fn revocation_outcomes() {
    let c = client("gitlab");
    let fetch = FakeFetch::answering(vec![Ok(json_response(200, "{}"))]);
    assert_eq!(
        block_on(c.revoke(&fetch, &FakeClock::at(NOW), "RT", Some("refresh_token"))).ok(),
        Some(Revocation::Revoked)
    );
    let ms = client("outlook");
    let fetch = FakeFetch::answering(vec![]);
    assert_eq!(
        block_on(ms.revoke(&fetch, &FakeClock::at(NOW), "RT", None)).ok(),
        Some(Revocation::Unsupported)
    );
    assert_eq!(fetch.calls(), 0);
    let fetch = FakeFetch::answering(vec![Ok(json_response(401, "{}"))]);
    let e = block_on(c.revoke(&fetch, &FakeClock::at(NOW), "RT", None))
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::ProviderConfigError));
}

#[test]
fn redirect_uris_must_be_https_without_fragment() {
    for bad in [
        "https://a.example/cb#x",
        "http://a.example/cb",
        "https://u:p@a.example/cb",
        "/cb",
        "https:///cb",
        "https://a.example/c b",
    ] {
        assert_eq!(
            check_redirect_uri(bad).err().map(|e| e.code()),
            Some(ErrorCode::ConfigInvalid),
            "{bad}"
        );
    }
    for ok in [
        "https://a.example/cb",
        "http://127.0.0.1:8787/cb",
        "http://localhost/cb",
        "http://[::1]:9/cb",
    ] {
        assert!(check_redirect_uri(ok).is_ok(), "{ok}");
    }
}

#[test]
fn managed_providers_have_no_oauth_client() {
    let stripe = Catalog::builtin()
        .ok()
        .and_then(|c| c.get("stripe"))
        .cloned()
        .unwrap_or_else(|| panic!("stripe"));
    let creds = ClientCredentials {
        client_id: "x".into(),
        client_secret: None,
    };
    assert_eq!(
        OAuthClient::new(stripe, creds, "https://a/cb")
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::InvalidInput)
    );
}

/// K3: drive error paths with sentinels; none may appear in what an error shows.
#[test]
fn no_secret_reaches_an_error_message() {
    let c = client("gitlab");
    let echo =
        r#"{"error":"invalid_grant","error_description":"SENTINEL_RT SENTINEL_CS SENTINEL_CODE"}"#;
    let answers: Vec<Result<HttpResponse, FetchFailure>> = vec![
        Ok(json_response(400, echo)),
        Ok(json_response(500, "SENTINEL_RT")),
        Ok(json_response(500, "SENTINEL_RT")),
        Ok(json_response(500, "SENTINEL_RT")),
        Ok(json_response(200, r#"{"refresh_token":"SENTINEL_RT"}"#)),
    ];
    let fetch = FakeFetch::answering(answers);
    let clock = FakeClock::at(NOW);
    let mut errors = Vec::new();
    for _ in 0..3 {
        if let Err(e) = block_on(c.refresh(&fetch, &clock, &RefreshToken::new("SENTINEL_RT"), &[]))
        {
            errors.push(e);
        }
    }
    if let Err(e) =
        block_on(c.exchange_code(&fetch, &clock, "SENTINEL_CODE", None, &[], &BTreeMap::new()))
    {
        errors.push(e);
    }
    assert!(errors.len() >= 3, "{errors:?}");
    for e in errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
    }
    assert!(!format!("{c:?}").contains("SENTINEL"));
}

#[test]
fn a_revocation_refused_in_an_http_200_is_no_revocation() {
    // Slack's auth.revoke answers every outcome with HTTP 200: `ok: false`
    // is a refusal, except that a token already dead is as good as revoked.
    let c = client("slack");
    let revoke = |answer: &str| {
        let fetch = FakeFetch::answering(vec![Ok(json_response(200, answer))]);
        block_on(c.revoke(&fetch, &FakeClock::at(NOW), "xoxp-1", None)).map_err(|e| e.code())
    };
    assert_eq!(
        revoke(r#"{"ok":true,"revoked":true}"#),
        Ok(Revocation::Revoked)
    );
    assert_eq!(
        revoke(r#"{"ok":false,"error":"ratelimited"}"#),
        Err(ErrorCode::ProviderError)
    );
    for dead in ["invalid_auth", "token_revoked", "token_expired"] {
        assert_eq!(
            revoke(&format!(r#"{{"ok":false,"error":"{dead}"}}"#)),
            Ok(Revocation::Revoked),
            "{dead}"
        );
    }
}
