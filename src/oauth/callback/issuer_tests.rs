use super::*;
use crate::catalog::Catalog;

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
