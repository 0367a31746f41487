//! The action register: every action item of the published archive in one list, with what
//! needs a decision flagged (overdue, open for months, its incident recurred) and the
//! dimensions it is grouped and filtered by (status, owner, team, service, severity, kind,
//! priority).
//!
//! Plain data over the [`Site`]; `/actions/` and `api/actions.json` are drawn from it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::enrich::Site;
use crate::model::{ActionItem, ItemKind, ItemStatus, Postmortem, Priority};
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

/// One action item of the register: the model's item and its postmortem, with what the register
/// derives from them (no copy of their fields).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Action<'s> {
    /// The item.
    pub item: &'s ActionItem,
    /// Its postmortem.
    pub pm: &'s Postmortem,
    /// Index of the postmortem in the site.
    pub pm_index: usize,
    /// Later published postmortems (indexes into the site) that name this item's postmortem in
    /// `recurrence_of`.
    pub recurred_in: &'s [usize],
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
}

impl Action<'_> {
    /// Its postmortem's incident came back later.
    pub(crate) fn recurred(&self) -> bool {
        !self.recurred_in.is_empty()
    }

    /// The incident's date, `None` when undated.
    pub(crate) fn date(&self) -> Option<NaiveDate> {
        self.pm.date.map(|d| d.date())
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
        let a = self.item;
        match dimension {
            Dimension::Status => one(a.status_or_open().as_str()),
            Dimension::Severity => one(self.pm.severity.as_deref().unwrap_or_default()),
            Dimension::Owner => one(&a.owner),
            Dimension::Kind => one(a.kind.map_or("", ItemKind::as_str)),
            Dimension::Priority => one(a.priority.map_or("", Priority::as_str)),
            Dimension::Team => many(&self.pm.teams),
            Dimension::Service => many(&self.pm.services),
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
pub(crate) fn register<'s>(site: &'s Site<'_>) -> Vec<Action<'s>> {
    let today = site.today;
    let stale_days = site.config.check.stale_days;
    let mut out = Vec::new();
    for (i, pm) in site.postmortems.iter().enumerate() {
        let date = pm.date.map(|d| d.date());
        for a in &pm.action_items {
            let open = a.is_open();
            out.push(Action {
                item: a,
                pm,
                pm_index: i,
                recurred_in: &site.recurred_in[i],
                open,
                done_on_time: a.is_done_on_time(),
                overdue: a.is_overdue(today),
                stale: is_stale(pm, a, today, stale_days),
                days_open: date.filter(|_| open).map(|d| (today - d).num_days()),
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
