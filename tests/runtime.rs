//! Run-time rules: retries, idempotency keys, timeouts, body limits, and
//! secrecy of the key. One test per rule, against loopback servers only.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use straddle_sdk::{Client, DecodeReason, Error};
use straddle_sdk_tests::{
    CUSTOMER_ID, TEST_KEY, client, fast_retries, fixture, header_values, ok_example, raw_server,
    refresh_review as call, server_answering, server_answering_method,
};
use tokio::io::AsyncWriteExt;
use wiremock::ResponseTemplate;

#[tokio::test]
async fn retries_429_then_500_then_succeeds_with_one_idempotency_key_honouring_retry_after() {
    let server = server_answering(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        ResponseTemplate::new(500).set_body_json(fixture("error_422.json")),
        ok_example(),
    ])
    .await;
    let started = Instant::now();
    call(&client(&server.uri(), 2))
        .await
        .expect("third attempt succeeds");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );

    let keys = header_values(&server, "idempotency-key").await;
    assert_eq!(keys.len(), 3);
    assert!(
        keys[0].len() >= 10 && keys[0].len() <= 40,
        "generated key {:?}",
        keys[0]
    );
    assert!(
        keys.iter().all(|k| k == &keys[0]),
        "keys differ across retries: {keys:?}"
    );
    assert_eq!(
        header_values(&server, "x-straddle-retry-count").await,
        ["0", "1", "2"]
    );
}

/// A retry encodes the call's arguments again (the first request is not
/// copied up front): what it sends must be what the first attempt sent.
#[tokio::test]
async fn every_attempt_sends_the_first_ones_request_but_for_its_retry_count() {
    let server = server_answering_method(
        "POST",
        vec![
            ResponseTemplate::new(500),
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})),
        ],
    )
    .await;
    let answer: serde_json::Value = client(&server.uri(), 2)
        .request(straddle_sdk::reqwest::Method::POST, "/v1/things/a%2Fb")
        .query(&[("page_size", "5"), ("status", "active")])
        .json(&serde_json::json!({"name": "Ada", "amount": 100, "tags": ["x", "y"]}))
        .header("x-tenant", "acme")
        .send()
        .await
        .unwrap();
    assert_eq!(answer["ok"], true);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let headers = |r: &wiremock::Request| {
        let mut pairs: Vec<(String, String)> = r
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != "x-straddle-retry-count")
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.to_string(), value)
            })
            .collect();
        pairs.sort();
        pairs
    };
    let first = &requests[0];
    assert!(first.headers.contains_key("idempotency-key"));
    assert_eq!(
        first.body,
        br#"{"name":"Ada","amount":100,"tags":["x","y"]}"#
    );
    for (attempt, request) in requests.iter().enumerate() {
        assert_eq!(request.method, first.method, "attempt {attempt}");
        assert_eq!(request.url, first.url, "attempt {attempt}");
        assert_eq!(request.body, first.body, "attempt {attempt}");
        assert_eq!(headers(request), headers(first), "attempt {attempt}");
        assert_eq!(
            request.headers["x-straddle-retry-count"],
            attempt.to_string().as_str()
        );
    }
}

#[tokio::test]
async fn each_call_gets_its_own_key_and_a_callers_key_passes_through_every_attempt() {
    let server = server_answering(vec![ResponseTemplate::new(503), ok_example()]).await;
    let client = client(&server.uri(), 2);
    client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .idempotency_key("caller-key-123")
        .send()
        .await
        .unwrap();
    call(&client).await.unwrap();
    call(&client).await.unwrap();
    let keys = header_values(&server, "idempotency-key").await;
    assert_eq!(&keys[..2], ["caller-key-123", "caller-key-123"]);
    assert_ne!(keys[2], keys[3], "two calls shared a generated key");
}

#[tokio::test]
async fn a_retry_after_beyond_the_window_returns_at_once_with_the_wait_on_the_error() {
    let server = server_answering(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "3600"),
        ok_example(),
    ])
    .await;
    let started = Instant::now();
    let err = call(&client(&server.uri(), 2)).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited {:?}",
        started.elapsed()
    );
    // One request: the server asked for an hour, so it is not asked again now.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn a_retry_after_within_the_window_is_waited_and_kept_on_a_final_error() {
    let server = server_answering(vec![
        ResponseTemplate::new(503).insert_header("retry-after-ms", "300"),
    ])
    .await;
    let started = Instant::now();
    let err = call(&client(&server.uri(), 1)).await.unwrap_err();
    // The client's own backoff is a few milliseconds: the wait is the server's.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(err.retry_after(), Some(Duration::from_millis(300)));
}

#[tokio::test]
async fn a_callers_reqwest_timeout_is_kept_unless_the_sdk_timeout_is_set_too() {
    let slow = server_answering(vec![ok_example().set_delay(Duration::from_millis(1500))]).await;
    let callers = || {
        reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap()
    };
    let builder = || {
        Client::builder()
            .api_key(TEST_KEY)
            .base_url(slow.uri())
            .max_retries(0)
            .http_client(callers())
    };
    let started = Instant::now();
    let err = call(&builder().build().unwrap()).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "the caller's 300 ms timeout was replaced: {:?}",
        started.elapsed()
    );
    // A deadline for the whole call does not lift the caller's timeout.
    let started = Instant::now();
    let err = call(
        &builder()
            .total_timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1200));
    // The SDK's timeout, when set as well, is the one that applies.
    let patient = builder().timeout(Duration::from_secs(5)).build().unwrap();
    call(&patient).await.unwrap();
}

#[tokio::test]
async fn a_total_timeout_bounds_the_whole_call_across_retries() {
    // Every attempt is slow; each alone is within the per-attempt timeout.
    let slow = server_answering(vec![
        ResponseTemplate::new(500).set_delay(Duration::from_millis(400)),
    ])
    .await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(slow.uri())
        .retry_policy(fast_retries(5))
        .timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = call(&client).await.unwrap_err();
    let took = started.elapsed();
    // Without the deadline: six attempts, 2.4 s, and a 500.
    let Error::Deadline(deadline) = &err else {
        panic!("{err:?}")
    };
    assert!(err.is_timeout() && err.is_retryable());
    assert_eq!(deadline.total_timeout, Duration::from_secs(1));
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1600),
        "took {took:?}"
    );
    assert!((2..=3).contains(&err.attempts()), "{err}");
    assert!(err.to_string().contains("total timeout of 1s"), "{err}");

    // A retry whose wait would end after the deadline is not made: the
    // last answer is returned at once, without sleeping first.
    let asks_to_wait = server_answering(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "2"),
    ])
    .await;
    let started = Instant::now();
    let err = client
        .to_builder()
        .base_url(asks_to_wait.uri())
        .build()
        .unwrap()
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .total_timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(asks_to_wait.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unusable_body_after_retries_counts_every_attempt() {
    let server = server_answering(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_string("not json"),
    ])
    .await;
    let err = call(&client(&server.uri(), 2)).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((decode.attempts, err.attempts()), (2, 2));
}

#[tokio::test]
async fn max_retries_zero_sends_exactly_once_and_returns_the_last_error() {
    let server = server_answering(vec![ResponseTemplate::new(500).set_body_string("down")]).await;
    let err = call(&client(&server.uri(), 0)).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));

    // The same through a per-call override on a client that would retry.
    let server = server_answering(vec![ResponseTemplate::new(500)]).await;
    let client = client(&server.uri(), 5);
    client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .max_retries(0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_the_last_status_and_body() {
    let server = server_answering(vec![
        ResponseTemplate::new(503).set_body_json(fixture("error_404.json")),
    ])
    .await;
    let err = call(&client(&server.uri(), 2)).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.attempts, 3);
    assert_eq!(api.status.as_u16(), 503);
    assert!(api.body.is_some());
}

#[tokio::test]
async fn a_400_is_not_retried_and_x_should_retry_overrides_either_way() {
    let server = server_answering(vec![ResponseTemplate::new(400)]).await;
    call(&client(&server.uri(), 2)).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let server = server_answering(vec![
        ResponseTemplate::new(400).insert_header("x-should-retry", "true"),
        ok_example(),
    ])
    .await;
    call(&client(&server.uri(), 2)).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = server_answering(vec![
        ResponseTemplate::new(503).insert_header("x-should-retry", "false"),
    ])
    .await;
    call(&client(&server.uri(), 2)).await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_timeout_error_and_is_retried() {
    let server = server_answering(vec![ok_example().set_delay(Duration::from_secs(5))]).await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .retry_policy(fast_retries(1))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = call(&client).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "the timeout was not retried"
    );
    assert!(started.elapsed() < Duration::from_secs(3));

    // A delayed first answer followed by a quick one succeeds.
    let server = server_answering(vec![
        ok_example().set_delay(Duration::from_secs(5)),
        ok_example(),
    ])
    .await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .retry_policy(fast_retries(2))
        .build()
        .unwrap();
    client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect("per-call timeout, then a retry that succeeds");
}

#[tokio::test]
async fn a_body_cut_off_mid_way_is_a_connection_error_and_is_retried() {
    let (url, count) = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"data\": {",
    )
    .await;
    let err = call(&client(&url, 1)).await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(*count.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_decode_error_not_an_allocation() {
    let server = server_answering(vec![ok_example()]).await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(server.uri())
        .max_response_bytes(100)
        .build()
        .unwrap();
    let err = call(&client).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(
        decode.reason,
        DecodeReason::TooLarge { limit: 100 }
    ));

    // Without a Content-Length the limit still holds while streaming.
    let (url, _) = raw_server(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n40\r\n0123456789012345678901234567890123456789012345678901234567890123\r\n40\r\n0123456789012345678901234567890123456789012345678901234567890123\r\n0\r\n\r\n",
    )
    .await;
    let client = Client::builder()
        .api_key(TEST_KEY)
        .base_url(url)
        .max_response_bytes(100)
        .build()
        .unwrap();
    let err = call(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if matches!(d.reason, DecodeReason::TooLarge { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    // Bind then drop, so the port is very likely closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = call(&client(&format!("http://127.0.0.1:{port}"), 2))
        .await
        .unwrap_err();
    let Error::Connection(transport) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(transport.attempts, 3);
    assert!(err.to_string().contains("after 3 attempt(s)"), "{err}");
}

#[tokio::test]
async fn https_works_with_the_default_features() {
    // A plain-TCP server behind an https:// URL: with TLS compiled in the
    // call fails in the TLS handshake (a connection error); without it,
    // reqwest would refuse the scheme before connecting.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(Mutex::new(0u32));
    let seen = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            *seen.lock().unwrap() += 1;
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot tls").await;
        }
    });
    let err = call(&client(&format!("https://127.0.0.1:{port}"), 0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(
        *accepted.lock().unwrap(),
        1,
        "no TLS connection was attempted: {err}"
    );
}
