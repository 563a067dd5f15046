//! `openapi/operations.toml`: which upstream operations the SDK exposes and
//! where each one sits in the public resource tree
//! (`client.customers().review().refresh_review(..)`).

use std::collections::BTreeMap;
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
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut methods: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, op) in ops.operations.iter().enumerate() {
        let at = format!("/operation/{i}");
        let fail = |message: String| Err(XtaskError::at(file, at.clone(), message));
        if !crate::spec::METHODS.contains(&op.method.as_str()) {
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

/// Rust's keywords (strict, reserved and weak ones that cannot name a method),
/// which neither a resource segment nor an operation name may be.
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
