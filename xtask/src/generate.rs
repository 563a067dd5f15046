//! The generation steps: progenitor (with typify) for the client and types,
//! then formatting with prettyplease behind a header.

use std::path::Path;

use proc_macro2::TokenStream;

use crate::error::{Result, XtaskError};

/// progenitor's settings for the SDK's types: the derives the public types
/// promise, without typify's struct builders (they made `extra` a required
/// run-time argument; `crate::constructors` generates `new(required...)`).
///
/// Only the `types` module of progenitor's output is kept: the request
/// builders in `resources.rs` call the SDK's own pipeline directly, which
/// saves a response round trip through progenitor's client per call (it
/// measured about 1.2x of a bare reqwest call; the target is 1.10x).
pub fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged);
    for derive in EXTRA_DERIVES {
        settings.with_derive(derive);
    }
    settings
        // Keeps a map's keys in the order the server sent them, so a typed
        // value serializes back to the same JSON.
        .with_map_type("::indexmap::IndexMap")
        // Timestamps keep the server's exact text (`.117Z`, `.000Z`,
        // `+00:00`) and parse on demand, so payloads round-trip byte for byte.
        .with_conversion(
            schemars08::schema::SchemaObject {
                instance_type: Some(schemars08::schema::InstanceType::String.into()),
                format: Some("date-time".to_string()),
                ..Default::default()
            },
            "crate::Timestamp",
            [progenitor::TypeImpl::Display].into_iter(),
        );
    settings
}

/// Derives every generated type has besides serde's and `Clone`/`Debug`.
pub const EXTRA_DERIVES: &[&str] = &["PartialEq"];

/// Derives a generated type has only when the SDK's cargo feature of that
/// name is on, as `(feature, derive)`: the JSON Schema derive is a fifth of
/// a release build, and calling the API does not need it.
pub const FEATURE_DERIVES: &[(&str, &str)] = &[("schemars", "schemars::JsonSchema")];

/// [`FEATURE_DERIVES`] as attributes:
/// `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`.
pub fn feature_derive_attrs() -> Vec<String> {
    FEATURE_DERIVES
        .iter()
        .map(|(feature, derive)| format!("#[cfg_attr(feature = {feature:?}, derive({derive}))]"))
        .collect()
}

/// What a type that xtask generates itself derives beside serde's, `Clone`
/// and `Debug`, as typify's types do: [`EXTRA_DERIVES`], and the
/// [`feature_derive_attrs`] as attributes.
pub fn own_type_derives(file: &Path) -> Result<(Vec<syn::Path>, Vec<TokenStream>)> {
    let derives = EXTRA_DERIVES
        .iter()
        .map(|d| syn::parse_str::<syn::Path>(d))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| XtaskError::file(file, format!("a configured derive does not parse: {e}")))?;
    let attrs = feature_derive_attrs()
        .iter()
        .map(|a| a.parse::<TokenStream>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            XtaskError::file(file, format!("a configured attribute does not parse: {e}"))
        })?;
    Ok((derives, attrs))
}

/// A typify patch that gives one type the [`feature_derive_attrs`].
///
/// typify has an attribute for every type (`TypeSpaceSettings::with_attr`),
/// but progenitor 0.15 does not pass it on; it does pass per-type patches,
/// so [`progenitor_generator`] patches each type by name.
fn feature_derive_patch() -> progenitor::TypePatch {
    let mut patch = progenitor::TypePatch::default();
    for attr in feature_derive_attrs() {
        patch.with_attr(attr);
    }
    patch
}

/// [`settings`], plus: each union in `unions` is replaced by the type
/// [`crate::unions`] generates for it, which decodes in one pass, and each
/// enum in `enums` by the open enum [`crate::enums`] generates.
///
/// Each struct in `structs` is `#[non_exhaustive]`: a later spec may add
/// fields, and code outside the SDK builds values through the constructors
/// [`crate::constructors`] generates.
pub fn sdk_settings(
    unions: &[crate::unions::UnionPlan],
    enums: &[crate::enums::EnumPlan],
    structs: &[String],
) -> progenitor::GenerationSettings {
    let mut settings = settings();
    let mut non_exhaustive = progenitor::TypePatch::default();
    non_exhaustive.with_attr("#[non_exhaustive]");
    for name in structs {
        settings.with_patch(name, &non_exhaustive);
    }
    for plan in unions {
        settings.with_replacement(&plan.name, plan.rust_path(), std::iter::empty());
    }
    for plan in enums {
        settings.with_replacement(
            &plan.name,
            plan.rust_path(),
            [
                progenitor::TypeImpl::Display,
                progenitor::TypeImpl::FromStr,
                progenitor::TypeImpl::FromStringIrrefutable,
            ]
            .into_iter(),
        );
    }
    settings
}

/// Generates the client and types for `spec` (already checked and transformed).
pub fn progenitor_tokens(
    file: &Path,
    spec: &openapiv3::OpenAPI,
    settings: &progenitor::GenerationSettings,
) -> Result<TokenStream> {
    progenitor_generator(file, spec, settings).map(|(tokens, _)| tokens)
}

/// Like [`progenitor_tokens`], also returning the generator, whose type
/// space describes the generated types.
pub fn progenitor_generator(
    file: &Path,
    spec: &openapiv3::OpenAPI,
    settings: &progenitor::GenerationSettings,
) -> Result<(TokenStream, progenitor::Generator)> {
    let generate = |settings: &progenitor::GenerationSettings| {
        let mut generator = progenitor::Generator::new(settings);
        let tokens = generator.generate_tokens(spec).map_err(|e| {
            XtaskError::file(file, format!("progenitor could not generate code: {e}"))
        })?;
        Ok::<_, XtaskError>((tokens, generator))
    };
    // The first pass names the types; the second gives each of them the
    // feature-gated derives (see [`feature_derive_patch`]). progenitor keeps
    // one patch per type, so a type that `settings` already patched (to
    // `#[non_exhaustive]`, see [`sdk_settings`]) keeps that attribute too.
    let (first, named) = generate(settings)?;
    let non_exhaustive = non_exhaustive_types(&first);
    let mut patched = settings.clone();
    for ty in named.get_type_space().iter_types() {
        let mut patch = feature_derive_patch();
        if non_exhaustive.contains(&ty.name()) {
            patch.with_attr("#[non_exhaustive]");
        }
        patched.with_patch(ty.name(), &patch);
    }
    generate(&patched)
}

/// The types of progenitor's `types` module marked `#[non_exhaustive]`.
fn non_exhaustive_types(tokens: &TokenStream) -> std::collections::BTreeSet<String> {
    let Ok(items) = types_items(tokens.clone()) else {
        return Default::default();
    };
    let mut names = std::collections::BTreeSet::new();
    for item in items {
        let syn::Item::Mod(syn::ItemMod {
            content: Some((_, items)),
            ..
        }) = item
        else {
            continue;
        };
        for item in items {
            let (ident, attrs) = match &item {
                syn::Item::Struct(s) => (&s.ident, &s.attrs),
                syn::Item::Enum(e) => (&e.ident, &e.attrs),
                _ => continue,
            };
            if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
                names.insert(ident.to_string());
            }
        }
    }
    names
}

/// Formats `tokens` as a Rust file with the generated-code header.
pub fn format_file(source: &str, tokens: TokenStream) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        XtaskError::file(
            Path::new(source),
            format!("generated code does not parse: {e}"),
        )
    })?;
    let body = prettyplease::unparse(&file);
    Ok(format!("{}{body}", header(source)))
}

/// The first lines of every generated file.
pub fn header(source: &str) -> String {
    format!(
        "// @generated by `cargo xtask codegen` from {source}.\n\
         // Do not edit by hand: change the spec (or xtask) and run `cargo xtask codegen`.\n\n"
    )
}

/// The `types` module alone, formatted: what tests snapshot for small specs.
pub fn types_module(tokens: TokenStream) -> Result<String> {
    let items = types_items(tokens)?;
    Ok(prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    }))
}

/// The generated types as a file of their own (`generated/types.rs`): the
/// items of progenitor's `types` module, then the items `own` that xtask
/// generates for it (`crate::structs`), behind the generated-code header.
pub fn types_file(source: &str, tokens: TokenStream, own: TokenStream) -> Result<String> {
    let mut items = match types_items(tokens)?.into_iter().next() {
        Some(syn::Item::Mod(syn::ItemMod {
            content: Some((_, items)),
            ..
        })) => items,
        _ => {
            return Err(XtaskError::file(
                Path::new(source),
                "progenitor's output has no `types` module",
            ));
        }
    };
    let own: syn::File = syn::parse2(own).map_err(|e| {
        XtaskError::file(
            Path::new(source),
            format!("generated structs do not parse: {e}"),
        )
    })?;
    items.extend(own.items);
    let body = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    });
    Ok(format!("{}{body}", header(source)))
}

fn types_items(tokens: TokenStream) -> Result<Vec<syn::Item>> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| XtaskError::file(Path::new("<generated>"), format!("does not parse: {e}")))?;
    Ok(file
        .items
        .into_iter()
        .filter(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
        .collect())
}
