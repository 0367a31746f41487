//! The listings: pages that show postmortems as a table (`row.html` fragments pasted into
//! `list.html`, `factor.html`, `recurring-class.html`), paginated, and the panels of service and
//! team pages (per year, factors, open action items, recurring classes), which reuse what
//! factor pages and recurring classes compute.

use serde::Serialize;

use super::items::ActionItemView;
use super::job::{Fragments, Job};
use super::pages::Parent;
use super::paginate::paginate_by;
use super::recurring::ClassShare;
use super::view::{TermView, Views};
use super::{api, root_prefix};
use crate::enrich::Site;

/// Rows per page of a listing (a row is a fifth of the card it replaced: a page of rows is
/// still lighter than a page of 50 cards, and the site has half as many listing pages).
pub(crate) const ROWS_PER_PAGE: usize = 100;

/// Open action items a panel lists (the most urgent first); it counts all of them.
pub(crate) const PANEL_ACTIONS: usize = 10;

/// Recurring classes a panel lists (those holding most of the listing's incidents).
pub(crate) const PANEL_CLASSES: usize = 10;

/// What a listing is about, for its title, heading and page.
pub(super) struct Listing<'p> {
    /// Its URL, relative to the root.
    pub(super) path: &'p str,
    /// Its heading.
    pub(super) heading: &'p str,
    /// Its kind (`all`, `year`, `service`...): `list.html`'s `kind`.
    pub(super) kind: &'p str,
    /// What it lists, or `""`.
    pub(super) description: &'p str,
    /// The index it belongs to.
    pub(super) parent: Option<Parent>,
}

/// The pages of a listing of `members` (site order: newest first), [`ROWS_PER_PAGE`] rows
/// each; `panels` makes its first page's panels.
pub(super) fn list_jobs<'a>(
    views: &'a Views<'_, '_>,
    fragments: &'a Fragments<'_>,
    listing: Listing<'_>,
    members: &[usize],
    panels: Option<Box<dyn FnOnce() -> TermPanels + Send + 'a>>,
) -> Vec<Job<'a>> {
    let total = members.len();
    let mut panels = panels;
    paginate_by(listing.path, members.to_vec(), ROWS_PER_PAGE)
        .into_iter()
        .map(|(url, page, paginator)| {
            let root = root_prefix(&url);
            let job = Job::new(url, "list.html", listing.heading)
                .with("heading", &listing.heading)
                .with("kind", &listing.kind)
                .with("description", &listing.description)
                .with("parent", &listing.parent)
                .with("total", &total)
                .with("paginator", &paginator)
                .with("panels", &false)
                .lazy_try("postmortems", move || fragments.listed(views, &page, &root));
            match panels.take() {
                Some(make) => job.lazy("panels", make),
                None => job,
            }
        })
        .collect()
}

/// The panels of a service's or team's page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermPanels {
    /// Postmortems per year, oldest first.
    pub per_year: Vec<api::YearCount>,
    /// The factors of its incidents, most frequent first.
    pub factors: Vec<TermView>,
    /// Its open action items.
    pub actions: OpenActions,
    /// The recurring classes its incidents belong to.
    pub classes: ClassShares,
}

/// The open action items of a listing's postmortems.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OpenActions {
    /// The [`PANEL_ACTIONS`] most urgent: overdue first, then by due date (none last).
    pub items: Vec<ActionItemView>,
    /// Open items in all.
    pub open: usize,
    /// Overdue items in all.
    pub overdue: usize,
    /// The action register filtered to the listing's term, relative to the root.
    pub register_url: String,
}

/// The recurring classes of a listing's postmortems.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClassShares {
    /// The [`PANEL_CLASSES`] holding most of them.
    pub items: Vec<ClassShare>,
    /// Classes in all.
    pub total: usize,
}

/// The panels of the page of term `slug` of `filter` (`service`, `team`: the register's filter
/// key) whose postmortems are `members`.
pub(super) fn term_panels(
    site: &Site<'_>,
    views: &Views<'_, '_>,
    filter: &str,
    slug: &str,
    members: &[usize],
) -> TermPanels {
    let mut actions = views.open_actions(members);
    let (open, overdue) = (actions.len(), actions.iter().filter(|a| a.overdue).count());
    // Stable: within a rank, the site's order (newest incident first).
    actions.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| (a.due.is_empty(), &a.due).cmp(&(b.due.is_empty(), &b.due)))
    });
    actions.truncate(PANEL_ACTIONS);
    let mut classes = views.classes_among(members);
    let total = classes.len();
    classes.truncate(PANEL_CLASSES);
    TermPanels {
        per_year: api::per_year(site, members),
        factors: api::factors_among(site, views, members, ""),
        actions: OpenActions {
            items: actions,
            open,
            overdue,
            register_url: format!("actions/?{filter}={slug}"),
        },
        classes: ClassShares {
            items: classes,
            total,
        },
    }
}
