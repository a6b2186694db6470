use super::*;
use crate::catalog::Catalog;

fn parse(q: &str) -> Result<CallbackParams> {
    parse_query(q)
}

fn code_of<T: std::fmt::Debug>(r: Result<T>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

#[test]
fn a_code_callback_parses_with_extra_parameters() {
    let p = parse("?code=abc&state=S&realmId=123").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.state, "S");
    assert_eq!(
        p.outcome().map(|c| c.secret().to_owned()).ok().as_deref(),
        Some("abc")
    );
    assert_eq!(p.extra.get("realmId").map(String::as_str), Some("123"));
}

#[test]
fn ambiguous_callbacks_are_rejected() {
    for q in [
        "code=a&code=b&state=S",
        "state=a&state=a&code=x",
        "code=x&error=y&state=S",
        "code=x&token=y&state=S",
        "access_token=x&state=S",
        "code=x",
        "code=x&state=",
        "state=S",
        "code=&state=S",
    ] {
        assert_eq!(code_of(parse(q)), Some(ErrorCode::InvalidCallback), "{q}");
    }
    assert_eq!(
        code_of(parse(&"a".repeat(MAX_QUERY_LEN + 1))),
        Some(ErrorCode::InvalidCallback)
    );
}

#[test]
fn provider_errors_map_to_codes_after_the_state_check() {
    let p = parse("error=access_denied&state=S&error_description=User+said+no")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = p.outcome().err().unwrap_or_else(|| panic!("an error"));
    assert_eq!(e.code(), ErrorCode::AuthorizationDenied);
    assert_eq!(e.message(), "The provider answered access_denied");
    let p = parse("error=server_error&state=S").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code_of(p.outcome()), Some(ErrorCode::ProviderError));
    // Any error RFC 6749 does not define is `other`: it may be a token.
    for error in ["made_up", "SENTINEL_CS", "SENTINEL_CODE_0123456789abcdef"] {
        let p = parse(&format!("error={error}&state=S")).unwrap_or_else(|e| panic!("{e}"));
        let e = p.outcome().err().unwrap_or_else(|| panic!("an error"));
        assert_eq!(e.code(), ErrorCode::ProviderError);
        assert_eq!(e.message(), "The provider answered other", "{error}");
    }
}

#[test]
fn error_descriptions_never_reach_the_message() {
    // A provider may echo a secret there, in the RFC 6749 charset.
    for d in [
        "User+said+no",
        "client_secret%3DSENTINEL_CS",
        "%3Cscript%3E%22x%22",
        &"a".repeat(300),
        "tab%09x",
        "back%5Cslash",
    ] {
        let p = parse(&format!(
            "error=access_denied&state=S&error_description={d}"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let message = p
            .outcome()
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert_eq!(message, "The provider answered access_denied", "{d}");
    }
}

fn provider_with_issuer(issuer: Option<&str>) -> Provider {
    let mut p = Catalog::builtin()
        .ok()
        .and_then(|c| c.get("github"))
        .cloned()
        .unwrap_or_else(|| panic!("github"));
    p.issuer = issuer.map(str::to_owned);
    p
}

#[test]
fn issuer_is_compared_exactly_when_present() {
    let op = provider_with_issuer(Some("https://op.example.com"));
    let ok =
        parse("code=x&state=S&iss=https%3A%2F%2Fop.example.com").unwrap_or_else(|e| panic!("{e}"));
    assert!(check_issuer(&op, ok.iss.as_deref()).is_ok());
    let foo = parse("code=x&state=S&iss=foo").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(check_issuer(&op, foo.iss.as_deref())),
        Some(ErrorCode::IssuerMismatch)
    );
    let slash = parse("code=x&state=S&iss=https%3A%2F%2Fop.example.com%2F")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(check_issuer(&op, slash.iss.as_deref())),
        Some(ErrorCode::IssuerMismatch)
    );
    let missing = parse("code=x&state=S").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(check_issuer(&op, missing.iss.as_deref())),
        Some(ErrorCode::IssuerMissing)
    );
    // An error callback from the wrong issuer is a mismatch, not a denial.
    let denied = parse("error=access_denied&state=S&iss=foo").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        code_of(check_issuer(&op, denied.iss.as_deref())),
        Some(ErrorCode::IssuerMismatch)
    );
    // Providers without a configured issuer are not checked.
    assert!(check_issuer(&provider_with_issuer(None), foo.iss.as_deref()).is_ok());
}

#[test]
fn iss_is_checked_only_when_the_callback_parameters_are_given() {
    let op = provider_with_issuer(Some("https://op.example.com"));
    let params = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let code_of = |r: Result<()>| r.err().map(|e| e.code());
    // No callback parameters: nothing to check.
    assert_eq!(code_of(check_issuer_of(&op, None)), None);
    // Given without iss: missing, even with other parameters.
    assert_eq!(
        code_of(check_issuer_of(&op, Some(&params(&[("realmId", "1")])))),
        Some(ErrorCode::IssuerMissing)
    );
    assert_eq!(
        code_of(check_issuer_of(
            &op,
            Some(&params(&[("iss", "https://op.example.com/")]))
        )),
        Some(ErrorCode::IssuerMismatch)
    );
    assert_eq!(
        code_of(check_issuer_of(
            &op,
            Some(&params(&[("iss", "https://op.example.com")]))
        )),
        None
    );
    // A provider without an issuer is not checked.
    let plain = provider_with_issuer(None);
    assert_eq!(
        code_of(check_issuer_of(&plain, Some(&params(&[("iss", "x")])))),
        None
    );
}
