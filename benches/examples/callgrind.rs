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

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use straddle_sdk::types::CustomerV1ItemResponse;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["decode", how, payload, n] => decode(how, payload, n),
        ["call", how, n, concurrency] => call(how, n, concurrency, "current"),
        ["call", how, n, concurrency, flavor] => call(how, n, concurrency, flavor),
        ["serve"] => serve(),
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
    let (n, concurrency) = (count(n)?, count(concurrency)?.max(1));
    let how: Arc<str> = match how {
        "sdk" | "bare" | "bare-timeout" | "none" => how.into(),
        other => return Err(format!("no way of calling {other}")),
    };
    let runtime = match flavor {
        "current" => tokio::runtime::Builder::new_current_thread(),
        "multi" => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(2);
            builder
        }
        other => return Err(format!("no runtime {other}: current or multi")),
    }
    .enable_all()
    .build()
    .map_err(|e| e.to_string())?;
    let mut server = Server::start()?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let sdk = straddle_sdk::Client::builder()
        .api_key(bare::API_KEY)
        .base_url(&server.url)
        .http_client(http.clone())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let base: Arc<str> = server.url.as_str().into();
    runtime.block_on(async {
        for _ in 0..n.div_ceil(concurrency) {
            let mut burst = tokio::task::JoinSet::new();
            for _ in 0..concurrency {
                // Each side spawns its own future, so the runtime moves a
                // task of that side's size (one `async` block holding both
                // would be as large as the larger for both).
                match &*how {
                    "sdk" => burst.spawn(sdk_call(sdk.clone())),
                    "bare" => burst.spawn(bare_call(http.clone(), base.clone(), None)),
                    "bare-timeout" => {
                        burst.spawn(bare_call(http.clone(), base.clone(), Some(TIMEOUT)))
                    }
                    _ => burst.spawn(async { Ok(()) }),
                };
            }
            while let Some(joined) = burst.join_next().await {
                joined.map_err(|e| e.to_string())??;
            }
        }
        Ok::<(), String>(())
    })?;
    drop(runtime);
    // Every call reached the server, over reused connections.
    let (answered, connections) = server.finish()?;
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
    if connections > concurrency as u64 {
        return Err(format!(
            "{connections} connections for {concurrency} concurrent calls: not reused"
        ));
    }
    eprintln!("{answered} requests over {connections} connections");
    Ok(())
}

/// The per-attempt timeout of both the SDK and `bare-timeout`: the SDK's
/// default, set explicitly because a client given with `.http_client(..)`
/// keeps that client's own (none).
const TIMEOUT: Duration = Duration::from_secs(60);

/// The loopback server, in a child process running `serve`.
struct Server {
    url: String,
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(exe)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no server stdout")?);
        let mut url = String::new();
        stdout
            .read_line(&mut url)
            .map_err(|e| format!("no server URL: {e}"))?;
        let url = url.trim().to_string();
        if url.is_empty() {
            return Err("the server did not start".to_string());
        }
        Ok(Self { url, child, stdout })
    }

    /// Stops the server (closing its stdin) and returns its request and
    /// connection counts.
    fn finish(&mut self) -> Result<(u64, u64), String> {
        drop(self.child.stdin.take());
        let mut counts = String::new();
        self.stdout
            .read_to_string(&mut counts)
            .map_err(|e| e.to_string())?;
        self.child.wait().map_err(|e| e.to_string())?;
        let mut numbers = counts.split_whitespace().map(str::parse::<u64>);
        match (numbers.next(), numbers.next()) {
            (Some(Ok(requests)), Some(Ok(connections))) => Ok((requests, connections)),
            _ => Err(format!("the server's counts are unreadable: {counts:?}")),
        }
    }
}

/// The loopback server: prints its URL, answers until its stdin closes, then
/// prints the requests answered and the connections accepted.
fn serve() -> Result<(), String> {
    let server = loopback::Loopback::start(payloads::EXAMPLE.as_bytes());
    println!("{}", server.url());
    let mut rest = Vec::new();
    std::io::stdin()
        .read_to_end(&mut rest)
        .map_err(|e| e.to_string())?;
    let stats = server.stats();
    println!("{} {}", stats.requests(), stats.connections());
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
    let sdk_task = sdk_call(sdk.clone());
    let bare_task = bare_call(http.clone(), "http://127.0.0.1:1".into(), Some(TIMEOUT));
    println!("sdk task: {} bytes", std::mem::size_of_val(&sdk_task));
    println!("bare task: {} bytes", std::mem::size_of_val(&bare_task));
    Ok(())
}

/// One call through the SDK.
async fn sdk_call(sdk: straddle_sdk::Client) -> Result<(), String> {
    let customer = sdk
        .customers()
        .review()
        .refresh_review(bare::CUSTOMER_ID)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    black_box(customer);
    Ok(())
}

/// The same call by hand with reqwest, the same headers on the wire.
async fn bare_call(
    http: reqwest::Client,
    base: Arc<str>,
    timeout: Option<Duration>,
) -> Result<(), String> {
    let customer = bare::refresh_review(&http, &base, true, timeout)
        .await
        .map_err(|e| e.to_string())?;
    black_box(customer);
    Ok(())
}
