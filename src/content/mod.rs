//! Reading the archive: the only place that reads input files. Walks `content/`, reads each
//! Markdown file, and parses it (in parallel) into the [`model`](crate::model); then checks
//! what only the whole archive can tell (unique ids, `recurrence_of` targets).
//!
//! Every problem in every file is collected before the load fails.

mod archive;
pub(crate) mod document;
mod front_read;
pub(crate) mod frontmatter;
pub(crate) mod limits;
pub(crate) mod markdown;
pub(crate) mod nested;
pub(crate) mod refs;

mod discover;
pub(crate) use discover::*;
mod cache;
pub(crate) use cache::*;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{sort_diagnostics, Diagnostic};
use crate::model::{Body, Postmortem, RefTarget};
use document::{parse_document, parse_front_matter, ParseContext};
use front_read::read_front_source;
pub use markdown::Highlighter;

/// Files larger than this are refused rather than parsed.
pub(crate) const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A source file found under `content/`.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The path relative to the site root (what diagnostics name).
    pub rel: PathBuf,
    /// The path to read.
    pub abs: PathBuf,
}

/// Reads a file as UTF-8, reporting where the first invalid byte is.
///
/// Opens it without blocking (a FIFO put in place after the walk does not hang the read) and
/// reads it only when it is a regular file, at most [`MAX_FILE_BYTES`] of it.
pub(crate) fn read_source(file: &SourceFile) -> std::result::Result<String, Diagnostic> {
    use std::io::Read;
    let io = |e: std::io::Error| Diagnostic::error(&file.rel, (1, 1), "io/read", e.to_string());
    let (f, meta) = open_regular(file)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&file.rel, bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let at = crate::text::line_col(&text, valid);
        Diagnostic::error(&file.rel, at, "io/encoding", "the file is not valid UTF-8")
            .suggest("save the file as UTF-8")
    })
}

pub(super) fn too_large(rel: &Path, len: u64) -> Diagnostic {
    Diagnostic::error(
        rel,
        (1, 1),
        "io/too-large",
        format!("the file is {len} bytes; postmortems over {MAX_FILE_BYTES} bytes are refused"),
    )
}

/// Reads and parses every postmortem, returning those that parsed and every diagnostic found
/// (sorted). Never fails: `check` reports what this finds; `build` uses [`load`].
pub fn read_archive(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    highlighter: &Highlighter,
    progress: &(dyn Fn() + Sync),
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    read_archive_cached(root, content_dir, config, highlighter, progress, None)
}

/// What [`read_archive_for`] read: the postmortems, the diagnostics, and which postmortems'
/// bodies were read (the others' are empty).
pub(crate) struct PartialArchive {
    /// Every postmortem that parsed.
    pub postmortems: Vec<Postmortem>,
    /// Every problem found while reading (sorted).
    pub diagnostics: Vec<Diagnostic>,
    /// The postmortems (by their path relative to the root) whose body was read.
    pub in_full: HashSet<PathBuf>,
}

/// [`read_archive`] for `check FILE...`: the files `full` accepts (by their path relative to the
/// root) are parsed in full, every other one only for its front matter (ids, links and dates,
/// which archive-wide rules resolve against), its body left empty; except the postmortems
/// those files link to at a heading (`b.md#timeline`, `pm:b#timeline`), whose bodies are read
/// too (their headings), their problems not reported.
pub(crate) fn read_archive_for(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    highlighter: &Highlighter,
    full: &(dyn Fn(&Path) -> bool + Sync),
) -> PartialArchive {
    let (files, diags) = discover(root, content_dir);
    let ctx = ParseContext {
        config,
        highlighter,
    };
    let (postmortems, diags) = read_files(&files, diags, &ctx, &|| {}, None, full);
    let (mut postmortems, diagnostics) = across_files(root, content_dir, postmortems, diags);
    let linked = linked_at_heading(&postmortems, full);
    let mut bodies: HashMap<PathBuf, std::sync::Arc<Body>> = files
        .par_iter()
        .filter(|f| linked.contains(&f.rel))
        .filter_map(|f| {
            let src = read_source(f).ok()?;
            let (pm, _) = parse_document(&f.rel, default_id(&f.rel), &src, &ctx);
            Some((f.rel.clone(), pm?.body))
        })
        .collect();
    let mut in_full = HashSet::new();
    for pm in &mut postmortems {
        if let Some(body) = bodies.remove(&pm.source) {
            pm.body = body;
            in_full.insert(pm.source.clone());
        } else if full(&pm.source) {
            in_full.insert(pm.source.clone());
        }
    }
    PartialArchive {
        postmortems,
        diagnostics,
        in_full,
    }
}

/// The postmortems (by source) that those `full` accepts link to at one of their headings,
/// by file or by id, and whose bodies were not read.
fn linked_at_heading(
    postmortems: &[Postmortem],
    full: &(dyn Fn(&Path) -> bool + Sync),
) -> HashSet<PathBuf> {
    let by_id: HashMap<&str, &Path> = postmortems
        .iter()
        .map(|p| (p.id.as_str(), p.source.as_path()))
        .collect();
    let mut linked = HashSet::new();
    for pm in postmortems.iter().filter(|p| full(&p.source)) {
        for r in &pm.body.references {
            if r.target.anchor().is_none_or(|a| a.is_empty()) {
                continue;
            }
            let target = match &r.target {
                RefTarget::Source { path, .. } => Some(path.as_path()),
                RefTarget::Id { id, .. } => by_id.get(id.as_str()).copied(),
                _ => None,
            };
            if let Some(t) = target.filter(|t| !full(t)) {
                linked.insert(t.to_path_buf());
            }
        }
    }
    linked
}

/// [`read_archive`], reusing (and filling) `cache` for files whose text did not change.
pub(crate) fn read_archive_cached(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    highlighter: &Highlighter,
    progress: &(dyn Fn() + Sync),
    cache: Option<&ParseCache>,
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    let (files, diags) = discover(root, content_dir);
    let ctx = ParseContext {
        config,
        highlighter,
    };
    let (postmortems, diags) = read_files(&files, diags, &ctx, progress, cache, &|_| true);
    across_files(root, content_dir, postmortems, diags)
}

/// Parses the `files` discovered (after the discovery's `diags`): in full those `full`
/// accepts, the others' front matter only.
fn read_files(
    files: &[SourceFile],
    mut diags: Vec<Diagnostic>,
    ctx: &ParseContext<'_>,
    progress: &(dyn Fn() + Sync),
    cache: Option<&ParseCache>,
    full: &(dyn Fn(&Path) -> bool + Sync),
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    if let Some(c) = cache {
        c.retain(files);
    }
    let parsed: Vec<Parsed> = files
        .par_iter()
        .map(|f| {
            // With a cache: the stamp before reading (a write after it changes the stamp, so
            // the next rebuild reads the file again).
            let now = std::time::SystemTime::now();
            let stamp = cache.and_then(|_| Stamp::of(&f.abs));
            if let (Some(c), Some(stamp)) = (cache, stamp) {
                if let Some(hit) = c.unchanged(&f.rel, stamp) {
                    progress();
                    return hit;
                }
            }
            let settled = stamp.filter(|s| s.settled(now));
            let read = if full(&f.rel) {
                read_source(f)
            } else {
                read_front_source(f)
            };
            let result = match read {
                Ok(src) => {
                    let hash = content_hash(&src);
                    match cache.and_then(|c| c.get(&f.rel, hash, settled)) {
                        Some(hit) => hit,
                        None => {
                            // The name in the archive, not a link's target's.
                            let stem = default_id(&f.rel);
                            let parsed = if full(&f.rel) {
                                parse_document(&f.rel, stem, &src, ctx)
                            } else {
                                parse_front_matter(&f.rel, stem, &src, ctx)
                            };
                            if let Some(c) = cache {
                                c.put(&f.rel, hash, settled, &parsed);
                            }
                            parsed
                        }
                    }
                }
                Err(d) => (None, vec![d]),
            };
            progress();
            result
        })
        .collect();
    let mut postmortems = Vec::with_capacity(parsed.len());
    for (pm, d) in parsed {
        diags.extend(d);
        postmortems.extend(pm);
    }
    (postmortems, diags)
}

/// What only the whole archive tells: the files postmortems refer to, links between them,
/// unique ids and names. The diagnostics come back sorted.
fn across_files(
    root: &Path,
    content_dir: &Path,
    mut postmortems: Vec<Postmortem>,
    mut diags: Vec<Diagnostic>,
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    // Not kept with the parse: a file may appear or go while the postmortem stays the same.
    check_files(root, content_dir, &mut postmortems);
    diags.extend(archive::check_links(&postmortems));
    diags.extend(archive::check_names(&postmortems));
    sort_diagnostics(&mut diags);
    (postmortems, diags)
}

/// The id of a postmortem without an `id` field: its file name without `.md`, or for a page
/// bundle (`2025/checkout-outage/index.md`, the postmortem with its files in a folder of its
/// own) the folder's name.
pub(crate) fn default_id(rel: &Path) -> &str {
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem == "index" {
        let folder = rel
            .parent()
            .and_then(Path::file_name)
            .and_then(|s| s.to_str());
        if let Some(folder) = folder.filter(|f| !f.is_empty()) {
            return folder;
        }
    }
    stem
}

/// Finds each file the postmortems' bodies refer to ([`model::RefTarget::File`]), without
/// opening any: inside the content folder (by path and once symbolic links are resolved), not
/// hidden, a regular file.
fn check_files(root: &Path, content_dir: &Path, postmortems: &mut [Postmortem]) {
    use crate::model::{FileStatus, RefTarget};
    let content_rel = content_dir.strip_prefix(root).unwrap_or(content_dir);
    let Ok(canonical_content) = content_dir.canonicalize() else {
        return;
    };
    postmortems.par_iter_mut().for_each(|pm| {
        let body = std::sync::Arc::clone(&pm.body);
        pm.files = body
            .references
            .iter()
            .filter_map(|r| match &r.target {
                RefTarget::File { path, .. } => Some(path),
                _ => None,
            })
            .map(|path| {
                let Ok(inside) = path.strip_prefix(content_rel) else {
                    return FileStatus::Outside;
                };
                if inside
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                {
                    return FileStatus::Hidden;
                }
                // `canonicalize` and `symlink_metadata` ask the file system for names and
                // types only: nothing is opened.
                let Ok(target) = root.join(path).canonicalize() else {
                    return FileStatus::Missing;
                };
                if !target.starts_with(&canonical_content) {
                    return FileStatus::Outside;
                }
                match std::fs::symlink_metadata(&target) {
                    Ok(m) if m.is_file() => FileStatus::Found(target),
                    Ok(_) => FileStatus::NotAFile,
                    Err(_) => FileStatus::Missing,
                }
            })
            .collect();
    });
}

pub(crate) use archive::nearest;

#[cfg(test)]
mod tests;
