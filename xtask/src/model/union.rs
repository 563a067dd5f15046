//! Object unions told apart by their required fields (`ComplianceProfileV1`:
//! `Business` or `Individual`), decoded in one pass.
//!
//! typify turns a `oneOf` of object components into a `#[serde(untagged)]`
//! enum, which serde decodes by buffering the whole value and replaying it
//! against each variant; with unknown fields kept, the chosen variant
//! buffers it again. On a business profile with 200 representatives that
//! made typed decoding slower than `serde_json::Value` (81 % of the time
//! under the union). A union that qualifies here is replaced
//! (`with_replacement`) by an enum whose decoder lives in the SDK's runtime
//! (`straddle-sdk/src/union.rs`): it reads the object once and picks the
//! variant the untagged derive would pick, the first (in the order
//! `most_specific_branch_first` left them) whose required fields are all
//! present and whose fields decode. A union that does not qualify keeps
//! typify's untagged derive.

use std::collections::BTreeSet;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value};

use crate::names::is_type_name;

/// A union that gets a one-pass decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Union {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The union's description, if the spec (or a transform) gives one.
    pub description: Option<String>,
    /// The branches, in the order untagged decoding would try them.
    pub branches: Vec<Branch>,
}

/// One branch of a [`Union`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The branch's component name (a struct of the model).
    pub type_name: String,
    /// The enum variant's name.
    pub variant: String,
    /// Declared properties, in declaration order.
    pub properties: Vec<String>,
    /// The properties that must be present for this branch to match.
    pub required: Vec<String>,
}

impl Union {
    /// Every property of every branch, once, in first-seen order.
    pub fn all_properties(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        for prop in self.branches.iter().flat_map(|b| &b.properties) {
            if !all.contains(&prop.as_str()) {
                all.push(prop);
            }
        }
        all
    }

    /// The first variant's optional fields that no other variant declares:
    /// decoded straight into their types once the first variant's required
    /// fields have all been seen (it is then the variant to try first). A field
    /// another variant declares too stays a `Value` until the end, so that
    /// variant can still decode it with its own type.
    pub fn direct_fields(&self) -> Vec<&str> {
        let (first, others) = match self.branches.split_first() {
            Some(split) => split,
            None => return Vec::new(),
        };
        first
            .properties
            .iter()
            .filter(|p| !first.required.contains(p))
            .filter(|p| !others.iter().any(|b| b.properties.contains(p)))
            .map(String::as_str)
            .collect()
    }
}

/// Every union in the (transformed) document `doc` that qualifies, by name.
pub fn plan(doc: &Value) -> Vec<Union> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter_map(|(name, schema)| qualify(schemas, name, schema).ok())
        .collect()
}

/// Why `name` does or does not get a one-pass decoder.
pub fn qualify(
    schemas: &Map<String, Value>,
    name: &str,
    schema: &Value,
) -> std::result::Result<Union, &'static str> {
    let map = schema.as_object().ok_or("not an object schema")?;
    let branches = map
        .get("oneOf")
        .and_then(Value::as_array)
        .ok_or("not a oneOf")?;
    if map
        .keys()
        .any(|k| !matches!(k.as_str(), "oneOf" | "description" | "title"))
    {
        return Err("the union has keywords besides oneOf, description and title");
    }
    if branches.len() < 2 {
        return Err("fewer than two branches");
    }
    if !is_type_name(name) {
        return Err("the union's name is not already a Rust type name");
    }
    let mut planned = branches
        .iter()
        .map(|branch| qualify_branch(schemas, branch))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    name_variants(&mut planned)?;
    let plan = Union {
        name: name.to_string(),
        description: map
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        branches: planned,
    };
    Ok(plan)
}

/// Why a branch (`{"$ref": ...}` to an object component that keeps
/// unknown fields, with required properties that tell it apart) can or
/// cannot be decoded in one pass.
fn qualify_branch(
    schemas: &Map<String, Value>,
    branch: &Value,
) -> std::result::Result<Branch, &'static str> {
    let target = branch
        .as_object()
        .filter(|b| b.len() == 1)
        .and_then(|b| b.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .ok_or("a branch is not a lone $ref to a component")?;
    if !is_type_name(target) {
        return Err("a branch's name is not already a Rust type name");
    }
    let body = schemas
        .get(target)
        .and_then(Value::as_object)
        .ok_or("a branch's component is missing")?;
    if body.get("additionalProperties") != Some(&Value::Object(Map::new())) {
        return Err("a branch does not keep unknown fields in `extra`");
    }
    let allowed = [
        "type",
        "title",
        "description",
        "properties",
        "required",
        "additionalProperties",
    ];
    if body.keys().any(|k| !allowed.contains(&k.as_str())) {
        return Err("a branch has keywords besides type, properties and required");
    }
    let properties = body
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
        .ok_or("a branch declares no properties")?;
    let required: Vec<String> = crate::spec::required(body)
        .into_iter()
        .map(str::to_string)
        .collect();
    if required.is_empty() {
        return Err("a branch has no required properties to tell it apart");
    }
    if required.iter().any(|r| !properties.contains_key(r)) {
        return Err("a branch requires a property it does not declare");
    }
    for (prop, prop_schema) in properties {
        if !is_plain_field_name(prop) {
            return Err("a property name is not a plain snake_case Rust field name");
        }
        if prop_schema.get("default").is_some() {
            return Err("a property has a default");
        }
    }
    Ok(Branch {
        type_name: target.to_string(),
        variant: String::new(),
        properties: properties.keys().cloned().collect(),
        required,
    })
}

/// Names variants as typify does for untagged enums: the branch type names
/// without the words they all start with (`ComplianceProfileV1Business`,
/// `ComplianceProfileV1Individual`: `Business`, `Individual`).
fn name_variants(branches: &mut [Branch]) -> std::result::Result<(), &'static str> {
    let words = |name: &str| {
        name.to_kebab_case()
            .split('-')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = words(&branches[0].type_name);
    let common = branches
        .iter()
        .map(|b| {
            words(&b.type_name)
                .iter()
                .zip(&first)
                .take_while(|(a, b)| a == b)
                .count()
        })
        .min()
        .unwrap_or(0);
    let prefix = first[..common].join("-").to_upper_camel_case();
    for branch in branches.iter_mut() {
        branch.variant = branch.type_name[prefix.len()..].to_string();
    }
    let names: BTreeSet<&str> = branches.iter().map(|b| b.variant.as_str()).collect();
    if names.len() != branches.len() || names.iter().any(|n| !is_type_name(n)) {
        // typify would fall back to `Variant0`, `Variant1`, ...
        return Err("the branches' names do not give distinct variant names");
    }
    Ok(())
}

/// A property typify keeps as the field name unchanged, and that cannot
/// clash with the flattened `extra` map.
fn is_plain_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.to_snake_case() == name
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && typify::accept_as_ident(name)
        && name != "extra"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn profile() -> Map<String, Value> {
        schemas(json!({
            "Profile": { "oneOf": [
                { "$ref": "#/components/schemas/ProfileBusiness" },
                { "$ref": "#/components/schemas/ProfileIndividual" }
            ]},
            "ProfileBusiness": {
                "type": "object",
                "properties": { "ein": { "type": "string" }, "website": { "type": "string" } },
                "required": ["ein"],
                "additionalProperties": {}
            },
            "ProfileIndividual": {
                "type": "object",
                "properties": { "ssn": { "type": "string" } },
                "required": ["ssn"],
                "additionalProperties": {}
            }
        }))
    }

    fn check(schemas: &Map<String, Value>) -> std::result::Result<Union, &'static str> {
        qualify(schemas, "Profile", &schemas["Profile"])
    }

    #[test]
    fn a_union_of_objects_with_required_fields_qualifies_in_branch_order() {
        let plan = check(&profile()).expect("qualifies");
        let summary: Vec<(&str, &str, &[String])> = plan
            .branches
            .iter()
            .map(|b| {
                (
                    b.type_name.as_str(),
                    b.variant.as_str(),
                    b.required.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("ProfileBusiness", "Business", &["ein".to_string()][..]),
                ("ProfileIndividual", "Individual", &["ssn".to_string()][..]),
            ]
        );
    }

    #[test]
    fn unions_that_the_decoder_cannot_mirror_keep_the_untagged_derive() {
        type Edit = fn(&mut Map<String, Value>);
        let cases: [(&str, Edit); 5] = [
            ("no required", |s| {
                s["ProfileIndividual"]["required"] = json!([]);
            }),
            ("renamed field", |s| {
                s["ProfileIndividual"]["properties"] = json!({ "tax-id": { "type": "string" } });
                s["ProfileIndividual"]["required"] = json!(["tax-id"]);
            }),
            ("field named extra", |s| {
                s["ProfileBusiness"]["properties"]["extra"] = json!({ "type": "string" });
            }),
            ("closed object", |s| {
                s["ProfileBusiness"]["additionalProperties"] = json!(false);
            }),
            ("inline branch", |s| {
                s["Profile"]["oneOf"][1] = json!({ "type": "object" });
            }),
        ];
        for (what, edit) in cases {
            let mut s = profile();
            edit(&mut s);
            assert!(check(&s).is_err(), "{what} should not qualify");
        }
        let mut with_default = profile();
        with_default["ProfileBusiness"]["properties"]["website"]["default"] = json!("x");
        assert_eq!(check(&with_default), Err("a property has a default"));
    }

    #[test]
    fn a_field_shared_with_different_types_qualifies_each_variant_decodes_its_own() {
        let mut s = profile();
        s["ProfileIndividual"]["properties"]["ein"] = json!({ "type": "integer" });
        let plan = check(&s).expect("qualifies");
        assert_eq!(plan.all_properties(), ["ein", "website", "ssn"]);
    }

    #[test]
    fn only_fields_no_other_variant_declares_are_decoded_directly() {
        let plan = check(&profile()).expect("qualifies");
        assert_eq!(plan.direct_fields(), ["website"]);
        let mut s = profile();
        s["ProfileIndividual"]["properties"]["website"] = json!({ "type": "integer" });
        let plan = check(&s).expect("qualifies");
        assert!(plan.direct_fields().is_empty());
    }

    #[test]
    fn names_typify_would_change_or_the_decoder_uses_do_not_qualify() {
        for (name, why) in [
            (
                "a__b",
                "a property name is not a plain snake_case Rust field name",
            ),
            (
                "tax_id_",
                "a property name is not a plain snake_case Rust field name",
            ),
            (
                "type",
                "a property name is not a plain snake_case Rust field name",
            ),
        ] {
            let mut s = profile();
            s["ProfileBusiness"]["properties"][name] = json!({ "type": "string" });
            assert_eq!(check(&s), Err(why), "{name}");
        }
    }

    #[test]
    fn variants_are_named_as_typify_names_them() {
        let mut s = profile();
        let rename = |s: &mut Map<String, Value>, from: &str, to: &str| {
            let body = s.remove(from).unwrap();
            s.insert(to.to_string(), body);
        };
        rename(&mut s, "ProfileBusiness", "ProfileV1Business");
        rename(&mut s, "ProfileIndividual", "ProfileV1Individual");
        s["Profile"]["oneOf"] = json!([
            { "$ref": "#/components/schemas/ProfileV1Business" },
            { "$ref": "#/components/schemas/ProfileV1Individual" }
        ]);
        let plan = check(&s).expect("qualifies");
        let variants: Vec<&str> = plan.branches.iter().map(|b| b.variant.as_str()).collect();
        assert_eq!(variants, ["Business", "Individual"]);
    }

    #[test]
    fn plan_finds_the_qualifying_unions_of_a_document() {
        let doc = json!({ "components": { "schemas": profile() } });
        let names: Vec<String> = plan(&doc).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Profile"]);
    }
}
