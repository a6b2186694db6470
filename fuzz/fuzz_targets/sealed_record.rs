#![no_main]
// Invariants: see oauth_connectors::fuzzing::sealed_record (src/fuzzing.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| oauth_connectors::fuzzing::sealed_record(data));
