//! Rust SDK for the [Straddle API](https://straddle.com): pay-by-bank
//! payments and customer identity checks.
//!
//! ```no_run
//! # async fn run() -> Result<(), straddle_sdk::Error> {
//! use straddle_sdk::{Client, Environment};
//!
//! let client = Client::builder()
//!     .api_key("sk_test_...")
//!     .environment(Environment::Sandbox)
//!     .build()?;
//! let customer = client
//!     .customers()
//!     .review()
//!     .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
//!     .send()
//!     .await?;
//! println!("{} is {}", customer.data.name, customer.data.status);
//! # Ok(()) }
//! ```
//!
//! What you get over calling the API by hand:
//! - types that keep working when the API adds fields or enum values
//!   (unknown fields are kept in `extra`; enums are `#[non_exhaustive]` and
//!   keep unknown values in `Unknown`, written back as sent);
//! - arguments checked before anything is sent;
//! - retries of transient failures that never apply a change twice: every
//!   `PUT`/`POST`/`PATCH`/`DELETE` carries an `Idempotency-Key`, the same on
//!   every attempt;
//! - one [`Error`] type that keeps the status, the server's error body and
//!   its request id.
//!
//! Where to look:
//! - [`Client`] and [`ClientBuilder`]: the API key, environment, retries
//!   ([`RetryPolicy`]), timeouts and default headers;
//! - [`resources`]: the resource tree. Each operation gives a [`Request`]
//!   with a setter per argument; `send()` returns the body,
//!   `send_with_response()` an [`ApiResponse`] (the body with its status,
//!   headers and attempts), and a list operation's `into_stream()` an
//!   [`ItemStream`] of every item, page after page;
//! - [`types`]: the request and response types;
//! - [`Error`]: every failure, with accessors that work on every variant;
//! - [`Intercept`] for caller code at named points of every call, and
//!   [`Client::request`] for a path the SDK does not expose yet.
//!
//! [`types`] and [`resources`] are generated from the OpenAPI fragment that
//! ships in this package (`openapi/straddle.json`); the rest is written by
//! hand.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod config;
mod encode;
mod error;
mod headers;
mod idempotency;
mod intercept;
mod nullable;
mod open_enum;
mod pagination;
mod params;
mod pipeline;
mod raw;
pub mod redact;
mod request;
mod response;
mod retry;
mod structs;
mod timestamp;
// Used by generated unions; a spec may have none.
#[allow(dead_code, unused_macros)]
mod union;
#[cfg(feature = "webhooks")]
pub mod webhooks;

// The macros generated code invokes for what every open enum, union,
// struct and request builder shares.
pub(crate) use open_enum::open_enum;
pub(crate) use redact::redacted_debug;
pub(crate) use request::request_builder;
pub(crate) use structs::api_struct;
#[allow(unused_imports)]
pub(crate) use union::one_pass_union;

// Formatted by prettyplease in `cargo xtask codegen`; rustfmt would churn it.
#[rustfmt::skip]
#[allow(dead_code, missing_docs, unused_imports, clippy::all)]
mod generated;

/// The API's request and response types, generated from the OpenAPI fragment.
pub mod types {
    pub use crate::generated::enums::*;
    pub use crate::generated::types::*;
    // Empty, and so unused, if the spec has no union that gets a one-pass decoder.
    #[allow(unused_imports)]
    pub use crate::generated::unions::*;
}

/// Request builders of the resource tree (`client.customers().review()...`).
pub mod resources {
    pub use crate::generated::resources::*;
}

// Crates whose types appear in the public API (`uuid::Uuid` ids,
// `serde_json::Map` in `extra`, `chrono` instants, `indexmap::IndexMap`
// metadata, `bytes::Bytes` and `reqwest` in responses and errors,
// `schemars::JsonSchema`, the `Stream` a list returns), so naming them
// needs no second dependency at a matching version.
#[doc(no_inline)]
pub use bytes;
#[doc(no_inline)]
pub use chrono;
/// `StreamExt` and `TryStreamExt`, for combinators of an [`ItemStream`]
/// beyond its own methods.
#[doc(no_inline)]
pub use futures_util;
#[doc(no_inline)]
pub use indexmap;
#[doc(no_inline)]
pub use reqwest;
#[cfg(feature = "schemars")]
#[doc(no_inline)]
pub use schemars;
#[doc(no_inline)]
pub use serde_json;
#[doc(no_inline)]
pub use uuid;

pub use auth::ApiKey;
pub use config::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    ENV_API_KEY, ENV_BASE_URL, ENV_ENVIRONMENT, Environment,
};
pub use encode::JsonBody;
#[doc(hidden)]
pub use encode::{Check, Encoder, Style};
pub use error::{
    ApiError, DeadlineError, DecodeError, DecodeReason, Error, InterceptorError, TransportError,
};
pub use intercept::{
    AttemptContext, AttemptOutcome, BoxError, CallContext, CallSummary, Intercept, Phase,
};
pub use nullable::Nullable;
pub use open_enum::OpenEnum;
#[doc(hidden)]
pub use pagination::MetaNumber;
pub use pagination::{ItemStream, PageInfo, Paginated};
pub use params::UuidArg;
pub use pipeline::{IDEMPOTENCY_KEY, RETRY_COUNT};
pub use raw::RawRequest;
pub use request::{Operation, OperationRequest, Request};
#[doc(no_inline)]
pub use reqwest::StatusCode;
#[doc(no_inline)]
pub use reqwest::header::HeaderMap;
pub use response::ApiResponse;
pub use retry::{RetryPolicy, is_retryable_status};
pub use timestamp::Timestamp;
pub use union::OnePassUnion;

/// The crate README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
