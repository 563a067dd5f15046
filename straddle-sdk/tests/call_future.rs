//! What a call costs the caller's runtime: its future is `Send` (callers
//! spawn it on multi-threaded runtimes) and small (a runtime copies a task's
//! whole future several times). An integration test: it calls the
//! fragment's own operation, which the runtime's copies in scratch crates
//! do not have.

use straddle_sdk::Client;

fn is_send<T: Send>(_: &T) {}

/// A runtime copies a task's whole future several times (spawning it,
/// finishing it, reading its output): `send()`'s was 5,368 bytes in a
/// release build; a bare reqwest call's is 632. And callers spawn it on
/// multi-threaded runtimes.
#[test]
fn a_calls_future_is_send_and_stays_small() {
    let client = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    let send = client
        .customers()
        .review()
        .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        .send();
    is_send(&send);
    let size = std::mem::size_of_val(&send);
    assert!(size <= 1024, "send()'s future is {size} bytes");
    let raw = client
        .request(straddle_sdk::reqwest::Method::GET, "/v1/customers")
        .send::<serde_json::Value>();
    is_send(&raw);
}
