//! `openapi/operations.toml`: which upstream operations the SDK exposes and
//! where each one sits in the public resource tree
//! (`client.customers().review().refresh_review(..)`), and which webhook
//! events it decodes (`[[event]] name = "customer.created.v1"`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Result, XtaskError};
use crate::names::{is_keyword, is_snake};

/// The checked-in operation list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operations {
    /// The file it was read from.
    #[serde(skip)]
    pub file: std::path::PathBuf,
    /// One entry per exposed operation, in the order they appear in the fragment.
    #[serde(rename = "operation")]
    pub operations: Vec<Operation>,
    /// One entry per webhook event `straddle_sdk::webhooks::Event` decodes,
    /// in the order of its variants.
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
}

/// One webhook event the SDK decodes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The event type as upstream's `webhooks` names it (`customer.created.v1`).
    pub name: String,
}

/// One exposed operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// HTTP method, lower case (`put`).
    pub method: String,
    /// Path template as upstream writes it (`/v1/customers/{id}/refresh_review`).
    pub path: String,
    /// `operationId` to use; required where upstream has none, and it
    /// overrides upstream's otherwise.
    pub operation_id: Option<String>,
    /// Resource path, dot-separated (`customers.review`).
    pub resource: String,
    /// Method name on the resource (`refresh_review`).
    pub name: String,
}

impl Operation {
    /// The resource path as its segments.
    pub fn resource_path(&self) -> Vec<&str> {
        self.resource.split('.').filter(|s| !s.is_empty()).collect()
    }
}

/// Reads and checks `operations.toml`.
pub fn load(file: &Path) -> Result<Operations> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| XtaskError::file(file, format!("cannot read the file: {e}")))?;
    let mut ops: Operations =
        toml::from_str(&text).map_err(|e| XtaskError::file(file, e.to_string()))?;
    ops.file = file.to_path_buf();
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut methods: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, op) in ops.operations.iter().enumerate() {
        let at = format!("/operation/{i}");
        let fail = |message: String| Err(XtaskError::at(file, at.clone(), message));
        if !crate::spec::load::METHODS.contains(&op.method.as_str()) {
            return fail(format!("unknown method {:?}", op.method));
        }
        if !op.path.starts_with('/') {
            return fail(format!("`path` {:?} must start with `/`", op.path));
        }
        for name in op.resource_path().into_iter().chain([op.name.as_str()]) {
            if !is_snake(name) || is_keyword(name) {
                return fail(format!(
                    "{name:?} is not a Rust identifier for the resource tree: `resource` must be \
                     dot-separated snake_case names and `name` snake_case, none a Rust keyword"
                ));
            }
        }
        if op.resource.split('.').any(str::is_empty) {
            return fail(format!("`resource` {:?} has an empty segment", op.resource));
        }
        if let Some(first) = methods.insert((op.method.clone(), op.path.clone()), i) {
            return fail(format!(
                "{} {} is listed twice (also /operation/{first})",
                op.method.to_uppercase(),
                op.path
            ));
        }
        if let Some(first) = seen.insert((op.resource.clone(), op.name.clone()), i) {
            return fail(format!(
                "`{}.{}` names two operations (also /operation/{first})",
                op.resource, op.name
            ));
        }
    }
    check_events(file, &ops.events)?;
    // A resource's child and one of its operations would be two methods of one name.
    for (i, op) in ops.operations.iter().enumerate() {
        let full = format!("{}.{}", op.resource, op.name);
        if let Some(child) = ops
            .operations
            .iter()
            .find(|o| o.resource == full || o.resource.starts_with(&format!("{full}.")))
        {
            return Err(XtaskError::at(
                file,
                format!("/operation/{i}"),
                format!(
                    "operation `{full}` has the name of the resource `{}` (`{}.{}`): one method cannot be both",
                    full, child.resource, child.name
                ),
            ));
        }
    }
    Ok(ops)
}

/// Event names are dot-separated lowercase words (`customer.created.v1`),
/// each listed once.
fn check_events(file: &Path, events: &[Event]) -> Result<()> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, event) in events.iter().enumerate() {
        let fail = |message: String| Err(XtaskError::at(file, format!("/event/{i}"), message));
        if event.name.split('.').any(|word| !is_snake(word)) {
            return fail(format!(
                "{:?} is not an event name: dot-separated snake_case words (`customer.created.v1`)",
                event.name
            ));
        }
        if let Some(first) = seen.insert(&event.name, i) {
            return fail(format!(
                "event {:?} is listed twice (also /event/{first})",
                event.name
            ));
        }
    }
    Ok(())
}
