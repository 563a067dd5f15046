//! Open enums: every string `enum` component of the (transformed) spec is
//! one flat Rust enum with a variant per documented value and `Unknown`
//! for any other, so a value the API adds later still decodes and is
//! written back unchanged. Inline enums were already named as components
//! by the transform (`name_inline_types`, `name_inline_operation_schemas`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Result, XtaskError, pointer};
use crate::names::{is_type_name, variant_name};
use crate::spec::Spec;

/// A string enum of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The schema's description, if any.
    pub description: Option<String>,
    /// The documented values, in the spec's order, each listed once.
    pub values: Vec<EnumValue>,
}

/// One documented value of an [`OpenEnum`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: String,
    /// The variant's name.
    pub variant: String,
}

/// Every string enum component of `spec`, in name order. A component whose
/// values do not give distinct variant names is an error naming it.
pub fn plan(spec: &Spec) -> Result<Vec<OpenEnum>> {
    let mut enums = Vec::new();
    for (name, schema) in spec.schemas() {
        if !crate::spec::is_string_enum(schema) {
            continue;
        }
        let at = pointer(["components", "schemas", name.as_str()]);
        enums.push(plan_one(name, schema).map_err(|why| XtaskError::at(&spec.file, at, why))?);
    }
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(enums)
}

fn plan_one(name: &str, schema: &Map<String, Value>) -> std::result::Result<OpenEnum, String> {
    if !is_type_name(name) {
        return Err(format!(
            "the enum's name `{name}` is not a Rust type name; rename the component"
        ));
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return Err("a nullable enum component; say `nullable` where it is used".into());
    }
    let mut values: Vec<EnumValue> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for value in schema["enum"].as_array().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default().to_string();
        if values.iter().any(|v| v.value == value) {
            continue; // a value listed twice is one variant
        }
        let variant = variant_name(&value);
        if let Some(other) = seen.insert(variant.clone(), value.clone()) {
            return Err(format!(
                "the values `{other}` and `{value}` would both be the variant `{variant}`"
            ));
        }
        values.push(EnumValue { value, variant });
    }
    Ok(OpenEnum {
        name: name.to_string(),
        description: schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schemas: Value) -> Spec {
        crate::model::tests::spec_with(schemas)
    }

    #[test]
    fn every_string_enum_component_is_planned_with_its_values_in_order() {
        let s = spec(json!({
            "Status": { "type": "string", "enum": ["in_review", "ok", "ok"], "description": "S." },
            "Kind": { "enum": ["a"] },
            "Count": { "type": "integer", "enum": [1, 2] },
            "Thing": { "type": "object", "properties": {} }
        }));
        let summary: Vec<(String, Vec<(String, String)>)> = plan(&s)
            .unwrap()
            .into_iter()
            .map(|e| {
                let values = e.values.into_iter().map(|v| (v.value, v.variant)).collect();
                (e.name, values)
            })
            .collect();
        let expected = [
            ("Kind", vec![("a", "A")]),
            ("Status", vec![("in_review", "InReview"), ("ok", "Ok")]),
        ];
        let expected: Vec<(String, Vec<(String, String)>)> = expected
            .iter()
            .map(|(n, v)| {
                let v = v
                    .iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect();
                (n.to_string(), v)
            })
            .collect();
        assert_eq!(summary, expected);
    }

    #[test]
    fn values_that_would_share_a_variant_are_an_error_naming_the_component() {
        let s = spec(json!({ "Mode": { "type": "string", "enum": ["a-b", "a_b"] } }));
        let err = plan(&s).unwrap_err().to_string();
        assert_eq!(
            err,
            "s.json#/components/schemas/Mode: the values `a-b` and `a_b` would both be the variant `AB`"
        );
    }
}
