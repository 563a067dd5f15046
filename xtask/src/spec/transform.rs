//! Leniency rules applied to the parsed fragment before generation.
//!
//! Upstream's schemas describe what the API should send; the generated types
//! must accept what it does send. Each rule is one function over the JSON
//! document, documented with the failure it prevents, and tested alone.
//! The one rule that touches operations only names their inline schemas;
//! arguments are still checked against the spec before a request leaves.

use heck::ToUpperCamelCase;
use serde_json::{Map, Value, json};

/// Every rule, in the order the pipeline applies them; each function's
/// documentation says what it changes and why.
pub const RULES: &[fn(&mut Value)] = &[
    describe_parameter_schemas,
    name_inline_operation_schemas,
    name_one_of_branches,
    most_specific_branch_first,
    nullable_at_use_site,
    keep_unknown_fields,
    name_inline_types,
    relax_response_strings,
    describe_undocumented_types,
    document_union_selectors,
    no_client_defaults,
];

/// Applies every rule in order.
pub fn apply_all(doc: &mut Value) {
    for rule in RULES {
        rule(doc);
    }
}

fn schemas_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
}

/// Calls `f` on every schema node below `node`, children before parents.
fn walk_schemas(node: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    match node {
        Value::Object(map) => {
            for value in map.values_mut() {
                walk_schemas(value, f);
            }
            f(map);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk_schemas(v, f)),
        _ => {}
    }
}

fn is_object_schema(map: &Map<String, Value>) -> bool {
    map.get("type").and_then(Value::as_str) == Some("object") || map.contains_key("properties")
}

/// `additionalProperties: false` (or absent) on an object with declared
/// properties becomes `additionalProperties: {}`, which typify turns into a
/// flattened `extra` map: unknown fields are kept instead of rejected or dropped.
///
/// Why: `additionalProperties: false` makes a new API field fail the whole parse;
/// objects keep unknown fields in `extra` and write them back.
pub fn keep_unknown_fields(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    for schema in schemas.values_mut() {
        walk_schemas(schema, &mut |map| {
            if !is_object_schema(map) || !map.contains_key("properties") {
                return;
            }
            match map.get("additionalProperties") {
                None | Some(Value::Bool(_)) => {
                    map.insert("additionalProperties".into(), json!({}));
                }
                Some(_) => {} // a typed map (`metadata`) stays as it is
            }
        });
    }
}

/// Every string `enum` inside a component (a property, an array's items, a
/// map's values, a branch of `allOf`/`oneOf`/`anyOf`, at any depth) becomes
/// a component of its own, named after the path to it: `<Component><Property>`
/// for a property, `..Item` for items, `..Value` for map values,
/// `..Variant<n>` for a branch (`Enum`, then a number, is appended if the name
/// is taken). So does an inline object or `oneOf`/`anyOf` in a property, items
/// or map values (`Type` appended if taken), and the types inside it are named
/// after it. A `nullable` one leaves `nullable` at the use site.
///
/// Why: every string enum, and every inline object or union inside a property,
/// becomes a component named after where it is used (`CustomerV1Status`), as
/// typify would name it: the model makes each enum one open enum
/// (`model/open_enum.rs`) and writes each struct itself (`model/structs.rs`) without losing the
/// inline types typify would have generated with it.
pub fn name_inline_types(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    let mut taken: std::collections::BTreeSet<String> = schemas.keys().cloned().collect();
    let mut hoisted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let base = name.to_upper_camel_case();
        if let Some(map) = schema.as_object_mut() {
            hoist_enums_below(map, &base, &mut taken, &mut hoisted);
        }
    }
    for (name, schema) in hoisted {
        schemas.insert(name, schema);
    }
}

fn hoist_enums_below(
    map: &mut Map<String, Value>,
    base: &str,
    taken: &mut std::collections::BTreeSet<String>,
    hoisted: &mut Vec<(String, Value)>,
) {
    // (name, schema, whether an inline object or union there is hoisted too)
    let mut children: Vec<(String, &mut Value, bool)> = Vec::new();
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => {
                for (prop, schema) in props.iter_mut() {
                    let name = format!("{base}{}", prop.to_upper_camel_case());
                    children.push((name, schema, true));
                }
            }
            ("items", schema @ Value::Object(_)) => {
                children.push((format!("{base}Item"), schema, true))
            }
            ("additionalProperties", schema @ Value::Object(_)) => {
                children.push((format!("{base}Value"), schema, true))
            }
            ("allOf" | "oneOf" | "anyOf", Value::Array(branches)) => {
                for (i, schema) in branches.iter_mut().enumerate() {
                    children.push((format!("{base}Variant{i}"), schema, false));
                }
            }
            _ => {}
        }
    }
    for (name, schema, types_too) in children {
        let Some(child) = schema.as_object_mut() else {
            continue;
        };
        let is_type = types_too
            && !child.contains_key("$ref")
            && ((is_object_schema(child) && child.contains_key("properties"))
                || child.contains_key("oneOf")
                || child.contains_key("anyOf"));
        if !crate::spec::is_string_enum(child) && !is_type {
            hoist_enums_below(child, &name, taken, hoisted);
            continue;
        }
        let suffix = if is_type { "Type" } else { "Enum" };
        let mut unique = name.clone();
        if taken.contains(&unique) {
            unique = format!("{name}{suffix}");
        }
        let mut n = 2;
        while taken.contains(&unique) {
            unique = format!("{name}{suffix}{n}");
            n += 1;
        }
        taken.insert(unique.clone());
        // Inline types inside it are named after it.
        hoist_enums_below(child, &unique, taken, hoisted);
        let mut body = std::mem::take(child);
        let nullable = body.remove("nullable") == Some(Value::Bool(true));
        let reference = json!({ "$ref": format!("#/components/schemas/{unique}") });
        *schema = if nullable {
            json!({ "allOf": [reference], "nullable": true })
        } else {
            reference
        };
        hoisted.push((unique, Value::Object(body)));
    }
}

/// A component schema without a `description` gets one from its uses: "The
/// response of `refreshCustomerReview` (`PUT /v1/customers/{id}/refresh_review`)."
/// for a success body, "An error response of ..." for an error body, else
/// "Used as `CustomerV1.device`." listing the properties (of other
/// components) that refer to it. A component used nowhere keeps none.
///
/// Why: typify documents a component without a description with its own name
/// ("CustomerV1 / CustomerV1" in rustdoc); it gets one saying where it is used
/// (the operation it is the response of, or the fields that hold it).
pub fn describe_undocumented_types(doc: &mut Value) {
    let (responses, errors) = operation_bodies(doc);
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    let uses = property_uses(schemas);
    // At most three named; an error body every operation shares says how many.
    let join = |items: &[String]| match items.split_last() {
        _ if items.len() > 3 => format!("{} and {} more", items[..3].join(", "), items.len() - 3),
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    for (name, schema) in schemas.iter_mut() {
        let Some(map) = schema.as_object_mut() else {
            continue;
        };
        let documented = map
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.trim().is_empty());
        if documented {
            continue;
        }
        let description = if let Some(ops) = responses.get(name) {
            format!("The response of {}.", join(ops))
        } else if let Some(ops) = errors.get(name) {
            format!("The body of an error response of {}.", join(ops))
        } else if let Some(at) = uses.get(name) {
            format!("Used as {}.", join(at))
        } else {
            continue;
        };
        map.insert("description".into(), Value::String(description));
    }
}

/// Components by name, each with the operations whose success body (first
/// map) or error body (second) it is: "`Id` (`PUT /path`)".
type Uses = std::collections::BTreeMap<String, Vec<String>>;

fn operation_bodies(doc: &Value) -> (Uses, Uses) {
    let (mut responses, mut errors) = (Uses::new(), Uses::new());
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !crate::spec::load::METHODS.contains(&method.as_str()) {
                continue;
            }
            let name = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(String::new, |id| format!("`{id}` "));
            let label = format!("{name}(`{} {path}`)", method.to_uppercase());
            let statuses = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten();
            for (status, response) in statuses {
                let media = response
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|c| c.values());
                for target in media.filter_map(|m| m.get("schema")).filter_map(ref_target) {
                    let into = if status.starts_with('2') {
                        &mut responses
                    } else {
                        &mut errors
                    };
                    let list = into.entry(target).or_default();
                    if !list.contains(&label) {
                        list.push(label.clone());
                    }
                }
            }
        }
    }
    (responses, errors)
}

/// Components by name, each with the properties of other components that
/// refer to it: "`CustomerV1.device`".
fn property_uses(schemas: &Map<String, Value>) -> Uses {
    let mut uses = Uses::new();
    for (owner, schema) in schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (prop, prop_schema) in props {
            let mut refs = Vec::new();
            collect_refs(prop_schema, &mut refs);
            for target in refs {
                let list = uses.entry(target).or_default();
                let at = format!("`{owner}.{prop}`");
                if !list.contains(&at) {
                    list.push(at);
                }
            }
        }
    }
    uses
}

/// The component a `{"$ref": "#/components/schemas/X"}` names.
fn ref_target(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string)
}

/// Every component a schema refers to, at any depth.
fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(t) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(t.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// In each branch of a component's `oneOf` (a `$ref` to an object component
/// with required properties), a required `nullable` property's description
/// says that it is always present in that variant and that its presence
/// (even as `null`) is what selects it.
///
/// Why: a union branch's required nullable fields read as optional
/// (`Option<String>`) although their presence is what selects the branch; their
/// documentation says so.
pub fn document_union_selectors(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    let mut branches: Vec<(String, String)> = Vec::new(); // (branch component, union)
    for (name, schema) in schemas.iter() {
        for branch in schema
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(t) = branch
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                branches.push((t.to_string(), name.clone()));
            }
        }
    }
    for (branch, union) in branches {
        let Some(map) = schemas.get_mut(&branch).and_then(Value::as_object_mut) else {
            continue;
        };
        let required: Vec<String> = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for name in &required {
            let Some(prop) = props.get_mut(name).and_then(Value::as_object_mut) else {
                continue;
            };
            if prop.get("nullable") != Some(&Value::Bool(true)) {
                continue;
            }
            let note = format!(
                "Always sent in this variant of `{union}`: the key's presence, even as `null`, \
                 selects it; `None` means the server sent `null`."
            );
            let description = match prop.get("description").and_then(Value::as_str) {
                Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
                _ => note,
            };
            prop.insert("description".into(), Value::String(description));
        }
    }
}

/// Inside component schemas: removes every `default`. A property's default
/// is appended to its description ("When omitted, the API uses `USD`."), as
/// that is what it means for a request; a type's own default (an enum's
/// `verified`) says nothing about any one value and is dropped.
///
/// Why: a schema `default` is what the server assumes when a value is omitted;
/// typify would fill it in on decoding (an absent `currency` read back as
/// `USD`) or derive `Default` (a customer `verified` out of nothing), so
/// defaults are dropped and a property's default is said in its documentation
/// instead.
pub fn no_client_defaults(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    for schema in schemas.values_mut() {
        if let Some(map) = schema.as_object_mut() {
            drop_defaults(map);
        }
    }
}

/// [`no_client_defaults`] on one schema and the schemas inside it, by
/// structure (a property named `default` is not a default).
fn drop_defaults(map: &mut Map<String, Value>) {
    map.remove("default");
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for prop in props.values_mut().filter_map(Value::as_object_mut) {
            if let Some(default) = prop.remove("default") {
                let shown = match &default {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let note = format!("When omitted, the API uses `{shown}`.");
                let description = match prop.get("description").and_then(Value::as_str) {
                    Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
                    _ => note,
                };
                prop.insert("description".into(), Value::String(description));
            }
            drop_defaults(prop);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(Value::Object(inner)) = map.get_mut(key) {
            drop_defaults(inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            branches
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(drop_defaults);
        }
    }
}

/// Inside component schemas: drops `pattern`, `minLength` and `maxLength`,
/// and the string formats that typify would parse strictly (`date`, `ipv4`,
/// `ipv6`), so masked or unexpected strings are kept as `String`. `uuid` and
/// `date-time` stay typed: the API never masks them.
///
/// Why: responses mask PII (`dob: ****-**-**`, `ein: **-*******`) against their
/// declared `format`/`pattern`; schema strings are not validated on the way in.
pub fn relax_response_strings(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    for schema in schemas.values_mut() {
        walk_schemas(schema, &mut |map| {
            if map.get("type").and_then(Value::as_str) != Some("string") {
                return;
            }
            for key in ["pattern", "minLength", "maxLength"] {
                map.remove(key);
            }
            if matches!(
                map.get("format").and_then(Value::as_str),
                Some("date" | "ipv4" | "ipv6")
            ) {
                map.remove("format");
            }
        });
    }
}

/// A parameter's `description` is copied onto its inline `schema` when the
/// schema has none (a `$ref` is left alone), so the type generated from the
/// schema carries it.
///
/// Why: a parameter's description sits beside its schema, so the type typify makes
/// of the schema (`RefreshCustomerReviewIdempotencyKey`) was documented with
/// its own name; the description is copied onto a schema that has none.
pub fn describe_parameter_schemas(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (key, value) in item.iter_mut() {
            let parameters = if key == "parameters" {
                value.as_array_mut()
            } else if crate::spec::load::METHODS.contains(&key.as_str()) {
                value.get_mut("parameters").and_then(Value::as_array_mut)
            } else {
                None
            };
            for parameter in parameters.into_iter().flatten() {
                let Some(description) = parameter
                    .get("description")
                    .and_then(Value::as_str)
                    .filter(|d| !d.trim().is_empty())
                    .map(str::to_string)
                else {
                    continue;
                };
                let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                if !schema.contains_key("$ref") && !schema.contains_key("description") {
                    schema.insert("description".into(), Value::String(description));
                }
            }
        }
    }
}

/// Inline schemas of operations become components named after the
/// operation: a parameter's string `enum` (or an array's enum items) as
/// `<OperationId><Parameter>`, a JSON request body that is not a `$ref` as
/// `<OperationId>Body`, and a JSON success body as `<OperationId>Response`.
/// An existing component of the same name is never replaced.
///
/// Why: inline enums of parameters, inline request bodies and inline success bodies
/// become components named after the operation, so each is one named type the
/// request builder can take or return (`ListCustomersSortBy`,
/// `CreateThingBody`).
pub fn name_inline_operation_schemas(doc: &mut Value) {
    let taken: std::collections::BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut hoister = Hoister {
        taken,
        hoisted: Vec::new(),
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if !crate::spec::load::METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            let Some(id) = operation
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_upper_camel_case)
            else {
                continue;
            };
            hoist_parameter_enums(operation, &id, &mut hoister);
            let mut operation_value = Value::Object(std::mem::take(operation));
            hoist_bodies(&mut operation_value, &id, &mut hoister);
            if let Value::Object(map) = operation_value {
                *operation = map;
            }
        }
    }
    add_components(doc, hoister.hoisted);
}

/// Inline schemas moved out of operations, under names not yet taken.
struct Hoister {
    taken: std::collections::BTreeSet<String>,
    hoisted: Vec<(String, Value)>,
}

impl Hoister {
    /// Moves the schema in `slot` out as the component `name`, leaving a
    /// `$ref` to it; false (and nothing moved) if the name is taken.
    fn hoist(&mut self, slot: &mut Value, name: String) -> bool {
        if self.taken.contains(&name) || self.hoisted.iter().any(|(n, _)| *n == name) {
            return false;
        }
        let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
        let schema = std::mem::replace(slot, reference);
        self.hoisted.push((name, schema));
        true
    }
}

/// A parameter's inline `enum` (or array of enum items) becomes
/// `<OperationId><Parameter>`.
fn hoist_parameter_enums(operation: &mut Map<String, Value>, id: &str, hoister: &mut Hoister) {
    let parameters = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut);
    for parameter in parameters.into_iter().flatten() {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_upper_camel_case)
            .unwrap_or_default();
        let Some(schema) = parameter.get_mut("schema") else {
            continue;
        };
        let slot = if schema.get("type").and_then(Value::as_str) == Some("array") {
            schema.get_mut("items")
        } else {
            Some(schema)
        };
        if let Some(slot) = slot.filter(|s| s.get("enum").is_some()) {
            hoister.hoist(slot, format!("{id}{name}"));
        }
    }
}

/// An inline JSON request body becomes `<OperationId>Body`, an inline JSON
/// success body `<OperationId>Response`; every JSON media type of the body
/// names the same component.
fn hoist_bodies(operation: &mut Value, id: &str, hoister: &mut Hoister) {
    let bodies = [
        ("/requestBody/content", "Body"),
        ("/responses/200/content", "Response"),
        ("/responses/201/content", "Response"),
        ("/responses/202/content", "Response"),
    ];
    for (at, suffix) in bodies {
        let Some(content) = operation.pointer_mut(at).and_then(Value::as_object_mut) else {
            continue;
        };
        let json_media: Vec<String> = content
            .keys()
            .filter(|m| is_json_media(m))
            .cloned()
            .collect();
        let inline = json_media.iter().find(|m| {
            content[m.as_str()]
                .get("schema")
                .is_some_and(|s| s.get("$ref").is_none())
        });
        let Some(schema) = inline
            .cloned()
            .and_then(|m| content.get_mut(&m))
            .and_then(|body| body.get_mut("schema"))
        else {
            continue;
        };
        if !hoister.hoist(schema, format!("{id}{suffix}")) {
            continue;
        }
        let reference = schema.clone();
        for media in &json_media {
            if let Some(s) = content.get_mut(media).and_then(|b| b.get_mut("schema")) {
                *s = reference.clone();
            }
        }
    }
}

/// Adds `hoisted` to the document's component schemas.
fn add_components(doc: &mut Value, hoisted: Vec<(String, Value)>) {
    if hoisted.is_empty() {
        return;
    }
    let components = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})));
    let Some(schemas) = components
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in hoisted {
        schemas.insert(name, schema);
    }
}

fn is_json_media(media: &str) -> bool {
    media == "application/json" || media == "text/json" || media.ends_with("+json")
}

/// Inline object branches of a component's `oneOf` become components of
/// their own, named `<Component><Distinct title words>`
/// (`ComplianceProfileV1Individual`), and the `oneOf` refers to them.
///
/// Why: inline `oneOf` branches become components named after their titles, so the
/// union is `Individual(..)` / `Business(..)` rather than struct-like variants.
pub fn name_one_of_branches(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    let mut hoisted = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(branches) = schema.get_mut("oneOf").and_then(Value::as_array_mut) else {
            continue;
        };
        let titles: Vec<Vec<String>> = branches
            .iter()
            .map(|b| {
                b.get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        let all_objects = branches.iter().all(|b| {
            b.as_object()
                .is_some_and(|m| is_object_schema(m) && !m.contains_key("$ref"))
        });
        if !all_objects || titles.iter().any(Vec::is_empty) {
            continue;
        }
        let shared: Vec<&String> = titles[0]
            .iter()
            .filter(|w| titles.iter().all(|t| t.contains(w)))
            .collect();
        let names: Vec<String> = titles
            .iter()
            .map(|t| {
                let distinct: Vec<&str> = t
                    .iter()
                    .filter(|w| !shared.contains(w))
                    .map(String::as_str)
                    .collect();
                format!("{name}{}", distinct.join(" ").to_upper_camel_case())
            })
            .collect();
        let unique = names
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            == names.len();
        if !unique || names.iter().any(|n| n == name) {
            continue;
        }
        for (branch, branch_name) in branches.iter_mut().zip(names) {
            let body = std::mem::replace(
                branch,
                json!({ "$ref": format!("#/components/schemas/{branch_name}") }),
            );
            hoisted.push((branch_name, body));
        }
    }
    for (name, body) in hoisted {
        schemas.insert(name, body);
    }
}

/// Orders the branches of every `oneOf` without a discriminator by how many
/// properties they declare, most first (stable for ties): serde tries
/// untagged variants in order, and a branch that keeps unknown fields would
/// otherwise accept a richer branch's payload and hide its fields in `extra`.
///
/// Why: untagged unions are tried in order; with unknown fields kept, a branch with
/// fewer properties would swallow payloads of a richer one.
pub fn most_specific_branch_first(doc: &mut Value) {
    let snapshot = doc.clone();
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    for schema in schemas.values_mut() {
        if schema.get("discriminator").is_some() {
            continue;
        }
        let Some(branches) = schema.get_mut("oneOf").and_then(Value::as_array_mut) else {
            continue;
        };
        let count = |b: &Value| -> usize {
            let target = match b.get("$ref").and_then(Value::as_str) {
                Some(r) => crate::spec::load::resolve(&snapshot, r).unwrap_or(b),
                None => b,
            };
            target
                .get("properties")
                .and_then(Value::as_object)
                .map_or(0, Map::len)
        };
        branches.sort_by_key(|b| std::cmp::Reverse(count(b)));
    }
}

/// A component schema marked `nullable` loses the mark, and every `$ref` to
/// it (or a `$ref` with a `nullable: true` sibling, which OpenAPI 3.0
/// ignores) becomes `allOf: [$ref]` with `nullable: true`: optional or null
/// is said once, where the value is used, as `Option<T>`.
///
/// Why: a nullable component becomes a newtype around `Option`; nullability moves to
/// the properties that use it, so fields are plain `Option<AddressV11>`.
pub fn nullable_at_use_site(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    let mut nullable = std::collections::BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(map) = schema.as_object_mut()
            && map.get("nullable") == Some(&Value::Bool(true))
            && is_object_schema(map)
        {
            map.remove("nullable");
            nullable.insert(format!("#/components/schemas/{name}"));
        }
    }
    for schema in schemas.values_mut() {
        walk_schemas(schema, &mut |map| {
            let Some(target) = map.get("$ref").and_then(Value::as_str).map(str::to_string) else {
                return;
            };
            let sibling_nullable = map.get("nullable") == Some(&Value::Bool(true));
            if !sibling_nullable && !nullable.contains(&target) {
                return;
            }
            map.remove("$ref");
            map.insert("allOf".into(), json!([{ "$ref": target }]));
            map.insert("nullable".into(), Value::Bool(true));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({ "components": { "schemas": schemas } })
    }

    #[test]
    fn keep_unknown_fields_opens_closed_objects_but_leaves_typed_maps() {
        let mut d = doc(json!({
            "A": { "type": "object", "properties": { "x": {} }, "additionalProperties": false },
            "B": { "type": "object", "properties": { "m": { "type": "object", "additionalProperties": { "type": "string" } } } }
        }));
        keep_unknown_fields(&mut d);
        assert_eq!(
            d.pointer("/components/schemas/A/additionalProperties"),
            Some(&json!({}))
        );
        assert_eq!(
            d.pointer("/components/schemas/B/additionalProperties"),
            Some(&json!({}))
        );
        assert_eq!(
            d.pointer("/components/schemas/B/properties/m/additionalProperties"),
            Some(&json!({ "type": "string" }))
        );
    }

    #[test]
    fn name_inline_types_makes_every_inline_enum_and_object_a_component_named_by_its_path() {
        let mut d = doc(json!({
            "Thing": { "type": "object", "properties": {
                "status": { "type": "string", "enum": ["a"], "description": "S." },
                "colors": { "type": "array", "items": { "enum": ["red"] } },
                "mode": { "type": "string", "enum": ["x"], "nullable": true },
                "inner": { "type": "object", "properties": { "kind": { "enum": ["k"] } } }
            } },
            "ThingStatus": { "type": "object" },
            "Level": { "type": "string", "enum": ["hi"] }
        }));
        name_inline_types(&mut d);
        let s = &d["components"]["schemas"];
        let p = &s["Thing"]["properties"];
        assert_eq!(
            p["status"],
            json!({ "$ref": "#/components/schemas/ThingStatusEnum" })
        );
        assert_eq!(
            s["ThingStatusEnum"],
            json!({ "type": "string", "enum": ["a"], "description": "S." })
        );
        assert_eq!(
            p["colors"]["items"],
            json!({ "$ref": "#/components/schemas/ThingColorsItem" })
        );
        assert_eq!(
            p["mode"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/ThingMode" }], "nullable": true })
        );
        assert_eq!(s["ThingMode"], json!({ "type": "string", "enum": ["x"] }));
        assert_eq!(
            p["inner"],
            json!({ "$ref": "#/components/schemas/ThingInner" })
        );
        assert_eq!(
            s["ThingInner"]["properties"]["kind"],
            json!({ "$ref": "#/components/schemas/ThingInnerKind" })
        );
        assert_eq!(
            s["Level"],
            json!({ "type": "string", "enum": ["hi"] }),
            "a component stays"
        );
    }

    #[test]
    fn undocumented_types_are_described_by_their_uses_never_their_name() {
        let mut d = json!({
            "paths": { "/things/{id}": { "get": {
                "operationId": "getThing",
                "responses": {
                    "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingResponse" } } } },
                    "404": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                }
            } } },
            "components": { "schemas": {
                "ThingResponse": { "type": "object", "properties": { "data": { "$ref": "#/components/schemas/Thing" } } },
                "Problem": { "type": "object", "properties": {} },
                "Thing": { "type": "object", "properties": { "parts": { "type": "array", "items": { "$ref": "#/components/schemas/Part" } } } },
                "Part": { "type": "object", "description": "A part." },
                "Lonely": { "type": "object" }
            } }
        });
        describe_undocumented_types(&mut d);
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["ThingResponse"]["description"],
            "The response of `getThing` (`GET /things/{id}`)."
        );
        assert_eq!(
            s["Problem"]["description"],
            "The body of an error response of `getThing` (`GET /things/{id}`)."
        );
        assert_eq!(s["Thing"]["description"], "Used as `ThingResponse.data`.");
        assert_eq!(s["Part"]["description"], "A part.");
        assert!(s["Lonely"].get("description").is_none());
    }

    #[test]
    fn a_union_branchs_required_nullable_fields_say_they_select_it() {
        let mut d = doc(json!({
            "Profile": { "oneOf": [{ "$ref": "#/components/schemas/Company" }] },
            "Company": { "type": "object", "required": ["ein", "name"], "properties": {
                "ein": { "type": "string", "nullable": true, "description": "Tax id." },
                "name": { "type": "string" },
                "site": { "type": "string", "nullable": true }
            } }
        }));
        document_union_selectors(&mut d);
        let p = &d["components"]["schemas"]["Company"]["properties"];
        assert_eq!(
            p["ein"]["description"],
            "Tax id.\n\nAlways sent in this variant of `Profile`: the key's presence, even as \
             `null`, selects it; `None` means the server sent `null`."
        );
        assert!(p["name"].get("description").is_none(), "not nullable");
        assert!(p["site"].get("description").is_none(), "not required");
    }

    #[test]
    fn a_parameters_description_documents_its_inline_schema() {
        let mut d = json!({ "paths": { "/x": { "put": { "parameters": [
            { "name": "Key", "in": "header", "description": "Idempotency.", "schema": { "type": "string", "maxLength": 40 } },
            { "name": "Id", "in": "path", "description": "Id.", "schema": { "$ref": "#/components/schemas/Id" } },
            { "name": "Q", "in": "query", "description": "Q.", "schema": { "type": "string", "description": "Own." } }
        ] } } } });
        describe_parameter_schemas(&mut d);
        let p = &d["paths"]["/x"]["put"]["parameters"];
        assert_eq!(p[0]["schema"]["description"], "Idempotency.");
        assert!(p[1]["schema"].get("description").is_none());
        assert_eq!(p[2]["schema"]["description"], "Own.");
    }

    #[test]
    fn no_client_defaults_drops_defaults_and_documents_a_propertys() {
        let mut d = doc(json!({
            "Status": { "type": "string", "enum": ["verified", "pending"], "default": "verified" },
            "Charge": { "type": "object", "properties": {
                "currency": { "type": "string", "default": "USD", "description": "Currency." },
                "count": { "type": "integer", "default": 1 },
                "default": { "type": "boolean" }
            } }
        }));
        no_client_defaults(&mut d);
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Status"],
            json!({ "type": "string", "enum": ["verified", "pending"] })
        );
        assert_eq!(
            s["Charge"]["properties"]["currency"],
            json!({ "type": "string", "description": "Currency.\n\nWhen omitted, the API uses `USD`." })
        );
        assert_eq!(
            s["Charge"]["properties"]["count"],
            json!({ "type": "integer", "description": "When omitted, the API uses `1`." })
        );
        assert_eq!(
            s["Charge"]["properties"]["default"],
            json!({ "type": "boolean" })
        );
    }

    #[test]
    fn relax_response_strings_drops_checks_masked_values_fail_but_keeps_uuid() {
        let mut d = doc(json!({ "P": { "type": "object", "properties": {
            "dob": { "type": "string", "format": "date" },
            "ein": { "type": "string", "pattern": "^x$", "maxLength": 3 },
            "id": { "type": "string", "format": "uuid" }
        } } }));
        relax_response_strings(&mut d);
        let p = &d["components"]["schemas"]["P"]["properties"];
        assert_eq!(p["dob"], json!({ "type": "string" }));
        assert_eq!(p["ein"], json!({ "type": "string" }));
        assert_eq!(p["id"]["format"], "uuid");
    }

    #[test]
    fn name_one_of_branches_hoists_titled_branches_under_distinct_names() {
        let mut d = doc(json!({ "Profile": { "oneOf": [
            { "type": "object", "title": "Person Profile", "properties": { "a": {} } },
            { "type": "object", "title": "Company Profile", "properties": { "b": {} } }
        ] } }));
        name_one_of_branches(&mut d);
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Profile"]["oneOf"][0],
            json!({ "$ref": "#/components/schemas/ProfilePerson" })
        );
        assert_eq!(s["ProfileCompany"]["title"], "Company Profile");
    }

    #[test]
    fn most_specific_branch_first_orders_by_declared_properties() {
        let mut d = doc(json!({
            "U": { "oneOf": [ { "$ref": "#/components/schemas/Small" }, { "$ref": "#/components/schemas/Big" } ] },
            "Small": { "type": "object", "properties": { "a": {} } },
            "Big": { "type": "object", "properties": { "a": {}, "b": {} } }
        }));
        most_specific_branch_first(&mut d);
        assert_eq!(
            d["components"]["schemas"]["U"]["oneOf"][0]["$ref"],
            "#/components/schemas/Big"
        );
    }

    #[test]
    fn nullable_at_use_site_moves_nullability_to_the_reference() {
        let mut d = doc(json!({
            "Place": { "type": "object", "nullable": true, "properties": { "c": {} } },
            "T": { "type": "object", "properties": { "p": { "$ref": "#/components/schemas/Place" } } }
        }));
        nullable_at_use_site(&mut d);
        let s = &d["components"]["schemas"];
        assert!(s["Place"].get("nullable").is_none());
        assert_eq!(
            s["T"]["properties"]["p"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/Place" }], "nullable": true })
        );
    }
}
