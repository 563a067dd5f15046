//! Why a webhook was rejected.

use std::fmt;
use std::time::Duration;

/// Why a webhook was rejected: which check failed.
///
/// Neither `Display` nor `Debug` ever shows a secret or the signature
/// that was expected; at most they name a header, a field or a time.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// A signing secret is empty or not base64 (after an optional `whsec_`).
    InvalidSecret {
        /// Which secret: 0 for the first (`Webhook::new`), 1 for the next, ...
        position: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// None of the signature headers (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`, or their `svix-` names) was sent: not a signed
    /// webhook, or a proxy or framework dropped the headers.
    NoSignatureHeaders,
    /// A header needed to verify the signature is missing.
    MissingHeader {
        /// The header, as read (`webhook-...` or `svix-...`).
        name: &'static str,
    },
    /// A signature header was sent more than once.
    DuplicateHeader {
        /// The header.
        name: &'static str,
    },
    /// A signature header's value is not visible ASCII text.
    InvalidHeader {
        /// The header.
        name: &'static str,
    },
    /// The timestamp header is not a whole number of seconds since 1970.
    InvalidTimestamp {
        /// The header.
        name: &'static str,
    },
    /// The webhook was signed longer ago than the tolerance: a replay, or
    /// a delivery processed late (use `verify_at` with the time it arrived).
    TimestampTooOld {
        /// How long ago it was signed.
        age: Duration,
        /// The tolerance it exceeds (`Webhook::with_tolerance`).
        tolerance: Duration,
    },
    /// The webhook's timestamp is further in the future than the tolerance
    /// (a clock far off, or a forged timestamp).
    TimestampInFuture {
        /// How far ahead of now the timestamp is.
        ahead: Duration,
        /// The tolerance it exceeds.
        tolerance: Duration,
    },
    /// The signature header holds no `v1,` signature (only other versions,
    /// or nothing).
    NoV1Signature {
        /// The header.
        name: &'static str,
    },
    /// No signature matched, and at least one entry of the signature header
    /// is malformed: not `<version>,<signature>`, or a `v1` signature that
    /// is not the base64 of a 32-byte HMAC-SHA256.
    MalformedSignature {
        /// The header.
        name: &'static str,
    },
    /// No `v1` signature matches any secret: the wrong secret, or the body,
    /// id or timestamp changed after signing (verify the raw body bytes,
    /// not JSON re-serialized by a framework).
    SignatureMismatch,
    /// The signature is valid but the body is not an event: not a JSON
    /// object, or without a string `event_type`.
    NotAnEvent {
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// A known event lacks a field the envelope requires.
    MissingEventField {
        /// The event's type (`customer.created.v1`, ...).
        event_type: String,
        /// The missing field (`event_id`, `account_id`, `data`).
        field: &'static str,
    },
    /// A known event's field does not decode into its type (a UUID that
    /// is not one, `data` that does not fit the event's schema).
    InvalidEventField {
        /// The event's type.
        event_type: String,
        /// The field that does not decode.
        field: &'static str,
        /// What serde_json said: the nested field and the expected type.
        source: serde_json::Error,
    },
}

impl WebhookError {
    /// Whether the signature check failed (a missing, malformed, stale or
    /// wrong signature) rather than the secret or the event's content: the
    /// request did not come from Straddle, or was changed on the way.
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            WebhookError::NoSignatureHeaders
                | WebhookError::MissingHeader { .. }
                | WebhookError::DuplicateHeader { .. }
                | WebhookError::InvalidHeader { .. }
                | WebhookError::InvalidTimestamp { .. }
                | WebhookError::TimestampTooOld { .. }
                | WebhookError::TimestampInFuture { .. }
                | WebhookError::NoV1Signature { .. }
                | WebhookError::MalformedSignature { .. }
                | WebhookError::SignatureMismatch
        )
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::InvalidSecret { position, reason } => {
                write!(f, "webhook secret {position} is invalid: {reason}")
            }
            WebhookError::NoSignatureHeaders => f.write_str(
                "no webhook-id, webhook-timestamp or webhook-signature header (nor svix-*): \
                 not a signed webhook",
            ),
            WebhookError::MissingHeader { name } => write!(f, "the {name} header is missing"),
            WebhookError::DuplicateHeader { name } => {
                write!(f, "the {name} header was sent more than once")
            }
            WebhookError::InvalidHeader { name } => {
                write!(f, "the {name} header is not visible ASCII text")
            }
            WebhookError::InvalidTimestamp { name } => {
                write!(f, "the {name} header is not a number of seconds")
            }
            WebhookError::TimestampTooOld { age, tolerance } => write!(
                f,
                "the webhook was signed {} s ago, beyond the tolerance of {} s",
                age.as_secs(),
                tolerance.as_secs()
            ),
            WebhookError::TimestampInFuture { ahead, tolerance } => write!(
                f,
                "the webhook's timestamp is {} s in the future, beyond the tolerance of {} s",
                ahead.as_secs(),
                tolerance.as_secs()
            ),
            WebhookError::NoV1Signature { name } => {
                write!(f, "the {name} header holds no v1 signature")
            }
            WebhookError::MalformedSignature { name } => write!(
                f,
                "no signature matched, and the {name} header holds a malformed entry \
                 (not `v1,<base64 of 32 bytes>`)"
            ),
            WebhookError::SignatureMismatch => f.write_str(
                "no webhook signature matches the secret: a wrong secret, or the body, id or \
                 timestamp changed (verify the raw body bytes)",
            ),
            WebhookError::NotAnEvent { source } => {
                write!(f, "the webhook body is not an event: {source}")
            }
            WebhookError::MissingEventField { event_type, field } => {
                write!(f, "the {event_type} event has no `{field}`")
            }
            WebhookError::InvalidEventField {
                event_type,
                field,
                source,
            } => write!(
                f,
                "the {event_type} event's `{field}` does not decode: {source}"
            ),
        }
    }
}

// Display says everything once (as `straddle_sdk::Error` does), so `source()`
// is empty and a reporter walking the chain repeats nothing.
impl std::error::Error for WebhookError {}
