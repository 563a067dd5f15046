//! Tests, written beside the sample calls, that `Debug` of every type and
//! every request holding what identifies a person or an account prints
//! none of it while the JSON on the wire keeps it. They are generated, so a
//! sensitive field the spec adds is covered without a hand-written test.
//!
//! Each value is JSON the spec accepts with a distinct `SECRET-<n>` in
//! every sensitive field it can reach (through optional fields, lists,
//! maps and the variants of a union).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use crate::emit::{Krate, raw_string, ty};
use crate::model::{Api, Operation, Ty};

/// How deep a marked value follows fields (the spec's types can nest
/// themselves).
const MAX_DEPTH: usize = 8;

/// The prefix of every secret a test looks for.
const SECRET: &str = "SECRET-";

/// The redaction tests, calling through the crate `krate`; nothing if the
/// spec holds nothing to redact.
pub fn tokens(api: &Api, krate: &str) -> TokenStream {
    let mut counter = 0;
    let types: Vec<TokenStream> = api
        .structs
        .iter()
        .filter_map(|s| {
            let value = marked(api, &Ty::Named(s.name.clone()), 0, &mut counter)?;
            let name = ty(&Ty::Named(s.name.clone()), Krate::Outside(krate));
            let json = raw_string(&value.to_string());
            Some(quote!(check::<#name>(#json);))
        })
        .collect();
    let requests: Vec<TokenStream> = api
        .operations
        .iter()
        .filter_map(|op| request(api, krate, op, &mut counter))
        .collect();
    if types.is_empty() && requests.is_empty() {
        return TokenStream::new();
    }
    let root = format_ident!("{krate}");
    let types_test = (!types.is_empty()).then(|| types_test(&types));
    let requests_test = (!requests.is_empty()).then(|| requests_test(&root, &requests));
    quote! {
        /// `Debug` of every type and request that holds what identifies a
        /// person or an account (`straddle_sdk::redact::FIELDS`) prints none
        /// of it; the JSON keeps it.
        #[cfg(test)]
        mod redaction {

            /// Every `SECRET-<n>` in `json`.
            fn secrets(json: &str) -> Vec<&str> {
                json.split('"').filter(|s| s.starts_with(#SECRET)).collect()
            }

            fn hidden_but_sent(printed: &str, wire: &str, json: &str) {
                let secrets = secrets(json);
                assert!(!secrets.is_empty());
                for secret in secrets {
                    assert!(!printed.contains(secret), "{secret} is in {printed}");
                    assert!(wire.contains(secret), "{secret} is not in {wire}");
                }
            }

            #types_test
            #requests_test
        }
    }
}

/// The test of the types: each decoded from its marked JSON.
fn types_test(types: &[TokenStream]) -> TokenStream {
    quote! {
        fn check<T: ::serde::de::DeserializeOwned + ::serde::Serialize + ::std::fmt::Debug>(json: &str) {
            let value: T = ::serde_json::from_str(json).expect("the marked sample decodes");
            let wire = ::serde_json::to_string(&value).expect("it serializes");
            hidden_but_sent(&format!("{value:?}"), &wire, json);
        }

        #[test]
        fn types_print_redacted() {
            #(#types)*
        }
    }
}

/// The test of the requests: each built with its secrets set, through the
/// crate `root`.
fn requests_test(root: &proc_macro2::Ident, requests: &[TokenStream]) -> TokenStream {
    quote! {
        /// The URL, header values and body the request puts on the wire.
        fn sent<'a, R: #root::OperationRequest<'a>>(request: &R) -> String {
            let request = request.request().encoded().expect("the request encodes");
            let headers: Vec<String> = request
                .headers()
                .values()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            let body = request.body().and_then(|b| b.as_bytes()).unwrap_or_default();
            format!("{} {headers:?} {}", request.url(), String::from_utf8_lossy(body))
        }

        #[test]
        fn requests_print_redacted() {
            let client = #root::Client::builder()
                .api_key("sk_test_redaction_0123456789")
                .base_url("http://127.0.0.1:9")
                .build()
                .expect("the client builds");
            #(#requests)*
        }
    }
}

/// A test of `op`'s request with every sensitive argument and body property
/// set, if it has any.
fn request(api: &Api, krate: &str, op: &Operation, counter: &mut usize) -> Option<TokenStream> {
    let body = op
        .body
        .as_ref()
        .and_then(|b| Some((b, marked(api, &b.ty, 0, counter)?)));
    let sensitive: Vec<_> = op.args.iter().filter(|a| a.sensitive).collect();
    if body.is_none() && sensitive.is_empty() {
        return None;
    }
    let mut json = Map::new();
    let mut args = Vec::new();
    for a in op.args.iter().filter(|a| a.required) {
        let value = match a.sensitive {
            true => secret(counter),
            false => api.spec.sample_at(&a.schema_at).ok()?,
        };
        args.push(arg_value(krate, &a.ty, &value));
        if a.sensitive {
            json.insert(a.wire.clone(), value);
        }
    }
    let mut setters = Vec::new();
    for a in sensitive.iter().filter(|a| !a.required) {
        let (setter, value) = (format_ident!("{}", a.name), secret(counter));
        let expr = arg_value(krate, a.ty.inner(), &value);
        setters.push(quote!(.#setter(#expr)));
        json.insert(a.wire.clone(), value);
    }
    if let Some((b, value)) = body {
        let (body_ty, text) = (
            ty(&b.ty, Krate::Outside(krate)),
            raw_string(&value.to_string()),
        );
        setters.push(quote!(.body(::serde_json::from_str::<#body_ty>(#text).expect("the marked body decodes"))));
        json.insert("body".into(), value);
    }
    let resource = op.resource.iter().map(|s| format_ident!("{s}"));
    let method = format_ident!("{}", op.name);
    let marked = raw_string(&Value::Object(json).to_string());
    Some(quote! {
        let request = client #(.#resource())* .#method(#(#args),*) #(#setters)*;
        hidden_but_sent(&format!("{request:?}"), &sent(&request), #marked);
    })
}

/// An argument of type `arg` whose JSON is `value`.
fn arg_value(krate: &str, arg: &Ty, value: &Value) -> TokenStream {
    match (arg, value.as_str()) {
        (Ty::UuidArg | Ty::String, Some(text)) => quote!(#text),
        _ => {
            let (arg, text) = (
                ty(arg, Krate::Outside(krate)),
                raw_string(&value.to_string()),
            );
            quote!(::serde_json::from_str::<#arg>(#text).expect("the sample is a value of the argument's type"))
        }
    }
}

fn secret(counter: &mut usize) -> Value {
    *counter += 1;
    Value::String(format!("{SECRET}{counter}"))
}

/// A JSON value of `t` with a secret in every sensitive field it reaches,
/// or `None` if it reaches none.
fn marked(api: &Api, t: &Ty, depth: usize, counter: &mut usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match t {
        Ty::Option(inner) | Ty::Nullable(inner) | Ty::Box(inner) => {
            marked(api, inner, depth, counter)
        }
        Ty::Vec(inner) => marked(api, inner, depth + 1, counter).map(|v| json!([v])),
        Ty::Map(_, inner) => marked(api, inner, depth + 1, counter).map(|v| json!({ "key": v })),
        Ty::Named(name) => match api.find_struct(name) {
            Some(s) => {
                let sample = crate::spec::sample::sample(
                    &api.spec.doc,
                    &json!({ "$ref": format!("#/components/schemas/{name}") }),
                );
                let mut object = sample.as_object().cloned().unwrap_or_default();
                let mut any = false;
                for f in &s.fields {
                    let value = match f.sensitive {
                        true => Some(match f.ty.inner() {
                            Ty::Vec(_) => json!([secret(counter)]),
                            _ => secret(counter),
                        }),
                        false => marked(api, &f.ty, depth + 1, counter),
                    };
                    if let Some(value) = value {
                        object.insert(f.wire.clone(), value);
                        any = true;
                    }
                }
                any.then_some(Value::Object(object))
            }
            None => api.unions.iter().find(|u| &u.name == name).and_then(|u| {
                u.branches
                    .iter()
                    .find_map(|b| marked(api, &Ty::Named(b.type_name.clone()), depth + 1, counter))
            }),
        },
        _ => None,
    }
}
