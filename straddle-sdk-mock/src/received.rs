//! What the mock server received, as a test reads it.

use serde::de::DeserializeOwned;
use straddle_sdk::HeaderMap;
use straddle_sdk::reqwest::{Method, Url};

/// One request the mock server received: method, path, query, headers and
/// body, as they arrived. `Debug` shows the body as text with what
/// identifies a person or an account redacted (`straddle_sdk::redact`),
/// and no `Authorization`; the accessors give everything as sent.
#[derive(Clone)]
pub struct ReceivedRequest {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl std::fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut headers = self.headers.clone();
        if let Some(auth) = headers.get_mut(straddle_sdk::reqwest::header::AUTHORIZATION) {
            auth.set_sensitive(true);
        }
        let body = String::from_utf8_lossy(&self.body);
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &headers)
            .field("body", &straddle_sdk::redact::json_text(&body))
            .finish()
    }
}

impl ReceivedRequest {
    pub(crate) fn new(method: Method, url: Url, headers: HeaderMap, body: Vec<u8>) -> Self {
        Self {
            method,
            url,
            headers,
            body,
        }
    }

    /// `METHOD /path?query`, as the server's reports name the request.
    pub(crate) fn target(&self) -> String {
        match self.url.query() {
            Some(query) => format!("{} {}?{query}", self.method, self.url.path()),
            None => format!("{} {}", self.method, self.url.path()),
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path as sent, percent-encoded (`/v1/customers/182bd5e5-.../refresh_review`).
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The query pairs, decoded, in the order they were sent.
    pub fn query(&self) -> Vec<(String, String)> {
        self.url.query_pairs().into_owned().collect()
    }

    /// Every header, as sent (`authorization` included).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of the header `name` (any case), if it is present
    /// and text: `request.header("idempotency-key")`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as sent; empty when there was none.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body decoded as JSON into `T`: a request type of the SDK
    /// (`straddle_sdk::types::...`) for a typed view, or
    /// `serde_json::Value`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, straddle_sdk::serde_json::Error> {
        straddle_sdk::serde_json::from_slice(&self.body)
    }
}
