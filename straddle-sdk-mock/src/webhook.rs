//! Signing webhooks as Straddle does, for tests of a receiver.
//!
//! Written here rather than through the SDK's `webhooks` feature: the mock
//! then works over an SDK built with any features (the generator's scratch
//! crates build it with none), and its signatures are a second
//! implementation the SDK's verifier is tested against.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use straddle_sdk::HeaderMap;
use straddle_sdk::reqwest::header::HeaderValue;

/// Standard base64, with or without `=` padding (as the SDK reads secrets).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why [`sign_webhook`] could not sign: a mistake in the test's input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignWebhookError {
    /// The secret is empty or not base64 after its optional `whsec_`.
    InvalidSecret,
    /// The id cannot be a header value (a line break, a control character).
    InvalidId,
}

impl fmt::Display for SignWebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignWebhookError::InvalidSecret => {
                "the webhook secret is empty or not base64 after `whsec_`"
            }
            SignWebhookError::InvalidId => "the webhook id cannot be a header value",
        })
    }
}

impl std::error::Error for SignWebhookError {}

/// The three headers Straddle sends with a webhook whose raw body is
/// `body`: `webhook-id` (`id`), `webhook-timestamp` (`timestamp`, in
/// seconds) and `webhook-signature`, signed with `secret` (`whsec_...`, a
/// test secret of your own; the bare base64 works too). Send them with
/// `body` to the receiver under test; no HMAC of your own is needed.
///
/// ```
/// use std::time::SystemTime;
/// use straddle_sdk_mock::sign_webhook;
///
/// # fn main() -> Result<(), straddle_sdk_mock::SignWebhookError> {
/// let body = br#"{"event_type":"customer.event.v1","data":{}}"#;
/// let headers = sign_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", SystemTime::now(), body)?;
/// assert_eq!(headers["webhook-id"], "msg_1");
/// assert!(headers["webhook-signature"].to_str().is_ok_and(|s| s.starts_with("v1,")));
/// // Now send `body` with `headers` to the receiver under test, which
/// // verifies them with `straddle_sdk::webhooks::Webhook`.
/// # Ok(()) }
/// ```
///
/// A `timestamp` before 1970 is signed as 0.
pub fn sign_webhook(
    secret: &str,
    id: &str,
    timestamp: SystemTime,
    body: &[u8],
) -> Result<HeaderMap, SignWebhookError> {
    let secret = secret.trim();
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = LENIENT_BASE64
        .decode(encoded)
        .ok()
        .filter(|key| !key.is_empty())
        .ok_or(SignWebhookError::InvalidSecret)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SignWebhookError::InvalidSecret)?;
    let seconds = timestamp
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    // The signed text: `{id}.{timestamp}.{body}`.
    mac.update(format!("{id}.{seconds}.").as_bytes());
    mac.update(body);
    let signature = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));

    let mut headers = HeaderMap::new();
    let id = HeaderValue::try_from(id).map_err(|_| SignWebhookError::InvalidId)?;
    headers.insert("webhook-id", id);
    headers.insert("webhook-timestamp", HeaderValue::from(seconds));
    // Base64 and ASCII digits: always a valid header value.
    if let Ok(signature) = HeaderValue::try_from(signature) {
        headers.insert("webhook-signature", signature);
    }
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
    fn a_bad_secret_or_an_id_that_is_no_header_value_is_refused() {
        let at = UNIX_EPOCH;
        for secret in ["", "whsec_", "whsec_not base64!"] {
            let error = sign_webhook(secret, "msg", at, b"{}").unwrap_err();
            assert_eq!(error, SignWebhookError::InvalidSecret, "{secret:?}");
        }
        let error = sign_webhook("whsec_c2VjcmV0", "msg\n1", at, b"{}").unwrap_err();
        assert_eq!(error, SignWebhookError::InvalidId);
        assert_eq!(error.to_string(), "the webhook id cannot be a header value");
    }

    #[test]
    fn a_time_before_1970_is_signed_as_zero() {
        let before = UNIX_EPOCH - Duration::from_secs(5);
        let headers = sign_webhook("whsec_c2VjcmV0", "msg", before, b"{}").unwrap();
        assert_eq!(headers["webhook-timestamp"], "0");
    }
}
