#![no_main]
// Invariants: see oauth_connectors::fuzzing::return_url (src/fuzzing.rs);
// here also: a WHATWG URL parser (what a browser follows) gives an accepted
// URL the origin of the allowed entry it matched.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((accepted, origin)) = oauth_connectors::fuzzing::return_url_accepted(data)
        && let Ok(allowed) = url::Url::parse(&origin)
    {
        let read = url::Url::parse(&accepted)
            .unwrap_or_else(|e| panic!("{accepted:?} does not parse: {e}"));
        assert_eq!(
            read.origin().ascii_serialization(),
            allowed.origin().ascii_serialization(),
            "{accepted:?} leaves {origin}"
        );
    }
});
