//! The request pipeline behind every generated operation and raw call:
//! auth, idempotency key, per-attempt timeout, retries, a bounded body read,
//! tracing, and the mapping of what happened on the wire to a typed value
//! or an [`Error`].
//!
//! [`crate::Request`] (and [`crate::RawRequest`]) hands it here as a
//! [`Call`], with how to encode its arguments into a `reqwest::Request`
//! for each attempt ([`crate::encode`]).

use std::borrow::Cow;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
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
use crate::idempotency;
use crate::intercept::{
    AttemptContext, AttemptOutcome, BoxError, CallContext, CallSummary, Intercept, Phase,
};
use crate::response::ApiResponse;
use crate::types::ErrorResponse;
use crate::{Client, Error};

/// Header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Header carrying the attempt number (0 for the first request, 1 for the
/// first retry, ...), so server logs can tell retries apart.
pub const RETRY_COUNT: HeaderName = HeaderName::from_static("x-straddle-retry-count");

/// One call (of a generated operation or a raw call), and the state
/// of its attempts.
///
/// Everything a call keeps between attempts lives here, and [`Call::send`]
/// works on it in place through `&mut self` steps: the future a caller
/// awaits holds one `Call` and (boxed) the future of the attempts, not a
/// chain of nested futures that each hold a copy of their arguments. A
/// runtime copies a task's whole future several times; `send()`'s was
/// 5,368 bytes, and is 864 (a bare reqwest call's is 632).
///
/// The request is not copied for a retry that may never come: each attempt
/// sends the one prepared for it, and a retry encodes the arguments again
/// (with the same idempotency key). Copying up front cost more than the
/// rest of the SDK's own work on a call that succeeds at once.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    operation: Cow<'static, str>,
    options: RequestOptions,
    /// The request of the next attempt, prepared; `None` once sent.
    request: Option<reqwest::Request>,
    /// The idempotency key the SDK drew for this call, which every attempt
    /// sends; `None` for a call that sends none or brings its own.
    key: Option<uuid::Uuid>,
    /// When the call's `total_timeout` passes, if it has one.
    deadline: Deadline,
    /// The call's span: disabled (and free) unless a subscriber wants it.
    span: tracing::Span,
    /// What interceptors are told the call is: its method and first URL,
    /// copied only when the client has interceptors.
    seen_as: Option<Box<(Method, reqwest::Url)>>,
}

impl<'a> Call<'a> {
    /// A call of `operation` with the per-call `options`.
    pub(crate) fn new(
        client: &'a Client,
        operation: impl Into<Cow<'static, str>>,
        options: RequestOptions,
    ) -> Self {
        Self {
            shared: &client.shared,
            operation: operation.into(),
            options,
            request: None,
            key: None,
            deadline: Deadline::default(),
            span: tracing::Span::none(),
            seen_as: None,
        }
    }

    /// Sends the call (with retries) and decodes a success body as `T`.
    /// `encode` puts the call's arguments on the wire: once before the first
    /// attempt (an error there is returned before anything else happens),
    /// and again for each retry.
    ///
    /// Not an `async fn`: one would move `self` into a second place in its
    /// future to bind it; the `async` block works on the one it captures.
    /// Only this block and the retry loop are generic (one copy per
    /// operation), not the steps of an attempt. `encode` is owned by the
    /// future, which is `Send` when the arguments it holds are.
    pub(crate) fn send<T, E>(self, encode: E) -> impl Future<Output = Result<ApiResponse<T>, Error>>
    where
        T: DeserializeOwned,
        E: Fn() -> Result<reqwest::Request, Error>,
    {
        let mut call = self;
        async move {
            call.prepare(encode()?)?;
            let started = Instant::now();
            let span = call.span.clone();
            // Boxed (680 bytes, one allocation): a runtime copies a task's
            // whole future several times (spawning, finishing, reading its
            // output), and the attempts' state is half of it.
            let outcome = Box::pin(call.attempts(&encode).instrument(span)).await;
            let elapsed = started.elapsed();
            let result = decode(
                call.operation.clone(),
                call.shared.max_response_bytes,
                outcome,
            );
            record(&call.span, &result, elapsed);
            call.read_after_execution(&result, elapsed);
            result
        }
    }

    /// The first attempt's request with its headers and idempotency key;
    /// the span and deadline.
    fn prepare(&mut self, request: reqwest::Request) -> Result<(), Error> {
        self.ready(request)?;
        let Some(request) = &self.request else {
            return Ok(());
        };
        self.span = call_span(&self.operation, request);
        if !self.shared.interceptors.is_empty() {
            self.seen_as = Some(Box::new((request.method().clone(), request.url().clone())));
        }
        let total = self.options.total_timeout.or(self.shared.total_timeout);
        self.deadline = Deadline::after(total);
        Ok(())
    }

    /// `request` with the headers every attempt sends, as the next one's.
    fn ready(&mut self, mut request: reqwest::Request) -> Result<(), Error> {
        if let Err(why) = add_headers(self.shared, &self.options, &mut request, &mut self.key) {
            return Err(Error::invalid(self.operation.clone(), why));
        }
        self.request = Some(request);
        Ok(())
    }

    /// The call as interceptors see it; `None` when there are none.
    fn context(&self) -> Option<CallContext<'_>> {
        let (method, url) = &**self.seen_as.as_ref()?;
        Some(CallContext {
            operation: &self.operation,
            method,
            url,
        })
    }

    /// Attempts until one ends the call: an answer to return, a failure not
    /// to retry, the deadline, or an interceptor's refusal. Before each
    /// retry, `encode` builds its request again.
    async fn attempts<E>(&mut self, encode: &E) -> Outcome
    where
        E: Fn() -> Result<reqwest::Request, Error>,
    {
        if let Err(refusal) = self.read_before_execution() {
            return refusal.at(0);
        }
        let max_retries = self
            .options
            .max_retries
            .unwrap_or(self.shared.retry.max_retries);
        // A retry-count header the caller set is sent as it is.
        let count_retries = self
            .request
            .as_ref()
            .is_some_and(|r| !r.headers().contains_key(RETRY_COUNT));
        let mut attempt = 0u32;
        loop {
            let wait = match self.attempt(attempt, max_retries, count_retries).await {
                Attempted::Retry(wait) => wait,
                Attempted::Ended(outcome) => return outcome,
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
            // Not reached: arguments that were encoded once encode again.
            if let Err(error) = encode().and_then(|request| self.ready(request)) {
                return Outcome {
                    attempts: attempt,
                    result: Err(Failure::Invalid(error)),
                };
            }
        }
    }

    /// The request of attempt `attempt` (0 for the first), and whether it
    /// may be retried (the last one may not).
    fn next_request(
        &mut self,
        attempt: u32,
        max_retries: u32,
        count_retries: bool,
    ) -> Option<(reqwest::Request, bool)> {
        let can_retry = attempt < max_retries;
        let mut request = self.request.take()?;
        if count_retries {
            request
                .headers_mut()
                .insert(RETRY_COUNT, HeaderValue::from(attempt));
        }
        // Only the SDK's own timeout is set on the request: a caller's
        // client keeps its own, and the deadline is kept by `Deadline`.
        if let Some(timeout) = self.options.timeout.or(self.shared.timeout) {
            *request.timeout_mut() = Some(timeout);
        }
        Some((request, can_retry))
    }

    /// One attempt: interceptors, the request, the answer read (or left
    /// unread for a retry), interceptors again, and what comes next.
    async fn attempt(&mut self, attempt: u32, max_retries: u32, count_retries: bool) -> Attempted {
        let mut seen = AttemptSeen {
            attempt: attempt + 1,
            max_attempts: max_retries.saturating_add(1),
            elapsed: Duration::ZERO,
        };
        let (sent, can_retry) = match self.transmit(&seen, max_retries, count_retries) {
            Transmitted::Sent { answer, can_retry } => (answer, can_retry),
            Transmitted::Ended(outcome) => return Attempted::Ended(outcome),
        };
        let started = Instant::now();
        let span = tracing::debug_span!(
            "straddle.attempt",
            attempt = attempt + 1,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let ended = match self.exchange(sent, can_retry, attempt, &span).await {
            Some(ended) => ended,
            None => return Attempted::Ended(self.expired(attempt + 1)),
        };
        seen.elapsed = started.elapsed();
        let elapsed_ms = seen.elapsed.as_millis() as u64;
        span.record("elapsed_ms", elapsed_ms);
        if let Err(refusal) = self.read_after_attempt(&seen, &ended) {
            return Attempted::Ended(refusal.at(attempt + 1));
        }
        ended.next(attempt, elapsed_ms)
    }

    /// The request of the attempt `seen`, handed to the HTTP client (its
    /// future, and whether the attempt may be retried), or why the call ends
    /// here. Not `async`: the request goes into reqwest's own (boxed) future
    /// before any wait, so the attempt's future keeps no copy of it.
    fn transmit(
        &mut self,
        seen: &AttemptSeen,
        max_retries: u32,
        count_retries: bool,
    ) -> Transmitted<impl Future<Output = reqwest::Result<reqwest::Response>> + use<>> {
        let attempt = seen.attempt - 1;
        let Some((mut request, can_retry)) = self.next_request(attempt, max_retries, count_retries)
        else {
            // Not reached: an attempt that took the request cannot retry.
            return Transmitted::Ended(Outcome {
                attempts: attempt,
                result: Err(Failure::Spent),
            });
        };
        if let Err(refusal) = self.modify_before_transmit(seen, &mut request) {
            return Transmitted::Ended(refusal.at(attempt));
        }
        Transmitted::Sent {
            answer: self.shared.http.execute(request),
            can_retry,
        }
    }

    /// Waits for the answer to the request `sent` and reads it to the end,
    /// unless it is to be retried; `None` if the deadline passes first.
    async fn exchange(
        &mut self,
        sent: impl Future<Output = reqwest::Result<reqwest::Response>>,
        can_retry: bool,
        attempt: u32,
        span: &tracing::Span,
    ) -> Option<Ended> {
        let mut response = match self.deadline.within(sent).instrument(span.clone()).await? {
            Ok(response) => response,
            Err(error) => {
                // A connection that failed, or an answer too slow.
                let wait = (can_retry && is_retryable_transport(&error))
                    .then(|| self.shared.retry_wait(attempt, None))
                    .filter(|wait| self.deadline.fits(*wait));
                return Some(Ended::Failed { error, wait });
            }
        };
        let status = response.status();
        span.record("status", status.as_u16());
        let policy = &self.shared.retry;
        let wait = (can_retry && policy.should_retry(status, response.headers()))
            .then(|| self.shared.retry_wait(attempt, Some(response.headers())))
            .filter(|wait| self.deadline.fits(*wait));
        if let Some(wait) = wait {
            return Some(Ended::Retry { response, wait });
        }
        let limit = self.shared.max_response_bytes;
        let body = read_bounded(&mut response, limit, &mut self.deadline)
            .instrument(span.clone())
            .await?;
        Some(match body {
            Ok(body) => Ended::Answer(Answer {
                status,
                headers: std::mem::take(response.headers_mut()),
                body,
            }),
            // A body cut off or too slow.
            Err(error) => {
                let wait = (can_retry && is_retryable_transport(&error))
                    .then(|| self.shared.retry_wait(attempt, None))
                    .filter(|wait| self.deadline.fits(*wait));
                Ended::Failed { error, wait }
            }
        })
    }

    /// The outcome of a call whose deadline passed during attempt `attempts`.
    fn expired(&self, attempts: u32) -> Outcome {
        let total = self.options.total_timeout.or(self.shared.total_timeout);
        Outcome {
            attempts,
            result: Err(Failure::Deadline(total.unwrap_or_default())),
        }
    }

    fn read_before_execution(&self) -> Result<(), Refusal> {
        let Some(context) = self.context() else {
            return Ok(());
        };
        for hook in &self.shared.interceptors {
            hook.read_before_execution(&context).map_err(|source| {
                Refusal::new(Phase::ReadBeforeExecution, hook.as_ref(), source)
            })?;
        }
        Ok(())
    }

    fn modify_before_transmit(
        &self,
        seen: &AttemptSeen,
        request: &mut reqwest::Request,
    ) -> Result<(), Refusal> {
        let Some(context) = self.context() else {
            return Ok(());
        };
        let attempt = seen.context(context);
        for hook in &self.shared.interceptors {
            hook.modify_before_transmit(&attempt, request)
                .map_err(|source| {
                    Refusal::new(Phase::ModifyBeforeTransmit, hook.as_ref(), source)
                })?;
        }
        Ok(())
    }

    fn read_after_attempt(&self, seen: &AttemptSeen, ended: &Ended) -> Result<(), Refusal> {
        let Some(context) = self.context() else {
            return Ok(());
        };
        let attempt = seen.context(context);
        let outcome = ended.as_seen();
        for hook in &self.shared.interceptors {
            hook.read_after_attempt(&attempt, &outcome)
                .map_err(|source| Refusal::new(Phase::ReadAfterAttempt, hook.as_ref(), source))?;
        }
        Ok(())
    }

    fn read_after_execution<T>(&self, result: &Result<ApiResponse<T>, Error>, elapsed: Duration) {
        let Some(context) = self.context() else {
            return;
        };
        let seen = match result {
            Ok(r) => Ok(CallSummary {
                status: r.status,
                headers: &r.headers,
                attempts: r.attempts,
                elapsed,
            }),
            Err(e) => Err(e),
        };
        for hook in &self.shared.interceptors {
            hook.read_after_execution(&context, seen.as_ref().map_err(|e| *e));
        }
    }
}

/// The call's span, with the fields known before the first attempt; the
/// others are recorded by [`record`]. Disabled unless a subscriber wants it,
/// and then nothing here is formatted.
fn call_span(operation: &str, request: &reqwest::Request) -> tracing::Span {
    let span = tracing::info_span!(
        "straddle.call",
        operation = %operation,
        method = %request.method(),
        path = request.url().path(),
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
    span
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
        // Not `Display`: that holds what the server said, which can echo a body.
        Err(error) => tracing::info!(error = %crate::error::ForLog(error), "call failed"),
    }
}

/// Headers every request carries, then the client's defaults and the call's
/// own (each replacing the one before), the key last; the idempotency key is
/// drawn once per call, into `key`, so every retry sends the same one.
fn add_headers(
    shared: &Shared,
    options: &RequestOptions,
    request: &mut reqwest::Request,
    key: &mut Option<uuid::Uuid>,
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
        && let Some(value) =
            idempotency::header_value(*key.get_or_insert_with(|| shared.keys.key()))
    {
        headers.insert(IDEMPOTENCY_KEY, value);
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
    /// A retry's request could not be encoded again.
    Invalid(Error),
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

/// How an attempt ended, before interceptors see it.
enum Ended {
    /// An answer read to the end (or up to the limit): the call's last.
    Answer(Answer),
    /// An answer to retry after `wait`; its body is left unread.
    Retry {
        response: reqwest::Response,
        wait: Duration,
    },
    /// No answer, or a body cut off or too slow; retried after `wait`, if any.
    Failed {
        error: reqwest::Error,
        wait: Option<Duration>,
    },
}

impl Ended {
    /// The attempt as [`Intercept::read_after_attempt`] sees it.
    fn as_seen(&self) -> AttemptOutcome<'_> {
        match self {
            Ended::Retry { response, .. } => AttemptOutcome::Response {
                status: response.status(),
                headers: response.headers(),
            },
            Ended::Answer(answer) => AttemptOutcome::Response {
                status: answer.status,
                headers: &answer.headers,
            },
            Ended::Failed { error, .. } => AttemptOutcome::Failed(error),
        }
    }

    /// What follows attempt `attempt` (0 for the first), which took
    /// `elapsed_ms`: the call's outcome, or a wait before the next attempt.
    fn next(self, attempt: u32, elapsed_ms: u64) -> Attempted {
        let attempts = attempt + 1;
        match self {
            Ended::Answer(answer) => Attempted::Ended(Outcome {
                attempts,
                result: Ok(answer),
            }),
            Ended::Retry { response, wait } => {
                tracing::info!(
                    attempt = attempts,
                    status = response.status().as_u16(),
                    elapsed_ms,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a retryable status"
                );
                // Not held through the wait: its connection goes back to the pool.
                drop(response);
                Attempted::Retry(wait)
            }
            Ended::Failed {
                error,
                wait: Some(wait),
            } => {
                tracing::info!(
                    attempt = attempts,
                    elapsed_ms,
                    timeout = error.is_timeout(),
                    wait_ms = wait.as_millis() as u64,
                    error = %crate::error::cause(&error),
                    "retrying after a transport error"
                );
                Attempted::Retry(wait)
            }
            Ended::Failed { error, wait: None } => Attempted::Ended(Outcome {
                attempts,
                result: Err(Failure::Transport(error)),
            }),
        }
    }
}

/// An attempt's request handed to the HTTP client, or the end of the call.
enum Transmitted<F> {
    /// The HTTP client's future of the answer; whether it may be retried.
    Sent { answer: F, can_retry: bool },
    /// An interceptor refused the request (or none was left to send).
    Ended(Outcome),
}

/// What an attempt leads to.
enum Attempted {
    /// Another attempt, after this wait.
    Retry(Duration),
    /// The end of the call.
    Ended(Outcome),
}

/// An attempt's numbers, for interceptors.
struct AttemptSeen {
    attempt: u32,
    max_attempts: u32,
    elapsed: Duration,
}

impl AttemptSeen {
    fn context<'c>(&self, call: CallContext<'c>) -> AttemptContext<'c> {
        AttemptContext {
            call,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            elapsed: self.elapsed,
        }
    }
}

/// An interceptor's refusal, which ends the call.
struct Refusal {
    phase: Phase,
    interceptor: &'static str,
    source: BoxError,
}

impl Refusal {
    fn new(phase: Phase, hook: &dyn Intercept, source: BoxError) -> Self {
        Self {
            phase,
            interceptor: hook.name(),
            source,
        }
    }

    /// The call's outcome after `attempts` requests.
    fn at(self, attempts: u32) -> Outcome {
        Outcome {
            attempts,
            result: Err(Failure::Interceptor {
                phase: self.phase,
                interceptor: self.interceptor,
                source: self.source,
            }),
        }
    }
}

/// A call's `total_timeout`, if it has one. The timer is made (and boxed,
/// to keep the call's future small) at the first wait that needs it, and
/// one timer serves every attempt; a call without a deadline pays for none.
#[derive(Default)]
struct Deadline {
    at: Option<Instant>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Deadline {
    /// The deadline `total` from now; none without `total`, or for one too
    /// far to represent.
    fn after(total: Option<Duration>) -> Self {
        Self {
            at: total.and_then(|total| Instant::now().checked_add(total)),
            timer: None,
        }
    }

    /// Whether a retry after `wait` starts before the deadline.
    fn fits(&self, wait: Duration) -> bool {
        match self.at {
            None => true,
            Some(at) => Instant::now().checked_add(wait).is_some_and(|t| t < at),
        }
    }

    /// `future`'s output, or `None` if the deadline passes first.
    async fn within<F: Future>(&mut self, future: F) -> Option<F::Output> {
        let Some(at) = self.at else {
            return Some(future.await);
        };
        let timer = self.timer.get_or_insert_with(|| {
            Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(at)))
        });
        let mut future = pin!(future);
        poll_fn(|cx| {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            timer.as_mut().poll(cx).map(|()| None)
        })
        .await
    }
}

/// Reads the body, refusing to buffer more than `limit` bytes; `None` if
/// the deadline passes first.
async fn read_bounded(
    response: &mut reqwest::Response,
    limit: usize,
    deadline: &mut Deadline,
) -> Option<reqwest::Result<Body>> {
    let declared = response.content_length();
    if declared.is_some_and(|len| len > limit as u64) {
        return Some(Ok(Body::TooLarge));
    }
    let mut buf = BytesMut::new();
    loop {
        let chunk = match deadline.within(response.chunk()).await? {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Some(Ok(Body::Complete(buf.freeze()))),
            Err(error) => return Some(Err(error)),
        };
        if buf.len() + chunk.len() > limit {
            return Some(Ok(Body::TooLarge));
        }
        if buf.is_empty() && declared == Some(chunk.len() as u64) {
            // The whole declared body in one chunk: keep it without a copy.
            return Some(Ok(Body::Complete(chunk)));
        }
        if buf.is_empty() {
            buf.reserve(declared.map_or(0, |len| len as usize).min(limit));
        }
        buf.extend_from_slice(&chunk);
    }
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
        Err(Failure::Invalid(error)) => return Err(error),
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
                body: data,
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
