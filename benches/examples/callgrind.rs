//! Workloads for instruction counts under callgrind, which the load of a
//! shared machine does not move (`benches/callgrind.sh` runs them and prints
//! the ratios). Each run does one workload `n` times; the script runs it at
//! two sizes and subtracts, so setup (payload construction, runtime, server,
//! first connection) cancels out.
//!
//! ```text
//! callgrind decode <typed|value|none> <example|large|large-reps-first> <n>
//! callgrind call <sdk|bare|bare-timeout|none> <n> <concurrency>
//! ```
//!
//! `decode` decodes the payload into `CustomerV1ItemResponse` or
//! `serde_json::Value` (`none` only builds it). `call` makes `refresh_review`
//! calls against a loopback server in bursts of `concurrency` on a
//! two-worker runtime: through the SDK, or by hand with reqwest sending the
//! same headers, with or without a per-request timeout (`none` makes no call).

#[path = "../benches/common/bare.rs"]
mod bare;
#[path = "../benches/common/loopback.rs"]
mod loopback;
#[path = "../benches/common/payloads.rs"]
mod payloads;

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use straddle_sdk::types::CustomerV1ItemResponse;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["decode", how, payload, n] => decode(how, payload, n),
        ["call", how, n, concurrency] => call(how, n, concurrency),
        _ => Err(
            "usage: callgrind decode <typed|value|none> <example|large|large-reps-first> <n>\n\
                  \x20      callgrind call <sdk|bare|bare-timeout|none> <n> <concurrency>"
                .to_string(),
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn count(text: &str) -> Result<usize, String> {
    text.parse().map_err(|_| format!("not a count: {text}"))
}

fn decode(how: &str, payload: &str, n: &str) -> Result<(), String> {
    let n = count(n)?;
    let bytes = match payload {
        "example" => payloads::EXAMPLE.to_string(),
        "large" => payloads::large_payload(false),
        "large-reps-first" => payloads::large_payload(true),
        other => return Err(format!("no payload {other}")),
    }
    .into_bytes();
    for _ in 0..n {
        match how {
            "typed" => {
                let typed: CustomerV1ItemResponse =
                    serde_json::from_slice(black_box(&bytes)).map_err(|e| e.to_string())?;
                black_box(typed);
            }
            "value" => {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(&bytes)).map_err(|e| e.to_string())?;
                black_box(value);
            }
            "none" => {}
            other => return Err(format!("no decoding {other}")),
        }
    }
    Ok(())
}

fn call(how: &str, n: &str, concurrency: &str) -> Result<(), String> {
    let (n, concurrency) = (count(n)?, count(concurrency)?.max(1));
    let how: Arc<str> = match how {
        "sdk" | "bare" | "bare-timeout" | "none" => how.into(),
        other => return Err(format!("no way of calling {other}")),
    };
    let server = loopback::Loopback::start(payloads::EXAMPLE.as_bytes());
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let sdk = straddle_sdk::Client::builder()
        .api_key(bare::API_KEY)
        .base_url(server.url())
        .http_client(http.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let base: Arc<str> = server.url().into();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        for _ in 0..n.div_ceil(concurrency) {
            let mut burst = tokio::task::JoinSet::new();
            for _ in 0..concurrency {
                let (how, sdk, http, base) = (how.clone(), sdk.clone(), http.clone(), base.clone());
                burst.spawn(async move { one_call(&how, &sdk, &http, &base).await });
            }
            while let Some(joined) = burst.join_next().await {
                joined.map_err(|e| e.to_string())??;
            }
        }
        Ok::<(), String>(())
    })?;
    // Every call reached the server, over reused connections.
    let (answered, connections) = (server.stats().requests(), server.stats().connections());
    let expected = if &*how == "none" {
        0
    } else {
        n.div_ceil(concurrency) * concurrency
    };
    if answered != expected as u64 {
        return Err(format!(
            "the server answered {answered} requests, not {expected}"
        ));
    }
    eprintln!("{answered} requests over {connections} connections");
    Ok(())
}

async fn one_call(
    how: &str,
    sdk: &straddle_sdk::Client,
    http: &reqwest::Client,
    base: &str,
) -> Result<(), String> {
    match how {
        "sdk" => {
            let customer = sdk
                .customers()
                .review()
                .refresh_review(bare::CUSTOMER_ID)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            black_box(customer);
        }
        "bare" | "bare-timeout" => {
            let timeout = (how == "bare-timeout").then_some(Duration::from_secs(60));
            let customer = bare::refresh_review(http, base, true, timeout)
                .await
                .map_err(|e| e.to_string())?;
            black_box(customer);
        }
        _ => {}
    }
    Ok(())
}
