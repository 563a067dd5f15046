//! `generated/enums.rs`: each open enum as its variants and a table of
//! their wire values. What every open enum does (`as_str`, `Display`,
//! `From<&str>`, serde, ordering by text, JSON Schema) is the runtime's
//! `straddle_sdk::OpenEnum` and its `open_enum!` macro.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{doc, one_of, paragraphs};
use crate::model::OpenEnum;
use crate::names::ident;

/// The generated `enums.rs`.
pub fn tokens(enums: &[OpenEnum]) -> TokenStream {
    let items = enums.iter().map(open_enum);
    quote! {
        //! Open enums: a variant per documented value and `Unknown` for any
        //! other; see `straddle_sdk::OpenEnum`. Re-exported from `types`.
        #(#items)*
    }
}

/// One open enum: the type, its [`OpenEnum`] table, and the runtime macro
/// that gives it the common impls.
fn open_enum(e: &OpenEnum) -> TokenStream {
    let name = ident(&e.name);
    let summary = paragraphs([
        e.description.as_deref().unwrap_or_default(),
        &format!(
            "One of {}.",
            one_of(e.values.iter().map(|v| v.value.as_str()))
        ),
        &format!(
            "Open: any other value is kept in [`{0}::Unknown`] and written back unchanged. \
             Match it with a catch-all arm and read a value through \
             [`as_str`]({0}::as_str); see [`OpenEnum`](crate::OpenEnum).",
            e.name
        ),
    ]);
    let docs = doc(&summary);
    let variants = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let docs = doc(&format!("`{}`", v.value));
        quote!(#docs #variant,)
    });
    let table = e.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let value = &v.value;
        quote!((#value, Self::#variant),)
    });
    let description = e.description.as_deref().unwrap_or_default();
    let type_name = &e.name;
    quote! {
        #docs
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(String),
        }
        impl crate::OpenEnum for #name {
            const NAME: &'static str = #type_name;
            const DESCRIPTION: &'static str = #description;
            const VALUES: &'static [(&'static str, Self)] = &[#(#table)*];
        }
        crate::open_enum!(#name);
    }
}
