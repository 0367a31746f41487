//! What a Markdown link or image in a body points at: the web (left alone), a file beside the
//! postmortem (copied next to its page), or another postmortem (by file or by `pm:ID`).
//! Pure: paths are resolved lexically against the postmortem's own file; whether a file exists
//! and stays inside `content/` is the load's business ([`super::check_files`]).

use std::path::{Component, Path, PathBuf};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use pulldown_cmark::{CowStr, Event, Tag};

use crate::model::{link_marker, RefTarget, Reference};

/// The prefix of a link to a postmortem by id: `pm:ID` or `pm:ID#anchor`.
pub(crate) const ID_PREFIX: &str = "pm:";

/// The folder, inside a page's folder, of the copies of files that are not below the
/// postmortem's own folder (`../shared/map.png`), kept at their path from the site root.
pub(crate) const FILES_DIR: &str = "files";

/// What `url` (a link's or an image's, as written in `file`, relative to the site root)
/// points at, and the URL the page must use instead when it differs; `None` for what is not
/// the archive's (web and mail links, `#anchors` of the page itself, absolute paths).
pub(crate) fn classify(url: &str, file: &Path, image: bool) -> Option<(RefTarget, Option<String>)> {
    if let Some(rest) = url.strip_prefix(ID_PREFIX).filter(|_| !image) {
        let (id, anchor) = split_fragment(rest);
        let target = RefTarget::Id {
            id: decode(id),
            anchor: anchor.map(decode),
        };
        return Some((target, None));
    }
    if url.is_empty() || url.starts_with(['#', '/', '\\', '?']) || has_scheme(url) {
        return None;
    }
    let (before_fragment, fragment) = split_fragment(url);
    let (path_part, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let relative = decode(path_part);
    if relative.is_empty() {
        return None;
    }
    let base = file.parent().unwrap_or(Path::new(""));
    let Some(path) = normalise(&base.join(&relative)) else {
        return Some((RefTarget::Outside, None));
    };
    if !image && relative.to_ascii_lowercase().ends_with(".md") {
        let target = RefTarget::Source {
            path,
            anchor: fragment.map(decode),
        };
        return Some((target, None));
    }
    // Below the postmortem's folder: the copy keeps its place, and the URL as written works.
    let below = normalise(Path::new(&relative)).filter(|p| {
        !p.as_os_str().is_empty() && !p.starts_with("..") && p != Path::new("index.html")
    });
    match below {
        Some(rel) => {
            let dest = slash_path(&rel);
            Some((RefTarget::File { path, dest }, None))
        }
        None => {
            let dest = format!("{FILES_DIR}/{}", slash_path(&path));
            let mut new_url = utf8_percent_encode(&dest, PATH).to_string();
            if let Some(q) = query {
                new_url.push('?');
                new_url.push_str(q);
            }
            if let Some(f) = fragment {
                new_url.push('#');
                new_url.push_str(f);
            }
            Some((RefTarget::File { path, dest }, Some(new_url)))
        }
    }
}

/// What a URL path keeps percent-encoded (besides controls): what would end or change it.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// The event a link or image start becomes, recording it in `references` when it points into
/// the archive (`at`: its line and column): a file's URL rewritten where its copy moves, a
/// postmortem link's `href` replaced by a marker ([`link_marker`]) that `enrich` resolves.
pub(crate) fn rewrite<'a>(
    event: &Event<'a>,
    file: &Path,
    at: impl FnOnce() -> (usize, usize),
    references: &mut Vec<Reference>,
) -> Event<'a> {
    let (dest_url, title, image) = match event {
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) => (dest_url, title, false),
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => (dest_url, title, true),
        other => return other.clone(),
    };
    let Some((target, new_url)) = classify(dest_url, file, image) else {
        return event.clone();
    };
    let n = references.len();
    let postmortem = target.is_postmortem();
    let (line, column) = at();
    references.push(Reference {
        line,
        column,
        url: dest_url.to_string(),
        target,
    });
    if postmortem {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", super::markdown::escape_html(title))
        };
        return Event::InlineHtml(CowStr::from(format!("<a {}{title}>", link_marker(n))));
    }
    match (new_url, event.clone()) {
        (
            Some(url),
            Event::Start(Tag::Link {
                link_type,
                title,
                id,
                ..
            }),
        ) => Event::Start(Tag::Link {
            link_type,
            dest_url: url.into(),
            title,
            id,
        }),
        (
            Some(url),
            Event::Start(Tag::Image {
                link_type,
                title,
                id,
                ..
            }),
        ) => Event::Start(Tag::Image {
            link_type,
            dest_url: url.into(),
            title,
            id,
        }),
        (_, e) => e,
    }
}

/// A scheme (`https:`, `mailto:`, `C:`) before the first `/`, `?` or `#`.
fn has_scheme(url: &str) -> bool {
    url.find([':', '/', '?', '#'])
        .is_some_and(|i| url.as_bytes()[i] == b':')
}

fn split_fragment(s: &str) -> (&str, Option<&str>) {
    match s.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// `path` without `.` and with each `..` applied to the component before it (a relative path
/// keeps the `..` it starts with: the content folder may be `../postmortems`); `None` when it
/// climbs above the file system's root.
pub(crate) fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => return None,
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// `a/b/c` whatever the platform's separator, every component a plain name (a leading `..`
/// becomes `__`, a root is left out), so it can name a place inside the output.
fn slash_path(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy()),
            Component::ParentDir => Some("__".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(url: &str) -> Option<(RefTarget, Option<String>)> {
        classify(url, Path::new("content/2025/a.md"), false)
    }

    #[test]
    fn web_links_and_page_anchors_are_not_the_archives() {
        for url in [
            "https://x.test/a.png",
            "mailto:a@b.test",
            "#timeline",
            "/abs.png",
            "//host/x",
            "",
        ] {
            assert_eq!(c(url), None, "{url}");
        }
    }

    #[test]
    fn files_keep_their_url_below_the_postmortem_and_move_under_files_otherwise() {
        let file = |p: &str, d: &str| RefTarget::File {
            path: PathBuf::from(p),
            dest: d.into(),
        };
        assert_eq!(
            c("img/p%2099.png?x=1#f"),
            Some((file("content/2025/img/p 99.png", "img/p 99.png"), None))
        );
        assert_eq!(
            c("./logs/../x.txt"),
            Some((file("content/2025/x.txt", "x.txt"), None))
        );
        assert_eq!(
            c("../shared/map one.png"),
            Some((
                file(
                    "content/shared/map one.png",
                    "files/content/shared/map one.png"
                ),
                Some("files/content/shared/map%20one.png".into())
            ))
        );
        assert_eq!(
            c("index.html").unwrap().1.as_deref(),
            Some("files/content/2025/index.html")
        );
        // Outside content/ (and the root): judged on load, never opened.
        assert_eq!(
            c("../../../etc/passwd"),
            Some((
                file("../etc/passwd", "files/__/etc/passwd"),
                Some("files/__/etc/passwd".into())
            ))
        );
        assert_eq!(
            classify("../../x", Path::new("/a.md"), false),
            Some((RefTarget::Outside, None))
        );
        // A content folder beside the root (`content_dir = "../pm"`), or elsewhere.
        assert_eq!(
            classify("p.png", Path::new("../pm/a.md"), true),
            Some((file("../pm/p.png", "p.png"), None))
        );
        assert_eq!(
            classify("../x.png", Path::new("/srv/pm/2025/a.md"), true),
            Some((
                file("/srv/pm/x.png", "files/srv/pm/x.png"),
                Some("files/srv/pm/x.png".into())
            ))
        );
    }

    #[test]
    fn postmortem_links_by_file_and_by_id() {
        assert_eq!(
            c("../2024/x.md#time%20line"),
            Some((
                RefTarget::Source {
                    path: "content/2024/x.md".into(),
                    anchor: Some("time line".into())
                },
                None
            ))
        );
        assert_eq!(
            c("pm:db-outage#timeline"),
            Some((
                RefTarget::Id {
                    id: "db-outage".into(),
                    anchor: Some("timeline".into())
                },
                None
            ))
        );
        // An image is a file, even of a `.md`.
        assert!(matches!(
            classify("x.md", Path::new("content/a.md"), true),
            Some((RefTarget::File { .. }, None))
        ));
    }
}
