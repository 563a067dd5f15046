//! Hostile input (issue 7). Whatever a server sends back and whatever a
//! caller passes in, a call ends in `Ok` or a typed [`Error`] within a
//! bounded time; an argument the SDK refuses never reaches the wire, and one
//! it accepts reaches it byte for byte.
//!
//! The servers are raw loopback `TcpListener`s, so they can send what a
//! well-behaved HTTP library would refuse to produce: any header bytes, and
//! bodies that trickle, stop half-way or never end. Every server loop here
//! is bounded in count and in time.
//!
//! The property tests drive proptest's `TestRunner` directly so that each one
//! prints how many cases it ran (`cargo test --test hostile -- --nocapture`).

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::header::HeaderValue;
use serde_json::Value;
use straddle_sdk::types::{CustomerV1ItemResponse, ErrorResponse};
use straddle_sdk::{
    Client, DEFAULT_MAX_RESPONSE_BYTES, DecodeReason, Error, HeaderMap, RetryPolicy, StatusCode,
};
use straddle_sdk_tests::{CUSTOMER_ID, TEST_KEY, fixture};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

/// No call may take longer than this, whatever the server does.
const CALL_BOUND: Duration = Duration::from_secs(10);
/// The per-attempt timeout of the slow-server tests.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(300);
/// Room for scheduling on a busy 2-core machine, on top of the timeouts.
const SLACK: Duration = Duration::from_millis(1500);
/// The statuses the spec and the retry rules care about.
const STATUSES: [u16; 10] = [200, 400, 401, 403, 404, 409, 422, 429, 500, 503];
/// The response headers the SDK reads, each fuzzed.
const FUZZED_HEADERS: [&str; 5] = [
    "retry-after",
    "retry-after-ms",
    "content-type",
    "request-id",
    "x-should-retry",
];
/// Header values with a meaning to some parser, or almost.
const INTERESTING_VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "0.001",
    "0.015",
    "1e-3",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "-inf",
    "+5",
    " 5 ",
    "5ms",
    "18446744073709551616",
    "99999999999999999999999999",
    "0.0000000000000000000000001",
    "3600",
    "60",
    "61",
    "0x10",
    "true",
    "TRUE",
    "True",
    " true",
    "false",
    "FALSE",
    "yes",
    "1",
    "application/json",
    "application/json; charset=utf-8",
    "application/problem+json",
    "text/html",
    "*/*",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Mon, 32 Foo 2024 99:99:99 GMT",
    "Wed, 01 Jan 2200 00:00:00 GMT",
    "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
    "req_0123456789",
];
/// Field names, enum values and formats of the spec, for generated JSON.
const WORDS: &[&str] = &[
    "data",
    "meta",
    "response_type",
    "error",
    "id",
    "name",
    "email",
    "phone",
    "status",
    "type",
    "title",
    "detail",
    "items",
    "reference",
    "created_at",
    "updated_at",
    "api_request_id",
    "api_request_timestamp",
    "compliance_profile",
    "ein",
    "legal_business_name",
    "dob",
    "ssn",
    "config",
    "processing_method",
    "sandbox_outcome",
    "address",
    "device",
    "ip_address",
    "metadata",
    "external_id",
    "object",
    "array",
    "error",
    "none",
    "individual",
    "business",
    "pending",
    "review",
    "verified",
    "inactive",
    "rejected",
    "inline",
    "background",
    "standard",
    "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
    "2019-12-27T18:11:19.117Z",
    "2019-12-27",
    "not-a-date",
    "",
];

// ---------------------------------------------------------------------------
// Shared machinery
// ---------------------------------------------------------------------------

/// Runs `test` on `cases` values of `strategy`, printing how many ran, and
/// fails with proptest's shrunk input when one fails.
fn property<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let ran = AtomicU32::new(0);
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(value)
    });
    eprintln!(
        "proptest `{name}`: {} cases run",
        ran.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("property `{name}` failed: {e}");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn fail(message: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(message.into())
}

/// Retries with (sub)millisecond waits, honouring a `Retry-After` of at
/// most 20 ms, so no fuzzed header can make a test sleep.
fn tiny_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_retry_after: Duration::from_millis(20),
    }
}

fn hostile_client(url: &str, max_retries: u32, limit: usize, timeout: Duration) -> Client {
    Client::builder()
        .api_key(TEST_KEY)
        .base_url(url)
        .retry_policy(tiny_retries(max_retries))
        .timeout(timeout)
        .max_response_bytes(limit)
        .build()
        .expect("test client builds")
}

type Outcome = Result<straddle_sdk::ApiResponse<CustomerV1ItemResponse>, Error>;

/// Awaits `call`, failing the case if it does not end within [`CALL_BOUND`].
async fn bounded<T>(call: impl Future<Output = T>) -> Result<T, TestCaseError> {
    tokio::time::timeout(CALL_BOUND, call)
        .await
        .map_err(|_| fail(format!("the call did not end within {CALL_BOUND:?}")))
}

/// Touches everything a caller might do with an outcome (format it, ask an
/// error every accessor, walk its sources), so that a panic in any of it
/// fails the case; and checks that the API key shows up nowhere.
fn exercise<T: fmt::Debug>(outcome: &Result<T, Error>) -> Result<(), TestCaseError> {
    let text = match outcome {
        Ok(value) => format!("{value:?}"),
        Err(err) => {
            let mut text = format!(
                "{err} | {err:?} | {:?} {:?} {} {} {}",
                err.status(),
                err.api_request_id(),
                err.is_timeout(),
                err.is_retryable(),
                err.api_error().is_some()
            );
            let mut source = std::error::Error::source(err);
            while let Some(inner) = source {
                text.push_str(&inner.to_string());
                source = inner.source();
            }
            text
        }
    };
    prop_assert!(!text.contains(TEST_KEY), "the API key leaked: {text}");
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request (head and `Content-Length` body) and returns its bytes;
/// `None` if the client went away or took more than 5 s.
async fn read_request(socket: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut read_more = async |buf: &mut Vec<u8>| -> Option<()> {
        let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk));
        let n = read.await.ok()?.ok()?;
        buf.extend_from_slice(&chunk[..n]);
        (n > 0).then_some(())
    };
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        read_more(&mut buf).await?;
    };
    let length = header_lines(&buf[..head_end], "content-length")
        .first()
        .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        read_more(&mut buf).await?;
    }
    Some(buf)
}

/// The values of header `name` in a raw request, exactly as the client wrote
/// them after `name: `.
fn header_lines<'a>(request: &'a [u8], name: &str) -> Vec<&'a [u8]> {
    let head = &request[..find(request, b"\r\n\r\n").unwrap_or(request.len())];
    head.split(|&b| b == b'\n')
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            line[..colon]
                .eq_ignore_ascii_case(name.as_bytes())
                .then(|| value.strip_prefix(b" ").unwrap_or(value))
        })
        .collect()
}

fn request_line(request: &[u8]) -> &[u8] {
    &request[..find(request, b"\r\n").unwrap_or(request.len())]
}

/// A loopback server for property tests: every connection gets the bytes
/// last given to [`Stage::serve`] and then the connection is closed; each
/// request it read is kept.
struct Stage {
    url: String,
    /// One connection pool for all cases: building a `reqwest::Client`
    /// takes tens of milliseconds, a `straddle_sdk::Client` around it none.
    http: reqwest::Client,
    reply: Arc<Mutex<Vec<u8>>>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    connections: Arc<AtomicUsize>,
    /// How many cases ended which way, to show what the fuzzing reached.
    tally: Mutex<BTreeMap<&'static str, u32>>,
}

impl Stage {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stage = Stage {
            url: format!("http://{}", listener.local_addr().unwrap()),
            http: reqwest::Client::new(),
            reply: Arc::default(),
            requests: Arc::default(),
            connections: Arc::default(),
            tally: Mutex::default(),
        };
        let (reply, requests, connections) = (
            stage.reply.clone(),
            stage.requests.clone(),
            stage.connections.clone(),
        );
        tokio::spawn(async move {
            // Bounded: far more than all cases of one property need.
            for _ in 0..20_000 {
                let Ok((mut socket, _)) = listener.accept().await else {
                    break;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                let bytes = reply.lock().unwrap().clone();
                let requests = requests.clone();
                tokio::spawn(async move {
                    if let Some(request) = read_request(&mut socket).await {
                        requests.lock().unwrap().push(request);
                        let _ = socket.write_all(&bytes).await;
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        stage
    }

    /// Sets what the next connections get, and forgets what came before.
    fn serve(&self, reply: Vec<u8>) {
        *self.reply.lock().unwrap() = reply;
        self.requests.lock().unwrap().clear();
        self.connections.store(0, Ordering::SeqCst);
    }

    /// A client of this server with `max_retries` tiny retries, a 2 s
    /// per-attempt timeout and a `limit`-byte body limit.
    fn client(&self, max_retries: u32, limit: usize) -> Client {
        Client::builder()
            .api_key(TEST_KEY)
            .base_url(&self.url)
            .http_client(self.http.clone())
            .retry_policy(tiny_retries(max_retries))
            .timeout(Duration::from_secs(2))
            .max_response_bytes(limit)
            .build()
            .expect("test client builds")
    }

    fn note(&self, outcome: &'static str) {
        *self.tally.lock().unwrap().entry(outcome).or_default() += 1;
    }

    fn print_tally(&self, name: &str) {
        eprintln!(
            "proptest `{name}` outcomes: {:?}",
            self.tally.lock().unwrap()
        );
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().unwrap().clone()
    }
}

/// How a response body is delimited.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length,
    Chunked,
    UntilClose,
}

/// A response as bytes on the wire: any status, any header bytes, any body.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    framing: Framing,
}

impl Reply {
    fn ok_example() -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type", b"application/json".to_vec())],
            body: serde_json::to_vec(&fixture("customer_refresh_review.json")).unwrap(),
            framing: Framing::Length,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out =
            format!("HTTP/1.1 {} Hostile\r\nconnection: close\r\n", self.status).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        match self.framing {
            Framing::Length => {
                out.extend_from_slice(
                    format!("content-length: {}\r\n\r\n", self.body.len()).as_bytes(),
                );
                out.extend_from_slice(&self.body);
            }
            Framing::Chunked => {
                out.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
                for chunk in self.body.chunks(100) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            Framing::UntilClose => {
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&self.body);
            }
        }
        out
    }

    /// Whether every header value is made of bytes HTTP/1 parsers accept
    /// (`httparse`: HTAB, SP..`~`, obs-text), so the response reaches the SDK
    /// as sent. Other replies only have to end in a typed outcome.
    fn well_formed(&self) -> bool {
        self.headers.iter().all(|(_, value)| {
            value
                .iter()
                .all(|&b| b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80)
        })
    }

    /// The headers as the client sees them (surrounding whitespace trimmed).
    fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let start = value.iter().position(|b| !b" \t".contains(b));
            let end = value.iter().rposition(|b| !b" \t".contains(b));
            let trimmed = match (start, end) {
                (Some(s), Some(e)) => &value[s..=e],
                _ => &[][..],
            };
            map.insert(
                *name,
                HeaderValue::from_bytes(trimmed).expect("well formed"),
            );
        }
        map
    }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => select(INTERESTING_VALUES).prop_map(|s| s.as_bytes().to_vec()),
        // Bytes a parser accepts: HTAB, visible ASCII, obs-text.
        6 => vec(prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff], 0..40),
        // Control bytes too, but no line breaks.
        1 => vec(any::<u8>().prop_map(|b| if b == b'\r' || b == b'\n' { 0x01 } else { b }), 0..40),
        // Anything, line breaks included: headers injected, heads cut short.
        1 => vec(any::<u8>(), 0..40),
    ]
}

fn fuzzed_headers() -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    FUZZED_HEADERS
        .map(|name| proptest::option::of(header_value().prop_map(move |v| (name, v))))
        .prop_map(|headers| headers.into_iter().flatten().collect())
}

/// 200 and each error status; 200 more often, as the only one that can
/// succeed.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![1 => Just(200), 3 => select(STATUSES.to_vec())]
}

fn framing() -> impl Strategy<Value = Framing> {
    select(vec![Framing::Length, Framing::Chunked, Framing::UntilClose])
}

/// The body limit: mostly the default, sometimes small enough to bite.
fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(DEFAULT_MAX_RESPONSE_BYTES), 1 => 0usize..2048]
}

fn reply(
    status: impl Strategy<Value = u16>,
    body: impl Strategy<Value = Vec<u8>>,
) -> impl Strategy<Value = Reply> {
    (status, fuzzed_headers(), body, framing()).prop_map(|(status, headers, body, framing)| Reply {
        status,
        headers,
        body,
        framing,
    })
}

fn example_texts() -> Vec<Vec<u8>> {
    [
        "customer_refresh_review.json",
        "customer_business.json",
        "error_422.json",
        "error_404.json",
    ]
    .iter()
    .map(|name| serde_json::to_vec_pretty(&fixture(name)).unwrap())
    .collect()
}

/// Arbitrary bytes, and the documented examples with bytes flipped, cut
/// short, or nested deeper than any parser should follow.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => vec(any::<u8>(), 0..1024),
        2 => (select(example_texts()), vec((any::<Index>(), any::<u8>()), 1..4)).prop_map(
            |(mut text, flips)| {
                for (at, byte) in flips {
                    let i = at.index(text.len());
                    text[i] = byte;
                }
                text
            }
        ),
        2 => (select(example_texts()), any::<Index>())
            .prop_map(|(text, at)| text[..at.index(text.len())].to_vec()),
        1 => (1usize..5000, select(vec!["[", "{\"data\":", "[{\"a\":", "{\"extra\":["]))
            .prop_map(|(depth, open)| open.repeat(depth).into_bytes()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => any::<String>().prop_map(Value::String),
        3 => select(WORDS).prop_map(|s| Value::String(s.to_string())),
    ];
    let key = prop_oneof![3 => select(WORDS).prop_map(str::to_string), 1 => any::<String>()];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Replaces (or, with `None`, deletes) the node reached by following `path`
/// from `node`, as far as the path goes.
fn mutate(node: &mut Value, path: &[Index], replacement: Option<&Value>) {
    let Some((at, rest)) = path.split_first() else {
        if let Some(new) = replacement {
            *node = new.clone();
        }
        return;
    };
    match node {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(at.index(map.len())).cloned().unwrap();
            if rest.is_empty() && replacement.is_none() {
                map.remove(&key);
            } else {
                mutate(map.get_mut(&key).unwrap(), rest, replacement);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = at.index(items.len());
            if rest.is_empty() && replacement.is_none() {
                items.remove(i);
            } else {
                mutate(&mut items[i], rest, replacement);
            }
        }
        _ => {
            if let Some(new) = replacement {
                *node = new.clone();
            }
        }
    }
}

/// `base` with up to two of its nodes replaced by arbitrary JSON or
/// deleted; with none, the example itself.
fn mutated(base: Value) -> impl Strategy<Value = Value> {
    vec(
        (
            vec(any::<Index>(), 1..6),
            proptest::option::of(json_value()),
        ),
        0..3,
    )
    .prop_map(move |edits| {
        let mut value = base.clone();
        for (path, replacement) in &edits {
            mutate(&mut value, path, replacement.as_ref());
        }
        value
    })
}

/// JSON: arbitrary values, and the documented examples mutated.
fn hostile_json() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => json_value(),
        3 => mutated(fixture("customer_refresh_review.json")),
        1 => mutated(fixture("customer_business.json")),
        3 => mutated(fixture("error_422.json")),
        1 => mutated(fixture("error_404.json")),
    ]
    .prop_map(|v| serde_json::to_vec(&v).expect("a Value serializes"))
}

// ---------------------------------------------------------------------------
// 1. The response path, fuzzed
// ---------------------------------------------------------------------------

/// Serves `reply` for one call and checks the outcome against what was sent.
async fn check_reply(
    stage: &Stage,
    reply: &Reply,
    max_retries: u32,
    limit: usize,
) -> Result<(), TestCaseError> {
    stage.serve(reply.bytes());
    let client = stage.client(max_retries, limit);
    let call = client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .send_with_response();
    let outcome: Outcome = bounded(call).await?;
    exercise(&outcome)?;
    // Informational heads and malformed headers are the HTTP library's to
    // reject; all that is asked there is a typed outcome, in time.
    if reply.status < 200 || !reply.well_formed() {
        stage.note(if outcome.is_ok() {
            "ok, odd reply"
        } else {
            "error, odd reply"
        });
        return Ok(());
    }

    let status = StatusCode::from_u16(reply.status).unwrap();
    let sent = reply.header_map();
    let retries = if tiny_retries(max_retries).should_retry(status, &sent) {
        max_retries as usize
    } else {
        0
    };
    prop_assert_eq!(stage.connections(), 1 + retries, "requests sent");
    // HTTP says 204 and 304 have no body, whatever follows the head.
    let body: &[u8] = if matches!(reply.status, 204 | 304) {
        &[]
    } else {
        &reply.body
    };
    let header_request_id = sent
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    if body.len() > limit && !status.is_success() {
        // An error status keeps its status (and so its retry rule); the
        // oversized body is dropped and flagged.
        let Err(err @ Error::Api(api)) = &outcome else {
            return Err(fail(format!(
                "a {}-byte HTTP {status} body over the {limit}-byte limit gave {outcome:?}",
                body.len()
            )));
        };
        prop_assert!(api.body_too_large && api.raw_body.is_empty(), "{err:?}");
        prop_assert_eq!(err.status(), Some(status));
        stage.note("too large");
    } else if body.len() > limit {
        let Err(err @ Error::Decode(decode)) = &outcome else {
            return Err(fail(format!(
                "a {}-byte body over the {limit}-byte limit gave {outcome:?}",
                body.len()
            )));
        };
        prop_assert!(
            matches!(decode.reason, DecodeReason::TooLarge { limit: l } if l == limit),
            "{err:?}"
        );
        prop_assert_eq!(err.status(), Some(status));
        stage.note("too large");
    } else if status.is_success() {
        match (
            serde_json::from_slice::<CustomerV1ItemResponse>(body),
            &outcome,
        ) {
            (Ok(expected), Ok(response)) => {
                prop_assert_eq!(response.status, status);
                prop_assert_eq!(&response.body, &expected);
                stage.note("ok");
            }
            (Err(_), Err(err @ Error::Decode(decode))) => {
                prop_assert!(matches!(decode.reason, DecodeReason::Json(_)), "{err:?}");
                prop_assert_eq!(err.status(), Some(status));
                prop_assert_eq!(err.api_request_id(), header_request_id);
                prop_assert!(decode.snippet.len() <= 3 * 512 + 3, "unbounded snippet");
                stage.note("decode error");
            }
            (expected, got) => {
                return Err(fail(format!(
                    "HTTP {status}, body parses: {}; got {got:?}",
                    expected.is_ok()
                )));
            }
        }
    } else {
        let Err(err @ Error::Api(api)) = &outcome else {
            return Err(fail(format!("HTTP {status} gave {outcome:?}")));
        };
        prop_assert_eq!(err.status(), Some(status));
        prop_assert_eq!(api.attempts as usize, 1 + retries);
        prop_assert_eq!(&api.raw_body[..], body);
        let parsed = serde_json::from_slice::<ErrorResponse>(body).ok();
        prop_assert_eq!(&api.body, &parsed);
        // The id the server reported: the documented body's, else any
        // JSON body's `meta.api_request_id` string, else the header's.
        let raw_id = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.pointer("/meta/api_request_id")?
                    .as_str()
                    .map(str::to_string)
            });
        let expected_id = parsed
            .as_ref()
            .map(|b| b.meta.api_request_id.to_string())
            .or(raw_id)
            .or(header_request_id);
        prop_assert_eq!(err.api_request_id(), expected_id);
        stage.note(if parsed.is_some() {
            "api error, body parsed"
        } else {
            "api error, raw body"
        });
    }
    Ok(())
}

#[test]
fn arbitrary_bytes_as_the_body_of_each_status_end_in_ok_or_a_typed_error_in_time() {
    let rt = runtime();
    let stage = rt.block_on(Stage::start());
    property(
        "arbitrary bytes body",
        256,
        (reply(status(), hostile_bytes()), 0u32..=2, limit()),
        |(reply, retries, limit)| rt.block_on(check_reply(&stage, &reply, retries, limit)),
    );
    stage.print_tally("arbitrary bytes body");
}

#[test]
fn arbitrary_json_as_the_body_of_each_status_end_in_ok_or_a_typed_error_in_time() {
    let rt = runtime();
    let stage = rt.block_on(Stage::start());
    property(
        "arbitrary JSON body",
        256,
        (reply(status(), hostile_json()), 0u32..=2, limit()),
        |(reply, retries, limit)| rt.block_on(check_reply(&stage, &reply, retries, limit)),
    );
    stage.print_tally("arbitrary JSON body");
}

#[test]
fn any_status_code_ends_in_ok_or_a_typed_error_carrying_that_status() {
    let rt = runtime();
    let stage = rt.block_on(Stage::start());
    property(
        "any status code",
        128,
        (
            reply(100u16..=999, prop_oneof![hostile_json(), hostile_bytes()]),
            0u32..=1,
            limit(),
        ),
        |(reply, retries, limit)| rt.block_on(check_reply(&stage, &reply, retries, limit)),
    );
    stage.print_tally("any status code");
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        (0u64..120_000).prop_map(Duration::from_millis),
        any::<u64>().prop_map(Duration::from_nanos),
        any::<u64>().prop_map(Duration::from_secs),
    ]
}

#[test]
fn retry_waits_stay_within_the_policy_whatever_the_headers_say() {
    let policy = (0u32..5, duration(), duration(), duration()).prop_map(
        |(max_retries, initial_backoff, max_backoff, max_retry_after)| RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff,
            max_retry_after,
        },
    );
    let policy = prop_oneof![Just(RetryPolicy::default()), Just(tiny_retries(2)), policy];
    property(
        "retry waits",
        256,
        (
            policy,
            any::<u32>(),
            proptest::option::of(header_value()),
            proptest::option::of(header_value()),
        ),
        |(policy, retry, after, after_ms)| {
            let mut headers = HeaderMap::new();
            for (name, value) in [("retry-after", after), ("retry-after-ms", after_ms)] {
                if let Some(value) = value.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
                    headers.insert(name, value);
                }
            }
            let wait = policy.delay_for(retry, Some(&headers));
            let cap = policy.max_backoff.max(policy.max_retry_after);
            prop_assert!(wait <= cap, "waits {wait:?} > {cap:?} for {headers:?}");

            let backoff = policy.delay_for(retry, None);
            let floor = policy
                .initial_backoff
                .min(policy.max_backoff)
                .mul_f64(0.75)
                .saturating_sub(Duration::from_micros(1));
            prop_assert!(
                backoff <= policy.max_backoff && backoff >= floor,
                "backoff {backoff:?} outside [{floor:?}, {:?}]",
                policy.max_backoff
            );
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// 2. The request path: arguments checked before anything leaves
// ---------------------------------------------------------------------------

/// UUIDs in every accepted spelling, near misses, and junk.
fn uuid_text() -> impl Strategy<Value = String> {
    let id = any::<u128>().prop_map(Uuid::from_u128);
    prop_oneof![
        id.clone().prop_map(|u| u.hyphenated().to_string()),
        id.clone().prop_map(|u| u.simple().to_string()),
        id.clone()
            .prop_map(|u| u.braced().to_string().to_uppercase()),
        id.clone().prop_map(|u| u.urn().to_string()),
        (id.clone(), any::<Index>(), any::<char>()).prop_map(|(u, at, c)| {
            let mut chars: Vec<char> = u.hyphenated().to_string().chars().collect();
            let i = at.index(chars.len());
            chars[i] = c;
            chars.into_iter().collect()
        }),
        (
            id,
            any::<Index>(),
            select(vec![
                " ", "\t", "\r\n", "/", "?", "#", "%2F", "..", "\0", "é", "-", "0"
            ])
        )
            .prop_map(|(u, at, insert)| {
                let mut text = u.hyphenated().to_string();
                text.insert_str(at.index(text.len() + 1), insert);
                text
            }),
        any::<String>(),
        select(vec![
            "",
            " ",
            "../../v1/accounts",
            "%2e%2e",
            "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e/../x",
            "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\r\nx-injected: 1",
        ])
        .prop_map(str::to_string),
    ]
}

/// Characters that are fine in a header, and ones that are not.
fn header_text() -> impl Strategy<Value = String> {
    let odd = select(vec![
        '\t', '\r', '\n', '\0', '\x7f', '\u{80}', '\u{85}', '\u{9f}', '\u{a0}', 'é', '€',
        '\u{200b}', '\u{2028}', '\u{202e}', '\u{feff}', '😀', '\u{fffd}',
    ]);
    let ch = prop_oneof![12 => prop::char::range(' ', '~'), 1 => odd, 1 => any::<char>()];
    prop_oneof![
        3 => vec(ch, 0..48).prop_map(|cs| cs.into_iter().collect::<String>()),
        2 => vec(prop::char::range(' ', '~'), 0..48).prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => any::<String>(),
    ]
}

fn ok_stage_client(rt: &tokio::runtime::Runtime) -> (Stage, Client) {
    let stage = rt.block_on(Stage::start());
    let client = stage.client(0, DEFAULT_MAX_RESPONSE_BYTES);
    (stage, client)
}

/// The outcome is a refusal naming `argument`, and nothing reached the server.
fn expect_refused<T: fmt::Debug>(
    outcome: &Result<T, Error>,
    argument: &str,
    stage: &Stage,
) -> Result<(), TestCaseError> {
    let Err(Error::InvalidRequest { operation, message }) = outcome else {
        return Err(fail(format!(
            "expected InvalidRequest for {argument}, got {outcome:?}"
        )));
    };
    prop_assert_eq!(operation.as_ref(), "RefreshCustomerReview");
    prop_assert!(message.contains(argument), "{argument} not in {message:?}");
    prop_assert_eq!(stage.connections(), 0, "a refused call reached the server");
    Ok(())
}

#[test]
fn ids_that_are_not_uuids_are_refused_unsent_and_uuids_go_out_canonical() {
    let rt = runtime();
    let (stage, client) = ok_stage_client(&rt);
    let sent = AtomicU32::new(0);
    property(
        "uuid arguments",
        256,
        (uuid_text(), proptest::option::of(uuid_text())),
        |(id, account)| {
            rt.block_on(async {
                stage.serve(Reply::ok_example().bytes());
                let mut call = client.customers().review().refresh_review(id.as_str());
                if let Some(account) = &account {
                    call = call.straddle_account_id(account.as_str());
                }
                let outcome = bounded(call.send()).await?;
                exercise(&outcome)?;
                let account = account.as_deref().map(Uuid::try_parse);
                let id = match Uuid::try_parse(&id) {
                    Err(_) => return expect_refused(&outcome, "`id`", &stage),
                    Ok(_) if matches!(account, Some(Err(_))) => {
                        return expect_refused(&outcome, "`Straddle-Account-Id`", &stage);
                    }
                    Ok(id) => id,
                };
                sent.fetch_add(1, Ordering::Relaxed);
                prop_assert!(outcome.is_ok(), "{outcome:?}");
                let requests = stage.requests();
                prop_assert_eq!(requests.len(), 1);
                let path = format!(
                    "PUT /v1/customers/{}/refresh_review HTTP/1.1",
                    id.hyphenated()
                );
                prop_assert_eq!(request_line(&requests[0]), path.as_bytes());
                let expected = account.map(|a| a.unwrap().hyphenated().to_string());
                let expected: Vec<&[u8]> = expected.iter().map(|a| a.as_bytes()).collect();
                prop_assert_eq!(header_lines(&requests[0], "straddle-account-id"), expected);
                Ok(())
            })
        },
    );
    eprintln!(
        "uuid arguments: {} of the cases were valid and sent",
        sent.load(Ordering::Relaxed)
    );
}

#[test]
fn header_arguments_with_control_characters_are_refused_unsent_and_others_go_out_verbatim() {
    let rt = runtime();
    let (stage, client) = ok_stage_client(&rt);
    let sent = AtomicU32::new(0);
    let key = prop_oneof![
        header_text(),
        vec(prop::char::range(' ', '~'), 8..=42).prop_map(|cs| cs.into_iter().collect::<String>()),
    ];
    property(
        "header arguments",
        256,
        (
            proptest::option::of(header_text()),
            proptest::option::of(header_text()),
            proptest::option::of(key),
        ),
        |(request_id, correlation_id, idempotency_key)| {
            rt.block_on(async {
                stage.serve(Reply::ok_example().bytes());
                let mut call = client.customers().review().refresh_review(CUSTOMER_ID);
                if let Some(v) = &request_id {
                    call = call.request_id(v.as_str());
                }
                if let Some(v) = &correlation_id {
                    call = call.correlation_id(v.clone());
                }
                if let Some(v) = &idempotency_key {
                    call = call.idempotency_key(v.as_str());
                }
                let outcome = bounded(call.send()).await?;
                exercise(&outcome)?;

                // The rules, stated independently of the SDK's code: no
                // control character anywhere; a key of 10 to 40 characters.
                let printable = |s: &Option<String>| {
                    !s.as_deref()
                        .is_some_and(|s| s.chars().any(char::is_control))
                };
                let key_ok = printable(&idempotency_key)
                    && idempotency_key
                        .as_deref()
                        .is_none_or(|k| (10..=40).contains(&k.chars().count()));
                if !printable(&request_id) {
                    return expect_refused(&outcome, "`Request-Id`", &stage);
                }
                if !printable(&correlation_id) {
                    return expect_refused(&outcome, "`Correlation-Id`", &stage);
                }
                if !key_ok {
                    return expect_refused(&outcome, "`Idempotency-Key`", &stage);
                }

                sent.fetch_add(1, Ordering::Relaxed);
                prop_assert!(outcome.is_ok(), "{outcome:?}");
                let requests = stage.requests();
                prop_assert_eq!(requests.len(), 1);
                let request = &requests[0];
                for (name, given) in [
                    ("request-id", &request_id),
                    ("correlation-id", &correlation_id),
                ] {
                    let expected: Vec<&[u8]> = given.iter().map(|v| v.as_bytes()).collect();
                    prop_assert_eq!(header_lines(request, name), expected, "{}", name);
                }
                let keys = header_lines(request, "idempotency-key");
                prop_assert_eq!(keys.len(), 1);
                match &idempotency_key {
                    Some(given) => prop_assert_eq!(keys[0], given.as_bytes()),
                    None => prop_assert!(
                        std::str::from_utf8(keys[0]).is_ok_and(|k| Uuid::try_parse(k).is_ok()),
                        "generated key {:?}",
                        keys[0]
                    ),
                }
                Ok(())
            })
        },
    );
    eprintln!(
        "header arguments: {} of the cases were valid and sent",
        sent.load(Ordering::Relaxed)
    );
}

// ---------------------------------------------------------------------------
// 3. Slow, silent and broken servers
// ---------------------------------------------------------------------------

/// A loopback server that reads each request, then hands the connection to
/// `serve`; returns its base URL and a connection counter.
async fn raw_server<F, Fut>(serve: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let serve = Arc::new(serve);
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((mut socket, _)) = listener.accept().await else {
                break;
            };
            seen.fetch_add(1, Ordering::SeqCst);
            let serve = serve.clone();
            tokio::spawn(async move {
                if read_request(&mut socket).await.is_some() {
                    serve(socket).await;
                }
            });
        }
    });
    (url, count)
}

/// One call with two attempts of [`ATTEMPT_TIMEOUT`] each; returns the
/// error and how long the call took.
async fn timed_failure(url: &str) -> (Error, Duration) {
    let client = hostile_client(url, 1, DEFAULT_MAX_RESPONSE_BYTES, ATTEMPT_TIMEOUT);
    let started = Instant::now();
    let outcome = tokio::time::timeout(CALL_BOUND, straddle_sdk_tests::refresh_review(&client))
        .await
        .expect("the call hung past the bound");
    let elapsed = started.elapsed();
    exercise(&outcome).unwrap();
    let err = outcome.expect_err("a broken server cannot succeed");
    eprintln!("after {elapsed:?}: {err}");
    (err, elapsed)
}

fn attempts(err: &Error) -> u32 {
    match err {
        Error::Timeout(t) | Error::Connection(t) => t.attempts,
        other => panic!("not a transport error: {other:?}"),
    }
}

/// Two attempts that each time out: at least two timeouts long, and at
/// most two timeouts plus slack.
fn assert_timed_out_twice(err: &Error, elapsed: Duration, connections: usize) {
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(attempts(err), 2, "{err:?}");
    assert_eq!(connections, 2);
    assert!(
        elapsed >= 2 * ATTEMPT_TIMEOUT - Duration::from_millis(20),
        "gave up after {elapsed:?}, before the timeout"
    );
    assert!(
        elapsed <= 2 * ATTEMPT_TIMEOUT + SLACK,
        "took {elapsed:?} for two attempts of {ATTEMPT_TIMEOUT:?}"
    );
}

#[tokio::test]
async fn a_body_trickling_one_byte_a_second_times_out_within_the_bound() {
    let (url, count) = raw_server(|mut socket| async move {
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
        if socket.write_all(head).await.is_err() {
            return;
        }
        for _ in 0..30 {
            if socket.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let (err, elapsed) = timed_failure(&url).await;
    assert_timed_out_twice(&err, elapsed, count.load(Ordering::SeqCst));
}

#[tokio::test]
async fn headers_trickling_in_time_out_within_the_bound() {
    let (url, count) = raw_server(|mut socket| async move {
        if socket.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
            return;
        }
        for _ in 0..100 {
            if socket.write_all(b"x-slow: 1\r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let (err, elapsed) = timed_failure(&url).await;
    assert_timed_out_twice(&err, elapsed, count.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_server_that_accepts_but_never_answers_times_out_within_the_bound() {
    let (url, count) = raw_server(|socket| async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(socket);
    })
    .await;
    let (err, elapsed) = timed_failure(&url).await;
    assert_timed_out_twice(&err, elapsed, count.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_server_closing_mid_response_is_a_connection_error_within_the_bound() {
    let cut_short: [&'static [u8]; 4] = [
        // Nothing at all.
        b"",
        // Half a head.
        b"HTTP/1.1 200 OK\r\ncontent-ty",
        // A body shorter than its Content-Length.
        b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"data\": {",
        // A chunked body without its last chunk.
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\na\r\n{\"data\": {\r\n",
    ];
    for bytes in cut_short {
        let (url, count) = raw_server(move |mut socket| async move {
            let _ = socket.write_all(bytes).await;
            let _ = socket.shutdown().await;
        })
        .await;
        let (err, elapsed) = timed_failure(&url).await;
        let what = String::from_utf8_lossy(bytes);
        assert!(matches!(err, Error::Connection(_)), "{what:?}: {err:?}");
        assert!(err.is_retryable());
        assert_eq!(attempts(&err), 2, "{what:?}");
        assert_eq!(count.load(Ordering::SeqCst), 2, "{what:?}");
        assert!(elapsed < SLACK, "{what:?}: took {elapsed:?}");
    }
}

#[tokio::test]
async fn endless_response_headers_end_in_a_typed_error_within_the_bound() {
    let (url, count) = raw_server(|mut socket| async move {
        if socket.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
            return;
        }
        let line = b"x-endless: 0123456789012345678901234567890123456789\r\n".repeat(64);
        // At most 16 MiB, then give up.
        for _ in 0..(16 << 20) / line.len() {
            if socket.write_all(&line).await.is_err() {
                return;
            }
        }
    })
    .await;
    let (err, elapsed) = timed_failure(&url).await;
    // The HTTP library refuses a head past its size limit: a connection
    // error, long before the timeout.
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(attempts(&err), 2);
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert!(elapsed < SLACK, "took {elapsed:?}");
}

// ---------------------------------------------------------------------------
// 4. Bodies over the limit
// ---------------------------------------------------------------------------

const SMALL_LIMIT: usize = 1024;

async fn call_with_limit(url: &str, max_retries: u32) -> (Outcome, Duration) {
    let client = hostile_client(url, max_retries, SMALL_LIMIT, Duration::from_secs(5));
    let started = Instant::now();
    let call = client
        .customers()
        .review()
        .refresh_review(CUSTOMER_ID)
        .send_with_response();
    let outcome = tokio::time::timeout(CALL_BOUND, call)
        .await
        .expect("the call hung past the bound");
    (outcome, started.elapsed())
}

fn assert_too_large(outcome: &Outcome, status: u16, what: &str) {
    match outcome {
        Err(err @ Error::Decode(decode)) if (200..300).contains(&status) => {
            assert!(
                matches!(decode.reason, DecodeReason::TooLarge { limit: SMALL_LIMIT }),
                "{what}: {err:?}"
            );
            assert!(
                err.to_string().contains("larger than the 1024-byte limit"),
                "{err}"
            );
        }
        Err(err @ Error::Api(api)) if !(200..300).contains(&status) => {
            assert!(
                api.body_too_large && api.raw_body.is_empty(),
                "{what}: {err:?}"
            );
            assert!(err.to_string().contains("over the size limit"), "{err}");
        }
        other => panic!("{what}: expected a too-large error for HTTP {status}, got {other:?}"),
    }
    let err = outcome.as_ref().expect_err("an error");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{what}");
}

#[tokio::test]
async fn bodies_over_the_limit_are_too_large_with_or_without_content_length() {
    for framing in [Framing::Length, Framing::Chunked, Framing::UntilClose] {
        for (status, size) in [
            (200, SMALL_LIMIT),
            (200, SMALL_LIMIT + 1),
            (500, SMALL_LIMIT + 1),
        ] {
            let bytes = Reply {
                status,
                headers: vec![("content-type", b"application/json".to_vec())],
                body: vec![b' '; size],
                framing,
            }
            .bytes();
            let bytes: &'static [u8] = bytes.leak();
            let (url, _) = raw_server(move |mut socket| async move {
                let _ = socket.write_all(bytes).await;
                let _ = socket.shutdown().await;
            })
            .await;
            let (outcome, _) = call_with_limit(&url, 0).await;
            let what = format!("{framing:?}, HTTP {status}, {size} bytes");
            if size > SMALL_LIMIT {
                assert_too_large(&outcome, status, &what);
            } else {
                // Exactly at the limit is read, and is merely not JSON.
                let Err(Error::Decode(decode)) = &outcome else {
                    panic!("{what}: {outcome:?}")
                };
                assert!(matches!(decode.reason, DecodeReason::Json(_)), "{what}");
            }
        }
    }
}

/// What an endless-body connection saw: bytes written, and whether the
/// client hung up (rather than the server giving up).
type StreamLog = Arc<Mutex<Vec<(usize, bool)>>>;

/// Sends `head`, then `piece` again and again until the client hangs up,
/// 64 MiB have gone out, or 20 s have passed.
async fn stream_forever(mut socket: TcpStream, head: &[u8], piece: &[u8], log: StreamLog) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut written = 0;
    let mut hung_up = socket.write_all(head).await.is_err();
    while !hung_up && written < 64 << 20 && Instant::now() < deadline {
        hung_up = socket.write_all(piece).await.is_err();
        written += piece.len();
    }
    log.lock().unwrap().push((written, hung_up));
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_and_the_connection_is_dropped() {
    let data = vec![b'x'; 16 * 1024];
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(b"\r\n");
    let cases: [(&str, u16, &'static [u8], Vec<u8>); 5] = [
        (
            "chunked",
            200,
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            chunk.clone(),
        ),
        ("until close", 200, b"HTTP/1.1 200 OK\r\n\r\n", data.clone()),
        (
            "a 1 GiB content-length",
            200,
            b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n",
            data.clone(),
        ),
        (
            "chunked, an error status",
            422,
            b"HTTP/1.1 422 Unprocessable Entity\r\ntransfer-encoding: chunked\r\n\r\n",
            chunk.clone(),
        ),
        (
            "chunked, a retried status",
            503,
            b"HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n",
            chunk,
        ),
    ];
    for (what, status, head, piece) in cases {
        let log = StreamLog::default();
        let server_log = log.clone();
        let piece: &'static [u8] = piece.leak();
        let (url, count) =
            raw_server(move |socket| stream_forever(socket, head, piece, server_log.clone())).await;
        let (outcome, elapsed) = call_with_limit(&url, 1).await;
        assert_too_large(&outcome, status, what);
        assert!(elapsed < SLACK, "{what}: took {elapsed:?}");
        let connections = count.load(Ordering::SeqCst);
        assert_eq!(connections, if status == 503 { 2 } else { 1 }, "{what}");

        // Every connection is dropped by the client, not drained.
        let waited = Instant::now();
        while log.lock().unwrap().len() < connections && waited.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let log = log.lock().unwrap().clone();
        eprintln!(
            "endless body, {what}: server wrote {log:?} (bytes, client hung up) before the call ended"
        );
        assert_eq!(log.len(), connections, "{what}: a server is still writing");
        assert!(log.iter().all(|(_, hung_up)| *hung_up), "{what}: {log:?}");
    }
}
