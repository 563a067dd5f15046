//! Calls the code generated from `tests/specs/webhooks.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): two webhook events carried as
//! `x-webhooks`, one whose data holds an open enum, one whose data is a
//! union, signed by the mock crate and read by the SDK.

use std::time::SystemTime;

use spec_webhooks::HeaderMap;
use spec_webhooks::types::{Owner, WidgetStatus};
use spec_webhooks::webhooks::{Event, Webhook};
use straddle_sdk_mock::{samples, sign_webhook};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn signed(body: &[u8]) -> HeaderMap {
    sign_webhook(SECRET, "msg_1", SystemTime::now(), body).expect("a test secret signs")
}

fn receive(body: &serde_json::Value) -> Event {
    let body = serde_json::to_vec(body).expect("JSON");
    let webhook = Webhook::new(SECRET).expect("a secret");
    webhook.verify_event(&body, &signed(&body)).expect("verified and read")
}

#[test]
fn each_event_of_the_spec_is_a_variant_and_every_sample_is_one() {
    assert_eq!(Event::KNOWN_TYPES, ["widget.created.v1", "widget.owner_changed.v1"]);
    for sample in samples::webhooks::all() {
        let body = serde_json::to_value(&sample).expect("a sample serializes");
        assert_eq!(receive(&body), sample, "{}", sample.event_type());
    }
}

#[test]
fn an_enum_value_the_sdk_does_not_know_still_reads_and_writes_back() {
    let body = serde_json::json!({
        "event_type": "widget.created.v1",
        "event_id": "85df84c7-a298-44bc-8040-7bd2ae372cbf",
        "account_id": "857c679a-8e80-47f1-9334-39dd08ea801f",
        "data": { "id": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", "status": "recalled", "later": 1 }
    });
    let event = receive(&body);
    let Event::WidgetCreatedV1(created) = &event else { panic!("{event:?}") };
    assert_eq!(created.data.status, WidgetStatus::Unknown("recalled".into()));
    assert!(created.data.owner.is_absent());
    assert_eq!(serde_json::to_value(&event).expect("serializes"), body);
}

#[test]
fn a_union_in_the_data_picks_its_variant_and_debug_hides_the_ssn() {
    let body = serde_json::json!({
        "event_type": "widget.owner_changed.v1",
        "event_id": "85df84c7-a298-44bc-8040-7bd2ae372cbf",
        "account_id": "857c679a-8e80-47f1-9334-39dd08ea801f",
        "data": { "name": "Ron", "ssn": "123-45-6789" }
    });
    let event = receive(&body);
    let Event::WidgetOwnerChangedV1(changed) = &event else { panic!("{event:?}") };
    let Owner::Person(person) = &changed.data else { panic!("{:?}", changed.data) };
    assert_eq!(person.ssn, "123-45-6789");
    let printed = format!("{event:?}");
    assert!(!printed.contains("123-45-6789") && printed.contains("Ron"), "{printed}");
    assert_eq!(serde_json::to_value(&event).expect("serializes"), body);
}

#[test]
fn an_event_the_spec_does_not_list_is_kept_whole() {
    let body = serde_json::json!({ "event_type": "widget.deleted.v2", "data": { "ssn": "123-45-6789" } });
    let event = receive(&body);
    let Event::Unknown(unknown) = &event else { panic!("{event:?}") };
    assert_eq!(unknown.json(), &body);
    assert_eq!(event.event_type(), "widget.deleted.v2");
    assert!(!format!("{event:?}").contains("123-45-6789"));
}
