use serde::{Deserialize, Serialize};

unit_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Mine {
        First = "first",
        AppUser = "app_user",
    }
}

/// The derive's twin, for comparing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Derived {
    First,
    AppUser,
}

fn both(json: &str) -> (Result<Mine, String>, Result<Derived, String>) {
    (
        serde_json::from_slice::<Mine>(json.as_bytes()).map_err(|e| e.to_string()),
        serde_json::from_slice::<Derived>(json.as_bytes()).map_err(|e| e.to_string()),
    )
}

#[test]
fn reads_and_fails_like_the_derive() {
    for json in [
        r#""first""#,
        r#""app_user""#,
        r#""second""#,
        r#"{"app_user":null}"#,
        r#"{"first":1}"#,
        r#"{"nope":null}"#,
        "1",
        "1.5",
        "null",
        "[]",
        r#""\u00e9""#,
    ] {
        let (mine, derived) = both(json);
        match (mine, derived) {
            (Ok(m), Ok(d)) => assert_eq!(format!("{m:?}"), format!("{d:?}"), "{json}"),
            (m, d) => assert_eq!(m.err(), d.err(), "{json}"),
        }
    }
    let value = serde_json::json!("second");
    assert_eq!(
        Mine::deserialize(&value).map_err(|e| e.to_string()).err(),
        Derived::deserialize(&value)
            .map_err(|e| e.to_string())
            .err()
    );
    let value = serde_json::json!("app_user");
    assert_eq!(Mine::deserialize(&value).ok(), Some(Mine::AppUser));
}

#[test]
fn writes_like_the_derive() {
    for (mine, derived) in [
        (Mine::First, Derived::First),
        (Mine::AppUser, Derived::AppUser),
    ] {
        assert_eq!(
            serde_json::to_string(&mine).ok(),
            serde_json::to_string(&derived).ok()
        );
        assert_eq!(
            serde_json::to_value(mine).ok(),
            serde_json::to_value(derived).ok()
        );
        assert_eq!(
            Some(mine.as_str()),
            serde_json::to_value(derived)
                .ok()
                .as_ref()
                .and_then(|v| v.as_str())
        );
    }
}
