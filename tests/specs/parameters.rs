//! Calls the code generated from `tests/specs/parameters.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): path, query and header arguments.

use spec_parameters::types::{GetItemColors, GetItemStatus, Kind};
use spec_parameters::{Client, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

async fn server() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": ID})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("sk_test_0123456789")
        .base_url(server.uri())
        .max_retries(0)
        .build()
        .expect("client builds");
    (server, client)
}

#[tokio::test]
async fn every_argument_type_goes_on_the_wire_as_the_spec_says() {
    let (server, client) = server().await;
    let item = client
        .items()
        .get(ID.to_uppercase(), "a/b c", -3, 25, "trace-1")
        .q("abc")
        .big(9_007_199_254_740_993_i64)
        .ratio(0.5)
        .flag(false)
        .status(GetItemStatus::from("archived"))
        .kind(Kind::Beta)
        .since(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).expect("a date"))
        .until(
            chrono::DateTime::parse_from_rfc3339("2024-03-01T10:00:00Z")
                .expect("a time")
                .to_utc(),
        )
        .kinds(vec![Kind::Alpha, "gamma".into()])
        .colors(vec![GetItemColors::Red])
        .ids(vec![spec_parameters::UuidArg::from(ID), ID.into()])
        .account_id(uuid::Uuid::nil())
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(item.id.to_string(), ID);

    let requests = server.received_requests().await.expect("recording is on");
    let request = &requests[0];
    assert_eq!(request.url.path(), format!("/v1/items/{ID}/a%2Fb%20c/-3"));
    assert_eq!(
        request.url.query(),
        Some(
            "limit=25&q=abc&big=9007199254740993&ratio=0.5&flag=false&status=archived&kind=beta\
             &since=2024-02-29&until=2024-03-01T10%3A00%3A00Z&kinds=alpha&kinds=gamma&colors=red\
             &ids=182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e%2C182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
        )
    );
    assert_eq!(request.headers["x-trace"], "trace-1");
    assert_eq!(
        request.headers["account-id"],
        "00000000-0000-0000-0000-000000000000"
    );
}

#[tokio::test]
async fn optional_arguments_left_unset_are_not_sent() {
    let (server, client) = server().await;
    client
        .items()
        .get(ID, "s", 0, 1, "t")
        .send()
        .await
        .expect("call succeeds");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests[0].url.query(), Some("limit=1"));
    assert!(!requests[0].headers.contains_key("account-id"));
}

#[tokio::test]
async fn arguments_the_spec_rejects_fail_before_sending() {
    let (server, client) = server().await;
    let cases = [
        (
            client.items().get(ID, "s", 0, 1, "t").q("a"),
            "`q` must be between 2 and 10",
        ),
        (
            client.items().get("nope", "s", 0, 1, "t"),
            "`item_id` must be a UUID",
        ),
        (
            client
                .items()
                .get(ID, "s", 0, 1, "t")
                .ids(vec![spec_parameters::UuidArg::from("x")]),
            "`ids` must be a UUID",
        ),
        (
            client
                .items()
                .get(ID, "s", 0, 1, "this trace is far too long"),
            "`X-Trace` must be at most 16",
        ),
        (
            client.items().get(ID, "s", 0, 1, "a\r\nb"),
            "`X-Trace` cannot be sent as a header",
        ),
    ];
    for (request, expected) in cases {
        let err = request.send().await.expect_err("rejected");
        assert!(
            matches!(&err, Error::InvalidRequest { message, .. } if message.contains(expected)),
            "expected {expected:?}, got {err}"
        );
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

/// `straddle-sdk-mock` over this spec: an expectation matches on the query
/// pairs (and headers) it sets, whatever else a request carries.
#[tokio::test]
async fn the_mock_matches_each_query_pair_an_expectation_sets() {
    use straddle_sdk_mock::{Answer, MockServer, samples};

    let server = MockServer::start().await;
    let client = server.client().expect("client builds");
    let get = || client.items().get(ID, "a b", 1, 25, "trace-1");
    let expected = server
        .expect(get().q("abc").kinds(vec![Kind::Beta, Kind::Alpha]))
        .answer(Answer::ok(samples::get_item()))
        .mount()
        .await
        .expect("mounts");
    get()
        .flag(true)
        .kinds(vec![Kind::Beta, Kind::Alpha])
        .q("abc")
        .send()
        .await
        .expect("matches in any order, with other pairs");
    for request in [
        get().q("abd").kinds(vec![Kind::Beta, Kind::Alpha]),
        get().q("abc").kinds(vec![Kind::Beta]),
    ] {
        let err = request.send().await.expect_err("no match");
        assert!(err.to_string().contains("the query has no"), "{err}");
    }
    let err = client
        .items()
        .get(ID, "a b", 1, 25, "trace-2")
        .q("abc")
        .kinds(vec![Kind::Beta, Kind::Alpha])
        .send()
        .await
        .expect_err("another required header does not match");
    assert!(err.to_string().contains("the header `x-trace`"), "{err}");
    assert_eq!(expected.received_count(), 1);
    assert_eq!(server.unmatched_requests().len(), 3);
}
