//! The structs of the API: every object component that keeps unknown
//! fields (`extra`), described by typify and written by the model's own
//! emitter, so that
//! - an optional field is [`Nullable<T>`] (absent / `null` / value) rather
//!   than typify's `Option<T>`, which reads `null` and absent alike and
//!   writes both back as absent (and its bare optional `Vec`s, which write
//!   an empty array back as absent): a response decoded and re-serialized
//!   is JSON-equal to what was received, whether or not the spec says a
//!   field is `nullable`;
//! - each has `new(required...)` and `with_<field>` setters, as the struct
//!   is `#[non_exhaustive]` (the API adds fields).
//!
//! typify has no setting for a field's type, so its first run describes
//! each struct (fields, types, required) and the second is told to use the
//! model's (see [`crate::model::typify`]).
//!
//! [`Nullable<T>`]: https://docs.rs/straddle-sdk/latest/straddle_sdk/enum.Nullable.html

use serde_json::Value;

use crate::error::{Result, XtaskError, pointer};
use crate::model::ty::{Ty, from_typify};
use crate::names::field_name;
use crate::spec::Spec;

/// A struct of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The component's description.
    pub description: Option<String>,
    /// Its declared properties, in typify's order; the unknown fields
    /// (`extra`) are not among them.
    pub fields: Vec<Field>,
}

/// One declared property of a [`Struct`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The Rust field name ([`field_name`] of the wire name).
    pub name: String,
    /// The name on the wire.
    pub wire: String,
    /// The field's type: [`Ty::Nullable`] for an optional property.
    pub ty: Ty,
    /// Whether the spec requires the property.
    pub required: bool,
    /// Its documentation.
    pub description: Option<String>,
    /// Whether it holds what identifies a person or an account
    /// ([`crate::model::sensitive`]): `Debug` prints it redacted.
    pub sensitive: bool,
}

impl Field {
    /// Whether the field holds `null` as `None` although it is required
    /// (typify's `Option<T>` for a required nullable property: the key must
    /// be present, its value may be `null`).
    pub fn required_nullable(&self) -> bool {
        self.required && matches!(self.ty, Ty::Option(_))
    }
}

impl Struct {
    /// The field named `name` in Rust.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The names of the struct components of `spec` (see
/// [`crate::spec::is_struct`]), in name order.
pub fn names(spec: &Spec) -> Vec<String> {
    let mut names: Vec<String> = spec
        .schemas()
        .filter(|(name, schema)| crate::spec::is_struct(schema) && crate::names::is_type_name(name))
        .map(|(name, _)| name.clone())
        .collect();
    names.sort();
    names
}

/// The struct `name` as typify's first run describes it in `space`.
pub fn describe(
    spec: &Spec,
    space: &typify::TypeSpace,
    name: &str,
    sensitive: &std::collections::BTreeSet<String>,
) -> Result<Struct> {
    let at = pointer(["components", "schemas", name]);
    let fail = |what: String| {
        XtaskError::at(
            &spec.file,
            at.clone(),
            format!("cannot model the struct `{name}`: {what}"),
        )
    };
    let schema = spec
        .doc
        .pointer(&at)
        .and_then(Value::as_object)
        .ok_or_else(|| fail("no such component".into()))?;
    let ty = space
        .iter_types()
        .find(|t| t.name() == name)
        .ok_or_else(|| fail("typify generated no such type".into()))?;
    let typify::TypeDetails::Struct(details) = ty.details() else {
        return Err(fail("typify did not generate a struct".into()));
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = crate::spec::required(schema);
    let mut fields = Vec::new();
    let mut extra = false;
    for prop in details.properties_info() {
        let typified = from_typify(space, &prop.type_id)
            .map_err(|e| fail(format!("field `{}`: {}", prop.name, e.message)))?;
        let wire = properties
            .into_iter()
            .flatten()
            .map(|(wire, _)| wire)
            .find(|wire| field_name(wire) == prop.name);
        let Some(wire) = wire else {
            if prop.name == "extra" && typified == Ty::JsonMap && !extra {
                extra = true;
                continue;
            }
            return Err(fail(format!("field `{}` matches no property", prop.name)));
        };
        let is_required = required.contains(&wire.as_str());
        if is_required != prop.required {
            return Err(fail(format!(
                "field `{}` is required in the spec but not in typify's struct, or the reverse",
                prop.name
            )));
        }
        // A field of a sensitive name that is not text (a `dob` that is a
        // verification verdict, say) holds no such value.
        let is_sensitive = sensitive.contains(wire.as_str()) && is_text(&typified);
        fields.push(Field {
            sensitive: is_sensitive,
            name: prop.name.to_string(),
            wire: wire.clone(),
            ty: if is_required {
                typified
            } else {
                Ty::Nullable(Box::new(typified.inner().clone()))
            },
            required: is_required,
            description: prop.description.map(str::to_string),
        });
    }
    if !extra {
        return Err(fail(
            "typify generated no `extra` map for its unknown fields".into(),
        ));
    }
    Ok(Struct {
        name: name.to_string(),
        description: schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        fields,
    })
}

/// Whether values of `ty` are text (a string, or strings in an `Option`,
/// `Nullable` or `Vec`): what the runtime's redaction prints the shape of.
pub fn is_text(ty: &Ty) -> bool {
    match ty {
        Ty::String => true,
        Ty::Option(inner) | Ty::Nullable(inner) | Ty::Vec(inner) => is_text(inner),
        _ => false,
    }
}
