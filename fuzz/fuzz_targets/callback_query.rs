#![no_main]
// Invariants: see oauth_connectors::fuzzing::callback_query (src/fuzzing.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_connectors::fuzzing::callback_query(data));
