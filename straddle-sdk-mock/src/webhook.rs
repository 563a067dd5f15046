//! Signing webhooks as Straddle does, for tests of a receiver.

use std::time::{SystemTime, UNIX_EPOCH};

use straddle_sdk::HeaderMap;
use straddle_sdk::reqwest::header::HeaderValue;
use straddle_sdk::webhooks::{Webhook, WebhookError};

/// The three headers Straddle sends with a webhook whose raw body is
/// `body`: `webhook-id` (`id`), `webhook-timestamp` (`timestamp`, in
/// seconds) and `webhook-signature`, signed with `secret` (`whsec_...`, a
/// test secret of your own). Send them with `body` to the receiver under
/// test; no HMAC of your own is needed.
///
/// ```
/// use std::time::SystemTime;
/// use straddle_sdk::webhooks::Webhook;
/// use straddle_sdk_mock::sign_webhook;
///
/// # fn main() -> Result<(), straddle_sdk::webhooks::WebhookError> {
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let body = br#"{"event_type":"charge.paid.v9","event_id":"85df84c7-a298-44bc-8040-7bd2ae372cbf"}"#;
/// let headers = sign_webhook(secret, "msg_1", SystemTime::now(), body)?;
/// Webhook::new(secret)?.verify(body, &headers)?;
/// # Ok(()) }
/// ```
///
/// A secret [`Webhook::new`] refuses is [`WebhookError::InvalidSecret`];
/// an `id` that cannot be a header value (a line break, a control
/// character) is [`WebhookError::InvalidHeader`]. A `timestamp` before
/// 1970 is signed as 0.
pub fn sign_webhook(
    secret: &str,
    id: &str,
    timestamp: SystemTime,
    body: &[u8],
) -> Result<HeaderMap, WebhookError> {
    let webhook = Webhook::new(secret)?;
    let seconds = timestamp.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
    });
    let value = |text: String, name| {
        HeaderValue::try_from(text).map_err(|_| WebhookError::InvalidHeader { name })
    };
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", value(id.to_owned(), "webhook-id")?);
    headers.insert(
        "webhook-timestamp",
        value(seconds.to_string(), "webhook-timestamp")?,
    );
    headers.insert(
        "webhook-signature",
        value(webhook.sign(id, seconds, body), "webhook-signature")?,
    );
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_headers_carry_the_id_the_seconds_and_a_signature_the_sdk_accepts() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let at = UNIX_EPOCH + Duration::from_millis(1_614_265_330_900);
        let headers = sign_webhook(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            at,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(headers.len(), 3);
        assert_eq!(headers["webhook-id"], "msg_p5jXN8AQM9LWM0D4loKWxJek");
        assert_eq!(headers["webhook-timestamp"], "1614265330");
        // Svix's documented signature of this message.
        assert_eq!(
            headers["webhook-signature"],
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_time_before_1970_is_signed_as_zero() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        let headers = sign_webhook("whsec_c2VjcmV0", "msg", before, b"{}").unwrap();
        assert_eq!(headers["webhook-timestamp"], "0");
    }
}
