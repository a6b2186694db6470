use super::*;
use crate::config;

fn catalog() -> Catalog {
    Catalog::builtin()
        .cloned()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn file(text: &str) -> Result<crate::config::ParsedFile> {
    config::parse(text, Some("connectors/x.jsonc"))
}

fn credentials() -> ClientCredentials {
    ClientCredentials {
        client_id: "id".into(),
        client_secret: None,
    }
}

#[test]
fn a_shared_connector_holds_the_scopes_its_connector_file_declares() {
    let catalog = catalog();
    let mut files = ConnectorFiles::validate(
        vec![
            file(r#"{ "type": "slack", "scopes": ["chat:write"] }"#),
            file(r#"{ "type": "github", "scopes": ["read:user", "repo"] }"#),
        ],
        &catalog,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.declared.len(), 2);
    let mut config = ServerConfig::new("app1", "https://connect.example", catalog.clone())
        .unwrap_or_else(|e| panic!("{e}"));
    for ty in ["github", "notion"] {
        let provider = catalog
            .require(ty)
            .cloned()
            .unwrap_or_else(|e| panic!("{e}"));
        config
            .add_shared(
                ty.into(),
                provider,
                credentials(),
                BTreeMap::new(),
                &mut files,
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let scopes = |ty: &str| {
        config
            .connector(&Slot::Shared(ty.into()))
            .map(|c| c.scopes.clone())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(scopes("github"), ["read:user", "repo"]);
    // A type without a file asks for no scopes of its own.
    assert!(scopes("notion").is_empty());
    // Taken once: a type has one shared connection.
    assert!(files.take_scopes("github").is_empty());
    assert_eq!(files.take_scopes("slack"), ["chat:write"]);
}

#[test]
fn connector_files_report_every_bad_file() {
    let e = ConnectorFiles::validate(
        vec![
            file(r#"{ "type": "no_such_type" }"#),
            file(r#"{ "type": "github", "scopes": ["a b"] }"#),
        ],
        &catalog(),
    )
    .err()
    .unwrap_or_else(|| panic!("bad files were accepted"));
    assert_eq!(e.errors().len(), 2, "{e}");
}

#[test]
fn state_is_sealed_with_the_current_secret() {
    let secrets = ["current-secret".to_owned(), "previous-secret".to_owned()];
    assert_eq!(state_secret(&secrets), b"current-secret");
    assert_eq!(state_secret::<String>(&[]), b"");
}
