use super::*;

#[test]
fn random_bytes_never_repeat_across_pool_refills() {
    // 32-byte draws across several refills of the pool: all distinct, and
    // none all zeros (a wiped or unfilled slice handed out).
    let mut seen = std::collections::HashSet::new();
    for _ in 0..(3 * POOL_BYTES / 32 + 7) {
        let b = random_bytes::<32>().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(b, [0u8; 32]);
        assert!(seen.insert(b), "a repeated draw");
    }
    // Sizes that do not divide the pool, and one larger than it.
    for _ in 0..500 {
        let b = random_bytes::<12>().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(b, [0u8; 12]);
    }
    let big = random_bytes::<{ POOL_BYTES + 1 }>().unwrap_or_else(|e| panic!("{e}"));
    assert!(big.iter().any(|&x| x != 0));
}
