//! How names in the spec become Rust names. Every stage names things through
//! these functions, so a property's field, its setter and its constructor
//! argument cannot drift apart.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// An identifier token.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust field (and setter, and argument) name of a property or
/// parameter named `wire` in the spec: typify's own rule (its
/// `sanitize(.., Case::Snake)`), so it is the name of the field typify
/// generates. `type` is `type_`, `Straddle-Account-Id` is
/// `straddle_account_id`, `1st` is `x1st`.
pub fn field_name(wire: &str) -> String {
    let out = wire
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_snake_case();
    let out = match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("x{out}"),
    };
    if typify::accept_as_ident(&out) {
        out
    } else {
        format!("{out}_")
    }
}

/// The type name of a resource path (`customers.review`: `CustomersReview`)
/// or of one spec name (`RefreshCustomerReview`).
pub fn type_name(segments: &[&str]) -> String {
    segments.iter().map(|s| s.to_upper_camel_case()).collect()
}

/// A name typify keeps unchanged as a type name: already UpperCamelCase
/// ASCII, and not a keyword.
pub fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.to_upper_camel_case() == name
        && typify::accept_as_ident(name)
}

/// The name of the variant that keeps values this SDK does not know, in
/// open enums and in the webhook `Event`.
pub const UNKNOWN: &str = "Unknown";

/// The variant for a wire value: UpperCamelCase of its words (`in_review`:
/// `InReview`, `customer.created.v1`: `CustomerCreatedV1`), `X`-prefixed if
/// it would not start with a letter, and `UnknownValue` for a documented
/// `unknown`, whose plain name is taken by the catch-all.
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

/// Names from Rust's prelude that generated code uses unqualified
/// (`Option<String>`, `impl Into<T>`, `#[derive(Clone, Debug)]`): no
/// generated type may take one.
pub const PRELUDE: &[&str] = &[
    "Box",
    "Clone",
    "Debug",
    "Default",
    "Err",
    "Into",
    "None",
    "Ok",
    "Option",
    "PartialEq",
    "Result",
    "Some",
    "String",
    "Vec",
];

/// Whether `name` is snake_case ASCII starting with a letter.
pub fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Rust's keywords (strict, reserved and weak ones that cannot name a method).
pub const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_typify_s_and_keywords_get_a_trailing_underscore() {
        for (wire, field) in [
            ("Straddle-Account-Id", "straddle_account_id"),
            ("type", "type_"),
            ("match", "match_"),
            ("pageNumber", "page_number"),
            ("legalName", "legal_name"),
            ("1st", "x1st"),
            ("a-b", "a_b"),
        ] {
            assert_eq!(field_name(wire), field, "{wire}");
        }
    }

    #[test]
    fn variant_names_are_identifiers_and_never_the_catch_all() {
        for (value, variant) in [
            ("customer.created.v1", "CustomerCreatedV1"),
            ("in_review", "InReview"),
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
    fn type_names_are_upper_camel_case_of_each_segment() {
        assert_eq!(type_name(&["customers", "review"]), "CustomersReview");
        assert!(is_type_name("CustomerV1") && !is_type_name("customer") && !is_type_name("Self"));
    }
}
