//! An operation as the SDK exposes it: where it sits in the resource tree,
//! its arguments (each with its place on the wire, its type and the check
//! the spec asks for), its JSON body with a setter per property, its
//! success response and, for a list, how it pages. Every check on an
//! operation happens here, with the JSON pointer of what it is about.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    IntegerFormat, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, Schema,
    SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use crate::error::{Result, XtaskError, escape_token, pointer};
use crate::model::structs::Struct;
use crate::model::ty::Ty;
use crate::names::field_name;
use crate::spec::Spec;
use crate::spec::operations;

/// Names a parameter or body property may not take: the methods every
/// operation's request builder has (see `straddle-sdk/src/request.rs`; a
/// test checks this list against the runtime).
pub const RESERVED: &[&str] = &[
    "body",
    "header",
    "into_stream",
    "max_retries",
    "send",
    "send_with_response",
    "timeout",
    "total_timeout",
];

/// One exposed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's operationId (`RefreshCustomerReview`).
    pub id: String,
    /// The HTTP method, upper case (`PUT`).
    pub method: String,
    /// The path template as the spec writes it.
    pub path: String,
    /// The resource path (`["customers", "review"]`).
    pub resource: Vec<String>,
    /// The method name on the resource (`refresh_review`).
    pub name: String,
    /// The operation's summary and description, as paragraphs.
    pub docs: Vec<String>,
    /// Its parameters: the operation's, then the path item's it does not redeclare.
    pub args: Vec<Arg>,
    /// Its JSON request body.
    pub body: Option<Body>,
    /// What it answers with on success.
    pub response: Response,
    /// How it pages, for a list operation.
    pub pagination: Option<Pagination>,
}

/// Where an argument travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{name}` of the path template.
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
}

/// What the spec says an argument's text must be, checked before sending
/// (the runtime's `straddle_sdk::Check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Anything its type can hold.
    Any,
    /// A UUID.
    Uuid,
    /// A string of `min` to `max` characters.
    Length(Option<usize>, Option<usize>),
}

/// How a query argument with several values is written (the runtime's
/// `straddle_sdk::Style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `name=a&name=b`.
    FormExploded,
    /// `name=a,b`.
    FormJoined,
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The name in the spec (`Straddle-Account-Id`).
    pub wire: String,
    /// The Rust name (`straddle_account_id`).
    pub name: String,
    /// Its description.
    pub doc: Option<String>,
    /// The type the request stores.
    pub ty: Ty,
    /// What its text must be.
    pub check: Check,
    /// How several values are written.
    pub style: Style,
    /// Whether it is an argument of the resource method (else a setter).
    pub required: bool,
    /// Where it travels.
    pub location: Location,
    /// The JSON pointer of its schema.
    pub schema_at: String,
    /// Whether it holds what identifies a person or an account: `Debug`
    /// prints it redacted.
    pub sensitive: bool,
}

/// The JSON request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Its type (a component).
    pub ty: Ty,
    /// The JSON pointer of its schema.
    pub schema_at: String,
    /// Whether the spec requires a body.
    pub required: bool,
    /// A setter per top-level property, when the body is an object.
    pub properties: Vec<BodyProperty>,
}

/// One top-level property of an object body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyProperty {
    /// The name on the wire.
    pub wire: String,
    /// The setter's name (the struct's field name).
    pub setter: String,
    /// What the setter takes.
    pub ty: Ty,
    /// Whether the body must have it.
    pub required: bool,
    /// Its description.
    pub doc: Option<String>,
}

/// What an operation answers with on success.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The body's type: [`Ty::Unit`], a component, or [`Ty::Json`].
    pub ty: Ty,
    /// The documented success status: the lowest 2xx declared.
    pub status: u16,
    /// The JSON pointer of the body's schema, if it declares one.
    pub schema_at: Option<String>,
}

/// Page-number pagination of a list operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The type of an item of `data`.
    pub item: Ty,
    /// Whether `page_number` is a required argument.
    pub page_argument_required: bool,
    /// The fields of the response's `meta` that say where the page is
    /// (`page_number`, `page_size`, `total_items`, `total_pages`).
    pub meta_fields: Vec<&'static str>,
}

/// Media types read as JSON, in order of preference.
const JSON_TYPES: &[&str] = &["application/json", "text/json"];

/// The operation `entry` of `operations.toml` as the spec describes it.
/// `structs` are the model's structs (body and list types).
pub fn build(
    spec: &Spec,
    entry: &operations::Operation,
    structs: &[Struct],
    sensitive: &std::collections::BTreeSet<String>,
) -> Result<Operation> {
    let at = pointer(["paths", entry.path.as_str(), entry.method.as_str()]);
    let operation = find(spec, entry).ok_or_else(|| {
        XtaskError::at(
            &spec.file,
            at.clone(),
            "operations.toml names an operation the fragment does not have; run `cargo xtask spec extract`",
        )
    })?;
    let id = operation
        .operation_id
        .clone()
        .ok_or_else(|| XtaskError::at(&spec.file, at.clone(), "operation has no operationId"))?;
    let mut args = args(spec, entry, operation, &at)?;
    for arg in &mut args {
        arg.sensitive = sensitive.contains(&arg.wire) && crate::model::structs::is_text(&arg.ty);
    }
    let response = response(spec, &at, operation)?;
    let body = body(spec, &at, operation, structs)?;
    let pagination = pagination(&args, &response, structs);
    check_names(spec, &at, &args, body.as_ref())?;
    check_placeholders(spec, &at, &entry.path, &args)?;
    Ok(Operation {
        id,
        method: entry.method.to_uppercase(),
        path: entry.path.clone(),
        resource: entry
            .resource_path()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        name: entry.name.clone(),
        docs: operation
            .summary
            .iter()
            .chain(&operation.description)
            .cloned()
            .collect(),
        args,
        body,
        response,
        pagination,
    })
}

fn find<'a>(spec: &'a Spec, entry: &operations::Operation) -> Option<&'a openapiv3::Operation> {
    let item = spec.api.paths.paths.get(&entry.path)?.as_item()?;
    item.iter()
        .find(|(method, _)| *method == entry.method)
        .map(|(_, operation)| operation)
}

/// The operation's parameters, then the path item's that it does not
/// redeclare.
fn args(
    spec: &Spec,
    entry: &operations::Operation,
    operation: &openapiv3::Operation,
    at: &str,
) -> Result<Vec<Arg>> {
    let mut args: Vec<Arg> = Vec::new();
    for (i, p) in operation.parameters.iter().enumerate() {
        let p_at = format!("{at}/parameters/{i}");
        args.push(arg(spec, &p_at, inline(spec, &p_at, "parameter", p)?)?);
    }
    let item = spec
        .api
        .paths
        .paths
        .get(&entry.path)
        .and_then(ReferenceOr::as_item);
    let item_parameters = item.map(|i| i.parameters.as_slice()).unwrap_or_default();
    for (i, p) in item_parameters.iter().enumerate() {
        let p_at = format!("{}/parameters/{i}", pointer(["paths", entry.path.as_str()]));
        let a = arg(spec, &p_at, inline(spec, &p_at, "parameter", p)?)?;
        if !args
            .iter()
            .any(|b| b.wire == a.wire && b.location == a.location)
        {
            args.push(a);
        }
    }
    Ok(args)
}

fn arg(spec: &Spec, at: &str, parameter: &Parameter) -> Result<Arg> {
    let (data, location, style) = match parameter {
        Parameter::Path { parameter_data, .. } => (parameter_data, Location::Path, None),
        Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header, None),
        Parameter::Query {
            parameter_data,
            style,
            ..
        } => (parameter_data, Location::Query, Some(style)),
        Parameter::Cookie { .. } => {
            return Err(XtaskError::at(
                &spec.file,
                at,
                "cookie parameters are not supported",
            ));
        }
    };
    let fail = |at: String, what: String| {
        XtaskError::at(&spec.file, at, format!("parameter {:?}: {what}", data.name))
    };
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return Err(fail(
            at.to_string(),
            "parameters with `content` are not supported".into(),
        ));
    };
    let schema_at = format!("{at}/schema");
    let (ty, check) = param_type(spec, &schema_at, &data.name, schema)?;
    let style = match style {
        Some(QueryStyle::Form) | None if data.explode == Some(false) => Style::FormJoined,
        Some(QueryStyle::Form) | None => Style::FormExploded,
        Some(other) => {
            return Err(fail(
                format!("{at}/style"),
                format!("query style {other:?} is not supported (only `form`)"),
            ));
        }
    };
    // Header names travel as the spec writes them: check them here, once.
    if location == Location::Header && !is_header_token(&data.name) {
        return Err(fail(at.to_string(), "not a valid HTTP header name".into()));
    }
    Ok(Arg {
        wire: data.name.clone(),
        name: field_name(&data.name),
        doc: data.description.clone(),
        ty,
        check,
        style,
        // A path parameter is always required, whatever the spec says.
        required: data.required || location == Location::Path,
        location,
        schema_at,
        sensitive: false,
    })
}

/// The stored type and check of a parameter whose schema is `schema`.
fn param_type(
    spec: &Spec,
    at: &str,
    name: &str,
    schema: &ReferenceOr<Schema>,
) -> Result<(Ty, Check)> {
    let unsupported = |what: &str| {
        XtaskError::at(
            &spec.file,
            at,
            format!("parameter {name:?}: {what} parameters are not supported"),
        )
    };
    let schema = match schema {
        ReferenceOr::Reference { reference } => {
            return Ok((Ty::Named(ref_name(reference).into()), Check::Any));
        }
        ReferenceOr::Item(schema) => schema,
    };
    Ok(match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => {
            if !string.enumeration.is_empty() {
                // The transform names inline enums; one left here was missed.
                return Err(unsupported("inline enum"));
            }
            match &string.format {
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => (Ty::UuidArg, Check::Uuid),
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => (Ty::Date, Check::Any),
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => (Ty::DateTime, Check::Any),
                _ => match (string.min_length, string.max_length) {
                    (None, None) => (Ty::String, Check::Any),
                    (min, max) => (Ty::String, Check::Length(min, max)),
                },
            }
        }
        SchemaKind::Type(Type::Integer(integer)) => match &integer.format {
            VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => {
                (Ty::Number("i32".into()), Check::Any)
            }
            _ => (Ty::Number("i64".into()), Check::Any),
        },
        SchemaKind::Type(Type::Number(_)) => (Ty::Number("f64".into()), Check::Any),
        SchemaKind::Type(Type::Boolean(_)) => (Ty::Bool, Check::Any),
        SchemaKind::Type(Type::Array(array)) => {
            let Some(items) = &array.items else {
                return Err(unsupported("untyped array"));
            };
            let (item, check) =
                param_type(spec, &format!("{at}/items"), name, &items.clone().unbox())?;
            (Ty::Vec(Box::new(item)), check)
        }
        SchemaKind::Type(Type::Object(_)) => return Err(unsupported("object")),
        _ => return Err(unsupported("untyped or composite")),
    })
}

/// The lowest 2xx response declared; every 2xx must have the same body.
fn response(spec: &Spec, at: &str, operation: &openapiv3::Operation) -> Result<Response> {
    let mut found: Option<Response> = None;
    for (code, response) in &operation.responses.responses {
        let openapiv3::StatusCode::Code(code) = code else {
            continue;
        };
        if !(200..300).contains(code) {
            continue;
        }
        let at = format!("{at}/responses/{code}");
        let this = success_body(spec, &at, *code, inline(spec, &at, "response", response)?)?;
        match &found {
            None => found = Some(this),
            Some(seen) if seen.ty != this.ty => {
                return Err(XtaskError::at(
                    &spec.file,
                    at,
                    format!(
                        "success responses {} and {code} have different bodies; only one success body type is supported",
                        seen.status
                    ),
                ));
            }
            Some(seen) if this.status < seen.status => found = Some(this),
            Some(_) => {}
        }
    }
    found.ok_or_else(|| {
        XtaskError::at(
            &spec.file,
            format!("{at}/responses"),
            "the operation declares no 2xx response",
        )
    })
}

fn success_body(
    spec: &Spec,
    at: &str,
    status: u16,
    response: &openapiv3::Response,
) -> Result<Response> {
    let media = JSON_TYPES
        .iter()
        .find_map(|t| response.content.get_key_value(*t))
        .or_else(|| response.content.iter().find(|(t, _)| t.ends_with("+json")));
    let Some((media_type, media)) = media else {
        if response.content.is_empty() {
            return Ok(Response {
                ty: Ty::Unit,
                status,
                schema_at: None,
            });
        }
        return Err(XtaskError::at(
            &spec.file,
            format!("{at}/content"),
            "only JSON success bodies are supported (the response declares no JSON media type)",
        ));
    };
    let schema_at = format!("{at}/content/{}/schema", escape_token(media_type));
    match &media.schema {
        Some(ReferenceOr::Reference { reference }) => Ok(Response {
            ty: Ty::Named(ref_name(reference).into()),
            status,
            schema_at: Some(schema_at),
        }),
        None => Ok(Response {
            ty: Ty::Json,
            status,
            schema_at: None,
        }),
        Some(ReferenceOr::Item(_)) => Err(XtaskError::at(
            &spec.file,
            format!("{at}/content"),
            "an inline success schema was left unnamed by the transform",
        )),
    }
}

/// The JSON request body, with a setter per top-level property of an
/// object body (typed as the model's struct field).
fn body(
    spec: &Spec,
    at: &str,
    operation: &openapiv3::Operation,
    structs: &[Struct],
) -> Result<Option<Body>> {
    let Some(request_body) = &operation.request_body else {
        return Ok(None);
    };
    let at = format!("{at}/requestBody");
    let request_body = inline(spec, &at, "request body", request_body)?;
    let (media_type, media) = JSON_TYPES
        .iter()
        .find_map(|t| request_body.content.get(*t).map(|m| (*t, m)))
        .ok_or_else(|| {
            XtaskError::at(
                &spec.file,
                format!("{at}/content"),
                "only JSON request bodies are supported",
            )
        })?;
    let Some(ReferenceOr::Reference { reference }) = &media.schema else {
        return Err(XtaskError::at(
            &spec.file,
            format!("{at}/content"),
            "an inline request body schema was left unnamed by the transform",
        ));
    };
    let name = ref_name(reference);
    // In the spec's order, which the setters' docs and errors follow.
    let schema = spec.doc.pointer(&pointer(["components", "schemas", name]));
    let order: Vec<&String> = schema
        .and_then(|s| s.get("properties"))
        .and_then(serde_json::Value::as_object)
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    let mut properties: Vec<BodyProperty> = match structs.iter().find(|s| s.name == name) {
        // Not a plain object (a union, say): it is set whole with `.body(..)`.
        None => Vec::new(),
        Some(object) => object
            .fields
            .iter()
            .map(|field| BodyProperty {
                wire: field.wire.clone(),
                setter: field.name.clone(),
                ty: if field.required {
                    field.ty.clone()
                } else {
                    field.ty.inner().clone()
                },
                required: field.required,
                doc: field.description.clone(),
            })
            .collect(),
    };
    properties.sort_by_key(|p| order.iter().position(|o| **o == p.wire));
    Ok(Some(Body {
        ty: Ty::Named(name.into()),
        schema_at: format!("{at}/content/{}/schema", escape_token(media_type)),
        required: request_body.required,
        properties,
    }))
}

/// Page-number pagination: an integer `page_number` query argument, and a
/// response with a required `data` array and a required `meta` that
/// carries `page_number`.
fn pagination(args: &[Arg], response: &Response, structs: &[Struct]) -> Option<Pagination> {
    let page = args
        .iter()
        .find(|a| a.location == Location::Query && a.wire == "page_number" && a.ty.is_integer())?;
    let Ty::Named(component) = &response.ty else {
        return None;
    };
    let answer = structs.iter().find(|s| &s.name == component)?;
    let data = answer
        .fields
        .iter()
        .find(|f| f.wire == "data" && f.required)?;
    let meta = answer
        .fields
        .iter()
        .find(|f| f.wire == "meta" && f.required)?;
    let item = data.ty.vec_item()?.clone();
    let Ty::Named(meta_name) = &meta.ty else {
        return None;
    };
    let meta = structs.iter().find(|s| &s.name == meta_name)?;
    let meta_fields: Vec<&'static str> = ["page_number", "page_size", "total_items", "total_pages"]
        .into_iter()
        .filter(|f| meta.fields.iter().any(|m| m.wire == *f))
        .collect();
    meta_fields.contains(&"page_number").then_some(Pagination {
        item,
        page_argument_required: page.required,
        meta_fields,
    })
}

/// Every name a caller sees on the request is distinct, and none is one of
/// the builder's own methods.
fn check_names(spec: &Spec, at: &str, args: &[Arg], body: Option<&Body>) -> Result<()> {
    let mut names: BTreeMap<&str, String> = RESERVED
        .iter()
        .map(|n| (*n, "the request's own method".to_string()))
        .collect();
    for a in args {
        let what = format!("parameter {:?}", a.wire);
        if let Some(other) = names.insert(&a.name, what.clone()) {
            return Err(XtaskError::at(
                &spec.file,
                format!("{at}/parameters"),
                format!("{what} and {other} both become `{}`", a.name),
            ));
        }
    }
    for p in body.iter().flat_map(|b| &b.properties) {
        let what = format!("body property {:?}", p.wire);
        if let Some(other) = names.insert(&p.setter, what.clone()) {
            return Err(XtaskError::at(
                &spec.file,
                format!("{at}/requestBody"),
                format!("{what} and {other} both become `.{}(..)`", p.setter),
            ));
        }
    }
    Ok(())
}

/// Every `{name}` of the path has a path parameter.
fn check_placeholders(spec: &Spec, at: &str, path: &str, args: &[Arg]) -> Result<()> {
    let placeholders: BTreeSet<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    for name in placeholders {
        if !args
            .iter()
            .any(|a| a.location == Location::Path && a.wire == name)
        {
            return Err(XtaskError::at(
                &spec.file,
                format!("{at}/parameters"),
                format!("path parameter {name:?} is not declared"),
            ));
        }
    }
    Ok(())
}

/// The item itself: a `$ref` to `components/responses`, `requestBodies` or
/// `parameters` is not followed (upstream uses none).
fn inline<'a, T>(spec: &Spec, at: &str, what: &str, node: &'a ReferenceOr<T>) -> Result<&'a T> {
    match node {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => Err(XtaskError::at(
            &spec.file,
            at,
            format!("{what} references ({reference}) are not supported; write the {what} inline"),
        )),
    }
}

/// The last segment of a local `$ref` (`#/components/schemas/X` → `X`).
pub fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or_default()
}

/// Whether `name` is an HTTP field name (RFC 9110 `token`).
fn is_header_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::is_header_token;

    #[test]
    fn header_names_must_be_http_tokens() {
        for ok in ["Idempotency-Key", "Straddle-Account-Id", "x_a.b"] {
            assert!(is_header_token(ok), "{ok}");
        }
        for bad in ["", "Request Id", "Id:", "Caf\u{e9}"] {
            assert!(!is_header_token(bad), "{bad}");
        }
    }
}
