//! The request flow every operation shares, written once. A generated
//! operation is data: its arguments, and how they go on the wire
//! ([`Operation`]). [`Request`] holds one with the per-call options and
//! sends it through the pipeline: checks, auth, idempotency key, retries,
//! timeouts, decoding and errors. Each operation's builder type (in
//! [`crate::resources`]) wraps a [`Request`] and gets its shared methods
//! from [`request_builder!`].

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::config::RequestOptions;
use crate::encode::Encoder;
use crate::pipeline::Call;
use crate::{ApiResponse, Client, Error};

/// An API operation as the generated code describes it. Implemented by the
/// argument types in [`resources`](crate::resources) (one per operation,
/// behind each operation's request builder); sealed.
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

/// A request of one operation: its arguments and per-call options. Each
/// operation's builder in [`resources`](crate::resources) (such as
/// [`RefreshCustomerReviewRequest`](crate::resources::RefreshCustomerReviewRequest)) wraps
/// one and has the operation's own setters; [`OperationRequest`] reaches it
/// from generic code. Nothing is sent until [`Request::send`] or
/// [`Request::send_with_response`] is awaited (or, for a list, the stream
/// of [`Request::into_stream`] is read); arguments are checked then, before
/// anything leaves.
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

/// The request builder of one operation (every type in
/// [`crate::resources`] that a resource method returns), as generic code
/// such as a mock server reads it: the [`Request`] it wraps.
pub trait OperationRequest<'a>: sealed::Sealed {
    /// The operation's arguments.
    type Operation: Operation;

    /// The request as built so far.
    fn request(&self) -> &Request<'a, Self::Operation>;

    /// The request, to send it from generic code.
    fn into_request(self) -> Request<'a, Self::Operation>;
}

impl<'a, O: Operation> Request<'a, O> {
    /// Sends the request and returns the parsed body.
    ///
    /// Arguments are checked first; an invalid one fails with
    /// [`Error::InvalidRequest`] and nothing is sent.
    pub async fn send(self) -> Result<O::Response, Error> {
        self.call().await.map(ApiResponse::into_body)
    }

    /// Like [`Self::send`], with the status, headers and number of attempts
    /// around the body: an [`ApiResponse`], which dereferences to the body,
    /// so `response.data.name` reads as `customer.data.name` does after
    /// `send()`.
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

    /// What was set on the request, as a pattern for matching requests
    /// (a mock server's expectation): encoded and checked as
    /// [`Request::encoded`], with the headers of `.header(..)` added, but a
    /// JSON body holds only the properties that were set (none when nothing
    /// was): a required property left unset is not an error.
    #[doc(hidden)]
    pub fn encoded_for_matching(&self) -> Result<reqwest::Request, Error> {
        let mut wire = Encoder::partial(O::ID);
        self.operation.encode(&mut wire)?;
        let mut request = wire.into_request(&self.client.shared.base_url, O::METHOD, O::PATH)?;
        with_headers(O::ID, &self.options, request.headers_mut())?;
        Ok(request)
    }
}

/// `operation`'s arguments checked and put on the wire.
fn encode<O: Operation>(client: &Client, operation: &O) -> Result<reqwest::Request, Error> {
    let mut wire = Encoder::new(O::ID);
    operation.encode(&mut wire)?;
    wire.into_request(&client.shared.base_url, O::METHOD, O::PATH)
}

/// Adds the headers of a request's `.header(..)` calls to `headers`, or
/// fails as sending would.
pub(crate) fn with_headers(
    operation: &str,
    options: &RequestOptions,
    headers: &mut reqwest::header::HeaderMap,
) -> Result<(), Error> {
    options
        .headers
        .apply(headers)
        .map_err(|why| Error::invalid(operation.to_string(), why))
}

/// The per-call options every request has (`Request`, `RawRequest`),
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
        /// of the client's (see
        /// [`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)).
        /// When it passes, the call ends with
        /// [`Error::Deadline`](crate::Error::Deadline).
        pub fn total_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.total_timeout = Some(timeout);
            self
        }

        /// Adds a header to this call, replacing one of the same name that
        /// the SDK, the client's defaults or the operation's arguments would
        /// send (`User-Agent`, the retry-count header, `Idempotency-Key`,
        /// ...). Checked for what could break or leak: `Authorization`,
        /// framing headers and values with CR, LF or other control
        /// characters fail `send()` with
        /// [`Error::InvalidRequest`](crate::Error::InvalidRequest)
        /// before anything is sent. The value is hidden from `Debug` output.
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.options.headers.add(name, value);
            self
        }
    };
}
pub(crate) use call_options;

/// Gives the generated request builder `$builder` (a tuple struct around a
/// [`Request`] of `$args`) the methods every operation's request has: the
/// per-call options, `send` and `send_with_response` (and `into_stream` for
/// a list, with `paginated`), each forwarding to the [`Request`]; the names
/// are the generator's reserved list (`xtask/src/model/operation.rs`).
macro_rules! request_builder {
    ($builder:ident, $args:ident) => {
        impl $crate::request::sealed::Sealed for $args {}
        impl $crate::request::sealed::Sealed for $builder<'_> {}

        impl<'a> $crate::OperationRequest<'a> for $builder<'a> {
            type Operation = $args;
            fn request(&self) -> &$crate::Request<'a, $args> {
                &self.0
            }
            fn into_request(self) -> $crate::Request<'a, $args> {
                self.0
            }
        }

        impl<'a> $builder<'a> {
            /// The request of `arguments` on `client`.
            pub(crate) fn new(client: &'a $crate::Client, arguments: $args) -> Self {
                Self($crate::Request::new(client, arguments))
            }

            /// Retries for this call, instead of the client's `max_retries`.
            pub fn max_retries(self, retries: u32) -> Self {
                Self(self.0.max_retries(retries))
            }

            /// Per-attempt timeout for this call, instead of the client's.
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                Self(self.0.timeout(timeout))
            }

            /// Deadline of this whole call, retries and waits included,
            /// instead of the client's; it ends with
            /// [`Error::Deadline`]($crate::Error::Deadline) (see
            /// [`ClientBuilder::total_timeout`]($crate::ClientBuilder::total_timeout)).
            pub fn total_timeout(self, timeout: ::std::time::Duration) -> Self {
                Self(self.0.total_timeout(timeout))
            }

            /// Adds a header to this call, replacing one of the same name
            /// that the SDK, the client's defaults or the operation's
            /// arguments would send (`User-Agent`, the retry-count header,
            /// `Idempotency-Key`, ...). `Authorization`, framing headers and
            /// values with CR, LF or other control characters fail `send()`
            /// with [`Error::InvalidRequest`]($crate::Error::InvalidRequest)
            /// before anything is sent. The value is hidden from `Debug`.
            pub fn header(self, name: &str, value: &str) -> Self {
                Self(self.0.header(name, value))
            }

            /// Sends the request and returns the parsed body. Arguments are
            /// checked first; an invalid one fails with
            /// [`Error::InvalidRequest`]($crate::Error::InvalidRequest) and
            /// nothing is sent.
            pub fn send(
                self,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<
                    <$args as $crate::Operation>::Response,
                    $crate::Error,
                >,
            > + 'a {
                self.0.send()
            }

            /// Like [`send`](Self::send), also returning the status, headers
            /// and attempts ([`ApiResponse`]($crate::ApiResponse)).
            pub fn send_with_response(
                self,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<
                    $crate::ApiResponse<<$args as $crate::Operation>::Response>,
                    $crate::Error,
                >,
            > + 'a {
                self.0.send_with_response()
            }
        }
    };
    ($builder:ident, $args:ident, paginated) => {
        $crate::request::request_builder!($builder, $args);

        impl<'a> $builder<'a> {
            /// Every item of every page, read lazily, one request per page
            /// (see [`ItemStream`]($crate::ItemStream)).
            pub fn into_stream(self) -> $crate::ItemStream<'a, <$args as $crate::Paginated>::Item> {
                self.0.into_stream()
            }
        }
    };
}
pub(crate) use request_builder;
