//! progenitor (with typify) as the model uses it: its settings, and a run
//! over the spec's component schemas.
//!
//! typify runs twice per module, and only twice:
//! 1. [`crate::model::build`] reads typify's description of every struct
//!    (its `TypeSpace`: each field's name, type and whether it is
//!    required), which the model needs to write the structs itself with
//!    `Nullable<T>` fields and constructors: typify has no setting for a
//!    field's type;
//! 2. [`crate::emit::types`] has typify generate the `types` module with
//!    those structs replaced by the model's (`with_replacement`), which
//!    needs the description from the first run.
//!
//! Every other setting (the open enums and unions that replace typify's,
//! the per-type attributes) is known from the spec before the first run,
//! so both runs use it.

use std::collections::BTreeSet;
use std::path::Path;

use proc_macro2::TokenStream;

use crate::error::{Result, XtaskError};

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

/// What typify is told about the spec's types.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every type name typify generates (each component's), for the
    /// per-type attributes.
    pub names: BTreeSet<String>,
    /// Structs that may gain fields: `#[non_exhaustive]`.
    pub structs: BTreeSet<String>,
    /// Types replaced by the model's own: the name, the path typify must
    /// spell (under one of [`REPLACED`](crate::model::ty::REPLACED)'s modules) and the impls typify may
    /// rely on.
    pub replaced: Vec<(String, String, Vec<progenitor::TypeImpl>)>,
}

/// progenitor's settings for `plan`: only the `types` module of its output
/// is kept (the resource tree is the model's), maps keep the server's key
/// order, timestamps keep the server's text, no builders, the per-type
/// attributes and the replacements.
pub fn settings(plan: &Plan) -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_map_type("::indexmap::IndexMap")
        .with_conversion(
            schemars08::schema::SchemaObject {
                instance_type: Some(schemars08::schema::InstanceType::String.into()),
                format: Some("date-time".to_string()),
                ..Default::default()
            },
            "crate::Timestamp",
            [progenitor::TypeImpl::Display].into_iter(),
        );
    for derive in EXTRA_DERIVES {
        settings.with_derive(derive);
    }
    // typify has an attribute for every type (`with_attr`), but progenitor
    // 0.15 does not pass it on; it does pass per-type patches, one per name.
    for name in &plan.names {
        let mut patch = progenitor::TypePatch::default();
        for attr in feature_derive_attrs() {
            patch.with_attr(attr);
        }
        if plan.structs.contains(name) {
            patch.with_attr("#[non_exhaustive]");
        }
        settings.with_patch(name, &patch);
    }
    for (name, path, impls) in &plan.replaced {
        settings.with_replacement(name, path, impls.iter().cloned());
    }
    settings
}

/// Runs progenitor with `settings` over the component schemas of `api`
/// (read from `file`): the tokens of its output, and its type space.
///
/// The operations are left out: the request builders are the model's, and
/// progenitor would otherwise also make a type of each constrained
/// parameter schema that nothing uses.
pub fn run(
    file: &Path,
    api: &openapiv3::OpenAPI,
    settings: &progenitor::GenerationSettings,
) -> Result<(TokenStream, progenitor::Generator)> {
    let mut components_only = api.clone();
    components_only.paths = openapiv3::Paths::default();
    let mut generator = progenitor::Generator::new(settings);
    let tokens = generator
        .generate_tokens(&components_only)
        .map_err(|e| XtaskError::file(file, format!("progenitor could not generate code: {e}")))?;
    Ok((tokens, generator))
}

/// Checks that typify generated no named type the plan does not know
/// (a schema no transform named), which would miss its attributes.
pub fn check_names(file: &Path, space: &typify::TypeSpace, plan: &Plan) -> Result<()> {
    for ty in space.iter_types() {
        let named = matches!(
            ty.details(),
            typify::TypeDetails::Struct(_)
                | typify::TypeDetails::Enum(_)
                | typify::TypeDetails::Newtype(_)
        );
        if named && !plan.names.contains(&ty.name()) {
            return Err(XtaskError::file(
                file,
                format!(
                    "typify generated the type `{}`, which is not a component of the spec: \
                     name the schema it comes from in a transform (xtask/src/spec/transform.rs)",
                    ty.name()
                ),
            ));
        }
    }
    Ok(())
}
