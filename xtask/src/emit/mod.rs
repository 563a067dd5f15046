//! The third stage: small pure functions from the model to Rust tokens,
//! one per output, and the formatting every generated file shares. An
//! emitter reads only the [`Api`](crate::model::Api); it checks nothing the
//! model has not checked, and writes data and glue over the SDK's
//! hand-written runtime.
//!
//! - [`types`]: progenitor's `types` module with the model's structs;
//! - [`structs`]: those structs, their constructors and `Debug`;
//! - [`enums`], [`unions`]: the open enums and one-pass unions;
//! - [`resources`]: the resource tree and a request builder per operation;
//! - [`webhooks`]: the webhook `Event`;
//! - [`calls`]: a call of every operation (for the tests), and
//!   [`redaction`]: tests that `Debug` redacts what it must;
//! - [`mock`]: the mock crate's sample responses.

pub mod calls;
pub mod enums;
pub mod mock;
pub mod redaction;
pub mod resources;
pub mod structs;
pub mod types;
pub mod unions;
pub mod webhooks;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::{Result, XtaskError};
use crate::model::Ty;

/// Which crate the emitted code sits in, so paths are spelled from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Krate<'a> {
    /// The SDK crate itself (`crate::types::X`).
    Sdk,
    /// A crate that depends on it under this name (`straddle_sdk::types::X`).
    Outside(&'a str),
}

impl Krate<'_> {
    /// The path to the SDK crate's root.
    fn root(self) -> TokenStream {
        match self {
            Krate::Sdk => quote!(crate),
            Krate::Outside(name) => {
                let name = format_ident!("{name}");
                quote!(::#name)
            }
        }
    }

    /// The path to a crate the SDK re-exports (`::uuid` inside, the
    /// re-export `straddle_sdk::uuid` outside).
    fn reexport(self, name: &str) -> TokenStream {
        let name = format_ident!("{name}");
        match self {
            Krate::Sdk => quote!(::#name),
            Krate::Outside(_) => {
                let root = self.root();
                quote!(#root::#name)
            }
        }
    }
}

/// `ty` as spelled in the crate `krate`. `String`, `Option`, `Vec` and
/// `Box` are the prelude's: the model refuses a type of one of those names
/// ([`crate::names::PRELUDE`]).
pub fn ty(t: &Ty, krate: Krate<'_>) -> TokenStream {
    let root = krate.root();
    let json = krate.reexport("serde_json");
    match t {
        Ty::Unit => quote!(()),
        Ty::Bool => quote!(bool),
        Ty::Number(n) => {
            let n = format_ident!("{n}");
            quote!(#n)
        }
        Ty::String => quote!(String),
        Ty::Json => quote!(#json::Value),
        Ty::JsonMap => quote!(#json::Map<String, #json::Value>),
        Ty::Named(name) => {
            let name = format_ident!("{name}");
            quote!(#root::types::#name)
        }
        Ty::Timestamp => quote!(#root::Timestamp),
        Ty::Uuid => {
            let uuid = krate.reexport("uuid");
            quote!(#uuid::Uuid)
        }
        Ty::UuidArg => quote!(#root::UuidArg),
        Ty::Date => {
            let chrono = krate.reexport("chrono");
            quote!(#chrono::NaiveDate)
        }
        Ty::DateTime => {
            let chrono = krate.reexport("chrono");
            quote!(#chrono::DateTime<#chrono::Utc>)
        }
        Ty::Path(path) => path.parse().unwrap_or_else(|_| quote!(#json::Value)),
        Ty::Option(inner) => {
            let inner = ty(inner, krate);
            quote!(Option<#inner>)
        }
        Ty::Nullable(inner) => {
            let inner = ty(inner, krate);
            quote!(#root::Nullable<#inner>)
        }
        Ty::Vec(inner) => {
            let inner = ty(inner, krate);
            quote!(Vec<#inner>)
        }
        Ty::Box(inner) => {
            let inner = ty(inner, krate);
            quote!(Box<#inner>)
        }
        Ty::Map(key, value) => {
            let (key, value) = (ty(key, krate), ty(value, krate));
            let indexmap = krate.reexport("indexmap");
            quote!(#indexmap::IndexMap<#key, #value>)
        }
    }
}

/// Documentation as one `#[doc]` attribute per line, each line after a
/// space, so that it prints as `///` lines. A mask the spec writes
/// (`***-**-****`) is set in backticks, or Markdown would read its stars as
/// emphasis.
pub fn doc(text: &str) -> TokenStream {
    text.trim_end()
        .lines()
        .map(|line| {
            let line = if line.is_empty() {
                String::new()
            } else {
                format!(" {}", quote_masks(line))
            };
            quote!(#[doc = #line])
        })
        .collect()
}

/// `line` with each mask (`****-**-**`: a word of stars, digits and
/// separators) in backticks.
fn quote_masks(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let core = word.trim_end_matches(['.', ',', ')', ':', ';']);
            if crate::model::sensitive::is_mask(core) {
                format!("`{core}`{}", &word[core.len()..])
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Documentation paragraphs, joined by a blank line.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The list of values for documentation: "`a`, `b` or `c`".
pub fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = values.into_iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Formats `tokens` as a Rust file with the generated-code header naming
/// `source`.
pub fn format_file(source: &str, tokens: TokenStream) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        XtaskError::file(
            Path::new(source),
            format!("generated code does not parse: {e}"),
        )
    })?;
    Ok(format!(
        "{}{}",
        header(source),
        prettyplease::unparse(&file)
    ))
}

/// The first lines of every generated file.
pub fn header(source: &str) -> String {
    format!(
        "// @generated by `cargo xtask codegen` from {source}.\n\
         // Do not edit by hand: change the spec (or xtask) and run `cargo xtask codegen`.\n\n"
    )
}

/// The derives and attributes of a type the model writes itself, as
/// typify's own types have them: `derives`, then the configured ones, and
/// the feature-gated ones.
pub fn derives(derives: &[&str]) -> TokenStream {
    let attrs: TokenStream = crate::model::typify::feature_derive_attrs()
        .iter()
        .filter_map(|a| a.parse::<TokenStream>().ok())
        .collect();
    let derives = derives
        .iter()
        .chain(crate::model::typify::EXTRA_DERIVES)
        .filter_map(|d| syn::parse_str::<syn::Path>(d).ok());
    quote! {
        #attrs
        #[derive(#(#derives),*)]
    }
}

/// `text` as a raw string literal (`r#"..."#`), so the JSON reads as JSON.
pub fn raw_string(text: &str) -> proc_macro2::Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(text))
}
