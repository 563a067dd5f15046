//! Expectations: a request of the SDK as the request it matches, and what
//! it answers. Matching compares what the SDK's own encoder puts on the wire
//! for the expectation's arguments, so the spec's rules (UUIDs, header
//! names, query styles, body property names) are not written twice.

use std::fmt;
use std::sync::{Arc, Mutex};

use straddle_sdk::redact;
use straddle_sdk::reqwest::Method;
use straddle_sdk::reqwest::header::HeaderValue;
use straddle_sdk::serde_json::Value;
use straddle_sdk::{HeaderMap, Operation, RawRequest, Request};

use crate::answer::{Answer, RawCall, Reply};
use crate::received::ReceivedRequest;
use crate::{MockError, lock};

/// A request the mock server should expect, and what it answers. Made by
/// [`MockServer::expect`](crate::MockServer::expect) (an operation `O` of the SDK) or
/// [`MockServer::expect_raw`](crate::MockServer::expect_raw) (`O` is [`RawCall`]); in effect once
/// [`mount`](Expectation::mount) has put it on the server.
#[must_use = "an expectation does nothing until `.mount().await`ed"]
pub struct Expectation<'s, O> {
    mounts: &'s Mounts,
    name: String,
    wire: Result<Wire, straddle_sdk::Error>,
    answer: Option<Answer<O>>,
    times: Option<u64>,
}

impl<O> fmt::Debug for Expectation<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expectation")
            .field("name", &self.name)
            .field("answer", &self.answer)
            .field("times", &self.times)
            .finish_non_exhaustive()
    }
}

impl<'s, O: Operation + fmt::Debug> Expectation<'s, O> {
    /// An expectation of `request`, named by its method, path and arguments.
    pub(crate) fn new(mounts: &'s Mounts, request: &Request<'_, O>) -> Self {
        let name = format!("{} {} {:?}", O::METHOD, O::PATH, request.arguments());
        let wire = request.encoded_for_matching().map(|r| Wire::new(&r));
        Self::of(mounts, name, wire)
    }
}

impl<'s> Expectation<'s, RawCall> {
    /// An expectation of the raw call `request`, named by its method, path,
    /// query and the names of the body's top-level properties.
    pub(crate) fn raw(mounts: &'s Mounts, request: &RawRequest<'_>) -> Self {
        let encoded = request.encoded_for_matching();
        let name = match &encoded {
            Ok(request) => raw_name(request),
            Err(_) => "a raw call".to_string(),
        };
        Self::of(mounts, name, encoded.map(|r| Wire::new(&r)))
    }
}

/// `GET /v1/customers?page_size=5 (raw call)`, and `body {a, b}` when the
/// call sets a JSON object body: its property names, not their values.
fn raw_name(request: &straddle_sdk::reqwest::Request) -> String {
    let url = request.url();
    let mut name = format!("{} {}", request.method(), url.path());
    if let Some(query) = url.query() {
        name = format!("{name}?{query}");
    }
    name.push_str(" (raw call");
    let body = request
        .body()
        .and_then(|body| body.as_bytes())
        .and_then(|bytes| straddle_sdk::serde_json::from_slice::<Value>(bytes).ok());
    match body {
        Some(Value::Object(map)) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            name.push_str(&format!(", body {{{}}}", keys.join(", ")));
        }
        Some(_) => name.push_str(", with a body"),
        None => {}
    }
    name.push(')');
    name
}

impl<'s, O> Expectation<'s, O> {
    fn of(mounts: &'s Mounts, name: String, wire: Result<Wire, straddle_sdk::Error>) -> Self {
        Self {
            mounts,
            name,
            wire,
            answer: None,
            times: None,
        }
    }

    /// What a matching request gets. Required.
    pub fn answer(mut self, answer: Answer<O>) -> Self {
        self.answer = Some(answer);
        self
    }

    /// The number of matching requests the test expects: checked by
    /// [`MockServer::verify`](crate::MockServer::verify) and when the server is dropped (a panic naming
    /// this expectation, with the requests received). Without it, any
    /// number is fine.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Puts the expectation on the server. When several expectations match
    /// a request, the first one mounted answers it.
    ///
    /// Fails when the expectation's arguments are ones the SDK refuses to
    /// send, when it has no answer, or when its answer cannot be sent.
    pub async fn mount(self) -> Result<Mounted, MockError> {
        let expectation = self.name;
        let wire = match self.wire {
            Ok(wire) => wire,
            Err(source) => {
                return Err(MockError::InvalidArguments {
                    expectation,
                    source,
                });
            }
        };
        let Some(answer) = self.answer else {
            return Err(MockError::NoAnswer { expectation });
        };
        let replies = match answer.into_replies() {
            Ok(replies) => replies,
            Err(message) => {
                return Err(MockError::InvalidAnswer {
                    expectation,
                    message,
                });
            }
        };
        let received = Arc::new(Mutex::new(Vec::new()));
        lock(self.mounts).push(Arc::new(Expected {
            name: expectation.clone(),
            wire,
            replies,
            times: self.times,
            received: Arc::clone(&received),
        }));
        Ok(Mounted {
            name: expectation,
            received,
        })
    }
}

/// A mounted expectation: what it received so far.
pub struct Mounted {
    name: String,
    received: Arc<Mutex<Vec<ReceivedRequest>>>,
}

impl fmt::Debug for Mounted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mounted")
            .field("name", &self.name)
            .field("received", &self.received_count())
            .finish()
    }
}

impl Mounted {
    /// The expectation: its method, path and `Debug`ged arguments (for a
    /// raw call, its query and body property names).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many requests matched it so far.
    pub fn received_count(&self) -> usize {
        lock(&self.received).len()
    }

    /// The requests that matched it so far, in order.
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.received).clone()
    }
}

/// The expectations a server has mounted, first mounted first: what
/// [`Expectation::mount`] adds to, and what the server matches a request
/// against.
pub(crate) type Mounts = Mutex<Vec<Arc<Expected>>>;

/// An expectation as the server matches, answers and checks it.
#[derive(Debug)]
pub(crate) struct Expected {
    pub(crate) name: String,
    pub(crate) wire: Wire,
    replies: Vec<Reply>,
    times: Option<u64>,
    received: Arc<Mutex<Vec<ReceivedRequest>>>,
}

impl Expected {
    /// Records `request`, which matched, and gives its reply: the next of
    /// the sequence, or its last.
    pub(crate) fn answer(&self, request: ReceivedRequest) -> Reply {
        let mut received = lock(&self.received);
        received.push(request);
        let reply = self
            .replies
            .get(received.len() - 1)
            .or_else(|| self.replies.last());
        // `mount` checked there is one.
        reply
            .cloned()
            .unwrap_or_else(|| Reply::empty(straddle_sdk::StatusCode::INTERNAL_SERVER_ERROR))
    }

    /// How the number of requests received differs from `times`, if it does.
    pub(crate) fn unmet(&self) -> Option<String> {
        let expected = self.times?;
        let received = lock(&self.received).len() as u64;
        (received != expected).then(|| {
            format!(
                "{}: expected {expected} request(s), received {received}",
                self.name
            )
        })
    }
}

/// What the expectation's arguments put on the wire.
#[derive(Debug)]
pub(crate) struct Wire {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    /// `None` when the expectation sets no body.
    body: Option<Value>,
}

impl Wire {
    fn new(request: &straddle_sdk::reqwest::Request) -> Self {
        let body = request
            .body()
            .and_then(|body| body.as_bytes())
            // The SDK's encoder writes JSON bodies only.
            .and_then(|bytes| straddle_sdk::serde_json::from_slice(bytes).ok());
        Self {
            method: request.method().clone(),
            path: request.url().path().to_string(),
            query: request.url().query_pairs().into_owned().collect(),
            headers: request.headers().clone(),
            body,
        }
    }

    /// Why `received` does not match: the first difference, or `None`.
    /// Matching: method and path equal; every query pair of the expectation
    /// present; every header of the expectation present with its value;
    /// every top-level property of the expectation's JSON object body
    /// present in the received body and equal to it as a JSON value (a
    /// nested object or array whole); the received body may hold more
    /// properties. A body that is not an object must be equal whole. What
    /// the expectation leaves unset matches anything.
    pub(crate) fn mismatch(&self, received: &ReceivedRequest) -> Option<String> {
        if *received.method() != self.method {
            return Some(format!("the method is {}", received.method()));
        }
        if received.path() != self.path {
            return Some(format!("the path is {}", received.path()));
        }
        let mut query = received.query();
        for (name, value) in &self.query {
            match query.iter().position(|(n, v)| n == name && v == value) {
                Some(found) => drop(query.swap_remove(found)),
                None => return Some(format!("the query has no `{name}={value}`")),
            }
        }
        for (name, value) in &self.headers {
            let sent: Vec<_> = received.headers().get_all(name).iter().collect();
            if !sent.contains(&value) {
                // A value the test wrote: shown, although the SDK hides the
                // values of `.header(..)` from `Debug`.
                let value = text(value);
                return Some(match sent.first() {
                    Some(sent) => format!("the header `{name}` is {:?}, not {value:?}", text(sent)),
                    None => format!("the header `{name}` is missing (expected {value:?})"),
                });
            }
        }
        let body = self.body.as_ref()?;
        let sent: Option<Value> = received.json().ok();
        match (body, &sent) {
            (Value::Object(expected), Some(Value::Object(sent))) => {
                expected
                    .iter()
                    .find_map(|(name, value)| match sent.get(name) {
                        Some(sent) if sent == value => None,
                        Some(_) if redact::is_redacted(name) => Some(format!(
                            "the body's `{name}` is not the expected one (values redacted)"
                        )),
                        Some(sent) => Some(format!(
                            "the body's `{name}` is {}, not {}",
                            shown(sent),
                            shown(value)
                        )),
                        None => Some(format!(
                            "the body has no `{name}` (expected {})",
                            shown(value)
                        )),
                    })
            }
            (expected, Some(sent)) if expected == sent => None,
            _ => Some(format!(
                "the body is {}, not {}",
                redact::json_text(&String::from_utf8_lossy(received.body())),
                shown(body)
            )),
        }
    }
}

/// A JSON value as a mismatch shows it: what identifies a person or an
/// account redacted, as the SDK's `Debug` does.
fn shown(value: &Value) -> String {
    redact::json_text(&value.to_string()).into_owned()
}

/// A header value as text, as a mismatch shows it.
fn text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use straddle_sdk::reqwest::Url;
    use straddle_sdk::serde_json::json;

    use super::*;

    fn received(
        url: &str,
        headers: &[(&'static str, &'static str)],
        body: &str,
    ) -> ReceivedRequest {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                *name,
                straddle_sdk::reqwest::header::HeaderValue::from_static(value),
            );
        }
        ReceivedRequest::new(
            Method::POST,
            Url::parse(url).expect("a URL"),
            map,
            body.as_bytes().to_vec(),
        )
    }

    fn wire(
        query: &[(&str, &str)],
        headers: &[(&'static str, &'static str)],
        body: Option<Value>,
    ) -> Wire {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                *name,
                straddle_sdk::reqwest::header::HeaderValue::from_static(value),
            );
        }
        Wire {
            method: Method::POST,
            path: "/v1/things".into(),
            query: query
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            headers: map,
            body,
        }
    }

    const AT: &str = "http://127.0.0.1/v1/things";

    #[test]
    fn a_query_pair_expected_twice_must_be_sent_twice() {
        let twice = wire(&[("tag", "a"), ("tag", "a")], &[], None);
        assert_eq!(
            twice.mismatch(&received(&format!("{AT}?tag=a"), &[], "")),
            Some("the query has no `tag=a`".into())
        );
        assert_eq!(
            twice.mismatch(&received(&format!("{AT}?tag=a&x=1&tag=a"), &[], "")),
            None
        );
    }

    #[test]
    fn a_header_sent_several_times_matches_if_one_value_is_expected() {
        let expected = wire(&[], &[("x-tag", "b")], None);
        assert_eq!(
            expected.mismatch(&received(AT, &[("x-tag", "a"), ("x-tag", "b")], "")),
            None
        );
        assert_eq!(
            expected.mismatch(&received(AT, &[], "")),
            Some(r#"the header `x-tag` is missing (expected "b")"#.into())
        );
    }

    #[test]
    fn a_body_that_is_not_an_object_must_be_equal_as_json() {
        let expected = wire(&[], &[], Some(json!([1, 2])));
        assert_eq!(expected.mismatch(&received(AT, &[], "[1, 2]")), None);
        assert_eq!(
            expected.mismatch(&received(AT, &[], "[2, 1]")),
            Some("the body is [2, 1], not [1,2]".into())
        );
        let object = wire(&[], &[], Some(json!({"a": 1})));
        assert_eq!(
            object.mismatch(&received(AT, &[], "not json")),
            Some(r#"the body is not json, not {"a":1}"#.into())
        );
        assert_eq!(
            object.mismatch(&received(AT, &[], r#"{"b": 1}"#)),
            Some("the body has no `a` (expected 1)".into())
        );
    }

    #[test]
    fn a_body_expectation_matches_the_properties_it_sets_each_compared_whole() {
        let expected = wire(
            &[],
            &[],
            Some(json!({"email": "ron@pawnee.gov", "address": {"city": "Pawnee"}})),
        );
        // More properties in the received body, in any order: a match.
        let full = r#"{"name": "Ron", "address": {"city": "Pawnee"}, "email": "ron@pawnee.gov"}"#;
        assert_eq!(expected.mismatch(&received(AT, &[], full)), None);
        // A nested object is one value: an extra nested key differs.
        let nested = r#"{"email": "ron@pawnee.gov", "address": {"city": "Pawnee", "zip": "1"}}"#;
        assert_eq!(
            expected.mismatch(&received(AT, &[], nested)),
            Some(
                r#"the body's `address` is {"city":"Pawnee","zip":"1"}, not {"city":"Pawnee"}"#
                    .into()
            )
        );
        // `1` and `1.0` are different JSON numbers; `null` is not absent.
        let number = wire(&[], &[], Some(json!({"amount": 1, "note": null})));
        assert!(
            number
                .mismatch(&received(AT, &[], r#"{"amount": 1.0, "note": null}"#))
                .is_some()
        );
        assert_eq!(
            number.mismatch(&received(AT, &[], r#"{"amount": 1}"#)),
            Some("the body has no `note` (expected null)".into())
        );
        // No body expected: any body, or none, matches.
        let any = wire(&[], &[], None);
        assert_eq!(any.mismatch(&received(AT, &[], "")), None);
        assert_eq!(any.mismatch(&received(AT, &[], "not json")), None);
    }
}
