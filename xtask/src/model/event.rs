//! Webhook events: each event the fragment carries (under
//! [`crate::spec::extract::WEBHOOKS`]) is a variant of the SDK's
//! `webhooks::Event`, holding the runtime's envelope around the event's
//! `data` type. Every Straddle event has the same envelope; one that does
//! not is an error naming it, since the runtime's envelope could not hold it.

use serde_json::Value;

use crate::error::{Result, XtaskError, pointer};
use crate::model::ty::Ty;
use crate::names::variant_name;
use crate::spec::Spec;
use crate::spec::extract::WEBHOOKS;
use crate::spec::operations::Operations;

/// One webhook event of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The event type on the wire (`customer.created.v1`).
    pub name: String,
    /// The `Event` variant (`CustomerCreatedV1`).
    pub variant: String,
    /// The type of the envelope's `data`.
    pub data: Ty,
    /// The event's description.
    pub description: Option<String>,
}

/// The envelope every event has: `(property, type, format)`.
const ENVELOPE: &[(&str, &str, Option<&str>)] = &[
    ("event_type", "string", None),
    ("event_id", "string", Some("uuid")),
    ("account_id", "string", Some("uuid")),
];

/// The events `ops` lists, from the fragment `spec`.
pub fn build(spec: &Spec, ops: &Operations) -> Result<Vec<Event>> {
    let mut events: Vec<Event> = Vec::new();
    for (i, listed) in ops.events.iter().enumerate() {
        let at = pointer([WEBHOOKS, listed.name.as_str(), "post"]);
        let operation = spec.doc.pointer(&at).and_then(Value::as_object).ok_or_else(|| {
            XtaskError::at(
                &spec.file,
                at.clone(),
                format!(
                    "operations.toml /event/{i} names an event the fragment does not have; run `cargo xtask spec extract`"
                ),
            )
        })?;
        let variant = variant_name(&listed.name);
        if let Some(other) = events.iter().find(|e| e.variant == variant) {
            return Err(XtaskError::at(
                &spec.file,
                at,
                format!(
                    "events {:?} and {:?} would both be `Event::{variant}`",
                    other.name, listed.name
                ),
            ));
        }
        let data = data_type(spec, &at)?;
        events.push(Event {
            name: listed.name.clone(),
            variant,
            data,
            description: operation
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    Ok(events)
}

/// The `data` type of an event's envelope, after checking the envelope.
fn data_type(spec: &Spec, at: &str) -> Result<Ty> {
    let schema_at = format!("{at}/requestBody/content/application~1json/schema");
    let fail = |what: &str| {
        XtaskError::at(
            &spec.file,
            schema_at.clone(),
            format!("the event's body {what}"),
        )
    };
    let schema = spec
        .doc
        .pointer(&schema_at)
        .and_then(Value::as_object)
        .ok_or_else(|| fail("is not a JSON schema object"))?;
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| fail("declares no properties"))?;
    let required = crate::spec::required(schema);
    for (name, ty, format) in ENVELOPE {
        let property = properties.get(*name);
        let fits = property.is_some_and(|p| {
            p.get("type").and_then(Value::as_str) == Some(*ty)
                && p.get("format").and_then(Value::as_str) == *format
        });
        if !fits || !required.contains(name) {
            return Err(fail(&format!(
                "is not Straddle's envelope: `{name}` must be a required {ty}{}",
                format.map(|f| format!(" ({f})")).unwrap_or_default()
            )));
        }
    }
    let data = properties
        .get("data")
        .and_then(|d| d.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .filter(|_| required.contains(&"data"))
        .ok_or_else(|| {
            fail("is not Straddle's envelope: `data` must be a required `$ref` to a component")
        })?;
    if properties.len() != ENVELOPE.len() + 1 {
        return Err(fail(
            "has properties besides `event_type`, `event_id`, `account_id` and `data`",
        ));
    }
    Ok(Ty::Named(data.to_string()))
}
