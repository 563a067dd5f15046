//! The generated part of `straddle-sdk-mock`: a sample response per
//! operation (`samples::refresh_customer_review()`), so a test gets a
//! realistic typed value without a server. The values are JSON sampled from
//! the spec ([`crate::samples`], which prefers the spec's examples) and
//! decoded on each call; a generated test per operation decodes each one, so
//! a sample that does not fit its type fails the mock crate's tests.

use std::path::Path;

use heck::ToUpperCamelCase;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::error::{Result, XtaskError};
use crate::resources::{Shape, rust_name};

/// The `samples` module of the mock crate for `shapes`. Samples come from
/// `doc`, the spec as written (before the leniency transforms).
pub fn samples_tokens(file: &Path, doc: &Value, shapes: &[Shape]) -> Result<TokenStream> {
    let mut functions = Vec::new();
    let mut tests = Vec::new();
    for shape in shapes {
        let id = shape.operation_id.as_str();
        let name = format_ident!("{}", rust_name(id));
        let (ty, status, schema_at) = &shape.response;
        let call = format!("client.{}().{}(..)", shape.resource.join("()."), shape.name);
        let mut text = format!(
            "A sample success response of `{id}` ([`{call}`](straddle_sdk::resources::{}), status {status}): the spec's example, or values its schema accepts.",
            id.to_upper_camel_case()
        );
        let function = if ty == "()" {
            text.push_str(" The operation documents no body: this is `()`.");
            tests.push(quote! {
                #[test]
                fn #name() {
                    super::#name();
                }
            });
            quote! {
                #[doc = #text]
                pub fn #name() {}
            }
        } else {
            let ty = response_type(file, ty)?;
            let sample = match schema_at {
                Some(at) => crate::calls::sample_at(file, doc, at)?,
                None => crate::samples::sample(doc, &Value::Null),
            };
            let json = raw_string(&serde_json::to_string_pretty(&sample).map_err(|e| {
                XtaskError::file(file, format!("the sample of {id} cannot be written: {e}"))
            })?);
            text.push_str(
                "\n\n# Panics\n\nNever: the mock crate's tests decode every sample into its type.",
            );
            tests.push(quote! {
                #[test]
                fn #name() {
                    let _sample = super::#name();
                }
            });
            quote! {
                #[doc = #text]
                pub fn #name() -> #ty {
                    crate::decode_sample(#id, #json)
                }
            }
        };
        functions.push(function);
    }
    let example = shapes.first().map_or_else(
        || "`Answer::ok(samples::<operation>())`".to_string(),
        |shape| {
            format!(
                "`Answer::ok(samples::{}())`",
                rust_name(&shape.operation_id)
            )
        },
    );
    let module_doc = [
        " Sample success responses, one function per operation, from the".to_string(),
        format!(" spec's examples: {example}."),
        " Each returns a new value, to change as a test needs.".to_string(),
    ];
    Ok(quote! {
        #(#![doc = #module_doc])*
        #[allow(unused_imports)]
        use straddle_sdk::types;

        #(#functions)*

        /// Each sample decodes into its operation's response type.
        #[cfg(test)]
        mod tests {
            #(#tests)*
        }
    })
}

/// A response type (`types :: X`, `:: serde_json :: Value`) as the mock
/// crate names it: `serde_json` through the SDK's re-export.
fn response_type(file: &Path, ty: &str) -> Result<syn::Type> {
    let outside = match ty.strip_prefix(":: serde_json ::") {
        Some(rest) => format!("straddle_sdk :: serde_json ::{rest}"),
        None => ty.to_string(),
    };
    syn::parse_str(&outside)
        .map_err(|e| XtaskError::file(file, format!("response type {ty:?} does not parse: {e}")))
}

/// `text` as a raw string literal (`r#"..."#`), so the JSON reads as JSON.
fn raw_string(text: &str) -> Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}
