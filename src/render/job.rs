//! A page waiting to be rendered ([`Job`]) and the fragments many pages share ([`Fragments`]).
//! Split from the page plan in `mod.rs` because both `build` (every page, in parallel) and
//! `serve` (the pages a browser asks for) render jobs one at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::theme::Theme;
use super::view::Views;
use crate::error::Result;

/// Fills in the heavy part of a page's context when the page is rendered.
pub(crate) type Fill<'a> = Box<dyn FnOnce(&mut tera::Context) -> Result<()> + Send + 'a>;

/// A page waiting to be rendered. Its light context is set up front; what is large (cards,
/// a postmortem's view, action rows) is built by `fills` on the worker that renders the page,
/// so the contexts of all pages are never in memory at once and building them runs in
/// parallel.
pub(crate) struct Job<'a> {
    pub(crate) path: String,
    pub(crate) template: &'static str,
    pub(crate) title: String,
    pub(crate) feed: Option<String>,
    pub(crate) ctx: tera::Context,
    pub(crate) fills: Vec<Fill<'a>>,
}

impl<'a> Job<'a> {
    pub(crate) fn new(path: String, template: &'static str, title: impl Into<String>) -> Self {
        Job {
            path,
            template,
            title: title.into(),
            feed: None,
            ctx: tera::Context::new(),
            fills: Vec::new(),
        }
    }

    pub(crate) fn with(mut self, key: &'static str, value: &impl Serialize) -> Self {
        self.ctx.insert(key, value);
        self
    }

    /// Inserts `key` when the page is rendered, from `make`.
    pub(crate) fn lazy<T: Serialize>(
        mut self,
        key: &'static str,
        make: impl FnOnce() -> T + Send + 'a,
    ) -> Self {
        self.fills.push(Box::new(move |ctx| {
            ctx.insert(key, &make());
            Ok(())
        }));
        self
    }

    /// Like [`Job::lazy`] for a value whose making can fail (a fragment that does not render).
    pub(crate) fn lazy_try<T: Serialize>(
        mut self,
        key: &'static str,
        make: impl FnOnce() -> Result<T> + Send + 'a,
    ) -> Self {
        self.fills.push(Box::new(move |ctx| {
            ctx.insert(key, &make()?);
            Ok(())
        }));
        self
    }

    pub(crate) fn feed(mut self, url: String) -> Self {
        self.feed = Some(url);
        self
    }
}

/// Fragments rendered once and reused: a postmortem's row appears on about ten listings (all,
/// year, severity, each service, team, tag, factor, its recurring class); an action item's row
/// is on one register page only, but goes through the same path (rendered with the mark, freed
/// by [`Fragments::forget_rows`]). Each is rendered by its own template (`row.html`,
/// `action-row.html`) once, with a mark in place of the page's relative `root`, and pasted into
/// every page that lists it with that page's root put back: the template work of a large
/// archive's listings is done once per item rather than once per listing.
pub(crate) struct Fragments<'a> {
    theme: &'a Theme,
    /// Postmortems' listing rows, by postmortem.
    listed: Mutex<HashMap<usize, Arc<Fragment>>>,
    /// The register's action rows, by item.
    rows: Mutex<HashMap<usize, Arc<Fragment>>>,
    /// Whether a template's fragment pasted at a page's root is what the theme renders there,
    /// by template and root ([`Fragments::pastes_as_rendered`]).
    verified: Mutex<HashMap<(&'static str, String), bool>>,
}

/// Stands for `root` while a fragment is rendered. Text the fragment shows may hold its first
/// character too (content can hold any character): such a fragment is not kept, and is rendered
/// for each page with its real root.
const ROOT_MARK: &str = "\u{FDD0}root\u{FDD1}";

/// A rendered fragment: its markup cut where the page's root goes.
enum Fragment {
    /// The root goes between `parts[k]` and `parts[k + 1]`.
    Split(Vec<String>),
    /// The item's own text holds the mark's first character.
    PerPage,
}

impl Fragment {
    /// Renders `template` with `ctx` (whose `root` is set here) once for every page.
    fn make(theme: &Theme, template: &str, mut ctx: tera::Context, marked: bool) -> Result<Self> {
        if marked {
            return Ok(Fragment::PerPage);
        }
        ctx.insert("root", ROOT_MARK);
        let html = theme.render(template, &ctx)?;
        let html = html.trim();
        let mut parts = Vec::new();
        let (mut from, mut at) = (0, 0);
        while let Some(found) = html[at..].find('\u{FDD0}') {
            at += found;
            if html[at..].starts_with(ROOT_MARK) {
                parts.push(html[from..at].to_owned());
                at += ROOT_MARK.len();
                from = at;
            } else {
                // Not the mark (the theme's own text): kept as it is.
                at += '\u{FDD0}'.len_utf8();
            }
        }
        parts.push(html[from..].to_owned());
        Ok(Fragment::Split(parts))
    }

    /// Appends the fragment for a page at `root`; `None` when it must be rendered for the page.
    fn paste(&self, root: &str, out: &mut String) -> Option<()> {
        let Fragment::Split(parts) = self else {
            return None;
        };
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                out.push_str(root);
            }
            out.push_str(part);
        }
        Some(())
    }
}

/// Whether the text of `item` (any of its strings) holds the mark's first character: such an
/// item's fragments are rendered page by page. Its JSON is scanned as it is written, never
/// kept (serde_json writes characters other than quotes, backslashes and controls as they
/// are).
fn holds_mark(item: &impl Serialize) -> bool {
    let mut scan = MarkScan::default();
    serde_json::to_writer(&mut scan, item).is_err() || scan.found
}

/// Looks for U+FDD0 in what is written to it.
#[derive(Default)]
struct MarkScan {
    /// The last two bytes written: a character may be written in two pieces.
    tail: [u8; 2],
    found: bool,
}

impl std::io::Write for MarkScan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        /// U+FDD0 in UTF-8.
        const MARK: [u8; 3] = [0xEF, 0xB7, 0x90];
        if !self.found {
            let [a, b] = self.tail;
            let next = |k: usize| buf.get(k).copied().unwrap_or(0);
            self.found = [a, b, next(0), next(1)].windows(3).any(|w| w == MARK)
                || buf.windows(3).any(|w| w == MARK);
            match buf {
                [.., y, z] => self.tail = [*y, *z],
                [z] => self.tail = [b, *z],
                [] => {}
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The context of postmortem `i`'s listing row, without `root`, and whether its text holds the
/// mark.
fn row_context(views: &Views<'_, '_>, i: usize) -> (tera::Context, bool) {
    let card = views.listing_card(i);
    let mut ctx = tera::Context::new();
    ctx.insert("pm", &card);
    (ctx, holds_mark(&card))
}

/// A postmortem in a listing: its row as `row.html` renders it for the page, and the year
/// listings group by.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Listed {
    /// The row's markup.
    pub(crate) html: String,
    /// The incident's year, or null when undated.
    pub(crate) year: Option<String>,
}

impl<'a> Fragments<'a> {
    pub(crate) fn new(theme: &'a Theme) -> Self {
        Fragments {
            theme,
            listed: Mutex::default(),
            rows: Mutex::default(),
            verified: Mutex::default(),
        }
    }

    /// The listing rows of `members` for a page at `root`.
    pub(crate) fn listed(
        &self,
        views: &Views<'_, '_>,
        members: &[usize],
        root: &str,
    ) -> Result<Vec<Listed>> {
        members
            .iter()
            .map(|&i| {
                let mut html = String::new();
                self.paste(
                    &self.listed,
                    i,
                    "row.html",
                    root,
                    &mut html,
                    (&|| row_context(views, i), &|| row_context(views, 0)),
                )?;
                Ok(Listed {
                    html,
                    year: views.year(i),
                })
            })
            .collect()
    }

    /// Appends action item `k`'s row (of the register) for a page at `root` to `out`. `view`
    /// makes an item's view (by its index), only when the row is not rendered yet; the first
    /// item's row checks that rows can be pasted at `root`.
    pub(crate) fn row(
        &self,
        k: usize,
        root: &str,
        view: impl Fn(usize) -> super::items::ActionItemView,
        out: &mut String,
    ) -> Result<()> {
        let context = |k: usize| {
            let a = view(k);
            let mut ctx = tera::Context::new();
            ctx.insert("a", &a);
            (ctx, holds_mark(&a))
        };
        self.paste(
            &self.rows,
            k,
            "action-row.html",
            root,
            out,
            (&|| context(k), &|| context(0)),
        )
    }

    /// Whether the fragment of `template` pasted at `root` is what the theme renders for that
    /// page: a theme whose template tests or transforms `root` (`{% if root == "" %}`,
    /// `{{ root | length }}`) cannot be pasted, and is rendered page by page. Checked once per
    /// template and root, always on the same item (`reference`: the archive's first
    /// postmortem's row, the register's first row), so the answer does not depend on which
    /// worker asks first.
    fn pastes_as_rendered(
        &self,
        template: &'static str,
        root: &str,
        reference: &dyn Fn() -> (tera::Context, bool),
    ) -> Result<bool> {
        let key = (template, root.to_string());
        if let Some(ok) = self.verified.lock().ok().and_then(|v| v.get(&key).copied()) {
            return Ok(ok);
        }
        let (mut ctx, marked) = reference();
        let ok = !marked && {
            let mut pasted = String::new();
            let fragment = Fragment::make(self.theme, template, ctx.clone(), false)?;
            fragment.paste(root, &mut pasted);
            ctx.insert("root", root);
            pasted == self.theme.render(template, &ctx)?.trim()
        };
        if let Ok(mut v) = self.verified.lock() {
            v.insert(key, ok);
        }
        Ok(ok)
    }

    /// Appends to `out` the fragment `template` renders for a page at `root`: rendered once
    /// (kept under `key` in `memo`) and pasted, or rendered for this page when the item's own
    /// text holds the root mark or the theme's template depends on the root
    /// ([`Fragments::pastes_as_rendered`], on `reference`). `ctx` and `reference` give the
    /// item's and the reference item's context without `root`, and whether their text holds
    /// the mark.
    #[allow(clippy::type_complexity)]
    fn paste<K: std::hash::Hash + Eq>(
        &self,
        memo: &Mutex<HashMap<K, Arc<Fragment>>>,
        key: K,
        template: &'static str,
        root: &str,
        out: &mut String,
        (ctx, reference): (
            &dyn Fn() -> (tera::Context, bool),
            &dyn Fn() -> (tera::Context, bool),
        ),
    ) -> Result<()> {
        let pasted = if self.pastes_as_rendered(template, root, reference)? {
            let fragment = self.memo(memo, key, || {
                let (ctx, marked) = ctx();
                Fragment::make(self.theme, template, ctx, marked)
            })?;
            fragment.paste(root, out)
        } else {
            None
        };
        if pasted.is_none() {
            let (mut ctx, _) = ctx();
            ctx.insert("root", root);
            out.push_str(self.theme.render(template, &ctx)?.trim());
        }
        Ok(())
    }

    /// Frees the action rows: only the register's pages paste them, and `build` calls this
    /// once they are all rendered, while the postmortem pages still are (a fifth of a large
    /// archive's peak memory).
    pub(crate) fn forget_rows(&self) {
        if let Ok(mut rows) = self.rows.lock() {
            *rows = HashMap::new();
        }
    }

    /// The rendered fragments, to be freed elsewhere.
    pub(crate) fn into_memos(self) -> impl Send + 'static {
        (self.listed.into_inner(), self.rows.into_inner())
    }

    /// The fragment kept under `key` in `memo`, made by `make` the first time. Two workers may
    /// both make it; either result is the same.
    fn memo<K: std::hash::Hash + Eq>(
        &self,
        memo: &Mutex<HashMap<K, Arc<Fragment>>>,
        key: K,
        make: impl FnOnce() -> Result<Fragment>,
    ) -> Result<Arc<Fragment>> {
        if let Some(f) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(f);
        }
        let f = Arc::new(make()?);
        if let Ok(mut m) = memo.lock() {
            m.insert(key, f.clone());
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing's rows, at two roots, as the fragments paste them and as the theme
    /// renders them directly; and how many rows the fragments rendered.
    fn rows_both_ways(theme: &Theme) -> (Vec<String>, Vec<String>, usize) {
        let config = crate::config::Config::default();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let docs = super::super::tests::site_docs(&config);
        let site = crate::enrich::enrich(docs, &config, today, false);
        let none = crate::similar::Similarity::NONE;
        let views = Views::new(&site, &none);
        let fragments = Fragments::new(theme);
        let members: Vec<usize> = (0..site.postmortems.len()).rev().collect();
        let (mut pasted, mut direct) = (Vec::new(), Vec::new());
        for root in ["../../", "", "../../"] {
            let rows = fragments.listed(&views, &members, root).unwrap();
            for (k, &i) in members.iter().enumerate() {
                pasted.push(rows[k].html.clone());
                let mut ctx = tera::Context::new();
                ctx.insert("pm", &views.listing_card(i));
                ctx.insert("root", root);
                direct.push(theme.render("row.html", &ctx).unwrap().trim().to_string());
            }
        }
        let made = fragments.listed.lock().unwrap().len();
        (pasted, direct, made)
    }

    #[test]
    fn the_mark_is_found_in_any_string_of_an_item() {
        #[derive(Serialize)]
        struct Item<'a> {
            title: &'a str,
            tags: Vec<&'a str>,
            n: u32,
        }
        let item = |title, tag| Item {
            title,
            tags: vec!["a", tag],
            n: 7,
        };
        assert!(!holds_mark(&item(
            "plain \"quoted\" é ✓ \u{FDCF}",
            "\u{FDD1}"
        )));
        assert!(holds_mark(&item("x\u{FDD0}y", "b")));
        assert!(holds_mark(&item("x", "\u{FDD0}")));
        assert!(holds_mark(&item("\n\u{FDD0}\t", "b")));
        assert!(holds_mark(&ROOT_MARK));
        // Written in pieces: a character may be cut between two writes.
        use std::io::Write;
        let scan = |pieces: &[&[u8]]| {
            let mut scan = MarkScan::default();
            for p in pieces {
                scan.write_all(p).unwrap();
            }
            scan.found
        };
        assert!(scan(&[b"ab\xEF", b"\xB7\x90cd"]));
        assert!(scan(&[b"ab\xEF\xB7", b"\x90"]));
        assert!(scan(&[b"a", b"\xEF", b"\xB7", b"\x90"]));
        assert!(!scan(&[b"\xEF\xB7", b"x\x90"]));
        assert!(!scan(&[b"\xEF", b"", b"\xB7\x91"]));
    }

    #[test]
    fn one_row_serves_every_root_unless_the_theme_tests_the_root() {
        let theme = Theme::of_site(std::path::Path::new("/nonexistent-site")).unwrap();
        let (pasted, direct, made) = rows_both_ways(&theme);
        assert_eq!(pasted, direct);
        assert!(pasted
            .iter()
            .any(|r| r.contains("href=\"../../postmortems/")));
        assert!(pasted.iter().any(|r| r.contains("href=\"postmortems/")));
        assert_eq!(made, 3, "one row per postmortem");

        // A row that tests or transforms its root cannot be pasted at another root: rendered
        // page by page.
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("theme/templates");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(
            templates.join("row.html"),
            "{% if root == \"\" %}<tr class=\"top\"><td>{{ pm.title }}</td></tr>\
             {% else %}<tr data-depth=\"{{ root | length }}\"><td>{{ root }}{{ pm.url }}</td></tr>{% endif %}",
        )
        .unwrap();
        let theme = Theme::of_site(dir.path()).unwrap();
        let (pasted, direct, _) = rows_both_ways(&theme);
        assert_eq!(pasted, direct);
        assert!(pasted.iter().any(|r| r.starts_with("<tr class=\"top\">")));
        assert!(pasted
            .iter()
            .any(|r| r.starts_with("<tr data-depth=\"6\"><td>../../postmortems/")));

        // The mark's first character in the theme's own text is text, not a hole.
        std::fs::write(
            templates.join("row.html"),
            "<tr><td>\u{FDD0}{{ pm.title }}\u{FDD0}</td><td><a href=\"{{ root }}x\">\u{FDD0}root</a></td></tr>",
        )
        .unwrap();
        let theme = Theme::of_site(dir.path()).unwrap();
        let (pasted, direct, made) = rows_both_ways(&theme);
        assert_eq!(pasted, direct);
        assert!(pasted.iter().any(|r| r.starts_with("<tr><td>\u{FDD0}")));
        assert_eq!(made, 3);
    }
}
