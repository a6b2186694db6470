use super::*;

#[test]
fn secrets_are_redacted_in_debug() {
    let s = ClientSecret::new("SENTINEL_CS");
    assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
    assert_eq!(
        format!("{:?}", Some(AccessToken::new("SENTINEL_AT"))),
        "Some(AccessToken([redacted]))"
    );
    assert_eq!(s.secret(), "SENTINEL_CS");
}

#[test]
fn secrets_are_wiped_on_drop() {
    fn assert_wiped<T: ZeroizeOnDrop>() {}
    assert_wiped::<AccessToken>();
    assert_wiped::<RefreshToken>();
    assert_wiped::<ClientSecret>();
    assert_wiped::<PkceVerifier>();
}
