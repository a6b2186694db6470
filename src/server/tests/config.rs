//! What the server is configured with: refused configurations, and the
//! browser binding on by default, and `maxAttempts` reaching every connector.

use super::*;

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
fn max_attempts_applies_to_every_connector() {
    let catalog = Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"));
    let provider = catalog
        .require("github")
        .unwrap_or_else(|e| panic!("{e}"))
        .clone();
    let mut config = ServerConfig::new("app1", "https://connect.example", catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    let credentials = ClientCredentials {
        client_id: "id".into(),
        client_secret: None,
    };
    for slot in [Slot::Workspace("w".into()), Slot::AppUser("u".into())] {
        config
            .add_connector(
                slot,
                provider.clone(),
                credentials.clone(),
                &[],
                BTreeMap::new(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    config.max_attempts(1);
    for slot in [Slot::Workspace("w".into()), Slot::AppUser("u".into())] {
        let connector = config.connector(&slot).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(connector.client.retry.max_attempts, 1);
    }
}
