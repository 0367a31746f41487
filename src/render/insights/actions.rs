//! The action register's pages: `/actions/` (paginated), grouped by status, every item with its
//! flags and the `data-*` keys the optional `static/actions.js` filters by. Each item is written
//! once: the script combines filters in the browser from `api/actions.json` (there are no
//! per-value pages: they wrote every item about six times).

use rayon::prelude::*;
use serde::Serialize;

use super::super::items::register_view;
use super::super::{root_prefix, Fragments, Job};
use crate::enrich::Site;
use crate::insights::actions::{self, Action, Dimension};

/// One value of a filter dimension (an option of its select).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FilterValue {
    /// Display name.
    pub name: String,
    /// Slug (the rows' `data-<key>` value, the query string's value).
    pub slug: String,
    /// Items with it in the whole register.
    pub count: usize,
}

/// A filter dimension.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Filter {
    /// `status`, `severity`, `team`, `service`, `owner`, `kind`, `priority`.
    pub key: &'static str,
    /// `Status`...
    pub title: &'static str,
    /// Its values.
    pub values: Vec<FilterValue>,
}

/// Items of one status (on this page of the register).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StatusGroup {
    /// Status.
    pub name: String,
    /// Slug (anchor `status-<slug>`).
    pub slug: String,
    /// Items of the group in the whole register, across its pages.
    pub total: usize,
    /// Items of the group on this page.
    pub shown: usize,
    /// Their rows, newest postmortem first, as `action-row.html` renders them for this page
    /// (each row is rendered once and pasted into every page that lists it, with that page's
    /// `root`: a theme changes rows there).
    pub rows: String,
}

/// Action items per page of the register: a large archive has tens of thousands.
pub(crate) const ACTIONS_PER_PAGE: usize = 200;

/// Counts shown above the register.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ActionSummary {
    /// Items listed.
    pub total: usize,
    /// Open or in progress.
    pub open: usize,
    /// Overdue.
    pub overdue: usize,
    /// Open for more than `stale_days`.
    pub stale: usize,
    /// Of a recurred incident.
    pub recurred: usize,
}

fn title_of(d: Dimension) -> &'static str {
    match d {
        Dimension::Status => "Status",
        Dimension::Owner => "Owner",
        Dimension::Team => "Team",
        Dimension::Service => "Service",
        Dimension::Severity => "Severity",
        Dimension::Kind => "Kind",
        Dimension::Priority => "Priority",
    }
}

/// `/actions/` (and its pages `/actions/page/<n>/`): every item once, grouped by status.
pub(in crate::render) fn action_jobs<'a>(
    site: &'a Site<'_>,
    register: &'a [Action<'a>],
    fragments: &'a Fragments<'_>,
) -> Vec<Job<'a>> {
    let filters = filters(register);
    let groups = actions::groups(register, Dimension::Status);
    // Every item (as its index in the register) in group order, paginated; each page
    // regroups its share, and its rows are made when the page is rendered.
    let flat: Vec<(usize, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| g.members.iter().map(move |&k| (gi, k)))
        .collect();
    let summary = summary(register);
    let heads: std::sync::Arc<[(String, String, usize)]> = groups
        .iter()
        .map(|g| (g.name.clone(), g.slug.clone(), g.members.len()))
        .collect();
    let heading = "Action items".to_string();
    super::super::paginate::paginate_by("actions/", flat, ACTIONS_PER_PAGE)
        .into_iter()
        .map(|(url, page, paginator)| {
            let heads = std::sync::Arc::clone(&heads);
            let root = root_prefix(&url);
            Job::new(url, "actions.html", heading.clone())
                .with("heading", &heading)
                .with("summary", &summary)
                .lazy_try("groups", move || {
                    page_groups(site, register, fragments, &heads, page, &root)
                })
                .lazy("filters", {
                    // Shared by every page; serialised only when the page is rendered.
                    let filters = std::sync::Arc::clone(&filters);
                    move || filters
                })
                .with("paginator", &paginator)
                .with("stale_days", &site.config.check.stale_days)
        })
        .collect()
}

/// The filter dimensions, each with its values and their counts in the whole register.
fn filters(register: &[Action<'_>]) -> std::sync::Arc<[Filter]> {
    let filters: Vec<Filter> = Dimension::ALL
        .par_iter()
        .map(|&d| Filter {
            key: d.key(),
            title: title_of(d),
            values: actions::groups(register, d)
                .into_iter()
                .map(|g| FilterValue {
                    count: g.members.len(),
                    name: g.name,
                    slug: g.slug,
                })
                .collect(),
        })
        .collect();
    filters.into()
}

/// The counts at the head of the register.
fn summary(register: &[Action<'_>]) -> ActionSummary {
    ActionSummary {
        total: register.len(),
        open: register.iter().filter(|a| a.open).count(),
        overdue: register.iter().filter(|a| a.overdue).count(),
        stale: register.iter().filter(|a| a.stale).count(),
        recurred: register.iter().filter(|a| a.recurred()).count(),
    }
}

/// A page's share of the items (status group index, register index), regrouped by status
/// (`heads`: each group's name, slug and total), each row rendered.
fn page_groups(
    site: &Site<'_>,
    register: &[Action<'_>],
    fragments: &Fragments<'_>,
    heads: &[(String, String, usize)],
    page: Vec<(usize, usize)>,
    root: &str,
) -> crate::error::Result<Vec<StatusGroup>> {
    let mut page_groups: Vec<StatusGroup> = Vec::new();
    for (gi, k) in page {
        let (name, slug, total) = &heads[gi];
        let group = match page_groups.last_mut() {
            Some(last) if last.slug == *slug => last,
            _ => {
                page_groups.push(StatusGroup {
                    name: name.clone(),
                    slug: slug.clone(),
                    total: *total,
                    shown: 0,
                    rows: String::new(),
                });
                page_groups.last_mut().expect("just pushed")
            }
        };
        if group.shown > 0 {
            group.rows.push_str("\n        ");
        }
        let view = |k: usize| register_view(site, &register[k]);
        fragments.row(k, root, view, &mut group.rows)?;
        group.shown += 1;
    }
    Ok(page_groups)
}
