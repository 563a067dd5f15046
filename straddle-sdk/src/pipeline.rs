//! The request pipeline behind every generated operation: auth, idempotency
//! key, per-attempt timeout, retries, a bounded body read, tracing, and the
//! mapping of what happened on the wire to [`Error`].
//!
//! It plugs into progenitor's generated client through `ClientHooks::exec`,
//! which sees each request before it leaves and each raw response.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use crate::Error;
use crate::config::{RequestOptions, Shared};
use crate::error::{ApiError, DecodeError, DecodeReason, TransportError, snippet};
use crate::generated::api::Client as RawClient;
use crate::types::ErrorResponse;

/// Header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Header carrying the attempt number (0 for the first request, 1 for the
/// first retry, ...), so server logs can tell retries apart.
pub const RETRY_COUNT: HeaderName = HeaderName::from_static("x-straddle-retry-count");

/// A successful response: the typed body with the status and headers.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The parsed body.
    pub data: T,
}

impl<T> ApiResponse<T> {
    /// The parsed body.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The `Request-Id` / `X-Request-Id` header, if the server sent one.
    pub fn request_id_header(&self) -> Option<String> {
        crate::error::request_id_header(&self.headers)
    }
}

/// What the last attempt of a call saw, kept for error reporting.
#[derive(Debug, Default)]
struct WireRecord {
    attempts: u32,
    response: Option<(StatusCode, HeaderMap, Bytes)>,
    too_large: bool,
}

/// Per-call state: the client's shared settings, this call's overrides, and
/// what happened on the wire. Generated code carries it as the progenitor
/// client's inner value.
#[derive(Clone)]
pub(crate) struct CallContext {
    shared: Arc<Shared>,
    options: RequestOptions,
    operation: &'static str,
    record: Arc<Mutex<WireRecord>>,
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("operation", &self.operation)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl CallContext {
    fn record(&self) -> std::sync::MutexGuard<'_, WireRecord> {
        // A poisoned lock only means another thread panicked mid-update; the
        // record is still the best information there is.
        self.record.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn max_retries(&self) -> u32 {
        self.options
            .max_retries
            .unwrap_or(self.shared.retry.max_retries)
    }

    fn timeout(&self) -> Duration {
        self.options.timeout.unwrap_or(self.shared.timeout)
    }
}

impl crate::Client {
    /// The generated progenitor client for one call of `operation`.
    pub(crate) fn raw_client(&self, operation: &'static str, options: RequestOptions) -> RawClient {
        let context = CallContext {
            shared: self.shared.clone(),
            options,
            operation,
            record: Arc::default(),
        };
        RawClient::new_with_client(&self.shared.base_url, self.shared.http.clone(), context)
    }
}

fn is_mutating(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Headers every request carries; the idempotency key is fixed here, once
/// per call, so every retry sends the same one.
fn prepare(ctx: &CallContext, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    headers.insert(AUTHORIZATION, ctx.shared.api_key.authorization().clone());
    headers.insert(USER_AGENT, ctx.shared.user_agent.clone());
    if is_mutating(request.method()) && !request.headers().contains_key(IDEMPOTENCY_KEY) {
        let key = uuid::Uuid::new_v4().to_string();
        if let Ok(value) = HeaderValue::from_str(&key) {
            request.headers_mut().insert(IDEMPOTENCY_KEY, value);
        }
    }
}

enum Body {
    Complete(Bytes),
    TooLarge,
}

/// Reads the body, refusing to buffer more than `limit` bytes.
async fn read_bounded(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Body> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Ok(Body::TooLarge);
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if buf.len() + chunk.len() > limit {
            return Ok(Body::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Body::Complete(buf.freeze()))
}

fn rebuild(status: StatusCode, headers: HeaderMap, body: Bytes) -> reqwest::Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

impl ClientHooks<CallContext> for RawClient {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let ctx = self.inner();
        prepare(ctx, &mut request);
        let span = tracing::info_span!(
            "straddle.call",
            operation = ctx.operation,
            operation_id = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        execute_with_retries(self, ctx, request)
            .instrument(span)
            .await
    }
}

async fn execute_with_retries(
    raw: &RawClient,
    ctx: &CallContext,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let policy = &ctx.shared.retry;
    let max_retries = ctx.max_retries();
    let mut retry = 0u32;
    loop {
        let attempt = retry;
        ctx.record().attempts = attempt + 1;
        tracing::Span::current().record("attempts", attempt + 1);
        let mut this = match request.try_clone() {
            Some(r) => r,
            // Only streaming bodies cannot be cloned; none of the generated
            // operations sends one.
            None => return raw.client().execute(request).await,
        };
        this.headers_mut()
            .insert(RETRY_COUNT, HeaderValue::from(attempt));
        *this.timeout_mut() = Some(ctx.timeout());
        let started = Instant::now();
        let attempt_span = tracing::debug_span!(
            "straddle.attempt",
            attempt,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let outcome = async {
            let response = raw.client().execute(this).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let retryable = attempt < max_retries && policy.should_retry(status, &headers);
            if retryable {
                return Ok((status, headers, None));
            }
            let body = read_bounded(response, ctx.shared.max_response_bytes).await?;
            Ok((status, headers, Some(body)))
        }
        .instrument(attempt_span.clone())
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        attempt_span.record("elapsed_ms", elapsed_ms);
        if let Ok((status, headers, _)) = &outcome {
            attempt_span.record("status", status.as_u16());
            if let Some(id) = crate::error::request_id_header(headers) {
                attempt_span.record("request_id", id.as_str());
            }
        }

        let wait = match outcome {
            Ok((status, headers, Some(body))) => {
                tracing::debug!(attempt, status = status.as_u16(), elapsed_ms, request_id = ?crate::error::request_id_header(&headers), "response");
                tracing::Span::current().record("status", status.as_u16());
                let mut record = ctx.record();
                let body = match body {
                    Body::Complete(bytes) => bytes,
                    Body::TooLarge => {
                        record.too_large = true;
                        Bytes::new()
                    }
                };
                record.response = Some((status, headers.clone(), body.clone()));
                return Ok(rebuild(status, headers, body));
            }
            Ok((status, headers, None)) => {
                let wait = policy.delay_for(retry, Some(&headers));
                tracing::info!(
                    attempt,
                    status = status.as_u16(),
                    elapsed_ms,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a retryable status"
                );
                wait
            }
            Err(e) if attempt < max_retries && is_retryable_transport(&e) => {
                let wait = policy.delay_for(retry, None);
                tracing::info!(attempt, elapsed_ms, timeout = e.is_timeout(), wait_ms = wait.as_millis() as u64, error = %e, "retrying after a transport error");
                wait
            }
            Err(e) => {
                tracing::debug!(attempt, elapsed_ms, error = %e, "giving up");
                return Err(e);
            }
        };
        tokio::time::sleep(wait).await;
        retry += 1;
    }
}

/// Connection failures, timeouts and bodies cut off mid-way are retried;
/// errors building the request are not.
fn is_retryable_transport(e: &reqwest::Error) -> bool {
    e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() || e.is_decode()
}

/// Turns the generated client's result into the SDK's, using what the last
/// attempt recorded so that no status, header or body byte is lost.
pub(crate) fn finish<T: serde::de::DeserializeOwned>(
    raw: &RawClient,
    result: Result<ResponseValue<T>, progenitor_client::Error<ErrorResponse>>,
) -> Result<ApiResponse<T>, Error> {
    let ctx = raw.inner();
    let operation = ctx.operation;
    let mut record = ctx.record();
    let attempts = record.attempts;
    let payload_error = match result {
        Ok(value) => {
            let status = value.status();
            let headers = value.headers().clone();
            return Ok(ApiResponse {
                status,
                headers,
                data: value.into_inner(),
            });
        }
        Err(progenitor_client::Error::InvalidRequest(message)) => {
            return Err(Error::invalid(operation, message));
        }
        Err(
            progenitor_client::Error::CommunicationError(source)
            | progenitor_client::Error::ResponseBodyError(source)
            | progenitor_client::Error::InvalidUpgrade(source),
        ) => {
            let transport = Box::new(TransportError {
                operation,
                attempts,
                source,
            });
            return Err(if transport.source.is_timeout() {
                Error::Timeout(transport)
            } else {
                Error::Connection(transport)
            });
        }
        Err(progenitor_client::Error::InvalidResponsePayload(_, e)) => Some(e),
        Err(_) => None,
    };
    let Some((status, headers, body)) = record.response.take() else {
        return Err(Error::invalid(
            operation,
            "no response was recorded for this call",
        ));
    };
    if record.too_large && status.is_success() {
        return Err(Error::Decode(Box::new(DecodeError {
            operation,
            status,
            headers,
            snippet: String::new(),
            reason: DecodeReason::TooLarge {
                limit: ctx.shared.max_response_bytes,
            },
        })));
    }
    if status.is_success() {
        let reason = match payload_error {
            Some(e) => e,
            None => match serde_json::from_slice::<T>(&body) {
                Err(e) => e,
                // Parsed after all: a success status progenitor did not expect.
                Ok(data) => {
                    return Ok(ApiResponse {
                        status,
                        headers,
                        data,
                    });
                }
            },
        };
        return Err(Error::Decode(Box::new(DecodeError {
            operation,
            status,
            headers,
            snippet: snippet(&body),
            reason: DecodeReason::Json(reason),
        })));
    }
    let parsed = serde_json::from_slice::<ErrorResponse>(&body).ok();
    Err(Error::Api(Box::new(ApiError {
        operation,
        status,
        body: parsed,
        raw_body: body,
        body_too_large: record.too_large,
        headers,
        attempts,
    })))
}
