//! The mock server used the way a consumer's tests use it: only public
//! items, a client from the server, the SDK's own calls.

use std::time::{Duration, Instant};

use straddle_sdk::types::CustomerStatusV1;
use straddle_sdk::{Client, Error, StatusCode};
use straddle_sdk_mock::{Answer, MockError, MockServer, Mounted, error_response, samples};

mod common;

use common::{ID, Result, refresh, serve};

const OTHER_ID: &str = "0f2d6b0a-5b8e-4a55-9d5a-1c3c0b7f1e2a";

/// Mounts the expectation `refresh_review(ID).correlation_id("c-1")`,
/// answered with the sample, expected `times` times if given.
async fn expect_c1(
    server: &MockServer,
    client: &Client,
    times: Option<u64>,
) -> std::result::Result<Mounted, MockError> {
    let expectation = server
        .expect(refresh(client).correlation_id("c-1"))
        .answer(Answer::ok(samples::refresh_customer_review()));
    match times {
        Some(n) => expectation.times(n).mount().await,
        None => expectation.mount().await,
    }
}

fn unavailable() -> straddle_sdk::types::ErrorResponse {
    error_response(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "try again")
}

#[tokio::test]
async fn an_ok_answer_is_the_typed_value_with_the_operations_documented_status() -> Result {
    let sample = samples::refresh_customer_review();
    let (_server, client, _) = serve(Answer::ok(sample.clone())).await?;
    let response = refresh(&client).send_with_response().await?;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(response.body, sample);
    Ok(())
}

#[tokio::test]
async fn arguments_the_expectation_sets_must_be_equal_and_the_others_match_anything() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let c1 = expect_c1(&server, &client, None).await?;
    let review = || client.customers().review();
    // Other arguments set: still a match.
    review()
        .refresh_review(ID)
        .correlation_id("c-1")
        .request_id("r-9")
        .send()
        .await?;
    // Another correlation id, none, another id: no match.
    for request in [
        review().refresh_review(ID).correlation_id("c-2"),
        review().refresh_review(ID),
        review().refresh_review(OTHER_ID).correlation_id("c-1"),
    ] {
        let err = request.send().await.unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND), "{err}");
    }
    assert_eq!(c1.received_count(), 1);
    let received = c1.received_requests();
    assert_eq!(received[0].header("request-id"), Some("r-9"));
    assert_eq!(received[0].method(), "PUT");
    assert_eq!(
        received[0].path(),
        format!("/v1/customers/{ID}/refresh_review")
    );
    let unmatched = server.unmatched_requests();
    assert_eq!(unmatched.len(), 3);
    assert_eq!(unmatched[0].header("correlation-id"), Some("c-2"));
    assert!(unmatched[2].path().contains(OTHER_ID));
    Ok(())
}

#[tokio::test]
async fn an_unmatched_request_gets_a_typed_404_saying_how_each_expectation_differs() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let err = refresh(&client).send().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("matched no expectation of the mock server (none is mounted)"),
        "{err}"
    );
    expect_c1(&server, &client, None).await?;
    let err = client
        .customers()
        .review()
        .refresh_review(ID)
        .correlation_id("c-2")
        .send()
        .await
        .unwrap_err();
    let body = err.api_error().expect("an ErrorResponse body");
    assert_eq!(body.error.status, 404);
    assert_eq!(body.error.title, "No expectation matched");
    let detail = body.error.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains("RefreshCustomerReview")
            && detail.contains(r#"the header `correlation-id` is "c-2", not "c-1""#),
        "{detail}"
    );
    Ok(())
}

#[tokio::test]
async fn an_error_answer_is_the_sdks_typed_api_error() -> Result {
    let body = error_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Validation failed",
        "customer is archived",
    );
    let request_id = body.meta.api_request_id.to_string();
    let (_server, client, _) = serve(Answer::error(StatusCode::UNPROCESSABLE_ENTITY, body)).await?;
    let err = refresh(&client).send().await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("not an API error: {err}")
    };
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.attempts, 1, "a 422 is not retried");
    let body = err.api_error().expect("typed body");
    assert_eq!(body.error.detail.as_deref(), Some("customer is archived"));
    assert_eq!(err.api_request_id(), Some(request_id));
    Ok(())
}

#[tokio::test]
async fn an_answers_headers_reach_the_sdks_retry_rules() -> Result {
    // A server that asks for an hour: the SDK does not wait, and says so.
    let busy = Answer::error(
        StatusCode::TOO_MANY_REQUESTS,
        error_response(StatusCode::TOO_MANY_REQUESTS, "Slow down", "rate limited"),
    )
    .header("Retry-After", "3600")
    .header("x-request-id", "edge-1");
    let (_server, client, mounted) = serve(busy).await?;
    let err = refresh(&client).send().await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(mounted.received_count(), 1, "an hour's wait is not retried");
    let Error::Api(api) = &err else {
        panic!("not an API error: {err}")
    };
    assert_eq!(api.headers["x-request-id"], "edge-1");
    // A header that cannot be sent is refused when mounting.
    let server = MockServer::start().await;
    let client = server.client()?;
    let bad = Answer::ok(samples::refresh_customer_review()).header("x-a", "1\r\n2");
    let refused = server.expect(refresh(&client)).answer(bad).mount().await;
    assert!(refused.is_err(), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn a_raw_answer_is_sent_as_given() -> Result {
    let (_server, client, _) =
        serve(Answer::raw(StatusCode::OK, "text/html", "<h1>proxy</h1>")).await?;
    let err = refresh(&client).send().await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("not a decode error: {err}")
    };
    assert_eq!(decode.snippet, "<h1>proxy</h1>");
    assert_eq!(decode.headers["content-type"], "text/html");
    Ok(())
}

#[tokio::test]
async fn a_delay_longer_than_the_timeout_is_a_timeout() -> Result {
    let sample = samples::refresh_customer_review();
    let (_server, client, slow) = serve(Answer::ok(sample).delay(Duration::from_secs(5))).await?;
    let started = Instant::now();
    let err = refresh(&client)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(slow.received_count(), 3, "a timeout is retried twice");

    // A delay within the timeout only delays.
    let sample = samples::refresh_customer_review();
    let (_server, client, _) = serve(Answer::ok(sample).delay(Duration::from_millis(200))).await?;
    let started = Instant::now();
    refresh(&client).send().await?;
    assert!(started.elapsed() >= Duration::from_millis(200));
    Ok(())
}

#[tokio::test]
async fn a_sequence_answers_in_order_then_repeats_its_last_and_retries_keep_one_idempotency_key()
-> Result {
    let mut approved = samples::refresh_customer_review();
    approved.data.status = CustomerStatusV1::Verified;
    let (server, client, flaky) = serve(Answer::sequence([
        Answer::error(StatusCode::SERVICE_UNAVAILABLE, unavailable()),
        Answer::ok(approved),
    ]))
    .await?;
    let started = Instant::now();
    let customer = refresh(&client).send().await?;
    // The SDK's default first wait is at least 375 ms (0.5 s less 25 % jitter).
    assert!(
        started.elapsed() < Duration::from_millis(375),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(customer.data.status, CustomerStatusV1::Verified);
    let sent = flaky.received_requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("x-straddle-retry-count"), Some("0"));
    assert_eq!(sent[1].header("x-straddle-retry-count"), Some("1"));
    let key = sent[0].header("idempotency-key");
    assert!(key.is_some());
    assert_eq!(sent[1].header("idempotency-key"), key);
    // The last answer repeats.
    refresh(&client).send().await?;
    assert_eq!(flaky.received_count(), 3);
    assert!(server.unmatched_requests().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_first_mounted_of_two_matching_expectations_answers() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let first = server
        .expect(refresh(&client))
        .answer(Answer::ok(samples::refresh_customer_review()))
        .mount()
        .await?;
    let second = server
        .expect(refresh(&client))
        .answer(Answer::error(
            StatusCode::SERVICE_UNAVAILABLE,
            unavailable(),
        ))
        .mount()
        .await?;
    refresh(&client).send().await?;
    assert_eq!((first.received_count(), second.received_count()), (1, 0));
    Ok(())
}

#[tokio::test]
#[should_panic(expected = "PUT /v1/customers/{id}/refresh_review RefreshCustomerReview")]
async fn verify_names_the_operation_and_arguments_of_an_unmet_expectation() {
    let server = MockServer::start().await;
    let client = server.client().expect("client");
    expect_c1(&server, &client, Some(1)).await.expect("mounts");
    server.verify().await;
}

#[tokio::test]
#[should_panic(expected = "correlation_id: Some(\"c-1\")")]
async fn dropping_the_server_checks_the_expected_times() {
    let server = MockServer::start().await;
    let client = server.client().expect("client");
    expect_c1(&server, &client, Some(2)).await.expect("mounts");
    let _ = client
        .customers()
        .review()
        .refresh_review(ID)
        .correlation_id("c-1")
        .send()
        .await;
}

#[tokio::test]
#[should_panic(expected = "the header `correlation-id` is \"c-2\", not \"c-1\"")]
async fn the_report_of_an_unmet_expectation_says_why_each_request_missed_it() {
    let server = MockServer::start().await;
    let client = server.client().expect("client");
    expect_c1(&server, &client, Some(1)).await.expect("mounts");
    let _ = client
        .customers()
        .review()
        .refresh_review(ID)
        .correlation_id("c-2")
        .send()
        .await;
    server.verify().await;
}

#[tokio::test]
async fn mistakes_in_an_expectation_fail_mount_before_any_request() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let review = || client.customers().review();
    let err = server
        .expect(review().refresh_review("not-a-uuid"))
        .answer(Answer::ok(samples::refresh_customer_review()))
        .mount()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::InvalidArguments { .. }), "{err}");
    assert!(err.to_string().contains("must be a UUID"), "{err}");

    let err = server
        .expect(review().refresh_review(ID))
        .mount()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::NoAnswer { .. }), "{err}");

    for answer in [
        Answer::sequence([]),
        Answer::raw(StatusCode::OK, "text/html\r\nx-evil: 1", ""),
    ] {
        let err = server
            .expect(review().refresh_review(ID))
            .answer(answer)
            .mount()
            .await
            .unwrap_err();
        assert!(matches!(err, MockError::InvalidAnswer { .. }), "{err}");
    }
    Ok(())
}

#[test]
fn a_sample_is_a_typed_value_without_a_server() {
    let sample = samples::refresh_customer_review();
    assert_eq!(sample.data.name, "Ron Swanson");
    assert!(sample.data.created_at.to_datetime().is_some());
}

#[tokio::test]
async fn headers_an_expectation_adds_with_header_must_be_sent() -> Result {
    let server = MockServer::start().await;
    let client = server.client()?;
    let tenant = server
        .expect(refresh(&client).header("x-tenant", "acme"))
        .answer(Answer::ok(samples::refresh_customer_review()))
        .mount()
        .await?;
    let err = refresh(&client).send().await.unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"the header `x-tenant` is missing (expected "acme")"#),
        "{err}"
    );
    refresh(&client).header("x-tenant", "acme").send().await?;
    assert_eq!(tenant.received_count(), 1);
    Ok(())
}

#[tokio::test]
async fn a_raw_call_is_expected_by_method_path_query_headers_and_body_properties() -> Result {
    use straddle_sdk::reqwest::Method;
    use straddle_sdk::serde_json::{Value, json};

    let server = MockServer::start().await;
    let client = server.client()?;
    let create = server
        .expect_raw(
            client
                .request(Method::POST, "/v1/customers")
                .query(&[("dry_run", "true")])
                .header("x-tenant", "acme")
                .json(&json!({"email": "ron@pawnee.gov"})),
        )
        .answer(Answer::ok(json!({"data": {"id": "c-1"}})))
        .times(1)
        .mount()
        .await?;
    assert_eq!(
        create.name(),
        "POST /v1/customers?dry_run=true (raw call, body {email})"
    );

    // The code under test: more properties, another query pair.
    let created: Value = client
        .request(Method::POST, "/v1/customers")
        .query(&[("dry_run", "true"), ("expand", "all")])
        .header("x-tenant", "acme")
        .json(&json!({"name": "Ron", "email": "ron@pawnee.gov"}))
        .send()
        .await?;
    assert_eq!(created["data"]["id"], "c-1");
    let sent = create.received_requests();
    assert_eq!(sent[0].json::<Value>()?["name"], "Ron");
    assert!(sent[0].header("idempotency-key").is_some());

    // Another email, another method, no query: no match, each said why.
    for (method, query, email) in [
        (
            Method::POST,
            &[("dry_run", "true")][..],
            "leslie@pawnee.gov",
        ),
        (Method::PUT, &[("dry_run", "true")][..], "ron@pawnee.gov"),
        (Method::POST, &[][..], "ron@pawnee.gov"),
    ] {
        let err = client
            .request(method, "/v1/customers")
            .query(query)
            .header("x-tenant", "acme")
            .json(&json!({"email": email}))
            .send::<Value>()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::NOT_FOUND), "{err}");
    }
    assert_eq!(server.unmatched_requests().len(), 3);
    Ok(())
}

#[tokio::test]
async fn a_raw_calls_answers_are_any_serializable_value_errors_and_sequences() -> Result {
    use straddle_sdk::reqwest::Method;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Page {
        items: Vec<String>,
    }
    let server = MockServer::start().await;
    let client = server.client()?;
    let list = || client.request(Method::GET, "/v1/widgets");
    let page = Page {
        items: vec!["a".into()],
    };
    server
        .expect_raw(list())
        .answer(Answer::sequence([
            Answer::error(StatusCode::SERVICE_UNAVAILABLE, unavailable()),
            Answer::ok(&page),
        ]))
        .mount()
        .await?;
    let response = list().send_with_response::<Page>().await?;
    assert_eq!((response.status, response.attempts), (StatusCode::OK, 2));
    assert_eq!(response.body, page);
    // An argument the SDK refuses fails mount, as for an operation.
    let err = server
        .expect_raw(client.request(Method::GET, "/v1/../admin"))
        .answer(Answer::ok(()))
        .mount()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::InvalidArguments { .. }), "{err}");
    Ok(())
}
