//! The loopback server, the client that talks to it, and the answer to a
//! request no expectation matches.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use straddle_sdk::reqwest::header::{CONTENT_TYPE, HeaderValue};
use straddle_sdk::{Client, ClientBuilder, Operation, Request, RetryPolicy, StatusCode};
use wiremock::{Mock, Respond, ResponseTemplate};

use crate::expectation::{Described, Expectation};
use crate::received::ReceivedRequest;
use crate::{error_response, lock};

/// The API key of [`MockServer::client`]. The mock accepts any key.
pub const TEST_API_KEY: &str = "sk_test_straddle_sdk_mock";

/// The first retry wait of a mock client (the SDK's default is 0.5 s).
const RETRY_BACKOFF: Duration = Duration::from_millis(1);
/// The longest retry wait of a mock client (the SDK's default is 8 s).
const MAX_RETRY_BACKOFF: Duration = Duration::from_millis(10);
/// The per-attempt timeout of a mock client (the SDK's default is 60 s), so
/// a test of a slow answer fails in seconds rather than minutes.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The SDK's retry rules with waits of milliseconds.
// Assigned rather than `..RetryPolicy::default()`: this keeps compiling if
// the policy gains fields or becomes `#[non_exhaustive]`.
#[allow(clippy::field_reassign_with_default)]
fn fast_retries() -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    retry.initial_backoff = RETRY_BACKOFF;
    retry.max_backoff = MAX_RETRY_BACKOFF;
    retry
}

/// A Straddle API server on a loopback port, for tests: it answers the
/// requests its [`Expectation`]s match, and a request none matches with a
/// `404` whose error body says so.
///
/// Dropping it checks each expectation's [`Expectation::times`], as
/// [`MockServer::verify`] does.
pub struct MockServer {
    server: wiremock::MockServer,
    state: Arc<State>,
}

/// What the server's expectations and its fallback share.
#[derive(Debug, Default)]
struct State {
    expectations: Mutex<Vec<Arc<Described>>>,
    unmatched: Mutex<Vec<ReceivedRequest>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .field("state", &self.state)
            .finish()
    }
}

impl MockServer {
    /// Starts a server on a free loopback port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound (as `wiremock::MockServer::start`).
    pub async fn start() -> Self {
        let server = wiremock::MockServer::start().await;
        let state = Arc::new(State::default());
        // After every expectation (wiremock tries lower priorities first).
        Mock::given(wiremock::matchers::any())
            .respond_with(Unmatched(Arc::clone(&state)))
            .with_priority(u8::MAX)
            .named("straddle-sdk-mock: requests no expectation matches")
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The server's base URL, `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A client builder for this server, to configure further: its base
    /// URL, the API key [`TEST_API_KEY`], retry waits of 1 ms doubling to
    /// at most 10 ms (the SDK's default number of retries, 2, is kept), a
    /// per-attempt timeout of 10 s, and no proxy from the environment.
    /// So retries run as in production, without their waits.
    pub fn client_builder(&self) -> ClientBuilder {
        // A loopback server is never reached through `HTTP_PROXY`.
        Client::builder()
            .api_key(TEST_API_KEY)
            .base_url(self.uri())
            .retry_policy(fast_retries())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(1))
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
    pub fn expect<O: Operation + fmt::Debug>(&self, request: Request<'_, O>) -> Expectation<'_, O> {
        Expectation::new(self, &request)
    }

    /// Checks the number of requests of each expectation that has
    /// [`Expectation::times`].
    ///
    /// # Panics
    ///
    /// If one received another number: the message names each such
    /// expectation (method, path, arguments) and lists every request
    /// received.
    pub async fn verify(&self) {
        self.server.verify().await;
    }

    /// The requests that matched no expectation (each was answered with a
    /// `404` saying so), in order.
    pub fn unmatched_requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.unmatched).clone()
    }

    pub(crate) fn wiremock(&self) -> &wiremock::MockServer {
        &self.server
    }

    pub(crate) fn mounted(&self, expectation: Arc<Described>) {
        lock(&self.state.expectations).push(expectation);
    }
}

/// Answers a request that matched no expectation: a `404` with the API's
/// error envelope, which names how each expectation differs from it.
struct Unmatched(Arc<State>);

/// At most this many expectations are described in an unmatched answer.
const DESCRIBED: usize = 10;

impl Respond for Unmatched {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let received = ReceivedRequest::new(request);
        let mut detail = format!(
            "{} {} matched no expectation of the mock server",
            received.method(),
            received.path()
        );
        let expectations = lock(&self.0.expectations);
        if expectations.is_empty() {
            detail.push_str(" (none is mounted)");
        }
        for expectation in expectations.iter().take(DESCRIBED) {
            let why = expectation.wire.mismatch(&received);
            let why = why.as_deref().unwrap_or("matches");
            detail.push_str(&format!("; {}: {why}", expectation.name));
        }
        drop(expectations);
        lock(&self.0.unmatched).push(received);
        let status = StatusCode::NOT_FOUND;
        let body = error_response(status, "No expectation matched", detail);
        let body = straddle_sdk::serde_json::to_vec(&body).unwrap_or_default();
        ResponseTemplate::new(status)
            .insert_header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .set_body_bytes(body)
    }
}
