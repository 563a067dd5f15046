#![doc = include_str!("../README.md")]
//!
//! # Items
//!
//! [`MockServer`] is the loopback server; [`MockServer::expect`] starts an
//! [`Expectation`] from a request of the SDK, [`MockServer::expect_raw`]
//! one from a raw call ([`RawCall`]); [`Answer`] is what it answers,
//! [`Mounted`] what it received ([`ReceivedRequest`]). [`samples`] holds a
//! sample response of every operation, [`error_response`] builds an error
//! body. [`MockServer::stop`] stops the server; [`RETRY_WAIT_DIVISOR`]
//! says how much faster a mock client's retry waits are.
//! [`sign_webhook`] signs a webhook body as Straddle does, for tests of a
//! webhook receiver.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod answer;
mod error;
mod expectation;
mod listener;
mod received;
mod server;
mod webhook;

// Written by `cargo xtask codegen` from the SDK's OpenAPI fragment;
// formatted by prettyplease there, so rustfmt leaves it alone.
#[rustfmt::skip]
#[path = "generated/samples.rs"]
pub mod samples;

pub use answer::{Answer, RawCall, SuccessBody, error_response};
pub use error::MockError;
pub use expectation::{Expectation, Mounted};
pub use received::ReceivedRequest;
pub use server::{MockServer, RETRY_WAIT_DIVISOR, TEST_API_KEY};
pub use webhook::{SignWebhookError, sign_webhook};

/// The generated sample of `operation`, decoded into its response type.
/// It cannot fail for the generated samples: a test decodes each one.
fn decode_sample<T: serde::de::DeserializeOwned>(operation: &str, json: &str) -> T {
    match straddle_sdk::serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => panic!("the sample response of {operation} does not decode into its type: {e}"),
    }
}

/// The generated sample of the webhook event `name`, read as the SDK reads
/// a webhook's body. It cannot fail for the generated samples: a test
/// reads each one.
#[cfg(feature = "webhooks")]
#[allow(dead_code)] // a spec may have no events
fn decode_event(name: &str, json: &str) -> straddle_sdk::webhooks::Event {
    match straddle_sdk::webhooks::Event::from_unverified_json(json.as_bytes()) {
        Ok(event) => event,
        Err(e) => panic!("the sample of the {name} event does not read as one: {e}"),
    }
}

/// Locks `mutex`, also after a panic elsewhere: the data is an append-only
/// record, whole after every push.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
