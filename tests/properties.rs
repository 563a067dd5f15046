//! Property tests: generated payloads shaped like the API's, with extra fields
//! and unknown enum values, parse without panicking and round-trip.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use straddle_sdk::types::{
    ComplianceProfileV1, ComplianceProfileV1Business, ComplianceProfileV1Individual,
    CustomerV1ItemResponse, ErrorResponse,
};

/// Any JSON value, with numbers that JSON text carries exactly.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (any::<i32>(), 0u32..8).prop_map(|(m, e)| json!(f64::from(m) / f64::from(1u32 << e))),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Unknown fields: keys that cannot collide with the schema's own.
fn extra_fields() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x_[a-z0-9_]{1,8}", any_json(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn with_extra(mut object: Value, extra: Map<String, Value>) -> Value {
    if let Value::Object(map) = &mut object {
        map.extend(extra);
    }
    object
}

/// A known value or any other string the API might add later.
fn open_enum(known: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(known).prop_map(|s| json!(s)),
        "[a-z_]{1,12}".prop_map(Value::String)
    ]
}

fn optional(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop::option::of(value)
}

fn timestamp() -> impl Strategy<Value = Value> {
    // 1970..2100, millisecond precision, as the API writes them.
    (0i64..4_102_444_800_000).prop_map(|ms| {
        let t = chrono_like(ms);
        Value::String(t)
    })
}

/// RFC 3339 with milliseconds in UTC, without pulling in chrono here.
fn chrono_like(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn representative() -> impl Strategy<Value = Value> {
    (".{1,10}", extra_fields()).prop_map(|(name, extra)| with_extra(json!({ "name": name }), extra))
}

fn compliance_profile() -> impl Strategy<Value = Value> {
    let text = || prop::option::of(".{0,16}").prop_map(|s| s.map_or(Value::Null, Value::String));
    let individual = (text(), text(), extra_fields())
        .prop_map(|(dob, ssn, extra)| with_extra(json!({ "dob": dob, "ssn": ssn }), extra));
    let representative = representative();
    let business = (
        text(),
        text(),
        optional(".{0,16}".prop_map(Value::String)),
        optional(prop::collection::vec(representative, 0..3).prop_map(Value::Array)),
        extra_fields(),
    )
        .prop_map(|(ein, name, website, reps, extra)| {
            let mut v = json!({ "ein": ein, "legal_business_name": name });
            if let Some(w) = website {
                v["website"] = w;
            }
            if let Some(r) = reps {
                v["representatives"] = r;
            }
            with_extra(v, extra)
        });
    prop_oneof![individual, business]
}

/// A compliance profile with any subset of both variants' fields, each
/// absent, null or well typed, plus unknown fields, in any key order: what
/// the one-pass decoder must sort out exactly as serde's untagged derive.
fn any_profile_shape() -> impl Strategy<Value = Value> {
    let text = || {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            ".{0,12}".prop_map(|s| Some(Value::String(s))),
        ]
    };
    // Representatives with nulls and keys in any order: kept as sent when
    // they end up in an individual's `extra`.
    let person = (
        ".{1,6}",
        text(),
        text(),
        Just(vec![0usize, 1, 2]).prop_shuffle(),
        extra_fields(),
    )
        .prop_map(|(name, email, phone, order, extra)| {
            let fields = [
                ("name", Some(Value::String(name))),
                ("email", email),
                ("phone", phone),
            ];
            let mut out = Map::new();
            for i in order {
                if let Some((key, Some(value))) = fields.get(i) {
                    out.insert((*key).to_string(), value.clone());
                }
            }
            out.extend(extra);
            Value::Object(out)
        });
    // Now and then a business field of the wrong type, which sends serde's
    // untagged derive on to `Individual`.
    let representatives = prop_oneof![
        2 => Just(None),
        2 => Just(Some(Value::Null)),
        5 => prop::collection::vec(person, 0..3).prop_map(|v| Some(Value::Array(v))),
        1 => Just(Some(json!("none"))),
    ];
    let website = prop_oneof![9 => text(), 1 => Just(Some(json!(5)))];
    let order = Just(vec![0usize, 1, 2, 3, 4, 5, 6]).prop_shuffle();
    (
        (text(), text(), website, representatives, text(), text()),
        extra_fields(),
        order,
    )
        .prop_map(|((ein, name, website, reps, dob, ssn), extra, order)| {
            let known = [
                ("ein", ein),
                ("legal_business_name", name),
                ("website", website),
                ("representatives", reps),
                ("dob", dob),
                ("ssn", ssn),
            ];
            let mut out = Map::new();
            for i in order {
                match known.get(i) {
                    Some((key, Some(value))) => {
                        out.insert((*key).to_string(), value.clone());
                    }
                    Some((_, None)) => {}
                    // Unknown fields go where index 6 lands in the order.
                    None => out.extend(extra.clone()),
                }
            }
            Value::Object(out)
        })
}

/// serde's untagged derive over the same variants: the behaviour the
/// generated one-pass decoder replaces and must match.
#[derive(serde::Deserialize, Debug)]
#[serde(untagged)]
enum UntaggedProfile {
    Business(ComplianceProfileV1Business),
    Individual(ComplianceProfileV1Individual),
}

impl From<UntaggedProfile> for ComplianceProfileV1 {
    fn from(value: UntaggedProfile) -> Self {
        match value {
            UntaggedProfile::Business(b) => b.into(),
            UntaggedProfile::Individual(i) => i.into(),
        }
    }
}

fn customer_response() -> impl Strategy<Value = Value> {
    let address = (
        ".{1,12}",
        optional(".{0,8}".prop_map(Value::String)),
        ".{1,8}",
        ".{0,4}",
        ".{0,10}",
        extra_fields(),
    )
        .prop_map(|(a1, a2, city, state, zip, extra)| {
            let mut v = json!({ "address1": a1, "city": city, "state": state, "zip": zip });
            if let Some(a2) = a2 {
                v["address2"] = a2;
            }
            with_extra(v, extra)
        });
    let config = (
        optional(open_enum(&["standard", "verified", "rejected", "review"])),
        optional(open_enum(&["inline", "background", "skip"])),
    )
        .prop_map(|(outcome, method)| {
            let mut v = json!({});
            if let Some(o) = outcome {
                v["sandbox_outcome"] = o;
            }
            if let Some(m) = method {
                v["processing_method"] = m;
            }
            v
        });
    let metadata = prop::collection::btree_map("[a-z]{1,8}", ".{0,8}", 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()));
    let required = (
        any::<u128>(),
        ".{0,16}",
        ".{0,16}",
        ".{0,16}",
        open_enum(&["pending", "review", "verified", "inactive", "rejected"]),
        open_enum(&["individual", "business"]),
        timestamp(),
        timestamp(),
    );
    let optionals = (
        optional(address),
        optional(compliance_profile()),
        optional(config),
        optional(".{0,16}".prop_map(|ip| json!({ "ip_address": ip }))),
        optional(".{0,12}".prop_map(Value::String)),
        optional(metadata),
    );
    (
        required,
        optionals,
        extra_fields(),
        extra_fields(),
        open_enum(&["object", "array", "error", "none"]),
        any::<u128>(),
        timestamp(),
    )
        .prop_map(
            |(req, opt, data_extra, top_extra, response_type, request_id, request_ts)| {
                let (id, name, email, phone, status, kind, created, updated) = req;
                let mut data = json!({
                    "id": uuid::Uuid::from_u128(id).to_string(),
                    "name": name, "email": email, "phone": phone,
                    "status": status, "type": kind,
                    "created_at": created, "updated_at": updated,
                });
                let (address, profile, config, device, external_id, metadata) = opt;
                for (key, value) in [
                    ("address", address),
                    ("compliance_profile", profile),
                    ("config", config),
                    ("device", device),
                    ("external_id", external_id),
                    ("metadata", metadata),
                ] {
                    if let Some(v) = value {
                        data[key] = v;
                    }
                }
                let body = json!({
                    "data": with_extra(data, data_extra),
                    "meta": {
                        "api_request_id": uuid::Uuid::from_u128(request_id).to_string(),
                        "api_request_timestamp": request_ts,
                    },
                    "response_type": response_type,
                });
                with_extra(body, top_extra)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn customer_payloads_round_trip_with_unknown_fields_and_values(body in customer_response()) {
        let text = serde_json::to_string(&body).unwrap();
        let typed: CustomerV1ItemResponse = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        let back = serde_json::to_value(&typed).unwrap();
        prop_assert_eq!(&back, &body);
        let again: CustomerV1ItemResponse = serde_json::from_value(back).unwrap();
        prop_assert_eq!(&again, &typed);
        // A profile with the business keys is always Business.
        if let Some(profile) = body["data"].get("compliance_profile") {
            let is_business = profile.get("legal_business_name").is_some();
            let parsed_business = matches!(typed.data.compliance_profile.as_ref(), Some(ComplianceProfileV1::Business(_)));
            prop_assert_eq!(is_business, parsed_business);
        }
    }

    #[test]
    fn the_one_pass_profile_decoder_agrees_with_serde_untagged(profile in any_profile_shape()) {
        let text = serde_json::to_string(&profile).unwrap();
        let reference = serde_json::from_str::<UntaggedProfile>(&text).map(ComplianceProfileV1::from);
        // Both of serde_json's deserializers: streaming text and a `Value`.
        let streamed = serde_json::from_str::<ComplianceProfileV1>(&text);
        let from_value = serde_json::from_value::<ComplianceProfileV1>(profile.clone());
        // The documented difference: once a business field has been decoded
        // directly (it came after `ein` and `legal_business_name`), a business
        // field of the wrong type is an error, where the untagged derive
        // tries `Individual`.
        let keys: Vec<&str> = profile.as_object().unwrap().keys().map(String::as_str).collect();
        let at = |key: &str| keys.iter().position(|k| *k == key);
        let wrong = |key: &str| match (key, profile.get(key)) {
            ("website", Some(v)) => !(v.is_string() || v.is_null()),
            ("representatives", Some(v)) => !(v.is_array() || v.is_null()),
            _ => false,
        };
        let certain_at = at("ein").zip(at("legal_business_name")).map(|(a, b)| a.max(b));
        let decoded_directly = ["website", "representatives"]
            .iter()
            .any(|k| certain_at.is_some_and(|c| at(k).is_some_and(|p| p > c)));
        let direct_failure = decoded_directly && (wrong("website") || wrong("representatives"));
        if direct_failure {
            prop_assert!(streamed.is_err(), "{:?}: {}", streamed, text);
            prop_assert!(from_value.is_err(), "{:?}: {}", from_value, text);
            return Ok(());
        }
        match (&reference, &streamed) {
            (Ok(want), Ok(got)) => {
                prop_assert_eq!(want, got, "{}", text);
                // Byte for byte, which `PartialEq` on maps is not: `extra`
                // keeps the other variant's fields as sent and in order.
                prop_assert_eq!(
                    serde_json::to_string(want).unwrap(),
                    serde_json::to_string(got).unwrap()
                );
                // Inside a whole response (whose own `extra` is flattened).
                let mut body = straddle_sdk_tests::fixture("customer_refresh_review.json");
                body["data"]["compliance_profile"] = profile.clone();
                let response: CustomerV1ItemResponse = serde_json::from_str(&body.to_string())
                    .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
                prop_assert_eq!(response.data.compliance_profile.as_ref(), Some(want));
            }
            (Err(_), Err(e)) => prop_assert!(
                e.to_string().contains("needs the fields of one of its variants")
                    || e.to_string().contains("field `website`: invalid type")
                    || e.to_string().contains("field `representatives`: invalid type"),
                "{e}: {text}"
            ),
            _ => prop_assert!(false, "untagged {:?} but one-pass {:?}: {}", reference, streamed, text),
        }
        prop_assert_eq!(streamed.as_ref().ok(), from_value.as_ref().ok());
        // The variant is Business exactly when both business keys are present
        // and its fields decode.
        if let Ok(got) = &streamed {
            let business = certain_at.is_some() && !wrong("website") && !wrong("representatives");
            prop_assert_eq!(business, matches!(got, ComplianceProfileV1::Business(_)));
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_decoders(value in any_json(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = serde_json::from_value::<CustomerV1ItemResponse>(value.clone());
        let _ = serde_json::from_value::<ErrorResponse>(value);
        let _ = serde_json::from_slice::<CustomerV1ItemResponse>(&bytes);
        let _ = serde_json::from_slice::<ErrorResponse>(&bytes);
    }

    #[test]
    fn error_bodies_round_trip(
        status in 100i32..600,
        kind in ".{0,12}",
        title in ".{0,12}",
        detail in prop::option::of(".{0,12}"),
        items in prop::option::of(prop::collection::vec((prop::option::of("[a-z.]{1,12}"), ".{0,12}"), 0..3)),
        extra in extra_fields(),
    ) {
        let mut error = json!({ "status": status, "type": kind, "title": title });
        if let Some(d) = detail { error["detail"] = json!(d); }
        if let Some(items) = items {
            error["items"] = items.into_iter().map(|(r, d)| match r {
                Some(r) => json!({ "reference": r, "detail": d }),
                None => json!({ "detail": d }),
            }).collect();
        }
        let body = with_extra(json!({
            "meta": { "api_request_id": uuid::Uuid::nil().to_string(), "api_request_timestamp": "2023-11-07T05:31:56.000Z" },
            "response_type": "error",
            "error": error,
        }), extra);
        let typed: ErrorResponse = serde_json::from_value(body.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&typed).unwrap(), body);
    }
}

#[test]
fn the_timestamp_helper_writes_rfc3339() {
    assert_eq!(chrono_like(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(chrono_like(1_577_470_279_117), "2019-12-27T18:11:19.117Z");
}
