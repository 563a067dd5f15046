//! The per-call workload the example binaries measure (`examples/callgrind.rs`
//! counts its instructions, `examples/allocations.rs` its allocations):
//! `refresh_review` calls in bursts, through the SDK or by hand with
//! reqwest, against a loopback server in a child process, so that what is
//! counted is the client alone.

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::{bare, loopback, payloads};

/// The per-attempt timeout of both the SDK and `bare-timeout`: the SDK's
/// default, set explicitly because a client given with `.http_client(..)`
/// keeps that client's own (none).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// One way of making the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `client.customers().review().refresh_review(id).send()`.
    Sdk,
    /// The same `PUT` by hand with reqwest, the same headers on the wire.
    Bare,
    /// `Bare` with reqwest's per-request timeout, as the SDK sets one.
    BareTimeout,
    /// No call: the workload's own cost.
    None,
}

impl Side {
    /// The side named `name`: `sdk`, `bare`, `bare-timeout` or `none`.
    pub fn parse(name: &str) -> Result<Self, String> {
        Ok(match name {
            "sdk" => Side::Sdk,
            "bare" => Side::Bare,
            "bare-timeout" => Side::BareTimeout,
            "none" => Side::None,
            other => return Err(format!("no way of calling {other}")),
        })
    }
}

/// A runtime, both clients and a server in a child process.
pub struct Workload {
    runtime: tokio::runtime::Runtime,
    server: Server,
    http: reqwest::Client,
    sdk: straddle_sdk::Client,
    base: Arc<str>,
    /// Calls made so far.
    calls: u64,
    /// Most calls made at once.
    concurrency: usize,
}

impl Workload {
    /// On a current-thread runtime (`current`) or a two-worker one (`multi`).
    pub fn start(flavor: &str) -> Result<Self, String> {
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
        let server = Server::start()?;
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
        let base = server.url.as_str().into();
        Ok(Self {
            runtime,
            server,
            http,
            sdk,
            base,
            calls: 0,
            concurrency: 1,
        })
    }

    /// At least `n` calls by `side`, in bursts of `concurrency` tasks of a
    /// `JoinSet`; every call must succeed. Returns the calls made.
    pub fn run(&mut self, side: Side, n: usize, concurrency: usize) -> Result<usize, String> {
        let concurrency = concurrency.max(1);
        let bursts = n.div_ceil(concurrency);
        self.runtime.block_on(async {
            for _ in 0..bursts {
                let mut burst = tokio::task::JoinSet::new();
                for _ in 0..concurrency {
                    // Each side spawns its own future, so the runtime moves a
                    // task of that side's size (one `async` block holding both
                    // would be as large as the larger for both).
                    match side {
                        Side::Sdk => burst.spawn(sdk_call(self.sdk.clone())),
                        Side::Bare => {
                            burst.spawn(bare_call(self.http.clone(), self.base.clone(), None))
                        }
                        Side::BareTimeout => burst.spawn(bare_call(
                            self.http.clone(),
                            self.base.clone(),
                            Some(TIMEOUT),
                        )),
                        Side::None => burst.spawn(async { Ok(()) }),
                    };
                }
                while let Some(joined) = burst.join_next().await {
                    joined.map_err(|e| e.to_string())??;
                }
            }
            Ok::<(), String>(())
        })?;
        if side != Side::None {
            self.calls += (bursts * concurrency) as u64;
            self.concurrency = self.concurrency.max(concurrency);
        }
        Ok(bursts * concurrency)
    }

    /// Stops the server and checks that every call reached it, over
    /// reused connections; returns its request and connection counts.
    pub fn finish(mut self) -> Result<(u64, u64), String> {
        drop(self.runtime);
        let (answered, connections) = self.server.finish()?;
        if answered != self.calls {
            return Err(format!(
                "the server answered {answered} requests, not {}",
                self.calls
            ));
        }
        if connections > self.concurrency as u64 {
            return Err(format!(
                "{connections} connections for {} concurrent calls: not reused",
                self.concurrency
            ));
        }
        Ok((answered, connections))
    }
}

/// One call through the SDK.
pub async fn sdk_call(sdk: straddle_sdk::Client) -> Result<(), String> {
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
pub async fn bare_call(
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

/// The loopback server, in a child process running this binary's `serve`.
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

/// The `serve` command of a binary using this module: a loopback server
/// that prints its URL, answers until its stdin closes, then prints the
/// requests answered and the connections accepted. Its requests are counted
/// once answered, so the last count may lag its answer by an instant: it
/// waits for the count to settle before printing.
pub fn serve() -> Result<(), String> {
    let server = loopback::Loopback::start(payloads::EXAMPLE.as_bytes());
    println!("{}", server.url());
    let mut rest = Vec::new();
    std::io::stdin()
        .read_to_end(&mut rest)
        .map_err(|e| e.to_string())?;
    let stats = server.stats();
    let mut last = stats.requests();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let now = stats.requests();
        if now == last {
            break;
        }
        last = now;
    }
    println!("{} {}", stats.requests(), stats.connections());
    Ok(())
}
