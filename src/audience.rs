//! Who a build is for, and so what it may publish.
//!
//! The ordinary site is for everyone in the company: it carries no restricted postmortem and no
//! draft (drafts only when asked). For the people allowed to read restricted postmortems,
//! `build --include-restricted --output DIR` makes a separate **restricted archive** with every
//! postmortem. The two must never be confused on disk, so the restricted archive:
//!
//! - is written only to an explicit `--output`, never the default `ROOT/public`;
//! - carries a marker file ([`RESTRICTED_MARKER`]) beside pmarchive's output marker;
//! - may not replace, or sit inside, a folder that holds the public site (the default output,
//!   or any folder with pmarchive's marker but without the restricted one);
//! - may not replace a folder that holds a public site anywhere inside it (that site would be
//!   deleted with the folder);
//! - and a public build may not replace a restricted archive (the public site would then be
//!   published where restricted readers expect, and look for, the restricted one), nor go
//!   inside one (the next restricted build would delete it).
//!
//! [`crate::enrich`] applies the audience once; nothing after it sees what the audience may not
//! read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::model::{Postmortem, Status, Visibility};
use crate::output::{OutputFile, MARKER};

/// The file that marks a folder as a restricted archive.
pub(crate) const RESTRICTED_MARKER: &str = ".pmarchive-restricted";

/// What a build publishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Audience {
    /// Drafts too (`--drafts`).
    pub drafts: bool,
    /// Restricted postmortems too (`--include-restricted`): a restricted archive.
    pub restricted: bool,
}

impl Audience {
    /// Whether this audience may read `pm`.
    pub fn admits(&self, pm: &Postmortem) -> bool {
        (self.restricted || pm.visibility == Visibility::Internal)
            && (self.drafts || pm.status != Status::Draft)
    }
}

/// Whose problems an audience may see: `serve` shows a failed build's errors on every page it
/// serves, so the errors of a postmortem its audience may not read must not show that
/// postmortem's path, values or lines (see `serve::redact`). Made from the documents whose
/// front matter could be read; a file missing here could not be read that far.
#[derive(Debug, Default)]
pub(crate) struct Screen {
    /// The audience.
    pub audience: Audience,
    /// For each source whose front matter was read: whether the audience may read it. Not when
    /// its `status` or `visibility` is in error (a misspelt `draft` reads as published): what
    /// the author meant is unknown, so it is not shown.
    pub readable: HashMap<PathBuf, bool>,
    /// The ids, titles and source paths of the postmortems the audience may not read (an
    /// error of another file can name them: a duplicate id, a "did you mean" suggestion).
    pub secrets: Vec<String>,
}

impl Screen {
    /// The screen of a load's `postmortems` and `diags` for `audience`.
    pub(crate) fn of(
        postmortems: &[Postmortem],
        diags: &[Diagnostic],
        audience: Audience,
    ) -> Screen {
        let mut readable = HashMap::with_capacity(postmortems.len());
        let mut secrets = Vec::new();
        // Errors are few (any fails the build); warnings are many and never make a file unsure.
        let mut errors: HashMap<&Path, Vec<&Diagnostic>> = HashMap::new();
        for d in diags.iter().filter(|d| d.is_error()) {
            errors.entry(d.file.as_path()).or_default().push(d);
        }
        for pm in postmortems {
            let lines: Vec<usize> = ["status", "visibility"]
                .iter()
                .filter_map(|k| pm.locations.get(*k).map(|at| at.0))
                .collect();
            let unsure = errors.get(pm.source.as_path()).is_some_and(|found| {
                found.iter().any(|d| {
                    lines.contains(&d.line)
                        || matches!(d.rule, "schema/status" | "schema/visibility")
                })
            });
            let ok = audience.admits(pm) && !unsure;
            if !ok {
                secrets.push(pm.id.clone());
                secrets.push(pm.title.clone());
                secrets.push(pm.source.display().to_string());
            }
            // A file read twice (a duplicate) is readable only if both are.
            let entry = readable.entry(pm.source.clone()).or_insert(ok);
            *entry &= ok;
        }
        secrets.retain(|s| !s.trim().is_empty());
        secrets.sort();
        secrets.dedup();
        Screen {
            audience,
            readable,
            secrets,
        }
    }
}

/// The marker file written into a restricted archive.
pub(crate) fn restricted_marker() -> OutputFile {
    OutputFile::new(
        RESTRICTED_MARKER.into(),
        b"pmarchive restricted archive: includes restricted postmortems; do not publish it to everyone\n"
            .to_vec(),
    )
}

/// Absolute form of a path that may not exist yet (its nearest existing ancestor resolved).
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let mut existing = p.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut base = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        base.push(n);
    }
    base
}

/// Whether `dir` holds a public pmarchive site (pmarchive's marker, not the restricted one).
fn is_public_site(dir: &Path) -> bool {
    dir.join(MARKER).is_file() && !dir.join(RESTRICTED_MARKER).exists()
}

/// Refuses an output folder that would mix the public site and the restricted archive.
/// `root` is the site root (whose `public/` is the default public output).
pub(crate) fn check_output(root: &Path, output: &Path, audience: Audience) -> Result<()> {
    let out = absolute(output);
    if audience.restricted {
        let public = absolute(&root.join("public"));
        if out.starts_with(&public) {
            return Err(Error::Usage(format!(
                "{} is the public site's folder (or inside it); the restricted archive goes to its own --output, away from the public site",
                output.display()
            )));
        }
        if let Some(site) = out.ancestors().find(|a| is_public_site(a)) {
            return Err(Error::Usage(format!(
                "{} holds a public site built by pmarchive; refusing to write the restricted archive {}",
                site.display(),
                if site == out { "over it" } else { "inside it" }
            )));
        }
        // Replacing the folder would delete a public site built inside it.
        if let Some(site) = public_site_below(&out) {
            return Err(Error::Usage(format!(
                "{} holds a public site built by pmarchive ({}); refusing to replace it with the restricted archive (move the public site out first)",
                output.display(),
                site.display()
            )));
        }
    } else if let Some(archive) = out.ancestors().find(|a| a.join(RESTRICTED_MARKER).exists()) {
        return Err(Error::Usage(if archive == out {
            format!(
                "{} holds a restricted archive; refusing to replace it with the public site (choose another --output)",
                output.display()
            )
        } else {
            format!(
                "{} is inside the restricted archive {}; the public site goes outside it (choose another --output)",
                output.display(),
                archive.display()
            )
        }));
    }
    Ok(())
}

/// A public site in a folder below `dir` (not `dir` itself), if any. Links are not followed.
fn public_site_below(dir: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .find(|d| is_public_site(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_archives_and_public_sites_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let public = Audience::default();
        let restricted = Audience {
            restricted: true,
            ..Audience::default()
        };
        // The default public output, existing or not, and anything inside it.
        assert!(check_output(root, &root.join("public"), restricted).is_err());
        assert!(check_output(root, &root.join("public/r"), restricted).is_err());
        assert!(check_output(root, &root.join("restricted"), restricted).is_ok());
        // A folder holding a public site, and folders inside it.
        let site = root.join("www");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join(MARKER), "pmarchive\n").unwrap();
        assert!(check_output(root, &site, restricted).is_err());
        assert!(check_output(root, &site.join("inner/r"), restricted).is_err());
        assert!(check_output(root, &site, public).is_ok());
        // A restricted archive is not replaced by a public build, but by a restricted one.
        std::fs::write(site.join(RESTRICTED_MARKER), "x").unwrap();
        assert!(check_output(root, &site, public).is_err());
        assert!(check_output(root, &site, restricted).is_ok());
        // Nor does a public site go inside a restricted archive, or a restricted build replace
        // a folder with a public site inside.
        assert!(check_output(root, &site.join("inner"), public).is_err());
        assert!(check_output(root, &site.join("a/b"), public).is_err());
        let inner = site.join("deep/inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(inner.join(MARKER), "pmarchive\n").unwrap();
        assert!(check_output(root, &site, restricted).is_err());
    }
}
