//! `generated/unions.rs`: each one-pass union as its variants and the
//! tables its decoder reads (its fields, each variant's required fields,
//! how to build each variant). The decoding itself (one pass over the
//! object, keeping every other key as sent, trying the variants in order)
//! is the runtime's `straddle_sdk::OnePassUnion`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{Krate, derives, doc, paragraphs, ty};
use crate::error::{Result, XtaskError};
use crate::model::union::Branch;
use crate::model::{Api, Struct, Union};
use crate::names::ident;

/// The generated `unions.rs`.
pub fn tokens(api: &Api) -> Result<TokenStream> {
    let items = api
        .unions
        .iter()
        .map(|u| union(api, u))
        .collect::<Result<Vec<_>>>()?;
    Ok(quote! {
        //! Object unions decoded in one pass; see `straddle_sdk::OnePassUnion`.
        //! Re-exported from `types`.
        #(#items)*
    })
}

fn union(api: &Api, u: &Union) -> Result<TokenStream> {
    let branches = u
        .branches
        .iter()
        .map(|b| {
            let shape = api.find_struct(&b.type_name).ok_or_else(|| {
                XtaskError::file(
                    &api.spec.file,
                    format!(
                        "the union `{}` has a branch `{}` that is not a struct",
                        u.name, b.type_name
                    ),
                )
            })?;
            Ok((b, shape))
        })
        .collect::<Result<Vec<_>>>()?;
    let name = ident(&u.name);
    let docs = doc(&paragraphs([
        u.description.as_deref().unwrap_or_default(),
        &format!(
            "{}. The variant is the first whose required fields are all present (even as \
             `null`) and whose fields decode; the other variant's fields stay in `extra` as sent.",
            either(u, |b| format!("`{}` (requires {})", b.variant, needs(b)))
        ),
    ]));
    let variants = u.branches.iter().enumerate().map(|(i, b)| variant(u, i, b));
    let derives = derives(&["::serde::Serialize", "Clone", "Debug"]);
    let table = decoder(u, &branches);
    // A variant builds the union, and an optional field holding it, in one
    // expression: `.with_compliance_profile(ComplianceProfileV1Individual::new(..))`.
    let froms = u.branches.iter().map(|b| {
        let (v, t) = (ident(&b.variant), ident(&b.type_name));
        quote! {
            impl From<crate::types::#t> for #name {
                fn from(value: crate::types::#t) -> Self {
                    Self::#v(value)
                }
            }
            impl From<crate::types::#t> for crate::Nullable<#name> {
                fn from(value: crate::types::#t) -> Self {
                    crate::Nullable::Value(#name::#v(value))
                }
            }
        }
    });
    Ok(quote! {
        #docs
        #derives
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }
        #(#froms)*
        #table
        crate::one_pass_union!(#name);
    })
}

fn variant(u: &Union, i: usize, b: &Branch) -> TokenStream {
    let earlier: Vec<String> = u.branches[..i]
        .iter()
        .map(|e| format!("`{}`", e.variant))
        .collect();
    let needs = needs(b).replace(", ", " and ");
    let text = if earlier.is_empty() {
        format!("Selected when the object has {needs} (each may be `null`). It is tried first.")
    } else {
        format!(
            "Selected when the object has {needs} (each may be `null`) and the object is not a {}.",
            earlier.join(" or ")
        )
    };
    let (docs, v, t) = (doc(&text), ident(&b.variant), ident(&b.type_name));
    quote!(#docs #v(crate::types::#t),)
}

/// The union's `OnePassUnion` impl: its tables, its direct fields, and how
/// each variant is built from the fields kept as sent.
fn decoder(u: &Union, branches: &[(&Branch, &Struct)]) -> TokenStream {
    let name = ident(&u.name);
    let type_name = &u.name;
    let fields = u.all_properties();
    let table = u.branches.iter().map(|b| {
        let (variant, required) = (&b.variant, &b.required);
        quote!((#variant, &[#(#required),*]),)
    });
    let direct = u.direct_fields();
    let direct_types = direct.iter().map(|f| {
        let field = branches[0].1.field(f).map(|f| ty(&f.ty, Krate::Sdk));
        quote!(Option<#field>)
    });
    let direct_arms = direct.iter().enumerate().map(|(i, f)| {
        let slot = syn::Index::from(i);
        quote!(#f => crate::union::read_direct(&mut direct.#slot, field, map)?,)
    });
    // A union without direct fields does not touch them.
    let (unused_read, unused_build) = match direct.is_empty() {
        true => (quote!(let _ = (direct, map);), quote!(let _ = direct;)),
        false => (TokenStream::new(), TokenStream::new()),
    };
    let last = branches.len() - 1;
    let builds = branches
        .iter()
        .enumerate()
        .map(|(i, (b, _))| build(i, i == last, b, &direct));
    quote! {
        impl crate::OnePassUnion for #name {
            const NAME: &'static str = #type_name;
            const FIELDS: &'static [&'static str] = &[#(#fields),*];
            const VARIANTS: &'static [(&'static str, &'static [&'static str])] = &[#(#table)*];
            type Direct = (#(#direct_types,)*);
            fn read_direct<'de, A: ::serde::de::MapAccess<'de>>(
                direct: &mut Self::Direct,
                field: &'static str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                #unused_read
                Ok(match field {
                    #(#direct_arms)*
                    _ => false,
                })
            }
            fn build(
                variant: usize,
                fields: &mut crate::union::Fields,
                direct: &mut Self::Direct,
            ) -> Result<Self, String> {
                #unused_build
                Ok(match variant {
                    #(#builds)*
                })
            }
        }
    }
}

/// How variant `i` (the last one: any other index) is built: each field decoded from what was kept (or,
/// for the first variant's direct fields, taken as decoded), then the rest
/// as its `extra`.
fn build(i: usize, last: bool, b: &Branch, direct: &[&str]) -> TokenStream {
    let (v, t) = (ident(&b.variant), ident(&b.type_name));
    let fields = b.properties.iter().map(|p| {
        let f = ident(p);
        if let Some(slot) = direct.iter().position(|d| d == p).filter(|_| i == 0) {
            let slot = syn::Index::from(slot);
            quote!(#f: fields.direct(direct.#slot.take(), #p)?,)
        } else if b.required.contains(p) {
            quote!(#f: fields.required(#p)?,)
        } else {
            quote!(#f: fields.optional(#p)?,)
        }
    });
    let props = &b.properties;
    let pattern = if last {
        quote!(_)
    } else {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote!(#i)
    };
    quote! {
        #pattern => Self::#v(crate::types::#t {
            #(#fields)*
            extra: fields.rest(&[#(#props),*]),
        }),
    }
}

fn needs(b: &Branch) -> String {
    b.required
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn either(u: &Union, each: impl Fn(&Branch) -> String) -> String {
    u.branches.iter().map(each).collect::<Vec<_>>().join(" or ")
}
