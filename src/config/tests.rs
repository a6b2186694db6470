use super::*;
use crate::catalog::{Catalog, Provider};

/// The example from Base44's developer docs, with comments added.
const DOCS_EXAMPLE: &str = r#"// base44/connectors/googlecalendar.jsonc
{
  "type": "googlecalendar",
  /* read and manage events */
  "scopes": [
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
  ],
}
"#;

fn err(text: &str) -> Error {
    match parse(text, Some("c.jsonc")) {
        Ok(f) => panic!("expected an error, parsed {f:?}"),
        Err(e) => e,
    }
}

fn pos(e: &Error) -> (ErrorCode, u32, u32) {
    let l = e.location().cloned().unwrap_or(Location {
        path: None,
        line: 0,
        column: 0,
    });
    (e.code(), l.line, l.column)
}

/// A tiny catalog for validation tests, independent of the built-in data.
fn catalog() -> Catalog {
    let text = r#"[
      {"type": "github", "display_name": "GitHub", "auth_model": "oauth",
       "authorization_url": "https://github.com/login/oauth/authorize",
       "token_url": "https://github.com/login/oauth/access_token"},
      {"type": "slack", "display_name": "Slack User", "auth_model": "oauth",
       "authorization_url": "https://slack.com/oauth/v2/authorize",
       "token_url": "https://slack.com/api/oauth.v2.access"},
      {"type": "stripe", "display_name": "Stripe", "auth_model": "managed", "scope": {"param": null}}
    ]"#;
    match Catalog::from_json(text, crate::catalog::Patterns::Compile) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn developer_docs_example_with_comments_and_trailing_commas_parses() {
    let file = parse(DOCS_EXAMPLE, Some("googlecalendar.jsonc")).map_err(|e| e.to_string());
    let file = file.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.config.integration_type, "googlecalendar");
    assert_eq!(
        file.config.scopes,
        vec![
            "https://www.googleapis.com/auth/calendar.readonly",
            "https://www.googleapis.com/auth/calendar.events"
        ]
    );
    let at = file.type_at.map(|l| (l.line, l.column));
    assert_eq!(at, Some((3, 11)));
}

#[test]
fn scopes_default_to_empty_and_null_means_none() {
    let f = parse(r#"{"type": "notion"}"#, None).map(|f| f.config.scopes);
    assert_eq!(f, Ok(vec![]));
    let f = parse(r#"{"type": "notion", "scopes": null}"#, None).map(|f| f.config.scopes);
    assert_eq!(f, Ok(vec![]));
}

#[test]
fn repeated_scopes_are_kept_once_in_order() {
    let f = parse(
        r#"{"type": "github", "scopes": ["repo", "user", "repo"]}"#,
        None,
    );
    assert_eq!(
        f.map(|f| f.config.scopes),
        Ok(vec!["repo".to_owned(), "user".to_owned()])
    );
}

#[test]
fn syntax_errors_point_at_line_and_column() {
    let e = err("{\n  \"type\": \"github\"\n  \"scopes\": []\n}");
    // The missing comma is reported right after the value it should follow.
    assert_eq!(pos(&e), (ErrorCode::ConfigSyntax, 2, 19));
    assert_eq!(
        e.location().and_then(|l| l.path.clone()).as_deref(),
        Some("c.jsonc")
    );
    assert!(e.to_string().starts_with("c.jsonc:2:19: "), "{e}");
}

#[test]
fn unterminated_block_comment_is_a_positioned_syntax_error() {
    let e = err("{\"type\": \"github\"} /* never closed");
    assert_eq!(e.code(), ErrorCode::ConfigSyntax);
    assert_eq!(e.location().map(|l| l.line), Some(1));
}

#[test]
fn json5_extensions_are_not_jsonc() {
    for text in [
        "{type: \"github\"}",
        "{'type': 'github'}",
        "{\"type\": \"github\", \"n\": 0x10}",
        "{\"type\": \"github\" \"scopes\": []}",
    ] {
        assert_eq!(err(text).code(), ErrorCode::ConfigSyntax, "{text}");
    }
}

#[test]
fn empty_file_and_non_object_root_are_errors() {
    assert_eq!(err("").code(), ErrorCode::ConfigSyntax);
    assert_eq!(err("// only a comment\n").code(), ErrorCode::ConfigSyntax);
    assert_eq!(pos(&err("\n  [1]")), (ErrorCode::ConfigInvalid, 2, 3));
}

#[test]
fn unknown_fields_are_rejected_by_name() {
    let e = err("{\n  \"type\": \"github\",\n  \"redirect_url\": \"https://x\"\n}");
    assert_eq!(pos(&e), (ErrorCode::UnknownField, 3, 3));
    assert!(e.message().contains("\"redirect_url\""), "{e}");
}

#[test]
fn duplicate_keys_are_rejected_at_the_second_key() {
    let e = err("{\"type\": \"github\", \"type\": \"slack\"}");
    assert_eq!(pos(&e), (ErrorCode::DuplicateKey, 1, 20));
    // Anywhere in the tree, not only at the top.
    let e = err("{\"type\": \"github\", \"x\": {\"a\": 1, \"a\": 2}}");
    assert_eq!(e.code(), ErrorCode::DuplicateKey);
}

#[test]
fn missing_or_mistyped_values_are_invalid() {
    assert_eq!(pos(&err("{\"scopes\": []}")).0, ErrorCode::ConfigInvalid);
    assert_eq!(
        pos(&err("{\"type\": 5}")),
        (ErrorCode::ConfigInvalid, 1, 10)
    );
    assert_eq!(
        pos(&err("{\"type\": \"github\", \"scopes\": \"repo\"}")).0,
        ErrorCode::ConfigInvalid
    );
    assert_eq!(
        pos(&err("{\"type\": \"github\", \"scopes\": [\"repo\", 1]}")),
        (ErrorCode::ConfigInvalid, 1, 39)
    );
}

#[test]
fn type_ids_must_match_the_base44_pattern() {
    for bad in ["google/../slack", "a b", "gооgle", "a\\u0000", ""] {
        let text = format!("{{\"type\": \"{bad}\"}}");
        assert_eq!(err(&text).code(), ErrorCode::ConfigInvalid, "{bad}");
    }
    let long = "a".repeat(65);
    assert_eq!(
        err(&format!("{{\"type\": \"{long}\"}}")).code(),
        ErrorCode::ConfigInvalid
    );
    // Case-insensitive, as the Base44 CLI's schema.
    assert!(parse("{\"type\": \"My_Tool-2\"}", None).is_ok());
}

#[test]
fn scopes_outside_the_rfc6749_charset_are_rejected_where_they_stand() {
    for bad in ["a b", "x\\\"y", "é", "", "back\\\\slash", "tab\\t"] {
        let text = format!("{{\"type\": \"github\",\n \"scopes\": [\"ok\", \"{bad}\"]}}");
        let e = err(&text);
        assert_eq!(pos(&e), (ErrorCode::InvalidScope, 2, 19), "{bad}: {e}");
    }
    assert!(parse("{\"type\": \"x\", \"scopes\": [\"!#[]~:/.\"]}", None).is_ok());
}

#[test]
fn too_many_scopes_are_rejected() {
    let scopes: Vec<String> = (0..51).map(|i| format!("\"s{i}\"")).collect();
    let text = format!(
        "{{\"type\": \"github\", \"scopes\": [{}]}}",
        scopes.join(",")
    );
    assert_eq!(err(&text).code(), ErrorCode::InvalidScope);
}

#[test]
fn files_over_256_kib_are_rejected_before_parsing() {
    let pad = " ".repeat(MAX_FILE_BYTES - 13);
    let ok = format!("{{\"type\": \"x\"}}{pad}");
    assert_eq!(ok.len(), MAX_FILE_BYTES);
    assert!(parse(&ok, None).is_ok());
    let big = format!("{ok} ");
    assert_eq!(big.len(), MAX_FILE_BYTES + 1);
    let e = err(&big);
    assert_eq!(e.code(), ErrorCode::ConfigTooLarge);
    assert!(e.to_string().starts_with("c.jsonc: "), "{e}");
    assert_eq!(
        parse_bytes(big.as_bytes(), None)
            .map_err(|e| e.code())
            .err(),
        Some(ErrorCode::ConfigTooLarge)
    );
}

#[test]
fn nesting_is_limited_without_overflowing_the_stack() {
    let nested = |n: usize| {
        format!(
            "{{\"type\": \"x\", \"scopes\": null, \"deep\": {}{}}}",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    // `deep` itself sits at depth 1, so 31 brackets reach 32.
    assert_eq!(err(&nested(31)).code(), ErrorCode::UnknownField);
    assert_eq!(err(&nested(32)).code(), ErrorCode::ConfigTooDeep);
    assert_eq!(err(&nested(33)).code(), ErrorCode::ConfigTooDeep);
    let e = err(&"[".repeat(100_000));
    assert_eq!(e.code(), ErrorCode::ConfigTooDeep);
}

#[test]
fn invalid_utf8_is_a_positioned_syntax_error() {
    let bytes = b"{\n  \"type\": \"git\xffhub\"}";
    let e = parse_bytes(bytes, Some("b.jsonc")).err();
    assert_eq!(e.as_ref().map(pos), Some((ErrorCode::ConfigSyntax, 2, 15)));
    let ok = parse_bytes(b"{\"type\": \"github\"}", None).map(|f| f.config.integration_type);
    assert_eq!(ok.as_deref(), Ok("github"));
}

#[test]
fn errors_never_echo_more_than_a_short_escaped_value() {
    let long = "x".repeat(10_000);
    let e = err(&format!("{{\"{long}\": 1}}"));
    assert_eq!(e.code(), ErrorCode::UnknownField);
    assert!(e.message().len() < 200, "{}", e.message().len());
    let e = err("{\"type\": \"a\\nb\"}");
    assert!(!e.message().contains('\n'));
}

fn parsed(text: &str, path: &str) -> ParsedFile {
    match parse(text, Some(path)) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn validate_accepts_known_types() {
    let files = vec![
        parsed(
            "{\"type\": \"github\", \"scopes\": [\"repo\"]}",
            "github.jsonc",
        ),
        parsed("{\"type\": \"slack\"}", "slack.jsonc"),
    ];
    let v = validate(files, &catalog()).map_err(|e| e.to_string());
    let v = v.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.connectors.len(), 2);
    assert!(v.warnings.is_empty());
}

#[test]
fn duplicate_types_name_both_files_as_base44_does() {
    let files = vec![
        parsed("{\"type\": \"slack\"}", "connectors/a.jsonc"),
        parsed("{\n\"type\": \"slack\"}", "connectors/b.jsonc"),
    ];
    let e = validate(files, &catalog()).err();
    let e = e.unwrap_or_else(|| panic!("expected a duplicate error"));
    assert_eq!(pos(&e), (ErrorCode::DuplicateConnector, 2, 9));
    assert!(
        e.message()
            .starts_with("Duplicate connector type \"slack\""),
        "{e}"
    );
    assert!(
        e.message().contains("connectors/a.jsonc")
            && e.to_string().starts_with("connectors/b.jsonc:2:9"),
        "{e}"
    );
}

#[test]
fn unknown_types_suggest_the_closest_known_one() {
    let e = validate(
        vec![parsed("{\n  \"type\": \"githb\"}", "g.jsonc")],
        &catalog(),
    )
    .err();
    let e = e.unwrap_or_else(|| panic!("expected an unknown type"));
    assert_eq!(pos(&e), (ErrorCode::UnknownProvider, 2, 11));
    assert_eq!(e.suggestion(), Some("github"));
    assert!(e.message().contains("Did you mean \"github\"?"), "{e}");
    let e = validate(
        vec![parsed("{\"type\": \"zzzzzz\"}", "z.jsonc")],
        &catalog(),
    )
    .err();
    assert_eq!(e.as_ref().map(|e| e.suggestion().is_none()), Some(true));
}

#[test]
fn scopes_on_a_managed_provider_are_a_warning_not_an_error() {
    let v = validate(
        vec![parsed(
            "{\"type\": \"stripe\", \"scopes\": [\"read_write\"]}",
            "stripe.jsonc",
        )],
        &catalog(),
    );
    let v = v.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.warnings.len(), 1);
    assert_eq!(v.warnings[0].code, "SCOPES_IGNORED");
    assert_eq!(v.warnings[0].path.as_deref(), Some("stripe.jsonc"));
}

#[test]
fn configs_given_as_values_are_checked_too() {
    let config = ConnectorConfig {
        integration_type: "github".to_owned(),
        scopes: vec!["repo".into(), "repo".into()],
    };
    let v = validate(vec![ParsedFile::from_config(config, None)], &catalog());
    assert_eq!(
        v.map(|v| v.connectors[0].scopes.clone()),
        Ok(vec!["repo".to_owned()])
    );
    let bad = ConnectorConfig {
        integration_type: "github".to_owned(),
        scopes: vec!["a b".into()],
    };
    let e = validate(
        vec![ParsedFile::from_config(bad, Some("x.json".into()))],
        &catalog(),
    )
    .err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::InvalidScope));
    let bad = ConnectorConfig {
        integration_type: "../x".to_owned(),
        scopes: vec![],
    };
    let e = validate(vec![ParsedFile::from_config(bad, None)], &catalog()).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::ConfigInvalid));
}

#[test]
fn custom_providers_count_as_known_types() {
    let mut c = catalog();
    let custom = Provider::from_json(
        r#"{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize", "token_url": "https://acme.example/token"}"#,
    );
    let custom = custom.unwrap_or_else(|e| panic!("{e}"));
    assert!(c.register(custom).is_ok());
    assert!(validate(vec![parsed("{\"type\": \"acme\"}", "acme.jsonc")], &c).is_ok());
}

#[test]
fn every_bad_file_is_reported_in_one_error_with_its_place() {
    let files = vec![
        parse(
            "{\n  \"type\": \"github\",\n  \"scope\": []\n}",
            Some("c/a.jsonc"),
        ),
        Ok(parsed("{\"type\": \"github\"}", "c/b.jsonc")),
        Ok(parsed("{\n  \"type\": \"githb\"\n}", "c/c.jsonc")),
        Ok(parsed("{\"type\": \"GitHub\"}", "c/d.jsonc")),
        parse("{\"type\": \"slack\",", Some("c/e.jsonc")),
        Ok(ParsedFile::from_config(
            ConnectorConfig {
                integration_type: "a b".into(),
                scopes: Vec::new(),
            },
            Some("c/f.jsonc".into()),
        )),
        Ok(parsed(
            "{\"type\": \"slack\", \"scopes\": [\"ok\"]}",
            "c/g.jsonc",
        )),
    ];
    let e = validate_all(files, &catalog())
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    // The first bad file's code and place are the error's own.
    assert_eq!(pos(&e), (ErrorCode::UnknownField, 3, 3));
    assert_eq!(
        e.location().and_then(|l| l.path.as_deref()),
        Some("c/a.jsonc")
    );
    let each: Vec<(ErrorCode, Option<&str>, u32, u32)> = e
        .errors()
        .iter()
        .map(|e| {
            let l = e.location();
            (
                e.code(),
                l.and_then(|l| l.path.as_deref()),
                l.map_or(0, |l| l.line),
                l.map_or(0, |l| l.column),
            )
        })
        .collect();
    assert_eq!(
        each,
        [
            (ErrorCode::UnknownField, Some("c/a.jsonc"), 3, 3),
            (ErrorCode::UnknownProvider, Some("c/c.jsonc"), 2, 11),
            (ErrorCode::DuplicateConnector, Some("c/d.jsonc"), 1, 10),
            (ErrorCode::ConfigSyntax, Some("c/e.jsonc"), 1, 1),
            (ErrorCode::ConfigInvalid, Some("c/f.jsonc"), 0, 0),
        ]
    );
    // The message names every file, one a line, each as it would be alone.
    let lines: Vec<String> = e.to_string().lines().map(str::to_owned).collect();
    let alone: Vec<String> = e.errors().iter().map(Error::to_string).collect();
    assert_eq!(lines, alone);
    assert!(lines[2].starts_with("c/d.jsonc:1:10: Duplicate connector type \"github\" in c/d.jsonc (also declared in c/b.jsonc)"), "{}", lines[2]);
    // One bad file: the error it always was, listed alone.
    let one = validate(vec![parsed("{\"type\": \"githb\"}", "g.jsonc")], &catalog())
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    assert_eq!(one.errors().len(), 1);
    assert_eq!(one.to_string(), one.errors()[0].to_string());
    assert!(
        one.to_string()
            .starts_with("g.jsonc:1:10: Unknown connector type"),
        "{one}"
    );
}

#[test]
fn type_ids_are_read_in_lower_case() {
    // Matched as ^[a-z0-9_-]+$ case-insensitively, then folded: "Slack" is slack.
    assert_eq!(
        parsed("{\"type\": \"Slack\"}", "a.jsonc")
            .config
            .integration_type,
        "slack"
    );
    let v = validate(
        vec![
            parsed("{\"type\": \"GitHub\"}", "a.jsonc"),
            ParsedFile::from_config(
                ConnectorConfig {
                    integration_type: "SLACK".into(),
                    scopes: Vec::new(),
                },
                None,
            ),
        ],
        &catalog(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let types: Vec<&str> = v
        .connectors
        .iter()
        .map(|c| c.integration_type.as_str())
        .collect();
    assert_eq!(types, ["github", "slack"]);
    // So two files that differ only in case declare one type twice.
    let e = validate(
        vec![
            parsed("{\"type\": \"slack\"}", "a.jsonc"),
            parsed("{\"type\": \"Slack\"}", "b.jsonc"),
        ],
        &catalog(),
    )
    .err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::DuplicateConnector));
}
