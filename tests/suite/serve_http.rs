//! `pmarchive serve` as an HTTP server: which methods it answers, its bounded event streams,
//! content types, byte ranges, keep-alive and idle connections, and what it does with
//! oversized, malformed and trickling requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::harness::Site;
use crate::serve::{get, get_bytes, request, start, GOOD};

/// Sends `raw` on a new connection and reads until the server closes it.
fn exchange(port: u16, raw: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn r25_serve_answers_only_get_and_head() {
    // Finding 10 (c): other methods got 200 and the page.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let server = start(&site, &[]);
    let port = server.port;
    for method in ["POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS", "FOO"] {
        for path in [
            "/",
            "/postmortems/pub/",
            "/__pmarchive/events",
            "/__pmarchive/status",
        ] {
            let out = exchange(
                port,
                &format!("{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"),
            );
            let lower = out.to_lowercase();
            assert!(out.starts_with("HTTP/1.1 405 "), "{method} {path}: {out}");
            assert!(
                lower.contains("\r\nallow: get, head\r\n"),
                "{method} {path}: {out}"
            );
            assert!(!lower.contains("<html"), "{method} {path}: {out}");
        }
    }
    // HEAD: the head of the page, no body.
    let out = exchange(
        port,
        "HEAD /postmortems/pub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(
        out.to_lowercase().contains("content-type: text/html"),
        "{out}"
    );
    assert!(out.ends_with("\r\n\r\n"), "no body after the head: {out}");
    let out = exchange(
        port,
        "HEAD /__pmarchive/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
    assert!(out.ends_with("\r\n\r\n"), "no stream: {out}");
    // A refused request with a body leaves the connection usable.
    let out = exchange(
        port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /postmortems/pub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let second = out
        .find("HTTP/1.1 200 ")
        .expect("the GET after the POST answered");
    assert!(
        out.starts_with("HTTP/1.1 405 ") && out[second..].contains("Good"),
        "{out}"
    );
}

/// Opens an event stream: its connection and status code.
fn open_events(port: u16) -> (TcpStream, u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET /__pmarchive/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).expect("a response head");
        assert!(
            n > 0,
            "closed before the head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (s, status, head)
}

#[test]
fn r25_serve_bounds_the_event_streams_and_frees_them() {
    // Finding 10 (b): 5,000 event streams made 9,865 threads. At most 256 are open at once;
    // another gets 503 with Retry-After; streams whose page went away are given back.
    const BOUND: usize = 256;
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let server = start(&site, &[]);
    let port = server.port;
    let mut open = Vec::new();
    for i in 0..BOUND {
        let (s, status, head) = open_events(port);
        assert_eq!(status, 200, "stream {i}: {head}");
        open.push(s);
    }
    for _ in 0..8 {
        let (_s, status, head) = open_events(port);
        assert_eq!(status, 503, "{head}");
        assert!(head.to_lowercase().contains("\r\nretry-after: "), "{head}");
    }
    // Pages are still served.
    assert_eq!(get(port, "/postmortems/pub/").0, 200);
    // The pages go away: their streams are found closed and given back, and as many new
    // ones are accepted again, but no more.
    drop(open);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut again = Vec::new();
    while again.len() < BOUND {
        assert!(
            Instant::now() < deadline,
            "only {} streams accepted again",
            again.len()
        );
        let (s, status, _) = open_events(port);
        match status {
            200 => again.push(s),
            503 => std::thread::sleep(Duration::from_millis(100)),
            other => panic!("status {other}"),
        }
    }
    assert_eq!(open_events(port).1, 503, "the bound holds after the churn");
}

#[test]
fn serves_a_theme_s_images_fonts_and_documents_with_their_types() {
    // The dev server typed everything but nine extensions as application/octet-stream.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let files = [
        ("photo.jpg", "image/jpeg"),
        ("photo.webp", "image/webp"),
        ("font.woff2", "font/woff2"),
        ("favicon.ico", "image/x-icon"),
        ("logo.svg", "image/svg+xml"),
        ("guide.pdf", "application/pdf"),
        ("notes.weird-ext", "application/octet-stream"),
    ];
    for (name, _) in files {
        site.write(&format!("theme/static/{name}"), name);
    }
    let server = start(&site, &[]);
    for (name, expected) in files {
        let reply = exchange(
            server.port,
            &format!("GET /static/{name} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        );
        let head = reply.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{name}: {head}");
        assert!(
            head.contains(&format!("\r\ncontent-type: {expected}\r\n")),
            "{name}: {head}"
        );
        assert!(reply.ends_with(name), "{name}: the file itself is served");
    }
    let head = exchange(
        server.port,
        "GET /atom.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .to_ascii_lowercase();
    assert!(
        head.contains("\r\ncontent-type: application/atom+xml; charset=utf-8\r\n"),
        "{head}"
    );
}

/// A GET with a `Range` header: status, `Content-Range` (if any) and body.
fn get_range(port: u16, path: &str, range: &str) -> (u16, Option<String>, Vec<u8>) {
    let (status, head, body) = request(port, path, &format!("Range: {range}\r\n"));
    let content_range = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Range: ").map(str::to_string));
    (status, content_range, body)
}

#[test]
fn serve_answers_byte_ranges_as_a_static_host_does() {
    // The search client reads each result's passages by byte range.
    let site = Site::example();
    let server = start(&site, &[]);
    let port = server.port;
    let (status, whole) = get_bytes(port, "/search/passages.bin");
    assert_eq!(status, 200);
    let len = whole.len();
    assert!(len > 100, "{len} bytes");
    let (status, range, body) = get_range(port, "/search/passages.bin", "bytes=10-49");
    assert_eq!(status, 206);
    assert_eq!(
        range.as_deref(),
        Some(format!("bytes 10-49/{len}").as_str())
    );
    assert_eq!(body, &whole[10..50]);
    let (status, _, body) = get_range(port, "/search/passages.bin", "bytes=-20");
    assert_eq!(status, 206);
    assert_eq!(body, &whole[len - 20..]);
    let (status, range, _) =
        get_range(port, "/search/passages.bin", &format!("bytes={}-", len + 5));
    assert_eq!(status, 416);
    assert_eq!(range.as_deref(), Some(format!("bytes */{len}").as_str()));
    // Several ranges, or a header that cannot be read: the whole file.
    for header in ["bytes=0-1, 5-9", "pages=1-2"] {
        let (status, _, body) = get_range(port, "/search/passages.bin", header);
        assert_eq!((status, body.len()), (200, len), "{header}");
    }
}

/// A GET on an open connection that stays open (keep-alive): the status, once the whole body
/// (by its Content-Length) has arrived.
fn get_keep_alive(s: &mut TcpStream, path: &str) -> u16 {
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before the response");
        out.extend_from_slice(&buf[..n]);
        let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&out[..end]).to_ascii_lowercase();
        let length: usize = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.trim().parse().ok())
            .expect("a Content-Length");
        if out.len() >= end + 4 + length {
            return head
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
        }
    }
}

#[test]
fn serve_closes_idle_connections_and_answers_new_ones_while_others_stay_open() {
    // A browser keeps a page's connections open and opens several at once for its scripts and
    // styles. tiny_http's pool could queue a connection accepted while another was waking a
    // pool thread, until some other connection closed: a page's module script then waited
    // until the navigation timed out (seen in Chromium under load). Every connection now has
    // its own thread, and idle ones are closed by the server.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let server = start(&site, &[]);
    let port = server.port;
    let mut idle: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            assert_eq!(get_keep_alive(&mut s, "/postmortems/pub/"), 200);
            s
        })
        .collect();
    // New connections, opened together while those stay open, are all answered (a read that
    // waits a minute fails the test).
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(12));
    let answered: Vec<std::thread::JoinHandle<u16>> = (0..12)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                let path = if i % 2 == 0 { "/static/style.css" } else { "/" };
                get_keep_alive(&mut s, path)
            })
        })
        .collect();
    for t in answered {
        assert_eq!(t.join().unwrap(), 200);
    }
    // The idle ones are closed by the server (a read ends), not kept until the client goes.
    for s in &mut idle {
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => panic!("unexpected bytes on an idle connection: {n}"),
            Err(e) => assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "an idle connection stayed open for 30 s: {e}"
            ),
        }
    }
}

#[test]
fn serve_refuses_oversized_and_malformed_requests_and_closes_them() {
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let server = start(&site, &[]);
    let port = server.port;
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let out = exchange(port, &huge);
    assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
    assert!(
        out.to_lowercase().contains("\r\nconnection: close\r\n"),
        "{out}"
    );
    let out = exchange(port, "NOT A REQUEST\r\n\r\n");
    assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
    // HTTP/1.0 without keep-alive: answered, then closed.
    let out = exchange(port, "GET /postmortems/pub/ HTTP/1.0\r\n\r\n");
    assert!(
        out.starts_with("HTTP/1.1 200 ") && out.contains("Good"),
        "{out}"
    );
}

#[test]
fn serve_closes_connections_whose_head_or_body_trickles_in() {
    // A head whose bytes keep coming, a header line every second (never idle for the 5 s the
    // server allows a pause), is cut off 10 s after its first byte, and so is the body of a
    // refused request (a POST, answered 405 once its body is read and dropped): one such client
    // cannot hold a thread for as long as it likes. A request sent at once is answered meanwhile.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let server = start(&site, &[]);
    let port = server.port;
    let open = |first: &str| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        s.write_all(first.as_bytes()).unwrap();
        s
    };
    let started = Instant::now();
    let mut slow = [
        open("GET / HTTP/1.1\r\nHost: x\r\n"),
        open("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"),
    ];
    let mut got = [Vec::new(), Vec::new()];
    let mut closed_after = [None, None];
    for i in 0..30 {
        std::thread::sleep(Duration::from_millis(950));
        for (k, s) in slow.iter_mut().enumerate() {
            if closed_after[k].is_some() {
                continue;
            }
            let more = if k == 0 {
                format!("X-Slow-{i}: a\r\n")
            } else {
                "a".into()
            };
            if s.write_all(more.as_bytes()).is_err() {
                closed_after[k] = Some(started.elapsed());
                continue;
            }
            let mut buf = [0u8; 512];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => closed_after[k] = Some(started.elapsed()),
                    Ok(n) => {
                        got[k].extend_from_slice(&buf[..n]);
                        continue;
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => closed_after[k] = Some(started.elapsed()),
                }
                break;
            }
        }
        if i == 3 {
            let out = exchange(port, "GET /postmortems/pub/ HTTP/1.0\r\n\r\n");
            assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
        }
        if closed_after.iter().all(Option::is_some) {
            break;
        }
    }
    for (k, what) in ["the trickling head's", "the trickling body's"]
        .iter()
        .enumerate()
    {
        let after = closed_after[k].unwrap_or_else(|| panic!("{what} connection was never closed"));
        assert!(
            after >= Duration::from_secs(9) && after < Duration::from_secs(16),
            "{what} connection closed after {after:?}"
        );
    }
    assert!(got[0].is_empty(), "answered a head that never ended");
    let answer = String::from_utf8_lossy(&got[1]);
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
}
