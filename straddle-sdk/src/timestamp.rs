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
///
/// // Equal, hashed and ordered by the instant, whatever the spelling:
/// let same: straddle_sdk::Timestamp = "2019-12-27T18:11:19.117+00:00".try_into().unwrap();
/// assert_eq!(t, same);
/// assert!(t < "2019-12-27T18:11:20Z".parse().unwrap());
/// assert_eq!(same.to_string(), "2019-12-27T18:11:19.117+00:00"); // still as written
/// ```
///
/// Comparison: two timestamps whose text is RFC 3339 compare (and hash) by
/// the instant they name. Text that is not RFC 3339 (kept rather than failing
/// a response) compares by the text itself, and orders after every instant.
#[derive(Clone)]
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

/// What equality, hashing and ordering look at: the instant, or for text
/// that is not RFC 3339, the text (ordered after every instant).
#[derive(PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key<'a> {
    Instant(DateTime<Utc>),
    Text(&'a str),
}

impl Timestamp {
    fn key(&self) -> Key<'_> {
        match self.parsed {
            Some(instant) => Key::Instant(instant),
            None => Key::Text(&self.raw),
        }
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Timestamp {}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl TryFrom<&str> for Timestamp {
    type Error = chrono::ParseError;
    /// Parses RFC 3339 text, keeping it as written.
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = chrono::ParseError;
    /// Parses RFC 3339 text, keeping it as written.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DateTime::parse_from_rfc3339(&value)?;
        Ok(Self::from_text(value))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn server(text: &str) -> Timestamp {
        serde_json::from_value(serde_json::Value::String(text.into())).unwrap()
    }

    #[test]
    fn the_same_instant_in_any_spelling_is_equal_hashes_alike_and_keeps_its_text() {
        let spellings = [
            "2019-12-27T18:11:19.117Z",
            "2019-12-27T18:11:19.117+00:00",
            "2019-12-27T19:11:19.1170000+01:00",
        ];
        let all: Vec<Timestamp> = spellings.iter().map(|s| server(s)).collect();
        assert!(all.iter().all(|t| *t == all[0]));
        assert_eq!(all.iter().cloned().collect::<HashSet<_>>().len(), 1);
        for (t, text) in all.iter().zip(spellings) {
            assert_eq!(serde_json::to_value(t).unwrap(), text);
        }
    }

    #[test]
    fn instants_order_in_time_and_odd_text_orders_after_them_by_text() {
        let mut list = [
            server("not a time"),
            server("2020-01-01T00:00:00Z"),
            server("2019-12-31T23:00:00-02:00"), // 2020-01-01T01:00Z
            server("2019-06-01T00:00:00.5Z"),
            server("2019-12-27T18:11:19"),
        ];
        list.sort();
        let order: Vec<&str> = list.iter().map(Timestamp::as_str).collect();
        assert_eq!(
            order,
            [
                "2019-06-01T00:00:00.5Z",
                "2020-01-01T00:00:00Z",
                "2019-12-31T23:00:00-02:00",
                "2019-12-27T18:11:19",
                "not a time",
            ]
        );
        assert_ne!(server("x"), server("y"));
        assert_eq!(server("x"), server("x"));
    }

    #[test]
    fn try_from_text_accepts_rfc_3339_only() {
        assert!(Timestamp::try_from("2019-12-27T18:11:19.117Z").is_ok());
        assert!(Timestamp::try_from(String::from("2019-12-27")).is_err());
        assert!(Timestamp::try_from("yesterday").is_err());
    }
}
