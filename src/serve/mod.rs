//! `serve`: build into memory, serve over HTTP, watch the sources, rebuild on change and reload
//! the open pages (server-sent events). A failed rebuild keeps the last good site and shows the
//! error as an overlay on the open pages until a later build succeeds.
//!
//! Rebuilds reuse parsed documents whose text did not change ([`Caches`]), so an edit to
//! one postmortem re-parses and re-highlights only that file, and the theme; pages are rendered
//! when a browser asks for them ([`generation`]). The reload is sent only after the new site has
//! replaced the old one.

mod events;
pub(crate) mod generation;
mod http;
pub(crate) mod redact;
mod respond;
pub(crate) mod watch;

use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::build::BuildOptions;
use crate::build::Caches;
use crate::content::Highlighter;
use crate::error::{Diagnostic, Error, Result};
use crate::render::theme::Theme;
use generation::{Assets, Generation};
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

/// The stack of each thread `serve` starts for a request or an event stream: they only pass
/// messages and copy bytes (pages are rendered by the site's thread), and a small stack is
/// what thousands of them cost.
const THREAD_STACK: usize = 128 * 1024;

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
        respond::handle(request, &shared)
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
