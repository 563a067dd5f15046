//! What the SDK puts on the wire, what it refuses to send, and how responses
//! become values or errors. Against a loopback mock server only.

use std::collections::BTreeMap;

use straddle_sdk::{Error, StatusCode};
use straddle_sdk_tests::{CUSTOMER_ID, TEST_KEY, client, fixture, refresh_review};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATH: &str = "/v1/customers/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e/refresh_review";

async fn server_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(PATH))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn ok_example() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture("customer_refresh_review.json"))
}

#[tokio::test]
async fn the_request_on_the_wire() {
    let server = server_answering(ok_example()).await;
    let client = client(&server.uri(), 0);
    let response = client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .correlation_id("corr-1")
        .request_id("req-1")
        .idempotency_key("idem-key-0001")
        .straddle_account_id(uuid::Uuid::parse_str("0f2d6b0a-5b8e-4a55-9d5a-1c3c0b7f1e2a").unwrap())
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(response.data.id.to_string(), CUSTOMER_ID);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let headers: BTreeMap<String, String> = request
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "host" | "content-length"))
        .map(|(name, value)| {
            let value = value.to_str().unwrap().to_string();
            let value = match name.as_str() {
                "user-agent" => {
                    value.split('/').next().unwrap_or_default().to_string() + "/[version]"
                }
                _ => value,
            };
            (name.to_string(), value)
        })
        .collect();
    assert_eq!(headers["authorization"], format!("Bearer {TEST_KEY}"));
    let wire = format!(
        "{} {}\n{}",
        request.method,
        request.url.path(),
        headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
    .replace(TEST_KEY, "[api key]");
    insta::assert_snapshot!("refresh_review_request", wire);
}

#[tokio::test]
async fn ids_can_be_str_string_or_uuid() {
    let server = server_answering(ok_example()).await;
    let client = client(&server.uri(), 0);
    let review = client.customers().review();
    review.refresh_review(CUSTOMER_ID).send().await.unwrap();
    review
        .refresh_review(CUSTOMER_ID.to_string())
        .send()
        .await
        .unwrap();
    review
        .refresh_review(uuid::Uuid::parse_str(CUSTOMER_ID).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn bad_arguments_fail_before_anything_is_sent() {
    let server = server_answering(ok_example()).await;
    let client = client(&server.uri(), 2);
    let review = client.customers().review();
    let cases = [
        ("id", review.refresh_review("not-a-uuid")),
        (
            "Straddle-Account-Id",
            review
                .refresh_review(CUSTOMER_ID)
                .straddle_account_id("acct_123"),
        ),
        (
            "Request-Id",
            review
                .refresh_review(CUSTOMER_ID)
                .request_id("a\r\nX-Evil: 1"),
        ),
        (
            "Correlation-Id",
            review
                .refresh_review(CUSTOMER_ID)
                .correlation_id("tab\there"),
        ),
        (
            "Idempotency-Key",
            review.refresh_review(CUSTOMER_ID).idempotency_key("short"),
        ),
        (
            "Idempotency-Key",
            review
                .refresh_review(CUSTOMER_ID)
                .idempotency_key("x".repeat(41)),
        ),
    ];
    for (name, request) in cases {
        let err = request.send().await.expect_err(name);
        match &err {
            Error::InvalidRequest { operation, message } => {
                assert_eq!(*operation, "RefreshCustomerReview");
                assert!(message.contains(name), "{name}: {message}");
            }
            other => panic!("{name}: expected InvalidRequest, got {other:?}"),
        }
        assert_eq!(err.status(), None);
        assert!(!err.is_retryable());
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a request left"
    );
}

#[tokio::test]
async fn a_422_with_items_is_an_api_error_with_the_servers_words() {
    let server =
        server_answering(ResponseTemplate::new(422).set_body_json(fixture("error_422.json"))).await;
    let err = refresh_review(&client(&server.uri(), 2)).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    assert!(err.status().is_some_and(|s| s == 422));
    let body = err.api_error().expect("parsed error body");
    assert_eq!(body.error.title, "Invalid Input Data");
    assert_eq!(
        err.api_request_id().as_deref(),
        Some("3a2b1c4d-0e6f-4a88-9876-123456abcdef")
    );
    assert!(!err.is_retryable());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "422 is not retried"
    );
    insta::assert_snapshot!("error_422_display", err.to_string());
}

#[tokio::test]
async fn undeclared_statuses_are_api_errors_with_their_body() {
    let server =
        server_answering(ResponseTemplate::new(404).set_body_json(fixture("error_404.json"))).await;
    let err = refresh_review(&client(&server.uri(), 2)).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(
        err.api_error().map(|b| b.error.title.as_str()),
        Some("Not Found")
    );
    assert_eq!(
        err.api_request_id().as_deref(),
        Some("f1b1b1b1-1b1b-1b1b-1b1b-1b1b1b1b1b1b")
    );

    let server = server_answering(
        ResponseTemplate::new(502)
            .set_body_string("<html>bad gateway</html>")
            .insert_header("x-request-id", "edge-7"),
    )
    .await;
    let err = refresh_review(&client(&server.uri(), 0)).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, StatusCode::BAD_GATEWAY);
    assert!(api.body.is_none());
    assert_eq!(&api.raw_body[..], b"<html>bad gateway</html>");
    assert_eq!(err.api_request_id().as_deref(), Some("edge-7"));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("bad gateway"), "{err}");
}

#[tokio::test]
async fn a_success_status_with_a_body_that_is_not_json_is_a_decode_error() {
    let server =
        server_answering(ResponseTemplate::new(200).set_body_string("<html>oops</html>")).await;
    let err = refresh_review(&client(&server.uri(), 2)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status, StatusCode::OK);
    assert_eq!(decode.snippet, "<html>oops</html>");
    assert_eq!(err.status(), Some(StatusCode::OK));
    assert!(!err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn send_with_response_gives_status_and_headers() {
    let server = server_answering(ok_example().insert_header("request-id", "srv-1")).await;
    let response = client(&server.uri(), 0)
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.attempts, 1);
    // The body's `meta.api_request_id` is the id the server reported, as on errors.
    assert_eq!(
        response.api_request_id(),
        Some(response.meta.api_request_id.to_string())
    );
    assert_eq!(response.headers["request-id"], "srv-1");
    // The body's fields read as after `send()`: `response.data` is the customer.
    assert_eq!(response.data.name, "Ron Swanson");
}

#[test]
fn the_client_never_prints_its_key() {
    let client = client("http://127.0.0.1:9", 0);
    let debug = format!(
        "{client:?} {:?}",
        straddle_sdk::Client::builder().api_key(TEST_KEY)
    );
    assert!(!debug.contains(TEST_KEY), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[tokio::test]
async fn server_text_cannot_forge_log_lines_in_error_messages() {
    let mut body = fixture("error_422.json");
    body["error"]["title"] = "Bad\r\nFAKE LOG LINE".into();
    body["error"]["items"][0]["detail"] = "x\u{1b}[31mred".into();
    let server = server_answering(ResponseTemplate::new(422).set_body_json(body)).await;
    let err = refresh_review(&client(&server.uri(), 0)).await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains(['\r', '\n', '\u{1b}']), "{text:?}");
    assert!(text.contains("Bad  FAKE LOG LINE"), "{text}");
    // The parsed body itself keeps the server's exact words.
    assert_eq!(err.api_error().unwrap().error.title, "Bad\r\nFAKE LOG LINE");
}

#[tokio::test]
async fn an_error_status_with_an_oversized_body_keeps_its_status_and_retry_rule() {
    let server =
        server_answering(ResponseTemplate::new(503).set_body_string("x".repeat(2048))).await;
    let client = straddle_sdk::Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .max_retries(0)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = refresh_review(&client).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(api.body_too_large && api.raw_body.is_empty());
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(err.is_retryable());
}

/// Every operation the SDK exposes (`openapi/operations.toml`), called with
/// its sample arguments: what goes on the wire, one snapshot for all of
/// them. An operation added to operations.toml shows up here by itself.
#[tokio::test]
async fn every_exposed_operation_on_the_wire() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599))
        .mount(&server)
        .await;
    let client = client(&server.uri(), 0);
    let mut wire = Vec::new();
    for operation in straddle_sdk_tests::calls::OPERATIONS {
        let result = straddle_sdk_tests::calls::call(&client, operation)
            .await
            .expect("a generated call");
        // The mock answers 599 to everything: the request is what is under test.
        assert_eq!(
            result.err().and_then(|e| e.status()).map(|s| s.as_u16()),
            Some(599),
            "{operation}: the request left and its answer became an API error"
        );
    }
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), straddle_sdk_tests::calls::OPERATIONS.len());
    for (operation, request) in straddle_sdk_tests::calls::OPERATIONS.iter().zip(&requests) {
        let mut headers: Vec<String> = request
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match name.as_str() {
                    "authorization" => "Bearer [api key]".to_string(),
                    "user-agent" => "[user agent]".to_string(),
                    // A fresh UUID per call: only its shape is stable.
                    "idempotency-key" => {
                        let key = value.to_str().unwrap_or_default();
                        assert!(uuid::Uuid::parse_str(key).is_ok(), "{operation}: {key}");
                        "[uuid]".to_string()
                    }
                    _ => value.to_str().unwrap_or("[not text]").to_string(),
                };
                format!("{name}: {value}")
            })
            .filter(|h| !h.starts_with("host:"))
            .collect();
        headers.sort();
        let body = String::from_utf8_lossy(&request.body);
        wire.push(format!(
            "{operation}\n{} {}{}\n{}\n{}",
            request.method,
            request.url.path(),
            request
                .url
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default(),
            headers.join("\n"),
            if body.is_empty() { "(no body)" } else { &body }
        ));
    }
    insta::assert_snapshot!("sample_requests", wire.join("\n\n"));
}
