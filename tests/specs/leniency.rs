//! Calls the code generated from `tests/specs/leniency.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): a closed, strict schema whose
//! generated types still take what a real server sends: unknown fields and
//! enum values, masked strings, `null`s, and a union told apart by fields.

use spec_leniency::types::{Profile, Status, Thing};
use spec_leniency::{Client, Nullable};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

async fn serve(body: serde_json::Value) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/things/{ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
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
async fn what_the_strict_schema_forbids_decodes_and_is_written_back_as_sent() {
    let sent = serde_json::json!({
        "id": ID,
        "status": "suspended",
        "zip": "*****",
        "place": null,
        "profile": { "ein": null, "name": "Acme", "dob": "****-**-**", "new_field": 1 },
        "added_later": { "x": [1, 2] }
    });
    let (_server, client) = serve(sent.clone()).await;
    let thing: Thing = client.things().get(ID).send().await.expect("decodes");
    assert_eq!(thing.status.as_str(), "suspended");
    assert!(!thing.status.is_known());
    assert!(thing.place.is_null(), "a null is kept apart from an absent field");
    assert_eq!(thing.zip.as_deref(), Some("*****"));
    let Nullable::Value(Profile::Company(company)) = &thing.profile else {
        panic!("ein and name select the company: {:?}", thing.profile);
    };
    assert_eq!(company.name.as_deref(), Some("Acme"));
    assert_eq!(company.extra["dob"], "****-**-**", "the other variant's field is kept");
    assert_eq!(thing.extra["added_later"], serde_json::json!({ "x": [1, 2] }));
    assert_eq!(serde_json::to_value(&thing).expect("serializes"), sent);
}

#[test]
fn an_enum_value_compares_by_its_text_and_the_spec_default_is_never_invented() {
    assert_eq!(Status::from("on"), Status::On);
    assert_eq!(Status::Unknown("off".into()), Status::Off);
    let thing: Thing = serde_json::from_value(serde_json::json!({ "id": ID, "status": "off" }))
        .expect("decodes");
    assert!(thing.profile.is_absent() && thing.place.is_absent());
    let err = serde_json::from_value::<Thing>(serde_json::json!({ "id": ID }))
        .expect_err("a missing status is not filled in with the spec's default");
    assert!(err.to_string().contains("status"), "{err}");
}
