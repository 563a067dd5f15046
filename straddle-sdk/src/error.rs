//! The one error type every call returns, with the server's words kept.

use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::types::ErrorResponse;

/// How many bytes of an unparseable body an error keeps for display.
const SNIPPET_BYTES: usize = 512;

/// Everything that can go wrong with a call. Match on the variant, or use the
/// accessors ([`Error::status`], [`Error::api_error`], [`Error::request_id`],
/// [`Error::is_timeout`], [`Error::is_retryable`]) which work on every variant.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-success status.
    Api(Box<ApiError>),
    /// No answer within the configured timeout (on the last attempt).
    Timeout(Box<TransportError>),
    /// The connection failed or broke (refused, reset, body cut off).
    Connection(Box<TransportError>),
    /// A success status whose body is not the documented JSON, or is larger
    /// than the configured limit.
    Decode(Box<DecodeError>),
    /// An argument was rejected before any request was sent.
    InvalidRequest {
        /// The operation (`RefreshCustomerReview`).
        operation: &'static str,
        /// What is wrong with which argument.
        message: String,
    },
    /// The client could not be configured (missing API key, bad base URL, ...).
    Config {
        /// What is wrong.
        message: String,
    },
}

/// A non-success HTTP response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that was called.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The documented error body, when the body parses as one.
    pub body: Option<ErrorResponse>,
    /// The raw body as received; empty when it was over the size limit.
    pub raw_body: Bytes,
    /// Whether the body was larger than the client's size limit (and dropped).
    pub body_too_large: bool,
    /// The response headers.
    pub headers: HeaderMap,
    /// How many requests were sent for this call.
    pub attempts: u32,
}

/// A failure below HTTP: connecting, sending, or reading the response.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// The operation that was called.
    pub operation: &'static str,
    /// How many requests were sent for this call.
    pub attempts: u32,
    /// The underlying error.
    pub source: reqwest::Error,
}

/// A success status whose body could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation that was called.
    pub operation: &'static str,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The start of the body (at most 512 bytes, lossy UTF-8).
    pub snippet: String,
    /// Why the body was rejected.
    pub reason: DecodeReason,
}

/// Why a response body was rejected.
#[derive(Debug)]
#[non_exhaustive]
pub enum DecodeReason {
    /// The body is not the documented JSON.
    Json(serde_json::Error),
    /// The body is larger than the limit (`ClientBuilder::max_response_bytes`).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl Error {
    /// The HTTP status, where the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Timeout(e) | Error::Connection(e) => e.source.status(),
            Error::InvalidRequest { .. } | Error::Config { .. } => None,
        }
    }

    /// The server's parsed error body (`{ meta, response_type, error }`).
    pub fn api_error(&self) -> Option<&ErrorResponse> {
        match self {
            Error::Api(e) => e.body.as_ref(),
            _ => None,
        }
    }

    /// The request id the server reported: `meta.api_request_id` of the
    /// error body, or else a `Request-Id` / `X-Request-Id` response header.
    pub fn request_id(&self) -> Option<String> {
        let headers = match self {
            Error::Api(e) => {
                if let Some(body) = &e.body {
                    return Some(body.meta.api_request_id.to_string());
                }
                &e.headers
            }
            Error::Decode(e) => &e.headers,
            _ => return None,
        };
        request_id_header(headers)
    }

    /// Whether the call gave up because no answer came in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// Whether the same call could succeed if made again later (the client
    /// already retried it as configured): timeouts, connection failures,
    /// 408, 409, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => crate::retry::is_retryable_status(e.status),
            Error::Timeout(_) | Error::Connection(_) => true,
            Error::Decode(_) | Error::InvalidRequest { .. } | Error::Config { .. } => false,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(operation: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            operation,
            message: message.into(),
        }
    }
}

/// The request id in a response header, if any.
pub(crate) fn request_id_header(headers: &HeaderMap) -> Option<String> {
    ["request-id", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Server text made safe for one log line: control characters (CR, LF, ESC,
/// ...) become spaces, so a response cannot forge log lines or terminal codes.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The first bytes of a body, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let end = body.len().min(SNIPPET_BYTES);
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > end {
        text.push('…');
    }
    text
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => {
                write!(f, "{} failed with HTTP {}", e.operation, e.status)?;
                match &e.body {
                    Some(body) => {
                        write!(f, ": {}", one_line(&body.error.title))?;
                        if let Some(detail) = body.error.detail.as_ref() {
                            write!(f, ": {}", one_line(detail))?;
                        }
                        for item in body.error.items.iter().flatten() {
                            match item.reference.as_ref() {
                                Some(r) => {
                                    write!(f, "; {}: {}", one_line(r), one_line(&item.detail))?
                                }
                                None => write!(f, "; {}", one_line(&item.detail))?,
                            }
                        }
                    }
                    None if e.body_too_large => write!(f, ": body over the size limit, dropped")?,
                    None if !e.raw_body.is_empty() => {
                        write!(f, ": {}", one_line(&snippet(&e.raw_body)))?
                    }
                    None => {}
                }
                if let Some(id) = self.request_id() {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Timeout(e) => write!(
                f,
                "{} timed out after {} attempt(s): {}",
                e.operation, e.attempts, e.source
            ),
            Error::Connection(e) => write!(
                f,
                "{} could not reach the server after {} attempt(s): {}",
                e.operation, e.attempts, e.source
            ),
            Error::Decode(e) => {
                write!(
                    f,
                    "{} returned HTTP {} with an unusable body: ",
                    e.operation, e.status
                )?;
                match &e.reason {
                    DecodeReason::Json(err) => write!(f, "{}", one_line(&err.to_string()))?,
                    DecodeReason::TooLarge { limit } => {
                        write!(f, "larger than the {limit}-byte limit")?
                    }
                }
                if let Some(id) = self.request_id() {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::InvalidRequest { operation, message } => {
                write!(
                    f,
                    "{operation}: invalid request, nothing was sent: {message}"
                )
            }
            Error::Config { message } => write!(f, "invalid client configuration: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout(e) | Error::Connection(e) => Some(&e.source),
            Error::Decode(e) => match &e.reason {
                DecodeReason::Json(err) => Some(err),
                DecodeReason::TooLarge { .. } => None,
            },
            _ => None,
        }
    }
}
