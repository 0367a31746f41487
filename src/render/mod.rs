//! Rendering: the [`Site`] becomes a list of output files (pages, feeds, JSON, static files).
//! Pure: nothing here touches the disk; [`crate::output`] writes what this returns.

pub(crate) mod api;
pub(crate) mod files;
pub(crate) mod hosting;
pub(crate) mod insights;
mod items;
mod job;
mod listing;
mod pages;
mod paginate;
pub(crate) mod recurring;
pub(crate) mod refs;
pub(crate) mod theme;
pub(crate) mod view;

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Highlighter;
use crate::enrich::Site;
use crate::error::Result;
use crate::output::OutputFile;
use job::{Fragments, Job};
use theme::Theme;
use view::Views;

/// The main navigation.
#[derive(Debug, Clone, Serialize)]
struct NavItem {
    title: &'static str,
    url: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: String,
    nav: Vec<NavItem>,
    generator: String,
    /// A restricted archive (restricted postmortems included).
    restricted: bool,
    /// Pages ask search engines not to index them (`[site] robots = "disallow"`).
    noindex: bool,
}

/// Relative prefix from a page at `url` (relative to the root, `""` or ending in `/`) to the root.
pub(crate) fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// Which of the site's files: those that show similar incidents or recurring classes can only
/// be rendered once similarity is known; `build` renders the others while it is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Every file.
    All,
    /// The files that show no similar incidents or recurring classes: listings, taxonomies,
    /// factor pages, the action register, insights, feeds, the insights and actions JSON,
    /// static files.
    Unlinked,
    /// The files that do: postmortem pages, recurring classes, service and team pages,
    /// `api/postmortems.json`.
    Linked,
}

impl Part {
    fn unlinked(self) -> bool {
        self != Part::Linked
    }

    fn linked(self) -> bool {
        self != Part::Unlinked
    }
}

/// A page of the site, ready to be rendered by [`Renderer::render`]: its context is built only
/// then, so holding the whole list costs little.
pub(crate) struct Page<'r>(Job<'r>);

impl Page<'_> {
    /// The file the page becomes (`index.html` in a folder for pretty URLs).
    pub(crate) fn file(&self) -> String {
        page_file(&self.0.path)
    }
}

fn page_file(url: &str) -> String {
    if url.ends_with('/') || url.is_empty() {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// Everything the pages of one site share: views, memoised fragments, the archive's figures
/// and action register. `build` renders every [`Page`] of [`Renderer::pages`] in parallel;
/// `serve` keeps one per rebuild and renders the pages browsers ask for.
pub(crate) struct Renderer<'s> {
    site: &'s Site<'s>,
    theme: &'s Theme,
    views: Views<'s, 's>,
    /// Shared with the renderers made by [`Renderer::with_similarity`].
    fragments: Arc<Fragments<'s>>,
    figures: OnceLock<crate::insights::Insights>,
    register: OnceLock<Vec<crate::insights::actions::Action<'s>>>,
    site_view: SiteView<'s>,
}

impl<'s> Renderer<'s> {
    /// Prepares what every page shares; the figures and the register are computed when first
    /// needed.
    /// `similarity`: the similar incidents the pages show ([`Similarity::NONE`] for a renderer
    /// of the unlinked part: `build` renders it while they are computed, then the linked part
    /// [`Renderer::with_similarity`]).
    ///
    /// [`Similarity::NONE`]: crate::similar::Similarity::NONE
    pub(crate) fn new(
        site: &'s Site<'s>,
        theme: &'s Theme,
        similarity: &'s crate::similar::Similarity,
    ) -> Self {
        let config = site.config;
        let site_view = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: config.base_url(),
            nav: vec![
                NavItem {
                    title: "Postmortems",
                    url: "postmortems/",
                },
                NavItem {
                    title: "Recurring",
                    url: "recurring/",
                },
                NavItem {
                    title: "Factors",
                    url: "factors/",
                },
                NavItem {
                    title: "Actions",
                    url: "actions/",
                },
                NavItem {
                    title: "Insights",
                    url: "insights/",
                },
                NavItem {
                    title: "Services",
                    url: "services/",
                },
                NavItem {
                    title: "Teams",
                    url: "teams/",
                },
                NavItem {
                    title: "Years",
                    url: "years/",
                },
                NavItem {
                    title: "Severities",
                    url: "severities/",
                },
            ],
            generator: format!("pmarchive {}", env!("CARGO_PKG_VERSION")),
            restricted: site.restricted,
            noindex: config.site.robots == crate::config::Robots::Disallow,
        };
        Renderer {
            site,
            theme,
            views: Views::new(site, similarity),
            fragments: Arc::new(Fragments::new(theme)),
            figures: OnceLock::new(),
            register: OnceLock::new(),
            site_view,
        }
    }

    /// This renderer with the similar incidents `similarity`, sharing the fragments it has
    /// rendered: cards and action rows show no similar incidents, so `build` pastes the cards
    /// the unlinked part made into the linked part's pages (recurring classes) instead of
    /// rendering them again.
    pub(crate) fn with_similarity<'r>(
        &'r self,
        similarity: &'r crate::similar::Similarity,
    ) -> Renderer<'r> {
        Renderer {
            site: self.site,
            theme: self.theme,
            views: Views::new(self.site, similarity),
            fragments: Arc::clone(&self.fragments) as Arc<Fragments<'r>>,
            figures: OnceLock::new(),
            register: OnceLock::new(),
            site_view: self.site_view.clone(),
        }
    }

    /// Frees what only the unlinked part reads (the action rows), once it is rendered.
    pub(crate) fn forget_unlinked(&self) {
        self.fragments.forget_rows();
    }

    /// What this renderer made and kept (fragments, figures), to be freed elsewhere: `build`
    /// frees it on a thread of its own rather than before the swap. (The register, one list of
    /// references, goes here.)
    pub(crate) fn into_leftovers(self) -> Box<dyn Send> {
        let memos = Arc::into_inner(self.fragments).map(Fragments::into_memos);
        Box::new((memos, self.figures.into_inner()))
    }

    /// The archive's figures (for the insights pages and the factor trends).
    fn figures(&self) -> &crate::insights::Insights {
        self.figures
            .get_or_init(|| crate::insights::Insights::compute(self.site))
    }

    /// Every action item of the archive.
    fn register(&self) -> &[crate::insights::actions::Action<'s>] {
        self.register
            .get_or_init(|| crate::insights::actions::register(self.site))
    }

    /// Renders the pages and files of `part` in parallel, handing each to `emit`.
    pub(crate) fn render_part(
        &self,
        part: Part,
        emit: &(dyn Fn(OutputFile) -> Result<()> + Sync),
    ) -> Result<()> {
        // The other files are each made on one thread (the JSON lists take a few hundred
        // milliseconds at 10,000 postmortems): beside the pages, not after them.
        let (pages, others) = rayon::join(
            || {
                self.pages_in(part)
                    .into_par_iter()
                    .try_for_each(|page| emit(self.render(page)?))
            },
            || self.other_files_in(part)?.into_iter().try_for_each(emit),
        );
        pages.and(others)
    }

    /// Renders one page.
    pub(crate) fn render(&self, page: Page<'_>) -> Result<OutputFile> {
        let mut job = page.0;
        let page_url = std::mem::take(&mut job.path);
        let file = page_file(&page_url);
        let root = if job.template == "404.html" {
            // Served for any missing path, at any depth: links from the site's base path.
            crate::weburl::base_path(&self.site_view.base_url)
        } else {
            root_prefix(&page_url)
        };
        job.ctx.insert("root", &root);
        job.ctx.insert("site", &self.site_view);
        job.ctx.insert("page_title", &job.title);
        job.ctx.insert("page_url", &page_url);
        job.ctx.insert("feed_url", &job.feed);
        job.ctx.insert("today", &self.site.today.to_string());
        for fill in job.fills {
            fill(&mut job.ctx)?;
        }
        let html = self.theme.render_bytes(job.template, &job.ctx)?;
        Ok(OutputFile::new(file, html))
    }

    /// The files that are not pages: feeds, the JSON API and the theme's static files.
    pub(crate) fn other_files(&self) -> Result<Vec<OutputFile>> {
        self.other_files_in(Part::All)
    }

    /// `robots.txt` and the sitemap of `pages` (the site's HTML files: [`Page::file`]).
    pub(crate) fn hosting_files(&self, pages: &[String]) -> Result<Vec<OutputFile>> {
        hosting::files(self.site.config, self.theme, pages)
    }

    /// The files of `part` that are not pages.
    pub(crate) fn other_files_in(&self, part: Part) -> Result<Vec<OutputFile>> {
        let (site, theme) = (self.site, self.theme);
        let mut out = Vec::new();
        if part.linked() {
            // The largest file of the site (tens of megabytes for 10,000 postmortems).
            out.push(api::postmortems_json(site, &self.views));
        }
        if part.unlinked() {
            // Independent of each other and each on one thread.
            let (feeds, (figures, actions)) = rayon::join(
                || api::feeds(site, &self.views, theme),
                || {
                    rayon::join(
                        || insights::insights_json(self.figures()),
                        || insights::actions_json(site, self.register()),
                    )
                },
            );
            out.extend(feeds?);
            out.extend([figures, actions]);
            for (name, bytes) in &theme.statics {
                out.push(OutputFile::new(format!("static/{name}"), bytes.clone()));
            }
            if !theme.statics.contains_key("syntax.css") {
                out.push(OutputFile::new(
                    "static/syntax.css".into(),
                    Highlighter::stylesheet().into_bytes(),
                ));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests;
