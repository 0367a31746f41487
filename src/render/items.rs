//! An action item as the site shows it: one view ([`ActionItemView`]) for every template that
//! shows an item (a postmortem's tracker, a recurring class's open items, the register's rows)
//! and one serde shape ([`ActionJson`]) for both JSON outputs (`api/postmortems.json`'s
//! `action_items` and `api/actions.json`). What only some of them show is an optional part,
//! left out when absent, so each output keeps its shape.

use chrono::NaiveDate;
use serde::Serialize;

use super::refs::{pm_ref_of, Named, PmRef, Views};
use crate::enrich::Site;
use crate::insights::actions::{Action, Dimension};
use crate::insights::Quarter;
use crate::model::{text_or_empty, ActionItem, ItemKind, ItemStatus, Priority};
use crate::text::postmortem_url;

/// An action item as templates see it (`a` in `postmortem.html`, `recurring-class.html`,
/// `action-row.html`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionItemView {
    /// `AI-1`, may be `""`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner, may be `""`.
    pub owner: String,
    /// Due date `YYYY-MM-DD` or `""`.
    pub due: String,
    /// Status (`open` when not given).
    pub status: ItemStatus,
    /// Kind, `""` when not given.
    #[serde(serialize_with = "text_or_empty")]
    pub kind: Option<ItemKind>,
    /// Priority, `""` when not given.
    #[serde(serialize_with = "text_or_empty")]
    pub priority: Option<Priority>,
    /// Closed date `YYYY-MM-DD` or `""`.
    pub closed: String,
    /// Open or in progress.
    pub open: bool,
    /// Open and past due.
    pub overdue: bool,
    /// Its page in the tracker (its `url`, or its `ticket` through `[links] ticket`), may be
    /// `""`.
    pub url: String,
    /// Its id in the tracker, may be `""`.
    pub ticket: String,
    /// Its postmortem (a recurring class's items and the register's rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pm: Option<PmRef>,
    /// What the register's rows show besides.
    #[serde(flatten)]
    pub register: Option<RegisterView>,
}

/// What a row of the register shows besides an item's own fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegisterView {
    /// Open for more than `stale_days` since the incident.
    pub stale: bool,
    /// Days since the incident while open, or null.
    pub days_open: Option<i64>,
    /// Done on or before its due date.
    pub done_on_time: bool,
    /// Later postmortems that repeat this item's incident (non-empty: flagged).
    pub recurred_in: Vec<PmRef>,
    /// The postmortem's teams.
    pub teams: Vec<Named>,
    /// Filter slugs.
    pub keys: FilterKeys,
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

/// `YYYY-MM-DD` or `""`.
fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Item `a` as shown, on its own.
pub(crate) fn item_view(site: &Site<'_>, a: &ActionItem) -> ActionItemView {
    ActionItemView {
        id: a.id.clone(),
        title: a.title.clone(),
        owner: a.owner.clone(),
        due: day(a.due),
        status: a.status_or_open(),
        kind: a.kind,
        priority: a.priority,
        closed: day(a.closed),
        open: a.is_open(),
        overdue: a.is_overdue(site.today),
        url: site
            .config
            .links
            .action_link(&a.url, &a.ticket)
            .unwrap_or_default(),
        ticket: a.ticket.clone(),
        pm: None,
        register: None,
    }
}

/// Item `a` of postmortem `i`, with a link to it.
pub(crate) fn item_of_view(views: &Views<'_, '_>, i: usize, a: &ActionItem) -> ActionItemView {
    ActionItemView {
        pm: Some(views.pm_ref(i)),
        ..item_view(views.site(), a)
    }
}

/// A row of the register.
pub(crate) fn register_view(site: &Site<'_>, a: &Action<'_>) -> ActionItemView {
    let slugs = |d: Dimension| {
        a.values(d)
            .into_iter()
            .map(|(s, _)| s)
            .collect::<Vec<_>>()
            .join(" ")
    };
    ActionItemView {
        pm: Some(pm_ref_of(site, a.pm_index)),
        register: Some(RegisterView {
            stale: a.stale,
            days_open: a.days_open,
            done_on_time: a.done_on_time,
            recurred_in: a.recurred_in.iter().map(|&j| pm_ref_of(site, j)).collect(),
            teams: Views::named("teams", &a.pm.teams),
            keys: FilterKeys {
                status: slugs(Dimension::Status),
                owner: slugs(Dimension::Owner),
                team: slugs(Dimension::Team),
                service: slugs(Dimension::Service),
                severity: slugs(Dimension::Severity),
                kind: slugs(Dimension::Kind),
                priority: slugs(Dimension::Priority),
            },
        }),
        ..item_view(site, a.item)
    }
}

/// An action item in the JSON outputs: `api/postmortems.json` lists a postmortem's items with
/// their own fields; `api/actions.json` adds (in this order, where they fall) the incident, the
/// register's flags and the postmortem's title and URL.
#[derive(Serialize)]
pub(crate) struct ActionJson<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(flatten)]
    incident: Option<IncidentJson<'a>>,
    owner: &'a str,
    due: Option<NaiveDate>,
    status: ItemStatus,
    #[serde(serialize_with = "text_or_empty")]
    kind: Option<ItemKind>,
    #[serde(serialize_with = "text_or_empty")]
    priority: Option<Priority>,
    closed: Option<NaiveDate>,
    #[serde(flatten)]
    progress: Option<ProgressJson>,
    overdue: bool,
    #[serde(flatten)]
    flags: Option<FlagsJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    #[serde(flatten)]
    listing: Option<ListingJson<'a>>,
}

/// The register's fields about the item's incident.
#[derive(Serialize)]
struct IncidentJson<'a> {
    postmortem: &'a str,
    date: Option<NaiveDate>,
    quarter: Option<Quarter>,
    teams: &'a [String],
    services: &'a [String],
    severity: &'a str,
}

/// The register's fields about the item's progress.
#[derive(Serialize)]
struct ProgressJson {
    open: bool,
    done_on_time: bool,
}

/// The register's flags.
#[derive(Serialize)]
struct FlagsJson<'a> {
    stale: bool,
    days_open: Option<i64>,
    recurred_in: Vec<&'a str>,
}

/// The register's link to the postmortem.
#[derive(Serialize)]
struct ListingJson<'a> {
    postmortem_title: &'a str,
    postmortem_url: String,
    recurred: bool,
}

/// Item `a` in `api/postmortems.json`.
pub(crate) fn item_json<'a>(site: &Site<'_>, a: &'a ActionItem) -> ActionJson<'a> {
    ActionJson {
        id: &a.id,
        title: &a.title,
        incident: None,
        owner: &a.owner,
        due: a.due,
        status: a.status_or_open(),
        kind: a.kind,
        priority: a.priority,
        closed: a.closed,
        progress: None,
        overdue: a.is_overdue(site.today),
        flags: None,
        url: site.config.links.action_link(&a.url, &a.ticket),
        ticket: (!a.ticket.is_empty()).then_some(a.ticket.as_str()),
        listing: None,
    }
}

/// Item `a` of the register in `api/actions.json`.
pub(crate) fn register_json<'a>(site: &'a Site<'_>, a: &Action<'a>) -> ActionJson<'a> {
    let pm = a.pm;
    let date = a.date();
    ActionJson {
        incident: Some(IncidentJson {
            postmortem: &pm.id,
            date,
            quarter: date.map(Quarter::of),
            teams: &pm.teams,
            services: &pm.services,
            severity: pm.severity.as_deref().unwrap_or_default(),
        }),
        progress: Some(ProgressJson {
            open: a.open,
            done_on_time: a.done_on_time,
        }),
        overdue: a.overdue,
        flags: Some(FlagsJson {
            stale: a.stale,
            days_open: a.days_open,
            recurred_in: a
                .recurred_in
                .iter()
                .map(|&j| site.postmortems[j].id.as_str())
                .collect(),
        }),
        listing: Some(ListingJson {
            postmortem_title: &pm.title,
            postmortem_url: postmortem_url(&pm.id),
            recurred: a.recurred(),
        }),
        ..item_json(site, a.item)
    }
}
