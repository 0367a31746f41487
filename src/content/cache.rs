//! The parse cache: parsed documents by path and content hash, so a rebuild re-parses only the
//! files that changed.

use super::*;

/// What parsing one file produced.
pub(super) type Parsed = (Option<Postmortem>, Vec<Diagnostic>);

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
    pub(super) entries: std::sync::Mutex<std::collections::HashMap<PathBuf, Entry>>,
}

/// One cached file.
pub(super) struct Entry {
    pub(super) hash: u64,
    pub(super) parsed: std::sync::Arc<Parsed>,
    /// The file's stamp when read, if it had settled by then.
    pub(super) settled: Option<Stamp>,
}

/// How long a file must have been left alone before its stamp stands for its content.
pub(super) const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

/// What identifies a version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) len: u64,
    pub(super) modified: std::time::SystemTime,
    pub(super) inode: u64,
}

impl Stamp {
    pub(super) fn of(path: &Path) -> Option<Stamp> {
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
    pub(super) fn settled(&self, now: std::time::SystemTime) -> bool {
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
    pub(super) fn unchanged(&self, path: &Path, stamp: Stamp) -> Option<Parsed> {
        let kept = {
            let e = self.entries.lock().ok()?;
            let entry = e.get(path).filter(|en| en.settled == Some(stamp))?;
            entry.parsed.clone()
        };
        // The copy is made outside the lock, on each worker.
        Some((*kept).clone())
    }

    /// The parse of `path` if its text hashes to `hash`; records the file's new stamp.
    pub(super) fn get(&self, path: &Path, hash: u64, settled: Option<Stamp>) -> Option<Parsed> {
        let kept = {
            let mut e = self.entries.lock().ok()?;
            let entry = e.get_mut(path).filter(|en| en.hash == hash)?;
            entry.settled = settled;
            entry.parsed.clone()
        };
        Some((*kept).clone())
    }

    pub(super) fn put(&self, path: &Path, hash: u64, settled: Option<Stamp>, parsed: &Parsed) {
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

    pub(super) fn retain(&self, keep: &[SourceFile]) {
        if let Ok(mut e) = self.entries.lock() {
            let live: std::collections::HashSet<&Path> =
                keep.iter().map(|f| f.rel.as_path()).collect();
            e.retain(|p, _| live.contains(p.as_path()));
        }
    }
}

pub(super) fn content_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}
