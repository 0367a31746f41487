//! One rebuilt site as `serve` holds it: a thread owns the prepared site (loaded, checked,
//! enriched, its similar incidents found) and renders the pages browsers ask for, each once. A
//! content edit therefore costs the phases that really depend on every document (the
//! similarity pass, over analyses kept for the postmortems that did not change) plus the pages
//! looked at, not the thousands of pages nobody opens before the next edit. The search index
//! and its export are made in the background once the site has been current for
//! [`EXPORT_IDLE`] (so a burst of saves does not start an export per save, each competing with
//! the next rebuild), or at once when the search asks for it; a request for it waits until it
//! is there. A newer site stops an export under way.
//!
//! The site is complete before it is served: [`start`] returns only when every phase has
//! succeeded (and, when asked, every page has been rendered: after a theme or configuration
//! change, whose template errors would otherwise show page by page), so the reload is never
//! sent for a half-built site and a failed rebuild keeps the previous generation.
//!
//! The thread owns everything the pages borrow, which is why the site lives on its stack
//! rather than in a shared structure; it ends when its [`Generation`] is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::audience;
use crate::build::{self, BuildOptions, BuildReport, Caches};
use crate::content::Highlighter;
use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::render::theme::Theme;
use crate::render::{Page, Part, Renderer};
use crate::search;

/// What a rebuild reuses from the previous one.
#[derive(Clone)]
pub(crate) struct Assets {
    /// The theme (reloaded when it changes).
    pub theme: Arc<Theme>,
    /// The syntax highlighter (loaded once).
    pub highlighter: Arc<Highlighter>,
    /// Parsed documents and their analyses for similarity, kept between rebuilds.
    pub cache: Arc<Caches>,
}

/// The answer to a request for a file of the site.
pub(crate) enum Reply {
    /// The file.
    Found(Arc<Vec<u8>>),
    /// The path is a folder with an `index.html`: redirect to it with a slash.
    Folder,
    /// No such file: the site's 404 page.
    NotFound(Arc<Vec<u8>>),
    /// Rendering the page failed.
    Failed(String),
    /// A postmortem's file, copied from the archive as `build` copies it.
    Copy(std::path::PathBuf),
}

enum Msg {
    Get(String, Sender<Reply>),
    Exported(Result<Vec<OutputFile>>),
}

/// How long a generation must be current before its search export starts unasked.
pub(crate) const EXPORT_IDLE: Duration = Duration::from_millis(500);

/// A served site. Dropping it ends its thread (and its search export, if not started).
pub(crate) struct Generation {
    tx: Sender<Msg>,
    /// `check` warnings of each postmortem page's source, by page file.
    pub warnings: HashMap<String, String>,
    superseded: Arc<AtomicBool>,
}

impl Drop for Generation {
    fn drop(&mut self) {
        self.superseded.store(true, Ordering::Relaxed);
    }
}

/// Lowers the calling thread's scheduling priority to the least (and so that of the threads
/// it starts: tantivy's indexing thread): the background search export then takes only the
/// CPU time the next rebuild leaves, instead of half of it on a two-core machine.
fn background_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets the nice value of the calling thread (Linux keeps one per thread); no
    // memory is involved and a failure only leaves the priority as it was.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

/// Waits until the export should start: asked for (`go`), or the site has been current for
/// [`EXPORT_IDLE`] (then `Some(true)` and `Some(false)`). None when the generation was
/// replaced first.
fn export_wanted(go: &mpsc::Receiver<()>, superseded: &AtomicBool) -> Option<bool> {
    let since = Instant::now();
    loop {
        match go.recv_timeout(Duration::from_millis(20)) {
            Ok(()) => return Some(true),
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {
                if superseded.load(Ordering::Relaxed) {
                    return None;
                }
                if since.elapsed() >= EXPORT_IDLE {
                    return Some(false);
                }
            }
        }
    }
}

impl Generation {
    /// The file at `key` (a path relative to the site, `index.html` already appended to
    /// folders), rendered now if it is a page not asked for before.
    pub(crate) fn get(&self, key: &str) -> Reply {
        let (tx, rx) = mpsc::channel();
        if self.tx.send(Msg::Get(key.to_string(), tx)).is_err() {
            return Reply::Failed("the site is being rebuilt".into());
        }
        rx.recv()
            .unwrap_or_else(|_| Reply::Failed("the site is being rebuilt".into()))
    }
}

/// Prepares a generation of the site in its own thread and returns once it can be served.
/// `eager`: render every page first (a theme or configuration change, or the first build).
pub(crate) fn start(
    opts: BuildOptions,
    assets: Assets,
    eager: bool,
) -> Result<(Generation, BuildReport)> {
    let (ready_tx, ready_rx) = mpsc::channel::<Result<BuildReport>>();
    let (tx, rx) = mpsc::channel::<Msg>();
    let export_tx = tx.clone();
    let superseded = Arc::new(AtomicBool::new(false));
    let export_superseded = Arc::clone(&superseded);
    let asked = Arc::new(AtomicBool::new(false));
    let export_asked = Arc::clone(&asked);
    let (go_tx, go_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("pmarchive-site".into())
        .spawn(move || {
            let prepared =
                match build::prepare(&opts, &assets.highlighter, &|| {}, Some(&assets.cache)) {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
            let site = prepared.site;
            let similarity = prepared.similarity;
            let theme: &Theme = &assets.theme;
            std::thread::scope(|scope| {
                {
                    let labels = prepared.labels;
                    let site = &site;
                    scope.spawn(move || {
                        let files =
                            export_search(site, &labels, &go_rx, &export_superseded, &export_asked);
                        // Always answered, so no request for the search files waits forever
                        // on a site replaced before its export was made.
                        let _ = export_tx.send(Msg::Exported(files));
                    });
                }
                let planned = std::time::Instant::now();
                let renderer = Renderer::new(&site, theme, &similarity);
                // The pages that show no similar incidents (listings, insights, the action
                // register: each reads the whole archive) are planned when one is first asked
                // for, not before the edited postmortem's page can be served.
                let mut store = Store::new(&renderer, &site, go_tx, asked);
                store.plan(Part::Linked);
                if eager {
                    if let Err(e) = store.render_all() {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                }
                let mut report = prepared.report;
                report.phases.push(("plan", planned.elapsed()));
                if ready_tx.send(Ok(report)).is_err() {
                    return;
                }
                store.serve(rx);
            });
        })
        .map_err(|e| Error::internal("cannot start the site's thread", e))?;
    let report = ready_rx
        .recv()
        .map_err(|e| Error::internal("the site's thread stopped", e))??;
    let warnings = page_warnings(&report);
    Ok((
        Generation {
            tx,
            warnings,
            superseded,
        },
        report,
    ))
}

/// The search export of `site`, made in the background once it is wanted (`go`); an error
/// when a newer site replaced this one first.
fn export_search(
    site: &crate::enrich::Site<'_>,
    labels: &search::export::FacetLabels,
    go: &mpsc::Receiver<()>,
    superseded: &AtomicBool,
    asked: &AtomicBool,
) -> Result<Vec<crate::output::OutputFile>> {
    let Some(asked_now) = export_wanted(go, superseded) else {
        return Err(superseded_error());
    };
    // Unasked, it takes only the CPU time the next rebuild leaves; a search waiting for it is
    // served at the ordinary priority.
    if !asked_now {
        background_priority();
    }
    // A newer site stops the export (whose work would slow its rebuild), unless a request is
    // waiting for it: that request would otherwise never be answered.
    let replaced = || superseded.load(Ordering::Relaxed) && !asked.load(Ordering::Relaxed);
    match search::SearchIndex::build_unless(site, &replaced) {
        Ok(Some(index)) if !replaced() => search::export::export(&index, labels),
        Ok(_) => Err(superseded_error()),
        Err(e) => Err(e),
    }
}

/// Each page's warnings (those of its source), as the overlay shows them.
fn page_warnings(report: &BuildReport) -> HashMap<String, String> {
    let mut by_source: HashMap<&std::path::Path, Vec<String>> = HashMap::new();
    for d in &report.warnings {
        by_source.entry(&d.file).or_default().push(d.to_string());
    }
    report
        .sources
        .iter()
        .filter_map(|(page, source)| {
            let text = by_source.get(source.as_path())?;
            Some((page.clone(), text.join("\n")))
        })
        .collect()
}

/// The site's files: rendered ones, and pages not rendered yet.
struct Store<'r> {
    renderer: &'r Renderer<'r>,
    pages: HashMap<String, Page<'r>>,
    /// The unlinked part's pages are in `pages` (or rendered).
    unlinked_planned: bool,
    /// Every page's file planned, for the sitemap.
    page_files: Vec<String>,
    files: HashMap<String, Arc<Vec<u8>>>,
    /// The postmortems' files, by site path: where to copy them from.
    copies: HashMap<String, std::path::PathBuf>,
    /// Feeds, JSON and static files made.
    others: bool,
    restricted: bool,
    /// Starts the search export now.
    go: Sender<()>,
    /// A request waits for the search export (which then finishes even if the site is
    /// replaced).
    asked: Arc<AtomicBool>,
}

impl<'r> Store<'r> {
    /// Nothing rendered or planned yet.
    fn new(
        renderer: &'r Renderer<'r>,
        site: &crate::enrich::Site<'_>,
        go: mpsc::Sender<()>,
        asked: Arc<AtomicBool>,
    ) -> Self {
        Store {
            renderer,
            pages: HashMap::new(),
            unlinked_planned: false,
            page_files: Vec::new(),
            // The search client is a constant: every page's script imports it, so it is never
            // made to wait for the index (which, started in the background at the lowest
            // priority, could take minutes on a busy machine and hold every page's `load`).
            files: HashMap::from([(
                "search/pmsearch.js".to_string(),
                Arc::new(search::export::CLIENT_JS.as_bytes().to_vec()),
            )]),
            copies: crate::render::files::copies(site)
                .into_iter()
                .filter_map(|f| Some((f.path, f.copy_from?)))
                .collect(),
            others: false,
            restricted: site.restricted,
            go,
            asked,
        }
    }
}

/// Why a replaced site's search files were not made.
fn superseded_error() -> Error {
    Error::Usage("the site was rebuilt before its search index was made; search again".into())
}

impl Store<'_> {
    /// Adds the pages of `part` to those still to be rendered.
    fn plan(&mut self, part: Part) {
        if part == Part::Unlinked {
            self.unlinked_planned = true;
        }
        for page in self.renderer.pages_in(part) {
            let file = page.file();
            self.page_files.push(file.clone());
            self.pages.insert(file, page);
        }
    }

    /// Renders every page and the other files, in parallel.
    fn render_all(&mut self) -> Result<()> {
        if !self.unlinked_planned {
            self.plan(Part::Unlinked);
        }
        let renderer = self.renderer;
        let pages: Vec<Page<'_>> = self.pages.drain().map(|(_, p)| p).collect();
        let rendered: Vec<OutputFile> = pages
            .into_par_iter()
            .map(|p| renderer.render(p))
            .collect::<Result<_>>()?;
        for f in rendered {
            self.files.insert(f.path, Arc::new(f.contents));
        }
        self.make_others()
    }

    fn make_others(&mut self) -> Result<()> {
        if self.others {
            return Ok(());
        }
        self.others = true;
        if !self.unlinked_planned {
            // The sitemap lists every page.
            self.plan(Part::Unlinked);
        }
        let mut others = self.renderer.other_files()?;
        others.extend(self.renderer.hosting_files(&self.page_files)?);
        if self.restricted {
            others.push(audience::restricted_marker());
        }
        for f in others {
            self.files.insert(f.path, Arc::new(f.contents));
        }
        Ok(())
    }

    /// The file at `key`, rendering it if it is a page or another generated file.
    fn lookup(&mut self, key: &str) -> Result<Option<Arc<Vec<u8>>>> {
        if let Some(bytes) = self.files.get(key) {
            return Ok(Some(bytes.clone()));
        }
        if !self.unlinked_planned && !self.pages.contains_key(key) {
            self.plan(Part::Unlinked);
        }
        if let Some(page) = self.pages.remove(key) {
            let file = self.renderer.render(page)?;
            let bytes = Arc::new(file.contents);
            self.files.insert(file.path, bytes.clone());
            return Ok(Some(bytes));
        }
        if !self.others {
            self.make_others()?;
            return Ok(self.files.get(key).cloned());
        }
        Ok(None)
    }

    fn answer(&mut self, key: &str) -> Reply {
        if let Some(from) = self.copies.get(key) {
            return Reply::Copy(from.clone());
        }
        match self.lookup(key) {
            Ok(Some(bytes)) => Reply::Found(bytes),
            Err(e) => Reply::Failed(super::describe(&e)),
            Ok(None) => {
                if matches!(self.lookup(&format!("{key}/index.html")), Ok(Some(_))) {
                    return Reply::Folder;
                }
                match self.lookup("404.html") {
                    Ok(Some(bytes)) => Reply::NotFound(bytes),
                    Ok(None) => Reply::NotFound(Arc::new(Vec::new())),
                    Err(e) => Reply::Failed(super::describe(&e)),
                }
            }
        }
    }

    /// Answers requests until the generation is dropped. Requests for the search export wait
    /// until the background export is done.
    fn serve(&mut self, rx: mpsc::Receiver<Msg>) {
        let mut exported = false;
        let mut waiting: Vec<(String, Sender<Reply>)> = Vec::new();
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Exported(result) => {
                    exported = true;
                    match result {
                        Ok(files) => {
                            for f in files {
                                self.files.insert(f.path, Arc::new(f.contents));
                            }
                        }
                        Err(e) => {
                            let text = super::describe(&e);
                            for (_, reply) in waiting.drain(..) {
                                let _ = reply.send(Reply::Failed(text.clone()));
                            }
                        }
                    }
                    for (key, reply) in std::mem::take(&mut waiting) {
                        let _ = reply.send(self.answer(&key));
                    }
                }
                Msg::Get(key, reply) => {
                    let pending = !exported
                        && key.starts_with("search/")
                        && !self.files.contains_key(&key)
                        && !self.pages.contains_key(&key);
                    if pending {
                        self.asked.store(true, Ordering::Relaxed);
                        let _ = self.go.send(());
                        waiting.push((key, reply));
                    } else {
                        let _ = reply.send(self.answer(&key));
                    }
                }
            }
        }
    }
}
