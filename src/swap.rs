//! Replacing the output folder so that a reader, or a build killed at any instant, sees either
//! the previous site or the new one, never a mix and never nothing.
//!
//! The writer ([`crate::output`]) builds the new site in a temporary folder beside the output,
//! named [`temp_prefix`] (`.public.tmp-<pid>-…`), then calls [`replace_dir`]:
//!
//! - on Linux, one `renameat2(RENAME_EXCHANGE)` swaps the two folders atomically, and the
//!   temporary name then holds the previous site, which is removed;
//! - elsewhere (or on a file system without exchange), the output is renamed aside to
//!   `.public.old-<pid>` and the new folder renamed in: two renames, with a window between them
//!   where the output is missing.
//!
//! A build killed with SIGKILL runs no destructor, so [`recover`] runs before every write: it
//! puts back a previous site left aside in that window, and removes the temporary and old
//! folders of builds whose process is gone (a folder of a build still running is left alone).
//! Nothing of pmarchive ever treats these dot-folders as the site.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Marker file that identifies a folder as pmarchive output (so it may be replaced).
pub(crate) const MARKER: &str = ".pmarchive-output";

/// The prefix of the temporary folder a build writes into, beside the output called `name`.
pub(crate) fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-{}-", std::process::id())
}

fn old_name(name: &str) -> String {
    format!(".{name}.old-{}", std::process::id())
}

/// The pid in a leftover's name (`.public.tmp-<pid>-…` / `.public.old-<pid>`), if `file` is a
/// leftover of output `name`.
fn leftover_pid(file: &str, name: &str) -> Option<(bool, u32)> {
    let rest = file.strip_prefix(&format!(".{name}."))?;
    let (is_old, rest) = if let Some(r) = rest.strip_prefix("tmp-") {
        (false, r)
    } else {
        (true, rest.strip_prefix("old-")?)
    };
    let digits = rest.split('-').next()?;
    Some((is_old, digits.parse().ok()?))
}

/// Whether process `pid` is running. Unknown (not Unix) counts as running, so nothing of a
/// possibly live build is ever removed.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks that the process exists; no memory is shared.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Cleans up after builds of `out_dir` that were killed: puts back a previous site left aside
/// by an interrupted swap, removes their temporary and old folders. Errors are ignored (the
/// leftovers are only disk space), except that a site is never removed.
pub(crate) fn recover(out_dir: &Path) {
    let (Some(parent), Some(name)) = (out_dir.parent(), out_dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut stale: Vec<(bool, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let file = e.file_name();
            let (is_old, pid) = leftover_pid(&file.to_string_lossy(), &name)?;
            (!alive(pid) && e.file_type().ok()?.is_dir()).then(|| (is_old, e.path()))
        })
        .collect();
    stale.sort();
    for (is_old, path) in stale {
        if is_old && !out_dir.exists() && path.join(MARKER).is_file() {
            // Killed between the two renames: the previous site is the old folder.
            if std::fs::rename(&path, out_dir).is_ok() {
                continue;
            }
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

/// Replaces `out_dir` with the complete folder `new` (a sibling), atomically where the platform
/// allows; the previous site is removed afterwards.
pub(crate) fn replace_dir(new: &Path, out_dir: &Path) -> Result<()> {
    if !out_dir.exists() {
        return std::fs::rename(new, out_dir).map_err(|e| Error::io(out_dir, e));
    }
    if exchange(new, out_dir).is_ok() {
        // `new` now holds the previous site.
        return std::fs::remove_dir_all(new).map_err(|e| Error::io(new, e));
    }
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let old = out_dir.with_file_name(old_name(&name));
    std::fs::rename(out_dir, &old).map_err(|e| Error::io(out_dir, e))?;
    if let Err(e) = std::fs::rename(new, out_dir) {
        // Put the previous site back.
        let _ = std::fs::rename(&old, out_dir);
        let _ = std::fs::remove_dir_all(new);
        return Err(Error::io(out_dir, e));
    }
    std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))
}

/// Swaps two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(MARKER), "pmarchive\n").unwrap();
        std::fs::write(dir.join("index.html"), text).unwrap();
    }

    #[test]
    fn names_of_leftovers() {
        assert_eq!(
            leftover_pid(".public.tmp-123-AbC", "public"),
            Some((false, 123))
        );
        assert_eq!(leftover_pid(".public.old-77", "public"), Some((true, 77)));
        assert_eq!(leftover_pid(".public.tmp-AbC", "public"), None);
        assert_eq!(leftover_pid(".other.tmp-1-x", "public"), None);
        assert_eq!(leftover_pid("public", "public"), None);
    }

    #[test]
    fn replaces_a_site_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        site(&out, "old");
        let new = dir.path().join(format!("{}x", temp_prefix("public")));
        site(&new, "new");
        replace_dir(&new, &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
        assert!(!new.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchanges_two_folders_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        site(&a, "A");
        site(&b, "B");
        exchange(&a, &b).unwrap();
        assert_eq!(std::fs::read_to_string(a.join("index.html")).unwrap(), "B");
        assert_eq!(std::fs::read_to_string(b.join("index.html")).unwrap(), "A");
        let missing = dir.path().join("missing");
        assert!(exchange(&a, &missing).is_err());
        assert_eq!(std::fs::read_to_string(a.join("index.html")).unwrap(), "B");
    }

    /// The pid of a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[cfg(unix)]
    #[test]
    fn recovers_from_killed_builds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let dead = dead_pid();
        // Killed between the two renames: the site is missing, the old folder holds it.
        site(&dir.path().join(format!(".public.old-{dead}")), "previous");
        // Killed while writing: a half-written temporary folder.
        let half = dir.path().join(format!(".public.tmp-{dead}-abc"));
        std::fs::create_dir_all(half.join("postmortems")).unwrap();
        // A build still running (this process): left alone.
        let live = dir.path().join(format!("{}live", temp_prefix("public")));
        std::fs::create_dir_all(&live).unwrap();
        recover(&out);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        assert!(!half.exists());
        assert!(live.exists());
        // With the site in place, a stale old folder is only removed.
        site(&dir.path().join(format!(".public.old-{dead}")), "older");
        recover(&out);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "previous"
        );
        assert!(!dir.path().join(format!(".public.old-{dead}")).exists());
    }
}
