//! The second stage: the API as typed values, built once from a [`Spec`]
//! and `operations.toml`. Every check of what the generator can express
//! happens while building it, with the file and JSON pointer (or the
//! `operations.toml` entry) of what is wrong; [`crate::emit`] then only
//! prints.
//!
//! - [`operation`]: each exposed operation, its arguments, body, response
//!   and pagination;
//! - [`structs`], [`open_enum`], [`union`]: the named types the model
//!   writes itself in place of typify's;
//! - [`event`]: the webhook events;
//! - [`sensitive`]: the properties whose values `Debug` never prints;
//! - [`resource`]: the resource tree (`client.customers().review()`);
//! - [`ty`]: Rust types as values; [`typify`]: how typify is run.

pub mod event;
pub mod open_enum;
pub mod operation;
pub mod resource;
pub mod sensitive;
pub mod structs;
pub mod ty;
pub mod typify;
pub mod union;

use heck::ToUpperCamelCase;

use crate::error::{Result, XtaskError};
use crate::spec::Spec;
use crate::spec::operations::Operations;

pub use event::Event;
pub use open_enum::OpenEnum;
pub use operation::Operation;
pub use resource::Resource;
pub use structs::{Field, Struct};
pub use ty::Ty;
pub use union::Union;

/// The API the SDK exposes, as the emitters read it.
#[derive(Debug, Clone)]
pub struct Api {
    /// The spec it was built from.
    pub spec: Spec,
    /// The exposed operations, in `operations.toml` order.
    pub operations: Vec<Operation>,
    /// The resource tree holding them.
    pub resources: Resource,
    /// The structs, in name order.
    pub structs: Vec<Struct>,
    /// The open enums, in name order.
    pub enums: Vec<OpenEnum>,
    /// The unions with one-pass decoders, in name order.
    pub unions: Vec<Union>,
    /// The webhook events, in `operations.toml` order.
    pub events: Vec<Event>,
    /// The JSON property names whose values `Debug` never prints
    /// ([`sensitive`]).
    pub sensitive: std::collections::BTreeSet<String>,
    /// What typify is told for the `types` module.
    pub typify: typify::Plan,
}

/// Where the model's own types live, as typify must spell them.
const STRUCTS: &str = "crate::generated::types::";
const ENUMS: &str = "crate::generated::enums::";
const UNIONS: &str = "crate::generated::unions::";

/// The model of `spec` with the operations and events of `ops`.
pub fn build(spec: Spec, ops: &Operations) -> Result<Api> {
    // The runtime decodes every error body as the API's envelope.
    if !spec.schemas().any(|(name, _)| name == "ErrorResponse") {
        return Err(XtaskError::at(
            &spec.file,
            "/components/schemas/ErrorResponse",
            "the spec must define the error envelope `ErrorResponse`: the SDK decodes error bodies as it",
        ));
    }
    check_component_names(&spec)?;
    let enums = open_enum::plan(&spec)?;
    let unions = union::plan(&spec.doc);
    let struct_names = structs::names(&spec);
    let mut plan = typify::Plan {
        names: spec
            .schemas()
            .map(|(name, _)| name.to_upper_camel_case())
            .collect(),
        structs: struct_names.iter().cloned().collect(),
        replaced: Vec::new(),
    };
    let enum_impls = vec![
        progenitor::TypeImpl::Display,
        progenitor::TypeImpl::FromStr,
        progenitor::TypeImpl::FromStringIrrefutable,
    ];
    for e in &enums {
        plan.replaced.push((
            e.name.clone(),
            format!("{ENUMS}{}", e.name),
            enum_impls.clone(),
        ));
    }
    for u in &unions {
        plan.replaced
            .push((u.name.clone(), format!("{UNIONS}{}", u.name), Vec::new()));
    }
    let (_, described) = typify::run(&spec.file, &spec.api, &typify::settings(&plan))?;
    let space = described.get_type_space();
    typify::check_names(&spec.file, space, &plan)?;
    let sensitive = sensitive::names(&spec.raw);
    let structs = struct_names
        .iter()
        .map(|name| structs::describe(&spec, space, name, &sensitive))
        .collect::<Result<Vec<_>>>()?;
    for s in &structs {
        plan.replaced
            .push((s.name.clone(), format!("{STRUCTS}{}", s.name), Vec::new()));
    }
    let operations = ops
        .operations
        .iter()
        .map(|entry| operation::build(&spec, entry, &structs, &sensitive))
        .collect::<Result<Vec<_>>>()?;
    let events = event::build(&spec, ops)?;
    let resources = resource::tree(&spec, ops, &operations)?;
    Ok(Api {
        spec,
        operations,
        resources,
        structs,
        enums,
        unions,
        events,
        sensitive,
        typify: plan,
    })
}

/// Generated code names the prelude's `Option`, `String`, ... unqualified:
/// no component may become a type of one of those names.
fn check_component_names(spec: &Spec) -> Result<()> {
    match spec
        .schemas()
        .find(|(name, _)| crate::names::PRELUDE.contains(&name.to_upper_camel_case().as_str()))
    {
        Some((name, _)) => Err(XtaskError::at(
            &spec.file,
            crate::error::pointer(["components", "schemas", name.as_str()]),
            format!(
                "the component `{name}` would be a type named like Rust's prelude item; rename it"
            ),
        )),
        None => Ok(()),
    }
}

impl Api {
    /// The struct named `name`.
    pub fn find_struct(&self, name: &str) -> Option<&Struct> {
        self.structs.iter().find(|s| s.name == name)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{Value, json};

    use crate::spec::Spec;

    /// A spec with no operations and the component schemas `schemas`, as
    /// read from `s.json`.
    pub(crate) fn spec_with(schemas: Value) -> Spec {
        let doc = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": schemas }
        });
        Spec::new(std::path::Path::new("s.json"), "s.json", doc).expect("a valid spec")
    }
}
