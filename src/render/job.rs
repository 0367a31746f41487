//! A page waiting to be rendered ([`Job`]) and the fragments many pages share ([`Fragments`]).
//! Split from the page plan in `mod.rs` because both `build` (every page, in parallel) and
//! `serve` (the pages a browser asks for) render jobs one at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::insights;
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

    pub(crate) fn with(mut self, key: &str, value: &impl Serialize) -> Self {
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

    /// Like [`Job::lazy`] for a value already in the templates' data model (or an error):
    /// moved into the context, not serialised again (a register page's rows or a listing's
    /// cards are hundreds of kilobytes a page, copied once more for nothing).
    pub(crate) fn lazy_value(
        mut self,
        key: &'static str,
        make: impl FnOnce() -> Result<serde_json::Value> + Send + 'a,
    ) -> Self {
        self.fills.push(Box::new(move |ctx| {
            let mut one = serde_json::Map::new();
            one.insert(key.to_string(), make()?);
            ctx.extend(tera::Context::from_value(serde_json::Value::Object(one))?);
            Ok(())
        }));
        self
    }

    pub(crate) fn feed(mut self, url: String) -> Self {
        self.feed = Some(url);
        self
    }
}

/// Fragments rendered once and reused: a postmortem's card appears on about ten listings (all,
/// year, severity, each service, team, tag, factor), an action item's row on six register
/// pages. Each is rendered by its own template (`card.html`, `action-row.html`) once, with a
/// mark in place of the page's relative `root`, and pasted into every page that lists it with
/// that page's root put back: the template work of a large archive's listings is done once per
/// item rather than once per listing.
pub(crate) struct Fragments<'a> {
    theme: &'a Theme,
    cards: Mutex<HashMap<(usize, u8), Arc<Fragment>>>,
    rows: Mutex<HashMap<usize, Arc<Fragment>>>,
}

/// Stands for `root` while a fragment is rendered. Text the fragment shows may hold its first
/// character too (content can hold any character): such a fragment is not kept, and is rendered
/// for each page with its real root.
const ROOT_MARK: &str = "\u{FDD0}root\u{FDD1}";

/// A rendered fragment: its markup split where the page's root goes.
enum Fragment {
    Split(Vec<String>),
    /// The item's own text holds [`ROOT_MARK`]'s first character.
    PerPage,
}

impl Fragment {
    /// Renders `template` with `ctx` (whose `root` is set here) once for every page.
    fn make(theme: &Theme, template: &str, mut ctx: tera::Context, text: &str) -> Result<Self> {
        if text.contains('\u{FDD0}') {
            return Ok(Fragment::PerPage);
        }
        ctx.insert("root", ROOT_MARK);
        let html = theme.render(template, &ctx)?;
        Ok(Fragment::Split(
            html.trim().split(ROOT_MARK).map(str::to_owned).collect(),
        ))
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

/// A postmortem in a listing: its card as `card.html` renders it for the page, and the year
/// listings group by.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Listed {
    /// The card's markup.
    pub(crate) html: String,
    /// The incident's year, or null when undated.
    pub(crate) year: Option<String>,
}

impl Listed {
    /// What serialising gives, with the strings moved rather than copied.
    pub(crate) fn into_value(self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("html".into(), self.html.into());
        m.insert("year".into(), self.year.into());
        m.into()
    }
}

impl<'a> Fragments<'a> {
    pub(crate) fn new(theme: &'a Theme) -> Self {
        Fragments {
            theme,
            cards: Mutex::default(),
            rows: Mutex::default(),
        }
    }

    /// The cards of `members` for a page at `root` whose card titles are headings of `level`.
    pub(crate) fn cards(
        &self,
        views: &Views<'_, '_>,
        members: &[usize],
        root: &str,
        level: u8,
    ) -> Result<serde_json::Value> {
        members
            .iter()
            .map(|&i| {
                let mut html = String::new();
                self.paste(
                    &self.cards,
                    (i, level),
                    "card.html",
                    root,
                    &mut html,
                    || {
                        let card = views.listing_card(i);
                        let mut ctx = tera::Context::new();
                        ctx.insert("pm", &card);
                        ctx.insert("level", &level);
                        (ctx, serde_json::to_string(&card).unwrap_or_default())
                    },
                )?;
                Ok(Listed {
                    html,
                    year: views.year(i),
                }
                .into_value())
            })
            .collect()
    }

    /// Appends action item `k`'s row (of the register) for a page at `root` to `out`. `view`
    /// makes the item's view, only when the row is not rendered yet.
    pub(crate) fn row(
        &self,
        k: usize,
        root: &str,
        view: impl Fn() -> insights::actions::ActionView,
        out: &mut String,
    ) -> Result<()> {
        self.paste(&self.rows, k, "action-row.html", root, out, || {
            let a = view();
            let mut ctx = tera::Context::new();
            ctx.insert("a", &a);
            (ctx, serde_json::to_string(&a).unwrap_or_default())
        })
    }

    /// Appends to `out` the fragment `template` renders for a page at `root`: rendered once
    /// (kept under `key` in `memo`) and pasted, or rendered for this page when the item's own
    /// text holds the root mark. `ctx` gives the template's context without `root`, and the
    /// item's text.
    fn paste<K: std::hash::Hash + Eq>(
        &self,
        memo: &Mutex<HashMap<K, Arc<Fragment>>>,
        key: K,
        template: &str,
        root: &str,
        out: &mut String,
        ctx: impl Fn() -> (tera::Context, String),
    ) -> Result<()> {
        let fragment = self.memo(memo, key, || {
            let (ctx, text) = ctx();
            Fragment::make(self.theme, template, ctx, &text)
        })?;
        if fragment.paste(root, out).is_none() {
            let (mut ctx, _) = ctx();
            ctx.insert("root", root);
            out.push_str(self.theme.render(template, &ctx)?.trim());
        }
        Ok(())
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

    #[test]
    fn moved_values_are_what_serialising_gives() {
        for year in [Some("2024".to_string()), None] {
            let listed = Listed {
                html: "<article>x</article>".into(),
                year,
            };
            assert_eq!(
                listed.clone().into_value(),
                serde_json::to_value(&listed).unwrap()
            );
        }
        let group = insights::actions::StatusGroup {
            name: "open".into(),
            slug: "open".into(),
            total: 3,
            shown: 2,
            rows: "<tr></tr>".into(),
        };
        assert_eq!(
            group.clone().into_value(),
            serde_json::to_value(&group).unwrap()
        );
    }
}
