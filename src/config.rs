//! Connector files: one JSONC file per connector, `{"type": "...", "scopes": [...]}`,
//! as in Base44's `base44/connectors/` folder.
//!
//! [`parse`] checks one file (syntax, limits, duplicate keys, unknown fields,
//! value kinds, scope syntax) and keeps where each value stands, so that
//! [`validate`] can point at the line and column of an unknown type or a
//! duplicate across files.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, ParseOptions};
use serde::Serialize;

use crate::catalog::{AuthModel, Catalog, fold_type_id, is_valid_type_id};
use crate::error::{Error, ErrorCode, Location, Result};
use crate::scopes::{MAX_SCOPE_LEN, MAX_SCOPES, is_valid_scope};
use crate::text::printable;

/// The largest connector file we read.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
/// The deepest nesting of arrays and objects in a connector file.
pub const MAX_DEPTH: usize = 32;

/// What a connector file declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectorConfig {
    #[serde(rename = "type")]
    pub integration_type: String,
    pub scopes: Vec<String>,
}

/// A connector file after [`parse`]: its config, and where things stand in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    pub config: ConnectorConfig,
    pub path: Option<String>,
    /// Where the `type` value stands (None for configs not read from text).
    pub type_at: Option<Location>,
    /// Where each scope stands, parallel to `config.scopes`.
    pub scopes_at: Vec<Option<Location>>,
}

impl ParsedFile {
    /// A config given as values, not text (no positions).
    pub fn from_config(config: ConnectorConfig, path: Option<String>) -> ParsedFile {
        let scopes_at = vec![None; config.scopes.len()];
        ParsedFile {
            config,
            path,
            type_at: None,
            scopes_at,
        }
    }

    /// Where the `type` value stands, or the file alone.
    pub fn type_location(&self) -> Location {
        self.type_at.clone().unwrap_or(Location {
            path: self.path.clone(),
            line: 0,
            column: 0,
        })
    }
}

/// A problem that does not stop the configuration from working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The outcome of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validated {
    pub connectors: Vec<ConnectorConfig>,
    pub warnings: Vec<Warning>,
}

/// The `CONFIG_INVALID` error for a type id outside `^[a-z0-9_-]+$`.
pub fn invalid_type(integration_type: &str) -> Error {
    Error::new(
        ErrorCode::ConfigInvalid,
        format!(
            "Invalid connector type \"{}\": it must match ^[a-z0-9_-]+$ (case-insensitive), at most 64 characters",
            printable(integration_type)
        ),
    )
}

/// Parses one connector file given as bytes: invalid UTF-8 is a positioned
/// `CONFIG_SYNTAX` error.
pub fn parse_bytes(bytes: &[u8], path: Option<&str>) -> Result<ParsedFile> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len(), path));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, path),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            Err(
                Error::new(ErrorCode::ConfigSyntax, "The file is not valid UTF-8")
                    .at(Location::at(valid, valid.len(), path)),
            )
        }
    }
}

/// The `CONFIG_TOO_LARGE` error for a file of `len` bytes.
pub fn too_large(len: usize, path: Option<&str>) -> Error {
    Error::new(
        ErrorCode::ConfigTooLarge,
        format!("The file has {len} bytes; a connector file may have at most {MAX_FILE_BYTES}"),
    )
    .in_file(path)
}

/// Parses one connector file: JSONC (comments and trailing commas allowed;
/// otherwise strict JSON) holding `{"type": string, "scopes"?: string[]}`.
pub fn parse(text: &str, path: Option<&str>) -> Result<ParsedFile> {
    if text.len() > MAX_FILE_BYTES {
        return Err(too_large(text.len(), path));
    }
    let at = |offset: usize| Location::at(text, offset, path);
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &options).map_err(|e| {
            let code = match e.kind() {
                ParseErrorKind::NestingDepthExceeded => ErrorCode::ConfigTooDeep,
                _ => ErrorCode::ConfigSyntax,
            };
            let message = match code {
                ErrorCode::ConfigTooDeep => format!("Nesting deeper than {MAX_DEPTH} levels"),
                _ => e.kind().to_string(),
            };
            Error::new(code, message).at(at(e.range().start))
        })?;
    let root = parsed.value.ok_or_else(|| {
        Error::new(ErrorCode::ConfigSyntax, "The file is empty").at(at(text.len()))
    })?;
    check_structure(&root, &at)?;

    let Value::Object(object) = &root else {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            "A connector file must hold a JSON object",
        )
        .at(at(root.start())));
    };
    let mut type_value = None;
    let mut scopes_value = None;
    for prop in &object.properties {
        match prop.name.as_str() {
            "type" => type_value = Some(&prop.value),
            "scopes" => scopes_value = Some(&prop.value),
            other => {
                return Err(Error::new(
                    ErrorCode::UnknownField,
                    format!(
                        "Unknown field \"{}\"; a connector file has only \"type\" and \"scopes\"",
                        printable(other)
                    ),
                )
                .at(at(prop.name.start())));
            }
        }
    }
    let type_value = type_value.ok_or_else(|| {
        Error::new(ErrorCode::ConfigInvalid, "Missing required field \"type\"")
            .at(at(object.range.start))
    })?;
    let Value::StringLit(type_lit) = type_value else {
        return Err(
            Error::new(ErrorCode::ConfigInvalid, "\"type\" must be a string")
                .at(at(type_value.start())),
        );
    };
    let integration_type = type_lit.value.to_string();
    if !is_valid_type_id(&integration_type) {
        return Err(invalid_type(&integration_type).at(at(type_lit.range.start)));
    }
    let integration_type = fold_type_id(&integration_type);

    let mut file = ParsedFile {
        config: ConnectorConfig {
            integration_type,
            scopes: Vec::new(),
        },
        path: path.map(str::to_owned),
        type_at: Some(at(type_lit.range.start)),
        scopes_at: Vec::new(),
    };
    match scopes_value {
        None | Some(Value::NullKeyword(_)) => {}
        Some(Value::Array(array)) => {
            for element in &array.elements {
                let Value::StringLit(s) = element else {
                    return Err(Error::new(
                        ErrorCode::ConfigInvalid,
                        "Each scope must be a string",
                    )
                    .at(at(element.start())));
                };
                file.config.scopes.push(s.value.to_string());
                file.scopes_at.push(Some(at(s.range.start)));
            }
        }
        Some(other) => {
            return Err(Error::new(
                ErrorCode::ConfigInvalid,
                "\"scopes\" must be an array of strings",
            )
            .at(at(other.start())));
        }
    }
    check_file_scopes(&mut file)?;
    Ok(file)
}

/// Depth and duplicate keys, over the whole tree, without recursion.
fn check_structure(root: &Value<'_>, at: &dyn Fn(usize) -> Location) -> Result<()> {
    let mut stack = vec![(root, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Vec<&Value<'_>> = match value {
            Value::Object(o) => {
                let mut seen = std::collections::HashSet::new();
                for prop in &o.properties {
                    let name = match &prop.name {
                        ObjectPropName::String(s) => s.value.as_ref(),
                        ObjectPropName::Word(w) => w.value,
                    };
                    if !seen.insert(name) {
                        return Err(Error::new(
                            ErrorCode::DuplicateKey,
                            format!("Duplicate key \"{}\"", printable(name)),
                        )
                        .at(at(prop.name.start())));
                    }
                }
                o.properties.iter().map(|p| &p.value).collect()
            }
            Value::Array(a) => a.elements.iter().collect(),
            _ => continue,
        };
        if depth + 1 > MAX_DEPTH {
            return Err(Error::new(
                ErrorCode::ConfigTooDeep,
                format!("Nesting deeper than {MAX_DEPTH} levels"),
            )
            .at(at(value.start())));
        }
        stack.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// Checks each scope's syntax and the count, and drops repeats (keeping the
/// first), keeping `scopes_at` parallel.
fn check_file_scopes(file: &mut ParsedFile) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::with_capacity(file.config.scopes.len());
    let mut kept_at = Vec::with_capacity(file.config.scopes.len());
    let locations = std::mem::take(&mut file.scopes_at);
    for (i, scope) in std::mem::take(&mut file.config.scopes)
        .into_iter()
        .enumerate()
    {
        let location = locations.get(i).cloned().flatten();
        if !is_valid_scope(&scope) {
            let error = Error::new(
                ErrorCode::InvalidScope,
                format!(
                    "Invalid scope \"{}\": a scope is 1 to {MAX_SCOPE_LEN} printable ASCII characters without spaces, '\"' or '\\' (RFC 6749 section 3.3)",
                    printable(&scope)
                ),
            );
            return Err(match location {
                Some(l) => error.at(l),
                None => error.in_file(file.path.as_deref()),
            });
        }
        if seen.insert(scope.clone()) {
            kept.push(scope);
            kept_at.push(location);
        }
    }
    if kept.len() > MAX_SCOPES {
        return Err(Error::new(
            ErrorCode::InvalidScope,
            format!(
                "{} scopes; a connector may ask for at most {MAX_SCOPES}",
                kept.len()
            ),
        )
        .at(file.type_location()));
    }
    file.config.scopes = kept;
    file.scopes_at = kept_at;
    Ok(())
}

/// Validates a set of connector files against a catalog: duplicate types
/// (naming both files), unknown types (with a did-you-mean), scope syntax,
/// and a warning for scopes on a managed provider (Stripe). Type ids are
/// read in lower case ([`fold_type_id`]). Every bad file is reported (see
/// [`validate_all`]).
pub fn validate(files: Vec<ParsedFile>, catalog: &Catalog) -> Result<Validated> {
    validate_all(files.into_iter().map(Ok).collect(), catalog)
}

/// [`validate`] over files some of which may have failed to parse: the
/// error, when there is one, covers every bad file ([`Error::all`]), each
/// with its path, line and column; the first one's code and location are
/// the error's own.
pub fn validate_all(files: Vec<Result<ParsedFile>>, catalog: &Catalog) -> Result<Validated> {
    let mut out = Validated {
        connectors: Vec::with_capacity(files.len()),
        warnings: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut seen: Vec<(String, Option<String>)> = Vec::new();
    for file in files {
        match file.and_then(|file| check_file(file, catalog, &seen, &mut out.warnings)) {
            Ok(file) => {
                seen.push((file.config.integration_type.clone(), file.path));
                out.connectors.push(file.config);
            }
            Err(e) => errors.push(e),
        }
    }
    match Error::all(errors) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// One file of [`validate_all`], against the types `seen` before it.
fn check_file(
    mut file: ParsedFile,
    catalog: &Catalog,
    seen: &[(String, Option<String>)],
    warnings: &mut Vec<Warning>,
) -> Result<ParsedFile> {
    if !is_valid_type_id(&file.config.integration_type) {
        return Err(invalid_type(&file.config.integration_type).at(file.type_location()));
    }
    file.config.integration_type = fold_type_id(&file.config.integration_type);
    let ty = file.config.integration_type.clone();
    if let Some((_, first)) = seen.iter().find(|(t, _)| *t == ty) {
        let both = match (first, &file.path) {
            (Some(a), Some(b)) => format!(" in {b} (also declared in {a})"),
            _ => String::new(),
        };
        return Err(Error::new(
            ErrorCode::DuplicateConnector,
            format!("Duplicate connector type \"{ty}\"{both}"),
        )
        .at(file.type_location()));
    }
    let provider = catalog
        .require(&ty)
        .map_err(|e| e.at(file.type_location()))?;
    check_file_scopes(&mut file)?;
    if provider.auth_model == AuthModel::Managed && !file.config.scopes.is_empty() {
        warnings.push(Warning {
            code: "SCOPES_IGNORED",
            message: format!(
                "\"{ty}\" is provisioned without OAuth, so its scopes are ignored; remove \"scopes\" from the file"
            ),
            path: file.path.clone(),
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests;
