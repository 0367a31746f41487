//! Rendering: the [`Site`] becomes a list of output files (pages, feeds, JSON, static files).
//! Pure: nothing here touches the disk; [`crate::output`] writes what this returns.

pub(crate) mod api;
pub(crate) mod files;
pub(crate) mod hosting;
pub(crate) mod insights;
mod items;
mod job;
mod listing;
pub(crate) mod recurring;
pub(crate) mod refs;
pub(crate) mod theme;
pub(crate) mod view;

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Highlighter;
use crate::enrich::taxonomy::{Taxonomies, Term};
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

/// What a term listing is called in `list.html`'s `kind`, and its index page.
/// Each with its terms (a new taxonomy names its own list: nothing falls through to another's).
#[allow(clippy::type_complexity)]
const TAXONOMIES: &[(&str, &str, &str, fn(&Taxonomies) -> &[Term])] = &[
    ("services", "service", "Services", |t| &t.services),
    ("teams", "team", "Teams", |t| &t.teams),
    ("tags", "tag", "Tags", |t| &t.tags),
    ("years", "year", "Years", |t| &t.years),
    ("severities", "severity", "Severities", |t| &t.severities),
];

/// The taxonomies whose term pages have panels (per year, factors, open action items, recurring
/// classes): rendered with the linked part, since recurring classes need similarity.
const PANELLED: &[&str] = &["services", "teams"];

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

    /// The pages of `part`, each still to be rendered.
    pub(crate) fn pages_in(&self, part: Part) -> Vec<Page<'_>> {
        let mut jobs: Vec<Job> = Vec::new();
        if part.unlinked() {
            self.unlinked_jobs(&mut jobs);
        }
        if part.linked() {
            self.linked_jobs(&mut jobs);
        }
        jobs.into_iter().map(Page).collect()
    }

    /// The pages that show no similar incidents: the home page, listings, taxonomies, the action
    /// register, insights, factor themes, search and 404.
    fn unlinked_jobs<'r>(&'r self, jobs: &mut Vec<Job<'r>>) {
        let site = self.site;
        // Each reads the whole archive; neither needs the other.
        let (figures, register) = rayon::join(|| self.figures(), || self.register());
        let all: Vec<usize> = (0..site.postmortems.len()).collect();
        jobs.push(self.home_job(&all));
        // Every postmortem, and one page each.
        jobs.extend(listing::list_jobs(
            &self.views,
            &self.fragments,
            listing::Listing {
                path: "postmortems/",
                heading: "All postmortems",
                kind: "all",
                description: "",
                parent: None,
            },
            &all,
            None,
        ));
        self.taxonomy_jobs(jobs);
        // Archive insights: the action register and the practice's figures.
        jobs.extend(insights::action_jobs(site, register, &self.fragments));
        jobs.push(insights::insights_job(site, &self.views, figures));
        self.factor_jobs(jobs, figures);
        jobs.push(Job::new("search/".into(), "search.html", "Search"));
        jobs.push(Job::new("404.html".into(), "404.html", "Not found"));
    }

    /// The home page: the latest postmortems, the archive's counts, factors, severities, years.
    fn home_job<'r>(&'r self, all: &[usize]) -> Job<'r> {
        #[derive(Serialize)]
        struct Counts {
            postmortems: usize,
            services: usize,
            teams: usize,
            factors: usize,
            years: usize,
            undated: usize,
        }
        let (site, views) = (self.site, &self.views);
        let tax = &site.taxonomies;
        let latest: Vec<usize> = all.iter().copied().take(site.config.latest).collect();
        Job::new(String::new(), "index.html", "Home")
            .lazy("latest", move || views.cards(&latest))
            .with(
                "counts",
                &Counts {
                    postmortems: site.postmortems.len(),
                    services: tax.services.len(),
                    teams: tax.teams.len(),
                    factors: tax.factors.len(),
                    years: tax.years.len(),
                    undated: tax.undated.len(),
                },
            )
            .with("factors", &views.terms_by_count("factors", &tax.factors))
            .with(
                "severities",
                &tax.severities
                    .iter()
                    .map(|t| views.term("severities", t))
                    .collect::<Vec<_>>(),
            )
            .with(
                "years",
                &tax.years
                    .iter()
                    .map(|t| views.term("years", t))
                    .collect::<Vec<_>>(),
            )
            .feed("atom.xml".into())
    }

    /// Each taxonomy's index and a listing per term (and the undated postmortems).
    fn taxonomy_jobs<'r>(&'r self, jobs: &mut Vec<Job<'r>>) {
        let (views, fragments) = (&self.views, &self.fragments);
        let tax = &self.site.taxonomies;
        for &(kind, singular, heading, terms_of) in TAXONOMIES {
            let terms = terms_of(tax);
            let mut term_views: Vec<_> = terms.iter().map(|t| views.term(kind, t)).collect();
            if kind == "years" && !tax.undated.is_empty() {
                term_views.push(view::TermView {
                    name: "Undated".into(),
                    slug: "undated".into(),
                    url: "years/undated/".into(),
                    count: tax.undated.len(),
                    description: String::new(),
                });
            }
            jobs.push(
                Job::new(format!("{kind}/"), "terms.html", heading)
                    .with("heading", &heading)
                    .with("kind", &singular)
                    .with("terms", &term_views),
            );
            let parent = Parent {
                title: heading.to_string(),
                url: format!("{kind}/"),
            };
            if PANELLED.contains(&kind) {
                // Their pages show recurring classes: rendered with the linked part.
                continue;
            }
            for t in terms {
                let title = match singular {
                    "year" => format!("Postmortems of {}", t.name),
                    "severity" => format!("{} postmortems", t.name),
                    _ => format!("{}: {}", capitalise(singular), t.name),
                };
                jobs.extend(listing::list_jobs(
                    views,
                    fragments,
                    listing::Listing {
                        path: &format!("{kind}/{}/", t.slug),
                        heading: &title,
                        kind: singular,
                        description: "",
                        parent: Some(parent.clone()),
                    },
                    &t.members,
                    None,
                ));
            }
            if kind == "years" && !tax.undated.is_empty() {
                jobs.extend(listing::list_jobs(
                    views,
                    fragments,
                    listing::Listing {
                        path: "years/undated/",
                        heading: "Undated postmortems",
                        kind: "undated",
                        description: "Postmortems whose source gives no date.",
                        parent: Some(parent.clone()),
                    },
                    &tax.undated,
                    None,
                ));
            }
        }
    }

    /// The index of factor themes and a page per theme.
    fn factor_jobs<'r>(&'r self, jobs: &mut Vec<Job<'r>>, figures: &'r crate::insights::Insights) {
        let (site, views, fragments) = (self.site, &self.views, &self.fragments);
        let tax = &site.taxonomies;
        jobs.push(
            Job::new("factors/".into(), "factors.html", "Contributing factors")
                .with("factors", &views.terms_by_count("factors", &tax.factors))
                .with("governed", &site.config.factors.governed),
        );
        for t in &tax.factors {
            let factor = api::factor_view(site, views, t);
            let pages = paginate_by(
                &format!("factors/{}/", t.slug),
                t.members.clone(),
                listing::ROWS_PER_PAGE,
            );
            for (n, (url, page, paginator)) in pages.into_iter().enumerate() {
                let root = root_prefix(&url);
                let job = Job::new(url, "factor.html", factor.title.clone())
                    .lazy_try("postmortems", move || fragments.listed(views, &page, &root))
                    .with("factor", &factor)
                    .with("paginator", &paginator)
                    .with("panels", &(n == 0))
                    .feed(format!("factors/{}/atom.xml", t.slug));
                jobs.push(if n == 0 {
                    job.lazy("per_year", move || api::per_year(site, &t.members))
                        .lazy("co_factors", move || api::co_factors(site, views, t))
                        .lazy("services", move || api::services_hit(site, t))
                        .lazy("trend", move || insights::factor_trend(figures, t))
                } else {
                    job
                });
            }
        }
    }

    /// The pages that show similar incidents or recurring classes: a page per postmortem, a page
    /// per recurring class and their index.
    fn linked_jobs<'r>(&'r self, jobs: &mut Vec<Job<'r>>) {
        let site = self.site;
        let views = &self.views;
        let fragments = &self.fragments;
        for (i, pm) in site.postmortems.iter().enumerate() {
            jobs.push(
                Job::new(
                    view::postmortem_url(&pm.id),
                    "postmortem.html",
                    pm.title.clone(),
                )
                .lazy("pm", move || views.postmortem(i)),
            );
        }
        self.panelled_jobs(jobs);
        // Recurring classes: a page per class, and an index (paginated).
        let classes = views.classes();
        for (c, class) in classes.iter().enumerate() {
            let class_url = class.class.url.clone();
            jobs.push(
                Job::new(
                    class.class.url.clone(),
                    "recurring-class.html",
                    format!("Recurring: {}", class.class.title),
                )
                .lazy_try("postmortems", move || {
                    let members = &views.similarity().classes[c].members;
                    fragments.listed(views, members, &root_prefix(&class_url))
                })
                .lazy("open_actions", move || views.class_actions(c))
                .with("class", class),
            );
        }
        let total_classes = classes.len();
        let recurring_incidents: usize = classes.iter().map(|c| c.class.size).sum();
        for (url, page, paginator) in paginate("recurring/", classes) {
            jobs.push(
                Job::new(url, "recurring.html", "Recurring incidents")
                    .with("classes", &page)
                    .with("total", &total_classes)
                    .with("incidents", &recurring_incidents)
                    .with("postmortems", &site.postmortems.len())
                    .with("paginator", &paginator),
            );
        }
    }

    /// A listing per service and per team, with its panels (which show recurring classes).
    fn panelled_jobs<'r>(&'r self, jobs: &mut Vec<Job<'r>>) {
        let (site, views, fragments) = (self.site, &self.views, &self.fragments);
        for &(kind, singular, heading, terms_of) in TAXONOMIES {
            if !PANELLED.contains(&kind) {
                continue;
            }
            let parent = Parent {
                title: heading.to_string(),
                url: format!("{kind}/"),
            };
            for t in terms_of(&site.taxonomies) {
                let panels =
                    move || listing::term_panels(site, views, singular, &t.slug, &t.members);
                jobs.extend(listing::list_jobs(
                    views,
                    fragments,
                    listing::Listing {
                        path: &format!("{kind}/{}/", t.slug),
                        heading: &format!("{}: {}", capitalise(singular), t.name),
                        kind: singular,
                        description: "",
                        parent: Some(parent.clone()),
                    },
                    &t.members,
                    Some(Box::new(panels)),
                ));
            }
        }
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

#[derive(Debug, Clone, Serialize)]
struct Parent {
    title: String,
    url: String,
}

/// Postmortems per page of a listing.
pub(crate) const PER_PAGE: usize = 50;

/// One page link of a paginated listing.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageLink {
    /// 1-based page number.
    pub number: usize,
    /// URL relative to the root.
    pub url: String,
}

/// Where a page sits in a paginated listing (`null` in templates when there is one page).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Paginator {
    /// 1-based current page.
    pub current: usize,
    /// Number of pages.
    pub pages: usize,
    /// Previous page URL.
    pub prev: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
    /// The first and last pages and those near the current one.
    pub links: Vec<PageLink>,
}

/// Splits `cards` into pages of [`PER_PAGE`]: page 1 at `path`, page n at `path/page/n/`.
pub(crate) fn paginate<T>(path: &str, cards: Vec<T>) -> Vec<(String, Vec<T>, Option<Paginator>)> {
    paginate_by(path, cards, PER_PAGE)
}

/// [`paginate`] with `per_page` items a page.
pub(crate) fn paginate_by<T>(
    path: &str,
    cards: Vec<T>,
    per_page: usize,
) -> Vec<(String, Vec<T>, Option<Paginator>)> {
    let per_page = per_page.max(1);
    let pages = cards.len().div_ceil(per_page).max(1);
    if pages == 1 {
        return vec![(path.to_string(), cards, None)];
    }
    let url = |n: usize| {
        if n == 1 {
            path.to_string()
        } else {
            format!("{path}page/{n}/")
        }
    };
    let mut out = Vec::with_capacity(pages);
    // Each page gets its own exactly sized list: splitting the tail off one list would leave
    // every page holding the capacity of all the pages after it (quadratic memory: 3.6 GB for
    // the action register of 50,000 postmortems).
    let mut rest = cards.into_iter();
    for n in 1..=pages {
        let page: Vec<T> = rest.by_ref().take(per_page).collect();
        out.push((
            url(n),
            page,
            Some(Paginator {
                current: n,
                pages,
                prev: (n > 1).then(|| url(n - 1)),
                next: (n < pages).then(|| url(n + 1)),
                links: (1..=pages)
                    .filter(|&k| k == 1 || k == pages || k.abs_diff(n) <= 3)
                    .map(|k| PageLink {
                        number: k,
                        url: url(k),
                    })
                    .collect(),
            }),
        ));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use crate::config::Config;
    use crate::content::document::{parse_document, ParseContext};
    use crate::similar::{self, Similarity};

    /// Three incidents, the second a recurrence of the first, each with an action item.
    pub(crate) fn site_docs(config: &Config) -> Vec<crate::model::Postmortem> {
        let hl = Highlighter::new();
        let ctx = ParseContext {
            config,
            highlighter: &hl,
        };
        [
            ("cert-a", "2022-03-14", "", "Gateway TLS certificate expired"),
            ("cert-b", "2023-03-02", "recurrence_of = [\"cert-a\"]\n", "Webhook TLS certificate expired"),
            ("dns-a", "2024-06-18", "", "DNS records deleted by a terraform apply"),
        ]
        .iter()
        .map(|(id, date, extra, title)| {
            let src = format!(
                "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"{title}.\"\nservices = [\"gateway\"]\ncontributing_factors = [\"certificate-expiry\"]\n{extra}[[action_items]]\nid = \"AI-1\"\ntitle = \"Alert 30 days before {title}\"\nowner = \"sre\"\ndue = 2022-05-01\nstatus = \"open\"\n+++\n## Summary\n\n{title}.\n\n## Root cause and contributing factors\n\nThe certificate of {title} was renewed by hand.\n"
            );
            let (pm, diags) = parse_document(std::path::Path::new("content/x.md"), id, &src, &ctx);
            assert!(diags.iter().all(|d| !d.is_error()), "{id}: {diags:?}");
            pm.unwrap()
        })
        .collect()
    }

    fn files(renderer: &Renderer<'_>, part: Part) -> BTreeMap<String, Vec<u8>> {
        let out = Mutex::new(BTreeMap::new());
        renderer
            .render_part(part, &|f| {
                let again = out.lock().unwrap().insert(f.path.clone(), f.contents);
                assert!(again.is_none(), "{} made twice", f.path);
                Ok(())
            })
            .unwrap();
        out.into_inner().unwrap()
    }

    #[test]
    fn the_unlinked_part_reads_no_similarity_and_the_two_parts_make_the_site() {
        // `build` renders the unlinked part before similarity is known: none of its files may
        // depend on it, and together with the linked part it must be the whole site.
        let config = Config::default();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let site = crate::enrich::enrich(site_docs(&config), &config, today, false);
        let analysed = similar::analyse(&site, None);
        let similarity = similar::compute(&site, &analysed, None).unwrap();
        assert!(!similarity.classes.is_empty() && similarity.links.iter().any(|l| !l.is_empty()));
        let theme = Theme::of_site(std::path::Path::new("/nonexistent-site")).unwrap();
        let empty = Similarity::NONE;
        let unlinked = files(&Renderer::new(&site, &theme, &similarity), Part::Unlinked);
        let first = Renderer::new(&site, &theme, &empty);
        assert_eq!(files(&first, Part::Unlinked), unlinked);
        assert!(unlinked.contains_key("actions/index.html") && unlinked.contains_key("index.html"));
        let linked = files(&Renderer::new(&site, &theme, &similarity), Part::Linked);
        // As `build` does: the renderer of the unlinked part, its rows forgotten, given the
        // lists, renders the linked part with the cards it has made (recurring classes list
        // them).
        first.forget_unlinked();
        let second = first.with_similarity(&similarity);
        assert!(Arc::ptr_eq(&first.fragments, &second.fragments));
        assert_eq!(files(&second, Part::Linked), linked);
        assert!(linked.contains_key("postmortems/cert-b/index.html"));
        let all = files(&Renderer::new(&site, &theme, &similarity), Part::All);
        let mut parts = unlinked;
        for (path, bytes) in linked {
            assert!(
                parts.insert(path.clone(), bytes).is_none(),
                "{path} in both parts"
            );
        }
        assert_eq!(parts, all);
    }

    #[test]
    fn roots() {
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("postmortems/a/"), "../../");
        assert_eq!(root_prefix("factors/dns/atom.xml"), "../../");
    }

    #[test]
    fn pages_hold_only_their_own_items() {
        let pages = paginate_by("actions/", (0..1000).collect::<Vec<u32>>(), 10);
        assert_eq!(pages.len(), 100);
        assert_eq!(pages[99].1, (990..1000).collect::<Vec<u32>>());
        assert_eq!(pages[1].0, "actions/page/2/");
        // Not the capacity of the rest of the list: that made memory quadratic.
        assert!(pages.iter().all(|(_, items, _)| items.capacity() <= 10));
    }
}
