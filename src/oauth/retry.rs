//! Retries for provider calls: 429 and 5xx, and failures before the request
//! was sent, are tried again with full-jitter exponential backoff
//! (`rand(0, min(cap, base·2ⁿ))`), waiting at least what `Retry-After` asks
//! (capped). A code exchange that may have reached the provider is never
//! sent twice: reusing a code can revoke the tokens it issued.

use crate::error::{Error, ErrorCode, Result};
use crate::http::{HttpRequest, HttpResponse};
use crate::ports::{Clock, Fetch, random_bytes};

use super::token::{Grant, is_retryable_status};

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
    let at = httpdate::parse_http_date(value).ok()?;
    let at_ms = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    Some(
        u64::try_from(at_ms)
            .unwrap_or(u64::MAX)
            .saturating_sub(now_ms),
    )
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
