//! `pmarchive serve`: a real edit-and-reload cycle over HTTP: edits (atomic rename-over), a
//! broken file (last good site kept, error reported), its fix, a deletion (404), a new folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Site;

pub(crate) struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start(site: &Site, extra: &[&str]) -> Server {
    start_with(site, extra, Stdio::null())
}

/// [`start`] with the server's standard error going to `stderr` (a log file to read).
pub(crate) fn start_with(site: &Site, extra: &[&str], stderr: Stdio) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pmarchive"))
        .args([
            "serve",
            "--root",
            site.root().to_str().unwrap(),
            "--port",
            "0",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .rsplit("127.0.0.1:")
        .next()
        .and_then(|s| s.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, port }
}

/// GET a path: (status, body as text).
pub(crate) fn get(port: u16, path: &str) -> (u16, String) {
    let (status, body) = get_bytes(port, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out waiting for: {what}");
}

/// Writes like an editor doing an atomic save: a temporary file renamed over the target.
fn atomic_write(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("md.tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn edit_break_fix_delete_and_create_while_serving() {
    let site = Site::example();
    let server = start(&site, &[]);
    let port = server.port;
    let id = "2025-02-03-checkout-errors-after-fraud-check-deploy";
    let page = format!("/postmortems/{id}/");
    let (status, body) = get(port, &page);
    assert_eq!(status, 200);
    assert!(
        body.contains("EventSource"),
        "the reload client is injected"
    );
    assert!(
        !body.contains("KUMQUAT"),
        "drafts are hidden without --drafts"
    );

    // Listen for reload events.
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        events,
        "GET /__pmarchive/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();

    // Edit: atomic rename-over.
    let file = site.root().join(format!("content/2025/{id}.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    atomic_write(
        &file,
        &text.replace(
            "title = \"Checkout errors after fraud-check deploy\"",
            "title = \"Edited while serving\"",
        ),
    );
    wait_for("the edited title", || {
        get(port, &page).1.contains("Edited while serving")
    });
    let mut seen = String::new();
    let mut buf = [0u8; 512];
    while !seen.contains("data: reload") {
        let n = events.read(&mut buf).expect("a reload event");
        assert!(n > 0, "event stream closed");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }

    // Break the build: the last good site stays, the error is reported and injected.
    site.write(
        "content/2025/broken.md",
        "+++\ntitle = \"Broken\"\ndate = \"not a date\"\n+++\n",
    );
    wait_for("the error", || {
        get(port, "/__pmarchive/status").1.contains("broken.md:3:8")
    });
    let (status, body) = get(port, &page);
    assert_eq!(status, 200);
    assert!(
        body.contains("Edited while serving"),
        "the last good page is still served"
    );
    assert!(
        body.contains("broken.md:3:8"),
        "the error reaches the page as an overlay"
    );
    // As `check` prints it: the source line, and carets under the bad value.
    let overlay = &body[body.find("window.__pmarchiveError = ").unwrap()..];
    let overlay = &overlay[..overlay.find('\n').unwrap()];
    assert!(
        overlay.contains("date = \\\"not a date\\\"") && overlay.contains("^^^"),
        "{overlay}"
    );
    // Its own colours in both schemes, not the site's code background.
    assert!(body.contains("#pmarchive-error pre { all: unset;"));

    // Fix it: the error clears.
    std::fs::remove_file(site.root().join("content/2025/broken.md")).unwrap();
    wait_for("the error to clear", || {
        get(port, "/__pmarchive/status")
            .1
            .contains("\"error\":null")
    });

    // Delete a postmortem: its URL answers 404. Create one in a new folder: it appears.
    std::fs::remove_file(&file).unwrap();
    wait_for("the deleted page to 404", || get(port, &page).0 == 404);
    site.write(
        "content/2026/2026-01-05-new-incident.md",
        "+++\ntitle = \"A brand new incident\"\ndate = 2026-01-05T10:00:00Z\nseverity = \"SEV4\"\nsummary = \"New.\"\nservices = [\"search\"]\n+++\n\n## Summary\n\nNew.\n",
    );
    wait_for("the new page", || {
        get(port, "/postmortems/2026-01-05-new-incident/").0 == 200
    });
    // Search data is served too.
    assert_eq!(get(port, "/search/manifest.gz").0, 200);
    assert_eq!(get(port, "/search/pmsearch.js").0, 200);
}

#[test]
fn drafts_are_served_only_with_the_flag_and_marked() {
    let site = Site::example();
    let server = start(&site, &["--drafts"]);
    let (status, body) = get(
        server.port,
        "/postmortems/2025-11-20-kumquat-cache-stampede/",
    );
    assert_eq!(status, 200);
    assert!(body.to_lowercase().contains("draft"));
    assert_eq!(
        get(
            server.port,
            "/postmortems/2025-08-01-zebrafish-leaked-deploy-token/"
        )
        .0,
        404
    );
}

/// GET a path: (status, raw body bytes).
pub(crate) fn get_bytes(port: u16, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = request(port, path, "");
    (status, body)
}

/// A GET of `path` with the `extra` header lines (each ending in CRLF): status, head, body.
pub(crate) fn request(port: u16, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let mut body = &out[end + 4..];
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, head, body.to_vec());
    }
    // Chunked (tiny_http's choice for large bodies): size line, data, CRLF, until size 0.
    let mut data = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&body[..line_end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .expect("a hexadecimal chunk size");
        body = &body[line_end + 2..];
        if size == 0 {
            return (status, head, data);
        }
        data.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// Takes out the live-reload client serve injects into HTML pages.
pub(crate) fn without_reload_client(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    match text.find("<script>window.__pmarchiveError") {
        Some(start) => {
            let end = start
                + text[start..]
                    .find("</script>")
                    .expect("the end of the client")
                + 9;
            format!("{}{}", &text[..start], &text[end..]).into_bytes()
        }
        None => body.to_vec(),
    }
}

#[test]
fn served_site_after_an_edit_is_the_built_site() {
    // Pages are rendered when asked for after an edit: every file must still be the one
    // `build` writes for the same sources, byte for byte (the reload client aside).
    let site = Site::example();
    let server = start(&site, &[]);
    let port = server.port;
    let id = "2025-02-03-checkout-errors-after-fraud-check-deploy";
    let file = site.root().join(format!("content/2025/{id}.md"));
    let text = std::fs::read_to_string(&file).unwrap();
    atomic_write(
        &file,
        &text.replace(
            "title = \"Checkout errors after fraud-check deploy\"",
            "title = \"Fraud-check deploy broke checkout\"",
        ),
    );
    wait_for("the edit to be served", || {
        get(port, "/postmortems/")
            .1
            .contains("Fraud-check deploy broke checkout")
    });
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("site");
    let root = site.root().to_str().unwrap().to_string();
    let built = crate::harness::pmarchive(&[
        "build",
        "--root",
        &root,
        "--output",
        dest.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let built = crate::harness::Built::read(&dest);
    assert!(built.files.len() > 100, "{} files", built.files.len());
    let mut differ = Vec::new();
    for (path, bytes) in &built.files {
        if path == ".pmarchive-output" {
            continue; // the writer's mark on its output folder, not part of the site
        }
        let (status, body) = get_bytes(port, &format!("/{path}"));
        let body = if path.ends_with(".html") {
            without_reload_client(&body)
        } else {
            body
        };
        if status != 200 || &body != bytes {
            differ.push(format!("{path} ({status})"));
        }
    }
    assert!(differ.is_empty(), "served differently: {differ:?}");
}

#[test]
fn a_theme_change_is_served_and_a_broken_template_keeps_the_last_good_site() {
    let site = Site::example();
    let server = start(&site, &[]);
    let port = server.port;
    let page = "/postmortems/";
    assert_eq!(get(port, page).0, 200);

    // A template that does not parse: the last good site stays, the error is shown.
    site.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{% if %}{% endblock content %}",
    );
    wait_for("the template error", || {
        get(port, "/__pmarchive/status").1.contains("404.html")
    });
    let (status, body) = get(port, page);
    assert_eq!(status, 200, "the last good site is still served");
    assert!(
        body.contains("404.html"),
        "the error reaches the page as an overlay"
    );

    // A template that renders: every page is rendered again with it, the error clears.
    site.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>Lost in the archive</p>{% endblock content %}",
    );
    wait_for("the new template", || {
        get(port, "/no/such/page/")
            .1
            .contains("Lost in the archive")
    });
    assert!(get(port, "/__pmarchive/status")
        .1
        .contains("\"error\":null"));
    assert_eq!(get(port, "/no/such/page/").0, 404);
}

/// A valid public postmortem.
pub(crate) const GOOD: &str = "+++\ntitle = \"Good\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"Fine.\"\nservices = [\"web\"]\n+++\n\n## Summary\n\nFine.\n";

#[test]
fn r25_serve_shows_no_error_of_a_postmortem_its_audience_may_not_read() {
    // Finding 7: the errors of a restricted postmortem, or of a draft when drafts are not
    // served, reach every page (overlay, status, event stream) without its path or content,
    // while a public postmortem's error is still shown where it is.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let restricted = "+++\ntitle = \"Quokka7f3a secret title\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nvisibility = \"restricted\"\nsummary = \"Quokka7f3a summary.\"\nservices = [\"web\"]\n+++\n\n## Summary\n\nQuokka7f3a body.\n";
    let draft = GOOD
        .replace(
            "title = \"Good\"",
            "title = \"Wombat91c2 draft\"\nstatus = \"draft\"",
        )
        .replace("Fine.\n", "Wombat91c2 body.\n");
    site.write("content/quokka7f3a.md", restricted);
    site.write("content/wombat91c2.md", &draft);
    let server = start(&site, &[]);
    let port = server.port;
    assert_eq!(get(port, "/postmortems/pub/").0, 200);
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        events,
        "GET /__pmarchive/events HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();

    // Each phase writes a hidden file, then breaks the public `marker.md` at a line of its own:
    // once the status shows that line, the rebuild read the hidden file's new text too.
    let phase = |n: usize, rel: &str, text: &str, hidden: &str| -> String {
        atomic_write(&site.root().join(rel), text);
        let marker = GOOD.replacen("+++\n", &format!("+++\n{}", "# phase\n".repeat(n)), 1);
        atomic_write(
            &site.root().join("content/marker.md"),
            &marker.replace("date = 2025-01-02T10:00:00Z", "date = \"not a date\""),
        );
        let located = format!("content/marker.md:{}:8", 3 + n);
        let mut status = String::new();
        wait_for(&located, || {
            status = get(port, "/__pmarchive/status").1;
            status.contains(&located)
        });
        assert!(status.contains(hidden), "phase {n}: {status}");
        let (code, page) = get(port, "/postmortems/pub/");
        assert_eq!(code, 200, "the last good page is still served");
        assert!(
            page.contains(&located),
            "the overlay shows the public error"
        );
        assert!(page.contains(hidden), "and the count of the others");
        let mut seen = Vec::new();
        for path in [
            "/",
            "/postmortems/",
            "/postmortems/pub/",
            "/no/such/page/",
            "/__pmarchive/status",
        ] {
            let lower = get(port, path).1.to_lowercase();
            for canary in ["quokka7f3a", "wombat91c2"] {
                if lower.contains(canary) {
                    seen.push(format!("{path} shows {canary}"));
                }
            }
        }
        assert!(seen.is_empty(), "phase {n}: {seen:?}");
        status
    };

    // A schema error whose message quotes the value, the front matter readable.
    phase(
        1,
        "content/quokka7f3a.md",
        &restricted.replace("severity = \"SEV3\"", "severity = \"Quokka7f3a-sev\""),
        "a postmortem you may not view here has an error (1 problem)",
    );
    // The event stream carried the redacted errors too.
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("content/marker.md:4:8") || !seen.ends_with("\n\n") {
        let n = events.read(&mut buf).expect("an error event");
        assert!(n > 0, "event stream closed");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.contains("may not view here"), "{seen}");
    assert!(!seen.to_lowercase().contains("quokka7f3a"), "{seen}");
    drop(events);

    // Front matter that does not parse (the parser quotes the line): the visibility is known
    // only from the raw text.
    phase(
        2,
        "content/quokka7f3a.md",
        &restricted.replace("secret title\"", "secret title"),
        "a postmortem you may not view here has an error (1 problem)",
    );
    // A draft broken the same way, drafts not served.
    phase(
        3,
        "content/wombat91c2.md",
        &draft.replace("draft\"\n", "draft\n"),
        "2 postmortems you may not view here have errors (2 problems)",
    );
    // A misspelt status reads as published, but the author meant a draft: not shown.
    phase(
        4,
        "content/wombat91c2.md",
        &draft.replace("status = \"draft\"", "status = \"drfat\""),
        "2 postmortems you may not view here have errors (2 problems)",
    );
    // A public error naming a restricted postmortem (a duplicate of its id): location only.
    atomic_write(&site.root().join("content/wombat91c2.md"), &draft);
    atomic_write(&site.root().join("content/quokka7f3a.md"), restricted);
    let status = phase(
        5,
        "content/zz-public.md",
        &GOOD.replace("+++\ntitle", "+++\nid = \"quokka7f3a\"\ntitle"),
        "content/zz-public.md:1:1: error[schema/duplicate-id]: details withheld",
    );
    assert!(!status.contains("you may not view here have"), "{status}");
}

#[test]
fn serve_reads_and_watches_a_configuration_outside_the_root() {
    // `--config X` was read once: the watcher looked for ROOT/pmarchive.toml only.
    let site = Site::empty();
    site.write("content/pub.md", GOOD);
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("archive.toml");
    std::fs::write(&config, "title = \"Wombat9 archive\"\n").unwrap();
    let server = start(&site, &["--config", config.to_str().unwrap()]);
    let port = server.port;
    let (status, home) = get(port, "/");
    assert_eq!(status, 200);
    assert!(home.contains("Wombat9 archive"), "{home}");
    // An editor's save: a temporary file renamed over it.
    let tmp = elsewhere.path().join("archive.toml.tmp~");
    std::fs::write(&tmp, "title = \"Numbat4 archive\"\n").unwrap();
    std::fs::rename(&tmp, &config).unwrap();
    wait_for("the new title", || {
        get(port, "/").1.contains("Numbat4 archive")
    });
    // A broken configuration is reported, the last good site kept.
    std::fs::write(&config, "title = [\n").unwrap();
    wait_for("the configuration error", || {
        get(port, "/__pmarchive/status").1.contains("archive.toml")
    });
    assert!(get(port, "/").1.contains("Numbat4 archive"));
}
