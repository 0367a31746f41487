//! The development server's HTTP/1.1 on `std::net`: a thread per connection (at most
//! [`MAX_CONNECTIONS`]), request heads parsed by `httparse`, keep-alive with an idle timeout,
//! every response with its `Content-Length`. Only what `serve` needs: GET and HEAD are
//! answered by the site; any other request is answered (405) after its body is read and
//! dropped, so that the connection stays usable.
//!
//! It replaces tiny_http 0.12, whose connection pool queued a connection accepted while another
//! connection was still waking a pool thread, and served it only once some other connection
//! closed: a browser that opened its connections for a page's scripts together (Chromium does)
//! then waited for one of them until the navigation timed out.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a connection may stay idle between requests (or pause in the middle of a head)
/// before the server closes it; browsers reopen a closed keep-alive connection as a matter of
/// course.
pub(crate) const IDLE: Duration = Duration::from_secs(5);

/// How long a request's head may take from its first byte to its blank line, and a refused
/// request's body from its head to its last byte, however steadily their bytes come (a client
/// sending one byte every few seconds would otherwise hold its connection's thread until the
/// head reached [`MAX_HEAD`], or the body [`MAX_BODY`]).
pub(crate) const REQUEST_TIME: Duration = Duration::from_secs(10);

/// How long a write may wait for a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// At most this many connections at once, a thread each; another is answered 503 and closed.
pub(crate) const MAX_CONNECTIONS: usize = 1024;

/// The largest request head read (request line and headers).
const MAX_HEAD: usize = 16 * 1024;

/// The most headers a request may carry.
const MAX_HEADERS: usize = 64;

/// A refused request's body up to this size is read and dropped to keep the connection; a
/// larger one closes it after the answer.
const MAX_BODY: u64 = 1 << 20;

/// A request's method, as far as the server tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// GET.
    Get,
    /// HEAD: the response's head only.
    Head,
    /// Anything else.
    Other,
}

/// One open connection.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// Another request may follow on this connection.
    keep_alive: bool,
}

/// A request, answered once on its connection.
pub(crate) struct Request<'c> {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    conn: &'c mut Conn,
}

/// What a response carries.
enum Body {
    Bytes(Vec<u8>),
    File(std::fs::File, u64),
}

/// A response: status, headers, body.
pub(crate) struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Response {
    /// 200 with these bytes.
    pub(crate) fn from_data(bytes: Vec<u8>) -> Self {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Body::Bytes(bytes),
        }
    }

    /// 200 with this text.
    pub(crate) fn from_string(text: impl Into<String>) -> Self {
        Self::from_data(text.into().into_bytes())
    }

    /// `status` without a body.
    pub(crate) fn empty(status: u16) -> Self {
        Self::from_data(Vec::new()).with_status_code(status)
    }

    /// 200 with a file's contents, streamed.
    pub(crate) fn from_file(file: std::fs::File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Response {
            status: 200,
            headers: Vec::new(),
            body: Body::File(file, len),
        })
    }

    /// The same with another status.
    pub(crate) fn with_status_code(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The same with one more header. A name or value that would break the head (a line
    /// break, a colon in the name) is left out.
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        let bad = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
        if !bad(name) && !bad(value) && !name.contains(':') && !name.is_empty() {
            self.headers.push((name.to_string(), value.to_string()));
        }
        self
    }
}

impl<'c> Request<'c> {
    /// The request target as sent (path and query).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The method.
    pub(crate) fn method(&self) -> Method {
        self.method
    }

    /// The first value of header `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sends `response` (its head only for HEAD).
    pub(crate) fn respond(self, response: Response) -> io::Result<()> {
        let head_only = self.method == Method::Head;
        let conn = self.conn;
        let len = match &response.body {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        };
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            response.status,
            reason(response.status)
        );
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {len}\r\n"));
        if !conn.keep_alive {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let result = match response.body {
            Body::Bytes(bytes) => {
                // Head and body in one write: one packet for a small file.
                let mut all = head.into_bytes();
                if !head_only {
                    all.extend_from_slice(&bytes);
                }
                conn.writer.write_all(&all)
            }
            Body::File(file, len) => conn.writer.write_all(head.as_bytes()).and_then(|()| {
                if head_only {
                    return Ok(());
                }
                let sent = io::copy(&mut file.take(len), &mut conn.writer)?;
                if sent < len {
                    // The file shrank: the length sent cannot be kept, so the connection ends.
                    conn.keep_alive = false;
                }
                Ok(())
            }),
        };
        if result.is_err() {
            conn.keep_alive = false;
        }
        result.and_then(|()| conn.writer.flush())
    }

    /// The raw connection, for a response that streams until the client goes away (the
    /// caller writes its whole head); the connection ends with it.
    pub(crate) fn into_writer(self) -> &'c mut TcpStream {
        let conn = self.conn;
        conn.keep_alive = false;
        &mut conn.writer
    }
}

/// The reason phrase of the statuses `serve` sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Gives back a connection's place among the [`MAX_CONNECTIONS`] when dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Accepts connections on `listener` until the process ends, each in its own thread of
/// `stack` bytes, and calls `handler` with every request.
pub(crate) fn serve<F>(listener: TcpListener, stack: usize, handler: F)
where
    F: Fn(Request<'_>) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors, or a connection reset before it was accepted: try again
                // shortly rather than spin.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if open.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::AcqRel);
            refuse(stream);
            continue;
        }
        let slot = Slot(Arc::clone(&open));
        let handler = Arc::clone(&handler);
        let _ = std::thread::Builder::new()
            .name("pmarchive-conn".into())
            .stack_size(stack)
            .spawn(move || {
                let _slot = slot;
                connection(stream, &*handler);
            });
        // When no thread can be started, the closure (and with it the slot and the
        // connection) is dropped: the client sees the connection close.
    }
}

/// Answers a connection beyond [`MAX_CONNECTIONS`] without reading it.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = stream.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
}

/// Serves the requests of one connection until it closes, idles or asks to close.
fn connection(stream: TcpStream, handler: &dyn Fn(Request<'_>)) {
    // Without it, a response written in two parts waits for the client's delayed ACK of the
    // first (about 40 ms).
    let _ = stream.set_nodelay(true);
    if stream.set_read_timeout(Some(IDLE)).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut conn = Conn {
        reader: BufReader::new(stream),
        writer,
        keep_alive: true,
    };
    loop {
        let head = match read_head(&mut conn.reader) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(e) => {
                if e.kind() == io::ErrorKind::InvalidData {
                    conn.keep_alive = false;
                    let _ = bad_request(&mut conn, 431);
                }
                return;
            }
        };
        let Some(request) = parse(&head, &mut conn) else {
            conn.keep_alive = false;
            let _ = bad_request(&mut conn, 400);
            return;
        };
        handler(request);
        if !conn.keep_alive {
            return;
        }
    }
}

/// The connection's reader while a head or a body is read: from `until`'s start (a head's
/// first byte; a body's head), each read waits at most until [`REQUEST_TIME`] has passed, then
/// fails (`TimedOut`).
struct TimedReader<'a> {
    reader: &'a mut BufReader<TcpStream>,
    until: Option<Instant>,
}

impl BufRead for TimedReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.reader.buffer().is_empty() {
            if let Some(until) = self.until {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request head too slow",
                    ));
                }
                self.reader
                    .get_ref()
                    .set_read_timeout(Some(left.min(IDLE)))?;
            }
        }
        let buf = self.reader.fill_buf()?;
        if self.until.is_none() && !buf.is_empty() {
            self.until = Some(Instant::now() + REQUEST_TIME);
        }
        Ok(buf)
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
    }
}

impl Read for TimedReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

/// A request head (up to its blank line), `None` when the connection closed or idled before
/// one began; `InvalidData` when it is larger than [`MAX_HEAD`], `TimedOut` when it took
/// longer than [`REQUEST_TIME`] or paused for [`IDLE`].
fn read_head(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Vec<u8>>> {
    reader.get_ref().set_read_timeout(Some(IDLE))?;
    let head = read_head_within(&mut TimedReader {
        reader: &mut *reader,
        until: None,
    });
    // What follows the head (a body) is read with the idle timeout again.
    reader.get_ref().set_read_timeout(Some(IDLE))?;
    head
}

fn read_head_within(reader: &mut TimedReader<'_>) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    loop {
        let room = (MAX_HEAD + 1).saturating_sub(head.len()) as u64;
        let n = match reader.by_ref().take(room).read_until(b'\n', &mut head) {
            Ok(n) => n,
            Err(e)
                if head.is_empty()
                    && matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            if head.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
            }
            return Ok(None);
        }
        // Empty lines before a request line are ignored (RFC 9112, section 2.2).
        if head == b"\r\n" || head == b"\n" {
            head.clear();
            continue;
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
    }
}

/// The request in `head`, its body (if any) read and dropped; `None` when the head cannot be
/// parsed. Decides whether the connection may carry another request.
fn parse<'c>(head: &[u8], conn: &'c mut Conn) -> Option<Request<'c>> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut slots);
    if !matches!(req.parse(head), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let method = match req.method? {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        _ => Method::Other,
    };
    let url = req.path?.to_string();
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let connection = find("Connection").unwrap_or_default();
    conn.keep_alive = match req.version {
        Some(1) => !connection.contains("close"),
        _ => connection.contains("keep-alive"),
    };
    if find("Transfer-Encoding").is_some() {
        // A chunked body is not read: the connection ends after the answer.
        conn.keep_alive = false;
    } else if let Some(length) = find("Content-Length") {
        let length: u64 = length.parse().ok()?;
        if length > MAX_BODY {
            conn.keep_alive = false;
        } else if length > 0 {
            let mut body = TimedReader {
                reader: &mut conn.reader,
                until: Some(Instant::now() + REQUEST_TIME),
            };
            let read = io::copy(&mut body.by_ref().take(length), &mut io::sink());
            if !matches!(read, Ok(n) if n == length) {
                conn.keep_alive = false;
            }
        }
    }
    Some(Request {
        method,
        url,
        headers,
        conn,
    })
}

/// Answers a request that could not be read.
fn bad_request(conn: &mut Conn, status: u16) -> io::Result<()> {
    let text = format!("{} {}\n", status, reason(status));
    Request {
        method: Method::Get,
        url: String::new(),
        headers: Vec::new(),
        conn,
    }
    .respond(
        Response::from_string(text)
            .with_status_code(status)
            .with_header("Content-Type", "text/plain; charset=utf-8"),
    )
}
