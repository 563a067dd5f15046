//! One-pass decoders for object unions (`oneOf` of object components told
//! apart by their required fields), such as `ComplianceProfileV1`.
//!
//! typify turns such a union into a `#[serde(untagged)]` enum. serde decodes
//! an untagged enum by buffering the whole value into its private `Content`
//! tree and replaying it against each variant in turn; with unknown fields
//! kept (a flattened `extra` map) the chosen variant buffers it again. On a
//! business profile with 200 representatives that made typed decoding slower
//! than decoding into `serde_json::Value` (callgrind: 81% of the time under
//! the union).
//!
//! For a union that qualifies, typify is told to use a replacement type
//! (`with_replacement`), and this module generates it: the same public enum
//! (same variants, derives, JSON Schema and serialization) with a
//! `Deserialize` that reads the object once and picks the variant serde's
//! untagged derive would pick: the first (in the order
//! `most_specific_branch_first` left them) whose required fields are present
//! and whose fields decode.
//!
//! - Every key is kept as sent (as a `serde_json::Value`, in order, in the
//!   future `extra` map) except the first variant's optional fields that no
//!   other variant declares, once all of the first variant's required fields
//!   have been seen: that variant is then the one to try first, so those
//!   fields (the 200 representatives) are decoded straight into their types.
//! - At the end, the chosen variant's fields are taken out of `extra` and
//!   decoded; everything else stays in `extra`, unchanged and in order, as the
//!   untagged derive's flattened map would have it.
//!
//! Differences from the untagged derive:
//! - once a field has been decoded directly, the first variant must decode:
//!   a field of it with the wrong type is an error, where the untagged
//!   derive would try the next variant and keep the fields in its `extra`
//!   (a business profile whose `representatives` are not representatives is
//!   an error even if `dob` and `ssn` are there too);
//! - a known field sent twice is a `duplicate field` error, and inside a
//!   value kept as sent a repeated key keeps its last value (as in
//!   `serde_json::Value`), where the untagged derive would reject it;
//! - when no variant fits, the error names the field that did not decode, or
//!   says which fields each variant needs, instead of "data did not match any
//!   variant".
//!
//! Generated code names its own locals and helpers with a `__` prefix, which
//! no property can have (see `is_plain_field_name`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use crate::error::{Result, XtaskError};

/// Where the generated module puts the replacement types, as typify must
/// spell them from anywhere in the crate.
pub const MODULE_PATH: &str = "crate::generated::unions";

/// A union that gets a one-pass decoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionPlan {
    /// Component name, which is also the Rust type name.
    pub name: String,
    /// The union's description, if the spec (or a transform) gives one.
    pub description: Option<String>,
    /// The branches, in the order untagged decoding would try them.
    pub branches: Vec<Branch>,
}

/// One branch of a [`UnionPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The branch's component name (the Rust struct typify generates).
    pub type_name: String,
    /// The enum variant's name.
    pub variant: String,
    /// Declared properties, in declaration order.
    pub properties: Vec<String>,
    /// The properties that must be present for this branch to match.
    pub required: Vec<String>,
}

impl UnionPlan {
    /// The path typify uses for the replaced type.
    pub fn rust_path(&self) -> String {
        format!("{MODULE_PATH}::{}", self.name)
    }

    /// Every property of every branch, once, in first-seen order.
    fn all_properties(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        for prop in self.branches.iter().flat_map(|b| &b.properties) {
            if !all.contains(&prop.as_str()) {
                all.push(prop);
            }
        }
        all
    }
}

/// Every union in the (transformed) document that qualifies, by name.
pub fn plan(doc: &Value) -> Vec<UnionPlan> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter_map(|(name, schema)| qualify(schemas, name, schema).ok())
        .collect()
}

/// Why `name` does or does not get a one-pass decoder.
pub fn qualify(
    schemas: &Map<String, Value>,
    name: &str,
    schema: &Value,
) -> std::result::Result<UnionPlan, &'static str> {
    let map = schema.as_object().ok_or("not an object schema")?;
    let branches = map
        .get("oneOf")
        .and_then(Value::as_array)
        .ok_or("not a oneOf")?;
    if map
        .keys()
        .any(|k| !matches!(k.as_str(), "oneOf" | "description" | "title"))
    {
        return Err("the union has keywords besides oneOf, description and title");
    }
    if branches.len() < 2 {
        return Err("fewer than two branches");
    }
    if !is_type_name(name) {
        return Err("the union's name is not already a Rust type name");
    }
    let mut planned = Vec::new();
    for branch in branches {
        let target = branch
            .as_object()
            .filter(|b| b.len() == 1)
            .and_then(|b| b.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or("a branch is not a lone $ref to a component")?;
        if !is_type_name(target) {
            return Err("a branch's name is not already a Rust type name");
        }
        let body = schemas
            .get(target)
            .and_then(Value::as_object)
            .ok_or("a branch's component is missing")?;
        if body.get("additionalProperties") != Some(&Value::Object(Map::new())) {
            return Err("a branch does not keep unknown fields in `extra`");
        }
        if body.keys().any(|k| {
            !matches!(
                k.as_str(),
                "type"
                    | "title"
                    | "description"
                    | "properties"
                    | "required"
                    | "additionalProperties"
            )
        }) {
            return Err("a branch has keywords besides type, properties and required");
        }
        let properties = body
            .get("properties")
            .and_then(Value::as_object)
            .filter(|p| !p.is_empty())
            .ok_or("a branch declares no properties")?;
        let required: Vec<String> = body
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if required.is_empty() {
            return Err("a branch has no required properties to tell it apart");
        }
        if required.iter().any(|r| !properties.contains_key(r)) {
            return Err("a branch requires a property it does not declare");
        }
        for (prop, prop_schema) in properties {
            if !is_plain_field_name(prop) {
                return Err("a property name is not a plain snake_case Rust field name");
            }
            if prop_schema.get("default").is_some() {
                return Err("a property has a default");
            }
        }
        planned.push(Branch {
            type_name: target.to_string(),
            variant: String::new(),
            properties: properties.keys().cloned().collect(),
            required,
        });
    }
    name_variants(&mut planned)?;
    let plan = UnionPlan {
        name: name.to_string(),
        description: map
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        branches: planned,
    };
    let keys: BTreeSet<String> = plan
        .all_properties()
        .iter()
        .map(|p| p.to_upper_camel_case())
        .collect();
    if keys.contains("Other") {
        return Err("a property named `other` would clash with the decoder's catch-all key");
    }
    if keys.len() != plan.all_properties().len() {
        return Err("two property names map to the same Rust name");
    }
    Ok(plan)
}

/// Names variants as typify does for untagged enums: the branch type names
/// without the words they all start with (`ComplianceProfileV1Business`,
/// `ComplianceProfileV1Individual`: `Business`, `Individual`).
fn name_variants(branches: &mut [Branch]) -> std::result::Result<(), &'static str> {
    let words = |name: &str| {
        name.to_kebab_case()
            .split('-')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = words(&branches[0].type_name);
    let common = branches
        .iter()
        .map(|b| {
            words(&b.type_name)
                .iter()
                .zip(&first)
                .take_while(|(a, b)| a == b)
                .count()
        })
        .min()
        .unwrap_or(0);
    let prefix = first[..common].join("-").to_upper_camel_case();
    for branch in branches.iter_mut() {
        branch.variant = branch.type_name[prefix.len()..].to_string();
    }
    let names: BTreeSet<&str> = branches.iter().map(|b| b.variant.as_str()).collect();
    if names.len() != branches.len() || names.iter().any(|n| !is_type_name(n)) {
        // typify would fall back to `Variant0`, `Variant1`, ...
        return Err("the branches' names do not give distinct variant names");
    }
    Ok(())
}

/// A name typify keeps unchanged as a type name.
fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.to_upper_camel_case() == name
        && typify::accept_as_ident(name)
}

/// A property typify keeps as the field name unchanged, and that cannot
/// clash with the flattened `extra` map.
fn is_plain_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.to_snake_case() == name
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && typify::accept_as_ident(name)
        && name != "extra"
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The first variant's optional fields that no other variant declares:
/// decoded straight into their types once the first variant's required
/// fields have all been seen (it is then the variant to try first). A field
/// another variant declares too stays a `Value` until the end, so that
/// variant can still decode it with its own type.
fn direct_fields(plan: &UnionPlan) -> Vec<&str> {
    let (first, others) = match plan.branches.split_first() {
        Some(split) => split,
        None => return Vec::new(),
    };
    first
        .properties
        .iter()
        .filter(|p| !first.required.contains(p))
        .filter(|p| !others.iter().any(|b| b.properties.contains(p)))
        .map(String::as_str)
        .collect()
}

/// Each field's type in a branch struct, as typify generated it.
type BranchFields = BTreeMap<String, TokenStream>;

fn branch_fields(file: &Path, space: &typify::TypeSpace, branch: &Branch) -> Result<BranchFields> {
    let unexpected = |what: String| {
        XtaskError::file(
            file,
            format!(
                "cannot build a one-pass decoder with `{}`: {what}",
                branch.type_name
            ),
        )
    };
    let ty = space
        .iter_types()
        .find(|t| t.name() == branch.type_name)
        .ok_or_else(|| unexpected("typify generated no such type".into()))?;
    let typify::TypeDetails::Struct(details) = ty.details() else {
        return Err(unexpected("typify did not generate a struct".into()));
    };
    let json_map =
        quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>).to_string();
    let mut fields = BTreeMap::new();
    let mut extra = false;
    for prop in details.properties_info() {
        let prop_ty = space
            .get_type(&prop.type_id)
            .map_err(|e| unexpected(format!("field `{}`: {e}", prop.name)))?
            .ident();
        if branch.properties.iter().any(|p| p == prop.name) {
            let required = branch.required.iter().any(|r| r == prop.name);
            if prop.required != required {
                return Err(unexpected(format!(
                    "field `{}` is required in the spec but not in the struct, or the reverse",
                    prop.name
                )));
            }
            fields.insert(prop.name.to_string(), prop_ty);
        } else if prop.name == "extra" && !extra && prop_ty.to_string() == json_map {
            extra = true;
        } else {
            return Err(unexpected(format!(
                "field `{}` is neither a property of the spec nor `extra: serde_json::Map`",
                prop.name
            )));
        }
    }
    if fields.len() != branch.properties.len() {
        return Err(unexpected(
            "a property has no field of the same name".into(),
        ));
    }
    if !extra {
        return Err(unexpected("there is no `extra` field".into()));
    }
    Ok(fields)
}

/// The generated `unions.rs`: one enum and decoder per plan. `space` is the
/// type space progenitor generated the types with (using
/// [`crate::generate::sdk_settings`] for these plans).
///
/// `field_type` overrides a branch field's type (`(struct, field)`), for
/// the structs [`crate::structs`] generates with `Nullable` fields.
pub fn tokens(
    file: &Path,
    plans: &[UnionPlan],
    space: &typify::TypeSpace,
    field_type: &dyn Fn(&str, &str) -> Option<TokenStream>,
) -> Result<TokenStream> {
    let mut out = quote! {
        //! Object unions with one-pass decoders, generated by `xtask/src/unions.rs`
        //! in place of typify's `#[serde(untagged)]` derive; re-exported from
        //! `types`.
        use super::types;
    };
    for plan in plans {
        out.extend(union_tokens(file, plan, space, field_type)?);
    }
    if !plans.is_empty() {
        out.extend(helpers());
    }
    Ok(out)
}

fn union_tokens(
    file: &Path,
    plan: &UnionPlan,
    space: &typify::TypeSpace,
    field_type: &dyn Fn(&str, &str) -> Option<TokenStream>,
) -> Result<TokenStream> {
    let shapes = plan
        .branches
        .iter()
        .map(|b| {
            let mut fields = branch_fields(file, space, b)?;
            for (name, ty) in fields.iter_mut() {
                if let Some(other) = field_type(&b.type_name, name) {
                    *ty = other;
                }
            }
            Ok(fields)
        })
        .collect::<Result<Vec<_>>>()?;
    let all = plan.all_properties();

    let name = ident(&plan.name);
    let visitor = ident(&format!("{}Visitor", plan.name));
    let key_ty = ident(&format!("{}Key", plan.name));
    let key_visitor = ident(&format!("{}KeyVisitor", plan.name));
    let (derives, feature_derives) = crate::generate::own_type_derives(file)?;

    let needs = |b: &Branch| {
        b.required
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let either = |each: &dyn Fn(&Branch) -> String| {
        plan.branches
            .iter()
            .map(each)
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let which = format!(
        "{}. The variant is the first whose required fields are all present \
         (even as `null`) and whose fields decode; the other variant's fields stay \
         in `extra` as sent.",
        either(&|b| format!("`{}` (requires {})", b.variant, needs(b)))
    );
    let doc = match &plan.description {
        Some(d) if !d.trim().is_empty() => format!("{}\n\n{which}", d.trim_end()),
        _ => which,
    };
    let expecting = format!(
        "a {} object ({})",
        plan.name,
        either(&|b| b.variant.clone())
    );
    let no_match = format!(
        "a {} needs the fields of one of its variants: {}",
        plan.name,
        either(&|b| format!("{} ({})", b.variant, needs(b)))
    );

    let variants = plan.branches.iter().enumerate().map(|(i, b)| {
        let v = ident(&b.variant);
        let t = ident(&b.type_name);
        let earlier: Vec<String> = plan.branches[..i]
            .iter()
            .map(|e| format!("`{}`", e.variant))
            .collect();
        let unless = if earlier.is_empty() {
            " It is tried first.".to_string()
        } else {
            format!(" and the object is not a {}", earlier.join(" or "))
        };
        let doc = if earlier.is_empty() {
            format!(
                "Selected when the object has {} (each may be `null`).{unless}",
                needs(b).replace(", ", " and ")
            )
        } else {
            format!(
                "Selected when the object has {} (each may be `null`){unless}.",
                needs(b).replace(", ", " and ")
            )
        };
        quote! {
            #[doc = #doc]
            #v(types::#t)
        }
    });
    let froms = plan.branches.iter().map(|b| {
        let v = ident(&b.variant);
        let t = ident(&b.type_name);
        quote! {
            impl ::std::convert::From<types::#t> for #name {
                fn from(value: types::#t) -> Self {
                    Self::#v(value)
                }
            }
        }
    });

    // The keys the decoder knows, as an enum so known keys cost no allocation.
    let key_variants: Vec<Ident> = all
        .iter()
        .map(|p| ident(&p.to_upper_camel_case()))
        .collect();
    let key_matches = all.iter().zip(&key_variants).map(|(prop, v)| {
        quote! { #prop => ::std::option::Option::Some(#key_ty::#v) }
    });

    let direct = direct_fields(plan);
    let first = &plan.branches[0];
    let first_required = &first.required;
    let direct_idents: Vec<Ident> = direct.iter().map(|p| ident(p)).collect();
    let slots = direct.iter().map(|prop| {
        let f = ident(prop);
        let ty = &shapes[0][*prop];
        quote! { let mut #f: ::std::option::Option<#ty> = ::std::option::Option::None; }
    });
    let arms = all.iter().zip(&key_variants).map(|(prop, v)| {
        if direct.contains(prop) {
            let f = ident(prop);
            quote! {
                #key_ty::#v => {
                    if #f.is_some() || __extra.contains_key(#prop) {
                        return ::std::result::Result::Err(A::Error::duplicate_field(#prop));
                    }
                    if #(__extra.contains_key(#first_required))&&* {
                        #f = ::std::option::Option::Some(__map.next_value()?);
                    } else {
                        __keep(&mut __map, &mut __extra, #prop)?;
                    }
                }
            }
        } else {
            quote! { #key_ty::#v => __keep(&mut __map, &mut __extra, #prop)? }
        }
    });

    let choices = plan
        .branches
        .iter()
        .zip(&shapes)
        .enumerate()
        .map(|(i, (b, shape))| {
            let label = syn::Lifetime::new(
                &format!("'{}_variant", b.variant.to_kebab_case().replace('-', "_")),
                Span::call_site(),
            );
            let v = ident(&b.variant);
            let t = ident(&b.type_name);
            let required = &b.required;
            // A field that does not decode sends the untagged derive on to the
            // next variant. So does this decoder, unless fields of the first
            // variant were already decoded into their types: the next variant's
            // `extra` could not have them as sent, so that is an error.
            let fail = if i == 0 {
                quote! {{
                    if __decoded_directly {
                        return ::std::result::Result::Err(A::Error::custom(__e));
                    }
                    __failure.get_or_insert(__e);
                    break #label;
                }}
            } else {
                quote! {{ __failure.get_or_insert(__e); break #label; }}
            };
            let decode = b.properties.iter().map(|prop| {
                let f = ident(prop);
                let ty = &shape[prop];
                let from_extra = if b.required.contains(prop) {
                    quote! { __field::<#ty>(&__extra, #prop) }
                } else {
                    quote! { __optional::<#ty>(&__extra, #prop) }
                };
                let value = quote! {
                    match #from_extra {
                        ::std::result::Result::Ok(__value) => __value,
                        ::std::result::Result::Err(__e) => #fail,
                    }
                };
                if i == 0 && direct.contains(&prop.as_str()) {
                    quote! {
                        let #f = match #f {
                            ::std::option::Option::Some(__value) => __value,
                            ::std::option::Option::None => #value,
                        };
                    }
                } else {
                    quote! { let #f = #value; }
                }
            });
            let props = &b.properties;
            let inits = b.properties.iter().map(|p| ident(p));
            quote! {
                #label: {
                    if !(#(__extra.contains_key(#required))&&*) {
                        break #label;
                    }
                    #(#decode)*
                    for __key in [#(#props),*] {
                        __extra.shift_remove(__key);
                    }
                    return ::std::result::Result::Ok(#name::#v(types::#t {
                        #(#inits,)*
                        extra: __extra,
                    }));
                }
            }
        });

    Ok(quote! {
        #[doc = #doc]
        #(#feature_derives)*
        #[derive(::serde::Serialize, Clone, Debug, #(#derives),*)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants,)*
        }
        #(#froms)*

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                deserializer.deserialize_map(#visitor)
            }
        }

        /// Reads the object once; see the enum's documentation.
        struct #visitor;

        impl<'de> ::serde::de::Visitor<'de> for #visitor {
            type Value = #name;

            fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(#expecting)
            }

            fn visit_map<A>(self, mut __map: A) -> ::std::result::Result<#name, A::Error>
            where
                A: ::serde::de::MapAccess<'de>,
            {
                use ::serde::de::Error as _;
                // Every key as sent, in order, except the decoded slots below;
                // it becomes the chosen variant's `extra`.
                let mut __extra = ::serde_json::Map::new();
                #(#slots)*
                while let ::std::option::Option::Some(__key) = __map.next_key::<#key_ty>()? {
                    match __key {
                        #(#arms,)*
                        #key_ty::Other(__key) => {
                            let __value = __map.next_value()?;
                            __extra.insert(__key, __value);
                        }
                    }
                }
                // Why a variant with its required fields present did not fit.
                let mut __failure: ::std::option::Option<::std::string::String> = ::std::option::Option::None;
                let __decoded_directly = false #(|| #direct_idents.is_some())*;
                #(#choices)*
                ::std::result::Result::Err(A::Error::custom(
                    __failure.unwrap_or_else(|| #no_match.to_owned()),
                ))
            }
        }

        /// A key of the object: one of the variants' fields, or another.
        enum #key_ty {
            #(#key_variants,)*
            Other(::std::string::String),
        }

        impl #key_ty {
            fn known(name: &str) -> ::std::option::Option<Self> {
                match name {
                    #(#key_matches,)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #key_ty {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                deserializer.deserialize_identifier(#key_visitor)
            }
        }

        struct #key_visitor;

        impl<'de> ::serde::de::Visitor<'de> for #key_visitor {
            type Value = #key_ty;

            fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("a field name")
            }

            fn visit_str<E>(self, value: &str) -> ::std::result::Result<#key_ty, E> {
                ::std::result::Result::Ok(
                    #key_ty::known(value).unwrap_or_else(|| #key_ty::Other(value.to_owned())),
                )
            }

            fn visit_string<E>(self, value: ::std::string::String) -> ::std::result::Result<#key_ty, E> {
                ::std::result::Result::Ok(match #key_ty::known(&value) {
                    ::std::option::Option::Some(key) => key,
                    ::std::option::Option::None => #key_ty::Other(value),
                })
            }
        }
    })
}

/// Helpers shared by every union's decoder.
fn helpers() -> TokenStream {
    quote! {
        /// Keeps a known field's value as sent, refusing a second one.
        fn __keep<'de, A>(
            map: &mut A,
            extra: &mut ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            key: &'static str,
        ) -> ::std::result::Result<(), A::Error>
        where
            A: ::serde::de::MapAccess<'de>,
        {
            if extra.contains_key(key) {
                return ::std::result::Result::Err(<A::Error as ::serde::de::Error>::duplicate_field(key));
            }
            let value = map.next_value()?;
            extra.insert(key.to_owned(), value);
            ::std::result::Result::Ok(())
        }

        /// Decodes a required field kept in `extra`.
        fn __field<T>(
            extra: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
            key: &str,
        ) -> ::std::result::Result<T, ::std::string::String>
        where
            T: ::serde::de::DeserializeOwned,
        {
            match extra.get(key) {
                ::std::option::Option::Some(value) => {
                    T::deserialize(value).map_err(|e| ::std::format!("field `{key}`: {e}"))
                }
                ::std::option::Option::None => ::std::result::Result::Err(::std::format!("missing field `{key}`")),
            }
        }

        /// Decodes an optional field kept in `extra`; absent is the default.
        fn __optional<T>(
            extra: &::serde_json::Map<::std::string::String, ::serde_json::Value>,
            key: &str,
        ) -> ::std::result::Result<T, ::std::string::String>
        where
            T: ::serde::de::DeserializeOwned + ::std::default::Default,
        {
            match extra.get(key) {
                ::std::option::Option::Some(_) => __field(extra, key),
                ::std::option::Option::None => ::std::result::Result::Ok(T::default()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn profile() -> Map<String, Value> {
        schemas(json!({
            "Profile": { "oneOf": [
                { "$ref": "#/components/schemas/ProfileBusiness" },
                { "$ref": "#/components/schemas/ProfileIndividual" }
            ]},
            "ProfileBusiness": {
                "type": "object",
                "properties": { "ein": { "type": "string" }, "website": { "type": "string" } },
                "required": ["ein"],
                "additionalProperties": {}
            },
            "ProfileIndividual": {
                "type": "object",
                "properties": { "ssn": { "type": "string" } },
                "required": ["ssn"],
                "additionalProperties": {}
            }
        }))
    }

    fn check(schemas: &Map<String, Value>) -> std::result::Result<UnionPlan, &'static str> {
        qualify(schemas, "Profile", &schemas["Profile"])
    }

    #[test]
    fn a_union_of_objects_with_required_fields_qualifies_in_branch_order() {
        let plan = check(&profile()).expect("qualifies");
        let summary: Vec<(&str, &str, &[String])> = plan
            .branches
            .iter()
            .map(|b| {
                (
                    b.type_name.as_str(),
                    b.variant.as_str(),
                    b.required.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("ProfileBusiness", "Business", &["ein".to_string()][..]),
                ("ProfileIndividual", "Individual", &["ssn".to_string()][..]),
            ]
        );
        assert_eq!(plan.rust_path(), "crate::generated::unions::Profile");
    }

    #[test]
    fn unions_that_the_decoder_cannot_mirror_keep_the_untagged_derive() {
        type Edit = fn(&mut Map<String, Value>);
        let cases: [(&str, Edit); 5] = [
            ("no required", |s| {
                s["ProfileIndividual"]["required"] = json!([]);
            }),
            ("renamed field", |s| {
                s["ProfileIndividual"]["properties"] = json!({ "tax-id": { "type": "string" } });
                s["ProfileIndividual"]["required"] = json!(["tax-id"]);
            }),
            ("field named extra", |s| {
                s["ProfileBusiness"]["properties"]["extra"] = json!({ "type": "string" });
            }),
            ("closed object", |s| {
                s["ProfileBusiness"]["additionalProperties"] = json!(false);
            }),
            ("inline branch", |s| {
                s["Profile"]["oneOf"][1] = json!({ "type": "object" });
            }),
        ];
        for (what, edit) in cases {
            let mut s = profile();
            edit(&mut s);
            assert!(check(&s).is_err(), "{what} should not qualify");
        }
        let mut with_default = profile();
        with_default["ProfileBusiness"]["properties"]["website"]["default"] = json!("x");
        assert_eq!(check(&with_default), Err("a property has a default"));
    }

    #[test]
    fn a_field_shared_with_different_types_qualifies_each_variant_decodes_its_own() {
        let mut s = profile();
        s["ProfileIndividual"]["properties"]["ein"] = json!({ "type": "integer" });
        let plan = check(&s).expect("qualifies");
        assert_eq!(plan.all_properties(), ["ein", "website", "ssn"]);
    }

    #[test]
    fn only_fields_no_other_variant_declares_are_decoded_directly() {
        let plan = check(&profile()).expect("qualifies");
        assert_eq!(direct_fields(&plan), ["website"]);
        let mut s = profile();
        s["ProfileIndividual"]["properties"]["website"] = json!({ "type": "integer" });
        let plan = check(&s).expect("qualifies");
        assert!(direct_fields(&plan).is_empty());
    }

    #[test]
    fn names_typify_would_change_or_the_decoder_uses_do_not_qualify() {
        for (name, why) in [
            (
                "a__b",
                "a property name is not a plain snake_case Rust field name",
            ),
            (
                "tax_id_",
                "a property name is not a plain snake_case Rust field name",
            ),
            (
                "type",
                "a property name is not a plain snake_case Rust field name",
            ),
            (
                "other",
                "a property named `other` would clash with the decoder's catch-all key",
            ),
        ] {
            let mut s = profile();
            s["ProfileBusiness"]["properties"][name] = json!({ "type": "string" });
            assert_eq!(check(&s), Err(why), "{name}");
        }
    }

    #[test]
    fn variants_are_named_as_typify_names_them() {
        let mut s = profile();
        let rename = |s: &mut Map<String, Value>, from: &str, to: &str| {
            let body = s.remove(from).unwrap();
            s.insert(to.to_string(), body);
        };
        rename(&mut s, "ProfileBusiness", "ProfileV1Business");
        rename(&mut s, "ProfileIndividual", "ProfileV1Individual");
        s["Profile"]["oneOf"] = json!([
            { "$ref": "#/components/schemas/ProfileV1Business" },
            { "$ref": "#/components/schemas/ProfileV1Individual" }
        ]);
        let plan = check(&s).expect("qualifies");
        let variants: Vec<&str> = plan.branches.iter().map(|b| b.variant.as_str()).collect();
        assert_eq!(variants, ["Business", "Individual"]);
    }

    #[test]
    fn plan_finds_the_qualifying_unions_of_a_document() {
        let doc = json!({ "components": { "schemas": profile() } });
        let names: Vec<String> = plan(&doc).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Profile"]);
    }
}
