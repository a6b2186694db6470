use super::*;
use crate::http::FetchFailure;
use crate::test_util::{FakeClock, FakeFetch, block_on, json_response};

const NOW: u64 = 1_800_000_000_000;

fn request() -> HttpRequest {
    HttpRequest {
        method: "POST",
        url: "https://p.example/token".into(),
        headers: vec![],
        body: vec![],
    }
}

fn with_retry_after(status: u16, value: &str) -> HttpResponse {
    let mut r = json_response(status, "{}");
    r.headers.push(("Retry-After".into(), value.into()));
    r
}

fn run(fetch: &FakeFetch, clock: &FakeClock, grant: Option<Grant>) -> Result<HttpResponse> {
    block_on(send(
        fetch,
        clock,
        &RetryPolicy::default(),
        &request(),
        grant,
    ))
}

#[test]
fn retry_after_seconds_are_waited() {
    let fetch = FakeFetch::answering(vec![
        Ok(with_retry_after(429, "7")),
        Ok(json_response(200, "{}")),
    ]);
    let clock = FakeClock::at(NOW);
    assert!(run(&fetch, &clock, Some(Grant::RefreshToken)).is_ok());
    assert_eq!(fetch.calls(), 2);
    assert!(
        clock.sleeps.borrow()[0] >= 7000,
        "{:?}",
        clock.sleeps.borrow()
    );
}

#[test]
fn retry_after_http_dates_are_parsed_and_long_waits_capped() {
    // 1_800_000_000 s is 2027-01-15T08:00:00Z.
    assert_eq!(
        retry_after_ms("Fri, 15 Jan 2027 08:00:30 GMT", NOW),
        Some(30_000)
    );
    assert_eq!(
        retry_after_ms("Fri, 15 Jan 2027 07:00:00 GMT", NOW),
        Some(0),
        "a past date means now"
    );
    assert_eq!(retry_after_ms("soon", NOW), None);
    let policy = RetryPolicy::default();
    assert_eq!(
        policy.delay_ms(0, retry_after_ms("99999", NOW), 0),
        policy.max_retry_after_ms
    );
}

#[test]
fn three_503s_exhaust_the_retries_after_three_calls() {
    let fetch = FakeFetch::answering(vec![
        Ok(json_response(503, "{}")),
        Ok(json_response(503, "{}")),
        Ok(json_response(503, "{}")),
    ]);
    let clock = FakeClock::at(NOW);
    let e = run(&fetch, &clock, Some(Grant::RefreshToken))
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::RetryableExhausted));
    assert_eq!(fetch.calls(), 3);
    assert_eq!(clock.sleeps.borrow().len(), 2);
}

#[test]
fn jitter_spreads_clients_and_never_exceeds_the_cap() {
    let policy = RetryPolicy::default();
    let delays: Vec<u64> = (0..1000)
        .map(|_| policy.delay_ms(5, None, random_u64().unwrap_or(0)))
        .collect();
    assert!(delays.iter().all(|d| *d <= policy.cap_ms));
    let first = delays[0];
    assert!(delays.iter().any(|d| *d != first), "not all equal");
    assert!(policy.backoff_ms(0, u64::MAX) <= policy.base_ms);
}

#[test]
fn a_code_exchange_that_may_have_been_sent_is_not_sent_again() {
    let fetch = FakeFetch::answering(vec![
        Err(FetchFailure::AfterSend),
        Ok(json_response(200, "{}")),
    ]);
    let e = run(&fetch, &FakeClock::at(NOW), Some(Grant::AuthorizationCode))
        .err()
        .map(|e| e.code());
    assert_eq!(e, Some(ErrorCode::TimeoutAmbiguous));
    assert_eq!(fetch.calls(), 1);
}

#[test]
fn a_refresh_that_timed_out_is_retried() {
    let fetch = FakeFetch::answering(vec![
        Err(FetchFailure::AfterSend),
        Ok(json_response(200, "{}")),
    ]);
    assert!(run(&fetch, &FakeClock::at(NOW), Some(Grant::RefreshToken)).is_ok());
    assert_eq!(fetch.calls(), 2);
}

#[test]
fn failures_before_sending_are_retried_then_reported() {
    let fetch = FakeFetch::answering(vec![
        Err(FetchFailure::BeforeSend),
        Ok(json_response(200, "{}")),
    ]);
    assert!(run(&fetch, &FakeClock::at(NOW), Some(Grant::AuthorizationCode)).is_ok());
    let fetch = FakeFetch::answering(vec![]);
    let e = run(&fetch, &FakeClock::at(NOW), None)
        .err()
        .map(|e| e.code());
    assert_eq!((e, fetch.calls()), (Some(ErrorCode::NetworkError), 3));
}

#[test]
fn client_errors_are_returned_at_once() {
    let fetch = FakeFetch::answering(vec![Ok(json_response(400, r#"{"error":"invalid_grant"}"#))]);
    let r = run(&fetch, &FakeClock::at(NOW), Some(Grant::RefreshToken));
    assert_eq!(r.map(|r| r.status).ok(), Some(400));
    assert_eq!(fetch.calls(), 1);
}

#[test]
fn the_worst_case_covers_every_attempt_timing_out_and_the_longest_waits() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.worst_case_ms(30_000), 3 * 30_000 + 2 * 60_000);
    // What the waits of a send can reach: Retry-After capped at 60 s, twice.
    let fetch = FakeFetch::answering(vec![
        Ok(with_retry_after(503, "3600")),
        Ok(with_retry_after(429, "3600")),
        Ok(with_retry_after(503, "3600")),
    ]);
    let clock = FakeClock::at(NOW);
    assert!(run(&fetch, &clock, Some(Grant::RefreshToken)).is_err());
    let waited: u64 = clock.sleeps.borrow().iter().sum();
    assert_eq!(waited, policy.worst_case_ms(0));
    // Without Retry-After honoured, the backoff's ceilings (0.25 s, 0.5 s).
    let impatient = RetryPolicy {
        max_retry_after_ms: 0,
        ..policy
    };
    assert_eq!(impatient.worst_case_ms(1_000), 3_000 + 250 + 500);
    let once = RetryPolicy {
        max_attempts: 1,
        ..policy
    };
    assert_eq!(once.worst_case_ms(30_000), 30_000);
}

/// httpdate's answer to `value`, in our terms.
fn httpdate_ms(value: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(value).ok()?;
    u64::try_from(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis()).ok()
}

#[test]
fn http_dates_in_each_form_are_read_as_httpdate_reads_them() {
    // Every ~92 days from 1970 to 9999, at a varying time of day, in the
    // three forms: the same instant as httpdate, which wrote the first.
    let mut checked = 0;
    for step in 0..(8030u64 * 4) {
        let seconds = step * 7_919_357 % 253_402_300_800;
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
        let imf = httpdate::fmt_http_date(time);
        assert_eq!(http_date_ms(&imf), Some(seconds * 1000), "{imf}");
        // `Sun, 06 Nov 1994 08:49:37 GMT` -> the other two forms.
        let (weekday, rest) = imf.split_once(", ").unwrap();
        let parts: Vec<&str> = rest.split(' ').collect();
        let (day, month, year, clock) = (parts[0], parts[1], parts[2], parts[3]);
        let asctime = format!(
            "{weekday} {month} {:>2} {clock} {year}",
            day.trim_start_matches('0')
        );
        assert_eq!(http_date_ms(&asctime), httpdate_ms(&asctime), "{asctime}");
        assert_eq!(http_date_ms(&asctime), Some(seconds * 1000), "{asctime}");
        let long = LONG_WEEKDAYS[WEEKDAYS.iter().position(|w| *w == weekday).unwrap()];
        // Two digits: 19xx from 70, else 20xx; elsewhere the weekday is wrong.
        let rfc850 = format!("{long}, {day}-{month}-{} {clock} GMT", &year[2..]);
        assert_eq!(http_date_ms(&rfc850), httpdate_ms(&rfc850), "{rfc850}");
        if (1970..2070).contains(&year.parse::<u32>().unwrap()) {
            assert_eq!(http_date_ms(&rfc850), Some(seconds * 1000), "{rfc850}");
        }
        checked += 1;
    }
    assert_eq!(checked, 32_120);
}

#[test]
fn malformed_http_dates_are_refused_as_httpdate_refuses_them() {
    let bad = [
        "",
        "soon",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:37  GMT",
        "Sun,  06 Nov 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Mon, 06 Nov 1994 08:49:37 GMT",
        "Thu, 31 Dec 1969 23:59:59 GMT",
        "Mon, 29 Feb 1900 00:00:00 GMT",
        "Wed, 30 Feb 2000 00:00:00 GMT",
        "Wed, 00 Jan 2000 00:00:00 GMT",
        "Wed, 32 Jan 2000 00:00:00 GMT",
        "Wed, +1 Jan 2000 00:00:00 GMT",
        "Wed, 01 Jan +200 00:00:00 GMT",
        "Wed, 01 Jan 2000 00:00:+1 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\0",
        "Sun, 06 Nov 1994 08:49:37 GMTé",
        "Sün, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49\u{0}37 GMT",
        "Sun, 06 Nov 1994 08:49:3é GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 6-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37",
        "Sunday, 06-Nov-94-01 08:49:37 GMT",
        "Monday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 06 08:49:37 94",
        "Sun Nov  6 08:49:37 1994\0",
        "Sun Nov 6 08:49:37 1994",
        "Sun  Nov 6 08:49:37 1994",
        "Xyz Nov  6 08:49:37 1994",
        "Mon Nov  6 08:49:37 1994",
        "Sun Nov  6 08:49:37 19é4",
        "Sun Nov  é 08:49:37 1994",
    ];
    for value in bad {
        assert_eq!(http_date_ms(value), None, "{value:?}");
        assert_eq!(httpdate_ms(value), None, "httpdate also refuses {value:?}");
    }
    // The leap days that exist, the first and the last second.
    for value in [
        "Tue, 29 Feb 2000 00:00:00 GMT",
        "Thu, 29 Feb 2024 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        assert_eq!(http_date_ms(value), httpdate_ms(value), "{value}");
        assert!(http_date_ms(value).is_some(), "{value}");
    }
    // Retry-After is trimmed first, as httpdate trims.
    assert_eq!(
        retry_after_ms(" Sun, 06 Nov 1994 08:49:37 GMT\r\n", 0),
        httpdate_ms("Sun, 06 Nov 1994 08:49:37 GMT")
    );
}
