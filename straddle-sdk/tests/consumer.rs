//! The SDK as a user sees it: only public items, used the way the README
//! shows. A change that breaks users breaks this file.

use std::time::Duration;

use straddle_sdk::types::{ComplianceProfileV1, CustomerStatusV1, CustomerV1ItemResponse};
use straddle_sdk::{
    ApiResponse, Client, DecodeReason, Environment, Error, Nullable, RetryPolicy, StatusCode,
    Timestamp,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EXAMPLE: &str = include_str!("../../tests/fixtures/customer_refresh_review.json");

/// Answers every request on a loopback port with `status` and `body`.
async fn serve(status: u16, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let _ = socket.read(&mut buf).await;
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
        }
    });
    url
}

fn client(url: &str) -> Result<Client, Error> {
    Client::builder()
        .api_key("sk_test_consumer")
        .environment(Environment::Production)
        .base_url(url)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(1))
        .max_response_bytes(1 << 20)
        .build()
}

#[tokio::test]
async fn a_user_calls_refresh_review_and_reads_the_customer() -> Result<(), Error> {
    let client = client(&serve(200, EXAMPLE).await)?;
    let response: ApiResponse<CustomerV1ItemResponse> = client
        .customers()
        .review()
        .refresh_review(straddle_sdk::uuid::Uuid::nil())
        .correlation_id("c")
        .request_id("r")
        .idempotency_key("0123456789")
        .straddle_account_id("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        .max_retries(1)
        .timeout(Duration::from_secs(2))
        .send_with_response()
        .await?;
    assert_eq!(response.status, StatusCode::OK);
    let customer = response.into_body().data;
    // A flat, open enum: compared, matched with a catch-all and printed.
    assert!(customer.status == CustomerStatusV1::Pending);
    let verdict = match &customer.status {
        CustomerStatusV1::Verified => "verified".to_string(),
        other => format!("not verified: {other}"),
    };
    assert_eq!(verdict, "not verified: pending");
    assert_eq!(customer.status.as_str(), "pending");
    // The issue's own words: match by value, print, read optional fields in one call.
    let printed = match customer.status.clone() {
        CustomerStatusV1::Verified => "verified".to_string(),
        other => other.to_string(),
    };
    println!("{printed}");
    assert_eq!(customer.external_id.as_deref(), Some("external_id"));
    assert!(
        customer
            .address
            .as_ref()
            .is_some_and(|a| a.address2.is_some())
    );
    assert!(matches!(
        customer.compliance_profile,
        Nullable::Value(ComplianceProfileV1::Individual(_))
    ));
    let created: &Timestamp = &customer.created_at;
    assert_eq!(created.as_str(), "2019-12-27T18:11:19.117Z");
    assert!(customer.extra.is_empty());
    // Types of the public API, named through the SDK's re-exports alone.
    let id: straddle_sdk::uuid::Uuid = customer.id;
    let extra: &straddle_sdk::serde_json::Map<String, straddle_sdk::serde_json::Value> =
        &customer.extra;
    let when: Option<straddle_sdk::chrono::DateTime<straddle_sdk::chrono::Utc>> =
        created.to_datetime();
    let metadata: Option<&straddle_sdk::indexmap::IndexMap<String, String>> =
        customer.metadata.as_ref();
    assert!(!id.is_nil() && extra.is_empty() && when.is_some() && metadata.is_some());
    Ok(())
}

#[tokio::test]
async fn send_and_send_with_response_read_the_body_the_same_way() -> Result<(), Error> {
    let client = client(&serve(200, EXAMPLE).await)?;
    let id = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
    let customer = client
        .customers()
        .review()
        .refresh_review(id)
        .send()
        .await?;
    let mut response = client
        .customers()
        .review()
        .refresh_review(id)
        .send_with_response()
        .await?;
    assert_eq!(customer.data.name, "Ron Swanson");
    assert_eq!(response.data.name, customer.data.name);
    assert_eq!(response.meta.api_request_id, customer.meta.api_request_id);
    assert_eq!((response.status, response.attempts), (StatusCode::OK, 1));
    // Changed through the response too, as a test might.
    response.data.name = "Ronald".into();
    assert_eq!(response.body.data.name, "Ronald");
    assert_eq!(response.into_body().data.name, "Ronald");
    Ok(())
}

#[tokio::test]
async fn a_user_matches_on_errors() -> Result<(), Error> {
    let client = client(&serve(200, "not json").await)?;
    let err = client
        .customers()
        .review()
        .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
        .send()
        .await;
    match err {
        Err(Error::Decode(decode)) => assert!(matches!(decode.reason, DecodeReason::Json(_))),
        other => panic!("expected a decode error, got {other:?}"),
    }
    let policy: &RetryPolicy = client.retry_policy();
    assert_eq!(policy.max_retries, 0);
    assert!(Client::builder().build().is_err());
    Ok(())
}

/// A compliance profile is built from its variant and set on a customer in
/// one expression, as the field holding it (`Nullable<ComplianceProfileV1>`)
/// takes either variant directly.
#[test]
fn a_compliance_profile_is_set_from_its_variant_in_one_expression() {
    use straddle_sdk::types::{
        ComplianceProfileV1Business, ComplianceProfileV1Individual, CustomerV1,
    };
    let mut customer = serde_json::from_str::<CustomerV1ItemResponse>(EXAMPLE)
        .expect("the documented example decodes")
        .data;
    customer.compliance_profile = ComplianceProfileV1Individual::new(
        Some("1990-01-01".to_string()),
        Some("123-45-6789".to_string()),
    )
    .into();
    assert!(matches!(
        &customer.compliance_profile,
        Nullable::Value(ComplianceProfileV1::Individual(p)) if p.ssn.as_deref() == Some("123-45-6789")
    ));
    let customer: CustomerV1 = customer.with_compliance_profile(ComplianceProfileV1Business::new(
        Some("12-3456789".to_string()),
        Some("Acme".to_string()),
    ));
    assert!(matches!(
        customer.compliance_profile,
        Nullable::Value(ComplianceProfileV1::Business(_))
    ));
}
