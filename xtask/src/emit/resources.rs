//! `generated/resources.rs`: the resource tree (`client.customers()
//! .review()`) and, per operation, a request builder type of its own (its
//! rustdoc page lists exactly its setters), the arguments it stores, and
//! how each goes on the wire. Sending, the per-request options, retries,
//! decoding and pagination are the runtime's (`straddle-sdk/src/request.rs`:
//! `request_builder!`, `Request`, `Operation`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{Krate, doc, paragraphs, ty};
use crate::model::operation::{Arg, Check, Location, Operation, Pagination, Style};
use crate::model::resource::operation_types;
use crate::model::{Api, Resource, Ty};
use crate::names::ident;

/// The generated `resources.rs`.
pub fn tokens(api: &Api) -> TokenStream {
    let root = accessors(&api.resources, true);
    let nodes = api
        .resources
        .walk()
        .into_iter()
        .skip(1)
        .map(|node| resource(api, node));
    let operations = api.operations.iter().map(operation);
    quote! {
        impl crate::Client {
            #root
        }
        #(#nodes)*
        #(#operations)*
    }
}

/// A resource node's struct, with an accessor per child and a method per
/// operation.
fn resource(api: &Api, node: &Resource) -> TokenStream {
    let ty = ident(&node.type_name());
    let docs = doc(&format!(
        "The `{}` resource: `client.{}()`.",
        node.path.join("."),
        node.path.join("().")
    ));
    let children = accessors(node, false);
    let methods = node.operations.iter().map(|i| method(&api.operations[*i]));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a> {
            client: &'a crate::Client,
        }
        impl<'a> #ty<'a> {
            #children
            #(#methods)*
        }
    }
}

fn accessors(node: &Resource, root: bool) -> TokenStream {
    node.children
        .iter()
        .map(|child| {
            let (ty, method) = (ident(&child.type_name()), ident(child.name()));
            let docs = doc(&format!("The `{}` resource.", child.path.join(".")));
            if root {
                quote! {
                    #docs
                    pub fn #method(&self) -> #ty<'_> {
                        #ty { client: self }
                    }
                }
            } else {
                quote! {
                    #docs
                    pub fn #method(self) -> #ty<'a> {
                        #ty { client: self.client }
                    }
                }
            }
        })
        .collect()
}

/// The resource method: the required arguments in, the request builder out.
fn method(op: &Operation) -> TokenStream {
    let [builder, args] = operation_types(op).map(|t| ident(&t));
    let name = ident(&op.name);
    let summary = op.docs.first().map(String::as_str).unwrap_or_default();
    let docs = doc(&paragraphs([
        summary,
        &format!(
            "`{} {}`: see [`{builder}`] for its arguments.",
            op.method, op.path
        ),
    ]));
    let required = op.args.iter().filter(|a| a.required);
    let params = required.clone().map(|a| {
        let (name, a_ty) = (ident(&a.name), ty(&a.ty, Krate::Sdk));
        quote!(#name: impl Into<#a_ty>)
    });
    let inits = op.args.iter().map(|a| {
        let name = ident(&a.name);
        if a.required {
            quote!(#name: #name.into(),)
        } else {
            quote!(#name: None,)
        }
    });
    let body = op
        .body
        .as_ref()
        .map(|_| quote!(body: crate::JsonBody::default(),));
    quote! {
        #docs
        pub fn #name(&self, #(#params),*) -> #builder<'a> {
            #builder::new(self.client, #args {
                #(#inits)*
                #body
            })
        }
    }
}

/// An operation's request builder, arguments, wire description, setters and
/// pagination.
fn operation(op: &Operation) -> TokenStream {
    let [builder, args] = operation_types(op).map(|t| ident(&t));
    let wire = format!("`{} {}`", op.method, op.path);
    let list = match op.pagination {
        Some(_) => " A list: `.into_stream()` reads every item of every page.",
        None => "",
    };
    let call = match op.args.iter().any(|a| a.required) {
        true => format!("client.{}().{}(..)", op.resource.join("()."), op.name),
        false => format!("client.{}().{}()", op.resource.join("()."), op.name),
    };
    let returns = match &op.response.ty {
        Ty::Named(name) => format!("[`{name}`](crate::types::{name})"),
        Ty::Unit => "`()` (the operation answers with no body)".to_string(),
        _ => "the body as JSON (`serde_json::Value`)".to_string(),
    };
    let made = format!(
        "{wire}. Made by `{call}`; set its arguments with the methods below, then \
         `.send().await`, which returns {returns}.{list}"
    );
    let docs = doc(&paragraphs(
        op.docs.iter().map(String::as_str).chain([made.as_str()]),
    ));
    let args_doc = doc(&format!(
        "The operation {wire} (`{}`) as a type: the arguments [`{builder}`] sends. \
         Generic code names it (`Request<'_, {args}>`, `straddle-sdk-mock`'s `Answer<{args}>`).",
        op.id
    ));
    let fields = op.args.iter().map(|a| {
        let (name, a_ty) = (ident(&a.name), ty(&a.ty, Krate::Sdk));
        if a.required {
            quote!(#name: #a_ty,)
        } else {
            quote!(#name: Option<#a_ty>,)
        }
    });
    let body = op.body.as_ref().map(|_| quote!(body: crate::JsonBody,));
    let debug = {
        let fields = op.args.iter().map(|a| {
            let name = ident(&a.name);
            if a.sensitive {
                quote!(#name: redact)
            } else {
                quote!(#name)
            }
        });
        // The body's own `Debug` redacts by property name.
        let fields = fields.chain(op.body.as_ref().map(|_| quote!(body)));
        quote!(crate::redacted_debug!(#args { #(#fields),* });)
    };
    let wire_impl = wire_description(op);
    let setters = setters(op);
    let paginated = op.pagination.as_ref().map(|p| pagination(&args, p));
    let paginated_flag = op.pagination.as_ref().map(|_| quote!(, paginated));
    quote! {
        #docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send()` is awaited"]
        pub struct #builder<'a>(crate::Request<'a, #args>);
        #args_doc
        #[derive(Clone, PartialEq)]
        pub struct #args {
            #(#fields)*
            #body
        }
        #debug
        #wire_impl
        #setters
        #paginated
        crate::request_builder!(#builder, #args #paginated_flag);
    }
}

/// The `Operation` impl: the operation's constants and one encoder call per
/// argument, each with the spec's check.
fn wire_description(op: &Operation) -> TokenStream {
    let [_, args] = operation_types(op).map(|t| ident(&t));
    let (id, path) = (&op.id, &op.path);
    let status = proc_macro2::Literal::u16_unsuffixed(op.response.status);
    let method = ident(&op.method);
    let response = ty(&op.response.ty, Krate::Sdk);
    let encode: Vec<TokenStream> = op.args.iter().map(encode_arg).collect();
    let json = op.body.as_ref().map(|body| {
        let required = body.required;
        let properties = body.properties.iter().filter(|p| p.required).map(|p| {
            let (wire, setter) = (&p.wire, &p.setter);
            quote!((#wire, #setter))
        });
        quote!(wire.json(&self.body, #required, &[#(#properties),*])?;)
    });
    // An operation without arguments does not touch the encoder.
    let wire = if encode.is_empty() && json.is_none() {
        ident("_wire")
    } else {
        ident("wire")
    };
    quote! {
        impl crate::Operation for #args {
            const ID: &'static str = #id;
            const METHOD: ::reqwest::Method = ::reqwest::Method::#method;
            const PATH: &'static str = #path;
            const STATUS: u16 = #status;
            type Response = #response;
            fn encode(&self, #wire: &mut crate::Encoder) -> Result<(), crate::Error> {
                #(#encode)*
                #json
                Ok(())
            }
        }
    }
}

fn encode_arg(a: &Arg) -> TokenStream {
    let (name, wire_name) = (ident(&a.name), a.wire.as_str());
    let check = match a.check {
        Check::Any => None,
        Check::Uuid => Some(quote!(crate::Check::Uuid)),
        Check::Length(min, max) => {
            let (min, max) = (option(min), option(max));
            Some(quote!(crate::Check::Length(#min, #max)))
        }
    };
    let value = if a.required {
        quote!(Some(&self.#name))
    } else {
        quote!(self.#name.as_ref())
    };
    // Any text, and several query values as `name=a&name=b`, are the defaults.
    match (a.location, check, a.style) {
        (Location::Path, None, _) => quote!(wire.path(#wire_name, &self.#name)?;),
        (Location::Path, Some(check), _) => {
            quote!(wire.path_with(#wire_name, &self.#name, #check)?;)
        }
        (Location::Header, None, _) => quote!(wire.header(#wire_name, #value)?;),
        (Location::Header, Some(check), _) => {
            quote!(wire.header_with(#wire_name, #value, #check)?;)
        }
        (Location::Query, None, Style::FormExploded) => quote!(wire.query(#wire_name, #value)?;),
        (Location::Query, check, style) => {
            let check = check.unwrap_or_else(|| quote!(crate::Check::Any));
            let style = match style {
                Style::FormExploded => quote!(crate::Style::FormExploded),
                Style::FormJoined => quote!(crate::Style::FormJoined),
            };
            quote!(wire.query_with(#wire_name, #value, #check, #style)?;)
        }
    }
}

fn option(value: Option<usize>) -> TokenStream {
    match value.map(proc_macro2::Literal::usize_unsuffixed) {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// A setter per optional argument, `body` and one per body property.
fn setters(op: &Operation) -> Option<TokenStream> {
    let [builder, _] = operation_types(op).map(|t| ident(&t));
    let wire = format!("`{} {}`", op.method, op.path);
    let mut setters: Vec<TokenStream> = op
        .args
        .iter()
        .filter(|a| !a.required)
        .map(|a| {
            let (name, a_ty) = (ident(&a.name), ty(&a.ty, Krate::Sdk));
            let sent = match a.location {
                Location::Path => format!("Sent in the path as `{}`.", a.wire),
                Location::Query => format!("Sent as the query parameter `{}`.", a.wire),
                Location::Header => format!("Sent as the header `{}`.", a.wire),
            };
            let docs = doc(&sentences(a.doc.as_deref(), &sent));
            quote! {
                #docs
                pub fn #name(mut self, value: impl Into<#a_ty>) -> Self {
                    self.0.operation.#name = Some(value.into());
                    self
                }
            }
        })
        .collect();
    if let Some(body) = &op.body {
        let body_ty = ty(&body.ty, Krate::Sdk);
        let docs = doc(&if body.properties.is_empty() {
            format!("Sets the request body of {wire}.")
        } else {
            format!(
                "Sets the whole request body of {wire}. Property setters called after this change single properties of it."
            )
        });
        setters.push(quote! {
            #docs
            pub fn body(mut self, value: impl Into<#body_ty>) -> Self {
                self.0.operation.body.replace(&value.into());
                self
            }
        });
        for p in &body.properties {
            let (setter, wire_name, p_ty) = (ident(&p.setter), &p.wire, ty(&p.ty, Krate::Sdk));
            let set = format!(
                "Sets `{wire_name}` in the request body ({}).",
                if p.required { "required" } else { "optional" }
            );
            let docs = doc(&sentences(p.doc.as_deref(), &set));
            setters.push(quote! {
                #docs
                pub fn #setter(mut self, value: impl Into<#p_ty>) -> Self {
                    self.0.operation.body.set(#wire_name, &value.into());
                    self
                }
            });
        }
    }
    (!setters.is_empty()).then(|| {
        quote! {
            impl #builder<'_> {
                #(#setters)*
            }
        }
    })
}

/// How a list operation pages: its item type, its page argument, and where
/// its response says which page it is.
fn pagination(args: &proc_macro2::Ident, p: &Pagination) -> TokenStream {
    let item = ty(&p.item, Krate::Sdk);
    let meta = |field: &str| {
        if p.meta_fields.contains(&field) {
            let f = ident(field);
            quote!(crate::MetaNumber::get(&response.meta.#f))
        } else {
            quote!(None)
        }
    };
    let (page_number, page_size, total_items, total_pages) = (
        meta("page_number"),
        meta("page_size"),
        meta("total_items"),
        meta("total_pages"),
    );
    let page = quote!(crate::pagination::page_argument(
        <Self as crate::Operation>::ID,
        page
    )?);
    let set = if p.page_argument_required {
        quote!(self.page_number = #page;)
    } else {
        quote!(self.page_number = Some(#page);)
    };
    quote! {
        impl crate::Paginated for #args {
            type Item = #item;
            fn page_number(&self) -> Option<i64> {
                crate::MetaNumber::get(&self.page_number)
            }
            fn set_page_number(&mut self, page: i64) -> Result<(), crate::Error> {
                #set
                Ok(())
            }
            fn into_page(response: Self::Response) -> (Vec<Self::Item>, crate::PageInfo) {
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
}

/// A setter's documentation: the spec's description, then where the value
/// goes, as one paragraph (a description that is several paragraphs keeps
/// them).
fn sentences(description: Option<&str>, then: &str) -> String {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) if d.ends_with(['.', '!', '?', ')']) => format!("{d} {then}"),
        Some(d) => format!("{d}. {then}"),
        None => then.to_string(),
    }
}
