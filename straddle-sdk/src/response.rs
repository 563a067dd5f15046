//! A successful call's answer with everything around its body.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful response: the parsed body, with the status, headers and how
/// the call went. [`Request::send_with_response`](crate::Request::send_with_response)
/// and [`RawRequest::send_with_response`](crate::RawRequest::send_with_response)
/// return it; `send()` returns the body alone.
///
/// It dereferences to the body, so the body's fields read the same way
/// from either: `customer.data.name` after `send()`, `response.data.name`
/// after `send_with_response()`. A field of the body named like one of
/// these (`status`, `headers`, `attempts`, `body`) is reached through
/// [`ApiResponse::body`]; Straddle's success bodies have none (they are
/// `{ data, meta, response_type }`).
///
/// ```no_run
/// # async fn run(client: straddle_sdk::Client) -> Result<(), straddle_sdk::Error> {
/// let response = client
///     .customers()
///     .review()
///     .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
///     .send_with_response()
///     .await?;
/// println!(
///     "{} is {} (HTTP {}, {} attempt(s), server id {:?})",
///     response.data.name,
///     response.data.status,
///     response.status,
///     response.attempts,
///     response.api_request_id(),
/// );
/// let customer = response.into_body(); // what `send()` would have returned
/// # let _ = customer;
/// # Ok(()) }
/// ```
///
/// In a unit test, [`ApiResponse::new`] builds one around any body:
///
/// ```
/// use straddle_sdk::{ApiResponse, StatusCode};
///
/// let response = ApiResponse::new(StatusCode::CREATED, vec!["a", "b"]);
/// assert_eq!(response.len(), 2); // the body's own method, through `Deref`
/// assert_eq!((response.status, response.attempts), (StatusCode::CREATED, 1));
/// assert_eq!(response.into_body(), ["a", "b"]);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The parsed body: what `send()` returns. The response dereferences
    /// to it, so `response.data` is `response.body.data`.
    pub body: T,
    /// How many requests the call took: 1, or more after retries.
    pub attempts: u32,
    /// The body as received, for [`ApiResponse::api_request_id`].
    pub(crate) raw: Bytes,
}

impl<T: fmt::Debug> fmt::Debug for ApiResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl<T> ApiResponse<T> {
    /// A response as the SDK would return it, for unit tests of code that
    /// takes one: `body` with `status`, no headers, one attempt.
    pub fn new(status: StatusCode, body: T) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body,
            attempts: 1,
            raw: Bytes::new(),
        }
    }

    /// The parsed body, without the rest: what `send()` returns.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The same response with its body changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            attempts: self.attempts,
            raw: self.raw,
        }
    }

    /// The request id the server reported, to quote to Straddle's support:
    /// `meta.api_request_id` of the body, or else a `Request-Id` /
    /// `X-Request-Id` response header. The same as
    /// [`Error::api_request_id`](crate::Error::api_request_id) for a failed
    /// call; not the id a caller sends with `.request_id(..)`.
    pub fn api_request_id(&self) -> Option<String> {
        crate::error::api_request_id(Some(&self.raw), &self.headers)
    }
}

/// The body's fields and methods, read through the response.
impl<T> Deref for ApiResponse<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for ApiResponse<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}
