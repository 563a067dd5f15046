//! `generated/webhooks.rs`: the webhook `Event`, a variant per event the
//! fragment carries (the runtime's `Envelope` around the event's `data`
//! type) and the match that picks it by `event_type`. Verifying, reading
//! the body and keeping an unknown event are the runtime's
//! (`straddle-sdk/src/webhooks/`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::{Krate, doc, paragraphs, ty};
use crate::model::Api;
use crate::names::ident;

/// The generated `webhooks.rs`.
pub fn tokens(api: &Api) -> TokenStream {
    let variants = api.events.iter().map(|e| {
        let (variant, data) = (ident(&e.variant), ty(&e.data, Krate::Sdk));
        let docs = doc(&paragraphs([
            e.description.as_deref().unwrap_or_default(),
            &format!("`{}`", e.name),
        ]));
        quote!(#docs #variant(crate::webhooks::Envelope<#data>),)
    });
    let names = api.events.iter().map(|e| e.name.as_str());
    let types = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        quote!(Self::#variant(envelope) => &envelope.event_type,)
    });
    let decode = api.events.iter().map(|e| {
        let (variant, name) = (ident(&e.variant), e.name.as_str());
        quote!(#name => Self::#variant(crate::webhooks::Envelope::decode(event_type, object)?),)
    });
    quote! {
        //! Webhook events; see `straddle_sdk::webhooks`.

        /// A webhook event from Straddle, as
        /// [`Webhook::verify_event`](crate::webhooks::Webhook::verify_event) returns
        /// it: a variant per event type this SDK knows, holding its
        /// [`Envelope`](crate::webhooks::Envelope) with typed `data`, and
        /// [`Event::Unknown`] for any other type.
        ///
        /// Match it with a catch-all arm (Straddle adds events, and a later SDK
        /// version gives them variants), and read an event's type through
        /// [`Event::event_type`]. `serde_json::to_value(&event)` is the JSON
        /// that was received.
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// An event of a type this version of the SDK does not know, kept whole.
            Unknown(crate::webhooks::UnknownEvent),
        }

        impl Event {
            /// The event types that have a variant of their own.
            pub const KNOWN_TYPES: &'static [&'static str] = &[#(#names),*];

            /// The event's type, as sent (`customer.created.v1`, ...), known or not.
            pub fn event_type(&self) -> &str {
                match self {
                    #(#types)*
                    Self::Unknown(event) => event.event_type(),
                }
            }

            /// The event of type `event_type` whose body is `object`.
            pub(crate) fn from_object(
                event_type: &str,
                object: ::serde_json::Map<String, ::serde_json::Value>,
            ) -> Result<Self, crate::webhooks::WebhookError> {
                Ok(match event_type {
                    #(#decode)*
                    _ => Self::Unknown(crate::webhooks::UnknownEvent::new(object)),
                })
            }
        }
    }
}
