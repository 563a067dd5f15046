//! Webhook events of the fragment (`customer.created.v1`,
//! `customer.event.v1`) read from bodies as a consumer receives them: each
//! its own variant, the JSON written back as received, unknown events kept
//! whole, and a broken envelope or data named.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use serde_json::Value;
use straddle_sdk::uuid::Uuid;
use straddle_sdk::webhooks::{Envelope, Event, Webhook, WebhookError};

/// A customer as both `CustomerV1` and `CustomerEventV1` read it, with a
/// `null`, a field neither schema has, and an envelope field no SDK
/// version knows.
fn customer_event(event_type: &str) -> Value {
    json!({
        "event_type": event_type,
        "event_id": "85df84c7-a298-44bc-8040-7bd2ae372cbf",
        "account_id": "857c679a-8e80-47f1-9334-39dd08ea801f",
        "data": {
            "id": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
            "name": "Ron Swanson",
            "type": "individual",
            "email": "ron@pawnee.gov",
            "phone": "+12128675309",
            "status": "verified",
            "device": { "ip_address": "192.168.1.1" },
            "external_id": null,
            "metadata": { "order": "42" },
            "created_at": "2019-12-27T18:11:19.117Z",
            "updated_at": "2019-12-27T18:11:19.117Z",
            "risk_band": "low"
        },
        "delivered_by": "a newer Straddle"
    })
}

fn bytes(json: &Value) -> Vec<u8> {
    serde_json::to_vec(json).unwrap()
}

#[test]
fn a_known_event_becomes_its_variant_and_writes_back_as_received() {
    for event_type in ["customer.created.v1", "customer.event.v1"] {
        let json = customer_event(event_type);
        let event = Event::from_unverified_json(&bytes(&json)).unwrap();
        assert_eq!(event.event_type(), event_type);
        let envelope = match &event {
            Event::CustomerCreatedV1(envelope) if event_type == "customer.created.v1" => envelope,
            Event::CustomerEventV1(envelope) if event_type == "customer.event.v1" => envelope,
            other => panic!("{event_type} became {other:?}"),
        };
        assert_eq!(
            envelope.event_id.to_string(),
            "85df84c7-a298-44bc-8040-7bd2ae372cbf"
        );
        assert_eq!(
            envelope.account_id.to_string(),
            "857c679a-8e80-47f1-9334-39dd08ea801f"
        );
        assert_eq!(envelope.data.name, "Ron Swanson");
        assert_eq!(envelope.data.status.as_str(), "verified");
        assert_eq!(envelope.extra["delivered_by"], "a newer Straddle");
        assert_eq!(serde_json::to_value(&event).unwrap(), json);
    }
    for known in ["customer.created.v1", "customer.event.v1"] {
        assert!(Event::KNOWN_TYPES.contains(&known), "{known}");
    }
}

#[test]
fn an_unknown_event_is_kept_whole_and_is_never_an_error() {
    let json = json!({
        "event_type": "charge.paid.v9",
        "data": { "anything": [1, null, "x"] },
        "event_id": "not even a uuid"
    });
    let event = Event::from_unverified_json(&bytes(&json)).unwrap();
    assert_eq!(event.event_type(), "charge.paid.v9");
    assert!(matches!(&event, Event::Unknown(kept) if *kept.json() == json));
    assert_eq!(serde_json::to_value(&event).unwrap(), json);
}

#[test]
fn a_known_event_with_a_broken_envelope_names_the_field() {
    let mut json = customer_event("customer.created.v1");
    json.as_object_mut().unwrap().remove("account_id");
    let error = Event::from_unverified_json(&bytes(&json)).unwrap_err();
    assert!(
        matches!(&error, WebhookError::MissingEventField { event_type, field: "account_id" } if event_type == "customer.created.v1")
    );
    assert_eq!(
        error.to_string(),
        "the customer.created.v1 event has no `account_id`"
    );
    assert!(!error.is_signature_error());

    let mut json = customer_event("customer.event.v1");
    json["event_id"] = json!("evt_1");
    let error = Event::from_unverified_json(&bytes(&json)).unwrap_err();
    assert!(
        matches!(
            error,
            WebhookError::InvalidEventField {
                field: "event_id",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn data_that_does_not_fit_its_schema_is_an_error_naming_the_cause() {
    let mut json = customer_event("customer.created.v1");
    json["data"].as_object_mut().unwrap().remove("email");
    let error = Event::from_unverified_json(&bytes(&json)).unwrap_err();
    assert!(
        matches!(error, WebhookError::InvalidEventField { field: "data", .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the customer.created.v1 event's `data` does not decode: missing field `email`"
    );
    json["data"] = json!(null);
    let error = Event::from_unverified_json(&bytes(&json)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`data` does not decode: invalid type: null"),
        "{error}"
    );
}

#[test]
fn a_body_that_is_not_an_event_object_is_refused() {
    for body in [
        &b"not json"[..],
        b"[1, 2]",
        b"{\"data\": {}}",
        b"{\"event_type\": 7}",
        b"",
    ] {
        let error = Event::from_unverified_json(body).unwrap_err();
        assert!(
            matches!(error, WebhookError::NotAnEvent { .. }),
            "{error:?}"
        );
    }
    let error = Event::from_unverified_json(b"{}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the webhook body is not an event: missing field `event_type`"
    );
}

#[test]
fn verify_event_checks_the_signature_before_reading_the_body() {
    let webhook = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let body = b"not json at all";
    let mut headers = http::HeaderMap::new();
    headers.insert("webhook-id", "msg_1".parse().unwrap());
    headers.insert("webhook-timestamp", "1700000000".parse().unwrap());
    headers.insert(
        "webhook-signature",
        webhook.sign("msg_2", 1_700_000_000, body).parse().unwrap(),
    );
    let error = webhook.verify_event_at(body, &headers, now).unwrap_err();
    assert!(
        matches!(error, WebhookError::SignatureMismatch),
        "{error:?}"
    );
    // Signed properly, the same body fails only as an event.
    headers.insert(
        "webhook-signature",
        webhook.sign("msg_1", 1_700_000_000, body).parse().unwrap(),
    );
    let error = webhook.verify_event_at(body, &headers, now).unwrap_err();
    assert!(
        matches!(error, WebhookError::NotAnEvent { .. }),
        "{error:?}"
    );
    // And a signed event is read.
    let body = bytes(&customer_event("customer.created.v1"));
    headers.insert(
        "webhook-signature",
        webhook.sign("msg_1", 1_700_000_000, &body).parse().unwrap(),
    );
    let event = webhook.verify_event_at(&body, &headers, now).unwrap();
    assert!(matches!(event, Event::CustomerCreatedV1(_)));
    // `verify_event` checks against the clock: this one is long past.
    assert!(now < SystemTime::now());
    let error = webhook.verify_event(&body, &headers).unwrap_err();
    assert!(
        matches!(error, WebhookError::TimestampTooOld { .. }),
        "{error:?}"
    );
}

#[test]
fn an_envelope_builds_in_one_expression() {
    let envelope = Envelope::new("custom.v1", Uuid::nil(), Uuid::nil(), json!({"a": 1}))
        .with_extra("trace", json!("t-1"));
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        json!({
            "event_type": "custom.v1",
            "event_id": "00000000-0000-0000-0000-000000000000",
            "account_id": "00000000-0000-0000-0000-000000000000",
            "data": {"a": 1},
            "trace": "t-1"
        })
    );
}
