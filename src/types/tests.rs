use super::*;

fn config(ty: &str) -> ConnectorConfig {
    ConnectorConfig {
        integration_type: ty.to_owned(),
        scopes: vec![],
    }
}

#[test]
fn registry_lists_each_type_once_sorted() {
    let text = generate_types(
        &[config("slack"), config("github"), config("slack")],
        DEFAULT_MODULE,
    );
    let text = text.unwrap_or_default();
    assert!(text.contains("declare module \"oauth-connectors\" {"));
    let github = text.find("\"github\": true;");
    let slack = text.find("\"slack\": true;");
    assert!(
        github.is_some() && slack.is_some() && github < slack,
        "{text}"
    );
    assert_eq!(text.matches("\"slack\"").count(), 1);
    assert!(
        text.contains("export {};"),
        "a module file, so the block augments instead of declaring"
    );
}

#[test]
fn types_are_written_in_lower_case_once() {
    let text = generate_types(&[config("Slack"), config("slack")], DEFAULT_MODULE);
    let text = text.unwrap_or_default();
    assert_eq!(text.matches("\"slack\": true;").count(), 1, "{text}");
    assert!(!text.contains("Slack"), "{text}");
}

#[test]
fn other_modules_can_be_augmented() {
    let text = generate_types(&[config("notion")], "@base44/sdk").unwrap_or_default();
    assert!(text.contains("declare module \"@base44/sdk\""));
}

#[test]
fn bad_module_and_type_names_are_rejected() {
    let e = generate_types(&[], "x\" } evil {").err().map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::InvalidInput));
    let e = generate_types(&[config("a\"b")], DEFAULT_MODULE)
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::ConfigInvalid));
}
