#![no_main]
// Invariants: see oauth_connectors::fuzzing::proxy (src/fuzzing.rs); here
// also: a WHATWG URL parser (what `fetch` uses) reads the upstream URL on
// the base's host, with its path under the base's path.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((sent, base)) = oauth_connectors::fuzzing::proxy_request(data) {
        let base = url::Url::parse(&base).unwrap_or_else(|e| panic!("{base}: {e}"));
        let read = url::Url::parse(&sent).unwrap_or_else(|e| panic!("{sent:?}: {e}"));
        assert_eq!(read.scheme(), "https");
        assert_eq!(read.host_str(), base.host_str(), "{sent:?}");
        assert_eq!(read.port(), base.port(), "{sent:?}");
        let under = base.path().trim_end_matches('/');
        let path = read.path();
        assert!(
            path.strip_prefix(under)
                .is_some_and(|rest| rest.starts_with('/')),
            "{sent:?} reads as {path}, outside {base}"
        );
    }
});
