//! Reading a webhook's body as a typed event: the envelope every event
//! shares and an event this SDK does not know, written once; the generated
//! `Event` (`generated/webhooks.rs`) is a variant per event of the API
//! description and the match that picks it.

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
/// `Debug` redacts what identifies a person or an account
/// ([`crate::redact`]).
#[derive(Clone, PartialEq, Serialize)]
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

// Used by the generated events; a spec may have none.
#[allow(dead_code)]
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
#[allow(dead_code)]
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

impl<T: std::fmt::Debug> std::fmt::Debug for Envelope<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("event_type", &self.event_type)
            .field("event_id", &self.event_id)
            .field("account_id", &self.account_id)
            .field("data", &self.data)
            .field("extra", &crate::redact::JsonMap(&self.extra))
            .finish()
    }
}

/// An event of a type this version of the SDK does not know: the whole
/// JSON object, as received (it has a string `event_type`). Straddle adds
/// events; a later SDK version may give this one a variant of its own, so
/// read it through [`Event::event_type`] and [`UnknownEvent::json`] rather
/// than relying on it staying unknown. `Debug` redacts what identifies a
/// person or an account ([`crate::redact`]).
#[derive(Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct UnknownEvent(Value);

impl UnknownEvent {
    /// The event as received.
    pub fn json(&self) -> &Value {
        &self.0
    }

    /// The event as received, owned.
    pub fn into_json(self) -> Value {
        self.0
    }

    /// The event's type, as sent.
    pub fn event_type(&self) -> &str {
        self.0
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub(crate) fn new(object: Map<String, Value>) -> Self {
        Self(Value::Object(object))
    }
}

impl std::fmt::Debug for UnknownEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&crate::redact::Json(&self.0), f)
    }
}
