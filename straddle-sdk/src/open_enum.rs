//! What every open enum of the API does, written once. The generated code
//! gives each enum its variants and a table of their wire values
//! ([`OpenEnum`]); [`open_enum!`] gives it the rest.

/// An enum of the API that stays open: a variant per value the API
/// documents, and `Unknown` for any other, so a value Straddle adds later
/// still decodes and is written back exactly as it was sent.
///
/// Every open enum (`CustomerStatusV1`, ...) has `as_str()`, `is_known()`,
/// `Display` (the wire value), infallible `From<&str>`, `From<String>` and
/// `FromStr`, serde that writes back exactly the string received, and
/// equality, hashing and ordering by that text, so
/// `Unknown("verified".into()) == Verified`. None implements `Default`: a
/// status the server did not send is never invented.
///
/// The enums are `#[non_exhaustive]`: match one with a catch-all arm, and
/// read a value this SDK does not know through `as_str()` rather than by
/// matching `Unknown("..")`, since a later version may give it a variant of
/// its own:
///
/// ```
/// use straddle_sdk::types::CustomerStatusV1;
///
/// fn describe(status: &CustomerStatusV1) -> String {
///     match status {
///         CustomerStatusV1::Verified => "go ahead".to_string(),
///         CustomerStatusV1::Rejected => "stop".to_string(),
///         other => format!("waiting: {other}"), // as the server sent it
///     }
/// }
/// assert_eq!(describe(&"suspended".into()), "waiting: suspended");
/// assert_eq!(CustomerStatusV1::from("verified"), CustomerStatusV1::Verified);
/// ```
pub trait OpenEnum: Sized + Clone + 'static {
    /// The type's name in the spec.
    const NAME: &'static str;
    /// The spec's description of the type.
    const DESCRIPTION: &'static str;
    /// Each documented value on the wire, with its variant, in the spec's order.
    const VALUES: &'static [(&'static str, Self)];
}

/// The wire value of a documented variant: its entry in [`OpenEnum::VALUES`].
#[doc(hidden)]
pub fn known_str<T: OpenEnum>(value: &T) -> &'static str {
    let variant = std::mem::discriminant(value);
    T::VALUES
        .iter()
        .find(|(_, v)| std::mem::discriminant(v) == variant)
        .map_or("", |(text, _)| text)
}

/// The documented variant whose wire value is `text`.
#[doc(hidden)]
pub fn known<T: OpenEnum>(text: &str) -> Option<T> {
    T::VALUES
        .iter()
        .find(|(value, _)| *value == text)
        .map(|(_, variant)| variant.clone())
}

/// The JSON Schema of an open enum: a string, one of the documented values
/// or any other (kept as sent).
#[cfg(feature = "schemars")]
#[doc(hidden)]
pub fn json_schema<T: OpenEnum>() -> schemars::Schema {
    let values: Vec<&str> = T::VALUES.iter().map(|(value, _)| *value).collect();
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let one_of = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    let description = if T::DESCRIPTION.is_empty() {
        format!("One of {one_of}.")
    } else {
        format!("{}\n\nOne of {one_of}.", T::DESCRIPTION)
    };
    schemars::json_schema!({
        "description": description,
        "type": "string",
        "anyOf": [
            { "enum": values },
            { "description": "A value this version of the SDK does not know yet, kept as sent." }
        ]
    })
}

/// Gives the generated open enum `$name` (with an `Unknown(String)`
/// variant and an [`OpenEnum`] impl) its methods and trait impls.
macro_rules! open_enum {
    ($name:ident) => {
        impl $name {
            /// The value as it is on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::Unknown(value) => value.as_str(),
                    known => $crate::open_enum::known_str(known),
                }
            }

            /// Whether this version of the SDK documents the value.
            pub fn is_known(&self) -> bool {
                $crate::open_enum::known::<Self>(self.as_str()).is_some()
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                $crate::open_enum::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                $crate::open_enum::known(&value).unwrap_or(Self::Unknown(value))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::cmp::PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl ::std::cmp::Eq for $name {}

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::hash::Hash for $name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl ::std::cmp::PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {
                ::std::option::Option::Some(self.cmp(other))
            }
        }

        /// By the text of the value.
        impl ::std::cmp::Ord for $name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str($crate::open_enum::Visitor::<Self>::new())
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                <Self as $crate::OpenEnum>::NAME.into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::open_enum::json_schema::<Self>()
            }
        }
    };
}
pub(crate) use open_enum;

/// Decodes an open enum from a string, known or not.
#[doc(hidden)]
pub struct Visitor<T>(std::marker::PhantomData<T>);

impl<T> Visitor<T> {
    /// The visitor of `T`.
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for Visitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: OpenEnum + From<String> + for<'a> From<&'a str>> serde::de::Visitor<'_> for Visitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {} string", T::NAME)
    }

    fn visit_str<E>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}
