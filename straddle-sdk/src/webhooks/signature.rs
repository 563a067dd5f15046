//! Checking a webhook's signature, as the Standard Webhooks specification
//! (which Svix, Straddle's sender, follows) defines it: an HMAC-SHA256 of
//! `{id}.{timestamp}.{raw body}` under the endpoint's secret.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::digest::CtOutput;
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

use super::{Event, WebhookError};

/// How far a webhook's timestamp may be from now, in either direction,
/// unless [`Webhook::with_tolerance`] says otherwise: Straddle's (and Svix's)
/// five minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SECRET_PREFIX: &str = "whsec_";

/// Standard base64 that takes text with or without its `=` padding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Base64 text of a 32-byte HMAC-SHA256 is 44 characters (43 unpadded);
/// anything much longer is not one and is not decoded.
const MAX_SIGNATURE_TEXT: usize = 64;

type HmacSha256 = Hmac<Sha256>;
type Tag = CtOutput<HmacSha256>;

/// The names of the three signature headers in one naming scheme.
struct HeaderNames {
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
}

/// Standard Webhooks' names, which Straddle's documentation uses.
const WEBHOOK_HEADERS: HeaderNames = HeaderNames {
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
};

/// Svix's default names.
const SVIX_HEADERS: HeaderNames = HeaderNames {
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
};

impl HeaderNames {
    /// The scheme a request uses: `webhook-*` when any of its three headers
    /// is there (so it wins when both arrive), else `svix-*` when any of
    /// those is, else none. The three are never mixed across schemes.
    fn of(headers: &HeaderMap) -> Option<&'static HeaderNames> {
        [&WEBHOOK_HEADERS, &SVIX_HEADERS].into_iter().find(|names| {
            [names.id, names.timestamp, names.signature]
                .iter()
                .any(|name| headers.contains_key(*name))
        })
    }
}

/// The value of `name`, which must be sent exactly once, as text.
fn single_header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, WebhookError> {
    let mut values = headers.get_all(name).iter();
    let value = values.next().ok_or(WebhookError::MissingHeader { name })?;
    if values.next().is_some() {
        return Err(WebhookError::DuplicateHeader { name });
    }
    value
        .to_str()
        .map_err(|_| WebhookError::InvalidHeader { name })
}

/// What the signature headers of one request say.
struct SignedHeaders<'h> {
    names: &'static HeaderNames,
    id: &'h str,
    /// The timestamp exactly as sent: the signed text.
    timestamp: &'h str,
    seconds: i64,
    signatures: &'h str,
}

impl<'h> SignedHeaders<'h> {
    fn read(headers: &'h HeaderMap) -> Result<Self, WebhookError> {
        let names = HeaderNames::of(headers).ok_or(WebhookError::NoSignatureHeaders)?;
        let id = single_header(headers, names.id)?;
        let timestamp = single_header(headers, names.timestamp)?;
        let signatures = single_header(headers, names.signature)?;
        let invalid_timestamp = WebhookError::InvalidTimestamp {
            name: names.timestamp,
        };
        // Digits only: `i64::from_str` would also take a sign.
        if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_timestamp);
        }
        let seconds = timestamp.parse().map_err(|_| invalid_timestamp)?;
        Ok(SignedHeaders {
            names,
            id,
            timestamp,
            seconds,
            signatures,
        })
    }
}

/// The id a webhook request carries (`webhook-id`, or `svix-id` when no
/// `webhook-*` header was sent): the same on every delivery of one message,
/// so the key to deduplicate on. `None` when it is missing, sent twice or
/// not text.
///
/// Trust it only after [`Webhook::verify`] (or `verify_event`) has passed:
/// the signature covers it.
pub fn message_id(headers: &HeaderMap) -> Option<&str> {
    let names = HeaderNames::of(headers)?;
    single_header(headers, names.id).ok()
}

/// Verifies the signatures of Straddle's webhooks for one endpoint.
///
/// Built from the endpoint's signing secret (`whsec_...`, from Straddle's
/// dashboard), or from several while a secret is being rotated: a webhook
/// signed with any of them passes.
///
/// ```
/// use std::time::Duration;
/// use straddle_sdk::webhooks::Webhook;
///
/// # fn main() -> Result<(), straddle_sdk::webhooks::WebhookError> {
/// let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?
///     .with_tolerance(Duration::from_secs(60));
/// // While rotating: both the old and the new secret are accepted.
/// let rotating = Webhook::from_secrets(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25k"])?;
/// assert!(!format!("{rotating:?}").contains("MfKQ9r8"));
/// # Ok(()) }
/// ```
///
/// `Debug` shows how many secrets there are and the tolerance, never a secret.
#[derive(Clone)]
pub struct Webhook {
    /// One HMAC, already keyed, per secret.
    keys: Vec<HmacSha256>,
    tolerance: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("secrets", &format_args!("{} hidden", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// The HMAC keyed with `secret`: `whsec_` and base64, or the bare base64.
fn key(secret: &str, position: usize) -> Result<HmacSha256, WebhookError> {
    let invalid = |reason| WebhookError::InvalidSecret { position, reason };
    // Base64 has no whitespace, so trimming cannot change a valid secret;
    // it forgives the newline a secret file or variable often ends with.
    let secret = secret.trim();
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    if encoded.is_empty() {
        return Err(invalid("it is empty"));
    }
    // The decode error is not kept: it would quote a character of the secret.
    let bytes = LENIENT_BASE64
        .decode(encoded)
        .map_err(|_| invalid("it is not base64 (after the `whsec_` prefix)"))?;
    HmacSha256::new_from_slice(&bytes).map_err(|_| invalid("it is not a usable HMAC key"))
}

/// The HMAC-SHA256 of `{id}.{timestamp}.{body}`.
fn tag(key: &HmacSha256, id: &str, timestamp: &str, body: &[u8]) -> Tag {
    let mut mac = key.clone();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
}

/// A `v1` signature's base64 text as a tag, if it is one.
fn decode_signature(text: &str) -> Option<Tag> {
    if text.len() > MAX_SIGNATURE_TEXT {
        return None;
    }
    let bytes = LENIENT_BASE64.decode(text).ok()?;
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Some(Tag::new(bytes.into()))
}

/// Whole seconds since 1970, rounded down (negative before it).
fn unix_seconds(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i128::from(since.as_secs()),
        Err(before) => {
            let before = before.duration();
            -(i128::from(before.as_secs()) + i128::from(before.subsec_nanos() > 0))
        }
    }
}

impl Webhook {
    /// A verifier for the endpoint whose signing secret is `secret`:
    /// `whsec_` followed by base64 (as Straddle shows it), or the bare
    /// base64. An empty secret, or one that is not base64, is
    /// [`WebhookError::InvalidSecret`].
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Ok(Webhook {
            keys: vec![key(secret, 0)?],
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// A verifier that accepts a signature by any of `secrets` (while a
    /// secret is rotated, the old and the new). An empty list is
    /// [`WebhookError::InvalidSecret`], as is any secret [`Webhook::new`]
    /// would refuse; the error's `position` says which.
    pub fn from_secrets<I>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let keys = secrets
            .into_iter()
            .enumerate()
            .map(|(position, secret)| key(secret.as_ref(), position))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(WebhookError::InvalidSecret {
                position: 0,
                reason: "no secret was given",
            });
        }
        Ok(Webhook {
            keys,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// This verifier, also accepting signatures by `secret`.
    pub fn with_secret(mut self, secret: &str) -> Result<Self, WebhookError> {
        self.keys.push(key(secret, self.keys.len())?);
        Ok(self)
    }

    /// This verifier with another tolerance: how far the webhook's
    /// timestamp may be from now, in the past or in the future (default
    /// [`DEFAULT_TOLERANCE`], five minutes). A timestamp exactly that far
    /// away passes; one more second fails.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The tolerance (see [`Webhook::with_tolerance`]).
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Checks that `body` and `headers` are a webhook signed with one of
    /// this verifier's secrets, within the tolerance of now.
    ///
    /// `body` must be the raw bytes received, not JSON parsed and written
    /// again (a framework's JSON extractor changes spacing and order, and
    /// the signature with them). The headers are `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature`, or `svix-id`,
    /// `svix-timestamp` and `svix-signature` (when both kinds arrive, the
    /// `webhook-` ones are read), each exactly once. The signature header
    /// is a space-separated list; any `v1,<base64>` entry that matches
    /// passes (compared in constant time), entries of other versions are
    /// skipped.
    pub fn verify(&self, body: &[u8], headers: &HeaderMap) -> Result<(), WebhookError> {
        self.verify_at(body, headers, SystemTime::now())
    }

    /// [`Webhook::verify`] as of `now`: for a webhook stored when it
    /// arrived and processed later, pass the time it arrived.
    pub fn verify_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let signed = SignedHeaders::read(headers)?;
        self.check_timestamp(signed.seconds, now)?;
        let expected: Vec<Tag> = self
            .keys
            .iter()
            .map(|key| tag(key, signed.id, signed.timestamp, body))
            .collect();
        let mut saw_v1 = false;
        let mut malformed = false;
        for entry in signed.signatures.split(' ').filter(|e| !e.is_empty()) {
            let Some((version, signature)) = entry.split_once(',') else {
                malformed = true;
                continue;
            };
            if version != "v1" {
                continue; // `v1a` (asymmetric) or a later version
            }
            saw_v1 = true;
            match decode_signature(signature) {
                // `CtOutput`'s `==` compares in constant time.
                Some(candidate) if expected.contains(&candidate) => return Ok(()),
                Some(_) => {}
                None => malformed = true,
            }
        }
        let name = signed.names.signature;
        Err(if malformed {
            WebhookError::MalformedSignature { name }
        } else if !saw_v1 {
            WebhookError::NoV1Signature { name }
        } else {
            WebhookError::SignatureMismatch
        })
    }

    /// Verifies the webhook ([`Webhook::verify`]), then reads its body as an
    /// [`Event`]. Nothing of the body is parsed before its signature has
    /// passed.
    pub fn verify_event(&self, body: &[u8], headers: &HeaderMap) -> Result<Event, WebhookError> {
        self.verify_event_at(body, headers, SystemTime::now())
    }

    /// [`Webhook::verify_event`] as of `now` (see [`Webhook::verify_at`]).
    pub fn verify_event_at(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: SystemTime,
    ) -> Result<Event, WebhookError> {
        self.verify_at(body, headers, now)?;
        Event::decode(body)
    }

    /// The `webhook-signature` value for `body` sent with `id` at
    /// `timestamp` (seconds since 1970): a `v1,<base64>` entry per secret,
    /// space-separated, as Straddle signs. For tests of a receiver
    /// (`straddle_sdk_mock::sign_webhook` builds all three headers) and for
    /// forwarding webhooks to a service of your own.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let timestamp = timestamp.to_string();
        let entries: Vec<String> = self
            .keys
            .iter()
            .map(|key| {
                let tag = tag(key, id, &timestamp, body);
                format!("v1,{}", STANDARD.encode(tag.into_bytes()))
            })
            .collect();
        entries.join(" ")
    }

    fn check_timestamp(&self, timestamp: i64, now: SystemTime) -> Result<(), WebhookError> {
        let elapsed = unix_seconds(now) - i128::from(timestamp);
        let distance =
            Duration::from_secs(u64::try_from(elapsed.unsigned_abs()).unwrap_or(u64::MAX));
        if distance <= self.tolerance {
            Ok(())
        } else if elapsed > 0 {
            Err(WebhookError::TimestampTooOld {
                age: distance,
                tolerance: self.tolerance,
            })
        } else {
            Err(WebhookError::TimestampInFuture {
                ahead: distance,
                tolerance: self.tolerance,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    /// The example of Svix's "Verifying manually" documentation
    /// (docs.svix.com/receiving/verifying-payloads/how-manual).
    const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SVIX_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SVIX_TIMESTAMP: i64 = 1614265330;
    const SVIX_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SVIX_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const OTHER_SECRET: &str = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdHM=";

    fn at(seconds: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds as u64)
    }

    fn headers(prefix: &str, id: &str, timestamp: &str, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("id", id),
            ("timestamp", timestamp),
            ("signature", signature),
        ] {
            let name = http::HeaderName::try_from(format!("{prefix}-{name}")).unwrap();
            headers.insert(name, HeaderValue::try_from(value).unwrap());
        }
        headers
    }

    fn svix_headers(prefix: &str) -> HeaderMap {
        headers(prefix, SVIX_ID, &SVIX_TIMESTAMP.to_string(), SVIX_SIGNATURE)
    }

    fn svix() -> Webhook {
        Webhook::new(SVIX_SECRET).unwrap()
    }

    fn verify_svix_example(webhook: &Webhook, headers: &HeaderMap) -> Result<(), WebhookError> {
        webhook.verify_at(SVIX_BODY, headers, at(SVIX_TIMESTAMP))
    }

    #[test]
    fn svix_documentation_example_verifies_under_either_header_prefix() {
        verify_svix_example(&svix(), &svix_headers("webhook")).unwrap();
        verify_svix_example(&svix(), &svix_headers("svix")).unwrap();
    }

    #[test]
    fn signing_reproduces_the_svix_documentation_signature() {
        assert_eq!(
            svix().sign(SVIX_ID, SVIX_TIMESTAMP, SVIX_BODY),
            SVIX_SIGNATURE
        );
    }

    #[test]
    fn a_secret_without_its_prefix_or_padding_or_with_a_newline_is_the_same_key() {
        for secret in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
        ] {
            verify_svix_example(&Webhook::new(secret).unwrap(), &svix_headers("webhook")).unwrap();
        }
        // 26 bytes: base64 with `==` padding, accepted with and without it.
        let padded = Webhook::new(OTHER_SECRET).unwrap();
        let unpadded = Webhook::new(OTHER_SECRET.trim_end_matches('=')).unwrap();
        assert_eq!(padded.sign("m", 1, b"x"), unpadded.sign("m", 1, b"x"));
    }

    #[test]
    fn empty_or_malformed_secrets_are_refused_without_quoting_them() {
        for (secret, reason) in [
            ("", "it is empty"),
            ("whsec_", "it is empty"),
            ("  \n", "it is empty"),
            (
                "whsec_not*base64!",
                "it is not base64 (after the `whsec_` prefix)",
            ),
            (
                "whsec_abcde",
                "it is not base64 (after the `whsec_` prefix)",
            ),
            ("whsec_====", "it is not base64 (after the `whsec_` prefix)"),
        ] {
            let error = Webhook::new(secret).unwrap_err();
            assert!(
                matches!(error, WebhookError::InvalidSecret { position: 0, reason: r } if r == reason),
                "{secret:?}: {error:?}"
            );
            if secret.len() > 6 {
                let shown = format!("{error} {error:?}");
                assert!(
                    !shown.contains(secret.trim_start_matches("whsec_")),
                    "{shown}"
                );
            }
        }
    }

    #[test]
    fn the_position_of_a_bad_secret_is_named_and_an_empty_list_is_refused() {
        let error = Webhook::from_secrets([SVIX_SECRET, "whsec_%%"]).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::InvalidSecret { position: 1, .. }
        ));
        let error = svix()
            .with_secret(OTHER_SECRET)
            .unwrap()
            .with_secret("")
            .unwrap_err();
        assert!(matches!(
            error,
            WebhookError::InvalidSecret { position: 2, .. }
        ));
        let error = Webhook::from_secrets(Vec::<String>::new()).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::InvalidSecret { position: 0, .. }
        ));
        assert_eq!(
            error.to_string(),
            "webhook secret 0 is invalid: no secret was given"
        );
    }

    #[test]
    fn while_rotating_a_signature_by_any_secret_passes() {
        let old = Webhook::new(OTHER_SECRET).unwrap();
        let signed_by_old = headers("webhook", "msg_1", "1000", &old.sign("msg_1", 1000, b"{}"));
        let rotating = svix().with_secret(OTHER_SECRET).unwrap();
        rotating.verify_at(b"{}", &signed_by_old, at(1000)).unwrap();
        let listed = Webhook::from_secrets([SVIX_SECRET, OTHER_SECRET]).unwrap();
        listed.verify_at(b"{}", &signed_by_old, at(1000)).unwrap();
        verify_svix_example(&listed, &svix_headers("webhook")).unwrap();
        // Without the old secret it fails.
        let error = svix()
            .verify_at(b"{}", &signed_by_old, at(1000))
            .unwrap_err();
        assert!(
            matches!(error, WebhookError::SignatureMismatch),
            "{error:?}"
        );
    }

    #[test]
    fn signing_with_several_secrets_gives_an_entry_each() {
        let both = svix().with_secret(OTHER_SECRET).unwrap();
        let signature = both.sign(SVIX_ID, SVIX_TIMESTAMP, SVIX_BODY);
        let entries: Vec<&str> = signature.split(' ').collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], SVIX_SIGNATURE);
        let only_other = Webhook::new(OTHER_SECRET).unwrap();
        let headers = headers("webhook", SVIX_ID, "1614265330", &signature);
        only_other
            .verify_at(SVIX_BODY, &headers, at(SVIX_TIMESTAMP))
            .unwrap();
    }

    #[test]
    fn when_both_header_sets_arrive_the_webhook_ones_are_read() {
        // Valid `webhook-*`, broken `svix-*`: passes.
        let mut both = svix_headers("webhook");
        both.extend(headers("svix", "msg_other", "1", "v1,AAAA"));
        verify_svix_example(&svix(), &both).unwrap();
        // Broken `webhook-*`, valid `svix-*`: fails on what `webhook-*` says.
        let mut both = svix_headers("svix");
        both.extend(headers("webhook", SVIX_ID, "1614265330", "v1a,AAAA"));
        let error = verify_svix_example(&svix(), &both).unwrap_err();
        assert!(
            matches!(
                error,
                WebhookError::NoV1Signature {
                    name: "webhook-signature"
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn header_sets_are_never_mixed() {
        let mut mixed = svix_headers("svix");
        mixed.remove("svix-id");
        mixed.insert("webhook-id", HeaderValue::from_static(SVIX_ID));
        let error = verify_svix_example(&svix(), &mixed).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::MissingHeader {
                name: "webhook-timestamp"
            }
        ));
    }

    #[test]
    fn each_missing_header_is_named_and_none_at_all_is_said_so() {
        for (prefix, missing) in [
            ("webhook", "webhook-id"),
            ("webhook", "webhook-timestamp"),
            ("webhook", "webhook-signature"),
            ("svix", "svix-id"),
            ("svix", "svix-timestamp"),
            ("svix", "svix-signature"),
        ] {
            let mut headers = svix_headers(prefix);
            headers.remove(missing);
            let error = verify_svix_example(&svix(), &headers).unwrap_err();
            assert!(
                matches!(error, WebhookError::MissingHeader { name } if name == missing),
                "{missing}: {error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!("the {missing} header is missing")
            );
        }
        let error = verify_svix_example(&svix(), &HeaderMap::new()).unwrap_err();
        assert!(matches!(error, WebhookError::NoSignatureHeaders));
    }

    #[test]
    fn a_duplicated_header_is_refused_even_when_one_copy_is_valid() {
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let mut headers = svix_headers("webhook");
            let copy = headers[name].clone();
            headers.append(name, copy);
            let error = verify_svix_example(&svix(), &headers).unwrap_err();
            assert!(
                matches!(error, WebhookError::DuplicateHeader { name: n } if n == name),
                "{name}: {error:?}"
            );
        }
    }

    #[test]
    fn a_header_that_is_not_text_is_refused() {
        let mut headers = svix_headers("webhook");
        headers.insert("webhook-id", HeaderValue::from_bytes(b"msg_\xff").unwrap());
        let error = verify_svix_example(&svix(), &headers).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::InvalidHeader { name: "webhook-id" }
        ));
    }

    #[test]
    fn a_timestamp_that_is_not_whole_seconds_is_refused() {
        for timestamp in [
            "",
            "abc",
            "+1614265330",
            "-1",
            "1614265330.5",
            " 1614265330",
            "99999999999999999999",
        ] {
            let headers = headers("webhook", SVIX_ID, timestamp, SVIX_SIGNATURE);
            let error = verify_svix_example(&svix(), &headers).unwrap_err();
            assert!(
                matches!(
                    error,
                    WebhookError::InvalidTimestamp {
                        name: "webhook-timestamp"
                    }
                ),
                "{timestamp:?}: {error:?}"
            );
        }
    }

    #[test]
    fn the_tolerance_holds_to_the_second_in_both_directions() {
        let webhook = svix();
        let headers = svix_headers("webhook");
        let verify = |now: SystemTime| webhook.verify_at(SVIX_BODY, &headers, now);
        let limit = DEFAULT_TOLERANCE.as_secs() as i64;
        verify(at(SVIX_TIMESTAMP + limit)).unwrap();
        verify(at(SVIX_TIMESTAMP - limit)).unwrap();
        // Fractions of a second are dropped, as Svix's libraries do.
        verify(at(SVIX_TIMESTAMP + limit) + Duration::from_millis(999)).unwrap();
        let error = verify(at(SVIX_TIMESTAMP + limit + 1)).unwrap_err();
        assert!(
            matches!(error, WebhookError::TimestampTooOld { age, .. } if age.as_secs() == 301),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the webhook was signed 301 s ago, beyond the tolerance of 300 s"
        );
        let error = verify(at(SVIX_TIMESTAMP - limit - 1)).unwrap_err();
        assert!(
            matches!(error, WebhookError::TimestampInFuture { ahead, .. } if ahead.as_secs() == 301),
            "{error:?}"
        );
    }

    #[test]
    fn another_tolerance_moves_both_limits() {
        let webhook = svix().with_tolerance(Duration::from_secs(10));
        assert_eq!(webhook.tolerance(), Duration::from_secs(10));
        let headers = svix_headers("webhook");
        webhook
            .verify_at(SVIX_BODY, &headers, at(SVIX_TIMESTAMP + 10))
            .unwrap();
        webhook
            .verify_at(SVIX_BODY, &headers, at(SVIX_TIMESTAMP - 10))
            .unwrap();
        assert!(
            webhook
                .verify_at(SVIX_BODY, &headers, at(SVIX_TIMESTAMP + 11))
                .is_err()
        );
        assert!(
            webhook
                .verify_at(SVIX_BODY, &headers, at(SVIX_TIMESTAMP - 11))
                .is_err()
        );
    }

    #[test]
    fn the_timestamp_is_checked_before_the_signature() {
        let headers = headers("webhook", SVIX_ID, "1614265330", "v1,AAAA");
        let late = at(SVIX_TIMESTAMP + 1000);
        let error = svix().verify_at(SVIX_BODY, &headers, late).unwrap_err();
        assert!(
            matches!(error, WebhookError::TimestampTooOld { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_time_before_1970_is_far_from_any_timestamp_and_does_not_panic() {
        let error = svix()
            .verify_at(
                SVIX_BODY,
                &svix_headers("webhook"),
                UNIX_EPOCH - Duration::from_millis(1500),
            )
            .unwrap_err();
        assert!(
            matches!(error, WebhookError::TimestampInFuture { ahead, .. } if ahead.as_secs() == SVIX_TIMESTAMP as u64 + 2),
            "{error:?}"
        );
    }

    #[test]
    fn tampering_with_body_id_timestamp_or_signature_fails() {
        // Any time passes, so only the signature decides.
        let webhook = svix().with_tolerance(Duration::MAX);
        let now = at(SVIX_TIMESTAMP);
        let mismatch = |body: &[u8], headers: &HeaderMap| {
            let error = webhook.verify_at(body, headers, now).unwrap_err();
            assert!(
                matches!(error, WebhookError::SignatureMismatch),
                "{error:?}"
            );
            assert!(error.is_signature_error());
        };
        let valid = svix_headers("webhook");
        mismatch(br#"{"test": 2432232315}"#, &valid);
        mismatch(br#"{"test":2432232314}"#, &valid); // the same JSON, re-serialized
        mismatch(&SVIX_BODY[..SVIX_BODY.len() - 1], &valid);
        mismatch(
            SVIX_BODY,
            &headers(
                "webhook",
                "msg_p5jXN8AQM9LWM0D4loKWxJel",
                "1614265330",
                SVIX_SIGNATURE,
            ),
        );
        mismatch(
            SVIX_BODY,
            &headers("webhook", SVIX_ID, "1614265331", SVIX_SIGNATURE),
        );
        mismatch(
            SVIX_BODY,
            &headers("webhook", SVIX_ID, "01614265330", SVIX_SIGNATURE),
        );
        mismatch(
            SVIX_BODY,
            &headers(
                "webhook",
                SVIX_ID,
                "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            ),
        );
        // Moving the id/timestamp boundary changes the signed text too.
        mismatch(
            SVIX_BODY,
            &headers(
                "webhook",
                "msg_p5jXN8AQM9LWM0D4loKWxJek.1",
                "614265330",
                SVIX_SIGNATURE,
            ),
        );
        let error = Webhook::new(OTHER_SECRET)
            .unwrap()
            .verify_at(SVIX_BODY, &valid, now)
            .unwrap_err();
        assert!(matches!(error, WebhookError::SignatureMismatch));
    }

    #[test]
    fn any_valid_v1_among_several_signatures_passes() {
        let wrong = "v1,bm9ldHUjKzFob2VudXRob2VudXRob2VudXRob2VudXQ=";
        for list in [
            format!("{wrong} {SVIX_SIGNATURE}"),
            format!("{SVIX_SIGNATURE} {wrong}"),
            format!("v1a,c29tZSBlZDI1NTE5IHNpZ25hdHVyZQ== {SVIX_SIGNATURE}"),
            format!("v2,{} {SVIX_SIGNATURE}", &SVIX_SIGNATURE[3..]),
            format!("  {SVIX_SIGNATURE}  "),
            format!("v1,not-base64!! {SVIX_SIGNATURE}"),
        ] {
            let headers = headers("webhook", SVIX_ID, "1614265330", &list);
            verify_svix_example(&svix(), &headers).unwrap_or_else(|e| panic!("{list}: {e}"));
        }
    }

    #[test]
    fn entries_of_other_versions_are_skipped_even_when_they_would_match() {
        // The valid HMAC under another version's name does not count.
        let list = format!("v1a,{0} v2,{0}", &SVIX_SIGNATURE[3..]);
        let headers = headers("webhook", SVIX_ID, "1614265330", &list);
        let error = verify_svix_example(&svix(), &headers).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::NoV1Signature {
                name: "webhook-signature"
            }
        ));
        let headers = svix_headers("svix");
        let mut empty = headers.clone();
        empty.insert("svix-signature", HeaderValue::from_static(""));
        let error = verify_svix_example(&svix(), &empty).unwrap_err();
        assert!(matches!(
            error,
            WebhookError::NoV1Signature {
                name: "svix-signature"
            }
        ));
    }

    #[test]
    fn a_malformed_entry_is_an_error_when_nothing_matches() {
        for list in [
            "v1,not-base64!!".to_owned(),
            "v1,AAAA".to_owned(), // base64, but 3 bytes
            format!("v1,{}A", &SVIX_SIGNATURE[3..]),
            format!("v1,{}", "A".repeat(200)),
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned(), // no version
            "v1,bm9ldHUjKzFob2VudXRob2VudXRob2VudXRob2VudXQ= v1,%%".to_owned(),
        ] {
            let headers = headers("webhook", SVIX_ID, "1614265330", &list);
            let error = verify_svix_example(&svix(), &headers).unwrap_err();
            assert!(
                matches!(
                    error,
                    WebhookError::MalformedSignature {
                        name: "webhook-signature"
                    }
                ),
                "{list}: {error:?}"
            );
        }
    }

    #[test]
    fn an_unpadded_signature_is_accepted() {
        let unpadded = SVIX_SIGNATURE.trim_end_matches('=');
        let headers = headers("webhook", SVIX_ID, "1614265330", unpadded);
        verify_svix_example(&svix(), &headers).unwrap();
    }

    #[test]
    fn debug_of_a_webhook_shows_no_secret() {
        let webhook = svix().with_secret(OTHER_SECRET).unwrap();
        let shown = format!("{webhook:?} {webhook:#?}");
        assert_eq!(
            format!("{webhook:?}"),
            "Webhook { secrets: 2 hidden, tolerance: 300s }"
        );
        for secret in [SVIX_SECRET, OTHER_SECRET] {
            let encoded = secret.trim_start_matches("whsec_");
            assert!(!shown.contains(&encoded[..8]), "{shown}");
        }
    }

    #[test]
    fn errors_show_no_signature_and_no_secret() {
        let webhook = svix();
        let headers = headers(
            "webhook",
            SVIX_ID,
            "1614265330",
            "v1,bm9ldHUjKzFob2VudXRob2VudXRob2VudXRob2VudXQ=",
        );
        let error = verify_svix_example(&webhook, &headers).unwrap_err();
        let shown = format!("{error} {error:?}");
        for hidden in ["g0hM9SsE", "MfKQ9r8G", "bm9ldHUj"] {
            assert!(!shown.contains(hidden), "{shown}");
        }
    }

    #[test]
    fn the_message_id_is_read_as_verification_reads_it() {
        assert_eq!(message_id(&svix_headers("webhook")), Some(SVIX_ID));
        assert_eq!(message_id(&svix_headers("svix")), Some(SVIX_ID));
        let mut both = svix_headers("svix");
        both.extend(headers("webhook", "msg_webhook", "1", "v1,AAAA"));
        assert_eq!(message_id(&both), Some("msg_webhook"));
        let mut twice = svix_headers("webhook");
        twice.append("webhook-id", HeaderValue::from_static("msg_2"));
        assert_eq!(message_id(&twice), None);
        assert_eq!(message_id(&HeaderMap::new()), None);
    }
}
