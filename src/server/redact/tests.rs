use super::*;

fn response(body: &str, headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status: 401,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn every_form_of_a_secret_is_replaced_in_the_body_and_headers() {
    let token = "ya29.a0/AfH6+SMB==";
    let r = redact(
        response(
            r#"{"error":"ya29.a0/AfH6+SMB==","detail":"ya29.a0\/AfH6+SMB==","uri":"https://x/?t=ya29.a0%2FAfH6%2BSMB%3D%3D"}"#,
            &[(
                "www-authenticate",
                r#"Bearer error="invalid_token", error_description="ya29.a0/AfH6+SMB==""#,
            )],
        ),
        &[token, "short"],
    );
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(
        body,
        r#"{"error":"[redacted]","detail":"[redacted]","uri":"https://x/?t=[redacted]"}"#
    );
    assert_eq!(
        r.headers[0].1,
        r#"Bearer error="invalid_token", error_description="[redacted]""#
    );
}

#[test]
fn short_secrets_and_answers_without_secrets_are_left_alone() {
    let r = redact(response("abc abc", &[("x", "abc")]), &["abc", ""]);
    assert_eq!(r.body, b"abc abc");
    assert_eq!(r.headers[0].1, "abc");
    let r = redact(response("ééé€", &[]), &["0123456789"]);
    assert_eq!(String::from_utf8_lossy(&r.body), "ééé€");
}
