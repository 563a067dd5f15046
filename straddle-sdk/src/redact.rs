//! What identifies a person or an account never reaches a log through
//! `Debug`.
//!
//! Straddle's API carries Social Security Numbers, dates of birth, tax ids,
//! bank account and routing numbers, and tokens that open a bank account.
//! Every `Debug` of the SDK (the API types, request builders and their
//! bodies, responses, errors, interceptor contexts, `straddle-sdk-mock`'s
//! records) prints the value of each property named in [`FIELDS`] as
//! `"<redacted>"`: a typed field by its name, and a key of JSON (a request
//! body, the unknown fields of `extra`, a raw body) wherever it appears.
//! Whether the value is there (`Absent`, `Null`, `None`) still shows.
//!
//! Redaction is for `Debug` only: serde and the wire carry the real
//! values, `Display` of an error gives the server's own words, and a raw
//! body stays readable (`ApiError::raw_body`) to a caller who asks for it.
//! Names, emails and phone numbers are printed: they are how a person
//! reading a log recognises a customer, and Straddle returns them in the
//! clear.
//!
//! ```
//! use straddle_sdk::types::ComplianceProfileV1Individual;
//!
//! let profile = ComplianceProfileV1Individual::new(
//!     Some("1990-01-01".to_string()),
//!     Some("123-45-6789".to_string()),
//! );
//! let printed = format!("{profile:?}");
//! assert!(!printed.contains("123-45-6789") && printed.contains("<redacted>"));
//! assert!(straddle_sdk::serde_json::to_string(&profile).unwrap().contains("123-45-6789"));
//! ```

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::Nullable;

// Generated from the API description by `cargo xtask codegen`, with the
// list in its documentation.
pub use crate::generated::REDACTED as FIELDS;

/// What `Debug` prints in place of a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Whether `Debug` redacts the value of a property named `name`.
pub fn is_redacted(name: &str) -> bool {
    FIELDS.contains(&name)
}

/// `text` (JSON, possibly cut short, as in an error's snippet) with the
/// value of every redacted property replaced by `"<redacted>"`. Text that
/// holds no redacted property is returned as it is.
pub fn json_text(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(start) = text[at..].find('"').map(|i| at + i) {
        let Some(end) = string_end(text, start) else {
            break;
        };
        at = end;
        let key = &text[start + 1..end - 1];
        if !is_redacted(key) {
            continue;
        }
        let rest = &text[end..];
        let colon = rest.len() - rest.trim_start().len();
        if !rest[colon..].starts_with(':') {
            continue;
        }
        let value_start = end + colon + 1;
        let value_start =
            value_start + (text[value_start..].len() - text[value_start..].trim_start().len());
        let value_end = value_end(text, value_start);
        out.push_str(&text[copied..value_start]);
        out.push('"');
        out.push_str(REDACTED);
        out.push('"');
        copied = value_end;
        at = value_end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The index just past the JSON string starting at `start` (a `"`), if it ends.
fn string_end(text: &str, start: usize) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text[start + 1..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(start + 1 + i + 1),
            _ => {}
        }
    }
    None
}

/// The index just past the JSON value starting at `start`: a string, an
/// object or array (brackets balanced outside strings), or a scalar; the
/// end of `text` when it is cut short.
fn value_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(start) {
        Some(b'"') => string_end(text, start).unwrap_or(text.len()),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < text.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(text, i).unwrap_or(text.len());
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            text.len()
        }
        _ => text[start..]
            .find([',', '}', ']', '\n'])
            .map_or(text.len(), |i| start + i),
    }
}

/// A JSON value printed as `serde_json::Value` prints it, with the value
/// of every redacted property replaced.
pub struct Json<'a>(pub &'a Value);

impl fmt::Debug for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Array(items) => {
                f.write_str("Array ")?;
                f.debug_list().entries(items.iter().map(Json)).finish()
            }
            Value::Object(map) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(&JsonMap(map), f)
            }
            scalar => fmt::Debug::fmt(scalar, f),
        }
    }
}

/// A JSON object printed as `serde_json::Map` prints it, with the value of
/// every redacted property replaced: how the unknown fields (`extra`) of
/// the API types print.
pub struct JsonMap<'a>(pub &'a Map<String, Value>);

impl fmt::Debug for JsonMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.0 {
            if is_redacted(key) && !value.is_null() {
                map.entry(key, &Hidden);
            } else {
                map.entry(key, &Json(value));
            }
        }
        map.finish()
    }
}

/// `(name, value)` pairs (a raw call's query) printed with the value of
/// every redacted name replaced.
pub(crate) struct Pairs<'a>(pub &'a [(String, Value)]);

impl fmt::Debug for Pairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            if is_redacted(name) && !value.is_null() {
                list.entry(&(name, Hidden));
            } else {
                list.entry(&(name, Json(value)));
            }
        }
        list.finish()
    }
}

/// A value printed as `"<redacted>"`.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(REDACTED, f)
    }
}

/// A field's value printed as `"<redacted>"`, keeping whether it is there:
/// `Absent`, `Null` and `None` print as themselves.
#[doc(hidden)]
pub struct Redacted<'a, T>(pub &'a T);

/// What [`Redacted`] prints of a value: its shape, never its text.
#[doc(hidden)]
pub trait Redact {
    /// Prints the shape of the value.
    fn shape(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl Redact for String {
    fn shape(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Hidden, f)
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn shape(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(Redacted)).finish()
    }
}

impl<T: Redact> Redact for Option<T> {
    fn shape(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(value) => f.debug_tuple("Some").field(&Redacted(value)).finish(),
            None => f.write_str("None"),
        }
    }
}

impl<T: Redact> Redact for Nullable<T> {
    fn shape(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nullable::Value(value) => f.debug_tuple("Value").field(&Redacted(value)).finish(),
            Nullable::Null => f.write_str("Null"),
            Nullable::Absent => f.write_str("Absent"),
        }
    }
}

impl<T: Redact> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.shape(f)
    }
}

/// `Debug` for the generated type `$name`, printing its fields in order:
/// `field` as its own `Debug`, `field: redact` as [`Redacted`], and
/// `field: json` (a JSON map) as [`JsonMap`].
macro_rules! redacted_debug {
    ($name:ident { $($field:ident $(: $how:ident)?),* $(,)? }) => {
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), $crate::redact::redacted_debug!(@field self.$field $(, $how)?)))*
                    .finish()
            }
        }
    };
    (@field $value:expr) => { &$value };
    (@field $value:expr, redact) => { &$crate::redact::Redacted(&$value) };
    (@field $value:expr, json) => { &$crate::redact::JsonMap(&$value) };
}
pub(crate) use redacted_debug;

#[cfg(test)]
mod tests {
    use super::*;

    // Names redacted whatever the spec (`xtask`'s `ALWAYS`), so these hold
    // in every crate generated from this runtime.
    #[test]
    fn json_text_hides_redacted_values_even_in_a_body_cut_short() {
        let text = r#"{"name":"Ron","tax_id" : "12-3456789","nested":{"account_number":"000123","n":[1,{"ssn_last4":12}]},"routing_number":"0210"#;
        let redacted = json_text(text);
        for secret in ["12-3456789", "000123", "12}", "0210"] {
            assert!(!redacted.contains(secret), "{secret} in {redacted}");
        }
        assert!(
            redacted.contains(r#""name":"Ron""#) && redacted.contains(r#""tax_id" : "<redacted>""#)
        );
        assert!(matches!(
            json_text(r#"{"name":"Ron","note":"tax_id"}"#),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            json_text(r#"{"tax_id":{"a":[1,"]"]},"x":1}"#),
            r#"{"tax_id":"<redacted>","x":1}"#
        );
        assert_eq!(
            json_text(r#"{"tax_id""#),
            r#"{"tax_id""#,
            "a key without a value stays"
        );
    }

    #[test]
    fn json_prints_as_serde_json_does_with_redacted_values_hidden() {
        let value = serde_json::json!({ "a": [1, "x", null], "tax_id": "12-3456789", "o": { "routing_number": null } });
        let printed = format!("{:?}", Json(&value));
        assert_eq!(
            printed,
            r#"Object {"a": Array [Number(1), String("x"), Null], "tax_id": "<redacted>", "o": Object {"routing_number": Null}}"#
        );
        let plain = serde_json::json!({ "a": [1, { "b": true }] });
        assert_eq!(format!("{:?}", Json(&plain)), format!("{plain:?}"));
    }

    #[test]
    fn a_redacted_field_keeps_its_shape_and_loses_its_text() {
        let value: Nullable<Vec<String>> = Nullable::Value(vec!["123-45-6789".into()]);
        assert_eq!(
            format!("{:?}", Redacted(&value)),
            r#"Value(["<redacted>"])"#
        );
        assert_eq!(format!("{:?}", Redacted(&Nullable::<String>::Null)), "Null");
        assert_eq!(format!("{:?}", Redacted(&None::<String>)), "None");
    }
}
