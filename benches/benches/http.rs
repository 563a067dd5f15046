//! Calls through the SDK against calls with a bare `reqwest::Client`, all
//! against loopback HTTP/1.1 servers answering with the documented example
//! of `PUT /v1/customers/{id}/refresh_review`.
//!
//! - `call_overhead`: one call at a time on a single-threaded runtime.
//!   `sdk` is `client.customers().review().refresh_review(id).send()` with
//!   default retries, idempotency key, its 60 s per-attempt timeout and
//!   tracing spans; `bare` is the `PUT` by hand with `reqwest` (`Accept`,
//!   `Authorization`), a status check and
//!   `serde_json::from_slice::<CustomerV1ItemResponse>`; `bare_timeout` is
//!   `bare` sending the SDK's other headers as well (`user-agent`,
//!   `idempotency-key`, retry count) with the same 60 s reqwest timeout:
//!   the floor for what the SDK promises, so that sdk/bare_timeout is the
//!   cost of the SDK's code alone. Target: SDK median within 1.10x of bare.
//! - `concurrency`: bursts of 1, 16 and 256 concurrent calls (tokio tasks in
//!   a `JoinSet`) on a two-worker runtime, all three sides; every call must
//!   succeed, and the throughput is reported in calls per second.
//!
//! All clients are plain `reqwest::Client`s with the same settings (the SDK
//! gets its own through `ClientBuilder::http_client`), so all keep their
//! connections alive; each talks to its own server, whose connection and
//! request counts are printed at the end. After each group, the summary also
//! reports an interleaved comparison (see `common/interleave.rs`), which is
//! the figure to trust on a busy machine.

#[path = "common/bare.rs"]
mod bare;
#[path = "common/interleave.rs"]
mod interleave;
#[path = "common/loopback.rs"]
mod loopback;
#[path = "common/report.rs"]
mod report;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use straddle_sdk::types::CustomerV1ItemResponse;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use bare::{API_KEY, BoxError, CUSTOMER_ID};
use interleave::{Comparison, interleave};
use loopback::Loopback;
use report::{Report, duration, ratio};

/// The documented example response of `refresh_review`.
const EXAMPLE: &str = include_str!("../../tests/fixtures/customer_refresh_review.json");
/// Concurrency levels of the `concurrency` group.
const LEVELS: [usize; 3] = [1, 16, 256];
/// The target for the SDK's per-call overhead.
const OVERHEAD_TARGET: f64 = 1.10;
/// The per-attempt timeout of the SDK (its default, set explicitly: a
/// client given with `.http_client(..)` keeps that client's own) and of
/// `bare_timeout`.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Rounds of the interleaved comparisons.
const ROUNDS: usize = 20;
/// Calls per block of the interleaved comparisons.
const CALLS_PER_BLOCK: usize = 1024;

/// The HTTP client every side uses: reqwest's defaults (keep-alive pool,
/// `TCP_NODELAY`), without system proxies so requests stay on loopback.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// One way of making the call.
#[derive(Clone)]
enum Side {
    /// Through the SDK.
    Sdk(straddle_sdk::Client),
    /// By hand; with `timeout`, with the SDK's other headers and timeout too.
    Bare {
        http: reqwest::Client,
        url: String,
        timeout: Option<Duration>,
    },
}

impl Side {
    /// The three sides, each on its own server, with fresh clients (pooled
    /// connections belong to the runtime that opened them).
    fn all(servers: &Servers) -> [Side; 3] {
        let bare = |server: &Loopback, timeout| Side::Bare {
            http: http_client(),
            url: server.url(),
            timeout,
        };
        let sdk = straddle_sdk::Client::builder()
            .api_key(API_KEY)
            .base_url(servers.sdk.url())
            .http_client(http_client())
            .timeout(TIMEOUT)
            .build()
            .expect("SDK client");
        [
            Side::Sdk(sdk),
            bare(&servers.bare, None),
            bare(&servers.bare_timeout, Some(TIMEOUT)),
        ]
    }

    fn name(&self) -> &'static str {
        match self {
            Side::Sdk(_) => "sdk",
            Side::Bare { timeout: None, .. } => "bare",
            Side::Bare {
                timeout: Some(_), ..
            } => "bare_timeout",
        }
    }

    async fn call(&self) -> Result<CustomerV1ItemResponse, BoxError> {
        match self {
            Side::Sdk(client) => Ok(client
                .customers()
                .review()
                .refresh_review(CUSTOMER_ID)
                .send()
                .await?),
            Side::Bare { http, url, timeout } => {
                bare::refresh_review(http, url, timeout.is_some(), *timeout).await
            }
        }
    }
}

/// One loopback server per side.
struct Servers {
    sdk: Loopback,
    bare: Loopback,
    bare_timeout: Loopback,
}

/// Calls made and calls failed in bursts.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    errors: AtomicU64,
}

/// `n` concurrent calls; panics (failing the benchmark) if any fails.
async fn burst(side: &Side, n: usize, tally: &Tally) {
    let mut tasks = JoinSet::new();
    for _ in 0..n {
        let side = side.clone();
        tasks.spawn(async move { side.call().await });
    }
    let mut errors = 0u64;
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let error = match joined {
            Ok(Ok(_)) => continue,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        errors += 1;
        first_error.get_or_insert(error);
    }
    tally.calls.fetch_add(n as u64, Ordering::Relaxed);
    tally.errors.fetch_add(errors, Ordering::Relaxed);
    assert_eq!(
        errors,
        0,
        "{errors} of {n} concurrent {} calls failed; first: {first_error:?}",
        side.name()
    );
}

/// The interleaved comparison of `sides` on `runtime`: blocks of about
/// [`CALLS_PER_BLOCK`] calls, one at a time when `concurrency` is `None`,
/// else in bursts of that many.
fn compare(
    runtime: &Runtime,
    sides: &[Side],
    concurrency: Option<usize>,
    tally: &Tally,
) -> Comparison {
    let bursts = concurrency.map(|n| (n, (CALLS_PER_BLOCK / n).max(1)));
    let ops = bursts.map_or(CALLS_PER_BLOCK, |(n, count)| n * count);
    interleave(ROUNDS, sides.len(), ops, |i, _| {
        runtime.block_on(async {
            match bursts {
                None => {
                    for _ in 0..CALLS_PER_BLOCK {
                        sides[i].call().await.expect("a call succeeds");
                    }
                }
                Some((n, count)) => {
                    for _ in 0..count {
                        burst(&sides[i], n, tally).await;
                    }
                }
            }
        })
    })
}

/// Runs the `call_overhead` group; then, if criterion measured it, the
/// interleaved comparison on the same runtime and clients.
fn call_overhead(c: &mut Criterion, report: &Report, sides: &[Side]) -> Option<Comparison> {
    // One thread: the figure is the cost of a call, not of scheduling.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // Every side must work, and return the same thing, before it is timed.
    let results: Vec<_> = sides
        .iter()
        .map(|side| runtime.block_on(side.call()).expect("a call succeeds"))
        .collect();
    assert!(results.windows(2).all(|w| w[0] == w[1]));

    let mut group = c.benchmark_group("call_overhead");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for side in sides {
        group.bench_function(side.name(), |b| {
            b.to_async(&runtime)
                .iter(|| async { side.call().await.expect("a call succeeds") })
        });
    }
    group.finish();
    let measured = sides
        .iter()
        .all(|side| report.median_ns("call_overhead", side.name()).is_some());
    measured.then(|| compare(&runtime, sides, None, &Tally::default()))
}

/// Runs the `concurrency` group; then, for each level criterion measured,
/// the interleaved comparison on the same runtime and clients.
fn concurrency(
    c: &mut Criterion,
    report: &Report,
    sides: &[Side],
    tally: &Tally,
) -> Vec<(usize, Comparison)> {
    // Two workers, as many as the machine the figures come from has cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let mut group = c.benchmark_group("concurrency");
    // Flat sampling: a burst of 256 takes milliseconds, too long for
    // criterion's default of 1, 2, 3, ... iterations per sample.
    group
        .sample_size(20)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in LEVELS {
        group.throughput(Throughput::Elements(n as u64));
        for side in sides {
            group.bench_with_input(BenchmarkId::new(side.name(), n), &n, |b, &n| {
                b.to_async(&runtime).iter(|| burst(side, n, tally))
            });
        }
    }
    group.finish();
    LEVELS
        .iter()
        .filter(|&&n| {
            sides.iter().all(|side| {
                report
                    .median_ns("concurrency", &format!("{}/{n}", side.name()))
                    .is_some()
            })
        })
        .map(|&n| (n, compare(&runtime, sides, Some(n), tally)))
        .collect()
}

/// Adds the figures of the run to `report`.
fn summarize(
    report: &mut Report,
    overhead: Option<&Comparison>,
    levels: &[(usize, Comparison)],
    servers: &Servers,
    tally: &Tally,
) {
    let verdict = |ratio: Option<f64>| match ratio {
        Some(r) if r <= OVERHEAD_TARGET => "met",
        Some(_) => "MISSED",
        None => "not run",
    };
    let sdk = report.median_ns("call_overhead", "sdk");
    let bare = report.median_ns("call_overhead", "bare");
    let floor = report.median_ns("call_overhead", "bare_timeout");
    report.line(format!(
        "per call, criterion: sdk {}, bare {}, bare_timeout {}; sdk/bare {} \
         (target <= {OVERHEAD_TARGET:.2}x: {}), sdk/bare_timeout {}",
        duration(sdk),
        duration(bare),
        duration(floor),
        ratio(sdk, bare),
        verdict(sdk.zip(bare).map(|(s, b)| s / b)),
        ratio(sdk, floor),
    ));
    if let Some(ab) = overhead {
        report.line(format!(
            "per call, interleaved ({ROUNDS} rounds of {CALLS_PER_BLOCK} calls): sdk {}, \
             bare {}, bare_timeout {}; sdk/bare {} (target: {}), sdk/bare_timeout {}",
            duration(Some(ab.per_op_ns[0])),
            duration(Some(ab.per_op_ns[1])),
            duration(Some(ab.per_op_ns[2])),
            ab.ratio_of_first[1],
            verdict(Some(ab.ratio_of_first[1].median)),
            ab.ratio_of_first[2],
        ));
    }
    for n in LEVELS {
        let median = |side: &str| report.median_ns("concurrency", &format!("{side}/{n}"));
        let (sdk, bare, floor) = (median("sdk"), median("bare"), median("bare_timeout"));
        let per_second = |ns: Option<f64>| match ns {
            Some(ns) => format!("{:.0} calls/s", n as f64 * 1e9 / ns),
            None => "n/a".to_string(),
        };
        report.line(format!(
            "{n:>3} concurrent, criterion: sdk {}, bare {}, bare_timeout {}; \
             sdk/bare time {}, sdk/bare_timeout time {}",
            per_second(sdk),
            per_second(bare),
            per_second(floor),
            ratio(sdk, bare),
            ratio(sdk, floor),
        ));
        if let Some((_, ab)) = levels.iter().find(|(level, _)| *level == n) {
            report.line(format!(
                "{n:>3} concurrent, interleaved: sdk {:.0} calls/s, bare {:.0} calls/s, \
                 bare_timeout {:.0} calls/s; sdk/bare time {}, sdk/bare_timeout time {}",
                1e9 / ab.per_op_ns[0],
                1e9 / ab.per_op_ns[1],
                1e9 / ab.per_op_ns[2],
                ab.ratio_of_first[1],
                ab.ratio_of_first[2],
            ));
        }
    }
    let calls = tally.calls.load(Ordering::Relaxed);
    if calls > 0 {
        report.line(format!(
            "concurrent calls made: {calls}, failed: {}",
            tally.errors.load(Ordering::Relaxed)
        ));
    }
    for (name, server) in [
        ("sdk", &servers.sdk),
        ("bare", &servers.bare),
        ("bare_timeout", &servers.bare_timeout),
    ] {
        let stats = server.stats();
        if stats.requests() > 0 {
            report.line(format!(
                "{name} server: {} requests over {} connections",
                stats.requests(),
                stats.connections()
            ));
        }
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let mut report = Report::new("http");
    let servers = Servers {
        sdk: Loopback::start(EXAMPLE.as_bytes()),
        bare: Loopback::start(EXAMPLE.as_bytes()),
        bare_timeout: Loopback::start(EXAMPLE.as_bytes()),
    };
    let tally = Tally::default();

    let overhead = call_overhead(&mut criterion, &report, &Side::all(&servers));
    let levels = concurrency(&mut criterion, &report, &Side::all(&servers), &tally);

    criterion.final_summary();
    summarize(&mut report, overhead.as_ref(), &levels, &servers, &tally);
    report.print();
}
