//! Workloads for instruction counts under callgrind, which the load of a
//! shared machine does not move (`benches/callgrind.sh` runs them and prints
//! the ratios). Each run does one workload `n` times; the script runs it at
//! two sizes and subtracts, so setup (payload construction, runtime, server,
//! first connection) cancels out.
//!
//! ```text
//! callgrind decode <typed|value|none> <example|large|large-reps-first> <n>
//! callgrind call <sdk|bare|bare-timeout|none> <n> <concurrency> [current|multi]
//! callgrind serve
//! callgrind sizes
//! ```
//!
//! `decode` decodes the payload into `CustomerV1ItemResponse` or
//! `serde_json::Value` (`none` only builds it). `call` makes `refresh_review`
//! calls in bursts of `concurrency` (tasks in a `JoinSet`): through the SDK,
//! or by hand with reqwest sending the same headers, with or without a
//! per-request timeout (`none` makes no call); on a current-thread runtime
//! (the default) or a two-worker one (`multi`).
//!
//! The loopback server runs in a child process (`serve`, the same binary),
//! which callgrind does not follow: the counts are the client's alone. With
//! the server on a thread of the measured process, its share (the same for
//! both sides) was counted with the client's and shrank every ratio; with
//! two workers, so did the scheduler's, whose park/unpark and work-stealing
//! cost moves from run to run.
//!
//! `sizes` prints the size of each side's call future, which the runtime
//! moves when it spawns a call.

#[path = "../benches/common/bare.rs"]
mod bare;
#[path = "../benches/common/loopback.rs"]
mod loopback;
#[path = "../benches/common/payloads.rs"]
mod payloads;
#[path = "../benches/common/workload.rs"]
mod workload;

use std::hint::black_box;
use std::process::ExitCode;

use straddle_sdk::types::CustomerV1ItemResponse;
use workload::{Side, TIMEOUT, Workload};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["decode", how, payload, n] => decode(how, payload, n),
        ["call", how, n, concurrency] => call(how, n, concurrency, "current"),
        ["call", how, n, concurrency, flavor] => call(how, n, concurrency, flavor),
        ["serve"] => workload::serve(),
        ["sizes"] => sizes(),
        _ => Err(
            "usage: callgrind decode <typed|value|none> <example|large|large-reps-first> <n>\n\
                  \x20      callgrind call <sdk|bare|bare-timeout|none> <n> <concurrency> [current|multi]\n\
                  \x20      callgrind serve\n\
                  \x20      callgrind sizes"
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

fn call(how: &str, n: &str, concurrency: &str, flavor: &str) -> Result<(), String> {
    let (side, n, concurrency) = (Side::parse(how)?, count(n)?, count(concurrency)?);
    let mut workload = Workload::start(flavor)?;
    workload.run(side, n, concurrency)?;
    let (answered, connections) = workload.finish()?;
    eprintln!("{answered} requests over {connections} connections");
    Ok(())
}

/// The size of each side's call future, as the runtime moves it.
fn sizes() -> Result<(), String> {
    let http = reqwest::Client::new();
    let sdk = straddle_sdk::Client::builder()
        .api_key(bare::API_KEY)
        .base_url("http://127.0.0.1:1")
        .http_client(http.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let send = sdk
        .customers()
        .review()
        .refresh_review(bare::CUSTOMER_ID)
        .send();
    let bare = bare::refresh_review(&http, "http://127.0.0.1:1", true, Some(TIMEOUT));
    println!("sdk send(): {} bytes", std::mem::size_of_val(&send));
    println!("bare call: {} bytes", std::mem::size_of_val(&bare));
    let sdk_task = workload::sdk_call(sdk.clone());
    let bare_task = workload::bare_call(http.clone(), "http://127.0.0.1:1".into(), Some(TIMEOUT));
    println!("sdk task: {} bytes", std::mem::size_of_val(&sdk_task));
    println!("bare task: {} bytes", std::mem::size_of_val(&bare_task));
    Ok(())
}
