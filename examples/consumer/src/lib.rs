//! An application's own code that calls the Straddle API, as a user of
//! `straddle-sdk` writes it: approve a customer once Straddle has reviewed
//! them. Its tests (`tests/approve.rs`) use `straddle-sdk-mock` the way a
//! user's tests would.
//!
//! The code takes a `straddle_sdk::Client` rather than building one, so
//! tests give it the mock server's client.

use straddle_sdk::types::CustomerStatusV1;
use straddle_sdk::{Client, Error, StatusCode};

/// What Straddle's review decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The customer is verified: go ahead with the order.
    Approved,
    /// The customer is rejected: stop.
    Rejected,
    /// Any other status (`review`, `pending`, or one this SDK does not
    /// know yet), as Straddle sent it: ask again later.
    Waiting(String),
}

/// Why no decision was made.
#[derive(Debug)]
pub enum ApprovalError {
    /// Straddle rejected the request (`422`): its explanation, and the
    /// request id to give its support.
    Invalid {
        /// The server's detail, or its title when it sent no detail.
        detail: String,
        /// Straddle's id of the request.
        request_id: Option<String>,
    },
    /// Straddle knows no such customer (`404`).
    UnknownCustomer,
    /// Straddle did not answer in time or is failing, after the SDK's own
    /// retries: try again later.
    Unavailable(Error),
    /// Anything else: a bug here, or a configuration mistake.
    Other(Error),
}

impl std::fmt::Display for ApprovalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApprovalError::Invalid { detail, request_id } => {
                write!(f, "Straddle rejected the review: {detail}")?;
                match request_id {
                    Some(id) => write!(f, " (request {id})"),
                    None => Ok(()),
                }
            }
            ApprovalError::UnknownCustomer => f.write_str("Straddle knows no such customer"),
            ApprovalError::Unavailable(e) => write!(f, "Straddle is unavailable: {e}"),
            ApprovalError::Other(e) => write!(f, "the review failed: {e}"),
        }
    }
}

impl std::error::Error for ApprovalError {}

impl From<Error> for ApprovalError {
    fn from(error: Error) -> Self {
        match error.status() {
            Some(StatusCode::UNPROCESSABLE_ENTITY) => {
                let detail = error.api_error().map(|body| {
                    body.error
                        .detail
                        .as_deref()
                        .unwrap_or(&body.error.title)
                        .to_string()
                });
                ApprovalError::Invalid {
                    detail: detail.unwrap_or_default(),
                    request_id: error.api_request_id(),
                }
            }
            Some(StatusCode::NOT_FOUND) => ApprovalError::UnknownCustomer,
            _ if error.is_retryable() => ApprovalError::Unavailable(error),
            _ => ApprovalError::Other(error),
        }
    }
}

/// Asks Straddle to review the customer `customer_id` again for the order
/// `order` (sent as the correlation id, so both sides can trace it), and
/// turns the customer's status into a [`Decision`].
pub async fn approve_after_review(
    client: &Client,
    customer_id: &str,
    order: &str,
) -> Result<Decision, ApprovalError> {
    let customer = client
        .customers()
        .review()
        .refresh_review(customer_id)
        .correlation_id(order)
        .send()
        .await?;
    Ok(match &customer.data.status {
        CustomerStatusV1::Verified => Decision::Approved,
        CustomerStatusV1::Rejected => Decision::Rejected,
        other => Decision::Waiting(other.as_str().to_string()),
    })
}
