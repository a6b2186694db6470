use super::*;

#[test]
fn every_length_round_trips_in_the_url_alphabet() {
    for len in 0..70usize {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
        let text = url(&bytes);
        assert!(!text.contains(['=', '+', '/']), "{text}");
        assert_eq!(text.len(), (len * 4).div_ceil(3));
        assert_eq!(from_url(&text), Some(bytes));
    }
    assert_eq!(url([0xfb, 0xff]), "-_8");
    assert_eq!(standard([0xfb, 0xff]), "+/8=");
    assert_eq!(
        standard("CLIENT+ID:SENTINEL_CS"),
        "Q0xJRU5UK0lEOlNFTlRJTkVMX0NT"
    );
}

#[test]
fn anything_but_canonical_unpadded_base64url_is_refused() {
    for bad in [
        "A", "AR", "AB", "AA==", "AAA=", "+/8", "A+", "A/", " AA", "AA ", "AA\n", "AA\0", "Aé",
        "AAAAA",
    ] {
        assert_eq!(from_url(bad), None, "{bad:?}");
    }
    assert_eq!(from_url("AQ"), Some(vec![1]));
}
