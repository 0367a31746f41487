//! Links between postmortems in their bodies (`[the DB incident](b.md)`, `pm:ID#anchor`): each
//! becomes the target's page URL, relative to the linking page, when the target is published
//! in this site; otherwise (no such postmortem, or one this site does not show) the link is
//! shown as its text (a `<span class="link-broken">`). A heading anchor the target does not have is left
//! out (the link goes to the page). `check` reports each of these (`links/broken`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::model::{link_marker, FileStatus, Postmortem, RefTarget};

/// What a broken link becomes: its text in a `<span>` (not a link), marked for the theme.
const BROKEN: &str = "<span class=\"link-broken\">";

/// Replaces the link markers in the bodies of `postmortems` (the site's, so only publishable
/// targets are found). Bodies without links to postmortems are not touched.
pub(crate) fn resolve_links(postmortems: &mut [Postmortem], by_id: &HashMap<String, usize>) {
    let has_links = |p: &Postmortem| p.body.references.iter().any(|r| r.target.is_postmortem());
    if !postmortems.iter().any(has_links) {
        return;
    }
    let by_source: HashMap<&Path, usize> = postmortems
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.as_path(), i))
        .collect();
    let resolved: Vec<(usize, String)> = postmortems
        .iter()
        .enumerate()
        .filter(|(_, p)| has_links(p))
        .map(|(i, pm)| {
            let mut html = pm.body.html.clone();
            for (n, r) in pm.body.references.iter().enumerate() {
                let target = match &r.target {
                    RefTarget::Source { path, .. } => by_source.get(path.as_path()),
                    RefTarget::Id { id, .. } => by_id.get(id),
                    _ => continue,
                };
                let replacement = match target.map(|&j| &postmortems[j]) {
                    None => {
                        html = unlink(&html, &link_marker(n));
                        continue;
                    }
                    Some(t) => {
                        let anchor = r
                            .target
                            .anchor()
                            .filter(|a| t.body.headings.iter().any(|h| h.anchor == *a));
                        match anchor {
                            Some(a) => format!("href=\"../{}/#{a}\"", t.id),
                            None => format!("href=\"../{}/\"", t.id),
                        }
                    }
                };
                html = html.replace(&link_marker(n), &replacement);
            }
            (i, html)
        })
        .collect();
    for (i, html) in resolved {
        let mut body = (*postmortems[i].body).clone();
        body.html = html;
        postmortems[i].body = Arc::new(body);
    }
}

/// The folder of a page bundle (`2025/checkout-outage/` for `2025/checkout-outage/index.md`),
/// if `pm` is one.
pub(crate) fn bundle_dir(pm: &Postmortem) -> Option<&Path> {
    (pm.source.file_name()? == "index.md")
        .then(|| pm.source.parent())
        .flatten()
}

/// Marks [`FileStatus::Private`] each file the site's postmortems refer to inside the bundle
/// folder of a postmortem the site does not show (`hidden`): a bundle's files are its
/// postmortem's, and reach only the sites that show it.
pub(crate) fn withhold_private_files(postmortems: &mut [Postmortem], hidden: &[Postmortem]) {
    // Each bundle folder, and whether its postmortem is shown: the nearest one owns a file.
    let mut bundles: HashMap<&Path, bool> = hidden
        .iter()
        .filter_map(bundle_dir)
        .map(|d| (d, false))
        .collect();
    if bundles.is_empty() {
        return;
    }
    for pm in postmortems.iter() {
        if let Some(dir) = bundle_dir(pm) {
            bundles.insert(dir, true);
        }
    }
    let private: Vec<Vec<usize>> = postmortems
        .iter()
        .map(|pm| {
            let paths = pm.body.references.iter().filter_map(|r| match &r.target {
                RefTarget::File { path, .. } => Some(path),
                _ => None,
            });
            paths
                .enumerate()
                .filter(|(_, path)| {
                    path.ancestors()
                        .skip(1)
                        .find_map(|a| bundles.get(a))
                        .is_some_and(|shown| !shown)
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    for (pm, private) in postmortems.iter_mut().zip(private) {
        for i in private {
            if let Some(status) = pm.files.get_mut(i) {
                *status = FileStatus::Private;
            }
        }
    }
}

/// `html` with each `<a ...>` holding `marker` (and its `</a>`) replaced by a `<span>`. Links do
/// not nest, so the link's end is the next `</a>`.
fn unlink(html: &str, marker: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(marker) {
        let Some(open) = rest[..at].rfind("<a ") else {
            break;
        };
        let Some(open_end) = rest[at..].find('>').map(|i| at + i + 1) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(BROKEN);
        rest = &rest[open_end..];
        match rest.find("</a>") {
            Some(close) => {
                out.push_str(&rest[..close]);
                out.push_str("</span>");
                rest = &rest[close + 4..];
            }
            None => {
                out.push_str(rest);
                out.push_str("</span>");
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_links_become_their_text() {
        let m = link_marker(2);
        let html =
            format!("<p>a <a {m} title=\"t\" rel=\"x\">b <em>c</em></a> <a href=\"y\">d</a></p>");
        assert_eq!(
            unlink(&html, &m),
            "<p>a <span class=\"link-broken\">b <em>c</em></span> <a href=\"y\">d</a></p>"
        );
    }
}
