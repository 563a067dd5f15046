//! The API key: sent as `Authorization: Bearer <key>`, never printed.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::Error;

/// A Straddle API key. `Debug` and `Display` print `[redacted]`; the header
/// value is marked sensitive so HTTP-level logging leaves it out too.
#[derive(Clone)]
pub struct ApiKey {
    header: HeaderValue,
}

impl ApiKey {
    /// Checks `key` and prepares its `Authorization` header.
    pub fn new(key: &str) -> Result<Self, Error> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::config(
                "the API key is empty: pass `.api_key(..)` or set STRADDLE_API_KEY",
            ));
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            Error::config("the API key contains characters that cannot go in an HTTP header")
        })?;
        header.set_sensitive(true);
        Ok(Self { header })
    }

    /// The `Authorization` header value.
    pub(crate) fn authorization(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
