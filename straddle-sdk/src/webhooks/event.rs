//! Reading a webhook's body as a typed event: the envelope every event
//! shares, and the `events!` macro that the generated event table invokes.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Event, WebhookError};

/// What every Straddle webhook carries around its `data`: its type, its id
/// and the account it concerns.
///
/// Fields Straddle adds to the envelope are kept in `extra` and written
/// back, so `serde_json::to_value(&envelope)` is the JSON that was received.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// The event's type, as sent (`customer.created.v1`, ...).
    pub event_type: String,
    /// The event's id.
    pub event_id: Uuid,
    /// The account the event concerns.
    pub account_id: Uuid,
    /// The resource the event is about, as its schema in the API
    /// description says.
    pub data: T,
    /// Envelope fields this SDK does not know, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T> Envelope<T> {
    /// An envelope with no `extra` fields (for tests of your handlers).
    pub fn new(event_type: impl Into<String>, event_id: Uuid, account_id: Uuid, data: T) -> Self {
        Envelope {
            event_type: event_type.into(),
            event_id,
            account_id,
            data,
            extra: Map::new(),
        }
    }

    /// This envelope with `key` set to `value` among the `extra` fields.
    pub fn with_extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Decodes the envelope of a known `event_type` from the body's object,
    /// naming the field that is missing or does not decode.
    pub(crate) fn decode(
        event_type: &str,
        object: Map<String, Value>,
    ) -> Result<Self, WebhookError> {
        let (mut kind, mut event_id, mut account_id, mut data) = (None, None, None, None);
        let mut extra = Map::new();
        // Moved out in order, so `extra` keeps the order it was sent in.
        for (key, value) in object {
            match key.as_str() {
                "event_type" => kind = Some(value),
                "event_id" => event_id = Some(value),
                "account_id" => account_id = Some(value),
                "data" => data = Some(value),
                _ => {
                    extra.insert(key, value);
                }
            }
        }
        Ok(Envelope {
            event_type: field(event_type, "event_type", kind)?,
            event_id: field(event_type, "event_id", event_id)?,
            account_id: field(event_type, "account_id", account_id)?,
            data: field(event_type, "data", data)?,
            extra,
        })
    }
}

/// The envelope field `name` of a `event_type` event, decoded.
fn field<U: DeserializeOwned>(
    event_type: &str,
    name: &'static str,
    value: Option<Value>,
) -> Result<U, WebhookError> {
    let value = value.ok_or_else(|| WebhookError::MissingEventField {
        event_type: event_type.to_owned(),
        field: name,
    })?;
    serde_json::from_value(value).map_err(|source| WebhookError::InvalidEventField {
        event_type: event_type.to_owned(),
        field: name,
        source,
    })
}

/// The `event_type` of an event kept as JSON, or `""` if it has none (only
/// a value built by hand can lack it: parsing requires it).
pub(crate) fn unknown_event_type(json: &Value) -> &str {
    json.get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Event {
    /// Reads `body` as an event **without checking its signature**: for
    /// tests and for replaying events stored after they were verified.
    /// A webhook from the network goes through [`super::Webhook::verify_event`].
    ///
    /// The body must be a JSON object with a string `event_type`. A type
    /// this SDK knows must have the whole envelope (`event_id` and
    /// `account_id` UUIDs, `data` of its schema), or the error names the
    /// field; any other type is [`Event::Unknown`], never an error.
    pub fn from_unverified_json(body: &[u8]) -> Result<Event, WebhookError> {
        Event::decode(body)
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Event, WebhookError> {
        let object: Map<String, Value> =
            serde_json::from_slice(body).map_err(|source| WebhookError::NotAnEvent { source })?;
        let event_type = match object.get("event_type") {
            Some(Value::String(event_type)) => event_type.clone(),
            Some(_) => {
                return Err(WebhookError::NotAnEvent {
                    source: serde::de::Error::custom("`event_type` is not a string"),
                });
            }
            None => {
                return Err(WebhookError::NotAnEvent {
                    source: serde::de::Error::missing_field("event_type"),
                });
            }
        };
        Event::from_object(&event_type, object)
    }
}

/// Defines `pub enum Event` from a table of the webhook events this SDK
/// knows: each line is the event's documentation, its `event_type`, the
/// variant's name and the type of its `data`.
///
/// ```text
/// crate::webhooks::events! {
///     /// Fired when a new customer is created.
///     "customer.created.v1" => CustomerCreatedV1(crate::types::CustomerEventV1),
/// }
/// ```
///
/// `cargo xtask codegen` writes the one invocation from the API
/// description's `webhooks`; everything else about events is written here
/// once. Each variant holds an [`Envelope`] of its `data` type; the
/// catch-all `Event::Unknown` keeps an event of any other type as JSON.
macro_rules! events {
    ($( $(#[$attr:meta])* $event_type:literal => $variant:ident($data:ty), )*) => {
        /// A webhook event from Straddle, as [`Webhook::verify_event`](crate::webhooks::Webhook::verify_event)
        /// returns it: one variant per event type this SDK knows, holding its
        /// [`Envelope`](crate::webhooks::Envelope) with typed `data`, and
        /// [`Event::Unknown`] for any other type.
        ///
        /// Match it with a catch-all arm (Straddle adds events, and a later
        /// SDK version gives them variants), and read an event's type through
        /// [`Event::event_type`] rather than matching `Unknown`'s JSON.
        /// `serde_json::to_value(&event)` is the JSON that was received.
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum Event {
            $(
                $(#[$attr])*
                $variant($crate::webhooks::Envelope<$data>),
            )*
            /// An event of a type this version of the SDK does not know: the
            /// whole JSON object, as received (it has a string `event_type`).
            Unknown(::serde_json::Value),
        }

        impl Event {
            /// The event types that have a variant of their own.
            pub const KNOWN_TYPES: &'static [&'static str] = &[$($event_type),*];

            /// The event's type, as sent (`customer.created.v1`, ...), for
            /// known and unknown events alike.
            pub fn event_type(&self) -> &str {
                match self {
                    $( Event::$variant(envelope) => &envelope.event_type, )*
                    Event::Unknown(json) => $crate::webhooks::event::unknown_event_type(json),
                }
            }

            /// The event of type `event_type` whose body is `object`.
            pub(crate) fn from_object(
                event_type: &str,
                object: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            ) -> ::std::result::Result<Event, $crate::webhooks::WebhookError> {
                match event_type {
                    $(
                        $event_type => $crate::webhooks::Envelope::decode(event_type, object)
                            .map(Event::$variant),
                    )*
                    _ => Ok(Event::Unknown(::serde_json::Value::Object(object))),
                }
            }
        }
    };
}
pub(crate) use events;

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use serde_json::json;

    use super::*;
    use crate::webhooks::Webhook;

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
                Event::CustomerCreatedV1(envelope) if event_type == "customer.created.v1" => {
                    envelope
                }
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
        assert_eq!(event, Event::Unknown(json.clone()));
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
}
