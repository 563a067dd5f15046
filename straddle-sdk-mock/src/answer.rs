//! What an expectation answers: typed by the call it stands for, so a
//! success body must be the operation's response type.

use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use straddle_sdk::bytes::Bytes;
use straddle_sdk::reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue, TRANSFER_ENCODING};
use straddle_sdk::types::{ErrorContent, ErrorResponse, ResponseMetadata, ResponseTypeEnum};
use straddle_sdk::{Operation, StatusCode, Timestamp};

/// The answer of an expectation of `O`: an operation of the SDK, or
/// [`RawCall`] for an expectation of a raw call. A success with a value of
/// `O`'s response type, an API error, a raw body, a connection dropped or
/// a body cut off; any of them after a delay, or a sequence of them (for
/// retries).
///
/// ```
/// use std::time::Duration;
/// use straddle_sdk::StatusCode;
/// use straddle_sdk::resources::RefreshCustomerReview;
/// use straddle_sdk_mock::{Answer, error_response, samples};
///
/// // Fails once with a 503, then succeeds: the SDK retries and returns the customer.
/// let answer: Answer<RefreshCustomerReview> = Answer::sequence([
///     Answer::error(
///         StatusCode::SERVICE_UNAVAILABLE,
///         error_response(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "try again"),
///     ),
///     Answer::ok(samples::refresh_customer_review()).delay(Duration::from_millis(20)),
/// ]);
/// ```
#[must_use = "an answer does nothing until given to `Expectation::answer`"]
pub struct Answer<O> {
    replies: Vec<Reply>,
    /// Why the answer cannot be sent, reported by `Expectation::mount`.
    problem: Option<String>,
    operation: PhantomData<fn() -> O>,
}

impl<O> Clone for Answer<O> {
    fn clone(&self) -> Self {
        Self {
            replies: self.replies.clone(),
            problem: self.problem.clone(),
            operation: PhantomData,
        }
    }
}

impl<O> std::fmt::Debug for Answer<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("replies", &self.replies)
            .field("problem", &self.problem)
            .finish()
    }
}

/// The call an expectation made with [`crate::MockServer::expect_raw`]
/// stands for: a raw call of the SDK (`client.request(method, path)`), for a
/// path the SDK does not expose yet. Its [`Answer::ok`] takes any
/// `Serialize` value (`serde_json::json!(..)`, a type of your own) and
/// answers `200 OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCall;

/// What [`Answer::ok`] can send for the call `Self`: for an operation of
/// the SDK, its response type (`O::Response`), with its documented success
/// status; for a [`RawCall`], any `Serialize` value, with `200 OK`. Sealed.
#[diagnostic::on_unimplemented(
    message = "`Answer::ok` of `{Self}` takes its response type, not `{V}`",
    label = "not the response type of `{Self}`"
)]
pub trait SuccessBody<V>: sealed::Sealed {
    /// The status of the success (`200`, `201`, ...).
    const STATUS: u16;
}

impl<O: Operation> SuccessBody<O::Response> for O {
    const STATUS: u16 = O::STATUS;
}

impl<V: Serialize> SuccessBody<V> for RawCall {
    const STATUS: u16 = 200;
}

mod sealed {
    /// Only the SDK's operations and [`super::RawCall`] have answers.
    pub trait Sealed {}
    impl<O: straddle_sdk::Operation> Sealed for O {}
    impl Sealed for super::RawCall {}
}

/// One HTTP response of an answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<HeaderValue>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Bytes,
    pub(crate) delay: Option<Duration>,
    pub(crate) ending: Ending,
}

/// How a reply ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The whole body is sent.
    Complete,
    /// The headers declare the whole body; only this many bytes of it are
    /// sent before the connection is closed.
    CutAfter(usize),
    /// Nothing is sent: the connection is closed.
    Dropped,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Result<Self, String> {
        let body = straddle_sdk::serde_json::to_vec(value)
            .map_err(|e| format!("the answer cannot be written as JSON: {e}"))?;
        // The SDK reads an empty body as JSON `null`; a `()` success (`204`)
        // has no body at all.
        if body == b"null" {
            return Ok(Self::new(status, None, Vec::new()));
        }
        let json = HeaderValue::from_static("application/json");
        Ok(Self::new(status, Some(json), body))
    }

    /// `status` without a body.
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self::new(status, None, Vec::new())
    }

    fn new(status: StatusCode, content_type: Option<HeaderValue>, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            headers: Vec::new(),
            body: Bytes::from(body),
            delay: None,
            ending: Ending::Complete,
        }
    }
}

impl<O> Answer<O> {
    /// A success: `value` as JSON, with the call's success status. For an
    /// operation, `value` is its response type and the status its
    /// documented one (`O::STATUS`: `200`, `201`, `204` without a body,
    /// ...); for a [`RawCall`], any `Serialize` value and `200`.
    pub fn ok<V: Serialize>(value: V) -> Self
    where
        O: SuccessBody<V>,
    {
        // Every operation documents a 2xx.
        let status = StatusCode::from_u16(<O as SuccessBody<V>>::STATUS).unwrap_or(StatusCode::OK);
        Self::one(Reply::json(status, &value))
    }

    /// An API error: `status` with `body`, the API's error envelope, as
    /// JSON. The SDK returns it as `straddle_sdk::Error::Api`, its body in
    /// `api_error()`. [`error_response`] builds a body.
    pub fn error(status: StatusCode, body: ErrorResponse) -> Self {
        Self::one(Reply::json(status, &body))
    }

    /// Any response: `status`, a `Content-Type` of `content_type`, and
    /// `body` as given (a malformed body, HTML from a proxy, ...).
    pub fn raw(status: StatusCode, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(value) => Self::one(Ok(Reply::new(status, Some(value), body.into()))),
            Err(_) => Self::one(Err(format!(
                "the content type {content_type:?} cannot be sent as a header"
            ))),
        }
    }

    /// No answer: the server reads the request, then closes the connection
    /// without a response, as a server or proxy that goes away mid-call.
    /// The SDK sees a connection error: it retries, and returns
    /// `straddle_sdk::Error::Connection` when no retry is left.
    pub fn drop_connection() -> Self {
        let mut reply = Reply::new(StatusCode::OK, None, Vec::new());
        reply.ending = Ending::Dropped;
        Self::one(Ok(reply))
    }

    /// The answers in order, one per received request; the last one
    /// answers every request after it. For retries: a `500`, then a success.
    pub fn sequence(answers: impl IntoIterator<Item = Answer<O>>) -> Self {
        let mut sequence = Self {
            replies: Vec::new(),
            problem: None,
            operation: PhantomData,
        };
        for answer in answers {
            sequence.replies.extend(answer.replies);
            sequence.problem = sequence.problem.or(answer.problem);
        }
        if sequence.replies.is_empty() {
            sequence.problem = sequence
                .problem
                .or_else(|| Some("an empty sequence has no answer".to_string()));
        }
        sequence
    }

    /// Sends the answer only after `delay` (each answer of a sequence);
    /// for timeouts, against the client's or a request's `.timeout(..)`.
    pub fn delay(mut self, delay: Duration) -> Self {
        for reply in &mut self.replies {
            reply.delay = Some(delay);
        }
        self
    }

    /// Cuts the body off (each answer of a sequence): the status and
    /// headers are sent with the `Content-Length` of the whole body, then
    /// only its first `after` bytes, and the connection is closed, as when
    /// a connection breaks mid-response. The SDK sees a transport error
    /// and retries it; when no retry is left, it returns
    /// `straddle_sdk::Error::Connection`. A status the SDK retries is
    /// retried before its body is read, so cut a final answer (a success,
    /// a `422`, ...). An `after` that keeps the whole body fails
    /// `Expectation::mount`.
    pub fn cut_body(mut self, after: usize) -> Self {
        for reply in &mut self.replies {
            if reply.ending == Ending::Dropped {
                continue;
            }
            if after >= reply.body.len() {
                self.problem = self.problem.or_else(|| {
                    Some(format!(
                        "`cut_body({after})` keeps the whole {}-byte body: cut it shorter",
                        reply.body.len()
                    ))
                });
            }
            reply.ending = Ending::CutAfter(after);
        }
        self
    }

    /// Adds a response header to the answer (each answer of a sequence):
    /// `Retry-After` or `x-should-retry` for the SDK's retry rules, a
    /// `Request-Id`, ... An invalid name or value, or `Content-Length` /
    /// `Transfer-Encoding` (the server frames the body; see
    /// [`Answer::cut_body`]), fails `Expectation::mount`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), _) if name == CONTENT_LENGTH || name == TRANSFER_ENCODING => {
                self.problem = self.problem.or_else(|| {
                    Some(format!(
                        "the header `{name}` is the server's to set: for a body cut off, use `.cut_body(..)`"
                    ))
                });
            }
            (Ok(name), Ok(value)) => {
                for reply in &mut self.replies {
                    reply.headers.push((name.clone(), value.clone()));
                }
            }
            _ => {
                self.problem = self
                    .problem
                    .or_else(|| Some(format!("the header {name:?}: {value:?} cannot be sent")));
            }
        }
        self
    }

    fn one(reply: Result<Reply, String>) -> Self {
        let (replies, problem) = match reply {
            Ok(reply) => (vec![reply], None),
            Err(problem) => (Vec::new(), Some(problem)),
        };
        Self {
            replies,
            problem,
            operation: PhantomData,
        }
    }

    /// The replies in order, or why they cannot be sent.
    pub(crate) fn into_replies(self) -> Result<Vec<Reply>, String> {
        match self.problem {
            Some(problem) => Err(problem),
            None => Ok(self.replies),
        }
    }
}

/// An error body as the API sends it: `error.status` from `status`,
/// `error.title` and `error.detail` as given, `error.type` `/mock`, and a
/// new `meta.api_request_id` (what `straddle_sdk::Error::api_request_id`
/// returns). Its fields are public, to change as a test needs.
///
/// ```
/// use straddle_sdk::StatusCode;
/// let body = straddle_sdk_mock::error_response(
///     StatusCode::UNPROCESSABLE_ENTITY,
///     "Validation failed",
///     "email is not a valid address",
/// );
/// assert_eq!(body.error.status, 422);
/// assert_eq!(body.error.detail.as_deref(), Some("email is not a valid address"));
/// ```
pub fn error_response(
    status: StatusCode,
    title: impl Into<String>,
    detail: impl Into<String>,
) -> ErrorResponse {
    let now = straddle_sdk::chrono::DateTime::<straddle_sdk::chrono::Utc>::from(SystemTime::now());
    ErrorResponse::new(
        ErrorContent::new(i32::from(status.as_u16()), title, "/mock").with_detail(detail),
        ResponseMetadata::new(straddle_sdk::uuid::Uuid::new_v4(), Timestamp::from(now)),
        ResponseTypeEnum::Error,
    )
}

#[cfg(test)]
mod tests {
    // No operation by name: these tests are also built over the test
    // specs' SDKs (the scratch crates `spec-<name>-mock`).
    use straddle_sdk::serde_json::json;

    use super::*;

    #[test]
    fn a_raw_calls_success_is_any_serializable_value_with_200() {
        #[derive(Serialize)]
        struct Page {
            items: Vec<u32>,
        }
        let replies = Answer::<RawCall>::ok(Page { items: vec![1, 2] })
            .into_replies()
            .expect("a reply");
        assert_eq!(replies[0].status, StatusCode::OK);
        assert_eq!(&replies[0].body[..], br#"{"items":[1,2]}"#);
        let replies = Answer::<RawCall>::ok(json!({"ok": true}))
            .into_replies()
            .expect("a reply");
        assert_eq!(&replies[0].body[..], br#"{"ok":true}"#);
    }

    #[test]
    fn a_cut_must_leave_part_of_the_body_out_and_framing_headers_are_refused() {
        let whole = || Answer::<RawCall>::raw(StatusCode::OK, "text/plain", "12345");
        let replies = whole().cut_body(2).into_replies().expect("a reply");
        assert_eq!(replies[0].ending, Ending::CutAfter(2));
        let problem = whole().cut_body(5).into_replies().unwrap_err();
        assert!(problem.contains("keeps the whole 5-byte body"), "{problem}");
        let problem = whole()
            .header("Content-Length", "10")
            .into_replies()
            .unwrap_err();
        assert!(problem.contains("`.cut_body(..)`"), "{problem}");
        // A dropped connection has no body to cut.
        let dropped = Answer::<RawCall>::drop_connection().cut_body(0);
        assert_eq!(
            dropped.into_replies().expect("a reply")[0].ending,
            Ending::Dropped
        );
    }
}
