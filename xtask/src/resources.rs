//! Generates the public resource tree (`client.customers().review()
//! .refresh_review(id)`) from the spec and `operations.toml`: one request
//! builder per operation, which checks its arguments against the spec and
//! drives progenitor's generated builder through the hand-written pipeline.

use std::collections::BTreeMap;
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
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
        pub mod resources;
        pub mod types;
        pub mod unions;
    }
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A node of the resource tree: a struct with accessors for its children and
/// methods for its operations.
#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<&'a str, Node<'a>>,
    operations: Vec<&'a config::Operation>,
}

/// The resource tree for every operation in `ops`.
pub fn tokens(file: &Path, api: &OpenAPI, ops: &Operations) -> Result<TokenStream> {
    let mut root = Node::default();
    for op in &ops.operations {
        let mut node = &mut root;
        for segment in op.resource_path() {
            node = node.children.entry(segment).or_default();
        }
        node.operations.push(op);
    }
    let mut out = TokenStream::new();
    // The root is `Client` itself: its children become `client.customers()`.
    let root_accessors = accessors(&root, &[]);
    out.extend(quote! {
        impl crate::Client {
            #root_accessors
        }
    });
    emit_nodes(file, api, &root, &mut Vec::new(), &mut out)?;
    Ok(out)
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
    file: &Path,
    api: &OpenAPI,
    node: &Node<'a>,
    path: &mut Vec<&'a str>,
    out: &mut TokenStream,
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
            let (method, builder) = operation(file, api, op)?;
            methods.extend(method);
            out.extend(builder);
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
        emit_nodes(file, api, child, path, out)?;
        path.pop();
    }
    Ok(())
}

/// How an argument is taken and checked.
enum ArgKind {
    /// `format: uuid`: `impl Into<UuidArg>`, parsed in `send()`.
    Uuid,
    /// A string, with the spec's length bounds.
    Text {
        min: Option<usize>,
        max: Option<usize>,
    },
}

/// Where an argument travels.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
}

struct Arg {
    /// The name in the spec (`Straddle-Account-Id`).
    wire_name: String,
    /// The Rust name (`straddle_account_id`).
    rust: Ident,
    doc: Option<String>,
    kind: ArgKind,
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

fn arg(file: &Path, at: &str, parameter: &Parameter) -> Result<Arg> {
    let (data, location) = match parameter {
        Parameter::Path { parameter_data, .. } => (parameter_data, Location::Path),
        Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header),
        Parameter::Query { parameter_data, .. } => (parameter_data, Location::Query),
        Parameter::Cookie { .. } => {
            return Err(XtaskError::at(
                file,
                at,
                "cookie parameters are not supported",
            ));
        }
    };
    let unsupported = || {
        XtaskError::at(
            file,
            at,
            format!(
                "parameter {:?}: only inline string parameters are supported",
                data.name
            ),
        )
    };
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(Schema { schema_kind, .. })) =
        &data.format
    else {
        return Err(unsupported());
    };
    let SchemaKind::Type(Type::String(string)) = schema_kind else {
        return Err(unsupported());
    };
    let kind = match &string.format {
        VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => ArgKind::Uuid,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date | StringFormat::DateTime) => {
            return Err(unsupported());
        }
        _ => ArgKind::Text {
            min: string.min_length,
            max: string.max_length,
        },
    };
    // Generated code sends header names with `HeaderName::from_static`,
    // which accepts only lower-case HTTP tokens: check them here, once.
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
        wire_name: data.name.clone(),
        rust: ident(&data.name.to_snake_case()),
        doc: data.description.clone(),
        kind,
        required: data.required,
        location,
    })
}

fn response_type(file: &Path, at: &str, operation: &Operation) -> Result<TokenStream> {
    let success = operation
        .responses
        .responses
        .iter()
        .find(|(code, _)| matches!(code, openapiv3::StatusCode::Code(c) if (200..300).contains(c)))
        .map(|(_, r)| r);
    let schema = success
        .and_then(ReferenceOr::as_item)
        .and_then(|r| r.content.get(crate::extract::JSON))
        .and_then(|media| media.schema.as_ref());
    match schema {
        Some(ReferenceOr::Reference { reference }) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            let ty = ident(&name.to_upper_camel_case());
            Ok(quote!(crate::types::#ty))
        }
        _ => Err(XtaskError::at(
            file,
            format!("{at}/responses"),
            "the success response must be application/json with a $ref schema",
        )),
    }
}

/// The resource method and the request builder of one operation.
fn operation(
    file: &Path,
    api: &OpenAPI,
    op: &config::Operation,
) -> Result<(TokenStream, TokenStream)> {
    let at = pointer(["paths", op.path.as_str(), op.method.as_str()]);
    let operation = find_operation(api, op).ok_or_else(|| {
        XtaskError::at(
            file,
            at.clone(),
            "operations.toml names an operation the fragment does not have",
        )
    })?;
    let operation_id = operation
        .operation_id
        .clone()
        .ok_or_else(|| XtaskError::at(file, at.clone(), "operation has no operationId"))?;
    if operation.request_body.is_some() {
        return Err(XtaskError::at(
            file,
            format!("{at}/requestBody"),
            "request bodies are not supported by the resource generator yet",
        ));
    }
    let args = operation
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| match p {
            ReferenceOr::Item(p) => arg(file, &format!("{at}/parameters/{i}"), p),
            ReferenceOr::Reference { .. } => Err(XtaskError::at(
                file,
                format!("{at}/parameters/{i}"),
                "parameter references are not supported",
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let response = response_type(file, &at, operation)?;

    let builder = ident(&operation_id.to_upper_camel_case());
    let method = ident(&op.name);
    let op_name = operation_id.as_str();
    let wire = format!("`{} {}`", op.method.to_uppercase(), op.path);

    let mut doc = operation.summary.clone().unwrap_or_default();
    if let Some(description) = &operation.description {
        doc.push_str("\n\n");
        doc.push_str(description);
    }
    doc.push_str(&format!(
        "\n\n{wire}. Returns a request builder; call `.send()`."
    ));

    let (required, optional): (Vec<&Arg>, Vec<&Arg>) = args.iter().partition(|a| a.required);
    let arg_type = |a: &Arg| match a.kind {
        ArgKind::Uuid => quote!(crate::params::UuidArg),
        ArgKind::Text { .. } => quote!(::std::string::String),
    };
    let arg_in = |a: &Arg| match a.kind {
        ArgKind::Uuid => quote!(impl ::std::convert::Into<crate::params::UuidArg>),
        ArgKind::Text { .. } => quote!(impl ::std::convert::Into<::std::string::String>),
    };
    let check = |a: &Arg, value: TokenStream| {
        let name = a.wire_name.as_str();
        match a.kind {
            ArgKind::Uuid => quote!(crate::params::uuid(OPERATION, #name, #value)),
            ArgKind::Text { min, max } => {
                let min = option_tokens(min);
                let max = option_tokens(max);
                if a.location == Location::Header {
                    quote!(crate::params::header(OPERATION, #name, #value, #min, #max))
                } else {
                    quote!(crate::params::string(OPERATION, #name, #value, #min, #max))
                }
            }
        }
    };

    let fields = args.iter().map(|a| {
        let name = &a.rust;
        let ty = arg_type(a);
        if a.required {
            quote!(#name: #ty,)
        } else {
            quote!(#name: ::std::option::Option<#ty>,)
        }
    });
    let params = required.iter().map(|a| {
        let name = &a.rust;
        let ty = arg_in(a);
        quote!(#name: #ty)
    });
    let inits = args.iter().map(|a| {
        let name = &a.rust;
        if a.required {
            quote!(#name: #name.into(),)
        } else {
            quote!(#name: None,)
        }
    });
    let setters = optional.iter().map(|a| {
        let name = &a.rust;
        let ty = arg_in(a);
        let doc = format!(
            "{}\n\nSent as `{}`.",
            a.doc
                .clone()
                .unwrap_or_else(|| format!("Sets `{}`.", a.wire_name)),
            a.wire_name
        );
        quote! {
            #[doc = #doc]
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(value.into());
                self
            }
        }
    });
    let checks = args.iter().map(|a| {
        let name = &a.rust;
        if a.required {
            let check = check(a, quote!(self.#name));
            quote!(let #name = #check?;)
        } else {
            let check = check(a, quote!(value));
            quote!(let #name = self.#name.map(|value| #check).transpose()?;)
        }
    });
    // The path as segments: literals, and `{name}` filled from an argument.
    let segments = op
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let arg = args
                    .iter()
                    .find(|a| a.location == Location::Path && a.wire_name == name)
                    .ok_or_else(|| {
                        XtaskError::at(
                            file,
                            format!("{at}/parameters"),
                            format!("path parameter {name:?} is not declared"),
                        )
                    })?;
                let ident = &arg.rust;
                Ok(match arg.kind {
                    // The buffer lives until the end of the `Call::new` statement.
                    ArgKind::Uuid => {
                        quote!(&*#ident.hyphenated().encode_lower(&mut ::uuid::Uuid::encode_buffer()))
                    }
                    ArgKind::Text { .. } => quote!(#ident.as_str()),
                })
            }
            None => Ok(quote!(#segment)),
        })
        .collect::<Result<Vec<_>>>()?;
    let http_method = ident(&op.method.to_uppercase());
    let extras = args
        .iter()
        .filter(|a| a.location != Location::Path)
        .map(|a| {
            let ident = &a.rust;
            let wire = a.wire_name.as_str();
            let lower = a.wire_name.to_ascii_lowercase();
            let value = match a.kind {
                ArgKind::Uuid => quote!(
                    value
                        .hyphenated()
                        .encode_lower(&mut ::uuid::Uuid::encode_buffer())
                ),
                ArgKind::Text { .. } => quote!(value.as_str()),
            };
            let add = match a.location {
                Location::Header => quote!(call.header(#lower, #value)?;),
                _ => quote!(call.query(#wire, #value);),
            };
            if a.required {
                quote! { { let value = &#ident; #add } }
            } else {
                quote! { if let Some(value) = &#ident { #add } }
            }
        });
    let builder_doc = format!(
        "Request builder for {wire} (`{op_name}`): set optional arguments, then `.send()`."
    );

    let method_tokens = quote! {
        #[doc = #doc]
        pub fn #method(&self, #(#params),*) -> #builder<'a> {
            #builder {
                client: self.client,
                options: crate::RequestOptions::default(),
                #(#inits)*
            }
        }
    };
    let builder_tokens = quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send()` is awaited"]
        pub struct #builder<'a> {
            client: &'a crate::Client,
            options: crate::RequestOptions,
            #(#fields)*
        }
        impl<'a> #builder<'a> {
            #(#setters)*

            /// Retries for this call, instead of the client's `max_retries`.
            pub fn max_retries(mut self, retries: u32) -> Self {
                self.options.max_retries = Some(retries);
                self
            }

            /// Per-attempt timeout for this call, instead of the client's.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Sends the request and returns the parsed body.
            ///
            /// Arguments are checked first; an invalid one fails with
            /// [`crate::Error::InvalidRequest`] and nothing is sent.
            pub async fn send(self) -> ::std::result::Result<#response, crate::Error> {
                self.send_with_response().await.map(crate::ApiResponse::into_data)
            }

            /// Like [`Self::send`], also returning the status and headers.
            pub async fn send_with_response(
                self,
            ) -> ::std::result::Result<crate::ApiResponse<#response>, crate::Error> {
                const OPERATION: &str = #op_name;
                #(#checks)*
                let mut call = crate::pipeline::Call::new(
                    self.client,
                    OPERATION,
                    ::reqwest::Method::#http_method,
                    &[#(#segments),*],
                    self.options,
                )?;
                #(#extras)*
                call.send().await
            }
        }
    };
    Ok((method_tokens, builder_tokens))
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
