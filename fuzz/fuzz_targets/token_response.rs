#![no_main]
// Invariants: see oauth_connectors::fuzzing::token_response (src/fuzzing.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_connectors::fuzzing::token_response(data));
