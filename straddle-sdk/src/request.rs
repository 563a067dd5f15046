//! The request flow every operation shares, written once. A generated
//! operation is data: its arguments, and how they go on the wire
//! ([`Operation`]). [`Request`] holds one with the per-call options and
//! sends it through the pipeline: checks, auth, idempotency key, retries,
//! timeouts, decoding and errors.

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::config::RequestOptions;
use crate::encode::Encoder;
use crate::pipeline::Call;
use crate::{ApiResponse, Client, Error};

/// An API operation as the generated code describes it. Implemented by the
/// argument types in [`crate::resources`] (one per operation); sealed.
pub trait Operation: sealed::Sealed {
    /// The spec's `operationId` (`RefreshCustomerReview`), as errors and
    /// traces name the operation.
    const ID: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template as the spec writes it (`/v1/customers/{id}/refresh_review`).
    const PATH: &'static str;
    /// The documented success status: the lowest 2xx the spec declares
    /// (`200`, `201`, `204`, ...), as a mock server answers a success.
    const STATUS: u16;
    /// The type of a success body; `()` when the operation documents none.
    type Response: DeserializeOwned;

    /// Checks each argument against the spec and puts it on the wire.
    #[doc(hidden)]
    fn encode(&self, wire: &mut Encoder) -> Result<(), Error>;
}

pub(crate) mod sealed {
    /// Only this crate's generated operations implement [`super::Operation`].
    pub trait Sealed {}
}

/// A request of one operation: its arguments (set with the operation's own
/// setters, such as `.correlation_id(..)`) and per-call options. Nothing is
/// sent until [`Request::send`] or [`Request::send_with_response`] is awaited;
/// arguments are checked then, before anything leaves.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until `.send()` is awaited"]
pub struct Request<'a, O> {
    pub(crate) client: &'a Client,
    pub(crate) options: RequestOptions,
    pub(crate) operation: O,
}

impl<'a, O> Request<'a, O> {
    pub(crate) fn new(client: &'a Client, operation: O) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            operation,
        }
    }

    /// The operation's arguments as set so far.
    pub fn arguments(&self) -> &O {
        &self.operation
    }

    crate::request::call_options!();
}

impl<'a, O: Operation> Request<'a, O> {
    /// Sends the request and returns the parsed body.
    ///
    /// Arguments are checked first; an invalid one fails with
    /// [`Error::InvalidRequest`] and nothing is sent.
    pub async fn send(self) -> Result<O::Response, Error> {
        self.call().await.map(ApiResponse::into_data)
    }

    /// Like [`Self::send`], also returning the status and headers.
    pub async fn send_with_response(self) -> Result<ApiResponse<O::Response>, Error> {
        self.call().await
    }

    /// The call these arguments make, encoded for each attempt. Both `send`s
    /// await it directly, not one through the other: each `async fn` level
    /// keeps its own copy of its arguments in the future a runtime moves.
    fn call(self) -> impl Future<Output = Result<ApiResponse<O::Response>, Error>> {
        let Request {
            client,
            options,
            operation,
        } = self;
        Call::new(client, O::ID, options).send(move || encode(client, &operation))
    }

    /// The arguments encoded and checked exactly as [`Request::send`] would
    /// put them on the wire (method, URL with path and query, argument
    /// headers, JSON body), without what each attempt adds (auth, user
    /// agent, a generated `Idempotency-Key`, the retry count). For test
    /// tools such as `straddle-sdk-mock`, which match received requests
    /// against it.
    #[doc(hidden)]
    pub fn encoded(&self) -> Result<reqwest::Request, Error> {
        encode(self.client, &self.operation)
    }
}

/// `operation`'s arguments checked and put on the wire.
fn encode<O: Operation>(client: &Client, operation: &O) -> Result<reqwest::Request, Error> {
    let mut wire = Encoder::new(O::ID);
    operation.encode(&mut wire)?;
    wire.into_request(&client.shared.base_url, O::METHOD, O::PATH)
}

/// The per-call options every request builder has (`Request`, `RawRequest`),
/// written once: `max_retries`, `timeout`, `total_timeout` and `header`, each
/// setting a field of `self.options`.
macro_rules! call_options {
    () => {
        /// Retries for this call, instead of the client's `max_retries`.
        pub fn max_retries(mut self, retries: u32) -> Self {
            self.options.max_retries = Some(retries);
            self
        }

        /// Per-attempt timeout for this call, instead of the client's.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// Deadline of this whole call, retries and waits included, instead
        /// of the client's (see [`crate::ClientBuilder::total_timeout`]).
        pub fn total_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.total_timeout = Some(timeout);
            self
        }

        /// Adds a header to this call, replacing one of the same name that
        /// the SDK, the client's defaults or the operation's arguments would
        /// send (`User-Agent`, the retry-count header, `Idempotency-Key`,
        /// ...). Checked for what could break or leak: `Authorization`,
        /// framing headers and values with CR, LF or other control
        /// characters fail `send()` with [`crate::Error::InvalidRequest`]
        /// before anything is sent. The value is hidden from `Debug` output.
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.options.headers.add(name, value);
            self
        }
    };
}
pub(crate) use call_options;

#[cfg(test)]
mod tests {
    use crate::Client;

    fn is_send<T: Send>(_: &T) {}

    /// A runtime copies a task's whole future several times (spawning it,
    /// finishing it, reading its output): `send()`'s was 5,368 bytes in a
    /// release build; a bare reqwest call's is 632. And callers spawn it on
    /// multi-threaded runtimes.
    #[test]
    fn a_calls_future_is_send_and_stays_small() {
        let client = Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
        let send = client
            .customers()
            .review()
            .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
            .send();
        is_send(&send);
        let size = std::mem::size_of_val(&send);
        assert!(size <= 1024, "send()'s future is {size} bytes");
        let raw = client
            .request(reqwest::Method::GET, "/v1/customers")
            .send::<serde_json::Value>();
        is_send(&raw);
    }
}
