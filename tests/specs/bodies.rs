//! Calls the code generated from `tests/specs/bodies.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): JSON bodies on the wire.

use spec_bodies::types::{CreateThingRequest, CreateThingRequestType};
use spec_bodies::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

async fn serve(verb: &str, at: &str, status: u16) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(serde_json::json!({"id": ID, "name": "Widget"})),
        )
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

async fn sent_body(server: &MockServer) -> Option<serde_json::Value> {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = &requests[0];
    if request.body.is_empty() {
        assert!(!request.headers.contains_key("content-type"));
        return None;
    }
    assert_eq!(request.headers["content-type"], "application/json");
    Some(serde_json::from_slice(&request.body).expect("the body is JSON"))
}

#[tokio::test]
async fn a_setter_per_property_builds_the_body_and_201_decodes() {
    let (server, client) = serve("POST", "/v1/things", 201).await;
    let thing = client
        .things()
        .create()
        .name("Widget")
        .type_(CreateThingRequestType::Large)
        .amount(std::num::NonZeroU64::new(5).expect("not zero"))
        .tags(vec!["a".to_string()])
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(thing.name, "Widget");
    assert_eq!(
        sent_body(&server).await,
        Some(serde_json::json!({"name": "Widget", "type": "large", "amount": 5, "tags": ["a"]}))
    );
}

#[tokio::test]
async fn a_required_property_left_unset_is_named_and_nothing_is_sent() {
    let (server, client) = serve("POST", "/v1/things", 201).await;
    let err = client
        .things()
        .create()
        .name("Widget")
        .type_(CreateThingRequestType::from("medium"))
        .send()
        .await
        .expect_err("amount is required");
    assert!(
        matches!(&err, Error::InvalidRequest { operation, message } if operation == "CreateThing" && message.contains("`amount`")),
        "{err}"
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recording")
            .is_empty()
    );
}

#[tokio::test]
async fn a_whole_body_then_a_setter_changes_one_property() {
    let (server, client) = serve("POST", "/v1/things", 201).await;
    let whole: CreateThingRequest = serde_json::from_value(serde_json::json!({
        "name": "Old", "type": "small", "amount": 2, "note": null
    }))
    .expect("a request value");
    client
        .things()
        .create()
        .body(whole)
        .name("New")
        .send()
        .await
        .expect("call succeeds");
    let body = sent_body(&server).await.expect("a body");
    assert_eq!(body["name"], "New");
    assert_eq!(body["type"], "small");
    assert_eq!(body["amount"], 2);
}

#[tokio::test]
async fn an_optional_body_is_sent_only_when_set() {
    let (server, client) = serve("PUT", &format!("/v1/things/{ID}"), 200).await;
    client
        .things()
        .update(ID)
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(sent_body(&server).await, None);

    let (server, client) = serve("PUT", &format!("/v1/things/{ID}"), 200).await;
    client
        .things()
        .update(ID)
        .amount(7_i64)
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(
        sent_body(&server).await,
        Some(serde_json::json!({"amount": 7}))
    );
}

#[tokio::test]
async fn an_inline_body_schema_is_a_named_type_with_setters() {
    let (server, client) = serve("POST", &format!("/v1/things/{ID}/notes"), 200).await;
    let _typed: Option<spec_bodies::types::AddNoteBody> = None;
    client
        .things()
        .notes()
        .add(ID)
        .text("hello")
        .pinned(true)
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(
        sent_body(&server).await,
        Some(serde_json::json!({"text": "hello", "pinned": true}))
    );
}

#[tokio::test]
async fn a_union_body_is_set_whole() {
    let (server, client) = serve("POST", &format!("/v1/things/{ID}/actions"), 200).await;
    let rename: spec_bodies::types::Rename =
        serde_json::from_value(serde_json::json!({"new_name": "Gadget"})).expect("a Rename");
    client
        .things()
        .run_action(ID)
        .body(spec_bodies::types::Action::from(rename))
        .send()
        .await
        .expect("call succeeds");
    assert_eq!(
        sent_body(&server).await,
        Some(serde_json::json!({"new_name": "Gadget"}))
    );
}

/// `straddle-sdk-mock` over this spec: an expectation matches on the body
/// properties it sets, and the received body reads back typed.
#[tokio::test]
async fn the_mock_matches_each_body_property_an_expectation_sets() {
    use straddle_sdk_mock::{Answer, MockServer, samples};

    let server = MockServer::start().await;
    let client = server.client().expect("client builds");
    let update = server
        .expect(client.things().update(ID).name("Widget"))
        .answer(Answer::ok(samples::update_thing()))
        .times(1)
        .mount()
        .await
        .expect("mounts");
    // A property the expectation leaves unset can be anything.
    client
        .things()
        .update(ID)
        .name("Widget")
        .amount(5)
        .send()
        .await
        .expect("matches");
    let err = client
        .things()
        .update(ID)
        .name("Gadget")
        .send()
        .await
        .expect_err("another name does not match");
    assert!(
        err.to_string()
            .contains(r#"the body's `name` is "Gadget", not "Widget""#),
        "{err}"
    );
    let sent: spec_bodies::types::UpdateThingRequest = update.received_requests()[0]
        .json()
        .expect("the body is an UpdateThingRequest");
    assert_eq!(sent.name.as_deref(), Some("Widget"));
    assert_eq!(
        update.received_requests()[0].json::<serde_json::Value>().ok(),
        Some(serde_json::json!({"name": "Widget", "amount": 5}))
    );
}

/// An expectation may leave a required body property unset: it matches the
/// properties it sets, and the SDK still refuses to send the same request.
#[tokio::test]
async fn the_mock_expects_a_body_with_required_properties_unset() {
    use straddle_sdk_mock::{Answer, MockError, MockServer, samples};

    let server = MockServer::start().await;
    let client = server.client().expect("client builds");
    // `type` and `amount` are required too.
    let create = server
        .expect(client.things().create().name("Widget"))
        .answer(Answer::ok(samples::create_thing()))
        .times(1)
        .mount()
        .await
        .expect("mounts with required properties unset");
    let send = |name: &str| {
        client
            .things()
            .create()
            .name(name)
            .type_(CreateThingRequestType::Large)
            .amount(std::num::NonZeroU64::new(5).expect("not zero"))
            .send()
    };
    send("Widget").await.expect("matches");
    let err = send("Gadget").await.expect_err("another name");
    assert!(
        err.to_string()
            .contains(r#"the body's `name` is "Gadget", not "Widget""#),
        "{err}"
    );
    assert_eq!(create.received_count(), 1);
    // Nothing set matches any body; an argument the SDK refuses still fails mount.
    let any = server
        .expect(client.things().create())
        .answer(Answer::ok(samples::create_thing()))
        .mount()
        .await
        .expect("mounts with no property set");
    send("Gadget").await.expect("matches the second expectation");
    assert_eq!(any.received_count(), 1);
    let err = server
        .expect(client.things().update("not-a-uuid").name("Widget"))
        .answer(Answer::ok(samples::update_thing()))
        .mount()
        .await;
    assert!(
        matches!(err, Err(MockError::InvalidArguments { .. })),
        "{err:?}"
    );
}
