//! Page planning: which pages the site has, each a [`Job`] still to be rendered (its context
//! filled only when [`Renderer::render`] renders it): the home page, listings, taxonomies, factor
//! themes, the action register and insights (the unlinked part), postmortem pages, service and
//! team pages and recurring classes (the linked part).

use serde::Serialize;

use super::job::Job;
use super::paginate::{paginate, paginate_by};
use super::{api, insights, listing, root_prefix, view, Page, Part, Renderer};
use crate::enrich::taxonomy::{Taxonomies, Term};

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

/// The index a term listing belongs to (its breadcrumb).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Parent {
    title: String,
    url: String,
}

impl<'s> Renderer<'s> {
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
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
