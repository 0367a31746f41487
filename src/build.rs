//! The build pipeline, shared by `build` and `serve`: load -> check -> enrich -> index ->
//! similar -> render -> search export, each phase timed. Returns files as data; the caller
//! picks the writer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::audience::{self, Audience};
use crate::check;
use crate::config::Config;
use crate::content::{self, Highlighter};
use crate::enrich;
use crate::error::{sort_diagnostics, Diagnostic, Error, Result};
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
pub struct BuildReport {
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
    /// Time per phase.
    pub phases: Vec<(&'static str, Duration)>,
    /// Each published postmortem's page file and source file (to show warnings on pages).
    pub sources: Vec<(String, PathBuf)>,
}

/// Runs the pipeline and returns the site's files.
pub fn build_files(
    opts: &BuildOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<(Vec<OutputFile>, BuildReport)> {
    build_files_cached(opts, progress, None)
}

/// [`build_files`], reusing parsed documents from `cache` (for `serve`'s rebuilds).
pub fn build_files_cached(
    opts: &BuildOptions,
    progress: &(dyn Fn() + Sync),
    cache: Option<&content::ParseCache>,
) -> Result<(Vec<OutputFile>, BuildReport)> {
    let mut report = BuildReport::default();
    let mut t = Instant::now();
    let mut lap = |report: &mut BuildReport, name: &'static str| {
        report.phases.push((name, t.elapsed()));
        t = Instant::now();
    };
    let theme_dir = opts.root.join("theme");
    let theme = Theme::load(theme_dir.is_dir().then_some(theme_dir.as_path()))?;
    let highlighter = Highlighter::new();
    lap(&mut report, "setup");
    let (postmortems, mut diags) = content::read_archive_cached(
        &opts.root,
        &opts.content_dir,
        &opts.config,
        &highlighter,
        progress,
        cache,
    );
    lap(&mut report, "load");
    diags.extend(check::lint(&postmortems, &opts.config, opts.today));
    sort_diagnostics(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }
    report.read = postmortems.len();
    report.warnings = diags;
    lap(&mut report, "check");
    let mut site = enrich::enrich_for(postmortems, &opts.config, opts.today, opts.audience());
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
    let index = search::SearchIndex::build(&site)?;
    lap(&mut report, "index");
    site.similar = similar::compute(&site, &index)?;
    lap(&mut report, "similar");
    let mut files = render::render(&site, &theme)?;
    lap(&mut report, "render");
    files.extend(search::export::export(
        &index,
        &search::facet_labels(&site),
    )?);
    if site.restricted {
        files.push(audience::restricted_marker());
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    lap(&mut report, "search");
    report.pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    report.files = files.len();
    report.bytes = files.iter().map(|f| f.contents.len()).sum();
    Ok((files, report))
}

/// Builds and writes the site to `opts.output`.
pub fn build(opts: &BuildOptions, progress: &(dyn Fn() + Sync)) -> Result<BuildReport> {
    check_paths(opts)?;
    let (files, mut report) = build_files(opts, progress)?;
    let t = Instant::now();
    output::write_site(&files, &opts.output)?;
    report.phases.push(("write", t.elapsed()));
    Ok(report)
}

/// The output must not be, contain or sit inside the content, nor contain the root.
pub fn check_paths(opts: &BuildOptions) -> Result<()> {
    let abs = |p: &std::path::Path| -> PathBuf {
        // The output may not exist yet: resolve its nearest existing ancestor.
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.file_name(), existing.parent()) {
                (Some(n), Some(parent)) => {
                    rest.push(n.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut base = existing.canonicalize().unwrap_or(existing);
        for n in rest.into_iter().rev() {
            base.push(n);
        }
        base
    };
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
