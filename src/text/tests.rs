use super::*;

#[test]
fn a_callers_string_is_cut_at_64_characters_with_control_characters_escaped() {
    assert_eq!(printable("my_calendar"), "my_calendar");
    assert_eq!(printable("a\nb\u{0}c\"d"), "a\\nb\\0c\\\"d");
    let long = "é".repeat(70);
    let shown = printable(&long);
    assert_eq!(shown.chars().count(), 65, "{shown}");
    assert!(shown.ends_with('…'));
    assert_eq!(printable(&"x".repeat(64)), "x".repeat(64));
}

#[test]
fn the_closest_name_only_when_it_is_close_enough_to_be_a_typo() {
    let names = ["googlecalendar", "github", "slack"];
    assert_eq!(
        closest("googlecalendr", names.into_iter()),
        Some("googlecalendar")
    );
    assert_eq!(closest("slakc", names.into_iter()), Some("slack"));
    assert_eq!(closest("hubspot", names.into_iter()), None);
    assert_eq!(closest("anything", std::iter::empty()), None);
}
