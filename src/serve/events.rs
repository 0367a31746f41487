//! The event streams: each open page holds one (`/__pmarchive/events`, server-sent events, at
//! most [`MAX_EVENT_STREAMS`]), and a rebuild's reload or error is broadcast to them all.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use super::http::{Method, Request, Response};
use super::Shared;

/// At most this many event streams (pages open on the site) at once, a thread each; another
/// is answered 503 with `Retry-After`, and the page's client tries again later.
const MAX_EVENT_STREAMS: usize = 256;

/// How long the page's client waits before trying again after a 503, in seconds.
const RETRY_AFTER_SECONDS: u64 = 2;

/// How often an idle event stream is written to: a stream whose page went away is found (and
/// its thread ends) at the second write after, so within two of these.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// One of the [`MAX_EVENT_STREAMS`], given back when dropped.
struct StreamSlot<'a>(&'a AtomicUsize);

impl<'a> StreamSlot<'a> {
    fn take(count: &'a AtomicUsize) -> Option<Self> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_EVENT_STREAMS).then_some(n + 1)
            })
            .ok()
            .map(|_| StreamSlot(count))
    }
}

impl Drop for StreamSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Shared {
    /// Sends `message` to every open page, dropping the streams whose page went away.
    pub(super) fn broadcast(&self, message: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.send(message.to_string()).is_ok());
        }
    }
}

/// The reload and error stream (`HEAD` only says what it is).
pub(super) fn events(request: Request<'_>, shared: &Shared, method: Method) {
    if method == Method::Head {
        let _ = request.respond(
            Response::empty(200)
                .with_header("Content-Type", "text/event-stream")
                .with_header("Cache-Control", "no-cache"),
        );
    } else {
        stream_events(request, shared);
    }
}

/// Server-sent events on the raw connection, flushed message by message. The stream ends when
/// the page goes away.
fn stream_events(request: Request<'_>, shared: &Shared) {
    let Some(_slot) = StreamSlot::take(&shared.streams) else {
        let _ = request.respond(
            Response::from_string(format!(
                "more than {MAX_EVENT_STREAMS} pages are open on this server; retry later\n"
            ))
            .with_status_code(503)
            .with_header("Retry-After", &RETRY_AFTER_SECONDS.to_string())
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_header("Cache-Control", "no-store"),
        );
        return;
    };
    let (tx, rx) = mpsc::channel::<String>();
    if let Ok(mut c) = shared.clients.lock() {
        c.push(tx);
    }
    let writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\nretry: 500\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let chunk = match rx.recv_timeout(HEARTBEAT) {
            Ok(msg) => format!("data: {msg}\n\n"),
            Err(mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(chunk.as_bytes())
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
}
