use super::*;

#[test]
fn an_app_id_is_1_to_128_of_letters_digits_dash_underscore_and_dot() {
    for good in ["a", "app1", "my-app_2.prod", "default", &"x".repeat(128)] {
        assert!(check_app_id(good).is_ok(), "{good}");
    }
    for bad in ["", &"x".repeat(129), "a b", "app/1", "app?", "é", "a\u{0}"] {
        let e = check_app_id(bad).err().map(|e| (e.code(), e.to_string()));
        assert_eq!(
            e,
            Some((
                ErrorCode::InvalidInput,
                "appId must have 1 to 128 characters of A-Z, a-z, 0-9, '-', '_' and '.'".to_owned()
            )),
            "{bad:?}"
        );
    }
}
