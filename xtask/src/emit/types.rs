//! `generated/types.rs`: progenitor's `types` module (typify's second run,
//! told to use the model's structs, enums and unions), followed by the
//! model's structs.

use std::path::Path;

use syn::{Item, ItemMod};

use crate::error::{Result, XtaskError};
use crate::model::{Api, typify};

/// The items of the `types` module: typify's, then the model's structs.
pub fn items(api: &Api) -> Result<Vec<Item>> {
    let (tokens, _) = typify::run(
        &api.spec.file,
        &api.spec.api,
        &typify::settings(&api.typify),
    )?;
    let mut items = typify_items(&api.spec.file, tokens)?;
    let own: syn::File = syn::parse2(crate::emit::structs::tokens(&api.structs)).map_err(|e| {
        XtaskError::file(
            &api.spec.file,
            format!("generated structs do not parse: {e}"),
        )
    })?;
    items.extend(own.items);
    Ok(items)
}

/// The items inside progenitor's `pub mod types { .. }`.
fn typify_items(file: &Path, tokens: proc_macro2::TokenStream) -> Result<Vec<Item>> {
    let parsed: syn::File = syn::parse2(tokens)
        .map_err(|e| XtaskError::file(file, format!("progenitor's output does not parse: {e}")))?;
    parsed
        .items
        .into_iter()
        .find_map(|item| match item {
            Item::Mod(ItemMod {
                ident,
                content: Some((_, items)),
                ..
            }) if ident == "types" => Some(items),
            _ => None,
        })
        .ok_or_else(|| XtaskError::file(file, "progenitor's output has no `types` module"))
}
