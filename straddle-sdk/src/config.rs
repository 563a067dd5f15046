//! Client configuration: API key, environment or base URL, retries, timeouts,
//! limits, and the HTTP client underneath.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};

use crate::Error;
use crate::auth::ApiKey;
use crate::headers::Headers;
use crate::idempotency::KeySource;
use crate::intercept::Intercept;
use crate::retry::RetryPolicy;

/// Environment variable holding the API key.
pub const ENV_API_KEY: &str = "STRADDLE_API_KEY";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "STRADDLE_BASE_URL";
/// Environment variable choosing the environment (`sandbox` or `production`).
pub const ENV_ENVIRONMENT: &str = "STRADDLE_ENVIRONMENT";

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// A Straddle environment (the spec's `https://{environment}.straddle.com`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// Testing and development: `https://sandbox.straddle.com`. The default.
    #[default]
    Sandbox,
    /// Live transactions: `https://production.straddle.com`.
    Production,
}

impl Environment {
    /// The base URL of the environment.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox.straddle.com",
            Environment::Production => "https://production.straddle.com",
        }
    }
}

impl FromStr for Environment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Environment::Sandbox),
            "production" => Ok(Environment::Production),
            other => Err(Error::config(format!(
                "unknown environment {other:?}: expected `sandbox` or `production`"
            ))),
        }
    }
}

/// Per-call overrides, set on a request builder (`.max_retries(..)`,
/// `.timeout(..)`, `.total_timeout(..)`, `.header(..)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestOptions {
    /// Retries for this call instead of the client's.
    pub(crate) max_retries: Option<u32>,
    /// Per-attempt timeout for this call instead of the client's.
    pub(crate) timeout: Option<Duration>,
    /// Deadline of the whole call, retries and waits included, instead of the client's.
    pub(crate) total_timeout: Option<Duration>,
    /// Headers added to this call; checked when it is sent.
    pub(crate) headers: Headers,
}

/// What every call of a client shares.
pub(crate) struct Shared {
    /// The base URL, parsed once; each call appends its path segments.
    pub(crate) base_url: reqwest::Url,
    /// The base URL as users see it (no trailing slash).
    pub(crate) base_url_text: String,
    /// The environment the base URL came from, if it was not set directly.
    pub(crate) environment: Option<Environment>,
    pub(crate) http: reqwest::Client,
    pub(crate) api_key: ApiKey,
    /// `User-Agent`, `Accept` and the client's default headers; a call's
    /// own arguments and `.header(..)`s win over these.
    pub(crate) default_headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    /// Every retry wait is divided by this (at least 1): see
    /// [`ClientBuilder::retry_wait_divisor`].
    pub(crate) retry_wait_divisor: u32,
    /// Per-attempt timeout; `None` leaves it to the caller's own `reqwest::Client`.
    pub(crate) timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) max_response_bytes: usize,
    pub(crate) interceptors: Vec<Arc<dyn Intercept>>,
    /// Where this client's idempotency keys come from.
    pub(crate) keys: KeySource,
    /// Whether `http` is the caller's (`.http_client(..)`) rather than one
    /// the SDK configured.
    pub(crate) callers_http_client: bool,
}

impl Shared {
    /// How long to wait before retry number `retry`: the policy's wait
    /// ([`RetryPolicy::delay_for`]), divided by `retry_wait_divisor`.
    pub(crate) fn retry_wait(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        self.retry.delay_for(retry, headers) / self.retry_wait_divisor
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url_text)
            .field("api_key", &self.api_key)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("default_headers", &self.default_headers)
            .field("interceptors", &self.interceptors)
            .finish_non_exhaustive()
    }
}

/// A Straddle API client. Cheap to clone (one `Arc`); share one per process
/// so calls reuse connections.
///
/// ```no_run
/// # async fn run() -> Result<(), straddle_sdk::Error> {
/// let client = straddle_sdk::Client::builder().api_key("sk_test_...").build()?;
/// let customer = client
///     .customers()
///     .review()
///     .refresh_review("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
///     .send()
///     .await?;
/// println!("{}", customer.data.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.fmt(f)
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `STRADDLE_API_KEY`
    /// (required), `STRADDLE_BASE_URL`, `STRADDLE_ENVIRONMENT`
    /// (`sandbox`, the default, or `production`). To change other settings
    /// too, start from [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// A builder holding this client's settings and its connection pool:
    /// change what differs and `build()` a second client that shares the
    /// pool (`client.to_builder().max_retries(0).build()?`). The connect
    /// timeout and `no_proxy` belong to the pool and cannot change.
    pub fn to_builder(&self) -> ClientBuilder {
        let shared = &self.shared;
        ClientBuilder {
            api_key: Some(KeyInput::Checked(shared.api_key.clone())),
            environment: shared.environment.unwrap_or_default(),
            base_url: match shared.environment {
                Some(_) => None,
                None => Some(shared.base_url_text.clone()),
            },
            retry: shared.retry.clone(),
            retry_wait_divisor: shared.retry_wait_divisor,
            timeout: shared.timeout,
            total_timeout: shared.total_timeout,
            connect_timeout: None,
            no_proxy: false,
            max_response_bytes: Some(shared.max_response_bytes),
            http_client: Some(shared.http.clone()),
            callers_http_client: shared.callers_http_client,
            derived: true,
            inherited_headers: shared.default_headers.clone(),
            headers: Headers::default(),
            interceptors: shared.interceptors.clone(),
        }
    }

    /// The base URL requests go to, e.g. `https://sandbox.straddle.com`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url_text
    }

    /// The retry rules of this client.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }
}

/// Builds a [`Client`]. Only the API key is required.
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<KeyInput>,
    environment: Environment,
    base_url: Option<String>,
    retry: RetryPolicy,
    /// 0 (the default) and 1 leave the waits as they are.
    retry_wait_divisor: u32,
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    no_proxy: bool,
    max_response_bytes: Option<usize>,
    http_client: Option<reqwest::Client>,
    /// Whether `http_client` came from the caller (not from `to_builder`
    /// of a client whose pool the SDK configured).
    callers_http_client: bool,
    /// Made by [`Client::to_builder`]: the pool is shared.
    derived: bool,
    /// The default headers of the client this builder came from, which
    /// `headers` replace name by name.
    inherited_headers: HeaderMap,
    headers: Headers,
    interceptors: Vec<Arc<dyn Intercept>>,
}

/// The API key as given, or already checked (a builder from a client).
#[derive(Clone)]
enum KeyInput {
    Text(String),
    Checked(ApiKey),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("headers", &self.headers)
            .field("interceptors", &self.interceptors)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the settings of the environment variables that are set:
    /// `STRADDLE_API_KEY`, `STRADDLE_ENVIRONMENT` (`sandbox` or
    /// `production`) and `STRADDLE_BASE_URL`; every other setting can still
    /// be changed before `build()`. Fails only on a `STRADDLE_ENVIRONMENT`
    /// that is neither; `build()` reports a key or base URL that is
    /// invalid, and a missing key unless `.api_key(..)` gives one.
    pub fn from_env() -> Result<Self, Error> {
        Self::default().with_env_vars(|name| std::env::var(name).ok())
    }

    /// The API key, sent as `Authorization: Bearer <key>`. Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(KeyInput::Text(key.into()));
        self
    }

    /// The environment; [`Environment::Sandbox`] by default.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A base URL that overrides the environment (a proxy, a mock server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Retries after the first attempt (default 2); 0 sends exactly one request.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The whole retry policy (backoff delays, `Retry-After` cap).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Makes every wait before a retry `divisor` times shorter: the backoff
    /// and a server's `Retry-After` alike. For test tools, so that a test
    /// of the SDK's retry timing runs in milliseconds: `straddle-sdk-mock`'s
    /// clients use 1000 (seconds become milliseconds). Which answers are
    /// retried, the [`RetryPolicy::max_retry_after`] limit and
    /// [`Error::retry_after`] still go by the waits as asked; a
    /// `total_timeout` counts the waits as slept. 0 and 1 (the default)
    /// leave the waits as they are.
    #[doc(hidden)]
    pub fn retry_wait_divisor(mut self, divisor: u32) -> Self {
        self.retry_wait_divisor = divisor;
        self
    }

    /// Timeout of each attempt, from sending to the end of the body.
    /// Default 60 s; with [`ClientBuilder::http_client`], the default is that
    /// client's own timeout (none unless it set one), and this overrides it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Deadline of a whole call: every attempt and the waits between them.
    /// None by default (each attempt has [`ClientBuilder::timeout`]). When
    /// it passes during an attempt, the call ends with [`Error::Deadline`]
    /// (`is_timeout()` is true); a retry whose wait would end after it is
    /// not made, and the error of the attempt before is returned.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// A header sent with every call, such as a tenant or tracing header.
    /// It replaces what the SDK sets by default (`User-Agent`, `Accept`,
    /// the retry-count header); an operation's own arguments and a request's
    /// `.header(..)` replace it. `Authorization` (set with `.api_key(..)`),
    /// framing headers (`Content-Length`, `Transfer-Encoding`, `Host`,
    /// `Connection`, ...) and values with CR, LF or other control characters
    /// are refused: `build()` fails with [`Error::Config`]. So is
    /// `Idempotency-Key`: one key on every call would make the server treat
    /// different calls as one; set it per request.
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        self.headers.add_default(name, value);
        self
    }

    /// Adds an interceptor, run on every call of the client after those
    /// added before it: see [`Intercept`].
    pub fn interceptor(mut self, interceptor: impl Intercept) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Timeout for opening a connection (default 10 s). A client given with
    /// [`ClientBuilder::http_client`] or derived with [`Client::to_builder`]
    /// has its own; setting this as well fails `build()`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Ignore the `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` environment
    /// variables, which the HTTP client otherwise follows: for a server on
    /// loopback (a mock server in tests) that no proxy can reach. Like
    /// [`ClientBuilder::connect_timeout`], it belongs to the connection pool
    /// the SDK builds.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// The largest response body read (default 4 MiB), so the server
    /// cannot choose how much memory a call takes. A larger success body is
    /// an [`Error::Decode`]; a larger error body is dropped, and the
    /// [`Error::Api`] keeps its status and headers
    /// ([`ApiError::body_too_large`](crate::ApiError::body_too_large)).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// Use a caller-configured `reqwest::Client` (proxies, TLS roots,
    /// connection pool, timeouts). Auth and retries still apply; its own
    /// timeout is kept unless [`ClientBuilder::timeout`] is set too, which
    /// then bounds each attempt.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self.callers_http_client = true;
        self.derived = false;
        self
    }

    /// Reads settings from environment variables through `var`; unset
    /// variables leave the builder as it is.
    fn with_env_vars(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        if let Some(key) = var(ENV_API_KEY).filter(|v| !v.trim().is_empty()) {
            self.api_key = Some(KeyInput::Text(key));
        }
        if let Some(env) = var(ENV_ENVIRONMENT).filter(|v| !v.trim().is_empty()) {
            self.environment = env.parse()?;
        }
        if let Some(url) = var(ENV_BASE_URL).filter(|v| !v.trim().is_empty()) {
            self.base_url = Some(url);
        }
        Ok(self)
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let api_key = match self.api_key {
            Some(KeyInput::Text(key)) => ApiKey::new(&key)?,
            Some(KeyInput::Checked(key)) => key,
            None => {
                return Err(Error::config(format!(
                    "no API key: call `.api_key(..)` or set {ENV_API_KEY}"
                )));
            }
        };
        if self.http_client.is_some() && (self.connect_timeout.is_some() || self.no_proxy) {
            return Err(Error::config(if self.derived {
                "`connect_timeout` and `no_proxy` cannot change on a client that shares another's connection pool"
            } else {
                "`connect_timeout` and `no_proxy` cannot apply to a caller's `reqwest::Client`: set them on that client"
            }));
        }
        let mut default_headers = HeaderMap::new();
        default_headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("straddle-sdk-rust/", env!("CARGO_PKG_VERSION"))),
        );
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for name in self.inherited_headers.keys() {
            default_headers.remove(name);
            for value in self.inherited_headers.get_all(name) {
                default_headers.append(name, value.clone());
            }
        }
        self.headers
            .apply(&mut default_headers)
            .map_err(|e| Error::config(format!("default header: {e}")))?;
        let (base_url, base_url_text) = parse_base_url(
            self.base_url
                .as_deref()
                .unwrap_or(self.environment.base_url()),
        )?;
        let http = match self.http_client {
            Some(client) => client,
            None => {
                if base_url.scheme() == "https" && !HAS_TLS {
                    return Err(Error::config(NO_TLS));
                }
                let builder = tls(reqwest::Client::builder())?
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
                let builder = if self.no_proxy {
                    builder.no_proxy()
                } else {
                    builder
                };
                builder
                    .build()
                    .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        // The SDK's default per-attempt timeout applies only to a pool it
        // configured itself; a caller's client keeps its own unless
        // `.timeout(..)` was set as well.
        let timeout = match (self.timeout, self.callers_http_client) {
            (Some(timeout), _) => Some(timeout),
            (None, true) => None,
            (None, false) => Some(DEFAULT_TIMEOUT),
        };
        Ok(Client {
            shared: Arc::new(Shared {
                base_url,
                base_url_text,
                environment: self.base_url.is_none().then_some(self.environment),
                http,
                api_key,
                default_headers,
                retry: self.retry,
                retry_wait_divisor: self.retry_wait_divisor.max(1),
                timeout,
                total_timeout: self.total_timeout,
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
                interceptors: self.interceptors,
                keys: KeySource::default(),
                callers_http_client: self.callers_http_client,
            }),
        })
    }
}

/// Whether this build has a TLS feature, and so can call `https://` URLs.
const HAS_TLS: bool = cfg!(any(
    feature = "rustls",
    feature = "rustls-ring",
    feature = "native-tls"
));

/// Why `build()` fails for an `https://` URL in a build without TLS.
const NO_TLS: &str = "straddle-sdk was built without TLS, so it cannot call https:// URLs: \
    enable the feature `rustls` (the default), `rustls-ring` or `native-tls`";

/// The TLS backend of the client the SDK builds. With `rustls`,
/// `native-tls` or no TLS feature, reqwest's own choice.
#[cfg(not(all(
    feature = "rustls-ring",
    not(feature = "rustls"),
    not(feature = "native-tls")
)))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    Ok(builder)
}

/// The TLS backend of the client the SDK builds, with `rustls-ring` alone:
/// rustls with the ring provider and the platform's certificate verifier,
/// handed to reqwest ready-made rather than installed as the process-wide
/// default provider, which belongs to the application.
#[cfg(all(
    feature = "rustls-ring",
    not(feature = "rustls"),
    not(feature = "native-tls")
))]
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|config| config.with_platform_verifier())
        .map_err(|e| Error::config(format!("cannot set up TLS (rustls with ring): {e}")))?
        .with_no_client_auth();
    // reqwest sets ALPN only on configurations it builds itself.
    config.alpn_protocols = if cfg!(feature = "http2") {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(builder.tls_backend_preconfigured(config))
}

fn parse_base_url(url: &str) -> Result<(reqwest::Url, String), Error> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| Error::config(format!("invalid base URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::config(format!(
            "base URL {url:?} must be http(s)://host[:port][/path]"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config(format!(
            "base URL {url:?} cannot have a query or fragment"
        )));
    }
    if parsed.cannot_be_a_base() {
        return Err(Error::config(format!(
            "base URL {url:?} cannot take a path"
        )));
    }
    let text = parsed.as_str().trim_end_matches('/').to_string();
    Ok((parsed, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    #[cfg_attr(
        not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")),
        ignore = "needs a TLS feature"
    )]
    fn from_env_requires_the_key_and_reads_environment_and_base_url() {
        let err = ClientBuilder::default()
            .with_env_vars(vars(&[]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("STRADDLE_API_KEY"), "{err}");

        // The environment's settings, then the caller's own on top.
        let client = ClientBuilder::default()
            .with_env_vars(vars(&[
                ("STRADDLE_API_KEY", "k"),
                ("STRADDLE_BASE_URL", "http://127.0.0.1:4010"),
            ]))
            .unwrap()
            .max_retries(5)
            .timeout(Duration::from_millis(1500))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:4010");
        assert_eq!(client.retry_policy().max_retries, 5);
        assert_eq!(client.shared.timeout, Some(Duration::from_millis(1500)));

        // A key given in code stands in for a missing variable.
        let client = ClientBuilder::default()
            .with_env_vars(vars(&[("STRADDLE_BASE_URL", "http://127.0.0.1:4010")]))
            .unwrap()
            .api_key("k")
            .build();
        assert!(client.is_ok());

        let client = ClientBuilder::default()
            .with_env_vars(vars(&[
                ("STRADDLE_API_KEY", "k"),
                ("STRADDLE_ENVIRONMENT", "production"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://production.straddle.com");

        let client = ClientBuilder::default()
            .with_env_vars(vars(&[
                ("STRADDLE_API_KEY", "k"),
                ("STRADDLE_ENVIRONMENT", "production"),
                ("STRADDLE_BASE_URL", "http://127.0.0.1:4010/"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:4010");

        let err = ClientBuilder::default()
            .with_env_vars(vars(&[
                ("STRADDLE_API_KEY", "k"),
                ("STRADDLE_ENVIRONMENT", "staging"),
            ]))
            .unwrap_err();
        assert!(err.to_string().contains("staging"), "{err}");
    }

    #[test]
    #[cfg_attr(
        not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")),
        ignore = "needs a TLS feature"
    )]
    fn sandbox_is_the_default_and_base_url_wins_over_environment() {
        let c = Client::builder().api_key("k").build().unwrap();
        assert_eq!(c.base_url(), "https://sandbox.straddle.com");
        let c = Client::builder()
            .api_key("k")
            .environment(Environment::Production)
            .base_url("http://127.0.0.1:4010")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:4010");
    }

    #[test]
    fn without_tls_only_http_urls_build_and_https_says_which_feature_is_missing() {
        let http = Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:4010")
            .build();
        assert!(http.is_ok());
        let https = Client::builder().api_key("k").build();
        if HAS_TLS {
            assert!(https.is_ok());
        } else {
            let Err(err) = https else {
                panic!("https:// must not build without TLS")
            };
            let err = err.to_string();
            assert!(
                err.contains("without TLS") && err.contains("rustls-ring"),
                "{err}"
            );
        }
    }

    #[test]
    fn the_sdk_timeout_applies_to_its_own_pool_and_to_a_callers_only_when_set() {
        let base = || {
            Client::builder()
                .api_key("k")
                .base_url("http://127.0.0.1:1")
        };
        let own = base().build().unwrap();
        assert_eq!(own.shared.timeout, Some(DEFAULT_TIMEOUT));
        // A caller's client, with the TLS set-up every feature set can build.
        let http = || tls(reqwest::Client::builder()).unwrap().build().unwrap();
        let callers = base().http_client(http()).build().unwrap();
        assert_eq!(callers.shared.timeout, None);
        let both = base()
            .http_client(http())
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap();
        assert_eq!(both.shared.timeout, Some(Duration::from_secs(3)));
        // A derived client keeps the rule of the client it came from.
        let derived = callers.to_builder().max_retries(0).build().unwrap();
        assert_eq!(derived.shared.timeout, None);
        assert_eq!(derived.retry_policy().max_retries, 0);
        assert_eq!(
            own.to_builder().build().unwrap().shared.timeout,
            Some(DEFAULT_TIMEOUT)
        );
        // The pool's connect timeout cannot be changed from outside it.
        for builder in [
            callers.to_builder().connect_timeout(Duration::from_secs(1)),
            base()
                .http_client(http())
                .connect_timeout(Duration::from_secs(1)),
            base().http_client(http()).no_proxy(),
        ] {
            let err = builder.build().unwrap_err().to_string();
            assert!(err.contains("connect_timeout"), "{err}");
        }
    }

    #[test]
    #[cfg_attr(
        not(any(feature = "rustls", feature = "rustls-ring", feature = "native-tls")),
        ignore = "needs a TLS feature"
    )]
    fn a_derived_client_keeps_its_environment_and_can_change_it() {
        let sandbox = Client::builder().api_key("k").build().unwrap();
        let production = sandbox
            .to_builder()
            .environment(Environment::Production)
            .build()
            .unwrap();
        assert_eq!(production.base_url(), "https://production.straddle.com");
        assert_eq!(
            sandbox.to_builder().build().unwrap().base_url(),
            sandbox.base_url()
        );
        // A base URL set directly stays, as on a new builder.
        let custom = Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap()
            .to_builder()
            .environment(Environment::Production);
        assert_eq!(custom.build().unwrap().base_url(), "http://127.0.0.1:1");
    }

    #[test]
    fn default_headers_are_checked_when_the_client_is_built() {
        let base = || {
            Client::builder()
                .api_key("k")
                .base_url("http://127.0.0.1:1")
        };
        let client = base()
            .default_header("User-Agent", "my-app/2")
            .default_header("x-tenant", "acme")
            .build()
            .unwrap();
        assert_eq!(client.shared.default_headers["user-agent"], "my-app/2");
        assert_eq!(client.shared.default_headers["accept"], "application/json");
        for (name, value) in [("Authorization", "Bearer x"), ("x-a", "1\r\nb: 2")] {
            let err = base().default_header(name, value).build().unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
        }
    }

    #[test]
    fn build_rejects_missing_keys_and_bad_urls() {
        for builder in [
            Client::builder(),
            Client::builder().api_key("  "),
            Client::builder().api_key("sk\nx"),
            Client::builder().api_key("k").base_url("ftp://example.com"),
            Client::builder().api_key("k").base_url("not a url"),
        ] {
            assert!(matches!(builder.build(), Err(Error::Config { .. })));
        }
    }

    #[test]
    fn a_retry_wait_divisor_shortens_server_waits_and_backoff_and_is_kept_by_derived_clients() {
        let mut asked = HeaderMap::new();
        asked.insert("retry-after", HeaderValue::from_static("3"));
        let base = || {
            Client::builder()
                .api_key("k")
                .base_url("http://127.0.0.1:1")
        };
        let plain = base().build().unwrap();
        assert_eq!(
            plain.shared.retry_wait(0, Some(&asked)),
            Duration::from_secs(3)
        );
        let scaled = base().retry_wait_divisor(1000).build().unwrap();
        for client in [&scaled, &scaled.to_builder().build().unwrap()] {
            assert_eq!(
                client.shared.retry_wait(0, Some(&asked)),
                Duration::from_millis(3)
            );
            // The backoff's 0.5 s (less up to 25 % jitter), in milliseconds.
            let backoff = client.shared.retry_wait(0, None);
            assert!(
                backoff <= Duration::from_micros(500) && backoff >= Duration::from_micros(375),
                "{backoff:?}"
            );
        }
        let zero = base().retry_wait_divisor(0).build().unwrap();
        assert_eq!(
            zero.shared.retry_wait(0, Some(&asked)),
            Duration::from_secs(3)
        );
    }
}
