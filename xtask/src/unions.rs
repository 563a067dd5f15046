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
//! (same variants, derives, JSON Schema and serialization), with a
//! `Deserialize` that reads the object once into a private "wire" struct
//! holding every branch's fields, then picks the first branch (in the order
//! `most_specific_branch_first` left them) whose required fields are all
//! present; that is the variant serde's untagged decoding would pick.
//! Fields that belong only to other branches go into the chosen variant's
//! `extra`, as they would have.
//!
//! Differences from the untagged derive, on malformed input only: a field
//! whose value has the wrong type fails the decode (the untagged derive would
//! try the next branch and keep the value in its `extra`), and the error says
//! which fields each variant needs instead of "data did not match any
//! variant".

use std::collections::BTreeMap;
use std::path::Path;

use heck::ToUpperCamelCase;
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
    if name.to_upper_camel_case() != name {
        return Err("the union's name is not already a Rust type name");
    }
    let mut planned = Vec::new();
    let mut shared: BTreeMap<&str, &Value> = BTreeMap::new();
    for branch in branches {
        let target = branch
            .as_object()
            .filter(|b| b.len() == 1)
            .and_then(|b| b.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or("a branch is not a lone $ref to a component")?;
        if target.to_upper_camel_case() != target {
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
            if *shared.entry(prop).or_insert(prop_schema) != prop_schema {
                return Err("two branches declare the same property with different schemas");
            }
        }
        planned.push(Branch {
            type_name: target.to_string(),
            variant: String::new(),
            properties: properties.keys().cloned().collect(),
            required,
        });
    }
    name_variants(name, &mut planned)?;
    Ok(UnionPlan {
        name: name.to_string(),
        branches: planned,
    })
}

/// `ComplianceProfileV1Business` in `ComplianceProfileV1` is `Business`, as
/// typify names it; the full name when stripping would clash or be empty.
fn name_variants(union: &str, branches: &mut [Branch]) -> std::result::Result<(), &'static str> {
    let short: Vec<String> = branches
        .iter()
        .map(|b| {
            b.type_name
                .strip_prefix(union)
                .filter(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
                .unwrap_or(&b.type_name)
                .to_string()
        })
        .collect();
    let distinct = short
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        == short.len();
    for (branch, name) in branches.iter_mut().zip(short) {
        branch.variant = if distinct {
            name
        } else {
            branch.type_name.clone()
        };
    }
    let names = branches
        .iter()
        .map(|b| &b.variant)
        .collect::<std::collections::BTreeSet<_>>();
    if names.len() != branches.len() {
        return Err("two branches have the same name");
    }
    Ok(())
}

/// A property typify keeps as the field name unchanged, and that cannot
/// clash with the flattened `extra` map.
fn is_plain_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && typify::accept_as_ident(name)
        && name != "extra"
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A branch struct as typify generated it: each field's type, and the type
/// of the flattened `extra` map.
struct BranchFields {
    fields: BTreeMap<String, TokenStream>,
    extra: TokenStream,
}

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
    let mut fields = BTreeMap::new();
    let mut extra = None;
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
        } else if prop.name == "extra" && extra.is_none() {
            extra = Some(prop_ty);
        } else {
            return Err(unexpected(format!(
                "field `{}` is not a property of the spec",
                prop.name
            )));
        }
    }
    if fields.len() != branch.properties.len() {
        return Err(unexpected(
            "a property has no field of the same name".into(),
        ));
    }
    let extra = extra.ok_or_else(|| unexpected("there is no `extra` field".into()))?;
    Ok(BranchFields { fields, extra })
}

/// The generated `unions.rs`: one enum and decoder per plan. `space` is the
/// type space progenitor generated the types with (using
/// [`crate::generate::sdk_settings`] for these plans).
pub fn tokens(file: &Path, plans: &[UnionPlan], space: &typify::TypeSpace) -> Result<TokenStream> {
    let mut out = quote! {
        //! Object unions with one-pass decoders, generated by `xtask/src/unions.rs`
        //! in place of typify's `#[serde(untagged)]` derive; re-exported from
        //! `types`.
        use super::types;
    };
    for plan in plans {
        out.extend(union_tokens(file, plan, space)?);
    }
    if !plans.is_empty() {
        out.extend(helpers());
    }
    Ok(out)
}

fn union_tokens(file: &Path, plan: &UnionPlan, space: &typify::TypeSpace) -> Result<TokenStream> {
    let shapes = plan
        .branches
        .iter()
        .map(|b| branch_fields(file, space, b))
        .collect::<Result<Vec<_>>>()?;
    let extra_ty = &shapes[0].extra;
    if shapes
        .iter()
        .any(|s| s.extra.to_string() != extra_ty.to_string())
    {
        return Err(XtaskError::file(
            file,
            format!(
                "the branches of `{}` keep unknown fields in maps of different types",
                plan.name
            ),
        ));
    }

    // Every property of every branch, once, in first-seen order.
    let mut all: Vec<(&str, &TokenStream)> = Vec::new();
    for (branch, shape) in plan.branches.iter().zip(&shapes) {
        for prop in &branch.properties {
            if !all.iter().any(|(name, _)| name == prop) {
                all.push((prop, &shape.fields[prop]));
            }
        }
    }

    let name = ident(&plan.name);
    let wire = ident(&format!("{}Wire", plan.name));
    let derives = crate::generate::EXTRA_DERIVES
        .iter()
        .map(|d| syn::parse_str::<syn::Path>(d))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| XtaskError::file(file, format!("a configured derive does not parse: {e}")))?;

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
    let doc = format!(
        " `{}`: {}. The variant is the first whose required fields are all present.",
        plan.name,
        either(&|b| format!("`{}` (requires {})", b.variant, needs(b)))
    );
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

    let variants = plan.branches.iter().map(|b| {
        let v = ident(&b.variant);
        let t = ident(&b.type_name);
        quote! { #v(types::#t) }
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
    let wire_fields = all.iter().map(|(prop, ty)| {
        let f = ident(prop);
        quote! {
            #[serde(default, deserialize_with = "present")]
            #f: ::std::option::Option<#ty>
        }
    });
    let field_names: Vec<Ident> = all.iter().map(|(prop, _)| ident(prop)).collect();

    let count = plan.branches.len();
    let mut any_leftover = false;
    let arms: Vec<TokenStream> = plan
        .branches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let v = ident(&b.variant);
            let t = ident(&b.type_name);
            let leftovers: Vec<TokenStream> = all
                .iter()
                .filter(|(prop, _)| !b.properties.iter().any(|p| p == prop))
                .map(|(prop, _)| {
                    let f = ident(prop);
                    quote! { leftover(&mut extra, #prop, #f)?; }
                })
                .collect();
            any_leftover |= !leftovers.is_empty();
            let inits = b.properties.iter().map(|prop| {
                let f = ident(prop);
                if b.required.contains(prop) {
                    quote! { #f }
                } else {
                    quote! { #f: #f.unwrap_or_default() }
                }
            });
            let req: Vec<Ident> = b.required.iter().map(|r| ident(r)).collect();
            let body = quote! {
                #(#leftovers)*
                return ::std::result::Result::Ok(#name::#v(types::#t {
                    #(#inits,)*
                    extra,
                }));
            };
            if i + 1 == count {
                quote! {
                    if let (#(::std::option::Option::Some(#req),)*) = (#(#req,)*) {
                        #body
                    }
                }
            } else {
                quote! {
                    let (#(#req,)*) = match (#(#req,)*) {
                        (#(::std::option::Option::Some(#req),)*) => { #body }
                        other => other,
                    };
                }
            }
        })
        .collect();
    let extra_binding = if any_leftover {
        quote! { mut extra }
    } else {
        quote! { extra }
    };

    Ok(quote! {
        #[doc = #doc]
        #[derive(::serde::Serialize, Clone, Debug, #(#derives),*)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants,)*
        }
        #(#froms)*

        /// Every field of every variant, each `None` when absent, read in one pass.
        #[derive(::serde::Deserialize)]
        #[serde(expecting = #expecting)]
        struct #wire {
            #(#wire_fields,)*
            #[serde(flatten)]
            extra: #extra_ty,
        }

        impl #wire {
            /// The first variant whose required fields are all present.
            fn resolve(self) -> ::std::result::Result<#name, ::std::string::String> {
                let Self { #(#field_names,)* #extra_binding } = self;
                #(#arms)*
                ::std::result::Result::Err(#no_match.to_string())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                #wire::deserialize(deserializer)?
                    .resolve()
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    })
}

/// Helpers shared by every union's decoder.
fn helpers() -> TokenStream {
    quote! {
        /// Decodes a field that is present (even as `null`) into `Some`.
        fn present<'de, D, T>(deserializer: D) -> ::std::result::Result<::std::option::Option<T>, D::Error>
        where
            D: ::serde::Deserializer<'de>,
            T: ::serde::Deserialize<'de>,
        {
            T::deserialize(deserializer).map(::std::option::Option::Some)
        }

        /// Keeps a field of another variant in the chosen variant's `extra`.
        fn leftover<E, T>(extra: &mut E, key: &str, value: ::std::option::Option<T>) -> ::std::result::Result<(), ::std::string::String>
        where
            E: ::std::iter::Extend<(::std::string::String, ::serde_json::Value)>,
            T: ::serde::Serialize,
        {
            if let ::std::option::Option::Some(value) = value {
                let value = ::serde_json::to_value(value).map_err(|e| e.to_string())?;
                extra.extend(::std::iter::once((key.to_owned(), value)));
            }
            ::std::result::Result::Ok(())
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
        let cases: [(&str, Edit); 6] = [
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
            ("clashing shared field", |s| {
                s["ProfileIndividual"]["properties"]["ein"] = json!({ "type": "integer" });
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
    fn plan_finds_the_qualifying_unions_of_a_document() {
        let doc = json!({ "components": { "schemas": profile() } });
        let names: Vec<String> = plan(&doc).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["Profile"]);
    }
}
