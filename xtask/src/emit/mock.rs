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
    let events = events(api)?;
    Ok(quote! {
        #(#![doc = #docs])*

        #(#functions)*

        #events

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

/// `samples::webhooks`: a sample of each webhook event (the envelope with
/// the spec's example of its data), read as the SDK reads a body, and
/// `all()` of them; with a test that each reads as its own variant.
fn events(api: &Api) -> Result<TokenStream> {
    if api.events.is_empty() {
        return Ok(TokenStream::new());
    }
    let functions = api
        .events
        .iter()
        .map(|e| {
            let name = format_ident!("{}", field_name(&e.variant));
            let at = crate::error::pointer([crate::spec::extract::WEBHOOKS, e.name.as_str(), "post"]);
            let json = api.spec.sample_at(&format!("{at}/requestBody/content/application~1json/schema"))?;
            let json = crate::emit::raw_string(&serde_json::to_string_pretty(&json).map_err(|err| {
                XtaskError::file(&api.spec.file, format!("the sample of {} cannot be written: {err}", e.name))
            })?);
            let event = e.name.as_str();
            let docs = doc(&format!(
                "A sample `{event}` webhook: the envelope around the spec's example of its data. \
                 Its body is `serde_json::to_vec(&event)`; sign it with [`crate::sign_webhook`].\n\n\
                 # Panics\n\nNever: the mock crate's tests read every sample."
            ));
            Ok(quote! {
                #docs
                pub fn #name() -> straddle_sdk::webhooks::Event {
                    crate::decode_event(#event, #json)
                }
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<_> = api
        .events
        .iter()
        .map(|e| format_ident!("{}", field_name(&e.variant)))
        .collect();
    let variants = api.events.iter().map(|e| format_ident!("{}", e.variant));
    Ok(quote! {
        /// A sample of each webhook event the SDK decodes, for tests of a
        /// webhook receiver: `samples::webhooks::customer_created_v1()`.
        #[cfg(feature = "webhooks")]
        pub mod webhooks {
            #(#functions)*

            /// Every sample above, in the order `Event` lists them.
            pub fn all() -> Vec<straddle_sdk::webhooks::Event> {
                vec![#(#names()),*]
            }

            #[cfg(test)]
            mod tests {
                #[test]
                fn each_sample_reads_as_its_own_event() {
                    #(assert!(matches!(super::#names(), straddle_sdk::webhooks::Event::#variants(_)));)*
                    assert_eq!(super::all().len(), straddle_sdk::webhooks::Event::KNOWN_TYPES.len());
                }
            }
        }
    })
}
