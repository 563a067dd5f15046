//! Timestamps as the server wrote them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `date-time` from the API: the exact text the server sent (so a payload
/// serializes back byte for byte), with the instant it names when that text
/// is RFC 3339.
///
/// ```
/// let t: straddle_sdk::Timestamp = "2019-12-27T18:11:19.117Z".parse().unwrap();
/// assert_eq!(t.as_str(), "2019-12-27T18:11:19.117Z");
/// assert_eq!(t.to_datetime().unwrap().timestamp_millis(), 1_577_470_279_117);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    parsed: Option<DateTime<Utc>>,
}

impl Timestamp {
    /// The text as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant, if the text is RFC 3339 (it always is from a
    /// well-behaved server); `None` keeps odd values instead of failing the
    /// whole response.
    pub fn to_datetime(&self) -> Option<DateTime<Utc>> {
        self.parsed
    }

    fn from_text(raw: String) -> Self {
        let parsed = DateTime::parse_from_rfc3339(&raw)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        Self { raw, parsed }
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self {
            raw: value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            parsed: Some(value),
        }
    }
}

impl std::str::FromStr for Timestamp {
    type Err = chrono::ParseError;
    /// Parses RFC 3339 text, keeping it as written.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s)?;
        Ok(Self::from_text(s.to_string()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from_text)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}
