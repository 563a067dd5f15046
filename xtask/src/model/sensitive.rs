//! Which properties hold what identifies a person or an account (an SSN, a
//! date of birth, a tax id, a bank account) or grants access to one: their
//! values never reach a `Debug` print. The spec marks most of them itself,
//! by masking them in its answers (`***-**-****` as an example, a
//! description, or, in the webhook schemas, the `format`); the request
//! twins of those fields carry the same names unmasked. [`ALWAYS`] adds the
//! ones the spec does not mark.

use std::collections::BTreeSet;

use serde_json::Value;

/// Properties redacted whether or not the spec masks them, with why.
pub const ALWAYS: &[(&str, &str)] = &[
    (
        "account_number",
        "a bank account's number (masked as `****1234` where the spec shows one)",
    ),
    (
        "routing_number",
        "with an account number, what moves money out of a bank account",
    ),
    (
        "tax_id",
        "a person's or a business's tax identification number",
    ),
    (
        "ssn_last4",
        "the last four digits of a Social Security Number",
    ),
    (
        "ip_address",
        "where a person was: masked as `**.**.**.**` in the answers that show it, which a fragment may not include",
    ),
    (
        "accepted_ip",
        "where a person was when they accepted the terms, as `ip_address`",
    ),
    (
        "plaid_token",
        "grants access to a bank account through Plaid",
    ),
    (
        "quiltt_token",
        "grants access to a bank account through Quiltt",
    ),
    (
        "speedchex_token",
        "grants access to a bank account through Speedchex",
    ),
    ("bridge_token", "opens a customer's bank-linking session"),
];

/// The property names of `doc` (a spec as written, before the leniency
/// rules drop formats and examples) that it masks, and [`ALWAYS`].
pub fn names(doc: &Value) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = ALWAYS.iter().map(|(name, _)| name.to_string()).collect();
    collect(doc, &mut names);
    names
}

/// Every property, at any depth, whose schema masks it.
fn collect(node: &Value, names: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(properties) = map.get("properties").and_then(Value::as_object) {
                for (name, schema) in properties {
                    if is_masked(schema) {
                        names.insert(name.clone());
                    }
                }
            }
            map.values().for_each(|child| collect(child, names));
        }
        Value::Array(items) => items.iter().for_each(|child| collect(child, names)),
        _ => {}
    }
}

/// Whether a property's schema says its value is masked: its `format` or
/// `example` is a mask, or its description shows one.
fn is_masked(schema: &Value) -> bool {
    let text = |key: &str| schema.get(key).and_then(Value::as_str).unwrap_or_default();
    is_mask(text("format"))
        || is_mask(text("example"))
        || text("description").split_whitespace().any(is_mask)
}

/// A masked value: two or more `*`, with only digits and `-`, `.` or `,`
/// separators besides (`***-**-****`, `****1234`, `**.**.**.**`), and no
/// letter (`**bold**` in Markdown is not one).
pub fn is_mask(text: &str) -> bool {
    let text = text.trim_end_matches(['.', ',', ')']);
    text.matches('*').count() >= 2
        && text
            .chars()
            .all(|c| c == '*' || c == '-' || c == '.' || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_property_is_sensitive_when_the_spec_masks_it_or_the_list_names_it() {
        let doc = json!({ "components": { "schemas": {
            "Profile": { "properties": {
                "ssn": { "type": "string", "example": "***-**-****" },
                "dob": { "type": "string", "description": "Masked date of birth in ****-**-** format." },
                "ein": { "type": "string", "format": "**-*******" },
                "account": { "type": "string", "example": "****1234" },
                "label": { "type": "string", "example": "Bank of America ****1234" },
                "address": { "description": "An address. **This is optional.**" },
                "name": { "type": "string" }
            } }
        } } });
        let names = names(&doc);
        for sensitive in ["ssn", "dob", "ein", "account", "routing_number"] {
            assert!(names.contains(sensitive), "{sensitive}");
        }
        for plain in ["label", "address", "name"] {
            assert!(!names.contains(plain), "{plain}");
        }
    }
}
