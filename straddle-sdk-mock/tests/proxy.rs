//! A mock client ignores `HTTP_PROXY`: a developer's or CI's proxy must not
//! see (or break) requests to the loopback server. Its own test binary, as
//! it sets process environment variables.

use straddle_sdk_mock::{Answer, MockServer, samples};

#[tokio::test]
async fn a_proxy_in_the_environment_is_not_used() -> Result<(), Box<dyn std::error::Error>> {
    // Nothing else runs in this process yet: no thread reads the environment.
    unsafe {
        std::env::set_var("HTTP_PROXY", "http://127.0.0.1:9");
        std::env::set_var("http_proxy", "http://127.0.0.1:9");
    }
    let server = MockServer::start().await;
    let client = server.client()?;
    server
        .expect(
            client
                .customers()
                .review()
                .refresh_review(straddle_sdk::uuid::Uuid::nil()),
        )
        .answer(Answer::ok(samples::refresh_customer_review()))
        .times(1)
        .mount()
        .await?;
    client
        .customers()
        .review()
        .refresh_review(straddle_sdk::uuid::Uuid::nil())
        .send()
        .await?;
    Ok(())
}
