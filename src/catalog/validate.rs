//! The rules every provider entry meets, built-in or custom.

use super::{AuthModel, ConfigField, Provider};
use crate::error::{Error, ErrorCode, Result};

/// Parameters the engine owns: neither a catalog entry nor a caller of the
/// authorization URL may set them.
pub const RESERVED_PARAMS: &[&str] = &[
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "response_type",
];

/// The longest type id we accept.
pub const MAX_TYPE_ID_LEN: usize = 64;

/// A type id: `^[a-z0-9_-]+$` matched case-insensitively (so `A-Z` too), at
/// most 64 characters. Its canonical form is [`fold_type_id`]'s.
pub fn is_valid_type_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_TYPE_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A type id as it is looked up and stored: ASCII letters in lower case,
/// every other character unchanged (`Microsoft_Teams` is
/// `microsoft_teams`). Every place that reads a type id (connector files,
/// the catalog, custom entries, credentials, routes) goes through it.
pub fn fold_type_id(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// The fields of an entry that `unconfirmed` may name: every field, and the
/// members of its objects.
pub const FIELDS: &[&str] = &[
    "authorization_url",
    "token_url",
    "revocation",
    "revocation.url",
    "revocation.style",
    "revocation.client_auth",
    "revocation.format",
    "revocation.headers",
    "revocation.token_param",
    "revocation.refresh_only",
    "issuer",
    "scope",
    "scope.param",
    "scope.separator",
    "scope.always",
    "scope.response_separator",
    "pkce",
    "authorization_params",
    "authorization_param_names",
    "token_param_names",
    "client_auth",
    "token_request_format",
    "token_request_headers",
    "refresh_redirect_uri",
    "token_response",
    "token_response.token_path",
    "token_response.refresh_path",
    "token_response.ok_field",
    "token_response.form_encoded",
    "token_response.expires_at_field",
    "token_response.default_expires_in",
    "token_response.error_aliases",
    "token_response.connection_config",
    "callback_params",
    "refresh_tokens",
    "api_base_urls",
    "connection_config_fields",
];

/// The longest `default_expires_in`: a year.
const MAX_DEFAULT_EXPIRES_IN: u64 = 365 * 24 * 3600;

/// Headers the engine sets itself, which extra catalog headers must not replace.
const ENGINE_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "content-length",
    "host",
];

fn check_headers(
    p: &Provider,
    field: &str,
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<()> {
    for (name, value) in headers {
        if !crate::http::is_header_name(name)
            || ENGINE_HEADERS.contains(&name.to_ascii_lowercase().as_str())
        {
            return Err(invalid(
                p,
                format_args!(
                    "{field} cannot set \"{}\": a header name, not one the engine sets",
                    crate::text::printable(name)
                ),
            ));
        }
        if let Some(problem) = crate::http::header_value_problem(value) {
            return Err(invalid(p, format_args!("{field} \"{name}\" {problem}")));
        }
    }
    Ok(())
}

fn invalid(p: &Provider, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::ProviderInvalid,
        format!("Provider \"{}\": {what}", crate::text::printable(&p.id)),
    )
}

/// The `{name}` parts of a templated URL, in order. Unbalanced or empty
/// braces, or a name outside `[A-Za-z0-9_]`, is an error (the message).
pub fn template_names(url: &str) -> std::result::Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = url;
    // A byte scan: `find` with a char set walks the text char by char.
    while let Some(open) = rest.bytes().position(|b| b == b'{' || b == b'}') {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("a \"}}\" without \"{{\" in {url}"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("a \"{{\" without \"}}\" in {url}"))?;
        let name = &after[..close];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "template part \"{{{name}}}\" is not a field name in {url}"
            ));
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// A URL of the shape [`crate::urls::url_problem`] accepts; template parts
/// are allowed in host and path, each backed by a patterned field.
fn check_url(p: &Provider, field: &str, url: &str) -> Result<()> {
    if let Some(problem) = crate::urls::url_problem(url) {
        return Err(invalid(p, format_args!("{field} {problem}: {url}")));
    }
    let names = template_names(url).map_err(|m| invalid(p, m))?;
    for name in names {
        let f = p.config_field(name).ok_or_else(|| {
            invalid(
                p,
                format_args!("{field} uses {{{name}}}, which is not a connection config field"),
            )
        })?;
        if f.validation_pattern.is_none() {
            return Err(invalid(
                p,
                format_args!(
                    "connection config field \"{name}\" is used in {field}, so it needs a validation_pattern"
                ),
            ));
        }
    }
    Ok(())
}

fn check_field(p: &Provider, f: &ConfigField, patterns: Patterns) -> Result<()> {
    let name_ok = f
        .name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && f.name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name_ok || f.name.len() > 64 {
        return Err(invalid(
            p,
            format_args!(
                "connection config field name \"{}\" must match ^[A-Za-z_][A-Za-z0-9_]*$",
                crate::text::printable(&f.name)
            ),
        ));
    }
    if f.display_name.trim().is_empty() {
        return Err(invalid(
            p,
            format_args!(
                "connection config field \"{}\" needs a display_name",
                f.name
            ),
        ));
    }
    if let Some(pattern) = &f.validation_pattern {
        if !(pattern.starts_with('^') && pattern.ends_with('$')) {
            return Err(invalid(
                p,
                format_args!(
                    "validation_pattern of \"{}\" must be anchored with ^ and $",
                    f.name
                ),
            ));
        }
        if patterns == Patterns::Compile {
            let re = crate::ports::Pattern::new(pattern).map_err(|e| {
                invalid(
                    p,
                    format_args!(
                        "validation_pattern of \"{}\" is not a valid regular expression: {e}",
                        f.name
                    ),
                )
            })?;
            if let Some(default) = &f.default
                && !re.is_match(default)
            {
                return Err(invalid(
                    p,
                    format_args!(
                        "default of \"{}\" does not match its validation_pattern",
                        f.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether validation compiles each `validation_pattern` (and checks the
/// default against it). The built-in catalog skips it at load time: its
/// patterns are compiled and checked by `cargo test`, and compiling a dozen
/// regular expressions was most of the first call's cold-start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patterns {
    Compile,
    Trust,
}

pub(super) fn provider(p: &Provider, patterns: Patterns) -> Result<()> {
    if !is_valid_type_id(&p.id) {
        return Err(Error::new(
            ErrorCode::ProviderInvalid,
            format!(
                "Provider type \"{}\" must match ^[a-z0-9_-]+$ (case-insensitive) and have at most {MAX_TYPE_ID_LEN} characters",
                crate::text::printable(&p.id)
            ),
        ));
    }
    if p.display_name.trim().is_empty() {
        return Err(invalid(p, "display_name must not be empty"));
    }
    let mut seen = std::collections::HashSet::new();
    for f in &p.connection_config_fields {
        check_field(p, f, patterns)?;
        if !seen.insert(f.name.as_str()) {
            return Err(invalid(
                p,
                format_args!("connection config field \"{}\" is listed twice", f.name),
            ));
        }
    }
    match p.auth_model {
        AuthModel::Managed => {
            if p.authorization_url.is_some() || p.token_url.is_some() {
                return Err(invalid(p, "a managed provider has no OAuth endpoints"));
            }
        }
        AuthModel::Oauth => {
            let auth = p
                .authorization_url
                .as_deref()
                .ok_or_else(|| invalid(p, "authorization_url is required"))?;
            check_url(p, "authorization_url", auth)?;
            let token = p
                .token_url
                .as_deref()
                .ok_or_else(|| invalid(p, "token_url is required"))?;
            check_url(p, "token_url", token)?;
        }
    }
    if let Some(r) = &p.revocation {
        check_url(p, "revocation.url", &r.url)?;
        check_headers(p, "revocation.headers", &r.headers)?;
        if let Some(param) = &r.token_param
            && (param.is_empty()
                || ["client_id", "client_secret", "token_type_hint"].contains(&param.as_str()))
        {
            return Err(invalid(
                p,
                "revocation.token_param must name a body field other than the client's",
            ));
        }
    }
    check_headers(p, "token_request_headers", &p.token_request_headers)?;
    for (field, path) in [
        ("token_path", &p.token_response.token_path),
        ("refresh_path", &p.token_response.refresh_path),
    ] {
        let top_level = field == "refresh_path" && path.as_deref() == Some("");
        if let Some(path) = path.as_deref().filter(|_| !top_level)
            && path.split('.').any(str::is_empty)
        {
            return Err(invalid(
                p,
                format_args!("token_response.{field} must be a dot path such as authed_user"),
            ));
        }
    }
    if let Some(s) = p.token_response.default_expires_in
        && !(1..=MAX_DEFAULT_EXPIRES_IN).contains(&s)
    {
        return Err(invalid(
            p,
            format_args!(
                "token_response.default_expires_in must be 1 to {MAX_DEFAULT_EXPIRES_IN} seconds"
            ),
        ));
    }
    for alias in &p.token_response.error_aliases {
        if alias.field.is_empty()
            || alias.field.split('.').any(str::is_empty)
            || !crate::error::KNOWN_ERRORS.contains(&alias.error.as_str())
        {
            return Err(invalid(
                p,
                format_args!(
                    "token_response.error_aliases needs a dot path as field and an OAuth error the engine knows, not \"{}\"",
                    crate::text::printable(&alias.error)
                ),
            ));
        }
    }
    for (field, what) in &p.unconfirmed {
        if !FIELDS.contains(&field.as_str()) {
            return Err(invalid(
                p,
                format_args!(
                    "unconfirmed names \"{}\", which is not a field of an entry",
                    crate::text::printable(field)
                ),
            ));
        }
        if what.trim().is_empty() {
            return Err(invalid(
                p,
                format_args!("unconfirmed \"{field}\" must say what is unknown"),
            ));
        }
    }
    for url in &p.api_base_urls {
        check_url(p, "api_base_urls", url)?;
    }
    if let Some(param) = &p.scope.param
        && (param.is_empty() || p.scope.separator.is_empty())
    {
        return Err(invalid(
            p,
            "scope.param and scope.separator must not be empty",
        ));
    }
    for scope in &p.scope.always {
        if !crate::scopes::is_valid_scope(scope) {
            return Err(invalid(
                p,
                format_args!(
                    "scope.always holds an invalid scope \"{}\"",
                    crate::text::printable(scope)
                ),
            ));
        }
    }
    for (key, value) in &p.authorization_params {
        let owned_by_engine = RESERVED_PARAMS.contains(&key.as_str())
            || p.scope.param.as_deref() == Some(key.as_str());
        if owned_by_engine {
            return Err(invalid(
                p,
                format_args!("authorization_params must not set \"{key}\""),
            ));
        }
        if key.is_empty() || value.chars().any(char::is_control) {
            return Err(invalid(
                p,
                "authorization_params keys must be non-empty, values without control characters",
            ));
        }
    }
    for (standard, renamed) in p
        .authorization_param_names
        .iter()
        .chain(&p.token_param_names)
    {
        if !RESERVED_PARAMS.contains(&standard.as_str()) && standard != "client_secret" {
            return Err(invalid(
                p,
                format_args!("only standard parameters can be renamed, not \"{standard}\""),
            ));
        }
        if renamed.is_empty() {
            return Err(invalid(
                p,
                format_args!("the new name of \"{standard}\" is empty"),
            ));
        }
    }
    for config in p
        .token_response
        .connection_config
        .keys()
        .chain(&p.callback_params)
    {
        if config.is_empty() {
            return Err(invalid(p, "connection config names must not be empty"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
