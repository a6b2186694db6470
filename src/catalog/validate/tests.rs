//! The rules themselves, on entries built in code (the catalog's own
//! tests read entries from JSON: `catalog/tests.rs`).

use std::collections::BTreeMap;

use super::*;
use crate::catalog::RevocationEndpoint;

/// A valid OAuth entry with a templated token endpoint.
fn entry() -> Provider {
    Provider::from_json(
        r#"{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize",
            "token_url": "https://{sub}.acme.example/token",
            "connection_config_fields": [
                {"name": "sub", "display_name": "Subdomain",
                 "validation_pattern": "^[a-z]+$", "default": "eu"}
            ]}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The message of a refused entry, checked to be `PROVIDER_INVALID` and to
/// name the entry.
fn refused(p: &Provider, patterns: Patterns) -> String {
    match provider(p, patterns) {
        Ok(()) => panic!("accepted: {p:?}"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::ProviderInvalid, "{e}");
            e.message().to_owned()
        }
    }
}

fn accepted(p: &Provider) -> bool {
    provider(p, Patterns::Compile).is_ok() && provider(p, Patterns::Trust).is_ok()
}

fn revocation(url: &str, headers: &[(&str, &str)]) -> RevocationEndpoint {
    serde_json::from_value(serde_json::json!({ "url": url, "headers": map(headers) }))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn type_ids_are_ascii_letters_digits_underscores_and_hyphens_up_to_64() {
    for ok in [
        "a",
        "acme",
        "Microsoft_Teams",
        "cal-v2",
        "0",
        &"a".repeat(MAX_TYPE_ID_LEN),
    ] {
        assert!(is_valid_type_id(ok), "{ok}");
    }
    for bad in [
        "",
        &"a".repeat(MAX_TYPE_ID_LEN + 1),
        "a b",
        "a.b",
        "a/b",
        "a:b",
        "a~b",
        "gооgle",
        "é",
        "a\u{0}",
    ] {
        assert!(!is_valid_type_id(bad), "{bad:?}");
    }
    // An entry with a bad type id is refused, naming the rule and the id.
    let mut p = entry();
    p.id = "a.b".into();
    let message = refused(&p, Patterns::Trust);
    assert!(
        message.contains("a.b") && message.contains("^[a-z0-9_-]+$"),
        "{message}"
    );
}

#[test]
fn type_ids_fold_to_lower_case_ascii_only() {
    assert_eq!(fold_type_id("Microsoft_Teams"), "microsoft_teams");
    assert_eq!(fold_type_id("GOOGLE-calendar"), "google-calendar");
    assert_eq!(fold_type_id("acme"), "acme");
    // Only ASCII changes: a non-ASCII letter is not folded into an ASCII id.
    assert_eq!(fold_type_id("ÉCOLE"), "École");
    assert_eq!(fold_type_id(&fold_type_id("MiXeD")), "mixed");
}

#[test]
fn template_names_are_read_in_order_and_malformed_templates_say_why() {
    assert_eq!(template_names("https://acme.example/t"), Ok(vec![]));
    assert_eq!(
        template_names("https://{sub}.x.example/{tenant}/v2/{sub}"),
        Ok(vec!["sub", "tenant", "sub"])
    );
    assert_eq!(template_names("https://{a_1B}.x"), Ok(vec!["a_1B"]));
    for (url, says) in [
        ("https://{sub.x", "without \"}\""),
        ("https://sub}.x", "without \"{\""),
        ("https://{}.x", "is not a field name"),
        ("https://{a-b}.x", "is not a field name"),
        ("https://{a.b}.x", "is not a field name"),
        ("https://{{a}}.x", "is not a field name"),
        ("https://{a}}.x", "without \"{\""),
    ] {
        let message = template_names(url).err().unwrap_or_default();
        assert!(
            message.contains(says) && message.contains(url),
            "{url}: {message}"
        );
    }
}

#[test]
fn a_template_part_needs_a_field_with_a_pattern_wherever_it_is_used() {
    assert!(accepted(&entry()));
    // Unknown field, in each templated place.
    let mut p = entry();
    p.authorization_url = Some("https://{region}.acme.example/authorize".into());
    assert!(refused(&p, Patterns::Trust).contains("{region}"));
    let mut p = entry();
    p.revocation = Some(revocation("https://{nope}.acme.example/revoke", &[]));
    assert!(refused(&p, Patterns::Trust).contains("revocation.url uses {nope}"));
    let mut p = entry();
    p.api_base_urls = vec!["https://{nope}.api.example".into()];
    assert!(refused(&p, Patterns::Trust).contains("api_base_urls uses {nope}"));
    // A field without a pattern cannot be used in a URL.
    let mut p = entry();
    p.connection_config_fields[0].validation_pattern = None;
    p.connection_config_fields[0].default = None;
    assert!(refused(&p, Patterns::Trust).contains("needs a validation_pattern"));
    // The same pattern-less field is fine when no URL uses it.
    p.token_url = Some("https://acme.example/token".into());
    assert!(accepted(&p));
}

#[test]
fn trusted_patterns_are_not_compiled_but_must_still_be_anchored() {
    let mut p = entry();
    p.connection_config_fields[0].validation_pattern = Some("^([a-z]+$".into());
    assert!(refused(&p, Patterns::Compile).contains("not a valid regular expression"));
    assert!(provider(&p, Patterns::Trust).is_ok(), "not compiled");
    // A default outside the pattern: caught only when compiling.
    let mut p = entry();
    p.connection_config_fields[0].default = Some("EU-1".into());
    assert!(refused(&p, Patterns::Compile).contains("default of \"sub\""));
    assert!(provider(&p, Patterns::Trust).is_ok());
    // Anchoring is checked either way.
    for unanchored in ["[a-z]+", "^[a-z]+", "[a-z]+$"] {
        let mut p = entry();
        p.connection_config_fields[0].validation_pattern = Some(unanchored.into());
        for patterns in [Patterns::Compile, Patterns::Trust] {
            assert!(refused(&p, patterns).contains("anchored"), "{unanchored}");
        }
    }
}

#[test]
fn connection_config_fields_need_a_name_a_display_name_and_no_twin() {
    for bad in ["", "1st", "a-b", "a b", "é", &"a".repeat(65)] {
        let mut p = entry();
        p.connection_config_fields[0].name = bad.into();
        p.token_url = Some("https://acme.example/token".into());
        assert!(
            refused(&p, Patterns::Trust).contains("must match"),
            "{bad:?}"
        );
    }
    for ok in ["_x", "Tenant", "a1_B", &"a".repeat(64)] {
        let mut p = entry();
        p.connection_config_fields[0].name = ok.into();
        p.token_url = Some("https://acme.example/token".into());
        assert!(accepted(&p), "{ok}");
    }
    let mut p = entry();
    p.connection_config_fields[0].display_name = "  ".into();
    assert!(refused(&p, Patterns::Trust).contains("needs a display_name"));
    let mut p = entry();
    let twin = p.connection_config_fields[0].clone();
    p.connection_config_fields.push(twin);
    assert!(refused(&p, Patterns::Trust).contains("listed twice"));
}

#[test]
fn entries_need_a_display_name_and_the_endpoints_of_their_model() {
    let mut p = entry();
    p.display_name = " ".into();
    assert!(refused(&p, Patterns::Trust).contains("display_name must not be empty"));
    let mut p = entry();
    p.authorization_url = None;
    assert!(refused(&p, Patterns::Trust).contains("authorization_url is required"));
    let mut p = entry();
    p.token_url = None;
    assert!(refused(&p, Patterns::Trust).contains("token_url is required"));
    let mut p = entry();
    p.auth_model = AuthModel::Managed;
    assert!(refused(&p, Patterns::Trust).contains("managed provider has no OAuth endpoints"));
    p.authorization_url = None;
    p.token_url = None;
    assert!(accepted(&p));
    // Each endpoint meets the URL policy.
    let mut p = entry();
    p.authorization_url = Some("http://acme.example/authorize".into());
    assert!(refused(&p, Patterns::Trust).contains("authorization_url"));
}

#[test]
fn extra_headers_cannot_replace_the_engines_or_hold_unsendable_values() {
    for name in [
        "Authorization",
        "accept",
        "Content-Type",
        "CONTENT-LENGTH",
        "Host",
    ] {
        let mut p = entry();
        p.token_request_headers = map(&[(name, "x")]);
        let message = refused(&p, Patterns::Trust);
        assert!(
            message.contains("token_request_headers cannot set"),
            "{message}"
        );
    }
    for name in ["Bad Name", "", "a:b", "x\u{e9}"] {
        let mut p = entry();
        p.token_request_headers = map(&[(name, "x")]);
        refused(&p, Patterns::Trust);
    }
    for value in ["a\nb", "caf\u{e9}", "a\u{0}"] {
        let mut p = entry();
        p.revocation = Some(revocation(
            "https://acme.example/revoke",
            &[("X-Version", value)],
        ));
        assert!(refused(&p, Patterns::Trust).contains("revocation.headers \"X-Version\""));
    }
    let mut p = entry();
    p.token_request_headers = map(&[("Notion-Version", "2022-06-28")]);
    assert!(accepted(&p));
}

#[test]
fn token_paths_are_dot_paths_and_the_default_lifetime_at_most_a_year() {
    for path in ["", ".", "a.", ".a", "a..b"] {
        let mut p = entry();
        p.token_response.token_path = Some(path.into());
        assert!(
            refused(&p, Patterns::Trust).contains("token_path must be a dot path"),
            "{path:?}"
        );
    }
    for path in [".", "a..b"] {
        let mut p = entry();
        p.token_response.refresh_path = Some(path.into());
        assert!(
            refused(&p, Patterns::Trust).contains("refresh_path"),
            "{path:?}"
        );
    }
    // `refresh_path: ""` is the top level (Slack's user-token refresh).
    let mut p = entry();
    p.token_response.refresh_path = Some(String::new());
    p.token_response.token_path = Some("authed_user".into());
    assert!(accepted(&p));
    for (seconds, ok) in [
        (0, false),
        (1, true),
        (365 * 24 * 3600, true),
        (365 * 24 * 3600 + 1, false),
    ] {
        let mut p = entry();
        p.token_response.default_expires_in = Some(seconds);
        assert_eq!(accepted(&p), ok, "{seconds}");
    }
}

#[test]
fn unconfirmed_names_a_known_field_and_says_what_is_unknown() {
    for field in FIELDS {
        let mut p = entry();
        p.unconfirmed = map(&[(field, "not in the provider's docs")]);
        assert!(accepted(&p), "{field}");
    }
    let mut p = entry();
    p.unconfirmed = map(&[("tokenurl", "x")]);
    assert!(refused(&p, Patterns::Trust).contains("\"tokenurl\", which is not a field"));
    let mut p = entry();
    p.unconfirmed = map(&[("token_url", " ")]);
    assert!(refused(&p, Patterns::Trust).contains("must say what is unknown"));
}

#[test]
fn scopes_need_a_parameter_and_separator_and_valid_always_scopes() {
    let mut p = entry();
    p.scope.param = Some(String::new());
    assert!(refused(&p, Patterns::Trust).contains("scope.param and scope.separator"));
    let mut p = entry();
    p.scope.separator = String::new();
    refused(&p, Patterns::Trust);
    // No scope parameter at all: the separator is never used.
    p.scope.param = None;
    assert!(accepted(&p));
    let mut p = entry();
    p.scope.always = vec!["offline_access".into(), "a b".into()];
    assert!(refused(&p, Patterns::Trust).contains("scope.always holds an invalid scope"));
}

#[test]
fn the_engines_parameters_cannot_be_set_and_only_they_can_be_renamed() {
    for key in RESERVED_PARAMS {
        let mut p = entry();
        p.authorization_params = map(&[(key, "x")]);
        assert!(refused(&p, Patterns::Trust).contains(&format!("must not set \"{key}\"")));
    }
    // The scope parameter, under whatever name the entry gives it.
    let mut p = entry();
    p.scope.param = Some("user_scope".into());
    p.authorization_params = map(&[("user_scope", "x")]);
    refused(&p, Patterns::Trust);
    let mut p = entry();
    p.authorization_params = map(&[("", "x")]);
    refused(&p, Patterns::Trust);
    let mut p = entry();
    p.authorization_params = map(&[("prompt", "con\nsent")]);
    refused(&p, Patterns::Trust);
    let mut p = entry();
    p.authorization_params = map(&[("prompt", "consent"), ("access_type", "offline")]);
    assert!(accepted(&p));
    // Renames: the standard parameters and client_secret, to a non-empty name.
    for standard in RESERVED_PARAMS.iter().chain(&["client_secret"]) {
        let mut p = entry();
        p.token_param_names = map(&[(standard, "renamed")]);
        assert!(accepted(&p), "{standard}");
        p.token_param_names = map(&[(standard, "")]);
        assert!(refused(&p, Patterns::Trust).contains("is empty"));
    }
    let mut p = entry();
    p.authorization_param_names = map(&[("prompt", "x")]);
    assert!(refused(&p, Patterns::Trust).contains("only standard parameters"));
}

#[test]
fn connection_config_names_from_responses_and_callbacks_are_not_empty() {
    let mut p = entry();
    p.callback_params = vec!["realmId".into(), String::new()];
    assert!(refused(&p, Patterns::Trust).contains("connection config names"));
    let mut p = entry();
    p.token_response.connection_config = map(&[("", "instance_url")]);
    refused(&p, Patterns::Trust);
    let mut p = entry();
    p.callback_params = vec!["realmId".into()];
    p.token_response.connection_config = map(&[("instance_url", "instance_url")]);
    assert!(accepted(&p));
}
