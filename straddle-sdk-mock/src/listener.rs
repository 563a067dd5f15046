//! The loopback HTTP/1.1 listener under the mock server: it reads each
//! request whole, asks [`Dispatch`] for the reply, and sends it as the reply
//! says: whole, with its body cut off, or not at all (the connection
//! closed). It runs on a thread of its own, so it answers whatever runtime
//! (or none) the test uses, and stopping it closes the port and every
//! connection.

use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use straddle_sdk::bytes::Bytes;
use straddle_sdk::reqwest::Url;
use straddle_sdk::reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use tokio::sync::oneshot;

use crate::answer::{Ending, Reply};
use crate::lock;
use crate::received::ReceivedRequest;

/// What answers the requests the listener reads.
pub(crate) trait Dispatch: Send + Sync + 'static {
    /// The reply to `request`.
    fn reply(&self, request: ReceivedRequest) -> Reply;
}

/// A running listener; [`Listener::stop`] or dropping it stops it.
#[derive(Debug)]
pub(crate) struct Listener {
    uri: String,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    stopped: Mutex<Option<oneshot::Receiver<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Listener {
    /// Listens on a free loopback port, answering with `dispatch`.
    pub(crate) fn start(dispatch: Arc<dyn Dispatch>) -> std::io::Result<Self> {
        let listener = StdListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let uri = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (stop, stop_requested) = oneshot::channel::<()>();
        let (done, stopped) = oneshot::channel();
        let base: Arc<str> = Arc::from(uri.as_str());
        let thread = std::thread::Builder::new()
            .name("straddle-sdk-mock".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(accept(listener, base, dispatch));
                    // Until `stop`, or until the `Listener` is dropped.
                    let _ = stop_requested.await;
                });
                // Drops the port and every connection task with it.
                drop(runtime);
                let _ = done.send(());
            })?;
        Ok(Self {
            uri,
            stop: Mutex::new(Some(stop)),
            stopped: Mutex::new(Some(stopped)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn uri(&self) -> &str {
        &self.uri
    }

    /// Stops listening and closes every connection; once it returns, a
    /// connection to the port is refused. Stopping again does nothing.
    pub(crate) async fn stop(&self) {
        if let Some(stop) = lock(&self.stop).take() {
            let _ = stop.send(());
        }
        let stopped = lock(&self.stopped).take();
        if let Some(stopped) = stopped {
            let _ = stopped.await;
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = lock(&self.stop).take() {
            let _ = stop.send(());
        }
        // The thread only drops its runtime: this returns at once.
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

/// Serves every connection to `listener`, each in a task of its own.
async fn accept(listener: tokio::net::TcpListener, base: Arc<str>, dispatch: Arc<dyn Dispatch>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: a later accept may succeed.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let base = Arc::clone(&base);
        let dispatch = Arc::clone(&dispatch);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                respond(Arc::clone(&base), Arc::clone(&dispatch), request)
            });
            // A connection that fails (a reply dropped or cut off on
            // purpose, a client gone) has nothing more to serve.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Reads `request` whole and answers it as its reply says. An `Err` closes
/// the connection without a response.
async fn respond(
    base: Arc<str>,
    dispatch: Arc<dyn Dispatch>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<ReplyBody>, Closed> {
    let (parts, body) = request.into_parts();
    let body = read_body(body).await?;
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = Url::parse(&format!("{base}{target}")).map_err(|_| Closed)?;
    let reply = dispatch.reply(ReceivedRequest::new(parts.method, url, parts.headers, body));
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    response(reply)
}

/// The request body, read to its end.
async fn read_body(mut body: Incoming) -> Result<Vec<u8>, Closed> {
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        if let Ok(data) = frame.map_err(|_| Closed)?.into_data() {
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// The HTTP response of `reply`, or `Closed` for a dropped connection.
fn response(reply: Reply) -> Result<hyper::Response<ReplyBody>, Closed> {
    let body = match reply.ending {
        Ending::Dropped => return Err(Closed),
        Ending::Complete => ReplyBody {
            data: Some(reply.body.clone()).filter(|b| !b.is_empty()),
            cut: Cut::No,
        },
        Ending::CutAfter(after) => ReplyBody {
            data: Some(reply.body.slice(..after.min(reply.body.len()))),
            cut: Cut::Flush,
        },
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if let Some(content_type) = reply.content_type {
        headers.insert(CONTENT_TYPE, content_type);
    }
    for (name, value) in reply.headers {
        headers.append(name, value);
    }
    if let Ending::CutAfter(_) = reply.ending {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(reply.body.len()));
    }
    Ok(response)
}

/// Why a connection is closed without (the rest of) a response.
#[derive(Debug)]
struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the mock server closes the connection, as its answer says")
    }
}

impl std::error::Error for Closed {}

/// A reply's body: its bytes in one frame; for a body cut off, then one
/// pending poll (hyper writes out what it holds when the body waits), then
/// an error, on which hyper closes the connection short of the declared
/// length.
struct ReplyBody {
    data: Option<Bytes>,
    cut: Cut,
}

/// Where a cut body stands after its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Not cut: the body ends after its data.
    No,
    /// The data is to be written out before the cut.
    Flush,
    /// The cut is next.
    Now,
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Closed;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Closed>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match self.cut {
            Cut::No => Poll::Ready(None),
            Cut::Flush => {
                self.cut = Cut::Now;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Cut::Now => {
                self.cut = Cut::No;
                Poll::Ready(Some(Err(Closed)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.cut == Cut::No
    }

    /// Exact for a whole body; unknown for a cut one, which hyper then
    /// frames by its `Content-Length` header (the whole body's).
    fn size_hint(&self) -> SizeHint {
        if self.cut != Cut::No {
            return SizeHint::default();
        }
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}
