//! A receiver of Straddle's webhooks, as an application writes it with
//! axum: the handler takes the raw body bytes and the headers, verifies the
//! signature, deduplicates on the message id (Straddle delivers at least
//! once), matches the event, hands the work to a task and answers at once
//! (Straddle waits 15 s at most). `src/main.rs` serves it;
//! `tests/loopback.rs` sends it signed and tampered requests over loopback,
//! signed with `straddle_sdk_mock::sign_webhook`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use straddle_sdk::webhooks::{self, Event, Webhook};
use tokio::sync::mpsc;

/// The path Straddle's dashboard is given for this endpoint.
pub const PATH: &str = "/webhooks/straddle";

/// What the handler shares between requests.
#[derive(Clone)]
struct Receiver {
    webhook: Webhook,
    /// Message ids already accepted. An application keeps these where its
    /// work is recorded (a unique key in its database), not in memory.
    seen: Arc<Mutex<HashSet<String>>>,
    /// Where accepted events go to be worked on, after the answer.
    work: mpsc::Sender<Event>,
}

/// The receiver's routes: `POST /webhooks/straddle`, verified with
/// `webhook`. Accepted customer events are sent to `work`.
pub fn router(webhook: Webhook, work: mpsc::Sender<Event>) -> Router {
    let receiver = Receiver {
        webhook,
        seen: Arc::default(),
        work,
    };
    Router::new()
        .route(PATH, post(receive))
        .with_state(receiver)
}

/// One delivery. `body` is the raw bytes: an extractor such as
/// `Json<Value>` would parse and re-serialize it, and the signature would
/// no longer match.
async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let event = match receiver.webhook.verify_event(&body, &headers) {
        Ok(event) => event,
        // Not from Straddle, or changed on the way: never acted on.
        Err(e) if e.is_signature_error() => {
            eprintln!("rejected a webhook: {e}");
            return StatusCode::UNAUTHORIZED;
        }
        // Signed by Straddle but not readable by this SDK version: a
        // non-2xx answer keeps it in Straddle's retries (and its dashboard).
        Err(e) => {
            eprintln!("could not read a signed webhook: {e}");
            return StatusCode::UNPROCESSABLE_ENTITY;
        }
    };
    // Verified, so the id is Straddle's: a repeated delivery is
    // acknowledged and not worked on twice.
    let id = webhooks::message_id(&headers)
        .unwrap_or_default()
        .to_owned();
    if !lock(&receiver.seen).insert(id.clone()) {
        return StatusCode::OK;
    }
    match event {
        Event::CustomerCreatedV1(_) | Event::CustomerEventV1(_) => {
            // Queued, not done here: the answer goes back at once.
            if receiver.work.try_send(event).is_err() {
                // Full or closed: forget the id so Straddle's retry is taken.
                lock(&receiver.seen).remove(&id);
                return StatusCode::SERVICE_UNAVAILABLE;
            }
        }
        other => eprintln!("not handled: {}", other.event_type()),
    }
    StatusCode::OK
}

/// The work on one accepted event (here, a line of output).
pub fn work_on(event: &Event) -> String {
    match event {
        Event::CustomerCreatedV1(created) => format!(
            "customer {} created ({})",
            created.data.id, created.data.status
        ),
        Event::CustomerEventV1(changed) => {
            format!("customer {} is {}", changed.data.id, changed.data.status)
        }
        other => format!("{} ignored", other.event_type()),
    }
}

/// Locks `mutex`, also after a panic elsewhere: a set of ids is whole after
/// every insert.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
