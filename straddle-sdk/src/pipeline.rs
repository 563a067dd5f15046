//! The request pipeline behind every generated operation: auth, idempotency
//! key, per-attempt timeout, retries, a bounded body read, tracing, and the
//! mapping of what happened on the wire to a typed value or an [`Error`].
//!
//! [`crate::Request`] has the operation encode its arguments into a
//! `reqwest::Request` ([`crate::encode`]) and hands it here as a [`Call`].

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{AUTHORIZATION, Entry, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{RequestOptions, Shared};
use crate::error::{
    ApiError, DeadlineError, DecodeError, DecodeReason, InterceptorError, TransportError, snippet,
};
use crate::intercept::{
    AttemptContext, AttemptOutcome, BoxError, CallContext, CallSummary, Intercept, Phase,
};
use crate::types::ErrorResponse;
use crate::{Client, Error};

/// Header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Header carrying the attempt number (0 for the first request, 1 for the
/// first retry, ...), so server logs can tell retries apart.
pub const RETRY_COUNT: HeaderName = HeaderName::from_static("x-straddle-retry-count");

/// A successful response: the typed body with the status, headers and how
/// the call went.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The parsed body.
    pub data: T,
    /// How many requests the call took: 1, or more after retries.
    pub attempts: u32,
    /// The body as received, for [`ApiResponse::api_request_id`].
    raw: Bytes,
}

impl<T: fmt::Debug> fmt::Debug for ApiResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("data", &self.data)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl<T> ApiResponse<T> {
    /// A response as the SDK would return it, for unit tests of code that
    /// takes one: `data` with `status`, no headers, one attempt.
    pub fn new(status: StatusCode, data: T) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            data,
            attempts: 1,
            raw: Bytes::new(),
        }
    }

    /// The parsed body.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The same response with its body changed by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            data: f(self.data),
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

/// One call of an operation, as generated code describes it.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    operation: Cow<'static, str>,
    options: RequestOptions,
    /// The request as encoded.
    request: reqwest::Request,
}

impl<'a> Call<'a> {
    /// A call of `operation`: `request` as the operation's arguments built it.
    pub(crate) fn new(
        client: &'a Client,
        operation: impl Into<Cow<'static, str>>,
        request: reqwest::Request,
        options: RequestOptions,
    ) -> Self {
        Self {
            shared: &client.shared,
            operation: operation.into(),
            options,
            request,
        }
    }

    /// Sends the call (with retries) and decodes a success body as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        let Call {
            shared,
            operation,
            options,
            mut request,
        } = self;
        prepare(shared, &options, &mut request)
            .map_err(|why| Error::invalid(operation.clone(), why))?;
        let method = request.method().clone();
        let url = request.url().clone();
        let span = tracing::info_span!(
            "straddle.call",
            operation = %operation,
            method = %method,
            path = url.path(),
            correlation_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            api_request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        if !span.is_disabled()
            && let Some(id) = request
                .headers()
                .get("correlation-id")
                .and_then(|v| v.to_str().ok())
        {
            span.record("correlation_id", tracing::field::display(id));
        }
        let context = CallContext {
            operation: &operation,
            method: &method,
            url: &url,
        };
        let started = Instant::now();
        let outcome = execute_with_retries(shared, &options, request, &context)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        let result = decode(operation.clone(), shared.max_response_bytes, outcome);
        record(&span, &result, elapsed);
        if !shared.interceptors.is_empty() {
            let seen = match &result {
                Ok(r) => Ok(CallSummary {
                    status: r.status,
                    headers: &r.headers,
                    attempts: r.attempts,
                    elapsed,
                }),
                Err(e) => Err(e),
            };
            for hook in &shared.interceptors {
                hook.read_after_execution(&context, seen.as_ref().map_err(|e| *e));
            }
        }
        result
    }
}

/// The call's outcome on its span (once, whatever the number of attempts:
/// a subscriber prints each recorded value) and as one event, `info` either
/// way, as a caller watching its calls expects to see each one end. The
/// event repeats none of the span's fields.
fn record<T>(span: &tracing::Span, result: &Result<ApiResponse<T>, Error>, elapsed: Duration) {
    if span.is_disabled() {
        return;
    }
    let elapsed_ms = elapsed.as_millis() as u64;
    span.record("elapsed_ms", elapsed_ms);
    let (attempts, status, id) = match result {
        Ok(r) => (r.attempts, Some(r.status), r.api_request_id()),
        Err(e) => (e.attempts(), e.status(), e.api_request_id()),
    };
    span.record("attempts", attempts);
    if let Some(status) = status {
        span.record("status", status.as_u16());
    }
    if let Some(id) = &id {
        span.record("api_request_id", tracing::field::display(id));
    }
    let _entered = span.enter();
    match result {
        Ok(_) => tracing::info!("call succeeded"),
        Err(error) => tracing::info!(%error, "call failed"),
    }
}

/// Headers every request carries, then the client's defaults and the call's
/// own (each replacing the one before), the key last; the idempotency key is
/// fixed here, once per call, so every retry sends the same one.
fn prepare(
    shared: &Shared,
    options: &RequestOptions,
    request: &mut reqwest::Request,
) -> Result<(), String> {
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let headers = request.headers_mut();
    // Room for the defaults, the key, an idempotency key and the retry count.
    headers.reserve(shared.default_headers.len() + 3);
    // One lookup per default value; values of one name come one after another.
    let mut added: Option<&HeaderName> = None;
    for (name, value) in &shared.default_headers {
        match headers.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(value.clone());
                added = Some(name);
            }
            Entry::Occupied(mut slot) if added == Some(name) => slot.append(value.clone()),
            Entry::Occupied(_) => {}
        }
    }
    if !options.headers.is_empty() {
        options.headers.apply(headers)?;
    }
    headers.insert(AUTHORIZATION, shared.api_key.authorization().clone());
    if mutating
        && !headers.contains_key(IDEMPOTENCY_KEY)
        && let Some(key) = shared.keys.key()
    {
        headers.insert(IDEMPOTENCY_KEY, key);
    }
    Ok(())
}

/// What the last attempt of a call produced.
struct Outcome {
    attempts: u32,
    result: Result<Answer, Failure>,
}

/// Why a call ended without an answer.
enum Failure {
    Transport(reqwest::Error),
    Interceptor {
        phase: Phase,
        interceptor: &'static str,
        source: BoxError,
    },
    /// The call's `total_timeout` passed.
    Deadline(Duration),
    /// The request was already sent by an attempt that could not be retried.
    Spent,
}

/// A response that was read to the end (or up to the limit).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Body,
}

enum Body {
    Complete(Bytes),
    TooLarge,
}

/// Reads the body, refusing to buffer more than `limit` bytes.
async fn read_bounded(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Body> {
    let declared = response.content_length();
    if declared.is_some_and(|len| len > limit as u64) {
        return Ok(Body::TooLarge);
    }
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |len| len as usize).min(limit));
    while let Some(chunk) = response.chunk().await? {
        if buf.len() + chunk.len() > limit {
            return Ok(Body::TooLarge);
        }
        if buf.is_empty() && declared == Some(chunk.len() as u64) {
            // The whole declared body in one chunk: keep it without a copy.
            return Ok(Body::Complete(chunk));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Body::Complete(buf.freeze()))
}

async fn execute_with_retries(
    shared: &Shared,
    options: &RequestOptions,
    request: reqwest::Request,
    context: &CallContext<'_>,
) -> Outcome {
    let policy = &shared.retry;
    let max_retries = options.max_retries.unwrap_or(policy.max_retries);
    let timeout = options.timeout.or(shared.timeout);
    let total = options.total_timeout.or(shared.total_timeout);
    // A deadline too far to represent is no deadline.
    let deadline = total.and_then(|total| Instant::now().checked_add(total));
    // A wait fits if the retry after it starts before the deadline.
    let fits = |wait: Duration| match deadline {
        None => true,
        Some(d) => Instant::now().checked_add(wait).is_some_and(|t| t < d),
    };
    let hooks = &shared.interceptors;
    let refused = |attempts, phase, hook: &dyn Intercept, source| Outcome {
        attempts,
        result: Err(Failure::Interceptor {
            phase,
            interceptor: hook.name(),
            source,
        }),
    };
    let expired = |attempts| Outcome {
        attempts,
        result: Err(Failure::Deadline(total.unwrap_or_default())),
    };
    for hook in hooks {
        if let Err(source) = hook.read_before_execution(context) {
            return refused(0, Phase::ReadBeforeExecution, hook.as_ref(), source);
        }
    }
    // A retry-count header the caller set is sent as it is.
    let count_retries = !request.headers().contains_key(RETRY_COUNT);
    // Earlier attempts send a copy; the last one (or one whose body cannot
    // be copied) sends the request itself and cannot be retried.
    let mut original = Some(request);
    let mut attempt = 0u32;
    loop {
        let copy = (attempt < max_retries)
            .then(|| original.as_ref().and_then(reqwest::Request::try_clone))
            .flatten();
        let can_retry = copy.is_some();
        let Some(mut request) = copy.or_else(|| original.take()) else {
            // Not reached: an attempt that took the request cannot retry.
            return Outcome {
                attempts: attempt,
                result: Err(Failure::Spent),
            };
        };
        if count_retries {
            request
                .headers_mut()
                .insert(RETRY_COUNT, HeaderValue::from(attempt));
        }
        // Only the SDK's own timeout is set on the request: a caller's
        // client keeps its own, and the deadline is kept below.
        if let Some(timeout) = timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let mut attempt_context = AttemptContext {
            call: *context,
            attempt: attempt + 1,
            max_attempts: max_retries.saturating_add(1),
            elapsed: Duration::ZERO,
        };
        for hook in hooks {
            if let Err(source) = hook.modify_before_transmit(&attempt_context, &mut request) {
                return refused(attempt, Phase::ModifyBeforeTransmit, hook.as_ref(), source);
            }
        }
        let started = Instant::now();
        let attempt_span = tracing::debug_span!(
            "straddle.attempt",
            attempt = attempt + 1,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let sent = within(deadline, shared.http.execute(request))
            .instrument(attempt_span.clone())
            .await;
        let Some(sent) = sent else {
            return expired(attempt + 1);
        };
        // What the attempt ended with: an answer to retry (its body unread),
        // a final answer (read to the end), or a failure below HTTP.
        let (retry, ended) = match sent {
            Ok(response) => {
                let status = response.status();
                attempt_span.record("status", status.as_u16());
                let wait = (can_retry && policy.should_retry(status, response.headers()))
                    .then(|| policy.delay_for(attempt, Some(response.headers())))
                    .filter(|wait| fits(*wait));
                match wait {
                    Some(wait) => (Some(wait), Ok(Err(response))),
                    None => {
                        let read = read_answer(response, shared.max_response_bytes);
                        match within(deadline, read)
                            .instrument(attempt_span.clone())
                            .await
                        {
                            None => return expired(attempt + 1),
                            Some(answer) => (None, answer.map(Ok)),
                        }
                    }
                }
            }
            Err(e) => (None, Err(e)),
        };
        attempt_context.elapsed = started.elapsed();
        let elapsed_ms = attempt_context.elapsed.as_millis() as u64;
        attempt_span.record("elapsed_ms", elapsed_ms);
        let seen = match &ended {
            Ok(Err(response)) => AttemptOutcome::Response {
                status: response.status(),
                headers: response.headers(),
            },
            Ok(Ok(answer)) => AttemptOutcome::Response {
                status: answer.status,
                headers: &answer.headers,
            },
            Err(e) => AttemptOutcome::Failed(e),
        };
        for hook in hooks {
            if let Err(source) = hook.read_after_attempt(&attempt_context, &seen) {
                return refused(attempt + 1, Phase::ReadAfterAttempt, hook.as_ref(), source);
            }
        }
        let wait = match ended {
            Ok(Ok(answer)) => {
                return Outcome {
                    attempts: attempt + 1,
                    result: Ok(answer),
                };
            }
            Ok(Err(response)) => {
                let wait = retry.unwrap_or_default();
                tracing::info!(
                    attempt = attempt + 1,
                    status = response.status().as_u16(),
                    elapsed_ms,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a retryable status"
                );
                // Not held through the wait: its connection goes back to the pool.
                drop(response);
                wait
            }
            // A connection that failed, or a body cut off or too slow.
            Err(error) => {
                let wait = (can_retry && is_retryable_transport(&error))
                    .then(|| policy.delay_for(attempt, None))
                    .filter(|wait| fits(*wait));
                let Some(wait) = wait else {
                    return Outcome {
                        attempts: attempt + 1,
                        result: Err(Failure::Transport(error)),
                    };
                };
                tracing::info!(
                    attempt = attempt + 1,
                    elapsed_ms,
                    timeout = error.is_timeout(),
                    wait_ms = wait.as_millis() as u64,
                    error = %crate::error::cause(&error),
                    "retrying after a transport error"
                );
                wait
            }
        };
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// `future`'s output, or `None` if `deadline` passes first.
async fn within<F: std::future::Future>(deadline: Option<Instant>, future: F) -> Option<F::Output> {
    match deadline {
        None => Some(future.await),
        Some(deadline) => tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), future)
            .await
            .ok(),
    }
}

async fn read_answer(response: reqwest::Response, limit: usize) -> reqwest::Result<Answer> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_bounded(response, limit).await?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Connection failures, timeouts and bodies cut off mid-way are retried;
/// errors building the request are not.
fn is_retryable_transport(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() || e.is_decode()
}

/// Turns what the last attempt produced into the typed value or an [`Error`]
/// that keeps the status, headers and body.
fn decode<T: DeserializeOwned>(
    operation: Cow<'static, str>,
    limit: usize,
    outcome: Outcome,
) -> Result<ApiResponse<T>, Error> {
    let attempts = outcome.attempts;
    let Answer {
        status,
        headers,
        body,
    } = match outcome.result {
        Ok(answer) => answer,
        Err(Failure::Transport(source)) => {
            let timeout = source.is_timeout();
            let transport = Box::new(TransportError {
                operation,
                attempts,
                source,
            });
            return Err(if timeout {
                Error::Timeout(transport)
            } else {
                Error::Connection(transport)
            });
        }
        Err(Failure::Spent) => {
            return Err(Error::invalid(operation, "the request was already sent"));
        }
        Err(Failure::Interceptor {
            phase,
            interceptor,
            source,
        }) => {
            return Err(Error::Interceptor(Box::new(InterceptorError {
                operation,
                phase,
                interceptor,
                attempts,
                source,
            })));
        }
        Err(Failure::Deadline(total_timeout)) => {
            return Err(Error::Deadline(Box::new(DeadlineError {
                operation,
                attempts,
                total_timeout,
            })));
        }
    };
    let (body, too_large) = match body {
        Body::Complete(bytes) => (bytes, false),
        Body::TooLarge => (Bytes::new(), true),
    };
    if status.is_success() {
        if too_large {
            return Err(Error::Decode(Box::new(DecodeError {
                operation,
                status,
                headers,
                attempts,
                snippet: String::new(),
                reason: DecodeReason::TooLarge { limit },
            })));
        }
        // An empty body (`204 No Content`) decodes as JSON `null`: `()` for
        // an operation that documents no body, a decode error for one that does.
        let json: &[u8] = if body.is_empty() { b"null" } else { &body };
        return match serde_json::from_slice::<T>(json) {
            Ok(data) => Ok(ApiResponse {
                status,
                headers,
                data,
                attempts,
                raw: body,
            }),
            Err(e) => Err(Error::Decode(Box::new(DecodeError {
                operation,
                status,
                headers,
                attempts,
                snippet: snippet(&body),
                reason: DecodeReason::Json(e),
            }))),
        };
    }
    let parsed = serde_json::from_slice::<ErrorResponse>(&body).ok();
    Err(Error::Api(Box::new(ApiError {
        operation,
        status,
        body: parsed,
        raw_body: body,
        body_too_large: too_large,
        headers,
        attempts,
    })))
}
