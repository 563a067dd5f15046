//! The one error type every call returns, with the server's words kept.
//!
//! `Display` of an [`Error`] says everything in one line, the cause of a
//! transport failure included ("connection refused", "dns error: ...");
//! so `source()` returns nothing and an error reporter that walks the chain
//! prints no text twice. The underlying errors stay reachable as fields
//! ([`TransportError::source`], [`DecodeReason::Json`],
//! [`InterceptorError::source`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::types::ErrorResponse;

/// How many bytes of an unparseable body an error keeps for display.
const SNIPPET_BYTES: usize = 512;

/// Everything that can go wrong with a call. Match on the variant, or use the
/// accessors ([`Error::status`], [`Error::api_error`],
/// [`Error::api_request_id`], [`Error::retry_after`], [`Error::attempts`],
/// [`Error::is_timeout`], [`Error::is_retryable`]) which work on every variant.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-success status.
    Api(Box<ApiError>),
    /// No complete answer within the per-attempt timeout
    /// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)) on the
    /// last attempt the call could make. A call's `total_timeout` ends it
    /// with [`Error::Deadline`] instead.
    Timeout(Box<TransportError>),
    /// The connection failed or broke (refused, reset, body cut off).
    Connection(Box<TransportError>),
    /// A success status whose body is not the documented JSON, or is larger
    /// than the configured limit.
    Decode(Box<DecodeError>),
    /// The call's `total_timeout` passed before it ended (attempts and the
    /// waits between them included).
    Deadline(Box<DeadlineError>),
    /// An interceptor ([`Intercept`](crate::Intercept)) failed the call.
    Interceptor(Box<InterceptorError>),
    /// An argument, a header added with `.header(..)` or a raw call's path
    /// was rejected before any request was sent.
    InvalidRequest {
        /// The operation (`RefreshCustomerReview`, or `GET /v1/...` for a raw call).
        operation: Cow<'static, str>,
        /// What is wrong with which argument.
        message: String,
    },
    /// The client could not be configured (missing API key, bad base URL, ...).
    Config {
        /// What is wrong.
        message: String,
    },
}

/// A non-success HTTP response. `Debug` redacts what identifies a person
/// or an account in the raw body ([`crate::redact`]); `raw_body` itself
/// is the body as received.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that was called.
    pub operation: Cow<'static, str>,
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
    pub operation: Cow<'static, str>,
    /// How many requests were sent for this call.
    pub attempts: u32,
    /// The underlying error; its cause is already in the `Display` of the
    /// [`Error`], which therefore does not return it from `source()`.
    pub source: reqwest::Error,
}

/// A call whose `total_timeout` passed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeadlineError {
    /// The operation that was called.
    pub operation: Cow<'static, str>,
    /// Requests sent for this call, the one cut short included.
    pub attempts: u32,
    /// The deadline the call had.
    pub total_timeout: Duration,
}

/// An interceptor's refusal of a call.
#[derive(Debug)]
#[non_exhaustive]
pub struct InterceptorError {
    /// The operation that was called.
    pub operation: Cow<'static, str>,
    /// The hook that failed.
    pub phase: crate::intercept::Phase,
    /// The interceptor's [`Intercept::name`](crate::Intercept::name).
    pub interceptor: &'static str,
    /// Requests sent for this call before the hook failed.
    pub attempts: u32,
    /// The interceptor's own error; downcast it to its type.
    pub source: crate::intercept::BoxError,
}

/// A success status whose body could not be used. `Debug` redacts what
/// identifies a person or an account in the snippet ([`crate::redact`]).
#[non_exhaustive]
pub struct DecodeError {
    /// The operation that was called.
    pub operation: Cow<'static, str>,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// How many requests were sent for this call.
    pub attempts: u32,
    /// The start of the body: its first 512 bytes as lossy UTF-8, with `…`
    /// after them when there was more; empty for a body over the size limit.
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
    /// The body is larger than the limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body", &self.body)
            .field(
                "raw_body",
                &crate::redact::json_text(&String::from_utf8_lossy(&self.raw_body)),
            )
            .field("body_too_large", &self.body_too_large)
            .field("headers", &self.headers)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("attempts", &self.attempts)
            .field("snippet", &crate::redact::json_text(&self.snippet))
            .field("reason", &self.reason)
            .finish()
    }
}

impl Error {
    /// The HTTP status, where the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Timeout(e) | Error::Connection(e) => e.source.status(),
            Error::Deadline(_)
            | Error::Interceptor(_)
            | Error::InvalidRequest { .. }
            | Error::Config { .. } => None,
        }
    }

    /// An [`Error::Api`] as the SDK would return it for `operation`, from a
    /// status and the server's error body: for unit tests of code that
    /// handles errors, without a server. The raw body is `body` as JSON.
    pub fn api(
        operation: impl Into<Cow<'static, str>>,
        status: StatusCode,
        body: ErrorResponse,
    ) -> Self {
        let raw_body = serde_json::to_vec(&body)
            .map(Bytes::from)
            .unwrap_or_default();
        Error::Api(Box::new(ApiError {
            operation: operation.into(),
            status,
            body: Some(body),
            raw_body,
            body_too_large: false,
            headers: HeaderMap::new(),
            attempts: 1,
        }))
    }

    /// The server's parsed error body (`{ meta, response_type, error }`).
    pub fn api_error(&self) -> Option<&ErrorResponse> {
        match self {
            Error::Api(e) => e.body.as_ref(),
            _ => None,
        }
    }

    /// The request id the server reported, to quote to Straddle's support:
    /// `meta.api_request_id` of the error body, or else a `Request-Id` /
    /// `X-Request-Id` response header. Not the id a caller sends with
    /// `.request_id(..)` (the `Request-Id` request header).
    pub fn api_request_id(&self) -> Option<String> {
        match self {
            Error::Api(e) => match &e.body {
                Some(body) => Some(body.meta.api_request_id.to_string()),
                None => api_request_id(Some(&e.raw_body), &e.headers),
            },
            Error::Decode(e) => request_id_header(&e.headers),
            _ => None,
        }
    }

    /// How long the server asked the caller to wait before trying again
    /// (`Retry-After` in seconds or as an HTTP date, or `retry-after-ms`).
    /// A wait longer than the retry policy's `max_retry_after` is not slept
    /// through: the call returns at once with this error.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => crate::retry::retry_after(&e.headers),
            _ => None,
        }
    }

    /// How many requests were sent for this call (0 when it failed before
    /// sending, for example an invalid argument).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Timeout(e) | Error::Connection(e) => e.attempts,
            Error::Interceptor(e) => e.attempts,
            Error::Deadline(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::InvalidRequest { .. } | Error::Config { .. } => 0,
        }
    }

    /// Whether the call gave up because no answer came in time: an
    /// attempt's timeout, or the call's `total_timeout`.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_) | Error::Deadline(_))
    }

    /// Whether the same call could succeed if made again later (the client
    /// already retried it as configured): timeouts, connection failures,
    /// 408, 409, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => crate::retry::is_retryable_status(e.status),
            Error::Timeout(_) | Error::Connection(_) | Error::Deadline(_) => true,
            Error::Decode(_)
            | Error::Interceptor(_)
            | Error::InvalidRequest { .. }
            | Error::Config { .. } => false,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(
        operation: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidRequest {
            operation: operation.into(),
            message: message.into(),
        }
    }
}

/// The request id the server reported: `meta.api_request_id` of a JSON
/// body, or else a `Request-Id` / `X-Request-Id` header.
pub(crate) fn api_request_id(body: Option<&[u8]>, headers: &HeaderMap) -> Option<String> {
    // Only a body that is JSON text: `from_slice` does not check the UTF-8
    // of the strings it skips.
    body.and_then(|b| std::str::from_utf8(b).ok())
        .filter(|text| !text.is_empty())
        .and_then(|text| {
            let mut reader = serde_json::Deserializer::from_str(text);
            serde::Deserializer::deserialize_map(&mut reader, Object { inner: false }).ok()
        })
        .flatten()
        .or_else(|| request_id_header(headers))
}

/// Reads `meta.api_request_id` out of a JSON object, skipping the rest
/// without building it; anything but objects on the way is no id.
struct Object {
    /// Whether this is the `meta` object (else the body).
    inner: bool,
}

impl<'de> serde::de::Visitor<'de> for Object {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        while let Some(key) = map.next_key::<Key>()? {
            match (self.inner, key) {
                (false, Key::Meta) => id = map.next_value_seed(Object { inner: true })?,
                (true, Key::ApiRequestId) => id = map.next_value::<Option<String>>()?,
                _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
            }
        }
        Ok(id)
    }
}

/// An object key, told apart without allocating.
enum Key {
    Meta,
    ApiRequestId,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "meta" => Key::Meta,
                    "api_request_id" => Key::ApiRequestId,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(Name)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Object {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
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

/// An error as tracing records it: what failed, the status and the
/// server's title and request id, and a transport error's cause, but no
/// body, no server detail (which can echo what was sent) and no argument's
/// value. `Display` keeps all of them.
pub(crate) struct ForLog<'a>(pub(crate) &'a Error);

impl fmt::Display for ForLog<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.0;
        match error {
            Error::Api(e) => {
                write!(f, "{} failed with HTTP {}", e.operation, e.status)?;
                if let Some(body) = &e.body {
                    write!(f, ": {}", one_line(&body.error.title))?;
                }
            }
            Error::Decode(e) => {
                let why = match &e.reason {
                    DecodeReason::Json(_) => "not the documented JSON".to_string(),
                    DecodeReason::TooLarge { limit } => {
                        format!("larger than the {limit}-byte limit")
                    }
                };
                write!(
                    f,
                    "{} returned HTTP {} with an unusable body: {why}",
                    e.operation, e.status
                )?;
            }
            Error::InvalidRequest { operation, .. } => {
                return write!(f, "{operation}: invalid request, nothing was sent");
            }
            other => return fmt::Display::fmt(other, f),
        }
        match error.api_request_id() {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
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
                if let Some(id) = self.api_request_id() {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Timeout(e) => write!(
                f,
                "{} timed out after {} attempt(s): {}",
                e.operation,
                e.attempts,
                cause(&e.source)
            ),
            Error::Connection(e) => write!(
                f,
                "{} could not reach the server after {} attempt(s): {}",
                e.operation,
                e.attempts,
                cause(&e.source)
            ),
            Error::Deadline(e) => write!(
                f,
                "{} did not finish within its total timeout of {:?} ({} attempt(s))",
                e.operation, e.total_timeout, e.attempts
            ),
            Error::Interceptor(e) => write!(
                f,
                "{}: the interceptor `{}` failed the call in `{}` after {} attempt(s): {}",
                e.operation,
                e.interceptor,
                e.phase,
                e.attempts,
                one_line(&e.source.to_string())
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
                if let Some(id) = self.api_request_id() {
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

/// `source()` is `None`: `Display` already names the cause ("connection
/// refused", "dns error: ...", the server's title and detail), so an error
/// reporter that walks the chain prints nothing twice. The underlying
/// errors stay reachable as fields: [`TransportError::source`],
/// [`DecodeReason::Json`] and [`InterceptorError::source`].
impl std::error::Error for Error {}

/// What went wrong below HTTP, in words: the kind of failure ("connection
/// refused", "dns error", "tls handshake failed", ...) and the innermost
/// message, each said once. reqwest's own top line ("error sending request
/// for url (...)") is left out: it names no cause, and its URL can carry
/// query arguments.
pub(crate) fn cause(error: &reqwest::Error) -> String {
    let mut chain: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut next = std::error::Error::source(error);
    while let Some(e) = next {
        chain.push(e);
        next = e.source();
    }
    let io_kind = chain
        .iter()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let texts: Vec<String> = chain.iter().map(|e| e.to_string()).collect();
    let lower = texts.join(" | ").to_ascii_lowercase();
    let innermost = texts.last().map(|t| one_line(t)).unwrap_or_default();
    use std::io::ErrorKind;
    let kind = if error.is_timeout() {
        "timed out"
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        "dns error"
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("ssl")
        || lower.contains("handshake")
        || lower.contains("received corrupt message")
    {
        "tls handshake failed"
    } else {
        match io_kind {
            Some(ErrorKind::ConnectionRefused) => "connection refused",
            Some(ErrorKind::ConnectionReset) => "connection reset",
            Some(ErrorKind::ConnectionAborted) => "connection aborted",
            Some(ErrorKind::UnexpectedEof) => "connection closed early",
            _ if error.is_body() || error.is_decode() => "the response body was cut off",
            _ if error.is_connect() => "cannot connect",
            _ if error.is_builder() => "the request could not be built",
            _ => "transport error",
        }
    };
    if innermost.is_empty() {
        kind.to_string()
    } else if innermost.to_ascii_lowercase().contains(kind) {
        innermost
    } else {
        format!("{kind}: {innermost}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_server_request_id_is_read_from_an_object_body_or_else_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("hdr"));
        let id = |body: &[u8]| api_request_id(Some(body), &headers);
        let body = br#"{"data":{"meta":{"api_request_id":"inner"}},"meta":{"x":[1,{"a":2}],"api_request_id":"a\u0062c"}}"#;
        assert_eq!(id(body).as_deref(), Some("abc"));
        for not_an_id in [
            &br#"{"meta":["x"]}"#[..],
            br#"[{"api_request_id":"x"}]"#,
            br#"{"meta":{"api_request_id":7}}"#,
            br#"{"meta":null}"#,
            b"{\"meta\":{\"api_request_id\":\"x\",\"t\":\"\xff\"}}",
            b"",
            b"not json",
        ] {
            assert_eq!(id(not_an_id).as_deref(), Some("hdr"), "{not_an_id:?}");
        }
        assert_eq!(api_request_id(None, &HeaderMap::new()), None);
    }
}
