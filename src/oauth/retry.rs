//! Retries for provider calls: 429 and 5xx, and failures before the request
//! was sent, are tried again with full-jitter exponential backoff
//! (`rand(0, min(cap, base·2ⁿ))`), waiting at least what `Retry-After` asks
//! (capped). A code exchange that may have reached the provider is never
//! sent twice: reusing a code can revoke the tokens it issued.

use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpRequest, HttpResponse};
use crate::ports::{Clock, Fetch, random_bytes};

use super::token::{Grant, days_from_civil, is_retryable_status};

/// How provider calls are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in all, the first included.
    pub max_attempts: u32,
    pub base_ms: u64,
    /// The largest backoff.
    pub cap_ms: u64,
    /// The longest `Retry-After` honoured.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_ms: 250,
            cap_ms: 8_000,
            max_retry_after_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// Full jitter for retry `attempt` (0 for the first retry), from a random value.
    pub fn backoff_ms(&self, attempt: u32, random: u64) -> u64 {
        random % self.ceiling_ms(attempt).saturating_add(1)
    }

    /// The longest backoff before retry `attempt`.
    fn ceiling_ms(&self, attempt: u32) -> u64 {
        self.base_ms
            .saturating_mul(1u64 << attempt.min(30))
            .min(self.cap_ms)
    }

    /// The wait before retry `attempt`: the backoff, or `Retry-After` when longer.
    pub fn delay_ms(&self, attempt: u32, retry_after_ms: Option<u64>, random: u64) -> u64 {
        let backoff = self.backoff_ms(attempt, random);
        retry_after_ms.map_or(backoff, |r| r.min(self.max_retry_after_ms).max(backoff))
    }

    /// The longest [`send`] can take when each call may take `timeout_ms`:
    /// every attempt timing out, and the longest wait before each retry
    /// (the backoff's ceiling, or the longest `Retry-After` honoured).
    pub fn worst_case_ms(&self, timeout_ms: u64) -> u64 {
        let attempts = self.max_attempts.max(1);
        let waits = (0..attempts - 1)
            .map(|attempt| self.ceiling_ms(attempt).max(self.max_retry_after_ms))
            .fold(0u64, u64::saturating_add);
        timeout_ms
            .saturating_mul(u64::from(attempts))
            .saturating_add(waits)
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
pub fn retry_after_ms(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000));
    }
    Some(http_date_ms(value)?.saturating_sub(now_ms))
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An HTTP-date (RFC 9110 §5.6.7) in milliseconds since the epoch, in the
/// three forms a recipient accepts: `Sun, 06 Nov 1994 08:49:37 GMT`, the
/// obsolete `Sunday, 06-Nov-94 08:49:37 GMT` (a year below 70 is 20xx)
/// and `Sun Nov  6 08:49:37 1994`. The weekday must be the date's, as
/// httpdate requires. Our own parser, not the httpdate crate: that crate
/// was 2.4 KB of the gzipped wasm (held to the same answers in the tests).
fn http_date_ms(value: &str) -> Option<u64> {
    let number = |text: &str| -> Option<u64> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let month = |text: &str| MONTHS.iter().position(|m| *m == text).map(|i| i as u64 + 1);
    let weekday_of = |names: &[&str], name: &str| names.iter().position(|n| *n == name);
    let (weekday, day, month, year, time) = if let Some((name, rest)) = value.split_once(", ") {
        if let Some(weekday) = weekday_of(&WEEKDAYS, name) {
            // `06 Nov 1994 08:49:37 GMT`
            let rest = rest.strip_suffix(" GMT")?;
            let mut parts = rest.split(' ');
            let day = parts.next().filter(|d| d.len() == 2)?;
            let (month_name, year) = (parts.next()?, parts.next().filter(|y| y.len() == 4)?);
            let time = parts.next()?;
            if parts.next().is_some() {
                return None;
            }
            (
                weekday,
                number(day)?,
                month(month_name)?,
                number(year)?,
                time,
            )
        } else if let Some(weekday) = weekday_of(&LONG_WEEKDAYS, name) {
            // `06-Nov-94 08:49:37 GMT`
            let (date, time) = rest.strip_suffix(" GMT")?.split_once(' ')?;
            let mut parts = date.split('-');
            let day = parts.next().filter(|d| d.len() == 2)?;
            let (month_name, year) = (parts.next()?, parts.next().filter(|y| y.len() == 2)?);
            if parts.next().is_some() {
                return None;
            }
            let year = number(year)?;
            let year = if year < 70 { 2000 + year } else { 1900 + year };
            (weekday, number(day)?, month(month_name)?, year, time)
        } else {
            return None;
        }
    } else {
        // `Sun Nov  6 08:49:37 1994`: the day is two characters, space-padded.
        let bytes = value.as_bytes();
        if bytes.len() != 24 || [3, 7, 10, 19].iter().any(|&i| bytes[i] != b' ') {
            return None;
        }
        let weekday = weekday_of(&WEEKDAYS, value.get(..3)?)?;
        let day = value.get(8..10)?;
        let day = day.strip_prefix(' ').unwrap_or(day);
        (
            weekday,
            number(day)?,
            month(value.get(4..7)?)?,
            number(value.get(20..24)?)?,
            value.get(11..19)?,
        )
    };
    let time = time.as_bytes();
    if time.len() != 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let two = |at: usize| number(std::str::from_utf8(&time[at..at + 2]).ok()?);
    let (hour, minute, second) = (two(0)?, two(3)?, two(6)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let valid = year >= 1970
        && (1..=month_days[month as usize - 1]).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60;
    if !valid {
        return None;
    }
    // At most 9999-12-31, so each fits an i64; from 1970, so none is negative.
    let days = u64::try_from(days_from_civil(year as i64, month as i64, day as i64)).ok()?;
    // 1970-01-01 was a Thursday (3, counting from Monday).
    if (days + 3) % 7 != weekday as u64 {
        return None;
    }
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    seconds.checked_mul(1000)
}

fn random_u64() -> Result<u64> {
    Ok(u64::from_le_bytes(random_bytes::<8>()?))
}

/// Sends `request`, retrying under `policy`. `grant` says what a failure
/// after sending means: for a code exchange it is `TIMEOUT_AMBIGUOUS`,
/// never a second send.
pub async fn send<F: Fetch, C: Clock>(
    fetch: &F,
    clock: &C,
    policy: &RetryPolicy,
    request: &HttpRequest,
    grant: Option<Grant>,
) -> Result<HttpResponse> {
    let attempts = policy.max_attempts.max(1);
    for attempt in 0..attempts {
        let last = attempt + 1 == attempts;
        let retry_after = match fetch.fetch(request.clone()).await {
            Ok(response) if !is_retryable_status(response.status) => return Ok(response),
            Ok(response) if last => {
                return Err(Error::new(
                    ErrorCode::RetryableExhausted,
                    format!(
                        "The provider answered HTTP {} {attempts} times",
                        response.status
                    ),
                ));
            }
            Ok(response) => response
                .header("retry-after")
                .and_then(|v| retry_after_ms(v, clock.now_ms())),
            Err(failure) if failure.maybe_sent() && grant == Some(Grant::AuthorizationCode) => {
                return Err(Error::new(
                    ErrorCode::TimeoutAmbiguous,
                    "The code exchange may have reached the provider but got no answer; the code is not sent again",
                ));
            }
            Err(_) if last => {
                return Err(Error::new(
                    ErrorCode::NetworkError,
                    "The provider could not be reached",
                ));
            }
            Err(_) => None,
        };
        clock
            .sleep(policy.delay_ms(attempt, retry_after, random_u64()?))
            .await;
    }
    Err(Error::new(
        ErrorCode::RetryableExhausted,
        "No attempt was made",
    ))
}

#[cfg(test)]
mod tests;
