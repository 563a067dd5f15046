//! Refresh a customer's identity review with configuration from the
//! environment, and handle each kind of error.
//!
//! ```sh
//! STRADDLE_API_KEY=sk_test_... cargo run -p straddle-sdk --example refresh_review -- <customer-id>
//! ```

use straddle_sdk::types::CustomerStatusV1;
use straddle_sdk::{Client, Error};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Some(customer_id) = std::env::args().nth(1) else {
        eprintln!("usage: refresh_review <customer-id>");
        return std::process::ExitCode::FAILURE;
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match client
        .customers()
        .review()
        .refresh_review(customer_id.as_str())
        .send()
        .await
    {
        Ok(response) => {
            let customer = response.data;
            match &customer.status {
                CustomerStatusV1::Verified => println!("{} is verified", customer.name),
                // Every other status, including ones added to the API after
                // this SDK was generated: printed as the server sent it.
                status if status.is_known() => println!("{} is {status}", customer.name),
                status => println!(
                    "{} has a status this SDK does not know: {status}",
                    customer.name
                ),
            }
            std::process::ExitCode::SUCCESS
        }
        Err(Error::InvalidRequest { message, .. }) => {
            eprintln!("not sent: {message}");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            // One line with the status, the server's title and detail, and its request id.
            eprintln!("{e}");
            if let Some(body) = e.api_error() {
                for item in body.error.items.iter().flatten() {
                    eprintln!("  {:?}: {}", item.reference, item.detail);
                }
            }
            if let Some(wait) = e.retry_after() {
                eprintln!(
                    "(the server asks to wait {}s before trying again)",
                    wait.as_secs()
                );
            } else if e.is_retryable() {
                eprintln!(
                    "(transient: the SDK already retried {} time(s); try again later)",
                    e.attempts().saturating_sub(1)
                );
            }
            std::process::ExitCode::FAILURE
        }
    }
}
