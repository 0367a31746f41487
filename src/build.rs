//! The build pipeline, shared by `build` and `serve`: load -> check -> enrich, then index ->
//! similar -> the pages that show similar incidents (the search export beside them), all beside
//! rendering the rest of the site; each phase timed. `run` hands files out as data as they are
//! made, to the caller's writer; `serve` calls [`prepare`] (every phase before rendering, with
//! similarity from analysed texts) and renders pages as they are asked for.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::audience::{self, Audience};
use crate::check;
use crate::config::Config;
use crate::content::{self, Highlighter};
use crate::enrich;
use crate::error::{sort_diagnostics, Diagnostic, Error, Result};
use crate::model::Postmortem;
use crate::output::{self, OutputFile};
use crate::render::{self, theme::Theme};
use crate::search;
use crate::similar;

/// Validated options for one build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (holds `content/`, optional `theme/` and `pmarchive.toml`).
    pub root: PathBuf,
    /// The content folder.
    pub content_dir: PathBuf,
    /// Where the site goes.
    pub output: PathBuf,
    /// The configuration (base URL already overridden from the command line).
    pub config: Config,
    /// Include drafts.
    pub drafts: bool,
    /// Build the restricted archive (restricted postmortems included) instead of the site.
    pub restricted: bool,
    /// "Now".
    pub today: NaiveDate,
    /// The sentence-embedding model of similar incidents (`[similar] model`), checked.
    pub semantic: Option<std::sync::Arc<similar::Semantic>>,
}

impl BuildOptions {
    /// Who the build is for.
    pub fn audience(&self) -> Audience {
        Audience {
            drafts: self.drafts,
            restricted: self.restricted,
        }
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub(crate) struct BuildReport {
    /// Postmortems read.
    pub read: usize,
    /// Postmortems published.
    pub published: usize,
    /// HTML pages written.
    pub pages: usize,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: usize,
    /// Non-fatal findings.
    pub warnings: Vec<Diagnostic>,
    /// Whether a sitemap was written (it needs a base URL).
    pub sitemap: bool,
    /// Time per phase.
    pub phases: Vec<(&'static str, Duration)>,
    /// Each published postmortem's page file and source file (to show warnings on pages).
    pub sources: Vec<(String, PathBuf)>,
    /// With a model: how many postmortems were embedded, how many came from the cache.
    pub embedded: Option<similar::semantic::EmbedCount>,
}

/// Runs the pipeline, handing every file to `emit` as soon as it is made (from several
/// threads): the caller decides where files go, and a large site is never held in memory.
///
/// The search index is built by one tantivy thread, and similarity needs it: meanwhile the
/// files that show no similar incidents are rendered on the other cores, and the ones that do
/// as soon as similarity is known. Each phase is timed on its own: `index`, `similar`,
/// `search` and `linked` overlap `unlinked`.
pub(crate) fn run(
    opts: &BuildOptions,
    progress: &(dyn Fn() + Sync),
    emit: &(dyn Fn(OutputFile) -> Result<()> + Sync),
) -> Result<BuildReport> {
    let t = Instant::now();
    let theme = Theme::of_site(&opts.root)?;
    let highlighter = Highlighter::new();
    let setup = t.elapsed();
    let (mut site, mut report) = prepare_site(opts, &highlighter, progress, None)?;
    report.phases.insert(0, ("setup", setup));
    let tally = Tally::new(emit);
    let counted = |f: OutputFile| tally.count(f);
    let labels = search::facet_labels(&site);
    let t = Instant::now();
    // One renderer for both parts, so the linked pages paste the cards the others rendered.
    let none = similar::Similarity::NONE;
    let renderer = render::Renderer::new(&site, &theme, &none);
    let (linked, unlinked) = rayon::join(
        || search_and_link(&site, opts, &labels, &renderer, &counted),
        || {
            let done = timed(|| {
                renderer.render_part(render::Part::Unlinked, &counted)?;
                // The postmortems' files, copied (streamed) by the writer.
                render::files::copies(&site)
                    .into_par_iter()
                    .try_for_each(counted)
            });
            renderer.forget_unlinked();
            done
        },
    );
    let (unlinked, unlinked_time) = unlinked;
    unlinked?;
    let searched = linked?;
    report.embedded = searched.embedded;
    if site.restricted {
        counted(audience::restricted_marker())?;
    }
    let listed = std::mem::take(
        &mut *tally
            .page_files
            .lock()
            .map_err(|_| Error::Template("a rendering worker panicked".into()))?,
    );
    for f in renderer.hosting_files(&listed)? {
        counted(f)?;
    }
    report.sitemap = !site.config.base_url().is_empty();
    report.phases.extend([
        ("index", searched.index_time),
        ("similar", searched.similar_time),
        ("search", searched.search_time),
        ("linked", searched.linked_time),
        ("unlinked", unlinked_time),
        ("render", t.elapsed()),
    ]);
    report.pages = tally.pages.into_inner();
    report.files = tally.files.into_inner();
    report.bytes = tally.bytes.into_inner();
    // The loaded archive and the rendered fragments are freed on a thread of their own: a
    // large archive takes a while to free (0.1 s at 10,000 postmortems, on one core), which
    // the swap need not wait for, nor the process, which may end first.
    let made = renderer.into_leftovers();
    let leftovers = (std::mem::take(&mut site.postmortems), made);
    std::thread::spawn(move || drop(leftovers));
    Ok(report)
}

/// Counts the files of a build on their way to the writer, and lists its pages' files for the
/// sitemap.
struct Tally<'e> {
    emit: &'e (dyn Fn(OutputFile) -> Result<()> + Sync),
    pages: AtomicUsize,
    files: AtomicUsize,
    bytes: AtomicUsize,
    // The pages' files, for the sitemap.
    page_files: std::sync::Mutex<Vec<String>>,
}

impl<'e> Tally<'e> {
    fn new(emit: &'e (dyn Fn(OutputFile) -> Result<()> + Sync)) -> Self {
        Tally {
            emit,
            pages: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            page_files: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Counts file `f`, then hands it to the writer.
    fn count(&self, f: OutputFile) -> Result<()> {
        if f.path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut list) = self.page_files.lock() {
                list.push(f.path.clone());
            }
        }
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(f.len() as usize, Ordering::Relaxed);
        (self.emit)(f)
    }
}

/// How long the search side of a build took, phase by phase.
struct Searched {
    index_time: Duration,
    similar_time: Duration,
    search_time: Duration,
    /// Rendering the linked part, after similarity.
    linked_time: Duration,
    /// With a model: the postmortems embedded and cached.
    embedded: Option<similar::semantic::EmbedCount>,
}

/// Builds the search index and exports it, on a thread of its own (its files emitted as they
/// are made), while similarity is computed from the postmortems' analysed texts and the
/// linked part of the site is rendered. Files go to `emit`.
fn search_and_link(
    site: &enrich::Site<'_>,
    opts: &BuildOptions,
    labels: &search::export::FacetLabels,
    renderer: &render::Renderer<'_>,
    emit: &(dyn Fn(OutputFile) -> Result<()> + Sync),
) -> Result<Searched> {
    std::thread::scope(move |scope| {
        // A thread of its own, not a rayon task: a task waits for an idle worker, and the
        // workers are computing similarity and rendering; the pages that show similar
        // incidents wait for similarity, not for the index.
        let search = scope.spawn(move || -> Result<(Duration, Duration)> {
            let (index, index_time) = timed(|| search::SearchIndex::build(site));
            let index = index?;
            let (exported, search_time) = timed(|| search::export::export_to(&index, labels, emit));
            exported?;
            Ok((index_time, search_time))
        });
        let (similarity, similar_time) =
            timed(|| similar::find(site, None, opts.semantic.as_deref()));
        let (similarity, embedded) = similarity?;
        let t = Instant::now();
        renderer
            .with_similarity(&similarity)
            .render_part(render::Part::Linked, emit)?;
        let linked_time = t.elapsed();
        let (index_time, search_time) = search
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Ok(Searched {
            index_time,
            similar_time,
            search_time,
            linked_time,
            embedded,
        })
    })
}

/// A site ready to render: loaded, checked, enriched, its similar incidents found; its search
/// index is still to be made.
pub(crate) struct Prepared<'c> {
    /// The site (publishable postmortems only).
    pub site: enrich::Site<'c>,
    /// Its similar incidents and recurring classes.
    pub similarity: similar::Similarity,
    /// The facet labels the search export needs.
    pub labels: search::export::FacetLabels,
    /// What was read and published, warnings, phases so far.
    pub report: BuildReport,
}

/// What `serve` keeps between rebuilds: parsed documents, their analyses for similarity and
/// their language findings, reused where a postmortem did not change.
#[derive(Default)]
pub(crate) struct Caches {
    /// Parsed documents.
    pub parse: content::ParseCache,
    /// Analysed similarity fields.
    pub terms: similar::TermsCache,
    /// Findings of the language rule.
    pub lint: check::LintCache,
    /// Who may read which source, as the last load found (what a failed build may show).
    pub screen: std::sync::Mutex<std::sync::Arc<crate::audience::Screen>>,
}

impl Caches {
    /// Forgets everything (after a configuration change).
    pub(crate) fn clear(&self) {
        self.parse.clear();
        self.terms.clear();
        self.lint.clear();
    }

    /// The screen of the last load.
    pub(crate) fn screen(&self) -> std::sync::Arc<crate::audience::Screen> {
        let s = self.screen.lock().unwrap_or_else(|e| e.into_inner());
        std::sync::Arc::clone(&s)
    }
}

/// Every phase `serve` needs before rendering: load (reusing `caches`), check, enrich, then
/// similarity from the texts' analyses (no search index: the caller makes it later, when
/// search files are asked for).
pub(crate) fn prepare<'c>(
    opts: &'c BuildOptions,
    highlighter: &Highlighter,
    progress: &(dyn Fn() + Sync),
    caches: Option<&Caches>,
) -> Result<Prepared<'c>> {
    let (site, mut report) = prepare_site(opts, highlighter, progress, caches)?;
    let t = Instant::now();
    let labels = search::facet_labels(&site);
    let (similarity, embedded) =
        similar::find(&site, caches.map(|c| &c.terms), opts.semantic.as_deref())?;
    report.embedded = embedded;
    report.phases.push(("similar", t.elapsed()));
    Ok(Prepared {
        site,
        similarity,
        labels,
        report,
    })
}

/// Load (reusing `caches`), check and enrich: the site and what was read and published.
fn prepare_site<'c>(
    opts: &'c BuildOptions,
    highlighter: &Highlighter,
    progress: &(dyn Fn() + Sync),
    caches: Option<&Caches>,
) -> Result<(enrich::Site<'c>, BuildReport)> {
    let mut report = BuildReport::default();
    let mut t = Instant::now();
    let mut lap = |report: &mut BuildReport, name: &'static str| {
        report.phases.push((name, t.elapsed()));
        t = Instant::now();
    };
    let (mut postmortems, mut diags) = content::read_archive_cached(
        &opts.root,
        &opts.content_dir,
        &opts.config,
        highlighter,
        progress,
        caches.map(|c| &c.parse),
    );
    lap(&mut report, "load");
    diags.extend(check::lint_cached(
        &postmortems,
        &opts.config,
        opts.today,
        caches.map(|c| &c.lint),
    ));
    sort_diagnostics(&mut diags);
    if let Some(c) = caches {
        let screen = crate::audience::Screen::of(&postmortems, &diags, opts.audience());
        *c.screen.lock().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(screen);
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }
    if caches.is_none() {
        // Nothing after the checks reads these; `serve` keeps them for its next rebuild.
        postmortems
            .par_iter_mut()
            .for_each(Postmortem::forget_check_details);
    }
    report.read = postmortems.len();
    report.warnings = diags;
    lap(&mut report, "check");
    let site = enrich::enrich_for(postmortems, &opts.config, opts.today, opts.audience());
    report.published = site.postmortems.len();
    report.sources = site
        .postmortems
        .iter()
        .map(|p| {
            let page = format!("{}index.html", crate::render::view::postmortem_url(&p.id));
            (page, p.source.clone())
        })
        .collect();
    lap(&mut report, "enrich");
    Ok((site, report))
}

/// Runs `f`, and says how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    (f(), t.elapsed())
}

/// Builds and writes the site to `opts.output`: files are written as they are rendered into a
/// temporary folder, swapped in only when the whole build succeeded.
pub(crate) fn build(opts: &BuildOptions, progress: &(dyn Fn() + Sync)) -> Result<BuildReport> {
    check_paths(opts)?;
    let writer = output::SiteWriter::create(&opts.output)?;
    let mut report = run(opts, progress, &|f| writer.write(&f))?;
    let t = Instant::now();
    writer.commit()?;
    report.phases.push(("swap", t.elapsed()));
    Ok(report)
}

/// The output must not be, contain or sit inside the content, nor contain the root.
pub(crate) fn check_paths(opts: &BuildOptions) -> Result<()> {
    // The output may not exist yet: `absolute` resolves its nearest existing ancestor.
    let abs = audience::absolute;
    let out = abs(&opts.output);
    let content = abs(&opts.content_dir);
    let root = abs(&opts.root);
    if out.starts_with(&content) {
        return Err(Error::Usage(format!(
            "the output folder {} is inside the content folder {}; choose another --output",
            opts.output.display(),
            opts.content_dir.display()
        )));
    }
    if content.starts_with(&out) || root.starts_with(&out) {
        return Err(Error::Usage(format!(
            "the output folder {} contains the site's sources; choose another --output",
            opts.output.display()
        )));
    }
    audience::check_output(&opts.root, &opts.output, opts.audience())
}
