//! Open enums: one flat Rust enum per string `enum` component of the spec.
//!
//! The API adds enum values over time, so every string enum is generated as
//!
//! ```text
//! #[non_exhaustive]
//! pub enum CustomerStatusV1 { Pending, Review, Verified, Inactive, Rejected, Unknown(String) }
//! ```
//!
//! with `as_str()`, `Display`, infallible `From<&str>`/`From<String>`/`FromStr`,
//! and serde that writes back exactly the string received. typify is told to
//! use this type in place of the component (`with_replacement`), the way
//! [`crate::unions`] replaces object unions; nothing typify emits is edited.
//!
//! Equality, hashing and ordering go through `as_str()`, so
//! `Unknown("verified".into()) == Verified`: a value built by hand compares
//! the way the server's text does. No `Default` is generated: a status,
//! type or outcome the server did not send is never invented.
//!
//! The enums are planned from the transformed spec: inline enums have
//! already been named by `transform::name_inline_types` and
//! `transform::name_inline_operation_schemas`.

use std::collections::BTreeMap;
use std::path::Path;

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use crate::error::{Result, XtaskError, pointer};

/// Where the generated module puts the enums, as typify must spell them from
/// anywhere in the crate.
pub const MODULE_PATH: &str = "crate::generated::enums";

/// The name of the variant that keeps values this SDK does not know.
pub const UNKNOWN: &str = "Unknown";

/// A string enum of the spec and the Rust enum generated for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumPlan {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The schema's description, if any.
    pub description: Option<String>,
    /// The documented values, in the spec's order.
    pub values: Vec<EnumValue>,
}

/// One documented value of an [`EnumPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// The value on the wire.
    pub value: String,
    /// The variant's name.
    pub variant: String,
}

impl EnumPlan {
    /// The path typify uses for the replaced type.
    pub fn rust_path(&self) -> String {
        format!("{MODULE_PATH}::{}", self.name)
    }
}

/// Whether `schema` is a string enum: an `enum` of strings with no `type`
/// or `type: string`.
pub fn is_string_enum(schema: &Map<String, Value>) -> bool {
    schema
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(|t| t == "string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_string))
}

/// Every string enum component of the (transformed) document `doc`, read
/// from `file`, in name order. A component whose values do not give
/// distinct variant names is an error naming it.
pub fn plan(file: &Path, doc: &Value) -> Result<Vec<EnumPlan>> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    let mut plans = Vec::new();
    for (name, schema) in schemas {
        let Some(map) = schema.as_object().filter(|m| is_string_enum(m)) else {
            continue;
        };
        let at = pointer(["components", "schemas", name.as_str()]);
        plans.push(plan_one(name, map).map_err(|why| XtaskError::at(file, at, why))?);
    }
    plans.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(plans)
}

fn plan_one(name: &str, schema: &Map<String, Value>) -> std::result::Result<EnumPlan, String> {
    if !is_type_name(name) {
        return Err(format!(
            "the enum's name `{name}` is not a Rust type name; rename the component"
        ));
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        return Err("a nullable enum component; say `nullable` where it is used".into());
    }
    let mut values = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for value in schema["enum"].as_array().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default().to_string();
        if values.iter().any(|v: &EnumValue| v.value == value) {
            continue; // a value listed twice is one variant
        }
        let variant = variant_name(&value);
        if let Some(other) = seen.insert(variant.clone(), value.clone()) {
            return Err(format!(
                "the values `{other}` and `{value}` would both be the variant `{variant}`"
            ));
        }
        values.push(EnumValue { value, variant });
    }
    Ok(EnumPlan {
        name: name.to_string(),
        description: schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        values,
    })
}

/// The variant for a wire value: UpperCamelCase of its words (`in_review`:
/// `InReview`), `X`-prefixed if it would not start with a letter, and
/// `UnknownValue` for a documented `unknown`, whose plain name is taken by
/// the catch-all.
pub fn variant_name(value: &str) -> String {
    let words = match value {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => value.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
    };
    let mut name = words.to_upper_camel_case();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("X{name}");
    }
    if name == "Self" {
        name.push('_');
    }
    if name == UNKNOWN {
        name = "UnknownValue".to_string();
    }
    name
}

fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.to_upper_camel_case() == name
        && typify::accept_as_ident(name)
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The generated `enums.rs`: one enum per plan.
pub fn tokens(plans: &[EnumPlan]) -> TokenStream {
    let mut out = quote! {
        //! Open enums, generated by `xtask/src/enums.rs` in place of typify's
        //! closed enums; re-exported from `types`.
    };
    for plan in plans {
        out.extend(enum_tokens(plan));
    }
    out
}

/// The list of values for documentation: "`a`, `b` or `c`".
fn value_list(plan: &EnumPlan) -> String {
    let quoted: Vec<String> = plan
        .values
        .iter()
        .map(|v| format!("`{}`", v.value))
        .collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn enum_tokens(plan: &EnumPlan) -> TokenStream {
    let name = ident(&plan.name);
    let type_name = &plan.name;
    let values = format!("One of {}.", value_list(plan));
    let summary = match &plan.description {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{values}", d.trim_end()),
        _ => values,
    };
    let example = plan.values.first().map(|v| v.variant.clone());
    let matching = match &example {
        Some(first) => format!(
            "\n\nOpen: a value this version of the SDK does not know is kept in \
             [`{type_name}::Unknown`] and written back unchanged. The enum is \
             `#[non_exhaustive]`; match it with a catch-all arm and read other values \
             through [`as_str`]({type_name}::as_str), since a later version may give \
             today's unknown values variants of their own:\n\n\
             ```text\n\
             match value {{\n    \
             {type_name}::{first} => {{ /* ... */ }}\n    \
             other => println!(\"{{other}}\"), // as sent, known or not\n\
             }}\n\
             ```"
        ),
        None => String::new(),
    };
    let doc = format!("{summary}{matching}");
    let variants = plan.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let doc = format!("`{}`", v.value);
        quote! {
            #[doc = #doc]
            #variant
        }
    });
    let as_str = plan.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let value = &v.value;
        quote! { Self::#variant => #value }
    });
    let known = plan.values.iter().map(|v| {
        let variant = ident(&v.variant);
        let value = &v.value;
        quote! { #value => ::std::option::Option::Some(Self::#variant) }
    });
    let values: Vec<&str> = plan.values.iter().map(|v| v.value.as_str()).collect();
    let schema_doc = summary.clone();
    let expecting = format!("a {type_name} string");

    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
            /// A value this version of the SDK does not know, kept as sent.
            /// Read it with `as_str()`; do not build or match a specific value
            /// with it, as a later version may give that value its own variant
            /// (equality already compares the text, so
            /// `Unknown("x".into())` equals a known variant whose value is `x`).
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as it is on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this version of the SDK documents the value.
            pub fn is_known(&self) -> bool {
                Self::known(self.as_str()).is_some()
            }

            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#known,)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::known(&value).unwrap_or(Self::Unknown(value))
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::cmp::PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for #name {}

        impl ::std::cmp::PartialEq<str> for #name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for #name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::hash::Hash for #name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl ::std::cmp::PartialOrd for #name {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(self.cmp(other))
            }
        }

        /// By the text of the value.
        impl ::std::cmp::Ord for #name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_str<E>(self, value: &str) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(#name::from(value))
                    }
                    fn visit_string<E>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        ::std::result::Result::Ok(#name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #type_name.into()
            }
            /// A string: one of the documented values, or any other (kept as sent).
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": #schema_doc,
                    "type": "string",
                    "anyOf": [
                        { "enum": [#(#values),*] },
                        { "description": "A value this version of the SDK does not know yet, kept as sent." }
                    ]
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(schemas: Value) -> Value {
        json!({ "components": { "schemas": schemas } })
    }

    #[test]
    fn every_string_enum_component_is_planned_with_its_values_in_order() {
        let d = doc(json!({
            "Status": { "type": "string", "enum": ["in_review", "ok", "ok"], "description": "S." },
            "Kind": { "enum": ["a"] },
            "Count": { "type": "integer", "enum": [1, 2] },
            "Thing": { "type": "object", "properties": {} }
        }));
        let plans = plan(Path::new("s.json"), &d).unwrap();
        let summary: Vec<(&str, Vec<(&str, &str)>)> = plans
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.values
                        .iter()
                        .map(|v| (v.value.as_str(), v.variant.as_str()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Kind", vec![("a", "A")]),
                ("Status", vec![("in_review", "InReview"), ("ok", "Ok")]),
            ]
        );
        assert_eq!(plans[1].rust_path(), "crate::generated::enums::Status");
    }

    #[test]
    fn variant_names_are_identifiers_and_never_the_catch_all() {
        for (value, variant) in [
            ("customer.created.v1", "CustomerCreatedV1"),
            ("2fa", "X2fa"),
            ("-1", "Minus1"),
            ("unknown", "UnknownValue"),
            ("self", "Self_"),
            ("", "X"),
        ] {
            assert_eq!(variant_name(value), variant, "{value}");
        }
    }

    #[test]
    fn values_that_would_share_a_variant_are_an_error_naming_the_component() {
        let d = doc(json!({ "Mode": { "type": "string", "enum": ["a-b", "a_b"] } }));
        let err = plan(Path::new("s.json"), &d).unwrap_err().to_string();
        assert_eq!(
            err,
            "s.json#/components/schemas/Mode: the values `a-b` and `a_b` would both be the variant `AB`"
        );
    }

    #[test]
    fn the_generated_enum_has_no_default_and_keeps_unknown_values() {
        let d = doc(json!({ "Status": { "type": "string", "enum": ["on"], "default": "on" } }));
        let plans = plan(Path::new("s.json"), &d).unwrap();
        let text = tokens(&plans).to_string();
        assert!(!text.contains("Default"), "{text}");
        assert!(text.contains("non_exhaustive"));
        assert!(
            text.contains("Unknown (:: std :: string :: String)"),
            "{text}"
        );
    }
}
