//! Links rules: files a postmortem refers to that are not there (or not the archive's), and
//! links to other postmortems that lead nowhere on the site (no such postmortem, no such
//! heading, or one that is not published where the linking postmortem is).

use super::LintContext;
use crate::error::Diagnostic;
use crate::model::{FileStatus, Postmortem, RefTarget, Status, Visibility};

pub(super) fn check(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut files = pm.files.iter();
    for r in &pm.body.references {
        let at = (r.line, r.column);
        let url = &r.url;
        match &r.target {
            RefTarget::File { .. } => {
                let problem = match files.next() {
                    Some(FileStatus::Missing) => "refers to a file that does not exist",
                    Some(FileStatus::NotAFile) => "refers to something that is not a file",
                    Some(FileStatus::Hidden) => "refers to a hidden file: not published",
                    Some(FileStatus::Outside) => {
                        out.push(outside(pm, at, url));
                        continue;
                    }
                    Some(FileStatus::Found(_)) => {
                        private_file(pm, ctx, r, out);
                        continue;
                    }
                    Some(FileStatus::Private) | None => continue,
                };
                out.push(
                    Diagnostic::warning(
                        &pm.source,
                        at,
                        "links/missing-file",
                        format!("`{url}` {problem}; it is not copied into the site"),
                    )
                    .suggest("put the file beside the postmortem, or fix the path"),
                );
            }
            RefTarget::Outside => out.push(outside(pm, at, url)),
            RefTarget::Source { .. } | RefTarget::Id { .. } => broken(pm, ctx, r, out),
        }
    }
}

/// A file in the page-bundle folder of a postmortem not published where `pm` is: the sites
/// that show `pm` leave it out.
fn private_file(
    pm: &Postmortem,
    ctx: &LintContext<'_>,
    r: &crate::model::Reference,
    out: &mut Vec<Diagnostic>,
) {
    let RefTarget::File { path, .. } = &r.target else {
        return;
    };
    let owner = path
        .ancestors()
        .skip(1)
        .find_map(|dir| ctx.by_source.get(dir.join("index.md").as_path()).copied());
    if owner.is_some_and(|o| o.source != pm.source && !shown_with(pm, o)) {
        out.push(
            Diagnostic::warning(
                &pm.source,
                (r.line, r.column),
                "links/broken",
                format!(
                    "`{}` belongs to a postmortem that is not published where this one is (restricted or a draft): it is not copied",
                    r.url
                ),
            )
            .suggest("copy the file beside this postmortem if it may be shown here"),
        );
    }
}

fn outside(pm: &Postmortem, at: (usize, usize), url: &str) -> Diagnostic {
    Diagnostic::warning(
        &pm.source,
        at,
        "links/outside",
        format!("`{url}` leads outside the content folder: not read, not copied"),
    )
    .suggest("copy the file into content/, beside the postmortem")
}

/// Whether the site that shows `from` also shows `to`: the public site shows internal
/// postmortems, the restricted archive restricted ones too; drafts only with `--drafts`.
pub(crate) fn shown_with(from: &Postmortem, to: &Postmortem) -> bool {
    (from.visibility == Visibility::Restricted || to.visibility == Visibility::Internal)
        && (from.status == Status::Draft || to.status != Status::Draft)
}

fn broken(
    pm: &Postmortem,
    ctx: &LintContext<'_>,
    r: &crate::model::Reference,
    out: &mut Vec<Diagnostic>,
) {
    let target = match &r.target {
        RefTarget::Source { path, .. } => ctx.by_source.get(path.as_path()).copied(),
        RefTarget::Id { id, .. } => ctx.by_id.get(id.as_str()).copied(),
        _ => return,
    };
    let url = &r.url;
    let (message, help) = match target {
        None => (
            format!("`{url}` is no postmortem of the archive"),
            match &r.target {
                RefTarget::Id { .. } => "use `pm:` followed by a postmortem's id",
                _ => "link to a postmortem's `.md` file, relative to this one",
            },
        ),
        // Nothing of the target is named: it may be a postmortem this page's readers may
        // not read.
        Some(t) if !shown_with(pm, t) => (
            format!(
                "`{url}` is a postmortem that is not published where this one is (restricted or a draft): the link is shown as plain text"
            ),
            "remove the link, or publish the postmortem it points to",
        ),
        Some(t) => match r.target.anchor() {
            Some(a)
                if !a.is_empty()
                    && (ctx.read_in_full)(t)
                    && !t.body.headings.iter().any(|h| h.anchor == a) =>
            (
                format!("`{url}`: the postmortem has no heading with the anchor `#{a}`"),
                "link to one of its headings (their anchors are shown on its page), or to the page alone",
            ),
            _ => return,
        },
    };
    out.push(
        Diagnostic::warning(&pm.source, (r.line, r.column), "links/broken", message).suggest(help),
    );
}
