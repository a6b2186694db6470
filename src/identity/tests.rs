use super::*;
use serde_json::json;

const SECRET: &[u8] = b"SECRET-0123456789abcdef0123456789abcdef";
const ISS: &str = "https://app.example";
const AUD: &str = "api://mine";
const NOW_S: u64 = 1_700_000_000;
const NOW: u64 = NOW_S * 1000;
const JWT_CODES: [ErrorCode; 4] = [
    ErrorCode::JwtTooLarge,
    ErrorCode::JwtAlgNotAllowed,
    ErrorCode::JwtExpired,
    ErrorCode::JwtInvalid,
];

fn hs() -> Hs256 {
    Hs256::new(SECRET, ISS, AUD).unwrap_or_else(|e| panic!("{e}"))
}

fn claims() -> Value {
    json!({ "iss": ISS, "aud": AUD, "sub": "user-1", "exp": NOW_S + 3600 })
}

fn with(key: &str, value: Value) -> Value {
    let mut c = claims();
    c[key] = value;
    c
}

fn without(key: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().map(|m| m.remove(key));
    c
}

fn b64(text: &str) -> String {
    crate::b64::url(text)
}

/// A token of raw header and claims text, signed with `secret`.
fn raw(secret: &[u8], header: &str, claims: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let tag = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .chain_update(&input)
        .finalize()
        .into_bytes();
    format!("{input}.{}", crate::b64::url(tag))
}

fn signed(claims: &Value) -> String {
    raw(SECRET, HEADER, &claims.to_string())
}

/// The error's code, after checking it echoes neither the token (nor any
/// long part of it) nor the secret.
fn code(token: &str) -> Option<ErrorCode> {
    let e = hs().verify(token, NOW).err()?;
    let shown = format!("{e} {e:?}");
    let secret = String::from_utf8_lossy(SECRET);
    assert!(!shown.contains(secret.as_ref()), "{shown}");
    for part in std::iter::once(token).chain(token.split('.')) {
        assert!(part.len() < 8 || !shown.contains(part), "{shown}");
    }
    Some(e.code())
}

fn verified(token: &str) -> User {
    hs().verify(token, NOW).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn new_checks_the_secret_issuer_and_audience_and_hides_the_secret() {
    let short = Hs256::new(&SECRET[..31], ISS, AUD).err();
    let msg = short.as_ref().map(|e| (e.code(), e.to_string()));
    let (c, m) = msg.unwrap_or_else(|| panic!("a 31-byte secret was accepted"));
    assert_eq!(c, ErrorCode::ConfigInvalid);
    assert!(
        m.contains("at least 32 bytes") && !m.contains("SECRET-"),
        "{m}"
    );
    for (i, a) in [("", AUD), (ISS, "")] {
        let e = Hs256::new(SECRET, i, a).err().map(|e| e.code());
        assert_eq!(e, Some(ErrorCode::ConfigInvalid));
    }
    let debug = format!("{:?}", hs());
    assert!(
        debug.contains("[redacted]") && !debug.contains("SECRET-"),
        "{debug}"
    );
    assert!(debug.contains(ISS) && debug.contains(AUD), "{debug}");
}

#[test]
fn an_oversized_token_is_refused_before_decoding() {
    assert_eq!(code(&"a".repeat(100 * 1024)), Some(ErrorCode::JwtTooLarge));
    let big = signed(&with("pad", json!("x".repeat(100 * 1024))));
    assert_eq!(code(&big), Some(ErrorCode::JwtTooLarge));
    let e = hs().sign(&with("pad", json!("x".repeat(MAX_TOKEN_BYTES))));
    assert_eq!(e.err().map(|e| e.code()), Some(ErrorCode::JwtTooLarge));
}

#[test]
fn only_three_base64url_parts_and_a_header_object_are_read() {
    let good = signed(&claims());
    let (h, rest) = good.split_once('.').unwrap_or_else(|| panic!("{good}"));
    for token in [
        rest.to_owned(),                               // two parts
        format!("{good}.x"),                           // four parts
        format!("{h}=.{rest}"),                        // padding
        format!("{}.{rest}", h.replace('J', "+")),     // standard alphabet
        format!("{}.{rest}", b64(r#"["HS256"]"#)),     // header not an object
        format!("{}.{rest}", b64(r#""alg":"HS256""#)), // header not JSON
        format!("{}.{rest}", crate::b64::url([0xff])), // not UTF-8
    ] {
        assert_eq!(code(&token), Some(ErrorCode::JwtInvalid), "{token}");
    }
}

#[test]
fn only_hs256_is_allowed_whatever_the_header_says() {
    let body = claims().to_string();
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"NONE"}"#,
        r#"{"alg":"RS256"}"#,
        r#"{"alg":"HS512"}"#,
        r#"{"alg":"hs256"}"#,
        r#"{"alg":256}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        // Unsigned (the `none` form) and correctly MACed alike.
        let unsigned = format!("{}.{}.", b64(header), b64(&body));
        assert_eq!(
            code(&unsigned),
            Some(ErrorCode::JwtAlgNotAllowed),
            "{header}"
        );
        let token = raw(SECRET, header, &body);
        assert_eq!(code(&token), Some(ErrorCode::JwtAlgNotAllowed), "{header}");
    }
}

#[test]
fn a_crit_header_is_refused() {
    let token = raw(
        SECRET,
        r#"{"alg":"HS256","crit":["exp"]}"#,
        &claims().to_string(),
    );
    assert_eq!(code(&token), Some(ErrorCode::JwtInvalid));
}

#[test]
fn the_signature_is_checked_before_the_claims() {
    let good = signed(&claims());
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    // A flipped payload byte (another user) keeps the old signature.
    let flipped = claims().to_string().replacen("user-1", "user-2", 1);
    parts[1] = b64(&flipped);
    assert_eq!(code(&parts.join(".")), Some(ErrorCode::JwtInvalid));
    let other = raw(
        b"another-secret-0123456789abcdef-0123",
        HEADER,
        &claims().to_string(),
    );
    assert_eq!(code(&other), Some(ErrorCode::JwtInvalid));
    // Expired claims under a bad signature: the signature fails first.
    let stale = with("exp", json!(NOW_S - 3600)).to_string();
    let other = raw(b"another-secret-0123456789abcdef-0123", HEADER, &stale);
    assert_eq!(code(&other), Some(ErrorCode::JwtInvalid));
    let cut = &good[..good.len() - 2];
    assert_eq!(code(cut), Some(ErrorCode::JwtInvalid));
    let unsigned = &good[..=good.rfind('.').unwrap_or(0)];
    assert_eq!(code(unsigned), Some(ErrorCode::JwtInvalid));
}

#[test]
fn a_public_key_used_as_the_secret_is_just_a_wrong_secret() {
    let pem = "-----BEGIN PUBLIC KEY-----\n\
            MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n\
            -----END PUBLIC KEY-----\n";
    let confused = Hs256::new(pem.as_bytes(), ISS, AUD)
        .and_then(|k| k.sign(&claims()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&confused), Some(ErrorCode::JwtInvalid));
    let rs256 = raw(
        pem.as_bytes(),
        r#"{"alg":"RS256","typ":"JWT"}"#,
        &claims().to_string(),
    );
    assert_eq!(code(&rs256), Some(ErrorCode::JwtAlgNotAllowed));
}

#[test]
fn claims_must_be_an_object_with_exp_iss_aud_and_sub() {
    for body in ["[]", r#""x""#, "1", "null"] {
        assert_eq!(
            code(&raw(SECRET, HEADER, body)),
            Some(ErrorCode::JwtInvalid)
        );
    }
    for key in ["exp", "iss", "aud", "sub"] {
        assert_eq!(
            code(&signed(&without(key))),
            Some(ErrorCode::JwtInvalid),
            "{key}"
        );
    }
    let as_text = with("exp", json!((NOW_S + 60).to_string()));
    assert_eq!(code(&signed(&as_text)), Some(ErrorCode::JwtInvalid));
}

#[test]
fn the_issuer_must_match_exactly() {
    for iss in [
        json!(format!("{ISS}/")),
        json!("HTTPS://app.example"),
        json!([ISS]),
    ] {
        assert_eq!(
            code(&signed(&with("iss", iss))),
            Some(ErrorCode::JwtInvalid)
        );
    }
}

#[test]
fn the_audience_is_a_string_or_an_array_holding_ours() {
    verified(&signed(&with("aud", json!(["other", AUD]))));
    for aud in [json!("other"), json!(["other"]), json!([]), json!(null)] {
        assert_eq!(
            code(&signed(&with("aud", aud))),
            Some(ErrorCode::JwtInvalid)
        );
    }
}

#[test]
fn the_subject_is_a_non_empty_string() {
    for sub in [json!(""), json!(42), json!(null)] {
        assert_eq!(
            code(&signed(&with("sub", sub))),
            Some(ErrorCode::JwtInvalid)
        );
    }
}

#[test]
fn exp_has_60_seconds_of_leeway() {
    let exp = |s: u64| signed(&with("exp", json!(s)));
    assert_eq!(code(&exp(NOW_S - 61)), Some(ErrorCode::JwtExpired));
    assert_eq!(code(&exp(NOW_S - 30)), None);
    assert_eq!(code(&exp(NOW_S - 60)), None);
    assert_eq!(
        code(&signed(&with("exp", json!(-1)))),
        Some(ErrorCode::JwtExpired)
    );
    // Fractional seconds are NumericDates too.
    assert_eq!(
        code(&signed(&with("exp", json!(NOW_S as f64 - 61.5)))),
        Some(ErrorCode::JwtExpired)
    );
}

#[test]
fn nbf_has_60_seconds_of_leeway() {
    let nbf = |v: Value| signed(&with("nbf", v));
    assert_eq!(code(&nbf(json!(NOW_S + 120))), Some(ErrorCode::JwtInvalid));
    assert_eq!(code(&nbf(json!(NOW_S + 30))), None);
    assert_eq!(code(&nbf(json!("soon"))), Some(ErrorCode::JwtInvalid));
}

#[test]
fn errors_never_echo_the_token_or_the_secret() {
    let sentinel = with("sub", json!("SENTINEL-USER-0123456789"));
    let stale = with("exp", json!(NOW_S - 3600));
    let tokens = [
        signed(&with("iss", json!("SENTINEL-ISSUER-0123456789"))),
        signed(&with("aud", json!("SENTINEL-AUD-0123456789"))),
        signed(&stale),
        raw(
            b"another-secret-0123456789abcdef-0123",
            HEADER,
            &sentinel.to_string(),
        ),
        raw(
            SECRET,
            r#"{"alg":"none","kid":"SENTINEL"}"#,
            &sentinel.to_string(),
        ),
        format!("SENTINEL-NOT-A-TOKEN-{}", "x".repeat(MAX_TOKEN_BYTES)),
    ];
    for token in &tokens {
        // `code` asserts that neither the token, its parts nor the secret show.
        assert!(code(token).is_some(), "{token}");
        let e = hs().verify(token, NOW).err().map(|e| format!("{e} {e:?}"));
        assert!(!e.unwrap_or_default().contains("SENTINEL"));
    }
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let nested = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let signed_body = |body: &str| raw(SECRET, HEADER, body);
    let tokens = [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        "a.b.c".into(),
        "!!!.@@@.###".into(),
        "é.é.é".into(),
        "\0.\0.\0".into(),
        "eyJ.eyJ.eyJ".into(),
        format!("{}..", b64(HEADER)),
        format!("{}.{}.", b64(&nested), b64("{}")),
        signed_body(r#"{"exp":1e309}"#),
        signed_body(&format!(r#"{{"exp":{},"nbf":1e309}}"#, NOW_S)),
        signed_body(&nested),
        signed_body(&format!(r#"{{"exp":{nested}}}"#)),
        signed_body(r#"{"exp":-1e308}"#),
        signed_body("not json"),
        signed_body(""),
    ];
    for token in &tokens {
        let c = code(token).unwrap_or_else(|| panic!("accepted {token}"));
        assert!(JWT_CODES.contains(&c), "{c} for {token}");
    }
    // An absurd but valid `exp` saturates: it never expires.
    verified(&signed(&with("exp", json!(1e308))));
    verified(&signed(&with("exp", json!(u64::MAX))));
}

#[test]
fn bearer_takes_exactly_one_token() {
    assert_eq!(bearer(Some("bearer x.y.z")).ok(), Some("x.y.z"));
    assert_eq!(bearer(Some("Bearer x.y.z")).ok(), Some("x.y.z"));
    assert_eq!(bearer(Some("BEARER abc+/=")).ok(), Some("abc+/="));
    for value in [
        None,
        Some(""),
        Some("Bearer"),
        Some("Bearer "),
        Some("Basic abc"),
        Some("Bearer a b"),
        Some("Bearer  x"),
        Some("Bearer\tx"),
        Some("Bearer ="),
        Some("Bearer x\"y"),
        Some("Bearerx.y.z"),
    ] {
        let e = bearer(value).err().unwrap_or_else(|| panic!("{value:?}"));
        assert_eq!(e.code(), ErrorCode::Unauthenticated, "{value:?}");
        assert!(e.message().contains("Bearer <token>"), "{e}");
        assert!(!e.message().contains("abc"), "{e}");
    }
}

#[test]
fn sign_then_verify_round_trips() {
    let token = hs()
        .sign(&with("email", json!("ada@example.com")))
        .unwrap_or_else(|e| panic!("{e}"));
    let header = token.split('.').next().unwrap_or_default();
    assert_eq!(header, b64(HEADER));
    let user = verified(&token);
    assert_eq!(
        user,
        User {
            id: "user-1".into(),
            email: Some("ada@example.com".into()),
            valid_until_ms: Some((NOW_S + 3600) * 1000 + LEEWAY_MS + 1),
        }
    );
    let no_email = hs()
        .sign(&with("email", json!(7)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verified(&no_email).email, None);
    let e = hs()
        .sign(&json!(["not", "an", "object"]))
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::InvalidInput));
}

fn issued(user_id: &str, email: Option<&str>, expires_in_seconds: u64) -> Result<String> {
    let token = UserToken {
        secret: SECRET,
        issuer: ISS,
        audience: AUD,
        user_id,
        email,
        expires_in_seconds,
    };
    issue(&token, NOW + 999)
}

#[test]
fn an_issued_token_is_what_verify_accepts_until_it_expires() {
    for (id, email) in [
        ("user_a-b.c~d", Some("ada+x@example.com")),
        ("\u{e9}l\u{e8}ve \"quoted\"\u{1}", None),
    ] {
        let token = issued(id, email, 300).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(token.split('.').next(), Some(b64(HEADER).as_str()));
        assert_eq!(
            verified(&token),
            User {
                id: id.into(),
                email: email.map(Into::into),
                valid_until_ms: Some((NOW_S + 360) * 1000 + 1),
            }
        );
        let claims = object(token.split('.').nth(1).unwrap_or_default());
        let claims = claims.unwrap_or_else(|| panic!("{token}"));
        assert_eq!(claims.get("iat"), Some(&json!(NOW_S)));
        assert_eq!(claims.get("exp"), Some(&json!(NOW_S + 300)));
        // 300 s, then the verifier's 60 s of leeway.
        let at = |s: u64| hs().verify(&token, (NOW_S + s) * 1000).map(|u| u.id);
        assert_eq!(at(360).ok().as_deref(), Some(id));
        assert_eq!(at(361).err().map(|e| e.code()), Some(ErrorCode::JwtExpired));
        // valid_until_ms is the first millisecond it no longer verifies.
        let until = (NOW_S + 360) * 1000 + 1;
        assert!(hs().verify(&token, until - 1).is_ok());
        let late = hs().verify(&token, until).err().map(|e| e.code());
        assert_eq!(late, Some(ErrorCode::JwtExpired));
    }
    // Another secret, issuer or audience: refused.
    let token = issued("alice", None, 60).unwrap_or_else(|e| panic!("{e}"));
    let other = [
        Hs256::new(b"another-secret-0123456789abcdef0123456789", ISS, AUD),
        Hs256::new(SECRET, "https://other.example", AUD),
        Hs256::new(SECRET, ISS, "api://other"),
    ];
    for hs in other {
        let hs = hs.unwrap_or_else(|e| panic!("{e}"));
        let e = hs.verify(&token, NOW).err().map(|e| e.code());
        assert_eq!(e, Some(ErrorCode::JwtInvalid));
    }
}

#[test]
fn issue_refuses_bad_arguments_with_invalid_input_and_no_secret() {
    let base = UserToken {
        secret: SECRET,
        issuer: ISS,
        audience: AUD,
        user_id: "alice",
        email: None,
        expires_in_seconds: 60,
    };
    let long_id = "x".repeat(MAX_TOKEN_BYTES);
    let cases = [
        (
            UserToken {
                secret: &SECRET[..31],
                ..base
            },
            "at least 32 bytes",
        ),
        (UserToken { issuer: "", ..base }, "issuer must not be empty"),
        (
            UserToken {
                audience: "",
                ..base
            },
            "audience must not be empty",
        ),
        (
            UserToken {
                user_id: "",
                ..base
            },
            "non-empty",
        ),
        (
            UserToken {
                expires_in_seconds: 0,
                ..base
            },
            "expiresInSeconds",
        ),
        (
            UserToken {
                expires_in_seconds: MAX_USER_TOKEN_LIFETIME_S + 1,
                ..base
            },
            "expiresInSeconds",
        ),
        (
            UserToken {
                user_id: &long_id,
                ..base
            },
            "larger than 8 KiB",
        ),
    ];
    for (token, wanted) in cases {
        let e = issue(&token, NOW).err();
        let e = e.unwrap_or_else(|| panic!("{wanted}: issued"));
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
        assert!(e.message().contains(wanted), "{e}");
        assert!(
            !e.message().contains("SECRET-") && !e.message().contains("xxxx"),
            "{e}"
        );
    }
    let ok = UserToken {
        expires_in_seconds: MAX_USER_TOKEN_LIFETIME_S,
        ..base
    };
    assert!(issue(&ok, NOW).is_ok());
}

#[test]
fn the_rfc_7515_a1_token_verifies() {
    // RFC 7515 Appendix A.1: its key (64 bytes) and token, with CRLFs in
    // the header and claims. It has no `aud`, so it stops there: past
    // the algorithm, the signature, `exp` and `iss`.
    let key = crate::b64::from_url(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
    )
    .unwrap_or_else(|| panic!("the key is base64url"));
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
            eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
            dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let hs = Hs256::new(&key, "joe", AUD).unwrap_or_else(|e| panic!("{e}"));
    let e = hs.verify(token, 1_300_819_380_000).err();
    assert_eq!(e.as_ref().map(Error::message), Some(AUDIENCE));
}
