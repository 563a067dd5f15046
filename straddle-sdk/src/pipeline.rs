//! The request pipeline behind every generated operation: auth, idempotency
//! key, per-attempt timeout, retries, a bounded body read, tracing, and the
//! mapping of what happened on the wire to a typed value or an [`Error`].
//!
//! [`crate::Request`] has the operation encode its arguments into a
//! `reqwest::Request` ([`crate::encode`]) and hands it here as a [`Call`].

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{RequestOptions, Shared};
use crate::error::{ApiError, DecodeError, DecodeReason, TransportError, snippet};
use crate::types::ErrorResponse;
use crate::{Client, Error};

/// Header carrying the idempotency key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Header carrying the attempt number (0 for the first request, 1 for the
/// first retry, ...), so server logs can tell retries apart.
pub const RETRY_COUNT: HeaderName = HeaderName::from_static("x-straddle-retry-count");

const JSON: HeaderValue = HeaderValue::from_static("application/json");

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

/// One call of an operation, as generated code describes it.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    operation: &'static str,
    options: RequestOptions,
    request: reqwest::Request,
}

impl<'a> Call<'a> {
    /// A call of `operation`: `request` as the operation's arguments built it.
    pub(crate) fn new(
        client: &'a Client,
        operation: &'static str,
        request: reqwest::Request,
        options: RequestOptions,
    ) -> Self {
        Self {
            shared: &client.shared,
            operation,
            options,
            request,
        }
    }

    /// Sends the call (with retries) and decodes a success body as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(mut self) -> Result<ApiResponse<T>, Error> {
        let shared = self.shared;
        let operation = self.operation;
        prepare(shared, &mut self.request);
        let span = tracing::info_span!(
            "straddle.call",
            operation,
            method = %self.request.method(),
            path = self.request.url().path(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let outcome = execute_with_retries(&mut self).instrument(span).await;
        decode(operation, shared.max_response_bytes, outcome)
    }
}

/// Headers every request carries; the idempotency key is fixed here, once
/// per call, so every retry sends the same one.
fn prepare(shared: &Shared, request: &mut reqwest::Request) {
    let mutating = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let headers = request.headers_mut();
    headers.insert(AUTHORIZATION, shared.api_key.authorization().clone());
    headers.insert(USER_AGENT, shared.user_agent.clone());
    headers.insert(ACCEPT, JSON);
    if mutating && !headers.contains_key(IDEMPOTENCY_KEY) {
        let mut buf = uuid::Uuid::encode_buffer();
        let key = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
        if let Ok(value) = HeaderValue::from_str(key) {
            headers.insert(IDEMPOTENCY_KEY, value);
        }
    }
}

/// What the last attempt of a call produced.
struct Outcome {
    attempts: u32,
    result: Result<Answer, reqwest::Error>,
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

async fn execute_with_retries(call: &mut Call<'_>) -> Outcome {
    let shared = call.shared;
    let policy = &shared.retry;
    let max_retries = call.options.max_retries.unwrap_or(policy.max_retries);
    let timeout: Duration = call.options.timeout.unwrap_or(shared.timeout);
    let mut retry = 0u32;
    loop {
        let attempt = retry;
        tracing::Span::current().record("attempts", attempt + 1);
        let Some(mut request) = call.request.try_clone() else {
            // Only streaming bodies cannot be cloned, and generated calls never
            // send one; such a request is sent once, as it is.
            let placeholder = reqwest::Request::new(Method::GET, call.request.url().clone());
            let request = std::mem::replace(&mut call.request, placeholder);
            let result = match shared.http.execute(request).await {
                Ok(response) => read_answer(response, shared.max_response_bytes).await,
                Err(e) => Err(e),
            };
            return Outcome {
                attempts: attempt + 1,
                result,
            };
        };
        request
            .headers_mut()
            .insert(RETRY_COUNT, HeaderValue::from(attempt));
        *request.timeout_mut() = Some(timeout);
        let started = Instant::now();
        let attempt_span = tracing::debug_span!(
            "straddle.attempt",
            attempt,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let result = async {
            let response = shared.http.execute(request).await?;
            let status = response.status();
            if attempt < max_retries && policy.should_retry(status, response.headers()) {
                let headers = response.headers().clone();
                return Ok(Err((status, headers)));
            }
            read_answer(response, shared.max_response_bytes)
                .await
                .map(Ok)
        }
        .instrument(attempt_span.clone())
        .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        attempt_span.record("elapsed_ms", elapsed_ms);

        let wait = match result {
            Ok(Ok(answer)) => {
                attempt_span.record("status", answer.status.as_u16());
                if !attempt_span.is_disabled()
                    && let Some(id) = crate::error::request_id_header(&answer.headers)
                {
                    attempt_span.record("request_id", id.as_str());
                }
                tracing::Span::current().record("status", answer.status.as_u16());
                tracing::debug!(
                    attempt,
                    status = answer.status.as_u16(),
                    elapsed_ms,
                    "response"
                );
                return Outcome {
                    attempts: attempt + 1,
                    result: Ok(answer),
                };
            }
            Ok(Err((status, headers))) => {
                attempt_span.record("status", status.as_u16());
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
                return Outcome {
                    attempts: attempt + 1,
                    result: Err(e),
                };
            }
        };
        tokio::time::sleep(wait).await;
        retry += 1;
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
    operation: &'static str,
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
        Err(source) => {
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
            }),
            Err(e) => Err(Error::Decode(Box::new(DecodeError {
                operation,
                status,
                headers,
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
