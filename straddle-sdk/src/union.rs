//! One-pass decoding of the API's object unions (`ComplianceProfileV1`:
//! `Business` or `Individual`), written once; the generated code gives each
//! union its tables ([`OnePassUnion`]).
//!
//! serde's `#[serde(untagged)]` derive buffers the whole object and replays
//! it against each variant; with unknown fields kept, the chosen variant
//! buffers it again (on a business profile with 200 representatives, 81 %
//! of the decoding time). This decoder reads the object once:
//!
//! - every key is kept as sent (a `serde_json::Value`, in order), except
//!   the first variant's fields that no other variant declares, once all of
//!   the first variant's required fields have been seen: that variant is
//!   then the one to try first, so those fields (the 200 representatives)
//!   are decoded straight into their types;
//! - then each variant is tried in order, the first whose required fields
//!   are all present (even as `null`) and whose fields decode wins; its
//!   fields are taken out of what was kept, the rest is its `extra`,
//!   unchanged and in order, as the untagged derive would have it.
//!
//! It differs from the untagged derive on malformed objects only: once a
//! field was decoded directly, the first variant must decode (a field of it
//! with the wrong type is an error, where the derive would try the next
//! variant); a known field sent twice is a `duplicate field` error; when no
//! variant fits, the error names the field that did not decode or says
//! which fields each variant needs.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_json::{Map, Value};

/// An object union of the API (`ComplianceProfileV1`: `Business` or
/// `Individual`), decoded in one pass rather than by serde's untagged
/// derive: the first variant whose required fields are all present (even
/// as `null`) and whose fields decode is chosen, and the other variants'
/// fields stay in its `extra` as sent. Implemented by the generated unions,
/// whose tables these constants are.
pub trait OnePassUnion: Sized {
    /// The union's name in the spec.
    const NAME: &'static str;
    /// Every field of every variant, once.
    const FIELDS: &'static [&'static str];
    /// Each variant in the order they are tried, with the fields whose
    /// presence selects it.
    const VARIANTS: &'static [(&'static str, &'static [&'static str])];
    /// The first variant's fields that are decoded as they arrive.
    #[doc(hidden)]
    type Direct: Default;

    /// Decodes the value of `field` into `direct` if it is one of the
    /// direct fields; `false` if it is not (the value is left unread).
    #[doc(hidden)]
    fn read_direct<'de, A: MapAccess<'de>>(
        direct: &mut Self::Direct,
        field: &'static str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Builds variant `variant` (an index into [`Self::VARIANTS`]) from the
    /// fields kept as sent and, for the first variant, the direct ones;
    /// why not, if a field does not decode.
    #[doc(hidden)]
    fn build(
        variant: usize,
        fields: &mut Fields,
        direct: &mut Self::Direct,
    ) -> Result<Self, String>;
}

/// The object's fields as sent, while a variant is built from them.
#[doc(hidden)]
pub struct Fields(Map<String, Value>);

impl Fields {
    /// A required field, decoded from what was kept.
    pub fn required<T: DeserializeOwned>(&self, key: &str) -> Result<T, String> {
        match self.0.get(key) {
            Some(value) => T::deserialize(value).map_err(|e| format!("field `{key}`: {e}")),
            None => Err(format!("missing field `{key}`")),
        }
    }

    /// An optional field, decoded from what was kept; absent is the default.
    pub fn optional<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T, String> {
        match self.0.contains_key(key) {
            true => self.required(key),
            false => Ok(T::default()),
        }
    }

    /// A field of the first variant: the value decoded as it arrived, or
    /// else (it came before the variant's required fields) from what was kept.
    pub fn direct<T: DeserializeOwned + Default>(
        &self,
        decoded: Option<T>,
        key: &str,
    ) -> Result<T, String> {
        match decoded {
            Some(value) => Ok(value),
            None => self.optional(key),
        }
    }

    /// Every field but the variant's own `fields`: its `extra`.
    pub fn rest(&mut self, fields: &[&str]) -> Map<String, Value> {
        for field in fields {
            self.0.shift_remove(*field);
        }
        std::mem::take(&mut self.0)
    }
}

/// Reads a direct field's value into its slot; a second one is an error.
#[doc(hidden)]
pub fn read_direct<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    field: &'static str,
    map: &mut A,
) -> Result<bool, A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value()?);
    Ok(true)
}

/// Decodes `U` from `deserializer` in one pass (see the module docs).
#[doc(hidden)]
pub fn deserialize<'de, U: OnePassUnion, D: de::Deserializer<'de>>(
    deserializer: D,
) -> Result<U, D::Error> {
    deserializer.deserialize_map(UnionVisitor(PhantomData))
}

struct UnionVisitor<U>(PhantomData<U>);

impl<'de, U: OnePassUnion> Visitor<'de> for UnionVisitor<U> {
    type Value = U;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = U::VARIANTS.iter().map(|(name, _)| *name).collect();
        write!(f, "a {} object ({})", U::NAME, names.join(" or "))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<U, A::Error> {
        let mut kept = Map::new();
        let mut direct = U::Direct::default();
        let mut decoded_directly = false;
        let first_required = U::VARIANTS
            .first()
            .map_or(&[][..], |(_, required)| *required);
        while let Some(key) = map.next_key_seed(KeySeed(U::FIELDS))? {
            let field = match key {
                Key::Known(field) => field,
                Key::Other(key) => {
                    let value = map.next_value()?;
                    kept.insert(key, value);
                    continue;
                }
            };
            if kept.contains_key(field) {
                return Err(de::Error::duplicate_field(field));
            }
            // Once the first variant's required fields are in, it is the one
            // to try first: its own fields are decoded as they come.
            if first_required.iter().all(|r| kept.contains_key(*r))
                && U::read_direct(&mut direct, field, &mut map)?
            {
                decoded_directly = true;
                continue;
            }
            let value = map.next_value()?;
            kept.insert(field.to_owned(), value);
        }
        choose(Fields(kept), direct, decoded_directly).map_err(de::Error::custom)
    }
}

/// The first variant, in order, whose required fields are present and
/// whose fields decode.
fn choose<U: OnePassUnion>(
    mut fields: Fields,
    mut direct: U::Direct,
    decoded_directly: bool,
) -> Result<U, String> {
    let mut failure: Option<String> = None;
    for (index, (_, required)) in U::VARIANTS.iter().enumerate() {
        if !required.iter().all(|r| fields.0.contains_key(*r)) {
            continue;
        }
        match U::build(index, &mut fields, &mut direct) {
            Ok(union) => return Ok(union),
            // Fields of the first variant already decoded into their types
            // could not go back into another variant's `extra` as sent.
            Err(why) if index == 0 && decoded_directly => return Err(why),
            Err(why) => {
                failure.get_or_insert(why);
            }
        }
    }
    Err(failure.unwrap_or_else(|| {
        let needs: Vec<String> = U::VARIANTS
            .iter()
            .map(|(name, required)| {
                let required: Vec<String> = required.iter().map(|r| format!("`{r}`")).collect();
                format!("{name} ({})", required.join(", "))
            })
            .collect();
        format!(
            "a {} needs the fields of one of its variants: {}",
            U::NAME,
            needs.join(" or ")
        )
    }))
}

/// A key of the object: one of the union's fields (no allocation), or another.
enum Key {
    Known(&'static str),
    Other(String),
}

struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, value: &str) -> Result<Key, E> {
        Ok(match self.0.iter().find(|f| **f == value) {
            Some(field) => Key::Known(field),
            None => Key::Other(value.to_owned()),
        })
    }

    fn visit_string<E>(self, value: String) -> Result<Key, E> {
        Ok(match self.0.iter().find(|f| **f == value) {
            Some(field) => Key::Known(field),
            None => Key::Other(value),
        })
    }
}

/// Gives the generated union `$name` (an [`OnePassUnion`]) its `Deserialize`.
macro_rules! one_pass_union {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::union::deserialize(deserializer)
            }
        }
    };
}
pub(crate) use one_pass_union;
