use super::*;

#[test]
fn location_counts_lines_and_characters_from_one() {
    let text = "{\n  \"é\": x\n}";
    let x = text.find('x').unwrap_or_default();
    let loc = Location::at(text, x, Some("a.jsonc"));
    assert_eq!((loc.line, loc.column), (2, 8));
    assert_eq!(Location::at(text, 0, None).line, 1);
    // An offset past the end, or inside a character, does not panic.
    assert_eq!(Location::at(text, 999, None).line, 3);
    assert_eq!(Location::at("é", 1, None).column, 1);
}

#[test]
fn display_puts_the_location_first() {
    let text = "ab\ncd";
    let e = Error::new(ErrorCode::ConfigSyntax, "bad").at(Location::at(text, 4, Some("f.jsonc")));
    assert_eq!(e.to_string(), "f.jsonc:2:2: bad");
    let e = Error::new(ErrorCode::DuplicateConnector, "dup").in_file(Some("g.jsonc"));
    assert_eq!(e.to_string(), "g.jsonc: dup");
    assert_eq!(Error::new(ErrorCode::InvalidInput, "x").to_string(), "x");
}

#[test]
fn all_keeps_the_first_errors_code_and_place_and_lists_every_one() {
    assert_eq!(Error::all(Vec::new()), None);
    let a =
        Error::new(ErrorCode::UnknownField, "first").at(Location::at("ab\ncd", 4, Some("a.jsonc")));
    let b = Error::new(ErrorCode::ConfigSyntax, "second").in_file(Some("b.jsonc"));
    let e = Error::all(vec![a.clone(), b.clone()]).unwrap_or_else(|| panic!("no error"));
    assert_eq!(e.code(), ErrorCode::UnknownField);
    assert_eq!(e.location(), a.location());
    assert_eq!(e.to_string(), "a.jsonc:2:2: first\nb.jsonc: second");
    assert_eq!(e.errors(), [a.clone(), b]);
    let one = Error::all(vec![a.clone()]).unwrap_or_else(|| panic!("no error"));
    assert_eq!(one.to_string(), a.to_string());
    assert_eq!(one.errors(), [a]);
}

#[test]
fn codes_are_distinct_and_upper_snake() {
    let mut seen = std::collections::HashSet::new();
    for c in ErrorCode::ALL {
        assert!(seen.insert(c.as_str()), "{c} twice");
        assert!(
            c.as_str()
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch == '_')
        );
    }
}

#[test]
fn all_lists_each_code_once_in_declaration_order() {
    for (i, c) in ErrorCode::ALL.iter().enumerate() {
        assert_eq!(*c as usize, i, "{c}");
    }
}

/// The host-side twin of the package test: `index.d.ts`'s
/// `ConnectorsErrorCode` names every code.
#[test]
fn the_package_types_list_every_code() {
    let dts = include_str!("../../pkg-template/index.d.ts");
    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !dts.contains(&format!("'{c}'")))
        .collect();
    assert!(missing.is_empty(), "index.d.ts lacks {missing:?}");
}
