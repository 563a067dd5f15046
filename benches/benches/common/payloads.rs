//! The payloads the decoding benchmarks use, shared by `decode.rs` and the
//! callgrind harness (`examples/callgrind.rs`).

use serde_json::{Map, Value, json};

/// The documented example response of `refresh_review`.
pub const EXAMPLE: &str = include_str!("../../../tests/fixtures/customer_refresh_review.json");
/// Representatives in the large payload.
pub const REPRESENTATIVES: usize = 200;
/// Metadata entries in the large payload (the API allows up to 20).
pub const METADATA: usize = 20;

/// Adds `count` fields the SDK does not know to `object`, of every JSON kind.
pub fn add_unknown_fields(object: &mut Value, prefix: &str, count: usize) {
    let object = object.as_object_mut().expect("an object");
    for i in 0..count {
        let value = match i % 6 {
            0 => json!(format!("{prefix} value {i}")),
            1 => json!(i * 1000 + 7),
            2 => json!(i % 4 == 1),
            3 => json!(null),
            4 => json!([format!("{prefix}-{i}-a"), i, 1.5, {"nested": true}]),
            _ => json!({
                "kind": format!("{prefix}_{i}"),
                "score": i as f64 / 3.0,
                "tags": ["a", "b"],
                "detail": {"checked_at": "2024-01-01T00:00:00Z", "passed": true},
            }),
        };
        object.insert(format!("{prefix}_unknown_{i}"), value);
    }
}

/// The large payload: the example turned into a business customer with many
/// metadata entries, many representatives and unknown fields at every level;
/// with `representatives_first`, the profile lists them before its other keys.
pub fn large_payload(representatives_first: bool) -> String {
    let mut doc: Value = serde_json::from_str(EXAMPLE).expect("example is JSON");
    add_unknown_fields(&mut doc, "top", 8);
    add_unknown_fields(&mut doc["meta"], "meta", 4);

    let data = &mut doc["data"];
    data["type"] = json!("business");
    data["name"] = json!("Acme Corp LLC");
    let metadata: Map<String, Value> = (0..METADATA)
        .map(|i| (format!("key_{i:02}"), json!(format!("value number {i}"))))
        .collect();
    data["metadata"] = Value::Object(metadata);
    add_unknown_fields(data, "data", 12);
    add_unknown_fields(&mut data["address"], "address", 4);
    add_unknown_fields(&mut data["config"], "config", 3);
    add_unknown_fields(&mut data["device"], "device", 3);

    let representatives: Vec<Value> = (0..REPRESENTATIVES)
        .map(|i| {
            let mut rep = json!({
                "name": format!("Representative {i}"),
                "email": format!("rep{i}@acme.example"),
                "phone": format!("+1212555{:04}", i),
            });
            add_unknown_fields(&mut rep, "rep", 3);
            rep
        })
        .collect();
    let mut profile = Map::new();
    if representatives_first {
        profile.insert(
            "representatives".into(),
            Value::Array(representatives.clone()),
        );
    }
    profile.insert("ein".into(), json!("**-*******"));
    profile.insert("legal_business_name".into(), json!("Acme Corp LLC"));
    profile.insert("website".into(), json!("https://acme.example"));
    if !representatives_first {
        profile.insert("representatives".into(), Value::Array(representatives));
    }
    let mut profile = Value::Object(profile);
    add_unknown_fields(&mut profile, "profile", 6);
    data["compliance_profile"] = profile;

    serde_json::to_string(&doc).expect("serializes")
}
