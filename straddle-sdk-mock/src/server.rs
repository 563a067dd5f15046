//! The mock server: its expectations, the client that talks to it, the
//! answer to a request no expectation matches, and the checks of
//! [`Expectation::times`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use straddle_sdk::{Client, ClientBuilder, OperationRequest, RawRequest, StatusCode};

use crate::answer::{RawCall, Reply};
use crate::expectation::{Expectation, Mounts};
use crate::listener::{Dispatch, Listener};
use crate::received::ReceivedRequest;
use crate::{error_response, lock};

/// The API key of [`MockServer::client`]. The mock accepts any key.
pub const TEST_API_KEY: &str = "sk_test_straddle_sdk_mock";

/// How many times shorter a mock client's retry waits are than the SDK's:
/// the backoff (0.5 s doubling to 8 s becomes 0.5 ms doubling to 8 ms) and
/// a wait the server asks for (`Retry-After: 3` waits 3 ms) alike. Seconds
/// become milliseconds, and everything else runs as in production: which
/// answers are retried (so the attempt count), the 60 s limit on
/// `Retry-After` (a longer one is returned at once) and
/// `Error::retry_after()` go by the server's own values.
///
/// It is a setting of [`MockServer::client_builder`]:
/// `.retry_wait_divisor(1)` on that builder gives the SDK's own waits, for
/// a test that needs them (a `total_timeout` against a `Retry-After`,
/// since a deadline counts the waits as slept).
pub const RETRY_WAIT_DIVISOR: u32 = 1000;

/// The per-attempt timeout of a mock client (the SDK's default is 60 s), so
/// a test of a slow answer fails in seconds rather than minutes.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A Straddle API server on a loopback port, for tests: it answers the
/// requests its [`Expectation`]s match, and a request none matches with a
/// `404` whose error body says so.
///
/// Dropping it stops it (as [`MockServer::stop`]) and checks each
/// expectation's [`Expectation::times`], as [`MockServer::verify`] does.
pub struct MockServer {
    listener: Listener,
    state: Arc<State>,
}

/// What the server's expectations and its listener share.
#[derive(Debug, Default)]
struct State {
    expectations: Mounts,
    unmatched: Mutex<Vec<ReceivedRequest>>,
    /// Every request in order: method, path and query, and what answered it.
    log: Mutex<Vec<String>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri())
            .field("state", &self.state)
            .finish()
    }
}

impl MockServer {
    /// Starts a server on a free loopback port. It serves from a thread of
    /// its own, whatever runtime the test uses.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound or the server's thread cannot start.
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let listener = match Listener::start(Arc::clone(&state) as Arc<dyn Dispatch>) {
            Ok(listener) => listener,
            Err(e) => panic!("straddle-sdk-mock cannot listen on a loopback port: {e}"),
        };
        Self { listener, state }
    }

    /// The server's base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.listener.uri().to_string()
    }

    /// A client builder for this server, to configure further: its base
    /// URL, the API key [`TEST_API_KEY`], the SDK's retry rules (2 retries)
    /// with every wait [`RETRY_WAIT_DIVISOR`] times shorter (seconds become
    /// milliseconds, a `Retry-After` included), a per-attempt timeout of
    /// 10 s, and no proxy from the environment. So retries run as in
    /// production, without their waits. A `.retry_policy(..)` set on it is
    /// divided the same way.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(TEST_API_KEY)
            .base_url(self.uri())
            .retry_wait_divisor(RETRY_WAIT_DIVISOR)
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(1))
            // A loopback server is never reached through `HTTP_PROXY`.
            .no_proxy()
    }

    /// A client for this server: [`MockServer::client_builder`], built.
    pub fn client(&self) -> Result<Client, straddle_sdk::Error> {
        self.client_builder().build()
    }

    /// Starts an expectation of `request` (made with a client of this
    /// server, [`MockServer::client`]): a received request matches it when
    /// the method and path are those of `request`, and each query pair,
    /// header and top-level body property that `request` sets is there with
    /// the same value. What `request` leaves unset matches anything, a
    /// required body property included.
    pub fn expect<'c, R>(&self, request: R) -> Expectation<'_, R::Operation>
    where
        R: OperationRequest<'c>,
        R::Operation: fmt::Debug,
    {
        Expectation::new(&self.state.expectations, request.request())
    }

    /// Starts an expectation of a raw call, made with `client.request(..)`
    /// of a client of this server: a received request matches it when the
    /// method and path are those of `request`, and each query pair, header
    /// (`.header(..)`) and top-level property of the JSON body
    /// (`.json(..)`) that `request` sets is there with the same value. Its
    /// [`crate::Answer::ok`] takes any `Serialize` value.
    pub fn expect_raw(&self, request: RawRequest<'_>) -> Expectation<'_, RawCall> {
        Expectation::raw(&self.state.expectations, &request)
    }

    /// Checks the number of requests of each expectation that has
    /// [`Expectation::times`].
    ///
    /// # Panics
    ///
    /// If one received another number: the message names each such
    /// expectation (method, path, arguments) and lists every request
    /// received (method, path and query, and what answered it).
    pub async fn verify(&self) {
        if let Some(report) = self.state.unmet() {
            panic!("{report}");
        }
    }

    /// Stops the server: once this returns, every connection to it is
    /// closed and a new one is refused, as with a server that went away.
    /// A client of it gets `straddle_sdk::Error::Connection`. What it
    /// received stays readable, and [`MockServer::verify`] still checks it.
    /// Stopping again does nothing.
    pub async fn stop(&self) {
        self.listener.stop().await;
    }

    /// The requests that matched no expectation (each was answered with a
    /// `404` saying so), in order.
    pub fn unmatched_requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.unmatched).clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // The listener stops when dropped, after this.
        if std::thread::panicking() {
            return;
        }
        if let Some(report) = self.state.unmet() {
            panic!("{report}");
        }
    }
}

/// At most this many expectations are described in an unmatched answer.
const DESCRIBED: usize = 10;

impl Dispatch for State {
    /// The first matching expectation's reply, or a `404` with the API's
    /// error envelope naming how each expectation differs from `request`.
    fn reply(&self, request: ReceivedRequest) -> Reply {
        let target = request.target();
        let expectations = lock(&self.expectations);
        let matched = expectations
            .iter()
            .find(|e| e.wire.mismatch(&request).is_none());
        if let Some(expectation) = matched {
            lock(&self.log).push(format!("{target}: matched {}", expectation.name));
            return expectation.answer(request);
        }
        let mut detail = format!("{target} matched no expectation of the mock server");
        if expectations.is_empty() {
            detail.push_str(" (none is mounted)");
        }
        for expectation in expectations.iter().take(DESCRIBED) {
            let why = expectation.wire.mismatch(&request);
            let why = why.as_deref().unwrap_or("matches");
            detail.push_str(&format!("; {}: {why}", expectation.name));
        }
        drop(expectations);
        // The report of `.times(n)` shows why, not only that, it matched none.
        lock(&self.log).push(detail.clone());
        lock(&self.unmatched).push(request);
        let status = StatusCode::NOT_FOUND;
        let body = error_response(status, "No expectation matched", detail);
        Reply::json(status, &body).unwrap_or_else(|_| Reply::empty(status))
    }
}

impl State {
    /// What [`MockServer::verify`] reports: each expectation whose
    /// [`Expectation::times`] is not met, and every request received.
    fn unmet(&self) -> Option<String> {
        let unmet: Vec<String> = lock(&self.expectations)
            .iter()
            .filter_map(|e| e.unmet())
            .collect();
        if unmet.is_empty() {
            return None;
        }
        let mut report = format!(
            "straddle-sdk-mock: {} expectation(s) not met:\n",
            unmet.len()
        );
        for line in &unmet {
            report.push_str(&format!("- {line}\n"));
        }
        let log = lock(&self.log);
        if log.is_empty() {
            report.push_str("No request was received.");
        } else {
            report.push_str("Requests received, in order:\n");
            for line in log.iter() {
                report.push_str(&format!("- {line}\n"));
            }
        }
        Some(report)
    }
}
