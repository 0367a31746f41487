//! A page waiting to be rendered ([`Job`]) and the fragments many pages share ([`Fragments`]).
//! Split from the page plan in `mod.rs` because both `build` (every page, in parallel) and
//! `serve` (the pages a browser asks for) render jobs one at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::insights;
use super::theme::Theme;
use super::view::{self, Views};
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

    /// [`Job::lazy`] for a value whose making can fail (it renders fragments).
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

/// Fragments rendered once and reused: a postmortem's card is the same markup on every listing
/// whose pages sit at the same depth (it links through the relative `root`), and a card
/// appears on about ten listings (all, year, severity, each service, team, tag, factor), an
/// action item's row on six register pages. Each is rendered by its own template
/// (`card.html`, `action-row.html`) once per (item, root, level) and pasted into the pages,
/// which cuts the template work of a large archive's listings several times over.
pub(crate) struct Fragments<'a> {
    theme: &'a Theme,
    cards: Mutex<HashMap<(usize, String, u8), Arc<str>>>,
    rows: Mutex<HashMap<(usize, String), Arc<str>>>,
}

impl<'a> Fragments<'a> {
    pub(crate) fn new(theme: &'a Theme) -> Self {
        Fragments {
            theme,
            cards: Mutex::default(),
            rows: Mutex::default(),
        }
    }

    /// The cards of `members` with their `html` filled in, for a page at `root` whose card
    /// titles are headings of `level`.
    pub(crate) fn cards(
        &self,
        views: &Views<'_, '_>,
        members: &[usize],
        root: &str,
        level: u8,
    ) -> Result<Vec<view::Card>> {
        members
            .iter()
            .map(|&i| {
                let mut card = views.listing_card(i);
                let key = (i, root.to_string(), level);
                let memo = self.cards.lock().ok().and_then(|m| m.get(&key).cloned());
                let html = match memo {
                    Some(html) => html,
                    None => {
                        let mut ctx = tera::Context::new();
                        ctx.insert("pm", &card);
                        ctx.insert("root", root);
                        ctx.insert("level", &level);
                        let html: Arc<str> = self.theme.render("card.html", &ctx)?.trim().into();
                        if let Ok(mut m) = self.cards.lock() {
                            m.insert(key, html.clone());
                        }
                        html
                    }
                };
                card.html = html.to_string();
                Ok(card)
            })
            .collect()
    }

    /// An action item's row (register index `k`) for a page at `root`, rendered once.
    pub(crate) fn row(
        &self,
        k: usize,
        root: &str,
        view: &insights::actions::ActionView,
    ) -> Result<Arc<str>> {
        let key = (k, root.to_string());
        if let Some(html) = self.rows.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(html);
        }
        let mut ctx = tera::Context::new();
        ctx.insert("a", view);
        ctx.insert("root", root);
        let html: Arc<str> = self.theme.render("action-row.html", &ctx)?.trim().into();
        if let Ok(mut m) = self.rows.lock() {
            m.insert(key, html.clone());
        }
        Ok(html)
    }
}
