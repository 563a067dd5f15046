//! What the hand-written runtime prints with `Debug` keeps an identity
//! number out of logs: errors that carry a body, raw calls, and the mock's
//! records. (The generated types and requests have generated tests beside
//! the sample calls, `tests/support/calls.rs`.)

use straddle_sdk::reqwest::Method;
use straddle_sdk::{Error, StatusCode};
use straddle_sdk_mock::{Answer, MockServer};
use straddle_sdk_tests::{client, server_answering};
use wiremock::ResponseTemplate;

const SSN: &str = "123-45-6789";
const ROUTING: &str = "021000021";

/// A body naming an SSN and a routing number, as a careless server (or
/// a proxy) might answer.
fn body_with_secrets() -> String {
    format!(
        r#"{{"customer":{{"name":"Ron","ssn":"{SSN}"}},"routing_number":"{ROUTING}","note":"x"}}"#
    )
}

fn hidden(printed: &str) {
    for secret in [SSN, ROUTING] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("<redacted>"), "{printed}");
}

#[tokio::test]
async fn an_api_error_hides_them_in_debug_and_keeps_the_raw_body_and_display() {
    let server = server_answering(vec![
        ResponseTemplate::new(400).set_body_string(body_with_secrets()),
    ])
    .await;
    let err = client(&server.uri(), 0)
        .customers()
        .review()
        .refresh_review(straddle_sdk_tests::CUSTOMER_ID)
        .send()
        .await
        .expect_err("a 400");
    hidden(&format!("{err:?}"));
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api.raw_body,
        body_with_secrets().as_bytes(),
        "the raw body is as received"
    );
    assert!(
        err.to_string().contains(SSN),
        "Display gives the server's words: {err}"
    );
}

#[tokio::test]
async fn a_body_that_does_not_decode_hides_them_in_the_snippet() {
    let server = server_answering(vec![
        ResponseTemplate::new(200).set_body_string(body_with_secrets()),
    ])
    .await;
    let err = client(&server.uri(), 0)
        .customers()
        .review()
        .refresh_review(straddle_sdk_tests::CUSTOMER_ID)
        .send()
        .await
        .expect_err("not a customer");
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert!(
        decode.snippet.contains(SSN),
        "the snippet is the body as received"
    );
    hidden(&format!("{err:?}"));
}

#[tokio::test]
async fn a_raw_call_hides_them_in_its_query_and_body() {
    let client = client("http://127.0.0.1:9", 0);
    let request = client
        .request(Method::POST, "/v1/customers")
        .query(&[("routing_number", ROUTING), ("page", "1")])
        .json(&serde_json::json!({ "name": "Ron", "compliance_profile": { "ssn": SSN } }));
    let printed = format!("{request:?}");
    hidden(&printed);
    assert!(
        printed.contains("Ron") && printed.contains("\"page\""),
        "{printed}"
    );
}

#[tokio::test]
async fn the_mock_records_what_it_received_without_them() {
    let server = MockServer::start().await;
    let client = server.client().expect("a client");
    let raw = server
        .expect_raw(client.request(Method::POST, "/v1/customers"))
        .answer(Answer::ok(serde_json::json!({})))
        .mount()
        .await
        .expect("mounts");
    client
        .request(Method::POST, "/v1/customers")
        .json(&serde_json::json!({ "ssn": SSN, "bank": { "routing_number": ROUTING } }))
        .send::<serde_json::Value>()
        .await
        .expect("answered");
    let received = raw.received_requests();
    let printed = format!("{received:?}");
    hidden(&printed);
    assert!(
        !printed.contains(straddle_sdk_mock::TEST_API_KEY),
        "{printed}"
    );
    assert!(
        String::from_utf8_lossy(received[0].body()).contains(SSN),
        "the body is as sent"
    );
}
