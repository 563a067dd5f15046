//! Optional fields the API may also send as `null`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An optional, nullable field: absent, sent as `null`, or a value.
///
/// `Option<T>` cannot tell the first two apart, so a response decoded and
/// written back would lose its `null`s; `Nullable<T>` keeps them. Reading is
/// the same as with an `Option`:
///
/// ```
/// use straddle_sdk::Nullable;
///
/// let sent: Nullable<String> = Nullable::Value("ext-1".into());
/// assert_eq!(sent.as_deref(), Some("ext-1"));
/// assert!(Nullable::<String>::Null.is_none() && Nullable::<String>::Absent.is_none());
/// assert!(Nullable::<String>::Null.is_null() && !Nullable::<String>::Absent.is_null());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// The field was not sent (and is not written).
    #[default]
    Absent,
    /// The field was sent as `null` (and is written as `null`).
    Null,
    /// The field was sent with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, if there is one (`None` when absent or `null`).
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value, mutably, if there is one.
    pub fn as_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value as `Option`, forgetting whether a missing one was absent or `null`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The value through `Deref` (`&str` for a `String`), if there is one.
    pub fn as_deref(&self) -> Option<&T::Target>
    where
        T: std::ops::Deref,
    {
        self.as_ref().map(|value| &**value)
    }

    /// An iterator over the value, if there is one (as `Option::iter`).
    pub fn iter(&self) -> std::option::IntoIter<&T> {
        self.as_ref().into_iter()
    }

    /// Whether there is a value.
    pub fn is_some(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// Whether there is no value (absent or `null`).
    pub fn is_none(&self) -> bool {
        !self.is_some()
    }

    /// Whether the field was sent as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the field was not sent at all.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

/// `None` is `null`: an `Option` says nothing about absence.
impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

impl<T> From<Nullable<T>> for Option<T> {
    fn from(value: Nullable<T>) -> Self {
        value.into_option()
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            // Absent fields are skipped by the struct; written alone, it is `null`.
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

/// Called only for a field that is present (a missing one is `Absent`, the
/// default): `null` is `Null`, anything else a `Value`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|value| value.map_or(Self::Null, Self::Value))
    }
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Option<T>>::schema_name()
    }
    fn inline_schema() -> bool {
        <Option<T>>::inline_schema()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        x: Nullable<u8>,
    }

    #[test]
    fn absent_null_and_a_value_each_round_trip_as_sent() {
        for (text, expected) in [
            ("{}", Nullable::Absent),
            (r#"{"x":null}"#, Nullable::Null),
            (r#"{"x":7}"#, Nullable::Value(7)),
        ] {
            let holder: Holder = serde_json::from_str(text).unwrap();
            assert_eq!(holder.x, expected, "{text}");
            assert_eq!(serde_json::to_string(&holder).unwrap(), text);
        }
    }
}
