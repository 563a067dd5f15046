//! A call of every generated operation with sample arguments, as Rust code:
//! what the request snapshot and the contract tests iterate over, so an
//! operation added to `operations.toml` is tested without a hand-written test.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::{Result, XtaskError};
use crate::resources::Shape;

/// The calls module for `shapes`, calling through the crate `krate`
/// (`straddle_sdk`). Samples come from `doc`, the spec as written (before
/// the leniency transforms), so they satisfy its patterns and formats.
pub fn tokens(file: &Path, doc: &Value, krate: &str, shapes: &[Shape]) -> Result<TokenStream> {
    let krate = format_ident!("{krate}");
    let mut arms = Vec::new();
    for shape in shapes {
        let id = shape.operation_id.as_str();
        let resource = shape.resource.iter().map(|s| format_ident!("{s}"));
        let method = format_ident!("{}", shape.name);
        let args = shape
            .required
            .iter()
            .map(|(ty, uuid, at)| {
                let sample = sample_at(file, doc, at)?;
                Ok(if *uuid {
                    let text = sample.as_str().unwrap_or(SAMPLE_UUID).to_string();
                    quote!(#text)
                } else {
                    value_of(&krate.to_string(), ty, &sample)?
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let body = match &shape.body {
            Some((ty, at)) => {
                let value = value_of(&krate.to_string(), ty, &sample_at(file, doc, at)?)?;
                quote!(.body(#value))
            }
            None => TokenStream::new(),
        };
        arms.push(quote! {
            #id => answer(client #(.#resource())* .#method(#(#args),*) #body .send_with_response().await),
        });
    }
    let ids = shapes.iter().map(|s| s.operation_id.as_str());
    let lists = shapes
        .iter()
        .filter(|s| s.list)
        .map(|s| s.operation_id.as_str());
    Ok(quote! {
        #![allow(clippy::all, dead_code, unused_imports)]
        use #krate::types;

        /// The operationId of every generated operation, in `operations.toml` order.
        pub const OPERATIONS: &[&str] = &[#(#ids),*];

        /// The list operations among them (they also have `.into_stream()`).
        pub const LISTS: &[&str] = &[#(#lists),*];

        /// A success: the status, headers, and the typed body written back as JSON.
        pub type Answer = #krate::ApiResponse<::serde_json::Value>;

        /// Calls `operation` with sample arguments (the spec's examples, or
        /// values its schemas accept); `None` for an unknown operationId.
        pub async fn call(
            client: &#krate::Client,
            operation: &str,
        ) -> ::std::option::Option<::std::result::Result<Answer, #krate::Error>> {
            ::std::option::Option::Some(match operation {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }

        fn answer<T: ::serde::Serialize>(
            result: ::std::result::Result<#krate::ApiResponse<T>, #krate::Error>,
        ) -> ::std::result::Result<Answer, #krate::Error> {
            ::std::result::Result::Ok(result?.map(|data| {
                ::serde_json::to_value(&data).expect("a decoded response serializes back to JSON")
            }))
        }
    })
}

const SAMPLE_UUID: &str = "0f2d6b0a-5b8e-4a55-9d5a-1c3c0b7f1e2a";

/// A sample of the schema at the JSON pointer `at` of `doc`.
pub(crate) fn sample_at(file: &Path, doc: &Value, at: &str) -> Result<Value> {
    let schema = doc
        .pointer(at)
        .ok_or_else(|| XtaskError::at(file, at, "no schema here to sample"))?;
    Ok(crate::samples::sample(doc, schema))
}

/// `sample` as a Rust expression of type `ty` (its tokens as text, with
/// paths from inside the SDK crate: `crate::X` is `krate::X` here).
fn value_of(krate: &str, ty: &str, sample: &Value) -> Result<TokenStream> {
    let outside = ty.replace("crate ::", &format!("{krate} ::"));
    let ty: syn::Type = syn::parse_str(&outside).map_err(|e| {
        XtaskError::file(
            Path::new("<generated>"),
            format!("type {ty:?} does not parse: {e}"),
        )
    })?;
    let text = serde_json::to_string(sample).unwrap_or_default();
    Ok(quote! {
        ::serde_json::from_str::<#ty>(#text).expect("the sample is a value of the argument's type")
    })
}
