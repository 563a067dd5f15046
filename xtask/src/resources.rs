//! Generates the public resource tree (`client.customers().review()
//! .refresh_review(id)`) from the spec and `operations.toml`.
//!
//! Per operation it writes data and glue only: an argument struct, the
//! setters of [`straddle_sdk::Request`] for it, and an `Operation` impl that
//! lists how each argument goes on the wire (`wire.path(..)`,
//! `wire.query(..)`, `wire.header(..)`, `wire.json(..)`). Checking, sending,
//! retries, decoding and pagination are written once in the SDK's runtime.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    IntegerFormat, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, QueryStyle,
    ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::config::{self, Operations};
use crate::error::{Result, XtaskError, pointer};

/// The generated module's `mod.rs`.
pub fn module_tokens() -> TokenStream {
    quote! {
        //! Code generated from the OpenAPI fragment. Private to the crate; the
        //! public surface re-exports what users need.
        pub mod constructors;
        pub mod enums;
        pub mod resources;
        pub mod types;
        pub mod unions;
    }
}

/// Names a body-property setter may not take: the runtime's own methods on
/// every request.
pub const RESERVED_SETTERS: &[&str] = &[
    "arguments",
    "body",
    "header",
    "into_stream",
    "max_retries",
    "send",
    "send_with_response",
    "timeout",
];

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `name` as a Rust field or method name: snake_case, a keyword gets a
/// trailing `_` (as typify names fields: `type` → `type_`).
pub fn rust_name(name: &str) -> String {
    let snake = name.to_snake_case();
    if config::is_keyword(&snake) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// A node of the resource tree: a struct with accessors for its children and
/// methods for its operations.
#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<&'a str, Node<'a>>,
    operations: Vec<&'a config::Operation>,
}

/// What the generator reads: the spec, and the types typify made from it.
struct Context<'a> {
    file: &'a Path,
    api: &'a OpenAPI,
    space: &'a typify::TypeSpace,
}

/// How a caller invokes one generated operation: what [`crate::calls`]
/// needs to write a call of it with sample arguments.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The spec's operationId.
    pub operation_id: String,
    /// The resource path and method (`customers.review`, `refresh_review`).
    pub resource: Vec<String>,
    /// The method name.
    pub name: String,
    /// The resource method's arguments, in order: (the stored type, whether
    /// it is a UUID, the JSON pointer of its schema in the spec).
    pub required: Vec<(String, bool, String)>,
    /// The request body: its type and the JSON pointer of its schema.
    pub body: Option<(String, String)>,
    /// Whether it is a list operation (`.into_stream()`).
    pub list: bool,
    /// The success response: its type (`types::X`, `()` or
    /// `::serde_json::Value`), its documented status, and the JSON pointer
    /// of its schema when it declares one.
    pub response: (String, u16, Option<String>),
}

/// The resource tree for every operation in `ops`. `space` is the type space
/// the SDK's types were generated with (for body property and list item types).
pub fn tokens(
    file: &Path,
    api: &OpenAPI,
    ops: &Operations,
    space: &typify::TypeSpace,
) -> Result<TokenStream> {
    generate(file, api, ops, space).map(|(tokens, _)| tokens)
}

/// [`tokens`], with the [`Shape`] of each operation in `ops` order.
pub fn generate(
    file: &Path,
    api: &OpenAPI,
    ops: &Operations,
    space: &typify::TypeSpace,
) -> Result<(TokenStream, Vec<Shape>)> {
    let cx = Context { file, api, space };
    // The runtime decodes every error body as the API's envelope.
    if !api
        .components
        .as_ref()
        .is_some_and(|c| c.schemas.contains_key("ErrorResponse"))
    {
        return Err(XtaskError::at(
            file,
            "/components/schemas/ErrorResponse",
            "the spec must define the error envelope `ErrorResponse`: the SDK decodes error bodies as it",
        ));
    }
    check_type_names(&cx, ops)?;
    let mut root = Node::default();
    for op in &ops.operations {
        let mut node = &mut root;
        for segment in op.resource_path() {
            node = node.children.entry(segment).or_default();
        }
        node.operations.push(op);
    }
    let mut out = quote! {
        #[allow(unused_imports)]
        use crate::types;
    };
    // The root is `Client` itself: its children become `client.customers()`.
    let root_accessors = accessors(&root, &[]);
    out.extend(quote! {
        impl crate::Client {
            #root_accessors
        }
    });
    let mut shapes = Vec::new();
    emit_nodes(&cx, &root, &mut Vec::new(), &mut out, &mut shapes)?;
    let order = |s: &Shape| {
        ops.operations
            .iter()
            .position(|o| o.name == s.name && o.resource_path() == s.resource)
    };
    shapes.sort_by_key(order);
    Ok((out, shapes))
}

/// The structs of resource nodes and of operations share one module: no two
/// may have one name.
fn check_type_names(cx: &Context<'_>, ops: &Operations) -> Result<()> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for op in &ops.operations {
        let path = op.resource_path();
        for depth in 1..=path.len() {
            let node = &path[..depth];
            names.insert(
                struct_name(node).to_string(),
                format!("the resource `{}`", node.join(".")),
            );
        }
    }
    for op in &ops.operations {
        let Some(id) = find_operation(cx.api, op).and_then(|o| o.operation_id.as_ref()) else {
            continue;
        };
        let ty = id.to_upper_camel_case();
        if let Some(other) = names.insert(ty.clone(), format!("operation {id:?}")) {
            return Err(XtaskError::at(
                cx.file,
                pointer(["paths", op.path.as_str(), op.method.as_str(), "operationId"]),
                format!("operation {id:?} and {other} would both be the type `{ty}`"),
            ));
        }
    }
    Ok(())
}

fn struct_name(path: &[&str]) -> Ident {
    ident(
        &path
            .iter()
            .map(|s| s.to_upper_camel_case())
            .collect::<String>(),
    )
}

fn accessors(node: &Node<'_>, path: &[&str]) -> TokenStream {
    node.children
        .keys()
        .map(|name| {
            let mut child_path = path.to_vec();
            child_path.push(name);
            let ty = struct_name(&child_path);
            let method = ident(name);
            let doc = format!("The `{}` resource.", child_path.join("."));
            if path.is_empty() {
                quote! {
                    #[doc = #doc]
                    pub fn #method(&self) -> #ty<'_> {
                        #ty { client: self }
                    }
                }
            } else {
                quote! {
                    #[doc = #doc]
                    pub fn #method(self) -> #ty<'a> {
                        #ty { client: self.client }
                    }
                }
            }
        })
        .collect()
}

fn emit_nodes<'a>(
    cx: &Context<'_>,
    node: &Node<'a>,
    path: &mut Vec<&'a str>,
    out: &mut TokenStream,
    shapes: &mut Vec<Shape>,
) -> Result<()> {
    for (name, child) in &node.children {
        path.push(name);
        let ty = struct_name(path);
        let doc = format!(
            "The `{}` resource: `client.{}()`.",
            path.join("."),
            path.join("().")
        );
        let child_accessors = accessors(child, path);
        let mut methods = TokenStream::new();
        for op in &child.operations {
            let generated = operation(cx, op)?;
            methods.extend(generated.method);
            out.extend(generated.items);
            shapes.push(generated.shape);
        }
        out.extend(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy)]
            pub struct #ty<'a> {
                client: &'a crate::Client,
            }
            impl<'a> #ty<'a> {
                #child_accessors
                #methods
            }
        });
        emit_nodes(cx, child, path, out, shapes)?;
        path.pop();
    }
    Ok(())
}

/// Where an argument travels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    fn describe(self) -> &'static str {
        match self {
            Location::Path => "in the path as",
            Location::Query => "as the query parameter",
            Location::Header => "as the header",
        }
    }
}

/// One parameter of an operation, as the generator reads it.
struct Arg {
    /// The JSON pointer of its schema in the spec.
    schema_at: String,
    /// The name in the spec (`Straddle-Account-Id`).
    wire_name: String,
    /// The Rust name (`straddle_account_id`).
    rust: Ident,
    doc: Option<String>,
    /// The type the argument struct stores (`i32`, `crate::UuidArg`, ...).
    ty: TokenStream,
    /// What the spec says its text must be (`crate::Check::Uuid`, ...).
    check: TokenStream,
    /// How several values are written (query arrays).
    style: TokenStream,
    required: bool,
    location: Location,
}

fn find_operation<'a>(api: &'a OpenAPI, op: &config::Operation) -> Option<&'a Operation> {
    let item = api.paths.paths.get(&op.path)?.as_item()?;
    match op.method.as_str() {
        "get" => item.get.as_ref(),
        "put" => item.put.as_ref(),
        "post" => item.post.as_ref(),
        "delete" => item.delete.as_ref(),
        "patch" => item.patch.as_ref(),
        "head" => item.head.as_ref(),
        "options" => item.options.as_ref(),
        "trace" => item.trace.as_ref(),
        _ => None,
    }
}

/// The last segment of a local `$ref` (`#/components/schemas/X` → `X`).
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or_default()
}

fn component_type(reference: &str) -> TokenStream {
    let ty = ident(&ref_name(reference).to_upper_camel_case());
    quote!(types::#ty)
}

/// The stored type and check of a parameter of schema `schema`.
fn param_type(
    file: &Path,
    schema_at: &str,
    name: &str,
    schema: &ReferenceOr<Schema>,
) -> Result<(TokenStream, TokenStream)> {
    let any = quote!(crate::Check::Any);
    let unsupported = |what: &str| {
        XtaskError::at(
            file,
            schema_at,
            format!("parameter {name:?}: {what} parameters are not supported"),
        )
    };
    let schema = match schema {
        ReferenceOr::Reference { reference } => return Ok((component_type(reference), any)),
        ReferenceOr::Item(schema) => schema,
    };
    Ok(match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => {
            if !string.enumeration.is_empty() {
                // The transform names inline enums; one left here was missed.
                return Err(unsupported("inline enum"));
            }
            match &string.format {
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => {
                    (quote!(crate::UuidArg), quote!(crate::Check::Uuid))
                }
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => {
                    (quote!(::chrono::NaiveDate), any)
                }
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => {
                    (quote!(::chrono::DateTime<::chrono::Utc>), any)
                }
                _ => {
                    let check = match (string.min_length, string.max_length) {
                        (None, None) => any,
                        (min, max) => {
                            let min = option_tokens(min);
                            let max = option_tokens(max);
                            quote!(crate::Check::Length(#min, #max))
                        }
                    };
                    (quote!(::std::string::String), check)
                }
            }
        }
        SchemaKind::Type(Type::Integer(integer)) => match &integer.format {
            VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => (quote!(i32), any),
            _ => (quote!(i64), any),
        },
        SchemaKind::Type(Type::Number(_)) => (quote!(f64), any),
        SchemaKind::Type(Type::Boolean(_)) => (quote!(bool), any),
        SchemaKind::Type(Type::Array(array)) => {
            let Some(items) = &array.items else {
                return Err(unsupported("untyped array"));
            };
            let items = items.clone().unbox();
            let (item, check) = param_type(file, &format!("{schema_at}/items"), name, &items)?;
            (quote!(::std::vec::Vec<#item>), check)
        }
        SchemaKind::Type(Type::Object(_)) => return Err(unsupported("object")),
        _ => return Err(unsupported("untyped or composite")),
    })
}

fn arg(file: &Path, at: &str, parameter: &Parameter) -> Result<Arg> {
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
                file,
                at,
                "cookie parameters are not supported",
            ));
        }
    };
    let ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return Err(XtaskError::at(
            file,
            at,
            format!(
                "parameter {:?}: parameters with `content` are not supported",
                data.name
            ),
        ));
    };
    let (ty, check) = param_type(file, &format!("{at}/schema"), &data.name, schema)?;
    let style = match style {
        Some(QueryStyle::Form) | None if data.explode == Some(false) => {
            quote!(crate::Style::FormJoined)
        }
        Some(QueryStyle::Form) | None => quote!(crate::Style::FormExploded),
        Some(other) => {
            return Err(XtaskError::at(
                file,
                format!("{at}/style"),
                format!(
                    "parameter {:?}: query style {other:?} is not supported (only `form`)",
                    data.name
                ),
            ));
        }
    };
    // Header names travel as the spec writes them: check them here, once.
    if location == Location::Header && !is_header_token(&data.name) {
        return Err(XtaskError::at(
            file,
            at,
            format!(
                "header parameter {:?} is not a valid HTTP header name",
                data.name
            ),
        ));
    }
    Ok(Arg {
        schema_at: format!("{at}/schema"),
        wire_name: data.name.clone(),
        rust: ident(&rust_name(&data.name)),
        doc: data.description.clone(),
        ty,
        check,
        style,
        // A path parameter is always required, whatever the spec says.
        required: data.required || location == Location::Path,
        location,
    })
}

/// What an operation answers with on success.
struct Success {
    /// `types::X`, or `()` for no body.
    ty: TokenStream,
    /// The component of a JSON body, if any.
    component: Option<String>,
    /// The documented success status: the lowest 2xx declared.
    status: u16,
    /// The JSON pointer of that response's body schema, if it declares one.
    schema_at: Option<String>,
}

/// Media types read as JSON, in order of preference.
const JSON_TYPES: &[&str] = &["application/json", "text/json"];

fn success(cx: &Context<'_>, at: &str, operation: &Operation) -> Result<Success> {
    let mut found: Option<Success> = None;
    for (code, response) in &operation.responses.responses {
        let openapiv3::StatusCode::Code(code) = code else {
            continue;
        };
        if !(200..300).contains(code) {
            continue;
        }
        let at = format!("{at}/responses/{code}");
        let response = inline(cx.file, &at, "response", response)?;
        let media = JSON_TYPES
            .iter()
            .find_map(|t| response.content.get_key_value(*t))
            .or_else(|| response.content.iter().find(|(t, _)| t.ends_with("+json")));
        let body = |ty, component, schema_at| Success {
            ty,
            component,
            status: *code,
            schema_at,
        };
        let this = match (media, response.content.is_empty()) {
            (None, true) => body(quote!(()), None, None),
            (None, false) => {
                return Err(XtaskError::at(
                    cx.file,
                    format!("{at}/content"),
                    "only JSON success bodies are supported (the response declares no JSON media type)",
                ));
            }
            (Some((media_type, media)), _) => {
                let schema_at = format!(
                    "{}/schema",
                    pointer_append(&format!("{at}/content"), media_type)
                );
                match &media.schema {
                    Some(ReferenceOr::Reference { reference }) => body(
                        component_type(reference),
                        Some(ref_name(reference).to_string()),
                        Some(schema_at),
                    ),
                    None => body(quote!(::serde_json::Value), None, None),
                    Some(ReferenceOr::Item(_)) => {
                        return Err(XtaskError::at(
                            cx.file,
                            format!("{at}/content"),
                            "an inline success schema was left unnamed by the transform",
                        ));
                    }
                }
            }
        };
        match &found {
            None => found = Some(this),
            Some(seen) if seen.ty.to_string() != this.ty.to_string() => {
                return Err(XtaskError::at(
                    cx.file,
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
            cx.file,
            format!("{at}/responses"),
            "the operation declares no 2xx response",
        )
    })
}

/// The JSON request body: its type, whether it is required, and a setter
/// per top-level property.
struct Body {
    ty: TokenStream,
    /// The JSON pointer of its schema in the spec.
    schema_at: String,
    required: bool,
    /// JSON names of the properties the schema requires.
    required_properties: Vec<String>,
    /// (JSON name, setter name, setter input type, doc).
    setters: Vec<(String, Ident, TokenStream, String)>,
}

fn body(cx: &Context<'_>, at: &str, operation: &Operation) -> Result<Option<Body>> {
    let Some(request_body) = &operation.request_body else {
        return Ok(None);
    };
    let at = format!("{at}/requestBody");
    let request_body = inline(cx.file, &at, "request body", request_body)?;
    let (media_type, media) = JSON_TYPES
        .iter()
        .find_map(|t| request_body.content.get(*t).map(|m| (*t, m)))
        .ok_or_else(|| {
            XtaskError::at(
                cx.file,
                format!("{at}/content"),
                "only JSON request bodies are supported",
            )
        })?;
    let reference = match &media.schema {
        Some(ReferenceOr::Reference { reference }) => reference,
        _ => {
            return Err(XtaskError::at(
                cx.file,
                format!("{at}/content"),
                "an inline request body schema was left unnamed by the transform",
            ));
        }
    };
    let name = ref_name(reference);
    let schema = cx
        .api
        .components
        .as_ref()
        .and_then(|c| c.schemas.get(name))
        .and_then(ReferenceOr::as_item);
    let mut body = Body {
        ty: component_type(reference),
        schema_at: format!(
            "{}/schema",
            pointer_append(&format!("{at}/content"), media_type)
        ),
        required: request_body.required,
        required_properties: Vec::new(),
        setters: Vec::new(),
    };
    let Some(Schema {
        schema_kind: SchemaKind::Type(Type::Object(object)),
        ..
    }) = schema
    else {
        // Not a plain object (a union, say): set it whole with `.body(..)`.
        return Ok(Some(body));
    };
    body.required_properties = object.required.clone();
    let fields = struct_fields(cx, name)?;
    for (json_name, property) in &object.properties {
        let setter = rust_name(json_name);
        let Some(ty) = fields.get(&setter) else {
            return Err(XtaskError::at(
                cx.file,
                pointer(["components", "schemas", name, "properties", json_name]),
                format!("typify generated no field `{setter}` for this property"),
            ));
        };
        let input = quote!(impl ::std::convert::Into<#ty>);
        let description = match property {
            ReferenceOr::Item(s) => s.schema_data.description.clone(),
            ReferenceOr::Reference { .. } => None,
        };
        let required = object.required.contains(json_name);
        let mut doc = format!(
            "Sets `{json_name}` in the request body ({}).",
            if required { "required" } else { "optional" }
        );
        if let Some(description) = description {
            doc = format!("{description}\n\n{doc}");
        }
        body.setters
            .push((json_name.clone(), ident(&setter), input, doc));
    }
    Ok(Some(body))
}

/// The fields typify generated for the struct of component `name`: each
/// field's type, with an `Option` of an optional property unwrapped (the
/// setter takes the value).
fn struct_fields(cx: &Context<'_>, name: &str) -> Result<BTreeMap<String, TokenStream>> {
    let type_name = name.to_upper_camel_case();
    let missing = |what: &str| {
        XtaskError::at(
            cx.file,
            pointer(["components", "schemas", name]),
            format!("typify did not generate {what} for this schema"),
        )
    };
    let ty = cx
        .space
        .iter_types()
        .find(|t| t.name() == type_name)
        .ok_or_else(|| missing("a type"))?;
    let typify::TypeDetails::Struct(details) = ty.details() else {
        return Err(missing("a struct"));
    };
    let mut fields = BTreeMap::new();
    for prop in details.properties_info() {
        let prop_ty = cx
            .space
            .get_type(&prop.type_id)
            .map_err(|e| missing(&format!("field `{}` ({e})", prop.name)))?;
        let ty = match prop_ty.details() {
            typify::TypeDetails::Option(inner) if !prop.required => {
                let inner = cx
                    .space
                    .get_type(&inner)
                    .map_err(|e| missing(&format!("field `{}` ({e})", prop.name)))?;
                inner.ident()
            }
            _ => prop_ty.ident(),
        };
        fields.insert(prop.name.to_string(), ty);
    }
    Ok(fields)
}

/// For a list operation: its item type and how to read its page `meta`.
struct Listing {
    item: TokenStream,
    page_argument_required: bool,
    meta_fields: Vec<&'static str>,
}

/// Page-number pagination: a `page_number` query argument, and a response
/// with a required `data` array and a required `meta` object that carries
/// `page_number`.
fn listing(cx: &Context<'_>, args: &[Arg], success: &Success) -> Result<Option<Listing>> {
    let Some(page) = args
        .iter()
        .find(|a| a.location == Location::Query && a.wire_name == "page_number")
    else {
        return Ok(None);
    };
    if !matches!(page.ty.to_string().as_str(), "i32" | "i64") {
        return Ok(None);
    }
    let Some(component) = &success.component else {
        return Ok(None);
    };
    let schemas = cx.api.components.as_ref().map(|c| &c.schemas);
    let object = |name: &str| match schemas.and_then(|s| s.get(name)) {
        Some(ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Type(Type::Object(object)),
            ..
        })) => Some(object.clone()),
        _ => None,
    };
    let Some(response) = object(component) else {
        return Ok(None);
    };
    let required = |name: &str| response.required.iter().any(|r| r == name);
    if !required("data") || !required("meta") {
        return Ok(None);
    }
    let meta = match response.properties.get("meta") {
        Some(ReferenceOr::Reference { reference }) => object(ref_name(reference)),
        // `nullable_at_use_site` wraps a `$ref` as `allOf: [$ref]`.
        Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 && !schema.schema_data.nullable => {
                match &all_of[0] {
                    ReferenceOr::Reference { reference } => object(ref_name(reference)),
                    ReferenceOr::Item(_) => None,
                }
            }
            SchemaKind::Type(Type::Object(o)) => Some(o.clone()),
            _ => None,
        },
        None => None,
    };
    let Some(meta) = meta else { return Ok(None) };
    if !meta.properties.contains_key("page_number") {
        return Ok(None);
    }
    let fields = struct_fields(cx, component)?;
    let Some(data_ty) = fields.get("data") else {
        return Ok(None);
    };
    // `data` is `::std::vec::Vec<T>`: the item is `T`.
    let data: syn::Type = syn::parse2(data_ty.clone()).map_err(|e| {
        XtaskError::file(
            cx.file,
            format!("`{component}.data` has an unreadable type: {e}"),
        )
    })?;
    let Some(item) = vec_item(&data) else {
        return Ok(None);
    };
    let meta_fields = ["page_number", "page_size", "total_items", "total_pages"]
        .into_iter()
        .filter(|f| meta.properties.contains_key(*f))
        .collect();
    Ok(Some(Listing {
        item: quote!(#item),
        page_argument_required: page.required,
        meta_fields,
    }))
}

fn vec_item(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// What one operation generates: the resource method, and the items that
/// go beside the resource structs.
struct Generated {
    method: TokenStream,
    items: TokenStream,
    shape: Shape,
}

/// The resource method, argument struct, setters and wire description of one operation.
fn operation(cx: &Context<'_>, op: &config::Operation) -> Result<Generated> {
    let file = cx.file;
    let at = pointer(["paths", op.path.as_str(), op.method.as_str()]);
    let operation = find_operation(cx.api, op).ok_or_else(|| {
        XtaskError::at(
            file,
            at.clone(),
            "operations.toml names an operation the fragment does not have; run `cargo xtask spec extract`",
        )
    })?;
    let operation_id = operation
        .operation_id
        .clone()
        .ok_or_else(|| XtaskError::at(file, at.clone(), "operation has no operationId"))?;
    let path_item_params = cx
        .api
        .paths
        .paths
        .get(&op.path)
        .and_then(ReferenceOr::as_item)
        .map(|item| item.parameters.as_slice())
        .unwrap_or_default();
    let mut args: Vec<Arg> = Vec::new();
    for (i, p) in operation.parameters.iter().enumerate() {
        let p_at = format!("{at}/parameters/{i}");
        args.push(arg(file, &p_at, inline(file, &p_at, "parameter", p)?)?);
    }
    // Path-level parameters apply unless the operation redeclares them.
    for (i, p) in path_item_params.iter().enumerate() {
        let p_at = format!("{}/parameters/{i}", pointer(["paths", op.path.as_str()]));
        if let ReferenceOr::Item(parameter) = p {
            let a = arg(file, &p_at, parameter)?;
            if !args
                .iter()
                .any(|b| b.wire_name == a.wire_name && b.location == a.location)
            {
                args.push(a);
            }
        }
    }
    let success = success(cx, &at, operation)?;
    let body = body(cx, &at, operation)?;
    let listing = listing(cx, &args, &success)?;

    // Every name a caller sees on this request must be distinct.
    let mut names: BTreeMap<String, String> = RESERVED_SETTERS
        .iter()
        .map(|n| (n.to_string(), "the request's own method".to_string()))
        .collect();
    for a in &args {
        let what = format!("parameter {:?}", a.wire_name);
        if let Some(other) = names.insert(a.rust.to_string(), what.clone()) {
            return Err(XtaskError::at(
                file,
                format!("{at}/parameters"),
                format!("{what} and {other} both become `{}`", a.rust),
            ));
        }
    }
    for (json_name, setter, _, _) in body.iter().flat_map(|b| &b.setters) {
        let what = format!("body property {json_name:?}");
        if let Some(other) = names.insert(setter.to_string(), what.clone()) {
            return Err(XtaskError::at(
                file,
                format!("{at}/requestBody"),
                format!("{what} and {other} both become `.{setter}(..)`"),
            ));
        }
    }
    // Every `{name}` of the path has a path parameter.
    let placeholders: BTreeSet<&str> = op
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect();
    for name in &placeholders {
        if !args
            .iter()
            .any(|a| a.location == Location::Path && a.wire_name == *name)
        {
            return Err(XtaskError::at(
                file,
                format!("{at}/parameters"),
                format!("path parameter {name:?} is not declared"),
            ));
        }
    }

    let ty = ident(&operation_id.to_upper_camel_case());
    let method = ident(&op.name);
    let op_name = operation_id.as_str();
    let http_method = ident(&op.method.to_uppercase());
    let path_template = op.path.as_str();
    let wire = format!("`{} {}`", op.method.to_uppercase(), op.path);
    let response = &success.ty;
    let status = proc_macro2::Literal::u16_unsuffixed(success.status);

    let mut doc: Vec<String> = operation
        .summary
        .iter()
        .chain(&operation.description)
        .cloned()
        .collect();
    doc.push(format!(
        "{wire}. Returns a [`crate::Request`]: set optional arguments, then `.send()`."
    ));
    let mut doc = doc.join("\n\n");
    if listing.is_some() {
        doc.push_str(" A list: `.into_stream()` reads every page.");
    }

    let (required, optional): (Vec<&Arg>, Vec<&Arg>) = args.iter().partition(|a| a.required);
    let input = |a: &Arg| {
        let ty = &a.ty;
        quote!(impl ::std::convert::Into<#ty>)
    };
    let mut fields: Vec<TokenStream> = args
        .iter()
        .map(|a| {
            let name = &a.rust;
            let ty = &a.ty;
            if a.required {
                quote!(#name: #ty,)
            } else {
                quote!(#name: ::std::option::Option<#ty>,)
            }
        })
        .collect();
    let params = required.iter().map(|a| {
        let name = &a.rust;
        let ty = input(a);
        quote!(#name: #ty)
    });
    let mut inits: Vec<TokenStream> = args
        .iter()
        .map(|a| {
            let name = &a.rust;
            if a.required {
                quote!(#name: #name.into(),)
            } else {
                quote!(#name: ::std::option::Option::None,)
            }
        })
        .collect();
    let mut setters: Vec<TokenStream> = optional
        .iter()
        .map(|a| {
            let name = &a.rust;
            let ty = input(a);
            let sent = format!("Sent {} `{}`.", a.location.describe(), a.wire_name);
            let doc = match &a.doc {
                Some(description) => format!("{description}\n\n{sent}"),
                None => sent,
            };
            quote! {
                #[doc = #doc]
                pub fn #name(mut self, value: #ty) -> Self {
                    self.operation.#name = ::std::option::Option::Some(value.into());
                    self
                }
            }
        })
        .collect();
    let mut encode: Vec<TokenStream> = args
        .iter()
        .map(|a| {
            let name = &a.rust;
            let wire_name = a.wire_name.as_str();
            let check = &a.check;
            let style = &a.style;
            let value = if a.required {
                quote!(::std::option::Option::Some(&self.#name))
            } else {
                quote!(self.#name.as_ref())
            };
            match a.location {
                Location::Path => quote!(wire.path(#wire_name, &self.#name, #check)?;),
                Location::Query => quote!(wire.query(#wire_name, #value, #check, #style)?;),
                Location::Header => quote!(wire.header(#wire_name, #value, #check)?;),
            }
        })
        .collect();
    if let Some(body) = &body {
        let body_ty = &body.ty;
        let body_required = body.required;
        // Each required property with its setter, for the runtime's error.
        let required_properties = body.required_properties.iter().map(|name| {
            let setter = rust_name(name);
            quote!((#name, #setter))
        });
        fields.push(quote!(body: crate::JsonBody,));
        inits.push(quote!(body: crate::JsonBody::default(),));
        encode.push(quote!(wire.json(&self.body, #body_required, &[#(#required_properties),*])?;));
        let body_doc = if body.setters.is_empty() {
            format!("Sets the request body of {wire}.")
        } else {
            format!(
                "Sets the whole request body of {wire}. Property setters called after this change single properties of it."
            )
        };
        setters.push(quote! {
            #[doc = #body_doc]
            pub fn body(mut self, value: impl ::std::convert::Into<#body_ty>) -> Self {
                self.operation.body.replace(&value.into());
                self
            }
        });
        for (json_name, setter, input, doc) in &body.setters {
            setters.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: #input) -> Self {
                    self.operation.body.set(#json_name, &value.into());
                    self
                }
            });
        }
    }

    // An operation without arguments does not touch the encoder.
    let encoder = if encode.is_empty() {
        ident("_wire")
    } else {
        ident("wire")
    };
    let setters = if setters.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            impl crate::Request<'_, #ty> {
                #(#setters)*
            }
        }
    };
    let struct_doc = format!(
        "The arguments of {wire} (`{op_name}`). Made by the resource method; set on the [`crate::Request`] that holds them."
    );
    let paginated = listing.as_ref().map(|listing| {
        let item = &listing.item;
        let meta = |field: &str| {
            if listing.meta_fields.contains(&field) {
                let f = ident(field);
                quote!(crate::MetaNumber::get(&response.meta.#f))
            } else {
                quote!(::std::option::Option::None)
            }
        };
        let (page_number, page_size, total_items, total_pages) = (
            meta("page_number"),
            meta("page_size"),
            meta("total_items"),
            meta("total_pages"),
        );
        let (get, set) = if listing.page_argument_required {
            (
                quote!(crate::MetaNumber::get(&self.page_number)),
                quote!(self.page_number = crate::pagination::page_argument(<Self as crate::Operation>::ID, page)?;),
            )
        } else {
            (
                quote!(crate::MetaNumber::get(&self.page_number)),
                quote!(self.page_number = ::std::option::Option::Some(crate::pagination::page_argument(<Self as crate::Operation>::ID, page)?);),
            )
        };
        quote! {
            impl crate::Paginated for #ty {
                type Item = #item;
                fn page_number(&self) -> ::std::option::Option<i64> {
                    #get
                }
                fn set_page_number(&mut self, page: i64) -> ::std::result::Result<(), crate::Error> {
                    #set
                    ::std::result::Result::Ok(())
                }
                fn into_page(response: Self::Response) -> (::std::vec::Vec<Self::Item>, crate::PageInfo) {
                    let info = crate::PageInfo {
                        page_number: #page_number,
                        page_size: #page_size,
                        total_items: #total_items,
                        total_pages: #total_pages,
                    };
                    (response.data, info)
                }
            }
        }
    });

    let method_tokens = quote! {
        #[doc = #doc]
        pub fn #method(&self, #(#params),*) -> crate::Request<'a, #ty> {
            crate::Request::new(self.client, #ty {
                #(#inits)*
            })
        }
    };
    let items = quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #ty {
            #(#fields)*
        }
        impl crate::request::sealed::Sealed for #ty {}
        impl crate::Operation for #ty {
            const ID: &'static str = #op_name;
            const METHOD: ::reqwest::Method = ::reqwest::Method::#http_method;
            const PATH: &'static str = #path_template;
            const STATUS: u16 = #status;
            type Response = #response;
            fn encode(&self, #encoder: &mut crate::Encoder) -> ::std::result::Result<(), crate::Error> {
                #(#encode)*
                ::std::result::Result::Ok(())
            }
        }
        #setters
        #paginated
    };
    let shape = Shape {
        operation_id: operation_id.clone(),
        resource: op.resource_path().iter().map(|s| s.to_string()).collect(),
        name: op.name.clone(),
        required: required
            .iter()
            .map(|a| {
                let uuid = a.ty.to_string() == quote!(crate::UuidArg).to_string();
                (a.ty.to_string(), uuid, a.schema_at.clone())
            })
            .collect(),
        body: body
            .as_ref()
            .map(|b| (b.ty.to_string(), b.schema_at.clone())),
        list: listing.is_some(),
        response: (
            success.ty.to_string(),
            success.status,
            success.schema_at.clone(),
        ),
    };
    Ok(Generated {
        method: method_tokens,
        items,
        shape,
    })
}

/// The item itself: a `$ref` to `components/responses`, `requestBodies` or
/// `parameters` is not followed (upstream uses none).
fn inline<'a, T>(file: &Path, at: &str, what: &str, node: &'a ReferenceOr<T>) -> Result<&'a T> {
    match node {
        ReferenceOr::Item(item) => Ok(item),
        ReferenceOr::Reference { reference } => Err(XtaskError::at(
            file,
            at,
            format!("{what} references ({reference}) are not supported; write the {what} inline"),
        )),
    }
}

/// `at` with one more JSON pointer token.
fn pointer_append(at: &str, token: &str) -> String {
    format!("{at}/{}", crate::error::escape_token(token))
}

fn option_tokens(value: Option<usize>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
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
    use super::{is_header_token, rust_name};

    #[test]
    fn header_names_must_be_http_tokens() {
        for ok in ["Idempotency-Key", "Straddle-Account-Id", "x_a.b"] {
            assert!(is_header_token(ok), "{ok}");
        }
        for bad in ["", "Request Id", "Id:", "Caf\u{e9}"] {
            assert!(!is_header_token(bad), "{bad}");
        }
    }

    #[test]
    fn rust_names_are_snake_case_and_keywords_get_a_trailing_underscore() {
        assert_eq!(rust_name("Straddle-Account-Id"), "straddle_account_id");
        assert_eq!(rust_name("type"), "type_");
        assert_eq!(rust_name("pageNumber"), "page_number");
        assert_eq!(rust_name("match"), "match_");
    }
}
