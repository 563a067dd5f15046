//! The model's structs, written into `generated/types.rs` beside typify's
//! items: each struct, then its constructor and setters, so a value is one
//! expression (`CustomerV1::new(..).with_device(..)`), a required field
//! cannot be forgotten (it is an argument), and the unknown fields start
//! empty.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{Krate, derives, doc, ty};
use crate::model::{Field, Struct};
use crate::names::ident;

/// Every struct of the model, each with its constructors.
pub fn tokens(structs: &[Struct]) -> TokenStream {
    structs
        .iter()
        .map(|s| {
            let definition = definition(s);
            let constructors = constructors(s);
            quote!(#definition #constructors)
        })
        .collect()
}

fn definition(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(s.description.as_deref().unwrap_or(&format!("`{}`", s.name)));
    let derives = derives(&["::serde::Deserialize", "::serde::Serialize", "Clone"]);
    let fields = s.fields.iter().map(field);
    quote! {
        #docs
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            /// Fields this version of the SDK does not know, kept as sent.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }
    }
}

fn field(f: &Field) -> TokenStream {
    let name = ident(&f.name);
    let docs = f.description.as_deref().map(doc);
    let field_ty = ty(&f.ty, Krate::Sdk);
    let mut serde = Vec::new();
    if f.name != f.wire {
        let wire = &f.wire;
        serde.push(quote!(rename = #wire));
    }
    if f.required_nullable() {
        // A required key whose value may be `null`: serde's `Option` would
        // also accept it absent.
        serde.push(quote!(
            deserialize_with = "::std::option::Option::deserialize"
        ));
    }
    if !f.required {
        serde.push(quote!(
            default,
            skip_serializing_if = "crate::Nullable::is_absent"
        ));
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    quote! {
        #docs
        #serde
        pub #name: #field_ty,
    }
}

/// `new(required...)` and a `with_<field>` setter per optional field
/// (`with_extra` is the runtime's `api_struct!`).
fn constructors(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let (required, optional): (Vec<&Field>, Vec<&Field>) =
        s.fields.iter().partition(|f| f.required);
    let params = required.iter().map(|f| {
        let (field, field_ty) = (ident(&f.name), ty(&f.ty, Krate::Sdk));
        // `impl Into<Option<T>>` takes a `T`, `Some(T)` or `None`.
        quote!(#field: impl Into<#field_ty>)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        if f.required {
            quote!(#field: #field.into(),)
        } else {
            quote!(#field: crate::Nullable::Absent,)
        }
    });
    let setters = optional.iter().map(|f| {
        let field = ident(&f.name);
        let setter = ident(&format!("with_{}", f.name.trim_end_matches('_')));
        let value = ty(f.ty.inner(), Krate::Sdk);
        let docs = doc(&format!("Sets `{}`.", f.wire));
        quote! {
            #docs
            #[must_use]
            pub fn #setter(mut self, value: impl Into<#value>) -> Self {
                self.#field = crate::Nullable::Value(value.into());
                self
            }
        }
    });
    let docs = doc(
        "Builds this struct from its required fields; the optional ones are unset and `extra` is empty.",
    );
    let debug = debug(s);
    // Clippy's limit is seven arguments; a constructor takes every required field.
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #name {
            #docs
            #allow
            pub fn new(#(#params),*) -> Self {
                Self {
                    #(#inits)*
                    extra: ::serde_json::Map::new(),
                }
            }
            #(#setters)*
        }
        crate::api_struct!(#name);
        #debug
    }
}

/// `Debug` through the runtime's `redacted_debug!`: each field in order,
/// a sensitive one redacted, and the unknown fields with redacted keys.
fn debug(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        if f.sensitive {
            quote!(#field: redact)
        } else {
            quote!(#field)
        }
    });
    quote!(crate::redacted_debug!(#name { #(#fields,)* extra: json });)
}
