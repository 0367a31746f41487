//! The action register: every action item of the published archive in one list, with what
//! needs a decision flagged (overdue, open for months, its incident recurred) and the
//! dimensions it is grouped and filtered by (status, owner, team, service, severity, kind,
//! priority).
//!
//! Plain data over the [`Site`]; `/actions/` and `api/actions.json` are drawn from it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::Quarter;
use crate::enrich::Site;
use crate::model::{ActionItem, ItemStatus, Postmortem};
use crate::text::slugify;

/// Open (or in progress) and the incident older than `stale_days` days as of `today`: the item
/// needs a decision, it is either wrong or de-prioritised. Same rule as `check`'s
/// `action-item/stale`.
pub(crate) fn is_stale(pm: &Postmortem, a: &ActionItem, today: NaiveDate, stale_days: i64) -> bool {
    a.is_open()
        && pm
            .date
            .is_some_and(|d| (today - d.date()).num_days() > stale_days)
}

/// The value shown (and filtered by) for a missing owner, kind or priority.
pub(crate) const UNSPECIFIED: &str = "unspecified";

/// One action item with its postmortem and flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Action {
    /// The item's id (`AI-1`), may be `""`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The postmortem's id.
    pub postmortem: String,
    /// Index of the postmortem in the site.
    #[serde(skip)]
    pub pm_index: usize,
    /// The incident's date, `None` when undated.
    pub date: Option<NaiveDate>,
    /// The incident's quarter.
    pub quarter: Option<Quarter>,
    /// The postmortem's teams.
    pub teams: Vec<String>,
    /// The postmortem's services.
    pub services: Vec<String>,
    /// The postmortem's severity, `""` when unrated.
    pub severity: String,
    /// Owner, may be `""`.
    pub owner: String,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Where it stands (`open` when not given).
    pub status: ItemStatus,
    /// Kind, may be `""`.
    pub kind: String,
    /// Priority, may be `""`.
    pub priority: String,
    /// When it was closed.
    pub closed: Option<NaiveDate>,
    /// Open or in progress.
    pub open: bool,
    /// Done with `closed` on or before `due`.
    pub done_on_time: bool,
    /// Open or in progress and due before today.
    pub overdue: bool,
    /// Open or in progress for more than `stale_days` since the incident.
    pub stale: bool,
    /// Days since the incident, while open (`None` when closed or undated).
    pub days_open: Option<i64>,
    /// Later published postmortems that name this item's postmortem in `recurrence_of`.
    pub recurred_in: Vec<String>,
    /// Its page in the tracker (its `url`, or its `ticket` through `[links] ticket`); left
    /// out of the JSON when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its id in the tracker; left out of the JSON when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

impl Action {
    /// Its postmortem's incident came back later.
    pub(crate) fn recurred(&self) -> bool {
        !self.recurred_in.is_empty()
    }

    /// The values of a filter dimension (`status`, `owner`, `team`, `service`, `severity`,
    /// `kind`, `priority`) as (slug, name) pairs; a missing value is [`UNSPECIFIED`].
    pub(crate) fn values(&self, dimension: Dimension) -> Vec<(String, String)> {
        let one = |s: &str| {
            let name = if s.is_empty() { UNSPECIFIED } else { s };
            vec![(slugify(name), name.to_string())]
        };
        let many = |v: &[String]| {
            if v.is_empty() {
                one("")
            } else {
                v.iter().map(|t| (slugify(t), t.clone())).collect()
            }
        };
        match dimension {
            Dimension::Status => one(self.status.as_str()),
            Dimension::Severity => one(&self.severity),
            Dimension::Owner => one(&self.owner),
            Dimension::Kind => one(&self.kind),
            Dimension::Priority => one(&self.priority),
            Dimension::Team => many(&self.teams),
            Dimension::Service => many(&self.services),
        }
    }
}

/// What the register is grouped and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Dimension {
    /// Item status.
    Status,
    /// Item owner.
    Owner,
    /// The postmortem's teams.
    Team,
    /// The postmortem's services.
    Service,
    /// The postmortem's severity.
    Severity,
    /// Item kind.
    Kind,
    /// Item priority.
    Priority,
}

impl Dimension {
    /// Every dimension, in the order pages show them.
    pub(crate) const ALL: [Dimension; 7] = [
        Dimension::Status,
        Dimension::Severity,
        Dimension::Team,
        Dimension::Service,
        Dimension::Owner,
        Dimension::Kind,
        Dimension::Priority,
    ];

    /// `status`, `owner`...
    pub(crate) fn key(self) -> &'static str {
        match self {
            Dimension::Status => "status",
            Dimension::Owner => "owner",
            Dimension::Team => "team",
            Dimension::Service => "service",
            Dimension::Severity => "severity",
            Dimension::Kind => "kind",
            Dimension::Priority => "priority",
        }
    }
}

/// Status order in groupings: what needs work first.
pub(crate) fn status_rank(status: &str) -> usize {
    ItemStatus::parse(status).map_or(ItemStatus::ALL.len(), |s| s as usize)
}

/// One value of a dimension and the items that have it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Group {
    /// URL segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Indices into the register.
    pub members: Vec<usize>,
}

/// Every action item of the site, newest postmortem first, items in written order.
pub(crate) fn register(site: &Site<'_>) -> Vec<Action> {
    let today = site.today;
    let stale_days = site.config.check.stale_days;
    let mut out = Vec::new();
    for (i, pm) in site.postmortems.iter().enumerate() {
        let recurred_in: Vec<String> = site.recurred_in[i]
            .iter()
            .map(|&j| site.postmortems[j].id.clone())
            .collect();
        let date = pm.date.map(|d| d.date());
        for a in &pm.action_items {
            let open = a.is_open();
            out.push(Action {
                id: a.id.clone(),
                title: a.title.clone(),
                postmortem: pm.id.clone(),
                pm_index: i,
                date,
                quarter: date.map(Quarter::of),
                teams: pm.teams.clone(),
                services: pm.services.clone(),
                severity: pm.severity.clone().unwrap_or_default(),
                owner: a.owner.clone(),
                due: a.due,
                status: a.status_or_open(),
                kind: a.kind.clone(),
                priority: a.priority.clone(),
                closed: a.closed,
                open,
                done_on_time: a.status == Some(ItemStatus::Done)
                    && matches!((a.closed, a.due), (Some(c), Some(d)) if c <= d),
                overdue: a.is_overdue(today),
                stale: is_stale(pm, a, today, stale_days),
                days_open: date.filter(|_| open).map(|d| (today - d).num_days()),
                recurred_in: recurred_in.clone(),
                url: site.config.links.action_link(&a.url, &a.ticket),
                ticket: (!a.ticket.is_empty()).then(|| a.ticket.clone()),
            });
        }
    }
    out
}

/// The groups of one dimension, sorted by slug (statuses in working order).
pub(crate) fn groups(actions: &[Action], dimension: Dimension) -> Vec<Group> {
    let all: Vec<usize> = (0..actions.len()).collect();
    groups_of(actions, &all, dimension)
}

/// [`groups`] of the items `members` (indexes into `actions`, ascending); the groups'
/// members are indexes into `actions` too.
pub(crate) fn groups_of(actions: &[Action], members: &[usize], dimension: Dimension) -> Vec<Group> {
    let mut map: BTreeMap<String, Group> = BTreeMap::new();
    for &k in members {
        let a = &actions[k];
        for (slug, name) in a.values(dimension) {
            let g = map.entry(slug.clone()).or_insert_with(|| Group {
                slug,
                name,
                members: Vec::new(),
            });
            if g.members.last() != Some(&k) {
                g.members.push(k);
            }
        }
    }
    let mut out: Vec<Group> = map.into_values().collect();
    if dimension == Dimension::Status {
        out.sort_by(|a, b| {
            status_rank(&a.name)
                .cmp(&status_rank(&b.name))
                .then_with(|| a.slug.cmp(&b.slug))
        });
    }
    out
}
