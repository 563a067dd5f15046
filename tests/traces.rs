//! Tracing of calls, in a binary of its own: a subscriber set for one test
//! must not race with other tests registering the same callsites.

use straddle_sdk_tests::{
    CUSTOMER_ID, Capture, TEST_KEY, client, fixture, ok_example, refresh_review as call,
    server_answering,
};
use wiremock::ResponseTemplate;

#[tokio::test]
async fn a_call_is_seen_at_info_once_with_its_attempts_correlation_and_server_request_ids() {
    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(capture.subscriber(tracing::Level::INFO));
    succeeded_after_retries(&capture).await;
    failed_at_once(&capture).await;
    drop(guard);
    attempts_are_traced_and_the_key_never_shows_in_logs_or_errors().await;
}

async fn succeeded_after_retries(capture: &Capture) {
    let server = server_answering(vec![
        ResponseTemplate::new(500),
        ResponseTemplate::new(502),
        ok_example(),
    ])
    .await;
    let response = client(&server.uri(), 2)
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .correlation_id("checkout-42")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.attempts, 3);
    let server_id = response.meta.api_request_id.to_string();

    let logs = capture.text();
    let done: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("call succeeded"))
        .collect();
    assert_eq!(done.len(), 1, "{logs}");
    let line = done[0];
    // Seen at INFO, with the span's fields each said once.
    assert!(line.contains("INFO"), "{line}");
    assert_eq!(line.matches("attempts=").count(), 1, "{line}");
    assert!(line.contains("attempts=3"), "{line}");
    assert!(line.contains("correlation_id=checkout-42"), "{line}");
    assert!(
        line.contains(&format!("api_request_id={server_id}")),
        "{line}"
    );
    assert!(line.contains("status=200"), "{line}");
    // Each retry is its own event, before the span knows how many there were.
    let retries: Vec<&str> = logs.lines().filter(|l| l.contains("retrying")).collect();
    assert_eq!(retries.len(), 2, "{logs}");
    assert!(retries.iter().all(|l| !l.contains("attempts=")), "{logs}");
}

async fn failed_at_once(capture: &Capture) {
    let mut body = fixture("error_422.json");
    body["error"]["detail"] = "ssn 123-45-6789 does not match".into();
    let server = server_answering(vec![ResponseTemplate::new(422).set_body_json(body)]).await;
    let err = straddle_sdk_tests::refresh_review(&client(&server.uri(), 2))
        .await
        .unwrap_err();
    let logs = capture.text();
    let line = logs
        .lines()
        .find(|l| l.contains("call failed"))
        .unwrap_or_else(|| panic!("{logs}"));
    let id = err.api_request_id().unwrap();
    assert!(line.contains(&format!("api_request_id={id}")), "{line}");
    assert!(
        line.contains("attempts=1") && line.contains("status=422"),
        "{line}"
    );
    assert!(
        line.contains("Invalid Input Data"),
        "the server's title: {line}"
    );
    // The server's detail can echo what was sent: the error has it, the log not.
    assert!(err.to_string().contains("123-45-6789"));
    assert!(
        !logs.contains("123-45-6789") && !logs.contains("Email address"),
        "{logs}"
    );
    assert!(!logs.contains(TEST_KEY));

    // A body that is not the documented JSON is not logged either.
    let server = server_answering(vec![
        ResponseTemplate::new(200).set_body_string(r#"{"ssn":"987-65-4321"}"#),
    ])
    .await;
    let err = straddle_sdk_tests::refresh_review(&client(&server.uri(), 0))
        .await
        .unwrap_err();
    assert!(matches!(err, straddle_sdk::Error::Decode(_)), "{err}");
    let logs = capture.text();
    assert!(
        logs.contains("unusable body: not the documented JSON"),
        "{logs}"
    );
    assert!(!logs.contains("987-65-4321"), "{logs}");
}

async fn attempts_are_traced_and_the_key_never_shows_in_logs_or_errors() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.subscriber(tracing::Level::TRACE));

    let server =
        server_answering(vec![ResponseTemplate::new(500), ResponseTemplate::new(401)]).await;
    let err = call(&client(&server.uri(), 1)).await.unwrap_err();

    let logs = capture.text();
    assert!(logs.contains("straddle.call"), "{logs}");
    assert!(logs.contains("retrying after a retryable status"), "{logs}");
    assert!(logs.contains("attempt=1"), "{logs}");
    for text in [logs.as_str(), &err.to_string(), &format!("{err:?}")] {
        assert!(!text.contains(TEST_KEY), "key leaked: {text}");
    }
}
