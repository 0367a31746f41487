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

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{sort_diagnostics, Diagnostic};
use crate::model::Postmortem;
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

/// Lists the Markdown files under `content_dir`, sorted, with a located warning for every
/// `.md` entry it does not read.
///
/// Nothing outside the content folder is ever opened: a symbolic link is never followed into a
/// folder (so a link to `/` costs nothing and loops cannot happen), and a link is read only when
/// it resolves to a regular file inside the content folder. Hidden files, links leaving the
/// folder, broken links, loops and special files (FIFOs, devices, sockets) are each reported and
/// skipped, without their target being opened.
pub(crate) fn discover(root: &Path, content_dir: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let rel_of = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let canonical_content = match content_dir.canonicalize() {
        Ok(c) => c,
        Err(e) => {
            diags.push(Diagnostic::error(
                &rel_of(content_dir),
                (1, 1),
                "io/content",
                format!("cannot read the content folder: {e}"),
            ));
            return (files, diags);
        }
    };
    let hidden = |e: &walkdir::DirEntry| e.file_name().to_string_lossy().starts_with('.');
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        // Hidden folders (`.git`, an editor's) are not the archive's; hidden files are reported.
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && hidden(e)));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(rel_of).unwrap_or_else(|| rel_of(content_dir));
                diags.push(Diagnostic::error(&path, (1, 1), "io/walk", e.to_string()));
                continue;
            }
        };
        if entry.depth() == 0 || entry.file_type().is_dir() {
            continue;
        }
        let rel = rel_of(entry.path());
        let markdown = entry.file_name().to_string_lossy().ends_with(".md");
        let found = if entry.file_type().is_symlink() {
            through_link(&entry, rel, markdown, hidden(&entry), &canonical_content)
        } else if markdown {
            markdown_entry(&entry, rel, hidden(&entry))
        } else {
            Found::Nothing
        };
        match found {
            Found::Read(file) => files.push(file),
            Found::Skipped(d) => diags.push(d),
            Found::Nothing => {}
        }
    }
    (files, diags)
}

/// What [`discover`] makes of one entry of the content folder.
enum Found {
    /// A postmortem to read.
    Read(SourceFile),
    /// Not read, with why.
    Skipped(Diagnostic),
    /// Not a postmortem (another file, a link to one): nothing to say.
    Nothing,
}

/// A warning that the entry at `rel` is not read.
fn skipped(rel: &Path, rule: &'static str, msg: String, help: &str) -> Found {
    Found::Skipped(Diagnostic::warning(rel, (1, 1), rule, msg).suggest(help))
}

/// A symbolic link at `rel`: read only when it leads to a regular Markdown file inside the
/// content folder (`content`, canonical); its target is never opened otherwise.
fn through_link(
    entry: &walkdir::DirEntry,
    rel: PathBuf,
    markdown: bool,
    hidden: bool,
    content: &Path,
) -> Found {
    match resolve_link(entry.path(), content) {
        Link::File(target) if markdown && !hidden => Found::Read(SourceFile { rel, abs: target }),
        Link::File(_) | Link::Folder if markdown && hidden => skipped(
            &rel,
            "io/skipped",
            "a hidden file: not read".into(),
            "rename it without the leading `.` to publish it",
        ),
        Link::Special if markdown => skipped(
            &rel,
            "io/skipped",
            "a symbolic link to something that is not a regular file: not read".into(),
            "replace the link with the postmortem's file",
        ),
        Link::Ancestor => skipped(
            &rel,
            "io/symlink",
            "symbolic link loop: this links to a folder that contains it; not followed".into(),
            "remove the link",
        ),
        Link::Outside { folder } if markdown || folder => skipped(
            &rel,
            "io/symlink",
            format!(
                "a symbolic link to a {} outside the content folder: not read",
                if folder { "folder" } else { "file" }
            ),
            "copy the postmortem into content/ instead of linking to it",
        ),
        Link::Broken(why) if markdown => skipped(&rel, "io/symlink", why, "fix or remove the link"),
        Link::File(_) | Link::Folder | Link::Special | Link::Outside { .. } | Link::Broken(_) => {
            Found::Nothing
        }
    }
}

/// A Markdown entry at `rel` that is not a link: read when it is a regular, visible file.
fn markdown_entry(entry: &walkdir::DirEntry, rel: PathBuf, hidden: bool) -> Found {
    if hidden {
        skipped(
            &rel,
            "io/skipped",
            "a hidden file: not read".into(),
            "rename it without the leading `.` to publish it",
        )
    } else if !entry.file_type().is_file() {
        skipped(
            &rel,
            "io/skipped",
            format!(
                "{}, not a regular file: not read",
                special_kind(&entry.file_type())
            ),
            "replace it with a regular file",
        )
    } else {
        Found::Read(SourceFile {
            rel,
            abs: entry.path().to_path_buf(),
        })
    }
}

/// Where a symbolic link in the content folder leads, found without opening its target.
enum Link {
    /// A regular file inside the content folder (its resolved path).
    File(PathBuf),
    /// A folder inside the content folder, not containing the link: its files are read where
    /// they are.
    Folder,
    /// A folder containing the link (following it would loop).
    Ancestor,
    /// Something inside the content folder that is neither a file nor a folder.
    Special,
    /// Anything outside the content folder.
    Outside {
        /// Whether it is a folder.
        folder: bool,
    },
    /// A link that resolves to nothing, or loops (what is wrong).
    Broken(String),
}

fn resolve_link(link: &Path, canonical_content: &Path) -> Link {
    let target = match link.canonicalize() {
        Ok(t) => t,
        Err(e) if e.raw_os_error() == Some(libc_eloop()) => {
            return Link::Broken("symbolic link loop: the link leads back to itself".into())
        }
        Err(_) => return Link::Broken("a broken symbolic link: its target does not exist".into()),
    };
    // `metadata` of the resolved path asks only its type: nothing is opened.
    let kind = std::fs::symlink_metadata(&target).map(|m| m.file_type());
    let folder = kind.as_ref().is_ok_and(|k| k.is_dir());
    if !target.starts_with(canonical_content) {
        return Link::Outside { folder };
    }
    match kind {
        Ok(k) if k.is_file() => Link::File(target),
        Ok(k) if k.is_dir() => {
            let here = link.parent().and_then(|p| p.canonicalize().ok());
            if here.is_some_and(|h| h.starts_with(&target)) {
                Link::Ancestor
            } else {
                Link::Folder
            }
        }
        _ => Link::Special,
    }
}

/// `ELOOP`, the error of a path whose links go round.
fn libc_eloop() -> i32 {
    #[cfg(unix)]
    {
        libc::ELOOP
    }
    #[cfg(not(unix))]
    {
        -1
    }
}

/// What a file that is not regular is, for a message.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = t;
    "a special file"
}

/// Opens `file` for reading without blocking (a FIFO put in place after the walk does not hang
/// the read), only when it is a regular file of at most [`MAX_FILE_BYTES`].
pub(super) fn open_regular(
    file: &SourceFile,
) -> std::result::Result<(std::fs::File, std::fs::Metadata), Diagnostic> {
    let io = |e: std::io::Error| Diagnostic::error(&file.rel, (1, 1), "io/read", e.to_string());
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let f = options.open(&file.abs).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(Diagnostic::warning(
            &file.rel,
            (1, 1),
            "io/skipped",
            "not a regular file: not read",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(&file.rel, meta.len()));
    }
    Ok((f, meta))
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

/// What parsing one file produced.
type Parsed = (Option<Postmortem>, Vec<Diagnostic>);

/// Parsed documents by path and content hash, so a rebuild re-parses (and re-highlights) only
/// the files that changed. Valid for one configuration: clear it when the config changes.
///
/// A file whose length, modification time and inode are those it had when it was last read is
/// not even read again, provided it had then been left alone for two seconds: a file can be
/// written twice within one tick of the file system's clock without its time changing, so a
/// file read that soon after a write is checked by its content next time (as git treats "racily
/// clean" files).
#[derive(Default)]
pub(crate) struct ParseCache {
    entries: std::sync::Mutex<std::collections::HashMap<PathBuf, Entry>>,
}

/// One cached file.
struct Entry {
    hash: u64,
    parsed: std::sync::Arc<Parsed>,
    /// The file's stamp when read, if it had settled by then.
    settled: Option<Stamp>,
}

/// How long a file must have been left alone before its stamp stands for its content.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// What identifies a version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: std::time::SystemTime,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
            inode,
        })
    }

    /// Whether the file had been left alone for [`SETTLED`] at `now`.
    fn settled(&self, now: std::time::SystemTime) -> bool {
        now.duration_since(self.modified)
            .is_ok_and(|age| age >= SETTLED)
    }
}

impl ParseCache {
    /// Forgets everything (after a configuration change).
    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }

    /// The parse of `path` if its stamp is the settled one it was read with.
    fn unchanged(&self, path: &Path, stamp: Stamp) -> Option<Parsed> {
        let kept = {
            let e = self.entries.lock().ok()?;
            let entry = e.get(path).filter(|en| en.settled == Some(stamp))?;
            entry.parsed.clone()
        };
        // The copy is made outside the lock, on each worker.
        Some((*kept).clone())
    }

    /// The parse of `path` if its text hashes to `hash`; records the file's new stamp.
    fn get(&self, path: &Path, hash: u64, settled: Option<Stamp>) -> Option<Parsed> {
        let kept = {
            let mut e = self.entries.lock().ok()?;
            let entry = e.get_mut(path).filter(|en| en.hash == hash)?;
            entry.settled = settled;
            entry.parsed.clone()
        };
        Some((*kept).clone())
    }

    fn put(&self, path: &Path, hash: u64, settled: Option<Stamp>, parsed: &Parsed) {
        let parsed = std::sync::Arc::new(parsed.clone());
        if let Ok(mut e) = self.entries.lock() {
            e.insert(
                path.to_path_buf(),
                Entry {
                    hash,
                    parsed,
                    settled,
                },
            );
        }
    }

    fn retain(&self, keep: &[SourceFile]) {
        if let Ok(mut e) = self.entries.lock() {
            let live: std::collections::HashSet<&Path> =
                keep.iter().map(|f| f.rel.as_path()).collect();
            e.retain(|p, _| live.contains(p.as_path()));
        }
    }
}

fn content_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// [`read_archive`] for `check FILE...`: the files `full` accepts (by their path relative to the
/// root) are parsed in full, every other one only for its front matter (ids, links and dates,
/// which archive-wide rules resolve against); their bodies are left empty.
pub(crate) fn read_archive_for(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    highlighter: &Highlighter,
    full: &(dyn Fn(&Path) -> bool + Sync),
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    read_archive_where(root, content_dir, config, highlighter, &|| {}, None, full)
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
    read_archive_where(
        root,
        content_dir,
        config,
        highlighter,
        progress,
        cache,
        &|_| true,
    )
}

fn read_archive_where(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    highlighter: &Highlighter,
    progress: &(dyn Fn() + Sync),
    cache: Option<&ParseCache>,
    full: &(dyn Fn(&Path) -> bool + Sync),
) -> (Vec<Postmortem>, Vec<Diagnostic>) {
    let (files, mut diags) = discover(root, content_dir);
    let ctx = ParseContext {
        config,
        highlighter,
    };
    if let Some(c) = cache {
        c.retain(&files);
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
                                parse_document(&f.rel, stem, &src, &ctx)
                            } else {
                                parse_front_matter(&f.rel, stem, &src, &ctx)
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
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn doc(title: &str) -> String {
        format!("+++\ntitle = \"{title}\"\ndate = 2025-03-01\nseverity = \"SEV2\"\n+++\nBody.\n")
    }

    /// Writes `text` into `path` in place (same inode) and sets its modification time.
    fn write_at(path: &Path, text: &str, modified: SystemTime) {
        std::fs::write(path, text).unwrap();
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(modified).unwrap();
    }

    fn titles(root: &Path, cache: &ParseCache) -> Vec<String> {
        let config = Config::default();
        let hl = Highlighter::new();
        let (pms, _) = read_archive_cached(
            root,
            &root.join("content"),
            &config,
            &hl,
            &|| {},
            Some(cache),
        );
        pms.into_iter().map(|p| p.title).collect()
    }

    #[test]
    fn the_parse_cache_trusts_a_stamp_only_once_the_file_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        let old = root.join("content/old.md");
        let new = root.join("content/new.md");
        let long_ago = SystemTime::now() - Duration::from_secs(60);
        write_at(&old, &doc("Old AAAA"), long_ago);
        let just_now = SystemTime::now();
        write_at(&new, &doc("New AAAA"), just_now);
        let cache = ParseCache::default();
        assert_eq!(titles(root, &cache), ["New AAAA", "Old AAAA"]);

        // A settled file with the same stamp is not read again: even text changed behind the
        // stamp's back (same length, same inode, time set back) is not seen.
        write_at(&old, &doc("Old BBBB"), long_ago);
        // A file read right after it was written is read again, whatever its stamp.
        write_at(&new, &doc("New BBBB"), just_now);
        assert_eq!(titles(root, &cache), ["New BBBB", "Old AAAA"]);

        // A settled file whose time moved is read again.
        write_at(&old, &doc("Old CCCC"), long_ago + Duration::from_secs(1));
        assert_eq!(titles(root, &cache), ["New BBBB", "Old CCCC"]);
    }
}
