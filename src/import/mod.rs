//! `pmarchive import`: a folder of exported documents (Markdown from Google Docs or Notion, HTML
//! from Google Docs or Confluence) written into the archive as postmortems.
//!
//! Each document is read (`html` converts HTML to Markdown first), its title, metadata,
//! sections, action items and images found (`document`), its metadata mapped to our fields
//! through the `[fields]` alias machinery (`names`, `fields`), and it is written to
//! `content/<year>/<date>-<slug>.md` with its images in the folder `<date>-<slug>/` beside it.
//! Nothing is overwritten: a document whose file (or id) the archive already has is skipped, and
//! two documents of one import that would share a name get `-2`, `-3`. Every document gets a
//! report of what was mapped and what was left in the body; problems are located diagnostics.

mod blocks;
mod document;
mod fields;
mod html;
mod images;
mod markup;
mod names;

mod export;
use export::*;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::text::slugify;

use images::ImageAction;

/// What `import` was asked to do, validated.
pub(crate) struct ImportOptions {
    /// The archive's configuration.
    pub config: Config,
    /// The site root.
    pub root: PathBuf,
    /// The content folder (it exists).
    pub content: PathBuf,
    /// The exported files, each with the folder its images may come from.
    pub inputs: Vec<Input>,
    /// Report what would be written, write nothing.
    pub dry_run: bool,
}

/// One exported file.
pub(crate) struct Input {
    /// The file.
    pub path: PathBuf,
    /// The folder given on the command line it was found in (images must be inside it).
    pub base: PathBuf,
}

/// What an import did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Documents written (or that would be, with `--dry-run`).
    pub written: usize,
    /// Of those, written as drafts.
    pub drafts: usize,
    /// Documents skipped because the archive has their file already.
    pub skipped: usize,
    /// Documents that could not be imported.
    pub failed: usize,
    /// Every problem, located.
    pub diags: Vec<Diagnostic>,
}

/// The exported files under `sources` (files, or folders walked without following links):
/// `.md`, `.markdown`, `.html`, `.htm`, hidden ones left out, in path order.
pub(crate) fn find_inputs(sources: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for source in sources {
        let meta = std::fs::symlink_metadata(source).map_err(|e| Error::io(source, e))?;
        if !meta.is_dir() {
            let base = source.parent().map(Path::to_path_buf).unwrap_or_default();
            out.push(Input {
                path: source.clone(),
                base,
            });
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(source)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", source.display())))?;
            let name = entry.file_name().to_string_lossy();
            if entry.depth() > 0 && name.starts_with('.') {
                continue;
            }
            let ext = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !entry.file_type().is_dir()
                && matches!(ext.as_str(), "md" | "markdown" | "html" | "htm")
            {
                found.push(entry.path().to_path_buf());
            }
        }
        out.extend(found.into_iter().map(|path| Input {
            path,
            base: source.clone(),
        }));
    }
    Ok(out)
}

/// Imports every input, printing the report to `out`.
pub(crate) fn run(opts: &ImportOptions, out: &mut dyn Write) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let existing = existing_ids(&opts.root, &opts.content, &opts.config);
    let mut planned: Vec<(String, PathBuf)> = Vec::new();
    let names = names::SectionNames::new(&opts.config);
    let w = |out: &mut dyn Write, s: String| {
        writeln!(out, "{s}").map_err(|e| Error::internal("writing the report", e))
    };
    for input in &opts.inputs {
        let file = &input.path;
        let before = outcome.diags.len();
        let result = import_one(
            opts,
            input,
            &names,
            &existing,
            &mut planned,
            &mut outcome.diags,
        );
        match result {
            Ok(Done::Written { report, draft }) => {
                outcome.written += 1;
                outcome.drafts += usize::from(draft);
                w(out, report)?;
            }
            Ok(Done::Skipped(report)) => {
                outcome.skipped += 1;
                w(out, report)?;
            }
            Err(()) => {
                outcome.failed += 1;
                w(
                    out,
                    format!("{}: not imported (see the errors)", file.display()),
                )?;
            }
        }
        for d in &outcome.diags[before..] {
            eprintln!("{d}");
        }
    }
    let verb = if opts.dry_run {
        "would be written"
    } else {
        "written"
    };
    w(
        out,
        format!(
            "{} document{}: {} {verb} ({} as drafts), {} skipped (already in the archive), {} not imported",
            opts.inputs.len(),
            if opts.inputs.len() == 1 { "" } else { "s" },
            outcome.written,
            outcome.drafts,
            outcome.skipped,
            outcome.failed
        ),
    )?;
    Ok(outcome)
}

enum Done {
    Written { report: String, draft: bool },
    Skipped(String),
}

/// The ids the archive has: those its postmortems set (`id = ...`, read as `check FILE` reads
/// the files it was not given: front matter only), and every file's default id (its name
/// without `.md`, a bundle's folder name), whether it parses or not.
fn existing_ids(root: &Path, content: &Path, config: &Config) -> BTreeSet<String> {
    let highlighter = crate::content::Highlighter::new();
    let archive = crate::content::read_archive_for(root, content, config, &highlighter, &|_| false);
    let mut ids: BTreeSet<String> = archive.postmortems.into_iter().map(|p| p.id).collect();
    for entry in walkdir::WalkDir::new(content)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "md") {
            let rel = p.strip_prefix(content).unwrap_or(p);
            ids.insert(crate::content::default_id(rel).to_string());
        }
    }
    ids
}
