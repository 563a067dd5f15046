//! A call of any path, for what the SDK does not expose yet, through the
//! same pipeline as generated operations: auth, idempotency key, retries,
//! timeouts, size limit, interceptors, tracing and typed errors.

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::RequestOptions;
use crate::encode::{Check, Encoder, JsonBody, Style};
use crate::pipeline::Call;
use crate::{ApiResponse, Client, Error};

impl Client {
    /// A request to any path of the API, for an operation the SDK does not
    /// expose yet. `path` is appended to the base URL (`/v1/...`); the body,
    /// query and headers are set on the builder, and the answer decodes into
    /// the type given to `send`:
    ///
    /// ```no_run
    /// # async fn run(client: straddle_sdk::Client) -> Result<(), straddle_sdk::Error> {
    /// use straddle_sdk::reqwest::Method;
    ///
    /// let page: straddle_sdk::serde_json::Value = client
    ///     .request(Method::GET, "/v1/customers")
    ///     .query(&[("page_size", "5")])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn request(&self, method: Method, path: &str) -> RawRequest<'_> {
        RawRequest {
            client: self,
            method,
            path: path.to_string(),
            query: Vec::new(),
            body: JsonBody::default(),
            options: RequestOptions::default(),
            refused: None,
        }
    }
}

/// A request built by hand: see [`Client::request`]. Nothing is sent until
/// [`RawRequest::send`] or [`RawRequest::send_with_response`] is awaited;
/// the path, query and headers are checked then, before anything leaves.
#[derive(Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct RawRequest<'a> {
    client: &'a Client,
    method: Method,
    path: String,
    query: Vec<(String, Value)>,
    body: JsonBody,
    options: RequestOptions,
    refused: Option<String>,
}

/// Redacts query values and body properties that identify a person or an
/// account ([`crate::redact`]).
impl std::fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &crate::redact::Pairs(&self.query))
            .field("body", &self.body)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a> RawRequest<'a> {
    /// Adds query arguments: a struct or map (`{"page_size": 5}`) or a list
    /// of pairs (`[("status", "active")]`). A list value is sent as repeated
    /// pairs (`a=1&a=2`); `None`/`null` sends nothing.
    pub fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Self {
        match serde_json::to_value(query) {
            Ok(Value::Object(map)) => self.query.extend(map),
            Ok(Value::Array(pairs)) => {
                for pair in pairs {
                    match pair {
                        Value::Array(mut kv) if kv.len() == 2 => {
                            let value = kv.pop().unwrap_or_default();
                            match kv.pop() {
                                Some(Value::String(name)) => self.query.push((name, value)),
                                _ => self.refuse("a query pair's name must be a string"),
                            }
                        }
                        _ => self.refuse("query pairs must be `(name, value)`"),
                    }
                }
            }
            Ok(_) => self.refuse("the query must be a struct, a map or a list of pairs"),
            Err(e) => self.refuse(&format!("the query cannot be written: {e}")),
        }
        self
    }

    /// Sets the JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body.replace(body);
        self
    }

    crate::request::call_options!();

    /// Sends the request and decodes a success body as `T`
    /// (`serde_json::Value` for any JSON, `()` for none).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.call().await.map(ApiResponse::into_body)
    }

    /// Like [`Self::send`], with the status, headers and number of attempts
    /// around the body: an [`ApiResponse`], which dereferences to it.
    pub async fn send_with_response<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        self.call().await
    }

    /// The call this request makes, encoded for each attempt (see
    /// `Request::call`).
    fn call<T: DeserializeOwned>(mut self) -> impl Future<Output = Result<ApiResponse<T>, Error>> {
        let name = self.name();
        let options = std::mem::take(&mut self.options);
        let call = Call::new(self.client, name.clone(), options);
        call.send(move || self.encode(&name))
    }

    /// What was set on the request, as a pattern for matching requests (a
    /// mock server's expectation): the method, the URL with the query, the
    /// headers of `.header(..)` and the JSON body if one was set, checked
    /// as for sending.
    #[doc(hidden)]
    pub fn encoded_for_matching(&self) -> Result<reqwest::Request, Error> {
        let name = self.name();
        let mut request = self.encode(&name)?;
        crate::request::with_headers(&name, &self.options, request.headers_mut())?;
        Ok(request)
    }

    /// The call as errors and traces name it: `GET /v1/customers`.
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The request as it would be sent, or why it cannot be.
    fn encode(&self, name: &str) -> Result<reqwest::Request, Error> {
        let invalid = |why: &str| Error::invalid(name.to_string(), why.to_string());
        if let Some(why) = &self.refused {
            return Err(invalid(why));
        }
        check_path(&self.path).map_err(invalid)?;
        let mut wire = Encoder::new(name.to_string());
        for (key, value) in &self.query {
            wire.query_with(key.clone(), Some(value), Check::Any, Style::FormExploded)?;
        }
        wire.json(&self.body, false, &[])?;
        // The path as the caller wrote it (percent-escapes kept), under the base path.
        let base = &self.client.shared.base_url;
        let prefix = base.path().trim_end_matches('/');
        let mut url = base.clone();
        url.set_path(&format!("{prefix}{}", self.path));
        // However the URL parser reads the path, it stays under the base.
        if !url.path().starts_with(prefix) || url.path().len() < prefix.len() + self.path.len() {
            return Err(invalid("the path would leave the base URL"));
        }
        Ok(wire.into_request_at(url, self.method.clone()))
    }

    fn refuse(&mut self, why: &str) {
        self.refused.get_or_insert_with(|| why.to_string());
    }
}

/// A path may only name a resource under the base URL: it starts with `/`,
/// and has no query, fragment, empty, `.` or `..` segment (percent-encoded
/// dots included), backslash, template braces or control characters, so it
/// cannot reach another host or escape the base path.
fn check_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err("the path must start with `/` (it is appended to the base URL)");
    }
    if path.contains(['?', '#']) {
        return Err("the path cannot hold a query or fragment: use `.query(..)`");
    }
    if path.contains(['{', '}']) || path.chars().any(char::is_control) {
        return Err("the path cannot hold braces or control characters: percent-encode them");
    }
    if path.contains('\\') {
        return Err("the path cannot hold `\\`: percent-encode it");
    }
    // `%2e` is a dot to URL parsers: `.%2E` and `%2e%2e` are `..`.
    let dots = |segment: &str| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        matches!(lower.as_str(), "" | "." | "..")
    };
    if path != "/" && path[1..].split('/').any(dots) {
        return Err("the path cannot have empty, `.` or `..` segments");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_path;

    #[test]
    fn only_paths_under_the_base_url_are_accepted() {
        for ok in ["/v1/customers", "/v1/customers/a%2Fb", "/"] {
            assert_eq!(check_path(ok), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("v1/customers", "start with"),
            ("https://evil.example/v1", "start with"),
            ("//evil.example/v1", "segments"),
            ("/v1/../admin", "segments"),
            ("/v1/./x", "segments"),
            ("/v1/%2E%2e/%2e%2e/x", "segments"),
            ("/v1/.%2E/admin", "segments"),
            ("/v1/%2e/x", "segments"),
            ("/v1/..\\admin", "`\\`"),
            ("/v1/x?token=1", "query"),
            ("/v1/x#f", "query"),
            ("/v1/{id}", "braces"),
            ("/v1/x\r\nHost: evil", "control"),
        ] {
            let err = check_path(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
