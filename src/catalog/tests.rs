use super::*;

/// The types the product promises (Base44's connector list).
const PROMISED: &[&str] = &[
    "airtable",
    "bamboohr",
    "box",
    "calendly",
    "clickup",
    "contentful",
    "databricks",
    "discord",
    "dropbox",
    "github",
    "gitlab",
    "gmail",
    "googleads",
    "google_analytics",
    "googlebigquery",
    "googlecalendar",
    "google_classroom",
    "googledocs",
    "googledrive",
    "googlemeet",
    "google_search_console",
    "googlesheets",
    "googleslides",
    "googletasks",
    "hubspot",
    "hugging_face",
    "instagram",
    "linear",
    "linkedin",
    "microsoft_teams",
    "one_drive",
    "notion",
    "outlook",
    "quickbooks",
    "salesforce",
    "share_point",
    "slack",
    "slackbot",
    "snowflake",
    "splitwise",
    "square",
    "stripe",
    "supabase",
    "tiktok",
    "typeform",
    "wix",
    "wrike",
];

fn builtin() -> &'static Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("the built-in catalog is invalid: {e}"),
    }
}

fn p(id: &str) -> &'static Provider {
    builtin()
        .get(id)
        .unwrap_or_else(|| panic!("{id} is missing"))
}

fn field<'a>(provider: &'a Provider, name: &str) -> &'a ConfigField {
    provider
        .connection_config_fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{} has no field {name}", provider.id))
}

fn matches(f: &ConfigField, value: &str) -> bool {
    let pattern = f.validation_pattern.as_deref().unwrap_or("^$");
    crate::ports::Pattern::new(pattern)
        .map(|re| re.is_match(value))
        .unwrap_or(false)
}

// ---------------------------------------------------------------- invariants

#[test]
fn builtin_catalog_is_valid_and_lists_every_promised_type() {
    // Every entry parses and validates (iter() skips one that does not),
    // under the type id its table row names.
    let ids: Vec<&str> = builtin().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, PROMISED);
    let table: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
    assert_eq!(table, PROMISED);
    // Use trusts the built-in patterns; here every one is compiled and
    // every default checked against its pattern.
    let all = format!(
        "[{}]",
        BUILTIN
            .iter()
            .map(|(_, json)| *json)
            .collect::<Vec<_>>()
            .join(",")
    );
    let full = Catalog::from_json(&all, Patterns::Compile).map(|c| c.len());
    assert_eq!(full, Ok(PROMISED.len()));
}

#[test]
fn type_ids_are_unique_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for provider in builtin().iter() {
        assert!(seen.insert(&provider.id), "{} twice", provider.id);
        assert!(is_valid_type_id(&provider.id) && provider.id == provider.id.to_lowercase());
        assert!(
            !provider.description.is_empty(),
            "{} has no description",
            provider.id
        );
    }
}

#[test]
fn every_oauth_endpoint_is_https_without_userinfo_or_fragment() {
    for provider in builtin().iter() {
        let urls = provider
            .authorization_url
            .iter()
            .chain(&provider.token_url)
            .chain(provider.revocation.iter().map(|r| &r.url))
            .chain(&provider.api_base_urls);
        for url in urls {
            assert!(url.starts_with("https://"), "{}: {url}", provider.id);
            let authority = url["https://".len()..]
                .split('/')
                .next()
                .unwrap_or_default();
            assert!(
                !authority.contains('@') && !url.contains('#'),
                "{}: {url}",
                provider.id
            );
        }
        if provider.auth_model == AuthModel::Oauth {
            assert!(
                provider.authorization_url.is_some() && provider.token_url.is_some(),
                "{}",
                provider.id
            );
        }
    }
}

#[test]
fn every_templated_part_has_an_anchored_pattern_that_blocks_host_injection() {
    let hostile = super::pattern_vectors::HOSTILE;
    let mut templated = 0;
    for provider in builtin().iter() {
        let urls = provider
            .authorization_url
            .iter()
            .chain(&provider.token_url)
            .chain(&provider.api_base_urls);
        for url in urls {
            for name in template_names(url).unwrap_or_default() {
                templated += 1;
                let f = field(provider, name);
                let pattern = f.validation_pattern.as_deref().unwrap_or_default();
                assert!(
                    pattern.starts_with('^') && pattern.ends_with('$'),
                    "{}.{name}",
                    provider.id
                );
                assert!(
                    f.validation_error.is_some(),
                    "{}.{name} needs a validation_error",
                    provider.id
                );
                for value in hostile.iter().copied() {
                    assert!(
                        !matches(f, value),
                        "{}.{name} accepts {value:?}",
                        provider.id
                    );
                }
                if let Some(default) = &f.default {
                    assert!(matches(f, default), "{}.{name} default", provider.id);
                }
            }
        }
    }
    assert!(
        templated >= 10,
        "the catalog has templated endpoints to check"
    );
}

#[test]
fn no_entry_sets_a_parameter_the_engine_owns() {
    for provider in builtin().iter() {
        for key in provider.authorization_params.keys() {
            assert!(
                !validate::RESERVED_PARAMS.contains(&key.as_str()),
                "{}: {key}",
                provider.id
            );
            assert_ne!(
                Some(key.as_str()),
                provider.scope.param.as_deref(),
                "{}",
                provider.id
            );
        }
    }
}

#[test]
fn entries_round_trip_through_json() {
    for provider in builtin().iter() {
        let text = serde_json::to_string(provider).unwrap_or_default();
        assert_eq!(
            Provider::from_json(&text).as_ref(),
            Ok(provider),
            "{}",
            provider.id
        );
    }
}

#[test]
fn list_available_has_the_base44_shape() {
    let list = builtin().list_available();
    assert_eq!(list.len(), PROMISED.len());
    let bamboo = list.iter().find(|a| a.integration_type == "bamboohr");
    let value = serde_json::to_value(bamboo).unwrap_or_default();
    let field = &value["connection_config_fields"][0];
    for key in [
        "name",
        "display_name",
        "description",
        "placeholder",
        "required",
        "validation_pattern",
        "validation_error",
    ] {
        assert!(field.get(key).is_some(), "missing {key}");
    }
    assert_eq!(value["integration_type"], "bamboohr");
    assert_eq!(value["display_name"], "BambooHR");
}

// ------------------------------------------------------------ provider quirks

#[test]
fn google_types_share_endpoints_and_ask_for_offline_access_with_consent() {
    let google: Vec<&Provider> = PROMISED
        .iter()
        .filter(|id| id.starts_with("google") || **id == "gmail")
        .map(|id| p(id))
        .collect();
    assert_eq!(google.len(), 13);
    for g in google {
        assert_eq!(
            g.authorization_url.as_deref(),
            Some("https://accounts.google.com/o/oauth2/v2/auth"),
            "{}",
            g.id
        );
        assert_eq!(
            g.token_url.as_deref(),
            Some("https://oauth2.googleapis.com/token"),
            "{}",
            g.id
        );
        assert_eq!(
            g.authorization_params
                .get("access_type")
                .map(String::as_str),
            Some("offline")
        );
        assert_eq!(
            g.authorization_params.get("prompt").map(String::as_str),
            Some("consent")
        );
        assert_eq!(
            g.authorization_params
                .get("include_granted_scopes")
                .map(String::as_str),
            Some("true")
        );
        assert_eq!(
            g.refresh_tokens,
            RefreshTokens::Reused,
            "Google does not rotate refresh tokens"
        );
        assert_eq!(g.pkce, Pkce::Supported);
    }
}

#[test]
fn slack_user_tokens_use_user_scope_and_live_under_authed_user() {
    let slack = p("slack");
    assert_eq!(slack.scope.param.as_deref(), Some("user_scope"));
    assert_eq!(slack.scope.separator, ",");
    assert_eq!(
        slack.token_response.token_path.as_deref(),
        Some("authed_user")
    );
    assert_eq!(slack.token_response.ok_field.as_deref(), Some("ok"));
    let bot = p("slackbot");
    assert_eq!(bot.scope.param.as_deref(), Some("scope"));
    assert_eq!(
        bot.token_response.token_path, None,
        "the bot token is at the top level"
    );
    assert_eq!(bot.token_response.ok_field.as_deref(), Some("ok"));
}

#[test]
fn github_answers_form_encoded_and_joins_granted_scopes_with_commas() {
    let gh = p("github");
    assert!(gh.token_response.form_encoded);
    assert_eq!(gh.scope.response_separator.as_deref(), Some(","));
    assert_eq!(
        gh.refresh_tokens,
        RefreshTokens::None,
        "OAuth App tokens do not expire"
    );
}

#[test]
fn tiktok_renames_client_id_to_client_key_and_joins_scopes_with_commas() {
    let t = p("tiktok");
    assert_eq!(
        t.authorization_param_names
            .get("client_id")
            .map(String::as_str),
        Some("client_key")
    );
    assert_eq!(
        t.token_param_names.get("client_id").map(String::as_str),
        Some("client_key")
    );
    assert_eq!(t.scope.separator, ",");
    assert!(
        t.token_url
            .as_deref()
            .is_some_and(|u| u.ends_with("/v2/oauth/token/")),
        "the trailing slash matters"
    );
}

#[test]
fn comma_separated_scope_providers() {
    for id in [
        "linear",
        "slack",
        "slackbot",
        "tiktok",
        "instagram",
        "wrike",
    ] {
        assert_eq!(p(id).scope.separator, ",", "{id}");
    }
}

#[test]
fn providers_without_scopes_send_no_scope_parameter() {
    for id in ["clickup", "notion", "splitwise", "stripe"] {
        assert_eq!(p(id).scope.param, None, "{id}");
    }
}

#[test]
fn dropbox_asks_for_offline_tokens_and_revokes_with_a_bearer() {
    let d = p("dropbox");
    assert_eq!(
        d.authorization_params
            .get("token_access_type")
            .map(String::as_str),
        Some("offline")
    );
    assert_eq!(
        d.revocation.as_ref().map(|r| r.style),
        Some(RevocationStyle::Bearer)
    );
    assert_eq!(d.refresh_tokens, RefreshTokens::Reused);
}

#[test]
fn notion_needs_owner_user_basic_auth_and_a_json_body_and_keeps_workspace_fields() {
    let n = p("notion");
    assert_eq!(
        n.authorization_params.get("owner").map(String::as_str),
        Some("user")
    );
    assert_eq!(n.client_auth, ClientAuth::Basic);
    assert_eq!(n.token_request_format, BodyFormat::Json);
    for key in ["workspace_id", "workspace_name", "bot_id"] {
        assert!(
            n.token_response.connection_config.contains_key(key),
            "{key}"
        );
    }
}

#[test]
fn microsoft_types_template_the_tenant_and_always_ask_offline_access() {
    for id in ["microsoft_teams", "one_drive", "outlook", "share_point"] {
        let m = p(id);
        assert!(
            m.authorization_url.as_deref()
                == Some("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"),
            "{id}"
        );
        assert!(m.scope.always.iter().any(|s| s == "offline_access"), "{id}");
        let tenant = field(m, "tenant");
        assert_eq!(tenant.default.as_deref(), Some("common"));
        for ok in [
            "common",
            "organizations",
            "consumers",
            "contoso.onmicrosoft.com",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ] {
            assert!(matches(tenant, ok), "{id}: {ok}");
        }
        assert!(!matches(tenant, "evil.com/x"));
        assert_eq!(m.revocation, None, "Microsoft has no RFC 7009 endpoint");
    }
}

#[test]
fn salesforce_keeps_instance_url_and_asks_for_a_refresh_token() {
    let s = p("salesforce");
    assert_eq!(
        s.token_response
            .connection_config
            .get("instance_url")
            .map(String::as_str),
        Some("instance_url")
    );
    assert!(s.scope.always.iter().any(|x| x == "refresh_token"));
    // No expires_in: the session timeout, 15 minutes at the shortest.
    assert_eq!(s.token_response.default_expires_in, Some(900));
    let host = field(s, "login_host");
    for ok in [
        "login.salesforce.com",
        "test.salesforce.com",
        "acme.my.salesforce.com",
        "acme--dev.sandbox.my.salesforce.com",
        "acme-dev-ed.develop.my.salesforce.com",
        "site-1234.scratch.my.salesforce.com",
    ] {
        assert!(matches(host, ok), "{ok}");
    }
    for bad in [
        "evil.com",
        "login.salesforce.com.evil.com",
        "acme.my.salesforce.com/x",
    ] {
        assert!(!matches(host, bad), "{bad}");
    }
}

#[test]
fn quickbooks_takes_realm_id_from_the_callback() {
    let q = p("quickbooks");
    assert_eq!(q.callback_params, vec!["realmId".to_owned()]);
    assert_eq!(q.client_auth, ClientAuth::Basic);
    // Intuit's SDK revokes with a JSON body.
    assert_eq!(
        q.revocation.as_ref().map(|r| r.format),
        Some(BodyFormat::Json)
    );
}

#[test]
fn wrike_keeps_the_host_from_the_token_response() {
    assert_eq!(
        p("wrike")
            .token_response
            .connection_config
            .get("host")
            .map(String::as_str),
        Some("host")
    );
}

#[test]
fn square_reads_expires_at_instead_of_expires_in() {
    let s = p("square");
    assert_eq!(
        s.token_response.expires_at_field.as_deref(),
        Some("expires_at")
    );
    assert_eq!(s.token_request_format, BodyFormat::Json);
    assert_eq!(
        s.revocation.as_ref().map(|r| r.style),
        Some(RevocationStyle::SquareClient)
    );
}

#[test]
fn airtable_requires_pkce() {
    assert_eq!(p("airtable").pkce, Pkce::Required);
}

#[test]
fn bamboohr_subdomain_rejects_host_injection() {
    let b = p("bamboohr");
    assert!(
        b.authorization_url
            .as_deref()
            .is_some_and(|u| u.contains("{companyDomain}"))
    );
    let f = field(b, "companyDomain");
    assert!(f.required);
    assert!(matches(f, "mycompany"));
    for bad in ["evil.com#", "a.b", "evil.com/", "a@b"] {
        assert!(!matches(f, bad), "{bad}");
    }
}

#[test]
fn scopes_always_added_for_refresh_tokens() {
    assert!(p("typeform").scope.always.iter().any(|s| s == "offline"));
    assert!(
        p("bamboohr")
            .scope
            .always
            .iter()
            .any(|s| s == "offline_access")
    );
    assert!(
        p("databricks")
            .scope
            .always
            .iter()
            .any(|s| s == "offline_access")
    );
}

#[test]
fn stripe_is_managed_with_no_oauth_endpoints() {
    let s = p("stripe");
    assert_eq!(s.auth_model, AuthModel::Managed);
    assert!(s.authorization_url.is_none() && s.token_url.is_none() && s.revocation.is_none());
}

#[test]
fn wix_uses_the_installer_parameter_names() {
    let w = p("wix");
    assert_eq!(
        w.authorization_param_names
            .get("client_id")
            .map(String::as_str),
        Some("appId")
    );
    assert_eq!(
        w.authorization_param_names
            .get("redirect_uri")
            .map(String::as_str),
        Some("redirectUrl")
    );
    assert_eq!(w.token_request_format, BodyFormat::Json);
}

#[test]
fn token_response_config_paths_for_ids_providers_return() {
    let cases = [
        ("dropbox", "account_id"),
        ("tiktok", "open_id"),
        ("square", "merchant_id"),
        ("calendly", "owner"),
        ("slackbot", "team_id"),
    ];
    for (id, key) in cases {
        assert!(
            p(id).token_response.connection_config.contains_key(key),
            "{id}.{key}"
        );
    }
}

// ------------------------------------------------------------ custom entries

fn custom(extra: &str) -> String {
    format!(
        r#"{{"type": "acme", "display_name": "Acme", "auth_model": "oauth",
            "authorization_url": "https://acme.example/authorize",
            "token_url": "https://acme.example/token"{extra}}}"#
    )
}

fn custom_err(text: &str) -> (ErrorCode, String) {
    match Provider::from_json(text) {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => (e.code(), e.message().to_owned()),
    }
}

#[test]
fn a_minimal_custom_provider_gets_defaults() {
    let p = Provider::from_json(&custom("")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.scope.param.as_deref(), Some("scope"));
    assert_eq!(p.scope.separator, " ");
    assert_eq!(p.pkce, Pkce::Supported);
    assert_eq!(p.client_auth, ClientAuth::Body);
}

#[test]
fn custom_type_ids_must_match_the_pattern_case_insensitively() {
    let ok = custom("").replace("\"acme\"", "\"Acme_Tool-2\"");
    assert!(Provider::from_json(&ok).is_ok());
    for bad in ["a b", "a/b", "gооgle", ""] {
        let text = custom("").replace("\"acme\"", &format!("\"{bad}\""));
        assert_eq!(custom_err(&text).0, ErrorCode::ProviderInvalid, "{bad}");
    }
}

#[test]
fn custom_entries_reject_unknown_fields_by_name() {
    let (code, message) = custom_err(&custom(r#", "redirect_url": "https://x""#));
    assert_eq!(code, ErrorCode::ProviderInvalid);
    assert!(message.contains("redirect_url"), "{message}");
    assert!(
        !message.contains("line"),
        "no position inside text the caller did not write: {message}"
    );
}

#[test]
fn custom_endpoints_must_be_https_without_userinfo() {
    for (from, to) in [
        ("https://acme.example/token", "http://acme.example/token"),
        (
            "https://acme.example/token",
            "https://u:p@acme.example/token",
        ),
        ("https://acme.example/token", "https://acme.example/token#x"),
        ("https://acme.example/token", "ftp://acme.example/token"),
    ] {
        let (code, message) = custom_err(&custom("").replace(from, to));
        assert_eq!(code, ErrorCode::ProviderInvalid, "{to}: {message}");
    }
}

#[test]
fn loopback_http_is_allowed_for_local_providers() {
    for host in ["127.0.0.1:9000", "localhost:3000", "[::1]:8080"] {
        let text = custom("").replace(
            "https://acme.example/token",
            &format!("http://{host}/token"),
        );
        assert!(Provider::from_json(&text).is_ok(), "{host}");
    }
    let text = custom("").replace(
        "https://acme.example/token",
        "http://127.0.0.1.evil.com/token",
    );
    assert_eq!(custom_err(&text).0, ErrorCode::ProviderInvalid);
}

#[test]
fn templated_parts_need_a_field_with_an_anchored_valid_pattern() {
    let templated = custom("").replace(
        "https://acme.example/token",
        "https://{sub}.acme.example/token",
    );
    let (_, message) = custom_err(&templated);
    assert!(message.contains("{sub}"), "{message}");

    let field = |pattern: &str| {
        templated.replace(
            "\"auth_model\"",
            &format!(
                r#""connection_config_fields": [{{"name": "sub", "display_name": "Sub"{pattern}}}], "auth_model""#
            ),
        )
    };
    assert!(custom_err(&field("")).1.contains("validation_pattern"));
    assert!(
        custom_err(&field(r#", "validation_pattern": "[a-z]+""#))
            .1
            .contains("anchored")
    );
    assert!(
        custom_err(&field(r#", "validation_pattern": "^([a-z]+$""#))
            .1
            .contains("regular expression")
    );
    let bad_default = r#", "validation_pattern": "^[a-z]+$", "default": "A-1""#;
    assert!(custom_err(&field(bad_default)).1.contains("default"));
    assert!(Provider::from_json(&field(r#", "validation_pattern": "^[a-z]+$""#)).is_ok());
}

#[test]
fn malformed_templates_are_rejected() {
    for url in [
        "https://{sub.acme.example/t",
        "https://sub}.acme.example/t",
        "https://{}.acme.example/t",
        "https://{a-b}.x/t",
    ] {
        let text = custom("").replace("https://acme.example/token", url);
        assert_eq!(custom_err(&text).0, ErrorCode::ProviderInvalid, "{url}");
    }
}

#[test]
fn entries_cannot_set_engine_owned_parameters() {
    for key in [
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_type",
        "scope",
    ] {
        let text = custom(&format!(r#", "authorization_params": {{"{key}": "x"}}"#));
        let (code, message) = custom_err(&text);
        assert_eq!(code, ErrorCode::ProviderInvalid, "{key}");
        assert!(message.contains(key), "{message}");
    }
    let renamed = custom(r#", "authorization_param_names": {"prompt": "x"}"#);
    assert_eq!(custom_err(&renamed).0, ErrorCode::ProviderInvalid);
}

#[test]
fn oauth_entries_need_both_endpoints_and_managed_ones_none() {
    let no_token = custom("").replace(
        r#""token_url": "https://acme.example/token""#,
        r#""docs_url": "https://x""#,
    );
    assert!(custom_err(&no_token).1.contains("token_url"));
    let managed = custom("").replace("\"oauth\"", "\"managed\"");
    assert!(custom_err(&managed).1.contains("managed"));
}

#[test]
fn wrong_value_kinds_are_described() {
    let (code, message) = custom_err(&custom(r#", "pkce": "sometimes""#));
    assert_eq!(code, ErrorCode::ProviderInvalid);
    assert!(message.contains("sometimes"), "{message}");
    assert_eq!(custom_err("not json").0, ErrorCode::ProviderInvalid);
    assert_eq!(custom_err("[]").0, ErrorCode::ProviderInvalid);
}

#[test]
fn registering_adds_or_replaces_by_type_id() {
    let mut c = builtin().clone();
    let before = c.len();
    let acme = Provider::from_json(&custom("")).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.register(acme).is_ok());
    assert_eq!(c.len(), before + 1);
    let mut github = p("github").clone();
    github.display_name = "GitHub Enterprise".into();
    assert!(c.register(github).is_ok());
    assert_eq!(c.len(), before + 1);
    assert_eq!(
        c.get("github").map(|g| g.display_name.as_str()),
        Some("GitHub Enterprise")
    );
    // The built-in catalog itself is untouched.
    assert_eq!(
        builtin().get("github").map(|g| g.display_name.as_str()),
        Some("GitHub")
    );
}

#[test]
fn unknown_types_get_a_did_you_mean() {
    let e = builtin().require("githb").err();
    assert_eq!(
        e.as_ref().map(Error::code),
        Some(ErrorCode::UnknownProvider)
    );
    assert_eq!(e.as_ref().and_then(Error::suggestion), Some("github"));
    assert_eq!(
        builtin().suggest("GoogleCalendar").as_deref(),
        Some("googlecalendar")
    );
    assert_eq!(builtin().suggest("slak").as_deref(), Some("slack"));
    assert_eq!(builtin().suggest("zzzzzzzz"), None);
    let long = "x".repeat(5000);
    let e = builtin().require(&long).err().map(|e| e.message().len());
    assert!(e.is_some_and(|len| len < 200));
}

#[test]
fn duplicate_entries_in_a_catalog_file_are_rejected() {
    let text = format!("[{}, {}]", custom(""), custom(""));
    let e = Catalog::from_json(&text, Patterns::Compile).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::ProviderInvalid));
}

#[test]
fn type_ids_are_looked_up_and_stored_in_lower_case() {
    assert_eq!(
        builtin().get("GitHub").map(|g| g.id.as_str()),
        Some("github")
    );
    assert_eq!(
        builtin()
            .require("MICROSOFT_TEAMS")
            .map(|p| p.id.as_str())
            .ok(),
        Some("microsoft_teams")
    );
    // A custom entry's type is stored folded: it replaces, and is found by, any case.
    let upper = custom("").replace("\"acme\"", "\"Acme_Tool\"");
    let parsed = Provider::from_json(&upper).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.id, "acme_tool");
    let mut c = builtin().clone();
    let before = c.len();
    assert!(c.register(parsed).is_ok());
    let mut again = Provider::from_json(&custom("")).unwrap_or_else(|e| panic!("{e}"));
    again.id = "ACME_TOOL".into();
    again.display_name = "Acme again".into();
    assert!(c.register(again).is_ok());
    assert_eq!(c.len(), before + 1);
    assert_eq!(
        c.get("acme_TOOL")
            .map(|p| (p.id.as_str(), p.display_name.as_str())),
        Some(("acme_tool", "Acme again"))
    );
    // Two entries of a catalog file that differ only in case are one type.
    let text = format!(
        "[{}, {}]",
        custom(""),
        custom("").replace("\"acme\"", "\"ACME\"")
    );
    let e = Catalog::from_json(&text, Patterns::Compile).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::ProviderInvalid));
}

#[test]
fn salesforce_accepts_every_my_domain_login_host() {
    let host = field(p("salesforce"), "login_host");
    // Partitioned My Domain hosts: Developer Edition, scratch orgs, Trailhead
    // Playgrounds, demo, patch and free orgs (Salesforce's My Domain hostnames).
    for ok in [
        "acme.my.salesforce.com",
        "acme--uat.sandbox.my.salesforce.com",
        "acme-dev-ed.develop.my.salesforce.com",
        "site-force-1234.scratch.my.salesforce.com",
        "curious-otter-ab12cd.trailblaze.my.salesforce.com",
        "acme.demo.my.salesforce.com",
        "acme.patch.my.salesforce.com",
        "acme.free.my.salesforce.com",
    ] {
        assert!(matches(host, ok), "{ok}");
    }
    for bad in [
        "acme.evil.my.salesforce.com",
        "acme.develop.my.salesforce.com.evil.com",
        ".develop.my.salesforce.com",
        "acme.my.salesforce.com:443",
    ] {
        assert!(!matches(host, bad), "{bad}");
    }
}

#[test]
fn typeform_eu_responses_accounts_reach_api_eu_typeform_com() {
    let t = p("typeform");
    let api = field(t, "api_host");
    for ok in ["api.typeform.com", "api.eu.typeform.com", "api.typeform.eu"] {
        assert!(matches(api, ok), "{ok}");
    }
    assert!(!matches(api, "api.eu.typeform.com.evil.com"));
    // The API host and the OAuth host are separate values: an account whose
    // responses live in the EU data center signs in at api.typeform.com.
    assert!(t.api_base_urls.iter().all(|u| u.contains("{api_host}")));
    for url in [&t.authorization_url, &t.token_url] {
        let url = url.as_deref().unwrap_or_default();
        assert!(
            url.contains("{oauth_host}") && !url.contains("{api_host}"),
            "{url}"
        );
    }
    let oauth = field(t, "oauth_host");
    assert!(matches(oauth, "api.typeform.com") && matches(oauth, "api.typeform.eu"));
    assert!(!matches(oauth, "api.eu.typeform.com"));
}

#[test]
fn unconfirmed_names_fields_of_an_entry_and_what_is_unknown() {
    let ok = custom(
        r#", "unconfirmed": { "pkce": "not documented", "revocation.format": "JSON in the SDK, form in the docs" }"#,
    );
    let p = Provider::from_json(&ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.unconfirmed.get("pkce").map(String::as_str),
        Some("not documented")
    );
    // getProvider returns it as it is in the file.
    let out = serde_json::to_value(&p).unwrap_or_default();
    assert_eq!(
        out["unconfirmed"]["revocation.format"],
        "JSON in the SDK, form in the docs"
    );
    let (code, message) = custom_err(&custom(r#", "unconfirmed": { "pcke": "typo" }"#));
    assert_eq!(code, ErrorCode::ProviderInvalid);
    assert!(
        message.contains("\"pcke\"") && message.contains("not a field"),
        "{message}"
    );
    let (code, message) = custom_err(&custom(r#", "unconfirmed": { "pkce": " " }"#));
    assert_eq!(code, ErrorCode::ProviderInvalid);
    assert!(message.contains("must say what is unknown"), "{message}");
}

#[test]
fn every_field_of_the_builtin_entries_can_be_marked_unconfirmed() {
    // Identity and prose are not facts about the provider's OAuth.
    let not_facts = [
        "type",
        "display_name",
        "description",
        "auth_model",
        "docs_url",
        "unconfirmed",
    ];
    let nested = ["revocation", "scope", "token_response"];
    for p in Catalog::builtin()
        .map(|c| c.iter().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let value = serde_json::to_value(&p).unwrap_or_default();
        for (key, v) in value.as_object().into_iter().flatten() {
            if not_facts.contains(&key.as_str()) {
                continue;
            }
            assert!(validate::FIELDS.contains(&key.as_str()), "{}: {key}", p.id);
            if nested.contains(&key.as_str()) {
                for sub in v.as_object().into_iter().flatten().map(|(k, _)| k) {
                    let path = format!("{key}.{sub}");
                    assert!(
                        validate::FIELDS.contains(&path.as_str()),
                        "{}: {path}",
                        p.id
                    );
                }
            }
        }
    }
}

#[test]
fn extra_headers_and_paths_are_checked() {
    for (extra, wanted) in [
        (
            r#", "token_request_headers": { "Authorization": "x" }"#,
            "cannot set \"Authorization\"",
        ),
        (
            r#", "token_request_headers": { "Bad Name": "x" }"#,
            "cannot set \"Bad Name\"",
        ),
        (
            r#", "revocation": { "url": "https://acme.example/revoke", "headers": { "Content-Type": "text/plain" } }"#,
            "revocation.headers cannot set",
        ),
        (
            r#", "revocation": { "url": "https://acme.example/revoke", "headers": { "X-V": "caf\u00e9" } }"#,
            "outside ASCII",
        ),
        (
            r#", "token_response": { "token_path": "a..b" }"#,
            "token_response.token_path must be a dot path",
        ),
        (
            r#", "token_response": { "refresh_path": "." }"#,
            "token_response.refresh_path must be a dot path",
        ),
        (
            r#", "token_response": { "default_expires_in": 0 }"#,
            "default_expires_in must be 1 to",
        ),
    ] {
        let (code, message) = custom_err(&custom(extra));
        assert_eq!(code, ErrorCode::ProviderInvalid, "{extra}");
        assert!(message.contains(wanted), "{extra}: {message}");
    }
    let ok = custom(
        r#", "token_request_headers": { "Notion-Version": "2022-06-28" }, "token_response": { "refresh_path": "" }, "revocation": { "url": "https://acme.example/revoke", "format": "json", "client_auth": "body" }"#,
    );
    assert!(Provider::from_json(&ok).is_ok(), "{ok}");
}

#[test]
fn splitwise_and_clickup_tokens_never_expire_and_have_no_refresh_token() {
    // dev.splitwise.com and developer.clickup.com/reference/getaccesstoken:
    // the answer carries an access token only, which does not expire.
    for id in ["splitwise", "clickup"] {
        assert_eq!(p(id).refresh_tokens, RefreshTokens::None, "{id}");
    }
}

#[test]
fn a_revocation_token_param_may_not_be_a_client_field() {
    let mut provider = p("supabase").clone();
    assert!(provider.validate().is_ok());
    for bad in ["", "client_id", "client_secret", "token_type_hint"] {
        if let Some(r) = provider.revocation.as_mut() {
            r.token_param = Some(bad.to_owned());
        }
        assert!(provider.validate().is_err(), "{bad:?}");
    }
}

#[test]
fn error_aliases_name_a_dot_path_and_a_known_oauth_error() {
    let ok = custom(
        r#", "token_response": { "error_aliases": [{ "field": "errors.0.code", "value": "REFRESH_TOKEN_EXPIRED", "error": "invalid_grant" }] }"#,
    );
    assert!(Provider::from_json(&ok).is_ok(), "{ok}");
    for bad in [
        r#"{ "field": "", "value": "x", "error": "invalid_grant" }"#,
        r#"{ "field": "a..b", "value": "x", "error": "invalid_grant" }"#,
        r#"{ "field": "message", "value": "x", "error": "made_up" }"#,
    ] {
        let (code, message) = custom_err(&custom(&format!(
            r#", "token_response": {{ "error_aliases": [{bad}] }}"#
        )));
        assert_eq!(code, ErrorCode::ProviderInvalid, "{bad}");
        assert!(message.contains("error_aliases"), "{message}");
    }
}

#[test]
fn the_shared_pattern_vectors_hold_on_the_host_engine() {
    // The same table runs in the wasm against the host's RegExp (tests/common).
    for (id, name, accepted, refused) in super::pattern_vectors::VECTORS {
        let f = field(p(id), name);
        for ok in *accepted {
            assert!(matches(f, ok), "{id}.{name} refuses {ok:?}");
        }
        for bad in *refused {
            assert!(!matches(f, bad), "{id}.{name} accepts {bad:?}");
        }
    }
}

/// serde_json writes a float in its own type errors, so the vendored
/// serde_core's float-less `Unexpected::Float` text (vendor/README.md) is
/// never what a user reads.
#[test]
fn a_float_where_text_belongs_is_named_with_its_value() {
    let text = r#"{"type": "acme", "display_name": 1.5, "auth_model": "oauth"}"#;
    let (code, message) = custom_err(text);
    assert_eq!(code, ErrorCode::ProviderInvalid);
    assert!(
        message.contains("invalid type: floating point `1.5`, expected a string"),
        "{message}"
    );
    let (_, message) = custom_err(&custom(r#", "callback_params": [-2.0e300]"#));
    assert!(message.contains("floating point `-2e+300`"), "{message}");
}
