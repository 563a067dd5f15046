//! The receiver over loopback, with deliveries signed by
//! `straddle_sdk_mock::sign_webhook` as a user's tests sign them.

use std::time::SystemTime;

use straddle_sdk::HeaderMap;
use straddle_sdk::reqwest::{self, StatusCode};
use straddle_sdk::serde_json::{Value, json};
use straddle_sdk::webhooks::{Event, Webhook};
use straddle_sdk_example_webhook_receiver::{PATH, router, work_on};
use straddle_sdk_mock::sign_webhook;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

/// A test secret of the endpoint (any base64 after `whsec_`).
const SECRET: &str = "whsec_dGVzdCBzZWNyZXQgb2YgdGhlIGV4YW1wbGUgcmVjZWl2ZXI=";

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The receiver on a loopback port: its URL, and the queue of accepted events.
async fn start() -> Result<(String, mpsc::Receiver<Event>)> {
    let (work, queue) = mpsc::channel(16);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}{PATH}", listener.local_addr()?);
    let app = router(Webhook::new(SECRET)?, work);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, queue))
}

async fn deliver(url: &str, headers: HeaderMap, body: &[u8]) -> Result<StatusCode> {
    let response = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await?;
    Ok(response.status())
}

fn customer_created(name: &str) -> Vec<u8> {
    let event: Value = json!({
        "event_type": "customer.created.v1",
        "event_id": "85df84c7-a298-44bc-8040-7bd2ae372cbf",
        "account_id": "857c679a-8e80-47f1-9334-39dd08ea801f",
        "data": {
            "id": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
            "name": name,
            "type": "individual",
            "email": "april@pawnee.gov",
            "phone": "+12128675309",
            "status": "pending",
            "device": { "ip_address": "0.0.0.0" },
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"
        }
    });
    straddle_sdk::serde_json::to_vec(&event).unwrap_or_default()
}

#[tokio::test]
async fn a_signed_delivery_is_accepted_and_its_event_queued() -> Result {
    let (url, mut queue) = start().await?;
    let body = customer_created("April Ludgate");
    let headers = sign_webhook(SECRET, "msg_1", SystemTime::now(), &body)?;
    assert_eq!(deliver(&url, headers, &body).await?, StatusCode::OK);
    let event = queue.recv().await.ok_or("nothing was queued")?;
    assert!(matches!(&event, Event::CustomerCreatedV1(e) if e.data.name == "April Ludgate"));
    assert_eq!(
        work_on(&event),
        "customer 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e created (pending)"
    );
    Ok(())
}

#[tokio::test]
async fn a_tampered_or_unsigned_delivery_is_refused_and_nothing_is_queued() -> Result {
    let (url, mut queue) = start().await?;
    let body = customer_created("April Ludgate");
    let headers = sign_webhook(SECRET, "msg_2", SystemTime::now(), &body)?;
    let tampered = customer_created("Janet Snakehole");
    assert_eq!(
        deliver(&url, headers.clone(), &tampered).await?,
        StatusCode::UNAUTHORIZED
    );
    let other_secret = "whsec_c29tZW9uZSBlbHNlJ3Mgc2VjcmV0";
    let forged = sign_webhook(other_secret, "msg_3", SystemTime::now(), &body)?;
    assert_eq!(
        deliver(&url, forged, &body).await?,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        deliver(&url, HeaderMap::new(), &body).await?,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(queue.try_recv().unwrap_err(), TryRecvError::Empty);
    Ok(())
}

#[tokio::test]
async fn a_repeated_delivery_is_acknowledged_and_worked_on_once() -> Result {
    let (url, mut queue) = start().await?;
    let body = customer_created("Andy Dwyer");
    let headers = sign_webhook(SECRET, "msg_4", SystemTime::now(), &body)?;
    assert_eq!(deliver(&url, headers.clone(), &body).await?, StatusCode::OK);
    // Straddle's retry: the same message, signed again at a later time.
    let retry = sign_webhook(SECRET, "msg_4", SystemTime::now(), &body)?;
    assert_eq!(deliver(&url, retry, &body).await?, StatusCode::OK);
    assert!(queue.recv().await.is_some());
    assert_eq!(queue.try_recv().unwrap_err(), TryRecvError::Empty);
    // Another message with the same content is new work.
    let next = sign_webhook(SECRET, "msg_5", SystemTime::now(), &body)?;
    assert_eq!(deliver(&url, next, &body).await?, StatusCode::OK);
    assert!(queue.recv().await.is_some());
    Ok(())
}

#[tokio::test]
async fn an_event_of_another_type_is_acknowledged_without_work() -> Result {
    let (url, mut queue) = start().await?;
    // A type no version of the SDK knows (a later one may know Straddle's next).
    let body = br#"{"event_type":"example.unknown.v1","data":{}}"#;
    let headers = sign_webhook(SECRET, "msg_6", SystemTime::now(), body)?;
    assert_eq!(deliver(&url, headers, body).await?, StatusCode::OK);
    assert_eq!(queue.try_recv().unwrap_err(), TryRecvError::Empty);
    Ok(())
}

#[tokio::test]
async fn a_signed_event_this_sdk_cannot_read_is_left_to_straddles_retries() -> Result {
    let (url, mut queue) = start().await?;
    let body = br#"{"event_type":"customer.created.v1","data":{}}"#;
    let headers = sign_webhook(SECRET, "msg_7", SystemTime::now(), body)?;
    assert_eq!(
        deliver(&url, headers, body).await?,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(queue.try_recv().unwrap_err(), TryRecvError::Empty);
    Ok(())
}
