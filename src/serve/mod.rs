//! `serve`: build into memory, serve over HTTP, watch the sources, rebuild on change and reload
//! the open pages (server-sent events). A failed rebuild keeps the last good site and shows the
//! error as an overlay on the open pages until a later build succeeds.
//!
//! Rebuilds reuse parsed documents whose text did not change ([`Caches`]), so an edit to
//! one postmortem re-parses and re-highlights only that file, and the theme; pages are rendered
//! when a browser asks for them ([`generation`]). The reload is sent only after the new site has
//! replaced the old one.

pub(crate) mod generation;
mod http;
pub(crate) mod redact;
pub(crate) mod watch;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::build::BuildOptions;
use crate::build::Caches;
use crate::content::Highlighter;
use crate::error::{Diagnostic, Error, Result};
use crate::render::theme::Theme;
use generation::{Assets, Generation, Reply};
use http::{Method, Request, Response};
use watch::{classify, Change, Layout};

/// The site as served: the last good generation, and the error of the last failed build.
#[derive(Default)]
pub(crate) struct SiteState {
    site: Option<Arc<Generation>>,
    error: Option<String>,
    generation: u64,
}

/// Everything the server threads share.
pub(crate) struct Shared {
    state: RwLock<SiteState>,
    clients: Mutex<Vec<Sender<String>>>,
    /// Event streams open now.
    streams: AtomicUsize,
}

/// At most this many event streams (pages open on the site) at once, a thread each; another
/// is answered 503 with `Retry-After`, and the page's client tries again later.
pub(crate) const MAX_EVENT_STREAMS: usize = 256;

/// How long the page's client waits before trying again after a 503, in seconds.
const RETRY_AFTER_SECONDS: u64 = 2;

/// The stack of each thread `serve` starts for a request or an event stream: they only pass
/// messages and copy bytes (pages are rendered by the site's thread), and a small stack is
/// what thousands of them cost.
const THREAD_STACK: usize = 128 * 1024;

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
    fn broadcast(&self, message: &str) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.send(message.to_string()).is_ok());
        }
    }
}

/// How `serve` runs.
pub(crate) struct ServeOptions {
    /// The configuration file the site reads (`--config`, else `ROOT/pmarchive.toml`), watched
    /// wherever it is.
    pub config: std::path::PathBuf,
    /// Re-resolves the build options (after a configuration change).
    pub resolve: Box<dyn Fn() -> Result<BuildOptions> + Send>,
    /// Address to bind.
    pub bind: String,
    /// Port (0: any free port).
    pub port: u16,
    /// Open the site in a browser.
    pub open: bool,
    /// Print each rebuild's phases.
    pub verbose: bool,
}

/// A one-line description of a build error, for the overlay.
pub(crate) fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(diags) => diags
            .iter()
            .filter(|d| d.is_error())
            .map(Diagnostic::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn load_theme(opts: &BuildOptions) -> Result<Arc<Theme>> {
    Ok(Arc::new(Theme::of_site(&opts.root)?))
}

/// Reports a failed build: in full on the terminal, and to the pages as far as their audience
/// may read it ([`redact`]).
fn report_error(shared: &Shared, heading: &str, e: &Error, opts: &BuildOptions, assets: &Assets) {
    eprintln!("{heading}:\n{}", describe(e));
    let text = redact::overlay(e, &assets.cache.screen(), opts);
    {
        let mut state = shared.state.write().unwrap_or_else(|e| e.into_inner());
        state.error = Some(text.clone());
        state.generation += 1;
    }
    let json = serde_json::to_string(&text).unwrap_or_default();
    shared.broadcast(&format!("error:{json}"));
}

/// Rebuilds the site; `eager` renders every page before serving it (theme and configuration
/// changes, whose template errors must keep the last good site).
fn rebuild(
    opts: &BuildOptions,
    assets: &Assets,
    shared: &Shared,
    eager: bool,
    verbose: bool,
) -> Duration {
    let started = Instant::now();
    let result = generation::start(opts.clone(), assets.clone(), eager);
    let elapsed = started.elapsed();
    match result {
        Ok((site, report)) => {
            {
                let mut state = shared.state.write().unwrap_or_else(|e| e.into_inner());
                state.site = Some(Arc::new(site));
                state.error = None;
                state.generation += 1;
            }
            let warnings = report.warnings.len();
            eprintln!(
                "rebuilt {} postmortems in {:.0} ms{}",
                report.published,
                elapsed.as_secs_f64() * 1000.0,
                if warnings > 0 {
                    format!(" ({warnings} warnings: run `pmarchive check`)")
                } else {
                    String::new()
                }
            );
            if verbose {
                let phases: Vec<String> = report
                    .phases
                    .iter()
                    .map(|(name, d)| format!("{name} {:.1}", d.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!("  phases (ms): {}", phases.join(", "));
                if let Some(e) = report.embedded {
                    eprintln!(
                        "  embedded {} postmortems ({} from the cache)",
                        e.embedded, e.cached
                    );
                }
            }
            shared.broadcast("reload");
        }
        Err(e) => report_error(
            shared,
            "build failed (serving the last good site)",
            &e,
            opts,
            assets,
        ),
    }
    elapsed
}

/// Runs the server until the process is stopped.
pub(crate) fn serve(opts: ServeOptions) -> Result<()> {
    let mut build = (opts.resolve)()?;
    let mut assets = Assets {
        theme: load_theme(&build)?,
        highlighter: Arc::new(Highlighter::new()),
        cache: Arc::new(Caches::default()),
    };
    let shared = Arc::new(Shared {
        state: RwLock::new(SiteState::default()),
        clients: Mutex::new(Vec::new()),
        streams: AtomicUsize::new(0),
    });
    // Watcher: events go to a channel; a thread debounces, classifies and rebuilds. It watches
    // before the first build, so no change made after that starts can be missed.
    let (watcher, rx) = watch(&build, &opts.config)?;
    rebuild(&build, &assets, &shared, true, opts.verbose);
    let server = listen(&opts.bind, opts.port)?;
    return_freed_memory();
    let addr = server
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| format!("{}:{}", opts.bind, opts.port));
    announce(&build, &addr, opts.open);

    let watch_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        let _keep = watcher;
        while let Some(paths) = next_batch(&rx) {
            on_change(&opts, &mut build, &mut assets, &watch_shared, &paths);
        }
    });

    http::serve(server, THREAD_STACK, move |request| {
        handle(request, &shared)
    });
    Ok(())
}

/// Watches the root, the content folder and the configuration's folder (when they are
/// elsewhere); events go to the returned channel.
fn watch(
    build: &BuildOptions,
    config: &Path,
) -> Result<(
    notify::RecommendedWatcher,
    mpsc::Receiver<notify::Result<notify::Event>>,
)> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    // Links are not followed: a link in content/ to `/` must not watch the whole disk (the
    // content is read where it is, never through a link to a folder).
    let mut watcher =
        notify::RecommendedWatcher::new(tx, notify::Config::default().with_follow_symlinks(false))
            .map_err(|e| Error::internal("cannot watch files", e))?;
    watcher
        .watch(&build.root, RecursiveMode::Recursive)
        .map_err(|e| Error::internal(format!("cannot watch {}", build.root.display()), e))?;
    if !build.content_dir.starts_with(&build.root) {
        watcher
            .watch(&build.content_dir, RecursiveMode::Recursive)
            .map_err(|e| {
                Error::internal(format!("cannot watch {}", build.content_dir.display()), e)
            })?;
    }
    // A configuration outside the root and the content: its folder (an editor's save replaces
    // the file), not recursively; the other files there classify as nothing.
    let layout = layout_of(build, config);
    if let Some(folder) = layout.config.parent() {
        if !folder.starts_with(&layout.root) && !folder.starts_with(&layout.content) {
            watcher
                .watch(folder, RecursiveMode::NonRecursive)
                .map_err(|e| Error::internal(format!("cannot watch {}", folder.display()), e))?;
        }
    }
    Ok((watcher, rx))
}

/// Prints where the site is served, and opens it in a browser when asked.
fn announce(build: &BuildOptions, addr: &str, open: bool) {
    let url = format!("http://{addr}/");
    println!("Serving {} at {url} (Ctrl-C to stop)", build.root.display());
    if open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let _ = std::process::Command::new(opener).arg(&url).spawn();
    }
}

/// Rebuilds after a change to `paths` (a batch of events): reloads the configuration or the
/// theme when they changed, reporting their errors and keeping the last good site.
fn on_change(
    opts: &ServeOptions,
    build: &mut BuildOptions,
    assets: &mut Assets,
    shared: &Shared,
    paths: &[std::path::PathBuf],
) {
    let layout = layout_of(build, &opts.config);
    let change = classify(&layout, paths.iter().map(|p| p.as_path()));
    if change == Change::None {
        return;
    }
    if change == Change::Config {
        match (opts.resolve)() {
            Ok(b) => *build = b,
            Err(e) => {
                report_error(shared, "configuration error", &e, build, assets);
                return;
            }
        }
        assets.cache.clear();
    }
    if change >= Change::Theme {
        match load_theme(build) {
            Ok(theme) => assets.theme = theme,
            Err(e) => {
                report_error(
                    shared,
                    "theme error (serving the last good site)",
                    &e,
                    build,
                    assets,
                );
                return;
            }
        }
    }
    rebuild(build, assets, shared, change >= Change::Theme, opts.verbose);
}

/// The listening socket.
fn listen(bind: &str, port: u16) -> Result<std::net::TcpListener> {
    std::net::TcpListener::bind((bind, port))
        .map_err(|e| Error::Usage(format!("cannot listen on {bind}:{port}: {e}")))
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (see main.rs).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A build keeps the memory it frees for its next phase (main.rs); a server that runs for days
/// gives it back once it has been unused for 10 s (after a burst of connections, a big
/// rebuild). A shorter delay costs the edit loop: with 1 s, a rebuild every second faulted its
/// memory in anew, and an edit at 10,000 postmortems took 1.8 s to be served instead of 1.3 s.
/// mimalloc returns memory only when some thread allocates or collects, so a thread collects
/// every two seconds: an idle server gives back what the threads of closed connections held
/// (5,000 of them take about 2.5 GB; without this it stayed until the next requests).
fn return_freed_memory() {
    // SAFETY: sets an integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10_000) };
    let _ = std::thread::Builder::new()
        .name("pmarchive-memory".into())
        .stack_size(THREAD_STACK)
        .spawn(|| loop {
            std::thread::sleep(Duration::from_secs(2));
            // SAFETY: collects this thread's heap and purges what is due; no arguments but a
            // flag.
            unsafe { libmimalloc_sys::mi_collect(false) };
        });
}

/// What the watcher's paths are compared with: the root, content and output as they are on disk,
/// and the configuration file the site reads (its folder resolved, not the file: the file may be
/// a link, or replaced by an editor).
fn layout_of(build: &BuildOptions, config: &Path) -> Layout {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let root = canon(&build.root);
    let config = match (config.parent(), config.file_name()) {
        (Some(folder), Some(name)) => {
            let folder = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            };
            canon(folder).join(name)
        }
        _ => canon(config),
    };
    Layout {
        config,
        output: root.join("public"),
        content: canon(&build.content_dir),
        root,
    }
}

/// Waits for an event, then collects more until the file system is quiet for 25 ms (at most
/// 400 ms), so a burst of writes, or a rename-over, becomes one rebuild.
fn next_batch(rx: &Receiver<notify::Result<notify::Event>>) -> Option<Vec<std::path::PathBuf>> {
    // Reads (our own rebuild opens every file) are not changes.
    let changed = |ev: notify::Result<notify::Event>| match ev {
        Ok(ev) if !matches!(ev.kind, notify::EventKind::Access(_)) => ev.paths,
        _ => Vec::new(),
    };
    let mut paths = Vec::new();
    while paths.is_empty() {
        paths = changed(rx.recv().ok()?);
    }
    let deadline = Instant::now() + Duration::from_millis(400);
    while let Ok(ev) = rx.recv_timeout(Duration::from_millis(25)) {
        paths.extend(changed(ev));
        if Instant::now() > deadline {
            break;
        }
    }
    Some(paths)
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

fn handle(request: Request<'_>, shared: &Shared) {
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

/// The reload and error stream (`HEAD` only says what it is).
fn events(request: Request<'_>, shared: &Shared, method: Method) {
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
