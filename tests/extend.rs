//! What a caller adds to the SDK: interceptors, headers, raw calls of paths
//! the SDK does not expose, and clients derived from a client. Loopback only.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use straddle_sdk::{
    AttemptContext, AttemptOutcome, BoxError, CallContext, CallSummary, Client, Error, Intercept,
};
use straddle_sdk_tests::{
    CUSTOMER_ID, TEST_KEY, client, fast_retries, header_values, ok_example, refresh_review as call,
    server_answering, server_answering_method, tcp_server,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::ResponseTemplate;

/// Records what it sees; signs each attempt; fails where told to.
#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    fail_in: Option<&'static str>,
}

impl Recorder {
    fn failing_in(phase: &'static str) -> Self {
        Self {
            fail_in: Some(phase),
            ..Self::default()
        }
    }

    fn note(&self, phase: &'static str, text: String) -> Result<(), BoxError> {
        self.seen.lock().unwrap().push(text);
        match self.fail_in {
            Some(p) if p == phase => Err(format!("refused in {phase}").into()),
            _ => Ok(()),
        }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    fn read_before_execution(&self, call: &CallContext<'_>) -> Result<(), BoxError> {
        self.note(
            "read_before_execution",
            format!("call {} {}", call.method, call.operation),
        )
    }

    fn modify_before_transmit(
        &self,
        attempt: &AttemptContext<'_>,
        request: &mut reqwest::Request,
    ) -> Result<(), BoxError> {
        let retry_count = request.headers()["x-straddle-retry-count"]
            .to_str()?
            .to_string();
        request
            .headers_mut()
            .insert("x-signature", format!("sig-{}", attempt.attempt).parse()?);
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair("signed", "1");
        self.note(
            "modify_before_transmit",
            format!(
                "send {}/{} retry-count {retry_count}",
                attempt.attempt, attempt.max_attempts
            ),
        )
    }

    fn read_after_attempt(
        &self,
        attempt: &AttemptContext<'_>,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<(), BoxError> {
        let what = match outcome {
            AttemptOutcome::Response { status, .. } => status.as_u16().to_string(),
            AttemptOutcome::Failed(_) => "failed".to_string(),
            _ => "other".to_string(),
        };
        // The first answer is 60 ms late: the hook sees how long it took.
        let slow = attempt.elapsed >= Duration::from_millis(50);
        self.note(
            "read_after_attempt",
            format!("answer {} {what} slow {slow}", attempt.attempt),
        )
    }

    fn read_after_execution(
        &self,
        _call: &CallContext<'_>,
        result: Result<&CallSummary<'_>, &Error>,
    ) {
        let text = match result {
            Ok(s) => format!("done {} after {}", s.status.as_u16(), s.attempts),
            Err(e) => format!("failed after {}", e.attempts()),
        };
        let _ = self.note("read_after_execution", text);
    }
}

fn client_with(base_url: &str, recorder: &Arc<Recorder>) -> Client {
    Client::builder()
        .api_key(TEST_KEY)
        .base_url(base_url)
        .retry_policy(fast_retries(2))
        .interceptor(recorder.clone())
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_interceptor_sees_every_phase_and_changes_each_attempt() {
    let server = server_answering(vec![
        ResponseTemplate::new(500).set_delay(Duration::from_millis(60)),
        ok_example(),
    ])
    .await;
    let recorder = Arc::new(Recorder::default());
    call(&client_with(&server.uri(), &recorder)).await.unwrap();

    assert_eq!(
        recorder.seen(),
        [
            "call PUT RefreshCustomerReview",
            "send 1/3 retry-count 0",
            "answer 1 500 slow true",
            "send 2/3 retry-count 1",
            "answer 2 200 slow false",
            "done 200 after 2",
        ]
    );
    // The changes it made went out on each attempt.
    assert_eq!(
        header_values(&server, "x-signature").await,
        ["sig-1", "sig-2"]
    );
    let received = server.received_requests().await.unwrap();
    assert!(received.iter().all(|r| r.url.query() == Some("signed=1")));
}

#[tokio::test]
async fn an_interceptor_error_fails_the_call_with_its_phase_and_is_not_retried() {
    for (phase, requests) in [
        ("read_before_execution", 0),
        ("modify_before_transmit", 0),
        ("read_after_attempt", 1),
    ] {
        let server = server_answering(vec![ResponseTemplate::new(500)]).await;
        let recorder = Arc::new(Recorder::failing_in(phase));
        let err = call(&client_with(&server.uri(), &recorder))
            .await
            .unwrap_err();
        let Error::Interceptor(e) = &err else {
            panic!("{phase}: {err:?}")
        };
        assert_eq!(e.phase.to_string(), phase);
        assert_eq!(e.interceptor, "recorder");
        assert_eq!(e.source.to_string(), format!("refused in {phase}"));
        assert!(err.to_string().contains("`recorder`"), "{err}");
        assert!(
            err.to_string().contains(&format!("refused in {phase}")),
            "{err}"
        );
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            requests,
            "{phase}"
        );
        assert!(!err.is_retryable());
        let last = recorder.seen().pop().unwrap();
        assert_eq!(last, format!("failed after {requests}"), "{phase}");
    }
}

#[tokio::test]
async fn no_hook_runs_for_invalid_arguments_and_a_deadline_skips_read_after_attempt() {
    let server = server_answering(vec![ok_example().set_delay(Duration::from_millis(500))]).await;
    let recorder = Arc::new(Recorder::default());
    let client = client_with(&server.uri(), &recorder);
    let err = client
        .customers()
        .review()
        .refresh_review("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(recorder.seen(), Vec::<String>::new());

    let err = client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .total_timeout(Duration::from_millis(50))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Deadline(_)), "{err:?}");
    assert_eq!(
        recorder.seen(),
        [
            "call PUT RefreshCustomerReview",
            "send 1/3 retry-count 0",
            "failed after 1",
        ]
    );
}

#[tokio::test]
async fn default_and_per_request_headers_replace_the_sdks_in_order() {
    let server = server_answering(vec![ResponseTemplate::new(500), ok_example()]).await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .retry_policy(fast_retries(1))
        .default_header("User-Agent", "my-app/2.0")
        .default_header("x-tenant", "acme")
        .default_header("Correlation-Id", "from-defaults")
        .build()
        .unwrap();
    client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .correlation_id("from-argument")
        .header("x-tenant", "beta")
        .header("x-straddle-retry-count", "7")
        .header("Idempotency-Key", "caller-key-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header_values(&server, "user-agent").await,
        ["my-app/2.0"; 2]
    );
    assert_eq!(header_values(&server, "x-tenant").await, ["beta"; 2]);
    // An operation's own argument wins over a client default.
    assert_eq!(
        header_values(&server, "correlation-id").await,
        ["from-argument"; 2]
    );
    // A caller's retry count is sent as it is, on every attempt.
    assert_eq!(
        header_values(&server, "x-straddle-retry-count").await,
        ["7"; 2]
    );
    assert_eq!(
        header_values(&server, "idempotency-key").await,
        ["caller-key-0001"; 2]
    );
    assert_eq!(
        header_values(&server, "authorization").await,
        [format!("Bearer {TEST_KEY}"), format!("Bearer {TEST_KEY}")]
    );
}

#[tokio::test]
async fn a_header_that_would_smuggle_credentials_or_lines_fails_before_sending() {
    let server = server_answering(vec![ok_example()]).await;
    let client = client(&server.uri(), 0);
    for (name, value, says) in [
        ("Authorization", "Bearer stolen", "api_key"),
        (
            "x-trace",
            "1\r\nAuthorization: Bearer stolen",
            "control character",
        ),
        ("Content-Length", "0", "framed or routed"),
        ("x-trace\r\nAuthorization", "x", "not a valid header name"),
    ] {
        let err = client
            .customers()
            .review()
            .refresh_review(CUSTOMER_ID)
            .header(name, value)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
        assert!(err.to_string().contains(says), "{name}: {err}");
        let err = client
            .request(Method::GET, "/v1/anything")
            .header(name, value)
            .send::<Value>()
            .await
            .unwrap_err();
        assert!(err.to_string().contains(says), "raw {name}: {err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_raw_call_goes_through_auth_idempotency_retries_and_typed_errors() {
    let server = server_answering_method(
        "POST",
        vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(201).set_body_json(json!({"id": "pay_1", "status": "created"})),
        ],
    )
    .await;
    let client = client(&server.uri(), 2);
    let response = client
        .request(Method::POST, "/v1/payments/a%2Fb")
        .query(&[("expand", "customer"), ("expand", "account")])
        .query(&json!({"page_size": 5, "none": null}))
        .json(&json!({"amount": 1000}))
        .header("x-tenant", "acme")
        .send_with_response::<Value>()
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.attempts, 2);
    assert_eq!(response.body["id"], "pay_1");

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    for r in &received {
        assert_eq!(r.url.path(), "/v1/payments/a%2Fb");
        assert_eq!(
            r.url.query(),
            Some("expand=customer&expand=account&page_size=5")
        );
        assert_eq!(r.body_json::<Value>().unwrap(), json!({"amount": 1000}));
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["x-tenant"], "acme");
    }
    let keys = header_values(&server, "idempotency-key").await;
    assert!(!keys[0].is_empty() && keys[0] == keys[1], "{keys:?}");
    assert_eq!(
        header_values(&server, "authorization").await[0],
        format!("Bearer {TEST_KEY}")
    );

    // An error answer is the same typed error as a generated operation's.
    let missing = server_answering_method(
        "GET",
        vec![
            ResponseTemplate::new(404).set_body_json(straddle_sdk_tests::fixture("error_404.json")),
        ],
    )
    .await;
    let err = straddle_sdk_tests::client(&missing.uri(), 0)
        .request(Method::GET, "/v1/nothing")
        .send::<Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert!(err.api_error().is_some(), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("GET /v1/nothing failed with HTTP 404"),
        "{err}"
    );
}

#[tokio::test]
async fn a_raw_path_or_query_that_could_leave_the_base_url_fails_before_sending() {
    let server = server_answering_method("GET", vec![ResponseTemplate::new(200)]).await;
    let client = client(&server.uri(), 0);
    for path in [
        "https://evil.example/v1",
        "//evil.example/v1",
        "/v1/../x",
        "/v1?x=1",
    ] {
        let err = client
            .request(Method::GET, path)
            .send::<()>()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{path}: {err:?}"
        );
    }
    let err = client
        .request(Method::GET, "/v1/x")
        .query(&json!({"nested": {"a": 1}}))
        .send::<()>()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("string, number or boolean"),
        "{err}"
    );
    let err = client
        .request(Method::GET, "/v1/x")
        .query(&5)
        .send::<()>()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("list of pairs"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A keep-alive HTTP/1.1 server answering every request with `200 {}`;
/// returns its URL and the number of connections it accepted.
async fn keep_alive_server() -> (String, Arc<Mutex<u32>>) {
    tcp_server(|mut socket| async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut seen = Vec::new();
        while let Ok(n @ 1..) = socket.read(&mut buf).await {
            seen.extend_from_slice(&buf[..n]);
            // Requests here have no body: one per blank line.
            while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                seen.drain(..end + 4);
                let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                if socket.write_all(answer).await.is_err() {
                    return;
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn a_derived_client_shares_the_pool_and_keeps_what_it_does_not_change() {
    let (url, connections) = keep_alive_server().await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(&url)
        .default_header("x-tenant", "acme")
        .max_retries(3)
        .build()
        .unwrap();
    let derived = client
        .to_builder()
        .max_retries(0)
        .default_header("x-tenant", "beta")
        .build()
        .unwrap();
    assert_eq!(derived.retry_policy().max_retries, 0);
    assert_eq!(client.retry_policy().max_retries, 3);
    assert_eq!(derived.base_url(), client.base_url());

    for c in [&client, &derived, &client] {
        let _: Value = c.request(Method::GET, "/v1/ping").send().await.unwrap();
    }
    assert_eq!(
        *connections.lock().unwrap(),
        1,
        "the derived client opened its own pool"
    );

    // A client built anew does not share it.
    let fresh = Client::builder()
        .api_key(TEST_KEY)
        .base_url(&url)
        .build()
        .unwrap();
    let _: Value = fresh.request(Method::GET, "/v1/ping").send().await.unwrap();
    assert_eq!(*connections.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_derived_clients_default_header_replaces_its_parents() {
    let server = server_answering_method("GET", vec![ResponseTemplate::new(200)]).await;
    let parent = Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .default_header("x-tenant", "acme")
        .default_header("x-region", "eu")
        .default_header("x-tag", "1")
        .default_header("x-tag", "2")
        .build()
        .unwrap();
    let child = parent
        .to_builder()
        .default_header("x-tenant", "beta")
        .default_header("User-Agent", "child/1")
        .build()
        .unwrap();
    for c in [&parent, &child] {
        c.request(Method::GET, "/v1/ping")
            .send::<()>()
            .await
            .unwrap();
    }
    let received = server.received_requests().await.unwrap();
    let values = |i: usize, name: &str| -> Vec<String> {
        received[i]
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(values(0, "x-tenant"), ["acme"]);
    // A default given twice is sent twice, by the parent and the child.
    assert_eq!(values(0, "x-tag"), ["1", "2"]);
    assert_eq!(values(1, "x-tag"), ["1", "2"]);
    assert_eq!(values(1, "x-tenant"), ["beta"]);
    assert_eq!(values(1, "x-region"), ["eu"]);
    assert_eq!(values(1, "user-agent"), ["child/1"]);
    assert!(values(0, "user-agent")[0].starts_with("straddle-sdk-rust/"));
}
