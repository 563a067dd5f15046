//! A call of every operation with sample arguments, as Rust code in a crate
//! that depends on the SDK: what the request snapshot and the contract
//! tests iterate over, so an operation added to `operations.toml` is tested
//! without a hand-written test.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::emit::{Krate, ty};
use crate::error::Result;
use crate::model::{Api, Operation, Ty};

/// The calls module, calling through the crate named `krate`. Samples come
/// from the spec as written (before the leniency rules), so they satisfy
/// its patterns and formats.
pub fn tokens(api: &Api, krate: &str) -> Result<TokenStream> {
    let arms = api
        .operations
        .iter()
        .map(|op| call(api, krate, op))
        .collect::<Result<Vec<_>>>()?;
    let ids = api.operations.iter().map(|op| op.id.as_str());
    let lists = api
        .operations
        .iter()
        .filter(|op| op.pagination.is_some())
        .map(|op| op.id.as_str());
    let redaction = crate::emit::redaction::tokens(api, krate);
    let krate = format_ident!("{krate}");
    Ok(quote! {
        #![allow(clippy::all, dead_code, unused_imports)]

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
        ) -> Option<Result<Answer, #krate::Error>> {
            Some(match operation {
                #(#arms)*
                _ => return None,
            })
        }

        fn answer<T: ::serde::Serialize>(
            result: Result<#krate::ApiResponse<T>, #krate::Error>,
        ) -> Result<Answer, #krate::Error> {
            Ok(result?.map(|data| {
                ::serde_json::to_value(&data).expect("a decoded response serializes back to JSON")
            }))
        }

        #redaction
    })
}

/// One arm: `"Id" => answer(client.a().b().name(args).body(..).send_with_response().await)`.
fn call(api: &Api, krate: &str, op: &Operation) -> Result<TokenStream> {
    let id = op.id.as_str();
    let resource = op.resource.iter().map(|s| format_ident!("{s}"));
    let method = format_ident!("{}", op.name);
    let args = op
        .args
        .iter()
        .filter(|a| a.required)
        .map(|a| {
            let sample = api.spec.sample_at(&a.schema_at)?;
            Ok(match (&a.ty, sample.as_str()) {
                (Ty::UuidArg, Some(text)) => quote!(#text),
                (Ty::UuidArg, None) => quote!(#SAMPLE_UUID),
                (arg_ty, _) => value_of(krate, arg_ty, &sample),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let body = match &op.body {
        Some(body) => {
            let value = value_of(krate, &body.ty, &api.spec.sample_at(&body.schema_at)?);
            quote!(.body(#value))
        }
        None => TokenStream::new(),
    };
    Ok(quote! {
        #id => answer(client #(.#resource())* .#method(#(#args),*) #body .send_with_response().await),
    })
}

const SAMPLE_UUID: &str = "0f2d6b0a-5b8e-4a55-9d5a-1c3c0b7f1e2a";

/// `sample` as a Rust expression of type `value_ty`.
fn value_of(krate: &str, value_ty: &Ty, sample: &Value) -> TokenStream {
    let value_ty = ty(value_ty, Krate::Outside(krate));
    let text = serde_json::to_string(sample).unwrap_or_default();
    quote! {
        ::serde_json::from_str::<#value_ty>(#text).expect("the sample is a value of the argument's type")
    }
}
