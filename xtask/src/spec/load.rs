//! Loading and checking an OpenAPI document before anything is generated from
//! it. Every problem is reported with the file and the JSON pointer of the node.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{Result, XtaskError, pointer};

/// HTTP methods that can hold an operation in a path item.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads `file` as JSON, keeping the key order of the document.
pub fn load(file: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| XtaskError::file(file, format!("cannot read the file: {e}")))?;
    parse(file, &text)
}

/// Parses `text` (the contents of `file`) as JSON.
pub fn parse(file: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        XtaskError::file(
            file,
            format!(
                "invalid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Checks what code generation relies on: an OpenAPI 3.0.x document, an
/// `operationId` on every operation (unique), and `$ref`s that resolve.
pub fn validate(file: &Path, doc: &Value) -> Result<()> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or_else(|| XtaskError::at(file, "/openapi", "missing `openapi` version string"))?;
    if !version.starts_with("3.0.") {
        return Err(XtaskError::at(
            file,
            "/openapi",
            format!(
                "unsupported OpenAPI version {version:?}: the generator takes 3.0.x \
                 (re-extract the fragment with `cargo xtask spec extract`, which converts 3.1)"
            ),
        ));
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| XtaskError::at(file, "/paths", "missing `paths` object"))?;
    let mut seen = HashSet::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = pointer(["paths", path.as_str(), method]);
            match operation.get("operationId").and_then(Value::as_str) {
                None => {
                    return Err(XtaskError::at(
                        file,
                        at,
                        format!(
                            "operation {} {path} has no operationId",
                            method.to_uppercase()
                        ),
                    ));
                }
                Some(id) if !seen.insert(id.to_string()) => {
                    return Err(XtaskError::at(
                        file,
                        format!("{at}/operationId"),
                        format!("duplicate operationId {id:?}"),
                    ));
                }
                Some(_) => {}
            }
            check_parameters(file, &at, operation)?;
        }
    }
    check_refs(file, doc, doc, &mut String::new())
}

/// Parameters the SDK can send: in the path, query or a header, with a
/// `schema`, and query arrays in `form` style. Checked here, before
/// progenitor (which would fail without naming where).
fn check_parameters(file: &Path, at: &str, operation: &Value) -> Result<()> {
    let parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for (i, parameter) in parameters.enumerate() {
        let at = format!("{at}/parameters/{i}");
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
        let location = parameter.get("in").and_then(Value::as_str).unwrap_or("?");
        let fail = |at: String, what: String| {
            Err(XtaskError::at(
                file,
                at,
                format!("parameter {name:?}: {what}"),
            ))
        };
        if parameter.get("$ref").is_some() {
            continue; // resolved and checked where it is defined
        }
        if !matches!(location, "path" | "query" | "header") {
            return fail(
                format!("{at}/in"),
                format!("{location} parameters are not supported"),
            );
        }
        if parameter.get("schema").is_none() {
            return fail(at, "only parameters with a `schema` are supported".into());
        }
        match parameter.get("style").and_then(Value::as_str) {
            None | Some("form") if location == "query" => {}
            None | Some("simple") if location != "query" => {}
            Some(style) => {
                return fail(
                    format!("{at}/style"),
                    format!("{location} style {style:?} is not supported (query: `form`)"),
                );
            }
            None => {}
        }
    }
    Ok(())
}

/// Resolves a local `$ref` (`#/components/schemas/X`) against `doc`.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn check_refs(file: &Path, doc: &Value, node: &Value, at: &mut String) -> Result<()> {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&crate::error::escape_token(key));
                if key == "$ref" {
                    let target = value.as_str().unwrap_or_default();
                    if !target.starts_with('#') {
                        return Err(XtaskError::at(
                            file,
                            at.clone(),
                            format!("external reference {target:?} is not supported"),
                        ));
                    }
                    if resolve(doc, target).is_none() {
                        return Err(XtaskError::at(
                            file,
                            at.clone(),
                            format!("dangling reference {target:?}"),
                        ));
                    }
                } else {
                    check_refs(file, doc, value, at)?;
                }
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                check_refs(file, doc, value, at)?;
                at.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Turns the (transformed) JSON into progenitor's typed OpenAPI model; a
/// node of the wrong shape is reported with its pointer.
pub fn to_openapi(file: &Path, doc: &Value) -> Result<openapiv3::OpenAPI> {
    match typed::<openapiv3::OpenAPI>(doc, String::new()) {
        Ok(api) => Ok(api),
        Err((at, message)) => {
            // openapiv3 flattens path items and schemas, so serde's path stops
            // at `/paths` or `/components`; retry node by node to get closer.
            let (at, message) = narrow(doc, at, message);
            Err(XtaskError::at(
                file,
                at,
                format!("not a valid OpenAPI 3.0 node: {message}"),
            ))
        }
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    node: &Value,
    prefix: String,
) -> std::result::Result<T, (String, String)> {
    serde_path_to_error::deserialize(node).map_err(|e| {
        let at: String = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    Some(format!("/{}", crate::error::escape_token(key)))
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        (format!("{prefix}{at}"), e.inner().to_string())
    })
}

fn narrow(doc: &Value, at: String, message: String) -> (String, String) {
    type PathItem = openapiv3::ReferenceOr<openapiv3::PathItem>;
    type Schema = openapiv3::ReferenceOr<openapiv3::Schema>;
    type Operation = openapiv3::Operation;
    let children = |pointer: &str| -> Vec<(String, Value)> {
        doc.pointer(pointer)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            format!("{pointer}/{}", crate::error::escape_token(k)),
                            v.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    if at.starts_with("/paths") {
        for (item_at, item) in children("/paths") {
            if let Err(found) = typed::<PathItem>(&item, item_at.clone()) {
                for method in METHODS {
                    if let Some(op) = item.get(method)
                        && let Err(inner) = typed::<Operation>(op, format!("{item_at}/{method}"))
                    {
                        return inner;
                    }
                }
                return found;
            }
        }
    }
    if at.starts_with("/components") {
        for (schema_at, schema) in children("/components/schemas") {
            if let Err(found) = typed::<Schema>(&schema, schema_at) {
                return found;
            }
        }
    }
    (at, message)
}
