//! The generated part of `straddle-sdk-mock`: a sample response per
//! operation (`samples::refresh_customer_review()`), so a test gets a
//! realistic typed value without a server. The values are JSON sampled from
//! the spec (which prefers its examples) and decoded on each call; a
//! generated test per operation decodes each one, so a sample that does
//! not fit its type fails the mock crate's tests.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::emit::{Krate, doc, ty};
use crate::error::{Result, XtaskError};
use crate::model::resource::operation_types;
use crate::model::{Api, Operation, Ty};
use crate::names::field_name;

/// The mock crate's `samples` module.
pub fn tokens(api: &Api) -> Result<TokenStream> {
    let functions = api
        .operations
        .iter()
        .map(|op| sample(api, op))
        .collect::<Result<Vec<_>>>()?;
    let tests = api.operations.iter().map(|op| {
        let name = format_ident!("{}", field_name(&op.id));
        let call = match op.response.ty {
            Ty::Unit => quote!(super::#name();),
            _ => quote!(let _sample = super::#name();),
        };
        quote! {
            #[test]
            fn #name() {
                #call
            }
        }
    });
    let example = api.operations.first().map_or_else(
        || "`Answer::ok(samples::<operation>())`".to_string(),
        |op| format!("`Answer::ok(samples::{}())`", field_name(&op.id)),
    );
    let docs: Vec<String> = [
        "Sample success responses, one function per operation, from the".to_string(),
        format!("spec's examples: {example}."),
        "Each returns a new value, to change as a test needs.".to_string(),
    ]
    .iter()
    .map(|line| format!(" {line}"))
    .collect();
    Ok(quote! {
        #(#![doc = #docs])*

        #(#functions)*

        /// Each sample decodes into its operation's response type.
        #[cfg(test)]
        mod tests {
            #(#tests)*
        }
    })
}

fn sample(api: &Api, op: &Operation) -> Result<TokenStream> {
    let (id, status) = (op.id.as_str(), op.response.status);
    let name = format_ident!("{}", field_name(id));
    let [builder, _] = operation_types(op);
    let call = format!("client.{}().{}(..)", op.resource.join("()."), op.name);
    let mut text = format!(
        "A sample success response of `{id}` ([`{call}`](straddle_sdk::resources::{builder}), \
         status {status}): the spec's example, or values its schema accepts."
    );
    if op.response.ty == Ty::Unit {
        text.push_str(" The operation documents no body: this is `()`.");
        let docs = doc(&text);
        return Ok(quote! {
            #docs
            pub fn #name() {}
        });
    }
    let sample = match &op.response.schema_at {
        Some(at) => api.spec.sample_at(at)?,
        None => crate::spec::sample::sample(&api.spec.raw, &Value::Null),
    };
    let json = serde_json::to_string_pretty(&sample).map_err(|e| {
        XtaskError::file(
            &api.spec.file,
            format!("the sample of {id} cannot be written: {e}"),
        )
    })?;
    let json = crate::emit::raw_string(&json);
    text.push_str(
        "\n\n# Panics\n\nNever: the mock crate's tests decode every sample into its type.",
    );
    let docs = doc(&text);
    let response = ty(&op.response.ty, Krate::Outside("straddle_sdk"));
    Ok(quote! {
        #docs
        pub fn #name() -> #response {
            crate::decode_sample(#id, #json)
        }
    })
}
