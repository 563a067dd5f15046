//! Decoding a response body into `straddle_sdk::types::CustomerV1ItemResponse`
//! against decoding it into `serde_json::Value`, from the same bytes.
//!
//! Three payloads:
//! - `example`: the documented example of `refresh_review` (an individual);
//! - `large`: a business customer built here, with 20 metadata entries, 200
//!   representatives, and unknown fields at every level (top, `data`,
//!   `address`, `compliance_profile`, `config`, `device`, `meta`, each
//!   representative), which the typed value keeps in its `extra` maps;
//! - `large-reps-first`: the same with `representatives` sent before `ein`
//!   and `legal_business_name`, the order in which the one-pass profile
//!   decoder cannot yet know the variant and keeps them as a `Value` first
//!   (the API sends them last; this prices the other order).
//!
//! Target: typed decoding no slower than `Value`. After criterion's report,
//! the summary adds an interleaved comparison (see `common/interleave.rs`),
//! the figure to trust on a busy machine.

#[path = "common/interleave.rs"]
mod interleave;
#[path = "common/payloads.rs"]
mod payloads;
#[path = "common/report.rs"]
mod report;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use straddle_sdk::types::{ComplianceProfileV1, CustomerV1ItemResponse};

use interleave::interleave;
use payloads::{EXAMPLE, METADATA, REPRESENTATIVES, large_payload};
use report::{Report, duration, ratio};

/// Rounds of the interleaved comparison.
const ROUNDS: usize = 30;

/// A payload to decode.
struct Payload {
    /// The benchmark's name.
    name: &'static str,
    /// What the summary calls it.
    description: &'static str,
    /// Decodings per block of the interleaved comparison: a few
    /// milliseconds' worth.
    block: usize,
    /// Whether the target (typed no slower than `Value`) applies.
    targeted: bool,
    bytes: Vec<u8>,
}

/// The documented example and the large payloads.
fn payloads() -> [Payload; 3] {
    [
        Payload {
            name: "example",
            description: "documented example",
            block: 1000,
            targeted: true,
            bytes: EXAMPLE.as_bytes().to_vec(),
        },
        Payload {
            name: "large",
            description: "large business payload",
            block: 20,
            targeted: true,
            bytes: large_payload(false).into_bytes(),
        },
        Payload {
            name: "large-reps-first",
            description: "large business payload, representatives before ein",
            block: 20,
            targeted: false,
            bytes: large_payload(true).into_bytes(),
        },
    ]
}

/// Checks that both decodings work, and keep what they should, before timing.
fn check(name: &str, bytes: &[u8]) {
    let typed: CustomerV1ItemResponse = serde_json::from_slice(bytes).expect("typed decoding");
    let value: Value = serde_json::from_slice(bytes).expect("Value decoding");
    assert_eq!(typed.data.id.to_string(), value["data"]["id"]);
    if name.starts_with("large") {
        assert_eq!(typed.extra.len(), 8);
        assert_eq!(typed.data.extra.len(), 12);
        assert_eq!(
            typed.data.metadata.as_ref().map(|m| m.len()),
            Some(METADATA)
        );
        match typed.data.compliance_profile.as_ref() {
            Some(ComplianceProfileV1::Business(business)) => {
                let reps = business.representatives.as_deref().unwrap_or_default();
                assert_eq!(reps.len(), REPRESENTATIVES);
                assert_eq!(reps[0].extra.len(), 3);
                assert_eq!(business.extra.len(), 6);
            }
            other => panic!("expected a business profile, got {other:?}"),
        }
    }
}

fn decode(c: &mut Criterion, payloads: &[Payload]) {
    let mut group = c.benchmark_group("decode");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for Payload { name, bytes, .. } in payloads {
        check(name, bytes);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new(*name, "typed"), |b| {
            b.iter(|| {
                serde_json::from_slice::<CustomerV1ItemResponse>(black_box(bytes))
                    .expect("typed decoding")
            })
        });
        group.bench_function(BenchmarkId::new(*name, "value"), |b| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(bytes)).expect("Value decoding"))
        });
    }
    group.finish();
}

/// Decodes `bytes` `times` times, as the typed response or as a `Value`.
fn decode_block(bytes: &[u8], typed: bool, times: usize) {
    for _ in 0..times {
        if typed {
            black_box(
                serde_json::from_slice::<CustomerV1ItemResponse>(black_box(bytes))
                    .expect("typed decoding"),
            );
        } else {
            black_box(serde_json::from_slice::<Value>(black_box(bytes)).expect("Value decoding"));
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut report = Report::new("decode");
    let payloads = payloads();

    decode(&mut criterion, &payloads);

    criterion.final_summary();
    for payload in &payloads {
        let Payload {
            name,
            description,
            block,
            targeted,
            bytes,
        } = payload;
        let typed = report.median_ns("decode", &format!("{name}/typed"));
        let value = report.median_ns("decode", &format!("{name}/value"));
        let verdict = |ratio: f64| match (targeted, ratio <= 1.0) {
            (false, _) => "target <= 1x: not applied to this key order",
            (true, true) => "target <= 1x: met",
            (true, false) => "target <= 1x: MISSED",
        };
        report.line(format!(
            "{description} ({} bytes), criterion: typed {} / Value {} = {}",
            bytes.len(),
            duration(typed),
            duration(value),
            ratio(typed, value),
        ));
        if typed.is_none() || value.is_none() {
            continue;
        }
        let ab = interleave(ROUNDS, 2, *block, |i, ops| decode_block(bytes, i == 0, ops));
        report.line(format!(
            "{description}, interleaved ({ROUNDS} rounds of {block}): typed {} / Value {} = {} ({})",
            duration(Some(ab.per_op_ns[0])),
            duration(Some(ab.per_op_ns[1])),
            ab.ratio_of_first[1],
            verdict(ab.ratio_of_first[1].median),
        ));
    }
    report.print();
}
