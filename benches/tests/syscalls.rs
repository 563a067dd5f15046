//! System calls per call: a call through the SDK makes the system calls a
//! bare reqwest call given the same timeout makes, and no others (an
//! idempotency key used to cost a `getrandom` per call).
//!
//! This binary (no test harness) runs itself under `strace -c` with a
//! workload: `n` calls, one after the other, on a current-thread runtime on
//! its main thread, against a loopback server on another thread. strace
//! follows only the main thread (no `-f`), so the counts are the client's.
//! Each side runs at `n` and `2n` calls; the difference over `n` is its
//! count per call, with start-up (runtime, server, first connection) gone.
//!
//! Without strace the test fails under `CI=true` and is skipped otherwise.

#[path = "../benches/common/bare.rs"]
mod bare;
// Shared with the benchmarks, which read the server's counts; this test
// needs only the server.
#[allow(dead_code)]
#[path = "../benches/common/loopback.rs"]
mod loopback;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

/// The documented example response of `refresh_review`, which the server sends.
const EXAMPLE: &str = include_str!("../../tests/fixtures/customer_refresh_review.json");
/// Set to `<side>:<calls>` to run a workload instead of the test.
const WORKLOAD: &str = "STRADDLE_SYSCALLS_WORKLOAD";
/// Calls in the smaller run of each side.
const CALLS: usize = 600;
/// The per-attempt timeout of both sides.
const TIMEOUT: Duration = Duration::from_secs(60);
/// System calls whose count follows the scheduler, not the call: how often
/// the runtime waits for the server's answer, or is woken.
const WAITS: &[&str] = &["epoll_wait", "epoll_pwait", "futex", "sched_yield"];
/// Largest difference per call allowed for those, and for every other
/// system call. One more system call per call is a difference of 1.0; the
/// key pool's refill is one per 256 calls (0.004).
const WAIT_SLACK: f64 = 0.5;
const SLACK: f64 = 0.05;

fn main() -> ExitCode {
    let outcome = match std::env::var(WORKLOAD) {
        Ok(spec) => workload(&spec),
        Err(_) => check(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The test: counts per call for both sides, compared system call by
/// system call.
fn check() -> Result<(), String> {
    if Command::new("strace").arg("-V").output().is_err() {
        if std::env::var("CI").as_deref() == Ok("true") {
            return Err(
                "strace is not installed, and CI=true: the system-call test cannot run \
                 (.ci/run installs it from Debian's packages)"
                    .to_string(),
            );
        }
        println!("syscalls: skipped, strace is not installed");
        return Ok(());
    }
    let sdk = per_call("sdk")?;
    let bare = per_call("bare-timeout")?;
    let names: BTreeSet<&String> = sdk.keys().chain(bare.keys()).collect();
    let mut failures = Vec::new();
    println!("system calls per call (sdk / bare reqwest with the same timeout):");
    for name in names {
        let (s, b) = (
            sdk.get(name).copied().unwrap_or(0.0),
            bare.get(name).copied().unwrap_or(0.0),
        );
        println!("  {name:<14} {s:7.3} / {b:7.3}");
        let slack = if WAITS.contains(&name.as_str()) {
            WAIT_SLACK
        } else {
            SLACK
        };
        if (s - b).abs() > slack {
            failures.push(format!("{name}: sdk {s:.3}, bare {b:.3} per call"));
        }
    }
    if failures.is_empty() {
        println!("syscalls: the SDK makes the system calls a bare call makes");
        Ok(())
    } else {
        Err(format!(
            "the SDK's system calls per call differ from a bare call's:\n  {}",
            failures.join("\n  ")
        ))
    }
}

/// `side`'s system calls per call, by name.
fn per_call(side: &str) -> Result<BTreeMap<String, f64>, String> {
    let small = traced(side, CALLS)?;
    let large = traced(side, 2 * CALLS)?;
    let names: BTreeSet<&String> = small.keys().chain(large.keys()).collect();
    Ok(names
        .into_iter()
        .map(|name| {
            let (a, b) = (small.get(name), large.get(name));
            let delta = b.copied().unwrap_or(0) as f64 - a.copied().unwrap_or(0) as f64;
            (name.clone(), delta / CALLS as f64)
        })
        .filter(|(_, per_call)| *per_call != 0.0)
        .collect())
}

/// The system calls of `calls` calls by `side`, as `strace -c` counts them.
fn traced(side: &str, calls: usize) -> Result<BTreeMap<String, u64>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = scratch().join(format!("strace-{side}-{calls}-{}.txt", std::process::id()));
    let status = Command::new("strace")
        .arg("-c")
        .arg("-o")
        .arg(&out)
        .arg(&exe)
        .env(WORKLOAD, format!("{side}:{calls}"))
        .status()
        .map_err(|e| format!("cannot run strace: {e}"))?;
    if !status.success() {
        return Err(format!("the {side} workload under strace failed: {status}"));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&out);
    Ok(summary(&text))
}

/// Calls per system call from the table `strace -c` writes:
/// `% time  seconds  usecs/call  calls  [errors]  syscall`.
fn summary(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (first, calls, name) = (fields.first()?, fields.get(3)?, fields.last()?);
            first.parse::<f64>().ok()?;
            let calls = calls.parse::<u64>().ok()?;
            (*name != "total").then(|| (name.to_string(), calls))
        })
        .collect()
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// `calls` calls by `side` (`sdk` or `bare-timeout`), one after the other,
/// on a current-thread runtime on this (the main) thread.
fn workload(spec: &str) -> Result<(), String> {
    let (side, calls) = spec
        .split_once(':')
        .ok_or_else(|| format!("{WORKLOAD}={spec}: expected <side>:<calls>"))?;
    let calls: usize = calls.parse().map_err(|_| format!("not a count: {calls}"))?;
    let server = loopback::Loopback::start(EXAMPLE.as_bytes());
    let base = server.url();
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let sdk = straddle_sdk::Client::builder()
        .api_key(bare::API_KEY)
        .base_url(&base)
        .http_client(http.clone())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        for _ in 0..calls {
            let customer = match side {
                "sdk" => sdk
                    .customers()
                    .review()
                    .refresh_review(bare::CUSTOMER_ID)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?,
                "bare-timeout" => bare::refresh_review(&http, &base, true, Some(TIMEOUT))
                    .await
                    .map_err(|e| e.to_string())?,
                other => return Err(format!("no side {other}")),
            };
            std::hint::black_box(customer);
        }
        Ok(())
    })
}
