//! Interceptors: caller code the pipeline runs at named points of every
//! call. The public documentation, with an example, is on [`Intercept`].

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The error an interceptor returns to fail a call; it becomes
/// [`Error::Interceptor`](crate::Error::Interceptor) with this error kept
/// as its `source`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Caller code run at named points of every call of a client, to add
/// headers, sign, log, measure or refuse a call. Register it with
/// [`ClientBuilder::interceptor`](crate::ClientBuilder::interceptor);
/// several run in the order they were added. The phases are named after
/// aws-sdk-rust's `Intercept` trait, and every hook has a default that does
/// nothing, so an interceptor implements only what it needs.
///
/// ```
/// use straddle_sdk::{AttemptContext, BoxError, Intercept};
///
/// /// Adds a tenant header to every attempt.
/// #[derive(Debug)]
/// struct Tenant(&'static str);
///
/// impl Intercept for Tenant {
///     fn name(&self) -> &'static str {
///         "tenant"
///     }
///
///     fn modify_before_transmit(
///         &self,
///         _attempt: &AttemptContext<'_>,
///         // The HTTP request about to go out, not the SDK's `Request` builder.
///         request: &mut straddle_sdk::reqwest::Request,
///     ) -> Result<(), BoxError> {
///         request.headers_mut().insert("x-tenant", self.0.parse()?);
///         Ok(())
///     }
/// }
///
/// let client = straddle_sdk::Client::builder()
///     .api_key("sk_test_...")
///     .base_url("http://127.0.0.1:4010")
///     .interceptor(Tenant("acme"))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), straddle_sdk::Error>(())
/// ```
///
/// When the hooks run, for one call:
/// 1. [`read_before_execution`](Intercept::read_before_execution), once;
/// 2. for each attempt, [`modify_before_transmit`](Intercept::modify_before_transmit)
///    with the HTTP request about to be sent, then
///    [`read_after_attempt`](Intercept::read_after_attempt) with how it ended;
/// 3. [`read_after_execution`](Intercept::read_after_execution), once, with
///    the result the caller gets, whatever ended the call (a hook's refusal
///    and the call's `total_timeout` included).
///
/// A call whose arguments fail their checks
/// ([`Error::InvalidRequest`](crate::Error::InvalidRequest)) ends before any
/// hook runs. A hook that returns `Err` fails the call at once, without a
/// retry, with [`Error::Interceptor`](crate::Error::Interceptor) (its
/// [`Phase`], the interceptor's [`name`](Intercept::name) and the error).
/// An attempt cut short by the call's `total_timeout` has no
/// `read_after_attempt`.
///
/// Hooks are synchronous and run on the task making the call: keep them
/// short. To read what an interceptor recorded, register it as an
/// `Arc<YourInterceptor>` and keep a clone.
///
/// An interceptor is the caller's own code and is trusted: what
/// `modify_before_transmit` changes (the URL, `Authorization`, framing
/// headers) is sent without the checks that `.header(..)` and raw paths get.
pub trait Intercept: fmt::Debug + Send + Sync + 'static {
    /// The interceptor's name, as [`Error::Interceptor`](crate::Error::Interceptor)
    /// reports it.
    fn name(&self) -> &'static str;

    /// Once per call, before the first attempt.
    fn read_before_execution(&self, call: &CallContext<'_>) -> Result<(), BoxError> {
        let _ = call;
        Ok(())
    }

    /// Every attempt, just before it is sent. `request` is the
    /// `reqwest::Request` that will go out, not the SDK's
    /// [`Request`](crate::Request) builder: its auth, idempotency key and
    /// retry count are set, and its headers, URL and body can be read and
    /// changed (on this attempt only; a retry starts again from
    /// the request as the SDK built it).
    fn modify_before_transmit(
        &self,
        attempt: &AttemptContext<'_>,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        let _ = (attempt, request);
        Ok(())
    }

    /// Every attempt, once it has ended: with an answer (its status and
    /// headers; its body has been read unless the answer is to be retried),
    /// or a failure below HTTP (no connection, a timeout, a body cut off).
    /// A failure is retried after this hook if the retry rules allow. Not
    /// called for an attempt that the call's `total_timeout` cuts short.
    fn read_after_attempt(
        &self,
        attempt: &AttemptContext<'_>,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<(), BoxError> {
        let _ = (attempt, outcome);
        Ok(())
    }

    /// Once per call whose arguments passed their checks, after its last
    /// attempt (or the hook that refused it), with what the caller is about
    /// to receive; for measuring, not for changing the result.
    fn read_after_execution(
        &self,
        call: &CallContext<'_>,
        result: Result<&CallSummary<'_>, &crate::Error>,
    ) {
        let _ = (call, result);
    }
}

/// A phase of the pipeline where an interceptor runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// [`Intercept::read_before_execution`].
    ReadBeforeExecution,
    /// [`Intercept::modify_before_transmit`].
    ModifyBeforeTransmit,
    /// [`Intercept::read_after_attempt`].
    ReadAfterAttempt,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::ReadBeforeExecution => "read_before_execution",
            Phase::ModifyBeforeTransmit => "modify_before_transmit",
            Phase::ReadAfterAttempt => "read_after_attempt",
        })
    }
}

/// What a call is, as interceptors see it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallContext<'a> {
    /// The operation (`RefreshCustomerReview`, or `GET /v1/...` for a raw call).
    pub operation: &'a str,
    /// The HTTP method.
    pub method: &'a reqwest::Method,
    /// The URL of the first attempt.
    pub url: &'a reqwest::Url,
}

impl<'a> CallContext<'a> {
    /// A call context, for unit tests of an interceptor.
    pub fn new(operation: &'a str, method: &'a reqwest::Method, url: &'a reqwest::Url) -> Self {
        Self {
            operation,
            method,
            url,
        }
    }
}

/// One attempt of a call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptContext<'a> {
    /// The call the attempt belongs to.
    pub call: CallContext<'a>,
    /// The attempt number: 1 for the first request, 2 for the first retry, ...
    pub attempt: u32,
    /// The most attempts the call may make (retries plus one).
    pub max_attempts: u32,
    /// Time since this attempt was sent (zero before sending).
    pub elapsed: Duration,
}

impl<'a> AttemptContext<'a> {
    /// An attempt context, for unit tests of an interceptor.
    pub fn new(call: CallContext<'a>, attempt: u32, max_attempts: u32, elapsed: Duration) -> Self {
        Self {
            call,
            attempt,
            max_attempts,
            elapsed,
        }
    }
}

/// How an attempt ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum AttemptOutcome<'a> {
    /// The server answered (the body may not have been read yet).
    Response {
        /// The HTTP status.
        status: StatusCode,
        /// The response headers.
        headers: &'a HeaderMap,
    },
    /// No usable answer: the connection failed, the attempt timed out, or
    /// the body was cut off while it was read.
    Failed(&'a reqwest::Error),
}

/// A successful call, as [`Intercept::read_after_execution`] sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallSummary<'a> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: &'a HeaderMap,
    /// Requests sent for the call.
    pub attempts: u32,
    /// Time the call took, from before `read_before_execution` to the end
    /// of the last body.
    pub elapsed: Duration,
}

impl<'a> CallSummary<'a> {
    /// A summary, for unit tests of an interceptor.
    pub fn new(
        status: StatusCode,
        headers: &'a HeaderMap,
        attempts: u32,
        elapsed: Duration,
    ) -> Self {
        Self {
            status,
            headers,
            attempts,
            elapsed,
        }
    }
}

/// An interceptor behind an `Arc`, so the caller keeps a handle to it (to
/// read what it recorded) while the client runs it.
impl<I: Intercept + ?Sized> Intercept for std::sync::Arc<I> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn read_before_execution(&self, call: &CallContext<'_>) -> Result<(), BoxError> {
        (**self).read_before_execution(call)
    }
    fn modify_before_transmit(
        &self,
        attempt: &AttemptContext<'_>,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        (**self).modify_before_transmit(attempt, request)
    }
    fn read_after_attempt(
        &self,
        attempt: &AttemptContext<'_>,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<(), BoxError> {
        (**self).read_after_attempt(attempt, outcome)
    }
    fn read_after_execution(
        &self,
        call: &CallContext<'_>,
        result: Result<&CallSummary<'_>, &crate::Error>,
    ) {
        (**self).read_after_execution(call, result)
    }
}
