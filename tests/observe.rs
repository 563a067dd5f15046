//! What a caller can see of a call: attempts and the server's request id on
//! responses and errors, tracing spans and events, and errors that name
//! their cause once. Loopback only.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use straddle_sdk::types::ErrorResponse;
use straddle_sdk::{ApiResponse, Client, Error};
use straddle_sdk_tests::{
    TEST_KEY, client, fixture, raw_server, server_answering, server_answering_method,
};
use wiremock::ResponseTemplate;

#[tokio::test]
async fn a_response_says_its_attempts_and_the_request_id_from_body_or_header() {
    let server = server_answering_method(
        "GET",
        vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "hdr-9")
                .set_body_json(serde_json::json!({"ok": true})),
        ],
    )
    .await;
    let response = client(&server.uri(), 1)
        .request(Method::GET, "/v1/ping")
        .send_with_response::<Value>()
        .await
        .unwrap();
    assert_eq!(response.attempts, 2);
    // No `meta.api_request_id` in this body: the header's id.
    assert_eq!(response.api_request_id().as_deref(), Some("hdr-9"));
}

/// Display of `err` and every `source()` below it, outermost first.
fn chain(err: &Error) -> Vec<String> {
    let mut texts = vec![err.to_string()];
    let mut next = std::error::Error::source(err);
    while let Some(e) = next {
        texts.push(e.to_string());
        next = e.source();
    }
    texts
}

/// An error's report (its `Display` and every `source()` below it) names
/// `cause` exactly once, ignoring case: said, and not repeated by a source.
fn assert_said_once(err: &Error, cause: &str) {
    let texts = chain(err);
    for (i, text) in texts.iter().enumerate() {
        for source in &texts[i + 1..] {
            assert!(
                !text.contains(source.as_str()),
                "{source:?} is said twice in {texts:?}"
            );
        }
    }
    let report = texts.join(": ").to_lowercase();
    assert_eq!(
        report.matches(&cause.to_lowercase()).count(),
        1,
        "{cause:?} in {report:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_says_so_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = straddle_sdk_tests::refresh_review(&client(&format!("http://127.0.0.1:{port}"), 0))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("connection refused") || text.contains("Connection refused"),
        "{text}"
    );
    assert!(!text.contains("error sending request"), "{text}");
    assert_said_once(&err, "connection refused");
    let Error::Connection(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.source.is_connect());
}

/// A resolver that knows no name, so a DNS failure needs no network.
struct NoNames;
impl reqwest::dns::Resolve for NoNames {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move { Err(format!("no such host: {name}").into()) })
    }
}

#[tokio::test]
async fn a_dns_failure_says_dns_error_and_the_resolvers_words() {
    let http = reqwest::Client::builder()
        .dns_resolver(Arc::new(NoNames))
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url("http://api.example.test")
        .max_retries(0)
        .http_client(http)
        .build()
        .unwrap();
    let err = straddle_sdk_tests::refresh_review(&client)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("dns error: no such host: api.example.test"),
        "{text}"
    );
    assert_said_once(&err, "no such host");
}

#[tokio::test]
async fn a_tls_failure_says_tls_handshake() {
    // A server that speaks plain HTTP where TLS is expected.
    let (url, _) = raw_server(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(url.replace("http://", "https://"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = straddle_sdk_tests::refresh_review(&client)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("tls handshake failed"), "{text}");
    assert_said_once(&err, "tls handshake failed");
}

#[tokio::test]
async fn a_body_that_is_not_the_documented_json_says_why_once() {
    let server = server_answering(vec![
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": 1})),
    ])
    .await;
    let err = straddle_sdk_tests::refresh_review(&client(&server.uri(), 0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("invalid type"), "{err}");
    assert_said_once(&err, "invalid type");
}

#[test]
fn unit_tests_can_build_an_api_error_and_a_response_without_a_server() {
    let body: ErrorResponse = serde_json::from_value(fixture("error_422.json")).unwrap();
    let err = Error::api(
        "RefreshCustomerReview",
        StatusCode::UNPROCESSABLE_ENTITY,
        body.clone(),
    );
    assert_eq!(err.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    assert_eq!(err.api_error(), Some(&body));
    assert_eq!(
        err.api_request_id(),
        Some(body.meta.api_request_id.to_string())
    );
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.starts_with("RefreshCustomerReview failed with HTTP 422"),
        "{text}"
    );
    assert!(text.contains(&body.error.title), "{text}");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        serde_json::from_slice::<Value>(&api.raw_body).unwrap(),
        fixture("error_422.json")
    );

    let response = ApiResponse::new(StatusCode::CREATED, 7).map(|n| n * 6);
    assert_eq!(
        (response.status, response.body, response.attempts),
        (StatusCode::CREATED, 42, 1)
    );
}
