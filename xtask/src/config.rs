//! `openapi/operations.toml`: which upstream operations the SDK exposes and
//! where each one sits in the public resource tree
//! (`client.customers().review().refresh_review(..)`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Result, XtaskError};

/// The checked-in operation list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operations {
    /// One entry per exposed operation, in the order they appear in the fragment.
    #[serde(rename = "operation")]
    pub operations: Vec<Operation>,
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
    let ops: Operations =
        toml::from_str(&text).map_err(|e| XtaskError::file(file, e.to_string()))?;
    for (i, op) in ops.operations.iter().enumerate() {
        let at = format!("/operation/{i}");
        if !crate::spec::METHODS.contains(&op.method.as_str()) {
            return Err(XtaskError::at(
                file,
                at,
                format!("unknown method {:?}", op.method),
            ));
        }
        if op.resource_path().is_empty() || !is_snake(&op.name) {
            return Err(XtaskError::at(
                file,
                at,
                "`resource` must be dot-separated snake_case names and `name` snake_case",
            ));
        }
        if !op.resource_path().iter().all(|s| is_snake(s)) {
            return Err(XtaskError::at(
                file,
                at,
                "`resource` segments must be snake_case",
            ));
        }
    }
    Ok(ops)
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
