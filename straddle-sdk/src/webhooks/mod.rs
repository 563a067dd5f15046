//! Receiving Straddle's webhooks: check their signature, read them as
//! typed events (feature `webhooks`, on by default).
//!
//! Straddle signs each webhook as the Standard Webhooks specification says
//! (it sends them through Svix): an HMAC-SHA256 of the message id, the
//! timestamp and the raw body, under your endpoint's `whsec_...` secret.
//! [`Webhook::verify_event`] checks that signature and the timestamp (five
//! minutes either way), and only then reads the body as an [`Event`]:
//!
//! ```
//! use straddle_sdk::HeaderMap;
//! use straddle_sdk::webhooks::{Event, Webhook, WebhookError};
//!
//! fn handle(webhook: &Webhook, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
//!     match webhook.verify_event(body, headers)? {
//!         Event::CustomerCreatedV1(event) => println!("new customer {}", event.data.id),
//!         Event::CustomerEventV1(event) => println!("{} is {}", event.data.id, event.data.status),
//!         other => println!("not handled here: {}", other.event_type()),
//!     }
//!     Ok(())
//! }
//! ```
//!
//! - Pass the body's raw bytes, as received: JSON parsed and written again
//!   by a framework no longer matches the signature.
//! - Straddle delivers at least once: deduplicate on [`message_id`] (the
//!   `webhook-id` header, the same on every delivery of one message) after
//!   verifying.
//! - Answer with a 2xx within 15 s; do slow work after answering.
//! - Events of a type this SDK does not know are [`Event::Unknown`] (the
//!   JSON as received), not errors: Straddle adds events.
//!
//! In tests of a receiver, `straddle_sdk_mock::sign_webhook` signs a body
//! with a test secret and returns the three headers.

mod error;
pub(crate) mod event;
mod signature;

pub use crate::generated::webhooks::Event;
pub use error::WebhookError;
pub use event::{Envelope, UnknownEvent};
pub use signature::{DEFAULT_TOLERANCE, Webhook, message_id};
