//! What a batch of file-system events means for the site: a pure classification, tested with
//! tables, so editors' save patterns (atomic rename-over, bursts of writes, create, delete,
//! rename, new folders) all become one rebuild of the right kind.

use std::path::{Path, PathBuf};

/// What changed, most far-reaching first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// Nothing the site depends on (editor swap files, the output folder, `.git`).
    None,
    /// Postmortems changed: re-parse those, re-render everything.
    Content,
    /// Templates or static files changed: re-render, parsed documents stay valid.
    Theme,
    /// The configuration changed: everything is rebuilt from scratch.
    Config,
}

/// Paths the watcher reports, relative to what the site reads.
pub(crate) struct Layout {
    /// The site root.
    pub root: PathBuf,
    /// The content folder.
    pub content: PathBuf,
    /// The configuration file.
    pub config: PathBuf,
    /// The output folder (ignored).
    pub output: PathBuf,
}

fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913" // vim's write test
        || (name.starts_with('.') && name != ".")
}

/// Classifies one changed path.
pub(crate) fn classify_path(layout: &Layout, path: &Path) -> Change {
    if path.starts_with(&layout.output) || path.components().any(|c| c.as_os_str() == ".git") {
        return Change::None;
    }
    if path == layout.config {
        return Change::Config;
    }
    if is_editor_noise(path) {
        return Change::None;
    }
    if path.starts_with(layout.root.join("theme")) {
        return Change::Theme;
    }
    if path.starts_with(&layout.content) {
        // A Markdown file, a folder (new, renamed or deleted), or a file a postmortem may
        // refer to (an image appearing fixes a `links/missing-file`, its copy changes).
        return Change::Content;
    }
    Change::None
}

/// The most far-reaching change of a batch.
pub(crate) fn classify<'a>(layout: &Layout, paths: impl IntoIterator<Item = &'a Path>) -> Change {
    paths
        .into_iter()
        .map(|p| classify_path(layout, p))
        .max()
        .unwrap_or(Change::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            root: "/site".into(),
            content: "/site/content".into(),
            config: "/site/pmarchive.toml".into(),
            output: "/site/public".into(),
        }
    }

    #[test]
    fn classifies_editor_save_patterns() {
        let l = layout();
        let cases: &[(&[&str], Change)] = &[
            (&["/site/content/2025/a.md"], Change::Content),
            // vim: write test file, swap file, then the real file
            (
                &[
                    "/site/content/4913",
                    "/site/content/.a.md.swp",
                    "/site/content/a.md",
                ],
                Change::Content,
            ),
            // atomic rename-over: temp file renamed onto the target
            (
                &["/site/content/.a.md.tmp", "/site/content/a.md"],
                Change::Content,
            ),
            // emacs lock and backup files alone
            (
                &["/site/content/.#a.md", "/site/content/a.md~"],
                Change::None,
            ),
            // a new folder (no extension) and a file in it
            (&["/site/content/2026"], Change::Content),
            (&["/site/theme/templates/postmortem.html"], Change::Theme),
            (
                &["/site/theme/static/style.css", "/site/content/a.md"],
                Change::Theme,
            ),
            (
                &["/site/pmarchive.toml", "/site/content/a.md"],
                Change::Config,
            ),
            (&["/site/public/index.html"], Change::None),
            (&["/site/.git/index"], Change::None),
            // A file beside a postmortem (an image it shows) may have appeared or gone.
            (&["/site/content/p99.png"], Change::Content),
            (&["/site/README.md"], Change::None),
        ];
        for (paths, want) in cases {
            let got = classify(&l, paths.iter().map(Path::new));
            assert_eq!(got, *want, "{paths:?}");
        }
    }
}
