//! Helpers shared by the workspace-level tests.

/// The workspace README's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadmeDoctests;

use std::path::PathBuf;
use std::time::Duration;

use straddle_sdk::{Client, RetryPolicy};

/// The customer id of the documented example.
pub const CUSTOMER_ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
/// The API key tests use; it must never show up in output.
pub const TEST_KEY: &str = "sk_test_SECRET_0123456789";

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture_text(name: &str) -> String {
    let path = root().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `tests/fixtures/<name>` as JSON.
pub fn fixture(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture_text(name)).expect("fixture is JSON")
}

/// A retry policy with millisecond backoff, so retry tests stay fast.
pub fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// A client pointed at `base_url` with fast retries.
pub fn client(base_url: &str, max_retries: u32) -> Client {
    Client::builder()
        .api_key(TEST_KEY)
        .base_url(base_url)
        .retry_policy(fast_retries(max_retries))
        .build()
        .expect("test client builds")
}

/// `refresh_review` of the documented customer, with no optional arguments.
pub async fn refresh_review(
    client: &Client,
) -> Result<straddle_sdk::types::CustomerV1ItemResponse, straddle_sdk::Error> {
    client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .send()
        .await
}
