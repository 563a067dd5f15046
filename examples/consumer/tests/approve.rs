//! The application's tests, with `straddle-sdk-mock` as a user's tests use
//! it: no network, no API key, no `RetryPolicy` of their own.

use std::time::{Duration, Instant};

use straddle_sdk::StatusCode;
use straddle_sdk::types::{CustomerStatusV1, CustomerV1ItemResponse};
use straddle_sdk_example_consumer::{ApprovalError, Decision, approve_after_review};
use straddle_sdk_mock::{Answer, MockServer, error_response, samples};

const CUSTOMER: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The documented sample response, with the customer's status changed.
fn customer_with(status: &str) -> CustomerV1ItemResponse {
    let mut customer = samples::refresh_customer_review();
    customer.data.status = CustomerStatusV1::from(status);
    customer
}

#[tokio::test]
async fn the_review_status_decides_and_the_order_is_sent_as_the_correlation_id() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let review = || client.customers().review();
    let mut expectations = Vec::new();
    for (order, status) in [
        ("order-1", "verified"),
        ("order-2", "rejected"),
        ("order-3", "suspended"),
    ] {
        let expectation = server
            .expect(review().refresh_review(CUSTOMER).correlation_id(order))
            .answer(Answer::ok(customer_with(status)))
            .times(1)
            .mount()
            .await?;
        expectations.push(expectation);
    }
    let decide = |order| approve_after_review(&client, CUSTOMER, order);
    assert_eq!(decide("order-1").await?, Decision::Approved);
    assert_eq!(decide("order-2").await?, Decision::Rejected);
    assert_eq!(
        decide("order-3").await?,
        Decision::Waiting("suspended".into())
    );
    for expectation in &expectations {
        assert_eq!(expectation.received_count(), 1, "{}", expectation.name());
    }
    Ok(())
}

#[tokio::test]
async fn a_422_is_an_invalid_request_with_the_servers_detail_and_request_id() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let body = error_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Validation failed",
        "the customer is archived",
    );
    let request_id = body.meta.api_request_id.to_string();
    server
        .expect(client.customers().review().refresh_review(CUSTOMER))
        .answer(Answer::error(StatusCode::UNPROCESSABLE_ENTITY, body))
        .times(1)
        .mount()
        .await?;
    let err = approve_after_review(&client, CUSTOMER, "order-1")
        .await
        .unwrap_err();
    let ApprovalError::Invalid {
        detail,
        request_id: got,
    } = err
    else {
        panic!("not Invalid: {err}")
    };
    assert_eq!(detail, "the customer is archived");
    assert_eq!(got, Some(request_id));
    Ok(())
}

#[tokio::test]
async fn a_503_then_a_success_is_retried_fast_with_one_idempotency_key() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let unavailable = error_response(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "busy");
    let review = server
        .expect(client.customers().review().refresh_review(CUSTOMER))
        .answer(Answer::sequence([
            Answer::error(StatusCode::SERVICE_UNAVAILABLE, unavailable),
            Answer::ok(customer_with("verified")),
        ]))
        .times(2)
        .mount()
        .await?;
    let started = Instant::now();
    let decision = approve_after_review(&client, CUSTOMER, "order-1").await?;
    let took = started.elapsed();
    assert_eq!(decision, Decision::Approved);
    let sent = review.received_requests();
    assert_eq!(sent.len(), 2, "one retry");
    assert!(sent[0].header("idempotency-key").is_some());
    assert_eq!(
        sent[0].header("idempotency-key"),
        sent[1].header("idempotency-key"),
        "a retry must not apply the change twice"
    );
    // With the SDK's default backoff the retry alone waits at least 375 ms.
    assert!(took < Duration::from_millis(375), "{took:?}");
    Ok(())
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_unavailable_rather_than_a_hang() -> Result {
    let server = MockServer::start().await;
    let client = server
        .client_builder()
        .timeout(Duration::from_millis(100))
        .build()?;
    server
        .expect(client.customers().review().refresh_review(CUSTOMER))
        .answer(Answer::ok(customer_with("verified")).delay(Duration::from_secs(5)))
        .mount()
        .await?;
    let started = Instant::now();
    let err = approve_after_review(&client, CUSTOMER, "order-1")
        .await
        .unwrap_err();
    let ApprovalError::Unavailable(cause) = &err else {
        panic!("not Unavailable: {err}")
    };
    assert!(cause.is_timeout(), "{cause}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn a_call_with_other_arguments_does_not_match_the_expectation() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let expected = server
        .expect(
            client
                .customers()
                .review()
                .refresh_review(CUSTOMER)
                .correlation_id("order-1"),
        )
        .answer(Answer::ok(customer_with("verified")))
        .mount()
        .await?;
    // The mock answers a request that matches nothing with a 404, which
    // this code reads as an unknown customer.
    let err = approve_after_review(&client, CUSTOMER, "order-2")
        .await
        .unwrap_err();
    assert!(matches!(err, ApprovalError::UnknownCustomer), "{err}");
    assert_eq!(expected.received_count(), 0);
    let unmatched = server.unmatched_requests();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].header("correlation-id"), Some("order-2"));
    Ok(())
}
