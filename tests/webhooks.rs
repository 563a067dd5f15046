//! Webhooks as a consumer receives them: signatures made by an independent
//! HMAC (aws-lc-rs, not the SDK's signing path), the public example of
//! Svix's documentation, the mock's signer, tampering, and arbitrary
//! headers and bodies.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde_json::{Value, json};
use straddle_sdk::HeaderMap;
use straddle_sdk::reqwest::header::{HeaderName, HeaderValue};
use straddle_sdk::webhooks::{self, Event, Webhook, WebhookError};
use straddle_sdk_mock::{SignWebhookError, sign_webhook};

/// A test endpoint's secret: `whsec_` and the base64 of the 41 bytes of
/// `RAW_KEY` (encoded with Python's `base64.b64encode`).
const SECRET: &str = "whsec_YW4gZW5kcG9pbnQgc2VjcmV0IGZvciBzdHJhZGRsZS1zZGsgdGVzdHM=";
const RAW_KEY: &[u8] = b"an endpoint secret for straddle-sdk tests";

/// Svix's documented example ("Verifying manually",
/// docs.svix.com/receiving/verifying-payloads/how-manual).
const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SVIX_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SVIX_TIMESTAMP: &str = "1614265330";
const SVIX_BODY: &str = r#"{"test": 2432232314}"#;
const SVIX_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

const SENT_AT: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// The `v1,<base64>` signature of `{id}.{timestamp}.{body}` under `key`,
/// computed by aws-lc-rs.
fn independent_signature(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut signed = Vec::new();
    signed.extend_from_slice(format!("{id}.{timestamp}.").as_bytes());
    signed.extend_from_slice(body);
    format!("v1,{}", STANDARD.encode(hmac::sign(&key, &signed).as_ref()))
}

fn headers(prefix: &str, id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("id", id),
        ("timestamp", timestamp),
        ("signature", signature),
    ] {
        let name = HeaderName::try_from(format!("{prefix}-{name}")).unwrap();
        headers.insert(name, HeaderValue::try_from(value).unwrap());
    }
    headers
}

/// A customer event that both `CustomerV1` and `CustomerEventV1` read:
/// `device` is present, no nullable map value, a `null`, and fields
/// neither the data's schema nor the envelope has.
fn customer_event(event_type: &str) -> Value {
    json!({
        "event_type": event_type,
        "event_id": "85df84c7-a298-44bc-8040-7bd2ae372cbf",
        "account_id": "857c679a-8e80-47f1-9334-39dd08ea801f",
        "data": {
            "id": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
            "name": "Leslie Knope",
            "type": "individual",
            "email": "leslie@pawnee.gov",
            "phone": "+12128675309",
            "status": "review",
            "device": { "ip_address": "10.0.0.1" },
            "external_id": null,
            "created_at": "2025-12-31T23:59:59.5Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "review_reason": "a field this SDK does not know"
        },
        "attempt": 2
    })
}

#[test]
fn the_svix_documentation_example_verifies_and_aws_lc_agrees_with_it() {
    let raw = STANDARD
        .decode(SVIX_SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let recomputed = independent_signature(&raw, SVIX_ID, SVIX_TIMESTAMP, SVIX_BODY.as_bytes());
    assert_eq!(recomputed, SVIX_SIGNATURE);
    let webhook = Webhook::new(SVIX_SECRET).unwrap();
    for prefix in ["webhook", "svix"] {
        let headers = headers(prefix, SVIX_ID, SVIX_TIMESTAMP, SVIX_SIGNATURE);
        webhook
            .verify_at(SVIX_BODY.as_bytes(), &headers, at(1614265330))
            .unwrap();
        // Unknown to the SDK (no `event_type` at all): not an event.
        let error = webhook
            .verify_event_at(SVIX_BODY.as_bytes(), &headers, at(1614265330))
            .unwrap_err();
        assert!(
            matches!(error, WebhookError::NotAnEvent { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn events_signed_by_an_independent_hmac_verify_and_decode() {
    let webhook = Webhook::new(SECRET).unwrap();
    for (event_type, id) in [
        ("customer.created.v1", "msg_a"),
        ("customer.event.v1", "msg_b"),
    ] {
        let json = customer_event(event_type);
        let body = serde_json::to_vec_pretty(&json).unwrap(); // any bytes: they are what is signed
        let signature = independent_signature(RAW_KEY, id, &SENT_AT.to_string(), &body);
        let headers = headers("webhook", id, &SENT_AT.to_string(), &signature);
        let event = webhook
            .verify_event_at(&body, &headers, at(SENT_AT + 60))
            .unwrap();
        assert_eq!(event.event_type(), event_type);
        match &event {
            Event::CustomerCreatedV1(created) => {
                assert_eq!(event_type, "customer.created.v1");
                assert_eq!(created.data.email, "leslie@pawnee.gov");
            }
            Event::CustomerEventV1(changed) => {
                assert_eq!(event_type, "customer.event.v1");
                assert_eq!(changed.data.status.as_str(), "review");
                assert!(changed.data.external_id.is_null());
            }
            other => panic!("{event_type} became {other:?}"),
        }
        assert_eq!(serde_json::to_value(&event).unwrap(), json);
        assert_eq!(webhooks::message_id(&headers), Some(id));
    }
}

#[test]
fn the_sdks_signature_is_the_independent_one() {
    let body = br#"{"event_type":"paykey.created.v1"}"#;
    let ours = Webhook::new(SECRET)
        .unwrap()
        .sign("msg_x", 1_700_000_000, body);
    assert_eq!(
        ours,
        independent_signature(RAW_KEY, "msg_x", "1700000000", body)
    );
}

#[test]
fn an_unknown_event_signed_independently_is_kept_whole() {
    let json = json!({"event_type": "refund.event.v2", "data": {"amount": 12.5}, "x": null});
    let body = serde_json::to_vec(&json).unwrap();
    let signature = independent_signature(RAW_KEY, "msg_u", "1767225600", &body);
    let headers = headers("svix", "msg_u", "1767225600", &signature);
    let event = Webhook::new(SECRET)
        .unwrap()
        .verify_event_at(&body, &headers, at(SENT_AT))
        .unwrap();
    assert_eq!(event.event_type(), "refund.event.v2");
    assert!(matches!(&event, Event::Unknown(kept) if *kept.json() == json));
    assert_eq!(serde_json::to_value(&event).unwrap(), json);
}

#[test]
fn the_mocks_signer_makes_headers_the_sdk_accepts_and_any_change_breaks_them() {
    let body = serde_json::to_vec(&customer_event("customer.created.v1")).unwrap();
    let headers = sign_webhook(SECRET, "msg_mock", at(SENT_AT), &body).unwrap();
    assert_eq!(headers["webhook-id"], "msg_mock");
    assert_eq!(headers["webhook-timestamp"], SENT_AT.to_string().as_str());
    let webhook = Webhook::new(SECRET).unwrap();
    webhook
        .verify_event_at(&body, &headers, at(SENT_AT))
        .unwrap();
    // The mock's signature is the independent one too.
    let independent = independent_signature(RAW_KEY, "msg_mock", &SENT_AT.to_string(), &body);
    assert_eq!(headers["webhook-signature"], independent.as_str());

    let mismatch = |body: &[u8], headers: &HeaderMap| {
        let error = webhook
            .verify_event_at(body, headers, at(SENT_AT))
            .unwrap_err();
        assert!(
            matches!(error, WebhookError::SignatureMismatch),
            "{error:?}"
        );
    };
    let mut tampered_body = body.clone();
    let position = tampered_body.iter().position(|b| *b == b'K').unwrap(); // "Knope"
    tampered_body[position] = b'J';
    mismatch(&tampered_body, &headers);
    let mut changed = headers.clone();
    changed.insert("webhook-id", HeaderValue::from_static("msg_mock2"));
    mismatch(&body, &changed);
    let mut changed = headers.clone();
    changed.insert("webhook-timestamp", HeaderValue::from(SENT_AT + 1));
    mismatch(&body, &changed);
    let mut changed = headers.clone();
    let mut forged = headers["webhook-signature"].to_str().unwrap().to_owned();
    let middle = if &forged[10..11] == "Q" { "R" } else { "Q" }; // a data character
    forged.replace_range(10..11, middle);
    changed.insert("webhook-signature", HeaderValue::try_from(forged).unwrap());
    mismatch(&body, &changed);
}

#[test]
fn the_mocks_signer_refuses_a_bad_secret_or_an_id_that_is_no_header() {
    let error = sign_webhook("whsec_", "msg", at(SENT_AT), b"{}").unwrap_err();
    assert_eq!(error, SignWebhookError::InvalidSecret);
    let error = sign_webhook(SECRET, "msg\n1", at(SENT_AT), b"{}").unwrap_err();
    assert_eq!(error, SignWebhookError::InvalidId);
}

#[test]
fn a_replayed_delivery_outside_the_tolerance_fails_but_verify_at_its_arrival_passes() {
    let body = serde_json::to_vec(&customer_event("customer.event.v1")).unwrap();
    let headers = sign_webhook(SECRET, "msg_q", at(SENT_AT), &body).unwrap();
    let webhook = Webhook::new(SECRET).unwrap();
    let error = webhook
        .verify_at(&body, &headers, at(SENT_AT + 301))
        .unwrap_err();
    assert!(matches!(error, WebhookError::TimestampTooOld { .. }));
    assert!(error.is_signature_error());
    // Queued when it arrived, processed an hour later.
    webhook.verify_at(&body, &headers, at(SENT_AT + 2)).unwrap();
    let patient = webhook.with_tolerance(Duration::from_secs(3600));
    patient
        .verify_at(&body, &headers, at(SENT_AT + 3600))
        .unwrap();
}

#[test]
fn debug_and_display_never_show_a_secret_or_the_expected_signature() {
    let webhook = Webhook::from_secrets([SECRET, SVIX_SECRET]).unwrap();
    let body = br#"{"event_type":"x"}"#;
    let expected = webhook.sign("msg", 1_767_225_600, body);
    let wrong = headers(
        "webhook",
        "msg",
        "1767225600",
        "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let error = webhook.verify_at(body, &wrong, at(SENT_AT)).unwrap_err();
    let shown = format!("{webhook:?} {webhook:#?} {error} {error:?}");
    for hidden in [
        &SECRET[6..16],
        &SVIX_SECRET[6..16],
        &expected[3..13],
        &expected[expected.len() - 12..],
    ] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
    assert!(shown.contains("2 hidden"), "{shown}");
}

/// Header names a webhook may carry, and a few others.
fn header_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "svix-id",
        "svix-timestamp",
        "svix-signature",
        "content-type",
    ])
}

/// Header values: arbitrary bytes, and signature-shaped text.
fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..80)
            .prop_filter_map("not a header value", |b| HeaderValue::from_bytes(&b).ok()),
        "(v1a?,[A-Za-z0-9+/=]{0,48} ?){0,4}".prop_map(|s| HeaderValue::try_from(s).unwrap()),
        (0u64..4_000_000_000).prop_map(HeaderValue::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_headers_and_bodies_never_panic(
        entries in prop::collection::vec((header_name(), header_value()), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..256),
        now in 0u64..8_000_000_000,
    ) {
        let mut headers = HeaderMap::new();
        for (name, value) in entries {
            headers.append(name, value);
        }
        let webhook = Webhook::new(SECRET).unwrap();
        let verified = webhook.verify_at(&body, &headers, at(now));
        let event = webhook.verify_event_at(&body, &headers, at(now));
        let _ = Event::from_unverified_json(&body);
        let _ = webhooks::message_id(&headers);
        // Random bytes never carry a valid signature, and `verify_event`
        // stops at the same check (the body is never read).
        let verified = verified.unwrap_err();
        let event = event.unwrap_err();
        prop_assert!(verified.is_signature_error(), "{:?}", verified);
        prop_assert_eq!(verified.to_string(), event.to_string());
    }

    #[test]
    fn any_signed_body_verifies_and_any_changed_byte_fails(
        body in prop::collection::vec(any::<u8>(), 1..256),
        id in "[!-~]{1,40}",
        seconds in 0u64..8_000_000_000,
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let signature = independent_signature(RAW_KEY, &id, &seconds.to_string(), &body);
        let headers = headers("webhook", &id, &seconds.to_string(), &signature);
        let webhook = Webhook::new(SECRET).unwrap();
        prop_assert!(webhook.verify_at(&body, &headers, at(seconds)).is_ok());
        let mut changed = body.clone();
        changed[flip.index(body.len())] ^= 1 << bit;
        let error = webhook.verify_at(&changed, &headers, at(seconds)).unwrap_err();
        prop_assert!(matches!(error, WebhookError::SignatureMismatch), "{:?}", error);
    }
}
