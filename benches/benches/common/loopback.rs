//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every
//! request with the same JSON body, so that what a benchmark measures is the
//! client, not the server.
//!
//! It runs on its own thread with its own single-threaded tokio runtime, away
//! from the runtime the measured client runs on. Per connection it reads a
//! request head up to `\r\n\r\n`, skips a `Content-Length` body if there is
//! one, writes a prepared response (status line, `Content-Type`,
//! `Content-Length`, body) in one write, and waits for the next request on the
//! same connection. It counts connections and requests, so a benchmark can
//! show that its client reuses connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the server has seen so far.
#[derive(Debug, Default)]
pub struct Stats {
    connections: AtomicU64,
    requests: AtomicU64,
}

impl Stats {
    /// Connections accepted.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Requests answered.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// A running loopback server; it lives as long as the process.
pub struct Loopback {
    addr: SocketAddr,
    stats: Arc<Stats>,
}

impl Loopback {
    /// Starts a server answering every request with `200 OK` and `body`.
    pub fn start(body: &[u8]) -> Self {
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(body);
        let response: Arc<[u8]> = response.into();

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let stats = Arc::new(Stats::default());
        let server_stats = stats.clone();
        std::thread::Builder::new()
            .name("loopback-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(accept_loop(listener, response, server_stats));
            })
            .expect("server thread");
        Self { addr, stats }
    }

    /// The base URL of the server, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server has seen so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

async fn accept_loop(listener: std::net::TcpListener, response: Arc<[u8]>, stats: Arc<Stats>) {
    let listener = TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(serve(stream, response.clone(), stats.clone()));
    }
}

/// Answers requests on one connection until the client closes it.
async fn serve(mut stream: TcpStream, response: Arc<[u8]>, stats: Arc<Stats>) {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.split();
    let mut reader = BufReader::new(read);
    let mut line = Vec::with_capacity(256);
    let mut body = Vec::new();
    loop {
        // The request head, line by line, up to the empty line.
        let mut content_length = 0usize;
        let mut first = true;
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == b"\r\n" || line == b"\n" {
                if first {
                    // Stray empty line between requests.
                    continue;
                }
                break;
            }
            first = false;
            if let Some(value) = header_value(&line, b"content-length") {
                content_length = value.parse().unwrap_or(0);
            }
            assert!(
                header_value(&line, b"transfer-encoding").is_none(),
                "the loopback server does not read chunked bodies"
            );
        }
        if content_length > 0 {
            body.resize(content_length, 0);
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
        }
        if write.write_all(&response).await.is_err() {
            return;
        }
        stats.requests.fetch_add(1, Ordering::Relaxed);
    }
}

/// The trimmed value of header `name` (lowercase) if `line` is that header.
fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a str> {
    let colon = line.iter().position(|&b| b == b':')?;
    let (key, rest) = line.split_at(colon);
    if !key.eq_ignore_ascii_case(name) {
        return None;
    }
    std::str::from_utf8(&rest[1..]).ok().map(str::trim)
}
