//! Arguments of generated operations, checked against the spec before any
//! request leaves.

use std::borrow::Cow;

use reqwest::header::HeaderValue;
use uuid::Uuid;

use crate::Error;

/// An argument the spec declares as a UUID: accepts `&str`, `String` or
/// [`uuid::Uuid`]. A string that is not a UUID fails in `send()`, before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UuidArg(UuidArgInner);

#[derive(Debug, Clone, PartialEq, Eq)]
enum UuidArgInner {
    Parsed(Uuid),
    Text(String),
}

/// Written as the text it holds; a request checks that it is a UUID when
/// it is sent.
impl serde::Serialize for UuidArg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            UuidArgInner::Parsed(id) => id.serialize(serializer),
            UuidArgInner::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// Read from a string, checked when the request is sent (as `From<&str>`).
impl<'de> serde::Deserialize<'de> for UuidArg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

impl From<Uuid> for UuidArg {
    fn from(value: Uuid) -> Self {
        Self(UuidArgInner::Parsed(value))
    }
}
impl From<&Uuid> for UuidArg {
    fn from(value: &Uuid) -> Self {
        Self(UuidArgInner::Parsed(*value))
    }
}
impl From<&str> for UuidArg {
    fn from(value: &str) -> Self {
        Self(UuidArgInner::Text(value.to_string()))
    }
}
impl From<String> for UuidArg {
    fn from(value: String) -> Self {
        Self(UuidArgInner::Text(value))
    }
}
impl From<&String> for UuidArg {
    fn from(value: &String) -> Self {
        Self(UuidArgInner::Text(value.clone()))
    }
}

/// Checks a UUID argument.
#[doc(hidden)]
pub fn uuid(operation: Cow<'static, str>, name: &str, value: UuidArg) -> Result<Uuid, Error> {
    match value.0 {
        UuidArgInner::Parsed(id) => Ok(id),
        UuidArgInner::Text(text) => Uuid::try_parse(&text).map_err(|_| {
            Error::invalid(operation, format!("`{name}` must be a UUID, got {text:?}"))
        }),
    }
}

/// Checks a string argument that travels in a header: a valid header value
/// (no CR, LF or other control characters) and, where the spec says so,
/// between `min` and `max` characters.
#[doc(hidden)]
pub fn header(
    operation: Cow<'static, str>,
    name: &str,
    value: String,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<String, Error> {
    if HeaderValue::from_str(&value).is_err() || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            operation,
            format!(
                "`{name}` cannot be sent as a header: it contains control characters or bytes a header cannot carry"
            ),
        ));
    }
    string(operation, name, value, min, max)
}

/// Checks a string argument's length against the spec's bounds.
#[doc(hidden)]
pub fn string(
    operation: Cow<'static, str>,
    name: &str,
    value: String,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<String, Error> {
    let len = value.chars().count();
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        let bounds = match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b} characters"),
            (Some(a), None) => format!("at least {a} characters"),
            (None, Some(b)) => format!("at most {b} characters"),
            (None, None) => String::new(),
        };
        return Err(Error::invalid(
            operation,
            format!("`{name}` must be {bounds}, got {len}"),
        ));
    }
    Ok(value)
}
