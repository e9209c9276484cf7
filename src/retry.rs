//! When and how a request is sent again.
//!
//! Policy (also in the README):
//! - **Safe requests** (`GET`, so `listWebhooks`) are retried on a connection failure, a
//!   timeout, and the statuses 429, 502, 503 and 504.
//! - **`createWebhook`** is retried only when Thulium cannot have acted on it: the
//!   connection was never established (nothing was sent), or it answered 429 (rate
//!   limited, not processed). Never after a timeout or a 5xx, where the subscription may
//!   exist already: a duplicate would be worse than an error.
//! - The wait before attempt *n* is `base_delay × 2ⁿ⁻¹` with full jitter, at most
//!   `max_delay`, unless the answer carries `Retry-After` (seconds or an HTTP date),
//!   which is honoured as given. No retry starts that could end, its own timeout
//!   included, past `max_total`.

use std::time::{Duration, SystemTime};

use reqwest::{StatusCode, header::HeaderMap};

/// How many times, and how patiently, a request is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: u32,
    /// The first backoff step.
    pub base_delay: Duration,
    /// The longest backoff step (not applied to `Retry-After`).
    pub max_delay: Duration,
    /// No retry starts that could end, its wait and its timeout included, later than
    /// this after the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 250 ms base, 5 s longest step, 60 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            max_total: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// The jittered backoff before attempt `attempt + 1` (attempt counts from 1).
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(1u32 << (attempt - 1).min(16));
        let cap = exponential.min(self.max_delay);
        // Equal jitter: a uniform wait in [cap/2, cap], so clients that failed together
        // do not come back together.
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// What came back from one attempt, as far as retrying cares.
pub(crate) enum Outcome<'a> {
    /// No connection was established: nothing was sent.
    NotConnected,
    /// Sent, but no (complete) answer: a timeout or a broken connection.
    NoAnswer,
    /// An answer.
    Answered(StatusCode, &'a HeaderMap),
}

/// The wait before the next attempt, or `None` to stop here.
/// `attempt_timeout` is the longest one attempt may take: a retry starts only if it
/// can end, timeout included, within `max_total`.
pub(crate) fn next_delay(
    policy: &RetryPolicy,
    idempotent: bool,
    attempt: u32,
    elapsed: Duration,
    attempt_timeout: Duration,
    outcome: Outcome<'_>,
) -> Option<Duration> {
    if attempt >= policy.max_attempts {
        return None;
    }
    let (retryable, retry_after) = match outcome {
        Outcome::NotConnected => (true, None),
        Outcome::NoAnswer => (idempotent, None),
        Outcome::Answered(status, headers) => {
            let retryable = match status.as_u16() {
                429 => true,
                502..=504 => idempotent,
                _ => false,
            };
            (retryable, retry_after(headers, SystemTime::now()))
        }
    };
    if !retryable {
        return None;
    }
    let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
    // Checked: a hostile `Retry-After: 18446744073709551615` must not overflow.
    let ends = elapsed.checked_add(delay).and_then(|at| at.checked_add(attempt_timeout));
    ends.is_some_and(|end| end <= policy.max_total).then_some(delay)
}

/// `Retry-After` as a wait: delay-seconds, or an HTTP date (past dates mean now).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, retry_after.parse().unwrap());
        headers
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = httpdate::parse_http_date("Thu, 03 Dec 2026 16:00:00 GMT").unwrap();
        assert_eq!(retry_after(&headers("7"), now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after(&headers("Thu, 03 Dec 2026 16:00:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers("Thu, 03 Dec 2026 15:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    const T: Duration = Duration::from_millis(10);

    #[test]
    fn hostile_retry_after_does_not_overflow() {
        let policy = RetryPolicy::default();
        let huge = headers("18446744073709551615");
        let outcome = Outcome::Answered(StatusCode::TOO_MANY_REQUESTS, &huge);
        assert_eq!(next_delay(&policy, true, 1, Duration::from_secs(2), T, outcome), None);
    }

    #[test]
    fn the_attempt_timeout_counts_against_the_budget() {
        let policy = RetryPolicy::default();
        let wait = headers("20");
        let outcome = || Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, &wait);
        assert!(
            next_delay(&policy, true, 1, Duration::ZERO, Duration::from_secs(30), outcome())
                .is_some()
        );
        assert!(
            next_delay(&policy, true, 1, Duration::ZERO, Duration::from_secs(41), outcome())
                .is_none()
        );
    }

    #[test]
    fn what_is_retried() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        let answered = |code: u16| Outcome::Answered(StatusCode::from_u16(code).unwrap(), &none);
        let zero = Duration::ZERO;
        for code in [429, 502, 503, 504] {
            assert!(
                next_delay(&policy, true, 1, zero, T, answered(code)).is_some(),
                "list after {code}"
            );
        }
        for code in [400, 401, 404, 500, 501] {
            assert!(
                next_delay(&policy, true, 1, zero, T, answered(code)).is_none(),
                "list after {code}"
            );
        }
        // create: only when nothing can have happened
        assert!(next_delay(&policy, false, 1, zero, T, Outcome::NotConnected).is_some());
        assert!(next_delay(&policy, false, 1, zero, T, answered(429)).is_some());
        assert!(next_delay(&policy, false, 1, zero, T, Outcome::NoAnswer).is_none());
        assert!(next_delay(&policy, false, 1, zero, T, answered(503)).is_none());
        // bounds
        assert!(
            next_delay(&policy, true, 3, zero, T, Outcome::NoAnswer).is_none(),
            "3 attempts in all"
        );
        assert!(next_delay(&RetryPolicy::none(), true, 1, zero, T, Outcome::NoAnswer).is_none());
        let late = Duration::from_secs(59) + Duration::from_millis(900);
        assert!(
            next_delay(&policy, true, 1, late, T, Outcome::NoAnswer).is_none(),
            "past max_total"
        );
        let long_wait = headers("120");
        assert!(
            next_delay(
                &policy,
                true,
                1,
                zero,
                T,
                Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, &long_wait)
            )
            .is_none(),
            "a Retry-After beyond max_total is not waited for"
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(
                first >= Duration::from_millis(125) && first <= Duration::from_millis(250),
                "{first:?}"
            );
            let late = policy.backoff(30);
            assert!(
                late >= Duration::from_millis(2500) && late <= Duration::from_secs(5),
                "{late:?}"
            );
        }
    }
}
