//! What the mock's test files share: the call most tests expect and make,
//! and a server with an expectation of it mounted.

use straddle_sdk::Client;
use straddle_sdk::resources::{RefreshCustomerReview, RefreshCustomerReviewRequest};
use straddle_sdk_mock::{Answer, MockServer, Mounted};

/// The customer most tests refresh.
pub const ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

/// A test's result: `?` on any error fails it with that error.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `refresh_review(ID)`: the call most tests expect and make.
pub fn refresh(client: &Client) -> RefreshCustomerReviewRequest<'_> {
    client.customers().review().refresh_review(ID)
}

/// A server, its client, and an expectation of [`refresh`] with `answer`.
pub async fn serve(answer: Answer<RefreshCustomerReview>) -> Result<(MockServer, Client, Mounted)> {
    let server = MockServer::start().await;
    let client = server.client()?;
    let mounted = server
        .expect(refresh(&client))
        .answer(answer)
        .mount()
        .await?;
    Ok((server, client, mounted))
}
