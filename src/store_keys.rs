//! Every key the engine writes to the host store, built here and nowhere
//! else: `oauth-connectors:<what>:<app>:<parts>`, each caller-given part
//! percent-encoded, so no two apps or connections share a key and a part
//! cannot pass for a separator. Values are sealed records, lease ids,
//! used-state marks and authorization status; keys hold no secret.

/// A part as it goes into a key: form-encoded (`:` becomes `%3A`).
fn enc(part: &str) -> String {
    form_urlencoded::byte_serialize(part.as_bytes()).collect()
}

/// A connection's sealed record: `oauth-connectors:conn:<app>:<kind>:<connector>[:<user>]`.
/// It is also the record's associated data: a record moved to another
/// key does not open.
pub fn connection(app: &str, kind: &str, connector: &str, user: Option<&str>) -> String {
    let mut key = format!(
        "oauth-connectors:conn:{}:{kind}:{}",
        enc(app),
        enc(connector)
    );
    if let Some(user) = user {
        key.push(':');
        key.push_str(&enc(user));
    }
    key
}

/// The prefix of the app's connection keys, `oauth-connectors:conn:<app>:`,
/// narrowed to one kind (`<kind>:`) and, for app users, one connector
/// (`app_user:<connector>:`) when given. A shared or workspace connector's
/// keys are not narrowed by connector: its id's prefix is another's too.
pub fn connections(app: &str, kind: Option<&str>, app_user_connector: Option<&str>) -> String {
    let mut prefix = format!("oauth-connectors:conn:{}:", enc(app));
    if let Some(kind) = kind {
        prefix.push_str(kind);
        prefix.push(':');
        if let Some(connector) = app_user_connector {
            prefix.push_str(&enc(connector));
            prefix.push(':');
        }
    }
    prefix
}

/// Whether `key`, under `connections(app, None, None)`, is a connection's
/// record (not its lease): `<kind>:<connector>`, or `app_user:<connector>:<user>`.
/// Parts are encoded, so counting `:` is exact.
pub fn is_connection(app: &str, key: &str) -> bool {
    let Some(rest) = key.strip_prefix(&connections(app, None, None)) else {
        return false;
    };
    let parts: Vec<&str> = rest.split(':').collect();
    match parts.as_slice() {
        ["app_user", _, _] => true,
        [kind, _] => *kind != "app_user",
        _ => false,
    }
}

/// The refresh lease of the connection stored under `connection_key`.
pub fn lease(connection_key: &str) -> String {
    format!("{connection_key}:lease")
}

/// The mark that a state (`kind` `state`) or a start ticket (`start`)
/// with this nonce was used: `oauth-connectors:<kind>:<app>:<nonce>`.
pub fn used(app: &str, kind: &str, nonce: &str) -> String {
    format!("oauth-connectors:{kind}:{}:{}", enc(app), enc(nonce))
}

/// The status of an authorization the management PUT started.
pub fn authorization_status(app: &str, connection_id: &str) -> String {
    format!(
        "oauth-connectors:pending:{}:{}",
        enc(app),
        enc(connection_id)
    )
}

#[cfg(test)]
mod tests;
