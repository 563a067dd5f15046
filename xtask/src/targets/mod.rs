//! The last stage: where the output goes. Every target (the checked-in SDK,
//! a test spec's scratch crate, the whole upstream API) is a [`Target`]
//! value: a spec, an operation list, and the crate its sample calls go
//! through. [`generate`] is the one assembly of a model's output; the
//! modules below only decide where the files are written.
//!
//! - [`workspace`]: the checked-in files (`cargo xtask codegen`, `--check`);
//! - [`scratch`]: scratch crates under the target directory, built and
//!   tested there (the test specs, `cargo xtask full-api`).

pub mod scratch;
pub mod workspace;

use std::path::PathBuf;

use quote::quote;

use crate::emit;
use crate::error::Result;
use crate::model::{self, Api};
use crate::spec::operations::Operations;
use crate::spec::{self, Spec};

/// One generation: a spec, its operation list, and who calls the result.
#[derive(Debug, Clone)]
pub struct Target {
    /// The spec, OpenAPI 3.0.x (the fragment, or a test spec).
    pub spec: PathBuf,
    /// Its `operations.toml`.
    pub operations: PathBuf,
    /// How generated files name their source in the header.
    pub source: String,
    /// The crate name the sample calls use for the SDK (`straddle_sdk`).
    pub krate: String,
    /// Extract the spec from this upstream description first (as
    /// `cargo xtask spec extract` does) instead of reading `spec`.
    pub upstream: Option<PathBuf>,
}

/// What a target generates.
#[derive(Debug, Clone)]
pub struct Output {
    /// The model it was generated from.
    pub api: Api,
    /// The SDK's generated module: its files by name.
    pub module: Vec<(&'static str, String)>,
    /// A call of every operation (`tests/support/calls.rs` for the SDK).
    pub calls: String,
    /// The mock crate's sample responses.
    pub samples: String,
}

impl Output {
    /// The generated module's file `name`.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.module
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| text.as_str())
    }

    /// Lines of generated code in the module, calls and samples together.
    pub fn lines(&self) -> usize {
        self.module
            .iter()
            .map(|(_, text)| text.as_str())
            .chain([self.calls.as_str(), self.samples.as_str()])
            .map(|text| text.lines().count())
            .sum()
    }
}

/// Reads the target's inputs (extracting them from upstream if asked),
/// builds the model and emits every output.
pub fn generate(target: &Target) -> Result<Output> {
    let ops = spec::operations::load(&target.operations)?;
    let raw = match &target.upstream {
        Some(upstream) => spec::extract::extract(upstream, &spec::load::load(upstream)?, &ops)?,
        None => spec::load::load(&target.spec)?,
    };
    let file = target.upstream.as_ref().unwrap_or(&target.spec);
    output(Spec::new(file, &target.source, raw)?, &ops, &target.krate)
}

/// Builds the model of `spec` with the operations and events of `ops` and
/// emits every output, the sample calls going through the crate `krate`.
pub fn output(spec: Spec, ops: &Operations, krate: &str) -> Result<Output> {
    let api = model::build(spec, ops)?;
    let source = api.spec.source.clone();
    let source = source.as_str();
    let types = emit::types::items(&api)?;
    let module = vec![
        ("mod.rs", emit::format_file(source, module_root(&api))?),
        ("types.rs", emit::format_file(source, quote!(#(#types)*))?),
        (
            "enums.rs",
            emit::format_file(source, emit::enums::tokens(&api.enums))?,
        ),
        (
            "unions.rs",
            emit::format_file(source, emit::unions::tokens(&api)?)?,
        ),
        (
            "resources.rs",
            emit::format_file(source, emit::resources::tokens(&api))?,
        ),
        (
            "webhooks.rs",
            emit::format_file(source, emit::webhooks::tokens(&api))?,
        ),
    ];
    Ok(Output {
        calls: emit::format_file(source, emit::calls::tokens(&api, krate)?)?,
        samples: emit::format_file(source, emit::mock::tokens(&api)?)?,
        module,
        api,
    })
}

/// The generated module's `mod.rs`, with the names `Debug` redacts.
fn module_root(api: &Api) -> proc_macro2::TokenStream {
    let redacted = api.sensitive.iter();
    let list =
        crate::emit::one_of(api.sensitive.iter().map(String::as_str)).replace(" or ", " and ");
    let docs = crate::emit::doc(&format!(
        "The JSON property names whose values `Debug` never prints: {list}. They are the ones \
         the API description masks in its answers (whose request twins send them in the \
         clear), and a short list it does not mark (`xtask/src/model/sensitive.rs`)."
    ));
    quote! {
        //! Code generated from the OpenAPI fragment. Private to the crate; the
        //! public surface re-exports what users need.

        #docs
        pub const REDACTED: &[&str] = &[#(#redacted),*];

        pub mod enums;
        pub mod resources;
        pub mod types;
        pub mod unions;
        #[cfg(feature = "webhooks")]
        pub mod webhooks;
    }
}
