//! `cargo xtask spec extract`: cuts the fragment the SDK is generated from out
//! of Straddle's full upstream description.
//!
//! The output is a function of (upstream, operations.toml) only, so running
//! it again on the same inputs reproduces the checked-in fragment byte for byte.

use std::collections::BTreeSet;
use std::path::Path;

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

use crate::error::{Result, XtaskError, pointer};
use crate::spec::load::{METHODS, resolve};
use crate::spec::operations::Operations;

/// The only media type the SDK sends and accepts.
pub const JSON: &str = "application/json";

/// Where the fragment carries the webhook events it holds: OpenAPI 3.1's
/// top-level `webhooks`, under an extension key that 3.0.3 allows. Each is
/// `{event name: path item}`, as upstream writes it.
pub const WEBHOOKS: &str = "x-webhooks";

/// Builds the OpenAPI 3.0.3 fragment of the operations and webhook events
/// `ops` lists out of `upstream` (read from `file`): those, every schema
/// they reference (in upstream order), and the tags they use.
pub fn extract(file: &Path, upstream: &Value, ops: &Operations) -> Result<Value> {
    let paths = Value::Object(cut_paths(file, upstream, ops)?);
    let webhooks = Value::Object(cut_webhooks(file, upstream, ops)?);
    let mut needed = BTreeSet::new();
    collect_refs(file, upstream, &paths, &mut needed)?;
    collect_refs(file, upstream, &webhooks, &mut needed)?;
    let schemas: Map<String, Value> = upstream
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| needed.contains(*name))
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    let info = upstream.get("info").cloned().unwrap_or_else(|| json!({}));
    let mut fragment = json!({
        "openapi": "3.0.3",
        "info": {
            "title": info.get("title").cloned().unwrap_or_else(|| json!("Straddle API")),
            "version": info.get("version").cloned().unwrap_or_else(|| json!("v1")),
            "description": "Fragment of Straddle's OpenAPI description: the operations and \
                webhook events listed in openapi/operations.toml and every schema they \
                reference. Written by `cargo xtask spec extract`; do not edit by hand.",
        },
        "servers": upstream.get("servers").cloned().unwrap_or_else(|| json!([])),
        "security": upstream.get("security").cloned().unwrap_or_else(|| json!([])),
        "tags": used_tags(upstream, &paths),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": upstream
                .pointer("/components/securitySchemes")
                .cloned()
                .unwrap_or_else(|| json!({})),
        },
    });
    if webhooks.as_object().is_some_and(|w| !w.is_empty()) {
        fragment[WEBHOOKS] = webhooks;
    }
    downgrade_to_3_0(&mut fragment);
    Ok(fragment)
}

/// The path items of the listed operations, each operation JSON-only and
/// with its operationId (the listed one, upstream's, or a synthesized one).
fn cut_paths(file: &Path, upstream: &Value, ops: &Operations) -> Result<Map<String, Value>> {
    let upstream_paths = upstream
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| XtaskError::at(file, "/paths", "missing `paths` object"))?;
    let mut paths = Map::new();
    for (i, op) in ops.operations.iter().enumerate() {
        let (path, method) = (op.path.as_str(), op.method.as_str());
        let asked = format!(" (asked for by operations.toml /operation/{i})");
        let item = upstream_paths.get(path).ok_or_else(|| {
            XtaskError::at(
                file,
                pointer(["paths", path]),
                format!("no such path upstream{asked}"),
            )
        })?;
        let mut operation = item
            .get(method)
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| {
                XtaskError::at(
                    file,
                    pointer(["paths", path, method]),
                    format!("no such operation upstream{asked}"),
                )
            })?;
        let id = op
            .operation_id
            .clone()
            .or_else(|| {
                operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| synthesize_operation_id(method, path));
        operation.insert("operationId".into(), Value::String(id));
        json_only(&mut operation);
        let entry = paths.entry(path).or_insert_with(|| {
            // Path-level parameters travel with the path item.
            let mut path_item = Map::new();
            if let Some(p) = item.get("parameters") {
                path_item.insert("parameters".into(), p.clone());
            }
            Value::Object(path_item)
        });
        if let Value::Object(path_item) = entry {
            path_item.insert(method.to_string(), Value::Object(operation));
        }
    }
    Ok(paths)
}

/// The listed webhook events, as upstream's top-level `webhooks` has them
/// (each a path item with one `post`), JSON-only.
fn cut_webhooks(file: &Path, upstream: &Value, ops: &Operations) -> Result<Map<String, Value>> {
    let mut webhooks = Map::new();
    for (i, event) in ops.events.iter().enumerate() {
        let at = pointer(["webhooks", event.name.as_str()]);
        let mut item = upstream
            .pointer(&at)
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| {
                XtaskError::at(
                    file,
                    at.clone(),
                    format!(
                        "no such webhook event upstream (asked for by operations.toml /event/{i})"
                    ),
                )
            })?;
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            json_only(operation);
        }
        webhooks.insert(event.name.clone(), Value::Object(item));
    }
    Ok(webhooks)
}

/// The upstream tags that the operations in `paths` use, in upstream order.
fn used_tags(upstream: &Value, paths: &Value) -> Vec<Value> {
    let used: BTreeSet<&str> = paths
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|item| METHODS.iter().filter_map(move |m| item.get(*m)))
        .flat_map(|op| {
            op.get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(Value::as_str)
        .collect();
    upstream
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| used.contains(n))
        })
        .cloned()
        .collect()
}

/// Serializes a document the same way every time: two-space indent, document
/// key order, a final newline.
pub fn to_pretty(doc: &Value) -> String {
    let mut out = serde_json::to_string_pretty(doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A deterministic `operationId` for an operation upstream left without one:
/// the method and the path words, path parameters as `By<Name>`
/// (`PUT /v1/paykeys/{id}/cancel` → `PutPaykeysByIdCancel`).
pub fn synthesize_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_upper_camel_case();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if segment.len() == 2
            && segment.starts_with('v')
            && segment[1..].chars().all(|c| c.is_ascii_digit())
        {
            continue; // the API version prefix (`v1`) is the same for every path
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("By");
                id.push_str(&param.to_upper_camel_case());
            }
            None => id.push_str(&segment.to_upper_camel_case()),
        }
    }
    id
}

/// Keeps only `application/json` in request bodies and responses: upstream
/// also lists `text/plain`, `text/json` and `application/*+json`, which the
/// SDK never speaks (and which make mock servers answer in plain text).
fn json_only(operation: &mut Map<String, Value>) {
    let keep_json = |content: &mut Value| {
        if let Some(map) = content.as_object_mut() {
            map.retain(|media, _| media == JSON);
        }
    };
    if let Some(content) = operation
        .get_mut("requestBody")
        .and_then(|b| b.get_mut("content"))
    {
        keep_json(content);
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for response in responses.values_mut() {
            if let Some(content) = response.get_mut("content") {
                keep_json(content);
            }
        }
    }
}

fn collect_refs(
    file: &Path,
    upstream: &Value,
    node: &Value,
    needed: &mut BTreeSet<String>,
) -> Result<()> {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    let target = value.as_str().unwrap_or_default();
                    let name = target
                        .strip_prefix("#/components/schemas/")
                        .ok_or_else(|| {
                            XtaskError::file(file, format!("unsupported reference {target:?}"))
                        })?;
                    if needed.insert(name.to_string()) {
                        let schema = resolve(upstream, target).ok_or_else(|| {
                            XtaskError::at(
                                file,
                                pointer(["components", "schemas", name]),
                                format!("dangling reference {target:?}"),
                            )
                        })?;
                        collect_refs(file, upstream, schema, needed)?;
                    }
                } else {
                    collect_refs(file, upstream, value, needed)?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_refs(file, upstream, item, needed)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Rewrites OpenAPI 3.1 constructs into their 3.0 forms, leaving 3.0-style
/// nodes alone (upstream says 3.1.0 but mostly writes 3.0 `nullable`):
/// `type: [T, "null"]` → `type: T, nullable: true`; `const` → one-value
/// `enum`; `examples: [..]` on a schema → `example`.
pub fn downgrade_to_3_0(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let non_null: Vec<Value> = types
                    .iter()
                    .filter(|t| t.as_str() != Some("null"))
                    .cloned()
                    .collect();
                if non_null.len() < types.len() {
                    map.insert("nullable".into(), Value::Bool(true));
                }
                if let [single] = non_null.as_slice() {
                    map.insert("type".into(), single.clone());
                } else if non_null.is_empty() {
                    map.remove("type");
                }
            }
            if let Some(value) = map.remove("const") {
                map.insert("enum".into(), Value::Array(vec![value]));
            }
            let is_schema = map.contains_key("type") || map.contains_key("properties");
            if is_schema
                && let Some(Value::Array(examples)) = map.remove("examples")
                && let Some(first) = examples.into_iter().next()
            {
                map.entry("example").or_insert(first);
            }
            for value in map.values_mut() {
                downgrade_to_3_0(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(downgrade_to_3_0),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_operation_ids_are_unique_per_method_and_path() {
        assert_eq!(
            synthesize_operation_id("put", "/v1/paykeys/{id}/cancel"),
            "PutPaykeysByIdCancel"
        );
        assert_eq!(
            synthesize_operation_id("get", "/v1/customers"),
            "GetCustomers"
        );
        assert_eq!(
            synthesize_operation_id("get", "/v1/customers/{id}"),
            "GetCustomersById"
        );
    }

    #[test]
    fn downgrade_turns_3_1_nullable_types_and_const_into_3_0() {
        let mut v = json!({ "type": ["string", "null"], "const": "x", "examples": ["e"] });
        downgrade_to_3_0(&mut v);
        assert_eq!(
            v,
            json!({ "type": "string", "nullable": true, "enum": ["x"], "example": "e" })
        );
        let mut v = json!({ "type": "string", "nullable": true });
        downgrade_to_3_0(&mut v);
        assert_eq!(v, json!({ "type": "string", "nullable": true }));
    }
}
