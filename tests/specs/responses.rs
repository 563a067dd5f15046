//! Calls the code generated from `tests/specs/responses.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): 201, 204, JSON among other media
//! types, and an inline success schema.

use spec_responses::types::{GetJobStatusResponse, Job};
use spec_responses::{Client, Error, StatusCode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(verb: &str, at: &str, template: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(template)
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
async fn created_201_decodes_the_body() {
    let (_server, client) = serve(
        "POST",
        "/v1/jobs",
        ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "j1", "done": false})),
    )
    .await;
    let response = client
        .jobs()
        .start()
        .send_with_response()
        .await
        .expect("ok");
    assert_eq!(response.status, StatusCode::CREATED);
    let job: Job = response.body;
    assert_eq!(job.id, "j1");
}

#[tokio::test]
async fn no_content_204_is_unit_and_a_body_where_one_is_documented_is_required() {
    let (_server, client) = serve("DELETE", "/v1/jobs/j1", ResponseTemplate::new(204)).await;
    let (): () = client
        .jobs()
        .delete("j1")
        .send()
        .await
        .expect("no body is fine");

    let (_server, client) = serve("GET", "/v1/jobs/j1", ResponseTemplate::new(200)).await;
    let err = client
        .jobs()
        .get("j1")
        .send()
        .await
        .expect_err("a Job was documented");
    assert!(matches!(err, Error::Decode(_)), "{err}");
}

#[tokio::test]
async fn json_is_read_whatever_json_media_type_the_server_labels_it() {
    let (server, client) = serve(
        "GET",
        "/v1/jobs/j1",
        ResponseTemplate::new(200).set_body_raw(r#"{"id":"j1"}"#, "text/json"),
    )
    .await;
    let job = client.jobs().get("j1").send().await.expect("ok");
    assert_eq!(job.id, "j1");
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests[0].headers["accept"], "application/json");
}

#[tokio::test]
async fn an_inline_success_schema_is_a_named_type() {
    let (_server, client) = serve(
        "GET",
        "/v1/jobs/j1/status",
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"state": "running"})),
    )
    .await;
    let status: GetJobStatusResponse = client.jobs().status("j1").send().await.expect("ok");
    assert_eq!(status.state, "running");
}

#[tokio::test]
async fn a_json_body_without_a_schema_is_a_json_value() {
    let (_server, client) = serve(
        "GET",
        "/v1/jobs/j1/raw",
        ResponseTemplate::new(200)
            .set_body_raw(r#"{"any":[1,"thing"]}"#, "application/vnd.jobs+json"),
    )
    .await;
    let value: serde_json::Value = client.jobs().raw("j1").send().await.expect("ok");
    assert_eq!(value, serde_json::json!({"any": [1, "thing"]}));
}

/// `straddle-sdk-mock` over this spec: `Answer::ok` answers with each
/// operation's documented success status (the lowest 2xx it declares), and
/// a `()` success with no body.
#[tokio::test]
async fn the_mock_answers_ok_with_the_documented_status() {
    use straddle_sdk_mock::{Answer, MockServer, samples};

    let server = MockServer::start().await;
    let client = server.client().expect("client builds");
    let started = server
        .expect(client.jobs().start())
        .answer(Answer::ok(samples::start_job()))
        .mount()
        .await
        .expect("mounts");
    server
        .expect(client.jobs().delete("j1"))
        .answer(Answer::ok(samples::delete_job()))
        .mount()
        .await
        .expect("mounts");
    let response = client.jobs().start().send_with_response().await.expect("ok");
    assert_eq!(response.status, StatusCode::CREATED, "201, not the 202 declared first");
    assert_eq!(response.body, samples::start_job());
    let response = client
        .jobs()
        .delete("j1")
        .send_with_response()
        .await
        .expect("ok");
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(started.received_count(), 1);
}
