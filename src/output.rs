//! The one writer. Rendering returns [`OutputFile`]s; this module puts them on disk without
//! ever leaving a half-written site: everything is written into a temporary folder beside the
//! output, which then replaces the previous output by rename ([`crate::swap`]: atomic exchange
//! where the platform has it, and recovery after a build that was killed).

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Marker file that identifies a folder as pmarchive output (so it may be replaced); the swap
/// owns it, as it recovers folders by it.
pub(crate) use crate::swap::MARKER;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputFile {
    /// Path relative to the output root, `/`-separated.
    pub path: String,
    /// Contents (empty for a copy).
    pub contents: Vec<u8>,
    /// A file of the archive to copy here instead (a postmortem's image, PDF or log): copied
    /// by streaming, never read into memory.
    pub copy_from: Option<PathBuf>,
}

impl OutputFile {
    /// A file at `path` (relative, `/`-separated).
    pub(crate) fn new(path: String, contents: Vec<u8>) -> Self {
        OutputFile {
            path,
            contents,
            copy_from: None,
        }
    }

    /// A copy of the archive's file `from` at `path`.
    pub(crate) fn copy(path: String, from: PathBuf) -> Self {
        OutputFile {
            path,
            contents: Vec::new(),
            copy_from: Some(from),
        }
    }

    /// Its size in bytes (a copy's as its source has it now).
    pub(crate) fn len(&self) -> u64 {
        match &self.copy_from {
            Some(from) => std::fs::metadata(from).map_or(0, |m| m.len()),
            None => self.contents.len() as u64,
        }
    }
}

/// Opens the archive's file `from` for copying: without blocking or following a final
/// symbolic link (the load checked the path; a link put in its place since is refused), and
/// only when it is a regular file.
pub(crate) fn open_copy_source(from: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOFOLLOW,
    );
    let f = options.open(from)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(f)
}

/// Whether a relative output path stays inside the output folder.
pub(crate) fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `files` to `out_dir`, replacing its previous content atomically (as far as the file
/// system allows: two renames). Refuses to replace a non-empty folder that pmarchive did not
/// create.
#[cfg(test)]
pub(crate) fn write_site(files: &[OutputFile], out_dir: &Path) -> Result<()> {
    let writer = SiteWriter::create(out_dir)?;
    for f in files {
        writer.write(f)?;
    }
    writer.commit()
}

/// Writes a site file by file (from any number of threads) into a temporary folder beside
/// `out_dir`, then [`commit`](SiteWriter::commit) swaps it in. Dropped without a commit (a
/// failed build), it removes the temporary folder and the previous site stays.
pub(crate) struct SiteWriter {
    out_dir: PathBuf,
    tmp: tempfile::TempDir,
}

impl SiteWriter {
    /// Prepares the temporary folder, after checking that `out_dir` may be replaced.
    pub(crate) fn create(out_dir: &Path) -> Result<SiteWriter> {
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        crate::swap::recover(out_dir);
        if out_dir.exists() {
            let is_ours = out_dir.join(MARKER).exists();
            let is_empty = std::fs::read_dir(out_dir)
                .map_err(|e| Error::io(out_dir, e))?
                .next()
                .is_none();
            if !is_ours && !is_empty {
                return Err(Error::Usage(format!(
                    "{} exists and was not created by pmarchive; refusing to replace it (remove it or choose another --output)",
                    out_dir.display()
                )));
            }
        }
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let tmp = tempfile::Builder::new()
            .prefix(&crate::swap::temp_prefix(&name))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(SiteWriter {
            out_dir: out_dir.to_path_buf(),
            tmp,
        })
    }

    /// Writes one file into the temporary folder.
    pub(crate) fn write(&self, f: &OutputFile) -> Result<()> {
        if !is_safe_relative(&f.path) {
            return Err(Error::Usage(format!(
                "refusing to write `{}` outside the output folder",
                f.path
            )));
        }
        let target = self.tmp.path().join(&f.path);
        // A file and a folder of the site at one path (ids are checked against the site's own
        // names, so this is a bug): named by its place in the site, not the temporary folder.
        let collision = |e: std::io::Error| {
            use std::io::ErrorKind::{AlreadyExists, IsADirectory, NotADirectory};
            if matches!(e.kind(), AlreadyExists | IsADirectory | NotADirectory) {
                Error::Usage(format!(
                    "two outputs of the site collide at `{}` ({e}): a postmortem id may be one of the site's own names",
                    f.path
                ))
            } else {
                Error::io(&target, e)
            }
        };
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(collision)?;
        }
        match &f.copy_from {
            Some(from) => {
                let mut source = open_copy_source(from).map_err(|e| Error::io(from, e))?;
                let mut out = std::fs::File::create(&target).map_err(collision)?;
                std::io::copy(&mut source, &mut out).map_err(|e| Error::io(&target, e))?;
                Ok(())
            }
            None => std::fs::write(&target, &f.contents).map_err(collision),
        }
    }

    /// Marks the folder as pmarchive output and swaps it in for the previous site.
    pub(crate) fn commit(self) -> Result<()> {
        let SiteWriter { out_dir, tmp } = self;
        std::fs::write(tmp.path().join(MARKER), b"pmarchive\n")
            .map_err(|e| Error::io(tmp.path(), e))?;
        let tmp_path = tmp.keep();
        crate::swap::replace_dir(&tmp_path, &out_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert!(is_safe_relative("postmortems/a/index.html"));
        assert!(!is_safe_relative("../x"));
        assert!(!is_safe_relative("/etc/passwd"));
        assert!(!is_safe_relative("a/../../x"));
    }

    #[test]
    fn replaces_previous_output_and_refuses_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let f = |p: &str| OutputFile::new(p.into(), b"x".to_vec());
        write_site(&[f("a.html"), f("d/b.html")], &out).unwrap();
        write_site(&[f("c.html")], &out).unwrap();
        assert!(out.join("c.html").exists() && !out.join("a.html").exists());
        let foreign = dir.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "x").unwrap();
        assert!(write_site(&[f("c.html")], &foreign).is_err());
        assert!(foreign.join("keep.txt").exists());
        assert!(write_site(&[f("../evil")], &out).is_err());
        assert!(out.join("c.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 2);
    }
}
