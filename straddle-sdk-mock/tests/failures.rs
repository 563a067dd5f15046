//! What a consumer's tests of failures need from the mock: a server that
//! goes away, a connection dropped, a body cut off, and a server asking to
//! wait, each seen by the SDK as in production, and none of them slow.

use std::time::{Duration, Instant};

use straddle_sdk::resources::RefreshCustomerReview;
use straddle_sdk::{Error, StatusCode};
use straddle_sdk_mock::{Answer, MockServer, error_response, samples};

mod common;

use common::{ID, Result, refresh, serve};

fn rate_limited() -> Answer<RefreshCustomerReview> {
    Answer::error(
        StatusCode::TOO_MANY_REQUESTS,
        error_response(StatusCode::TOO_MANY_REQUESTS, "Slow down", "rate limited"),
    )
    .header("Retry-After", "3")
}

/// `host:port` of the server, for a plain TCP connection.
fn address(server: &MockServer) -> String {
    server.uri().trim_start_matches("http://").to_string()
}

#[tokio::test]
async fn a_retry_after_of_seconds_is_honoured_in_milliseconds() -> Result {
    let sample = samples::refresh_customer_review();
    let (_server, client, mounted) =
        serve(Answer::sequence([rate_limited(), Answer::ok(sample)])).await?;
    let started = Instant::now();
    let response = refresh(&client).send_with_response().await?;
    let elapsed = started.elapsed();
    assert_eq!(response.attempts, 2);
    assert_eq!(mounted.received_count(), 2);
    // 3 ms, not 3 s; and not the backoff's half millisecond either.
    assert!(
        elapsed >= Duration::from_millis(3) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_attempts_and_retry_after_of_an_error_are_the_servers() -> Result {
    let (_server, client, mounted) = serve(rate_limited()).await?;
    let started = Instant::now();
    let err = refresh(&client).send().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.attempts(), 3, "the SDK's 2 retries");
    assert_eq!(mounted.received_count(), 3);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    Ok(())
}

#[tokio::test]
async fn a_stopped_server_refuses_connections_and_keeps_what_it_received() -> Result {
    let sample = samples::refresh_customer_review();
    let (server, client, mounted) = serve(Answer::ok(sample)).await?;
    // The client keeps this connection open for the next call.
    refresh(&client).send().await?;
    server.stop().await;

    let err = refresh(&client).send().await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.attempts(), 3, "retried as a connection error");
    let refused = std::net::TcpStream::connect(address(&server)).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(mounted.received_count(), 1);
    server.stop().await; // again: nothing to do
    server.verify().await;
    Ok(())
}

#[tokio::test]
async fn a_dropped_server_refuses_connections() -> Result {
    let server = MockServer::start().await;
    let address = address(&server);
    std::net::TcpStream::connect(&address)?;
    drop(server);
    let refused = std::net::TcpStream::connect(&address).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    Ok(())
}

#[tokio::test]
async fn a_dropped_connection_is_a_connection_error_that_is_retried() -> Result {
    let sample = samples::refresh_customer_review();
    let (_server, client, flaky) = serve(Answer::sequence([
        Answer::drop_connection(),
        Answer::ok(sample.clone()),
    ]))
    .await?;
    let response = refresh(&client).send_with_response().await?;
    assert_eq!((response.attempts, flaky.received_count()), (2, 2));
    assert_eq!(response.body, sample);

    let (_server, client, gone) = serve(Answer::drop_connection()).await?;
    let err = refresh(&client).send().await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!((err.attempts(), gone.received_count()), (3, 3));
    Ok(())
}

#[tokio::test]
async fn a_body_cut_off_is_a_transport_error_that_is_retried() -> Result {
    let sample = samples::refresh_customer_review();
    let cut = || Answer::ok(samples::refresh_customer_review()).cut_body(10);
    let (_server, client, flaky) = serve(Answer::sequence([cut(), Answer::ok(sample)])).await?;
    let response = refresh(&client).send_with_response().await?;
    assert_eq!((response.attempts, flaky.received_count()), (2, 2));

    let (_server, client, _) = serve(cut()).await?;
    let err = refresh(&client).send().await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.attempts(), 3);
    // What did arrive before the cut is the body's start, not a whole JSON value.
    let Error::Connection(transport) = &err else {
        unreachable!()
    };
    assert!(
        transport.source.is_body() || transport.source.is_decode(),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn a_cut_body_declares_the_whole_length_and_sends_only_its_start() -> Result {
    use std::io::{Read, Write};

    let answer = Answer::raw(StatusCode::OK, "text/plain", "0123456789").cut_body(4);
    let (server, _client, _) = serve(answer).await?;
    let address = address(&server);
    let raw = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut stream = std::net::TcpStream::connect(&address)?;
        write!(
            stream,
            "PUT /v1/customers/{ID}/refresh_review HTTP/1.1\r\nhost: {address}\r\ncontent-length: 0\r\n\r\n"
        )?;
        let mut received = Vec::new();
        // Until the server closes the connection.
        stream.read_to_end(&mut received)?;
        Ok(String::from_utf8_lossy(&received).into_owned())
    })
    .await??;
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(raw.contains("content-length: 10\r\n"), "{raw}");
    assert!(raw.ends_with("\r\n\r\n0123"), "{raw}");
    Ok(())
}
