//! The baseline every per-call comparison uses: `refresh_review` made by
//! hand with `reqwest` and `serde_json`, shared by `http.rs` and the
//! callgrind harness (`examples/callgrind.rs`) so both measure the same call.

use std::error::Error as StdError;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};
use straddle_sdk::types::CustomerV1ItemResponse;

/// The customer id of the documented example.
pub const CUSTOMER_ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
/// Any key will do: the loopback servers do not check it.
pub const API_KEY: &str = "sk_test_bench";
/// The SDK's `User-Agent`, for calls with the SDK's headers.
pub const SDK_USER_AGENT: &str = concat!("straddle-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// Errors of a bare call, boxed.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// `PUT {base}/v1/customers/{id}/refresh_review` with `Accept` and
/// `Authorization`, a status check and `serde_json::from_slice`. With
/// `same_wire`, it also sends the SDK's other headers (`User-Agent`,
/// `Idempotency-Key`, retry count); with `timeout`, reqwest's per-request timeout.
pub async fn refresh_review(
    http: &reqwest::Client,
    base: &str,
    same_wire: bool,
    timeout: Option<Duration>,
) -> Result<CustomerV1ItemResponse, BoxError> {
    let mut request = http
        .put(format!("{base}/v1/customers/{CUSTOMER_ID}/refresh_review"))
        .header(ACCEPT, "application/json")
        .bearer_auth(API_KEY);
    if same_wire {
        request = request
            .header(USER_AGENT, HeaderValue::from_static(SDK_USER_AGENT))
            .header(
                HeaderName::from_static("idempotency-key"),
                HeaderValue::from_static("0b9e4c1e-5f8a-4d3b-9c2a-7e6f5d4c3b2a"),
            )
            .header(straddle_sdk::RETRY_COUNT, HeaderValue::from(0u32));
    }
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    let response = request.send().await?.error_for_status()?;
    let body = response.bytes().await?;
    Ok(serde_json::from_slice(&body)?)
}
