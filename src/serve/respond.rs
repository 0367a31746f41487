//! Answering a request: the site's files (GET and HEAD), a page with the live-reload client
//! injected, byte ranges, copied files streamed from their source, and the server's own paths
//! (`/__pmarchive/status`, `/__pmarchive/events`).

use std::sync::Arc;

use super::events::events;
use super::generation::{Generation, Reply};
use super::http::{Method, Request, Response};
use super::Shared;

/// Answers one request.
pub(super) fn handle(request: Request<'_>, shared: &Shared) {
    let raw = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    let path = percent_decode(raw.trim_start_matches('/'));
    let method = request.method();
    if method == Method::Other {
        let _ = request.respond(
            Response::from_string("only GET and HEAD are allowed: the site is read-only\n")
                .with_status_code(405)
                .with_header("Allow", "GET, HEAD")
                .with_header("Content-Type", "text/plain; charset=utf-8"),
        );
        return;
    }
    if path == "__pmarchive/events" {
        events(request, shared, method);
        return;
    }
    let (site, error) = {
        let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
        if path == "__pmarchive/status" {
            let body = serde_json::json!({ "generation": state.generation, "error": state.error });
            let _ = request.respond(
                Response::from_string(body.to_string())
                    .with_header("Content-Type", "application/json"),
            );
            return;
        }
        (state.site.clone(), state.error.clone())
    };
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    let reply = match &site {
        Some(site) => site.get(&key),
        None => Reply::NotFound(Arc::new(Vec::new())),
    };
    let (status, type_of, bytes) = match reply {
        Reply::Folder => {
            let _ =
                request.respond(Response::empty(301).with_header("Location", &format!("/{path}/")));
            return;
        }
        Reply::Copy(from) => {
            drop(site);
            respond_copy(request, &key, &from);
            return;
        }
        Reply::Found(bytes) => (200, key.as_str(), bytes),
        Reply::NotFound(bytes) if bytes.is_empty() => (
            404,
            "404.html",
            Arc::new(b"<!doctype html><title>Not found</title><h1>Not found</h1></body>".to_vec()),
        ),
        Reply::NotFound(bytes) => (404, "404.html", bytes),
        Reply::Failed(text) => {
            let page = format!(
                "<!doctype html><title>Rendering failed</title><h1>Rendering failed</h1><pre>{}</pre></body>",
                crate::render::theme::escape(&text)
            );
            (500, "500.html", Arc::new(page.into_bytes()))
        }
    };
    respond_file(request, site, error.as_deref(), (status, type_of, &bytes));
}

/// A rendered file (`status`, the name its type is read from, its bytes): a page with the
/// reload client, the build's error and the page's warnings injected; another file whole or,
/// when asked, a byte range of it.
fn respond_file(
    request: Request<'_>,
    site: Option<Arc<Generation>>,
    error: Option<&str>,
    (status, type_of, bytes): (u16, &str, &[u8]),
) {
    if status == 200 && !type_of.ends_with(".html") {
        // The search client reads a result's passages by byte range, as from a static host.
        let range = request.header("Range").map(str::to_string);
        if let Some(range) = range {
            drop(site);
            let _ = request.respond(ranged(bytes, &range, content_type(type_of).as_ref()));
            return;
        }
    }
    let body: Vec<u8> = if type_of.ends_with(".html") {
        let warnings = site
            .as_ref()
            .and_then(|s| s.warnings.get(type_of))
            .map(String::as_str);
        inject(bytes, error, warnings)
    } else {
        bytes.to_vec()
    };
    drop(site);
    let response = Response::from_data(body)
        .with_status_code(status)
        .with_header("Content-Type", &content_type(type_of))
        .with_header("Cache-Control", "no-store");
    let _ = request.respond(response);
}

/// A copied file (a postmortem's image...), streamed from its source.
fn respond_copy(request: Request<'_>, key: &str, from: &std::path::Path) {
    let response = match crate::output::open_copy_source(from) {
        Ok(file) => match Response::from_file(file) {
            Ok(r) => r
                .with_header("Content-Type", &content_type(key))
                .with_header("Cache-Control", "no-store"),
            Err(_) => gone(),
        },
        Err(_) => gone(),
    };
    let _ = request.respond(response);
}

/// The answer for a copied file that cannot be read any more.
fn gone() -> Response {
    Response::from_string("the file is gone; it will be dropped at the next rebuild\n")
        .with_status_code(404)
        .with_header("Content-Type", "text/plain; charset=utf-8")
}

/// The answer to a request for `bytes` with a `Range` header: the one range asked for (206), or
/// 416 when it lies outside the file; a header naming several ranges, or that cannot be read, is
/// answered with the whole file (200), as the HTTP specification allows.
fn ranged(bytes: &[u8], range: &str, type_of: &str) -> Response {
    let len = bytes.len() as u64;
    let whole = || {
        Response::from_data(bytes.to_vec())
            .with_header("Content-Type", type_of)
            .with_header("Accept-Ranges", "bytes")
            .with_header("Cache-Control", "no-store")
    };
    let Ok(parsed) = http_range_header::parse_range_header(range) else {
        return whole();
    };
    match parsed.validate(len).as_deref() {
        Ok([one]) => {
            let (from, to) = (*one.start(), *one.end());
            let part = &bytes[from as usize..=to as usize];
            Response::from_data(part.to_vec())
                .with_status_code(206)
                .with_header("Content-Type", type_of)
                .with_header("Content-Range", &format!("bytes {from}-{to}/{len}"))
                .with_header("Cache-Control", "no-store")
        }
        Ok(_) => whole(),
        Err(_) => Response::empty(416).with_header("Content-Range", &format!("bytes */{len}")),
    }
}

/// The `Content-Type` of a served file, by its extension as `mime_guess` knows it (text with its
/// charset), but `.xml` (the Atom feeds) as Atom and `.mjs` as JavaScript; an unknown extension
/// as bytes.
fn content_type(path: &str) -> std::borrow::Cow<'static, str> {
    let ext = match path.rsplit_once('.') {
        Some((_, ext)) if !ext.contains('/') => ext,
        _ => "",
    };
    match ext {
        "xml" => "application/atom+xml; charset=utf-8".into(),
        "mjs" => "text/javascript; charset=utf-8".into(),
        // Log excerpts kept beside postmortems.
        "log" => "text/plain; charset=utf-8".into(),
        _ => match mime_guess::from_ext(ext).first() {
            Some(m) if m.type_() == mime_guess::mime::TEXT => format!("{m}; charset=utf-8").into(),
            Some(m) => m.to_string().into(),
            None => "application/octet-stream".into(),
        },
    }
}

/// The live-reload client, injected into every HTML page served (never into built files).
const RELOAD_JS: &str = include_str!("reload.js");

fn inject(html: &[u8], error: Option<&str>, warnings: Option<&str>) -> Vec<u8> {
    let json = |v: Option<&str>| {
        serde_json::to_string(&v)
            .unwrap_or_else(|_| "null".into())
            .replace('<', "\\u003c")
    };
    let script = format!(
        "<script>window.__pmarchiveError = {};\nwindow.__pmarchiveWarnings = {};\n{}</script>",
        json(error),
        json(warnings),
        RELOAD_JS
    );
    let text = String::from_utf8_lossy(html);
    let out = match text.rfind("</body>") {
        Some(i) => format!("{}{}{}", &text[..i], script, &text[i..]),
        None => format!("{text}{script}"),
    };
    out.into_bytes()
}

/// A request path with its `%XX` escapes decoded (invalid ones kept as typed, bytes that are not
/// UTF-8 replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_the_reload_client_and_escapes_the_error() {
        let out = String::from_utf8(inject(
            b"<html><body>x</body></html>",
            Some("a.md:1:1: </script><b>"),
            Some("w"),
        ))
        .unwrap();
        assert!(out.contains("EventSource"));
        assert!(!out.contains("</script><b>"));
        assert!(out.ends_with("</body></html>"));
        assert_eq!(percent_decode("a%20b/%C3%A9"), "a b/é");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(percent_decode("%aé%é%"), "%aé%é%");
    }

    #[test]
    fn types_served_files_by_extension() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("static/site.css", "text/css; charset=utf-8"),
            ("search/pmsearch.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("api/postmortems.json", "application/json"),
            ("atom.xml", "application/atom+xml; charset=utf-8"),
            ("search/p0.gz", "application/gzip"),
            ("a.png", "image/png"),
            ("a.svg", "image/svg+xml"),
            ("a.jpg", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("a.woff2", "font/woff2"),
            ("favicon.ico", "image/x-icon"),
            ("a.pdf", "application/pdf"),
            ("a.unknownext", "application/octet-stream"),
            ("a.d/noext", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }
}
