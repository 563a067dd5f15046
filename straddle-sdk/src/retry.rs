//! When to retry a call and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Retry rules: which failures are retried, how often, and the waits between.
///
/// Defaults match Straddle's other SDKs: 2 retries; exponential backoff from
/// 0.5 s doubling to at most 8 s, with up to 25 % jitter; a server's
/// `Retry-After` / `retry-after-ms` is honoured when between 0 and 60 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 sends exactly one request.
    pub max_retries: u32,
    /// The first backoff delay.
    pub initial_backoff: Duration,
    /// The longest backoff delay.
    pub max_backoff: Duration,
    /// The longest wait a server's `Retry-After` may ask for. A longer one
    /// is not slept through: the call returns the error at once, with the
    /// wait on [`Error::retry_after`](crate::Error::retry_after).
    /// Unparseable values fall back to backoff.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Statuses that are worth another attempt: 408, 409 (a concurrent request
/// with the same idempotency key is in progress), 429 and every 5xx.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

impl RetryPolicy {
    /// Whether a response with `status` and `headers` should be retried.
    /// A `x-should-retry: true|false` header overrides the status rule; a
    /// success is never retried, whatever the header says, and neither is an
    /// answer whose `Retry-After` asks for longer than `max_retry_after`: the
    /// caller gets it at once, with the wait on
    /// [`Error::retry_after`](crate::Error::retry_after),
    /// rather than a retry the server said it would refuse.
    pub fn should_retry(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        if status.is_success() || retry_after(headers).is_some_and(|w| w > self.max_retry_after) {
            return false;
        }
        match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            _ => is_retryable_status(status),
        }
    }

    /// How long to wait before retry number `retry` (0 for the first retry),
    /// given the headers of the failed response, if there was one.
    pub fn delay_for(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(wait) = headers.and_then(|h| self.server_wait(h)) {
            return wait;
        }
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(31)));
        let capped = exp.min(self.max_backoff);
        // Up to 25 % less, so that many clients do not retry in step.
        capped.mul_f64(1.0 - 0.25 * fastrand::f64())
    }

    /// The wait a server asked for, if it is within `max_retry_after`.
    fn server_wait(&self, headers: &HeaderMap) -> Option<Duration> {
        retry_after(headers).filter(|wait| *wait <= self.max_retry_after)
    }
}

/// The wait a response asks for: `retry-after-ms`, or `Retry-After` in
/// seconds or as an HTTP date; `None` when absent, unparseable, zero or past.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let wait = header("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
        .or_else(|| {
            let value = header("retry-after")?;
            match value.parse::<f64>() {
                Ok(secs) => Duration::try_from_secs_f64(secs).ok(),
                Err(_) => httpdate::parse_http_date(value)
                    .ok()?
                    .duration_since(SystemTime::now())
                    .ok(),
            }
        })?;
    (wait > Duration::ZERO).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn backoff_doubles_from_half_a_second_and_stops_at_eight() {
        let p = RetryPolicy::default();
        for (retry, full) in [
            (0, 500),
            (1, 1000),
            (2, 2000),
            (3, 4000),
            (4, 8000),
            (9, 8000),
        ] {
            let d = p.delay_for(retry, None).as_millis() as u64;
            assert!(
                d <= full && d >= full * 3 / 4,
                "retry {retry}: {d} ms not in [{}, {full}]",
                full * 3 / 4
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_milliseconds_and_http_date_is_honoured() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay_for(0, Some(&headers(&[("retry-after", "3")]))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay_for(
                0,
                Some(&headers(&[("retry-after-ms", "250"), ("retry-after", "9")]))
            ),
            Duration::from_millis(250)
        );
        let in_20s = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
        let d = p.delay_for(0, Some(&headers(&[("retry-after", &in_20s)])));
        assert!(
            d > Duration::from_secs(15) && d <= Duration::from_secs(20),
            "{d:?}"
        );
    }

    #[test]
    fn retry_after_outside_zero_to_sixty_seconds_falls_back_to_backoff() {
        let p = RetryPolicy::default();
        for v in ["3600", "0", "-1", "soon", "61"] {
            let d = p.delay_for(0, Some(&headers(&[("retry-after", v)])));
            assert!(d <= Duration::from_millis(500), "{v}: {d:?}");
        }
    }

    #[test]
    fn a_retry_after_beyond_the_window_is_not_retried_whatever_else_says_so() {
        let p = RetryPolicy::default();
        for (value, retried) in [("3600", false), ("61", false), ("60", true), ("2", true)] {
            for extra in [None, Some(("x-should-retry", "true"))] {
                let mut pairs = vec![("retry-after", value)];
                pairs.extend(extra);
                let h = headers(&pairs);
                assert_eq!(
                    p.should_retry(StatusCode::TOO_MANY_REQUESTS, &h),
                    retried,
                    "{pairs:?}"
                );
            }
        }
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3600")])),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn x_should_retry_overrides_the_status_rule_both_ways() {
        let p = RetryPolicy::default();
        assert!(p.should_retry(StatusCode::INTERNAL_SERVER_ERROR, &HeaderMap::new()));
        assert!(!p.should_retry(StatusCode::BAD_REQUEST, &HeaderMap::new()));
        assert!(p.should_retry(
            StatusCode::BAD_REQUEST,
            &headers(&[("x-should-retry", "true")])
        ));
        assert!(!p.should_retry(StatusCode::OK, &headers(&[("x-should-retry", "true")])));
        assert!(!p.should_retry(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers(&[("x-should-retry", "false")])
        ));
        for s in [408, 409, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
    }
}
