//! The action register's pages: `/actions/` (paginated), grouped by status, every item with its
//! flags and the `data-*` keys the optional `static/actions.js` filters by. Each item is written
//! once: the script combines filters in the browser from `api/actions.json` (there are no
//! per-value pages: they wrote every item about six times).

use crate::model::ItemStatus;
use rayon::prelude::*;
use serde::Serialize;

use super::super::view::{self, date_display};
use super::super::{root_prefix, Fragments, Job};
use crate::enrich::Site;
use crate::insights::actions::{self, Action, Dimension};
use crate::text::slugify;

/// A postmortem an item belongs to, or that repeated its incident.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PmLink {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
    /// `3 Feb 2025` or `undated`.
    pub date_display: String,
}

fn pm_link(site: &Site<'_>, i: usize) -> PmLink {
    let pm = &site.postmortems[i];
    PmLink {
        id: pm.id.clone(),
        title: pm.title.clone(),
        url: view::postmortem_url(&pm.id),
        date_display: pm
            .date
            .map(|d| date_display(d.date()))
            .unwrap_or_else(|| "undated".into()),
    }
}

/// The slugs an item has in each dimension (the rows' `data-*` attributes).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FilterKeys {
    /// Status slug.
    pub status: String,
    /// Owner slug.
    pub owner: String,
    /// Team slugs, space-separated.
    pub team: String,
    /// Service slugs, space-separated.
    pub service: String,
    /// Severity slug.
    pub severity: String,
    /// Kind slug.
    pub kind: String,
    /// Priority slug.
    pub priority: String,
}

/// An action item as `actions.html` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionView {
    /// Item id, may be `""`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its postmortem.
    pub pm: PmLink,
    /// Owner, may be `""`.
    pub owner: String,
    /// `YYYY-MM-DD` or `""`.
    pub due: String,
    /// Status (`open` when not given).
    pub status: ItemStatus,
    /// Kind, may be `""`.
    pub kind: String,
    /// Priority, may be `""`.
    pub priority: String,
    /// `YYYY-MM-DD` or `""`.
    pub closed: String,
    /// Open or in progress.
    pub open: bool,
    /// Open and due before today.
    pub overdue: bool,
    /// Open for more than `stale_days` since the incident.
    pub stale: bool,
    /// Days since the incident while open, or null.
    pub days_open: Option<i64>,
    /// Done on or before its due date.
    pub done_on_time: bool,
    /// Later postmortems that repeat this item's incident (non-empty: flagged).
    pub recurred_in: Vec<PmLink>,
    /// The postmortem's teams.
    pub teams: Vec<view::Named>,
    /// Filter slugs.
    pub keys: FilterKeys,
    /// Its page in the tracker, may be `""`.
    pub url: String,
    /// Its id in the tracker, may be `""`.
    pub ticket: String,
}

fn action_view(site: &Site<'_>, a: &Action) -> ActionView {
    let slugs = |d: Dimension| {
        a.values(d)
            .into_iter()
            .map(|(s, _)| s)
            .collect::<Vec<_>>()
            .join(" ")
    };
    ActionView {
        id: a.id.clone(),
        title: a.title.clone(),
        pm: pm_link(site, a.pm_index),
        owner: a.owner.clone(),
        due: a.due.map(|d| d.to_string()).unwrap_or_default(),
        status: a.status,
        kind: a.kind.clone(),
        priority: a.priority.clone(),
        closed: a.closed.map(|d| d.to_string()).unwrap_or_default(),
        open: a.open,
        overdue: a.overdue,
        stale: a.stale,
        days_open: a.days_open,
        done_on_time: a.done_on_time,
        recurred_in: a
            .recurred_in
            .iter()
            .filter_map(|id| site.by_id.get(id))
            .map(|&j| pm_link(site, j))
            .collect(),
        teams: a
            .teams
            .iter()
            .map(|t| view::Named {
                name: t.clone(),
                slug: slugify(t),
                url: format!("teams/{}/", slugify(t)),
            })
            .collect(),
        keys: FilterKeys {
            status: slugs(Dimension::Status),
            owner: slugs(Dimension::Owner),
            team: slugs(Dimension::Team),
            service: slugs(Dimension::Service),
            severity: slugs(Dimension::Severity),
            kind: slugs(Dimension::Kind),
            priority: slugs(Dimension::Priority),
        },
        url: a.url.clone().unwrap_or_default(),
        ticket: a.ticket.clone().unwrap_or_default(),
    }
}

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
    register: &'a [Action],
    fragments: &'a Fragments<'_>,
) -> Vec<Job<'a>> {
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
    let filters: std::sync::Arc<[Filter]> = filters.into();
    let groups = actions::groups(register, Dimension::Status);
    // Every item (as its index in the register) in group order, paginated; each page
    // regroups its share, and its rows are made when the page is rendered.
    let flat: Vec<(usize, usize)> = groups
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| g.members.iter().map(move |&k| (gi, k)))
        .collect();
    let summary = ActionSummary {
        total: register.len(),
        open: register.iter().filter(|a| a.open).count(),
        overdue: register.iter().filter(|a| a.overdue).count(),
        stale: register.iter().filter(|a| a.stale).count(),
        recurred: register.iter().filter(|a| a.recurred()).count(),
    };
    let heads: std::sync::Arc<[(String, String, usize)]> = groups
        .iter()
        .map(|g| (g.name.clone(), g.slug.clone(), g.members.len()))
        .collect();
    let heading = "Action items".to_string();
    super::super::paginate_by("actions/", flat, ACTIONS_PER_PAGE)
        .into_iter()
        .map(|(url, page, paginator)| {
            let heads = std::sync::Arc::clone(&heads);
            let root = root_prefix(&url);
            Job::new(url, "actions.html", heading.clone())
                .with("heading", &heading)
                .with("summary", &summary)
                .lazy_try("groups", move || {
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
                        let view = |k: usize| action_view(site, &register[k]);
                        fragments.row(k, &root, view, &mut group.rows)?;
                        group.shown += 1;
                    }
                    Ok(page_groups)
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
