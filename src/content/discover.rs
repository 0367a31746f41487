//! Finding the Markdown files under `content/`: what is read, and why each other `.md` entry
//! (hidden, a link leaving the folder, broken, a loop, a special file) is skipped.

use super::*;

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
pub(super) enum Found {
    /// A postmortem to read.
    Read(SourceFile),
    /// Not read, with why.
    Skipped(Diagnostic),
    /// Not a postmortem (another file, a link to one): nothing to say.
    Nothing,
}

/// A warning that the entry at `rel` is not read.
pub(super) fn skipped(rel: &Path, rule: &'static str, msg: String, help: &str) -> Found {
    Found::Skipped(Diagnostic::warning(rel, (1, 1), rule, msg).suggest(help))
}

/// A symbolic link at `rel`: read only when it leads to a regular Markdown file inside the
/// content folder (`content`, canonical); its target is never opened otherwise.
pub(super) fn through_link(
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
pub(super) fn markdown_entry(entry: &walkdir::DirEntry, rel: PathBuf, hidden: bool) -> Found {
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
pub(super) enum Link {
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

pub(super) fn resolve_link(link: &Path, canonical_content: &Path) -> Link {
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
pub(super) fn libc_eloop() -> i32 {
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
pub(super) fn special_kind(t: &std::fs::FileType) -> &'static str {
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
