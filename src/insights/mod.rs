//! Archive insights: the numbers that say whether the postmortem practice works (action items
//! closed within their deadline, time to publish, time to close the first high-priority item,
//! recurrence, near-miss reporting, document quality, participation breadth) and the incident
//! trends behind them, per quarter.
//!
//! Everything here is computed from the [`Site`], never from the raw archive, so restricted and
//! unbuilt draft postmortems cannot count. The result is plain data ([`Insights`]): pages,
//! charts and `api/insights.json` are drawn from it by `render`. A quarter is the quarter of
//! the incident's date; undated postmortems count in `overall` but in no quarter.
//!
//! Rates and medians without a denominator are `None` (`null` in JSON, "–" on pages).

pub(crate) mod actions;
pub(crate) mod chart;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Serialize, Serializer};

use crate::config::Config;
use crate::enrich::Site;
use crate::model::{ItemStatus, Postmortem, Priority};

/// A calendar quarter (`2025-Q1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Quarter {
    /// The year.
    pub year: i32,
    /// 1..=4.
    pub q: u32,
}

impl Quarter {
    /// The quarter a date falls in.
    pub(crate) fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The quarter after this one.
    pub(crate) fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// Every quarter from `first` to `last`, both included.
    pub(crate) fn range(first: Quarter, last: Quarter) -> Vec<Quarter> {
        let mut out = Vec::new();
        let mut q = first;
        while q <= last {
            out.push(q);
            q = q.next();
        }
        out
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Weekdays (Monday to Friday) after `from` up to and including `to`: a Friday incident
/// published the next Monday took 1 business day (3 calendar days). Public holidays are not
/// known to the archive and count as business days. Negative when `to` is before `from`.
pub(crate) fn business_days(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -business_days(to, from);
    }
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

/// The median, `None` for no values.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The mean, `None` for no values.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Every figure of one set of postmortems (the whole archive, or one quarter's incidents).
/// The keys are the JSON keys of `api/insights.json` (schema in the README).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Figures {
    /// Postmortems in the set.
    pub postmortems: usize,
    /// Of which near misses.
    pub near_misses: usize,
    /// `near_misses / postmortems`.
    pub near_miss_share: Option<f64>,
    /// Postmortems with a (publishable) `recurrence_of`.
    pub recurrences: usize,
    /// `recurrences / postmortems`.
    pub recurrence_rate: Option<f64>,
    /// Action items of those postmortems.
    pub action_items: usize,
    /// Open or in progress (no status counts as open).
    pub action_items_open: usize,
    /// Status `done`.
    pub action_items_done: usize,
    /// Status `wontfix`.
    pub action_items_wontfix: usize,
    /// Done with `closed` on or before `due`.
    pub action_items_done_on_time: usize,
    /// Items whose due date is on or before today (the on-time rate's denominator).
    pub action_items_due: usize,
    /// Of `action_items_due`, done on time (the on-time rate's numerator).
    pub action_items_due_done_on_time: usize,
    /// Open or in progress and due before today.
    pub action_items_overdue: usize,
    /// Open or in progress and the incident older than `[check] stale_days`.
    pub action_items_stale: usize,
    /// Items without a due date.
    pub action_items_without_due: usize,
    /// `action_items_due_done_on_time / action_items_due`.
    pub completion_on_time_rate: Option<f64>,
    /// Postmortems with both a date and `timing.published`.
    pub postmortems_with_publish_date: usize,
    /// Median calendar days from the incident's date to `timing.published`.
    pub median_days_to_publish: Option<f64>,
    /// Median business days (Mon–Fri, see [`business_days`]) for the same postmortems.
    pub median_business_days_to_publish: Option<f64>,
    /// Of those, published within the target (under 5 business days).
    pub published_within_target: usize,
    /// Dated postmortems with a P0/P1 item that has a closed date.
    pub postmortems_with_high_priority_closed: usize,
    /// Median days from the incident's date to the earliest `closed` among its P0/P1 items.
    pub median_days_to_close_first_high_priority: Option<f64>,
    /// Mean minutes from `date` to `timing.detected`.
    pub mean_minutes_to_detect: Option<f64>,
    /// Median of the same.
    pub median_minutes_to_detect: Option<f64>,
    /// Mean minutes from `date` to `timing.mitigated`.
    pub mean_minutes_to_mitigate: Option<f64>,
    /// Median of the same.
    pub median_minutes_to_mitigate: Option<f64>,
    /// Mean minutes from `date` to `timing.resolved`.
    pub mean_minutes_to_resolve: Option<f64>,
    /// Median of the same.
    pub median_minutes_to_resolve: Option<f64>,
    /// Postmortems naming at least one reviewer.
    pub reviewed: usize,
    /// Postmortems consistent with the template: `check` finds none of
    /// [`crate::check::TEMPLATE_RULES`] in them, and they name a reviewer.
    pub template_consistent: usize,
    /// `template_consistent / postmortems`.
    pub template_consistent_share: Option<f64>,
    /// Why the others are not: postmortems per reason (each rule of
    /// [`crate::check::TEMPLATE_RULES`], and [`NO_REVIEWER`]), zeros included. A postmortem
    /// may miss for several reasons.
    pub template_misses: BTreeMap<String, usize>,
    /// Postmortems that list their participants.
    pub participation_recorded: usize,
    /// Postmortems that do not (counted apart, not as zero roles).
    pub participation_not_recorded: usize,
    /// Of those recorded, postmortems whose participants cover at least `[insights] min_roles`
    /// distinct roles.
    pub participation_min_roles: usize,
    /// `participation_min_roles / participation_recorded`.
    pub participation_min_roles_share: Option<f64>,
    /// The median number of distinct roles over the postmortems that record participants.
    pub median_roles: Option<f64>,
    /// Postmortems per severity (every severity used in the site, `none` for unrated ones
    /// when there are any), zeros included.
    pub by_severity: BTreeMap<String, usize>,
    /// Postmortems per contributing factor (every factor of the site), zeros included.
    pub by_factor: BTreeMap<String, usize>,
}

/// The figures of one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct QuarterFigures {
    /// `2025-Q1`.
    pub quarter: Quarter,
    /// The figures of the incidents of that quarter.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The reason key, in `template_misses`, of postmortems that name no reviewer.
pub(crate) const NO_REVIEWER: &str = "no-reviewer";

/// The distinct roles among `pm`'s participants, folded ([`Config::canonical_role`]).
pub(crate) fn distinct_roles(pm: &Postmortem, config: &Config) -> usize {
    pm.participants
        .iter()
        .map(|p| config.canonical_role(&p.role))
        .collect::<BTreeSet<String>>()
        .len()
}

/// Why `pm` is not consistent with the template (empty when it is): the template and
/// action-item rules `check` reports in it, then [`NO_REVIEWER`].
pub(crate) fn template_misses(
    pm: &Postmortem,
    config: &Config,
    today: NaiveDate,
) -> Vec<&'static str> {
    let mut out = crate::check::template_findings(pm, config, today);
    if pm.reviewers.is_empty() {
        out.push(NO_REVIEWER);
    }
    out
}

/// The severity key of unrated postmortems in `by_severity`.
pub(crate) const NO_SEVERITY: &str = "none";

/// The target of the publishing metric, in business days (the value must be under it).
pub(crate) const PUBLISH_TARGET_BUSINESS_DAYS: f64 = 5.0;

/// Why each postmortem of the site is not consistent with the template ([`template_misses`]),
/// by index: computed once (in parallel) for the whole archive and every quarter's figures.
fn all_template_misses(site: &Site<'_>) -> Vec<Vec<&'static str>> {
    use rayon::prelude::*;
    site.postmortems
        .par_iter()
        .map(|pm| template_misses(pm, site.config, site.today))
        .collect()
}

/// Computes [`Figures`] over `members` (indices into `site.postmortems`); `misses` are
/// [`all_template_misses`].
fn figures(site: &Site<'_>, members: &[usize], misses: &[Vec<&'static str>]) -> Figures {
    let mut f = zeroed(site, members.len());
    let mut samples = Samples::default();
    for &i in members {
        let pm = &site.postmortems[i];
        f.near_misses += usize::from(pm.near_miss);
        f.recurrences += usize::from(!site.recurrence_of[i].is_empty());
        let sev = pm.severity.clone().unwrap_or_else(|| NO_SEVERITY.into());
        *f.by_severity.entry(sev).or_default() += 1;
        for factor in &pm.factors {
            *f.by_factor.entry(factor.clone()).or_default() += 1;
        }
        count_practice(&mut f, &mut samples, site.config, pm, &misses[i]);
        count_items(&mut f, site, pm);
        samples.add_times(pm);
    }
    samples.finish(&mut f);
    f
}

/// Figures over `postmortems` postmortems with every severity, factor and template reason of
/// the site at zero (so each quarter lists them all).
fn zeroed(site: &Site<'_>, postmortems: usize) -> Figures {
    let mut f = Figures {
        postmortems,
        ..Figures::default()
    };
    for t in &site.taxonomies.severities {
        f.by_severity.insert(t.name.clone(), 0);
    }
    if site.postmortems.iter().any(|p| p.severity.is_none()) {
        f.by_severity.insert(NO_SEVERITY.into(), 0);
    }
    for t in &site.taxonomies.factors {
        f.by_factor.insert(t.slug.clone(), 0);
    }
    for reason in crate::check::TEMPLATE_RULES.iter().chain([&NO_REVIEWER]) {
        f.template_misses.insert(reason.to_string(), 0);
    }
    f
}

/// Counts how `pm` was written: reviewed, consistent with the template (`misses`: why not),
/// who took part.
fn count_practice(
    f: &mut Figures,
    samples: &mut Samples,
    config: &Config,
    pm: &Postmortem,
    misses: &[&'static str],
) {
    f.reviewed += usize::from(!pm.reviewers.is_empty());
    f.template_consistent += usize::from(misses.is_empty());
    for reason in misses {
        *f.template_misses.entry((*reason).to_string()).or_default() += 1;
    }
    if pm.participants.is_empty() {
        f.participation_not_recorded += 1;
    } else {
        let n = distinct_roles(pm, config);
        f.participation_recorded += 1;
        f.participation_min_roles += usize::from(n >= config.insights.min_roles);
        samples.roles.push(n as f64);
    }
}

/// Counts the action items of `pm`.
fn count_items(f: &mut Figures, site: &Site<'_>, pm: &Postmortem) {
    let today = site.today;
    let stale_days = site.config.check.stale_days;
    for a in &pm.action_items {
        f.action_items += 1;
        let done = a.status == Some(ItemStatus::Done);
        let on_time = a.is_done_on_time();
        f.action_items_open += usize::from(a.is_open());
        f.action_items_done += usize::from(done);
        f.action_items_wontfix += usize::from(a.status == Some(ItemStatus::Wontfix));
        f.action_items_done_on_time += usize::from(on_time);
        f.action_items_without_due += usize::from(a.due.is_none());
        if a.due.is_some_and(|d| d <= today) {
            f.action_items_due += 1;
            f.action_items_due_done_on_time += usize::from(on_time);
        }
        f.action_items_overdue += usize::from(a.is_overdue(today));
        f.action_items_stale += usize::from(actions::is_stale(pm, a, today, stale_days));
    }
}

/// The values the medians and means are taken over.
#[derive(Default)]
struct Samples {
    roles: Vec<f64>,
    publish: Vec<f64>,
    publish_bd: Vec<f64>,
    first_hp: Vec<f64>,
    detect: Vec<f64>,
    mitigate: Vec<f64>,
    resolve: Vec<f64>,
    published_within_target: usize,
}

impl Samples {
    /// The times of dated postmortem `pm`: to publish, to close its first high-priority item,
    /// to detect, mitigate and resolve.
    fn add_times(&mut self, pm: &Postmortem) {
        let Some(date) = pm.date.map(|d| d.date()) else {
            return;
        };
        if let Some(p) = pm.timing.published.map(|w| w.date()) {
            self.publish.push((p - date).num_days() as f64);
            let bd = business_days(date, p) as f64;
            self.publish_bd.push(bd);
            self.published_within_target += usize::from(bd < PUBLISH_TARGET_BUSINESS_DAYS);
        }
        if let Some(days) = days_to_first_high_priority_close(pm) {
            self.first_hp.push(days as f64);
        }
        let minutes = |w| pm.minutes_to(w).map(|m| m as f64);
        self.detect.extend(minutes(pm.timing.detected));
        self.mitigate.extend(minutes(pm.timing.mitigated));
        self.resolve.extend(minutes(pm.timing.resolved));
    }

    /// The shares, medians and means of `f`.
    fn finish(self, f: &mut Figures) {
        f.published_within_target = self.published_within_target;
        f.near_miss_share = ratio(f.near_misses, f.postmortems);
        f.recurrence_rate = ratio(f.recurrences, f.postmortems);
        f.template_consistent_share = ratio(f.template_consistent, f.postmortems);
        f.participation_min_roles_share =
            ratio(f.participation_min_roles, f.participation_recorded);
        f.median_roles = median(&self.roles);
        f.completion_on_time_rate = ratio(f.action_items_due_done_on_time, f.action_items_due);
        f.postmortems_with_publish_date = self.publish.len();
        f.median_days_to_publish = median(&self.publish);
        f.median_business_days_to_publish = median(&self.publish_bd);
        f.postmortems_with_high_priority_closed = self.first_hp.len();
        f.median_days_to_close_first_high_priority = median(&self.first_hp);
        f.mean_minutes_to_detect = mean(&self.detect);
        f.median_minutes_to_detect = median(&self.detect);
        f.mean_minutes_to_mitigate = mean(&self.mitigate);
        f.median_minutes_to_mitigate = median(&self.mitigate);
        f.mean_minutes_to_resolve = mean(&self.resolve);
        f.median_minutes_to_resolve = median(&self.resolve);
    }
}

/// Days from the incident's date to the earliest `closed` among its P0/P1 items (whatever
/// their status), when it is dated and one of them has been closed.
pub(crate) fn days_to_first_high_priority_close(pm: &Postmortem) -> Option<i64> {
    let date = pm.date?.date();
    let first = pm
        .action_items
        .iter()
        .filter(|a| a.priority.is_some_and(Priority::is_high))
        .filter_map(|a| a.closed)
        .min()?;
    Some((first - date).num_days())
}

/// How a metric's value compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub(crate) enum Target {
    /// The value must be at least this.
    AtLeast(f64),
    /// The value must be under this.
    Below(f64),
    /// The value must be zero.
    Zero,
    /// The value must rise from quarter to quarter.
    Rising,
}

impl Target {
    /// Whether `value` meets the target (`None` without a value, and for [`Target::Rising`],
    /// which compares quarters: see [`Insights::metrics`]).
    pub(crate) fn met(self, value: Option<f64>) -> Option<bool> {
        let v = value?;
        match self {
            Target::AtLeast(t) => Some(v >= t),
            Target::Below(t) => Some(v < t),
            Target::Zero => Some(v == 0.0),
            Target::Rising => None,
        }
    }
}

/// One of the practice's key metrics, with its definition and target.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MetricDef {
    /// The key of its value in [`Figures`].
    pub key: &'static str,
    /// Title.
    pub title: &'static str,
    /// What is measured, exactly.
    pub definition: Cow<'static, str>,
    /// The target, for people.
    pub target_text: Cow<'static, str>,
    /// The target, for comparisons.
    pub target: Target,
    /// `rate` (0..1, shown as a percentage) or `days`.
    pub unit: &'static str,
}

/// The practice's metrics, in the order the insights page shows them (the last two take their
/// targets from `[insights]`).
pub(crate) fn metric_defs(config: &Config) -> Vec<MetricDef> {
    let mut defs: Vec<MetricDef> = FIXED_METRICS.to_vec();
    let share = config.insights.template_target;
    let min_roles = config.insights.min_roles;
    defs.push(MetricDef {
        key: "template_consistent_share",
        title: "Document quality",
        definition: "Share of postmortems consistent with the template: check finds no template or action-item problem in them (required sections present and filled, a timeline with times and a detection event, every action item with an owner, a due date and a status), and they name at least one reviewer.".into(),
        target_text: format!("at least {}", percent(share)).into(),
        target: Target::AtLeast(share),
        unit: "rate",
    });
    defs.push(MetricDef {
        key: "participation_min_roles_share",
        title: "Participation breadth",
        definition: format!("Of the postmortems that list their participants, the share whose participants cover at least {min_roles} distinct roles (roles compared ignoring case, through [roles] aliases); the median number of roles is shown beside it. Postmortems without participants are counted apart as not recorded, not as zero roles.").into(),
        target_text: format!("every postmortem with at least {min_roles} roles").into(),
        target: Target::AtLeast(1.0),
        unit: "rate",
    });
    defs
}

/// A share as a percentage for people (`90%`, `87.5%`).
fn percent(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    format!("{p}%")
}

const FIXED_METRICS: &[MetricDef] = &[
    MetricDef {
        key: "completion_on_time_rate",
        title: "Action items completed on time",
        definition: Cow::Borrowed("Of the action items whose due date is on or before today, the share done with a closed date on or before the due date. Items without a due date, and items not yet due, are left out."),
        target_text: Cow::Borrowed("at least 80%"),
        target: Target::AtLeast(0.8),
        unit: "rate",
    },
    MetricDef {
        key: "median_business_days_to_publish",
        title: "Time to publish the postmortem",
        definition: Cow::Borrowed("Median business days (Monday to Friday, public holidays not known) from the incident's date to timing.published, over the postmortems that record it. The median in calendar days is shown beside it."),
        target_text: Cow::Borrowed("under 5 business days"),
        target: Target::Below(PUBLISH_TARGET_BUSINESS_DAYS),
        unit: "days",
    },
    MetricDef {
        key: "median_days_to_close_first_high_priority",
        title: "Time to close the first high-priority item",
        definition: Cow::Borrowed("For each postmortem with P0 or P1 action items, calendar days from the incident's date to the earliest closed date among them (only when one is closed); the median."),
        target_text: Cow::Borrowed("under 2 weeks (14 days)"),
        target: Target::Below(14.0),
        unit: "days",
    },
    MetricDef {
        key: "recurrence_rate",
        title: "Similar-incident recurrence",
        definition: Cow::Borrowed("Share of postmortems that name an earlier published incident in recurrence_of."),
        target_text: Cow::Borrowed("0"),
        target: Target::Zero,
        unit: "rate",
    },
    MetricDef {
        key: "near_miss_share",
        title: "Near-miss reports",
        definition: Cow::Borrowed("Share of postmortems that are near misses. More near-miss reports mean problems are caught and written up before they hurt anyone."),
        target_text: Cow::Borrowed("rising over time"),
        target: Target::Rising,
        unit: "rate",
    },
];

impl Figures {
    /// The value of a metric by its [`MetricDef::key`].
    pub(crate) fn metric(&self, key: &str) -> Option<f64> {
        match key {
            "completion_on_time_rate" => self.completion_on_time_rate,
            "median_business_days_to_publish" => self.median_business_days_to_publish,
            "median_days_to_publish" => self.median_days_to_publish,
            "median_days_to_close_first_high_priority" => {
                self.median_days_to_close_first_high_priority
            }
            "recurrence_rate" => self.recurrence_rate,
            "near_miss_share" => self.near_miss_share,
            "template_consistent_share" => self.template_consistent_share,
            "participation_min_roles_share" => self.participation_min_roles_share,
            "median_roles" => self.median_roles,
            _ => None,
        }
    }
}

/// A metric's value in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MetricValue {
    /// `2025-Q1`.
    pub quarter: Quarter,
    /// The value (`null`: no denominator).
    pub value: Option<f64>,
    /// Whether it meets the target (`null`: no value; for "rising", whether it is above the
    /// previous quarter that has a value).
    pub meets_target: Option<bool>,
}

/// A metric with its values.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Metric {
    /// The definition.
    #[serde(flatten)]
    pub def: MetricDef,
    /// Over the whole archive.
    pub overall: Option<f64>,
    /// Whether the overall value meets the target (for "rising": whether the trend rises).
    pub overall_meets_target: Option<bool>,
    /// Least-squares trend over the quarters with a value: `rising`, `falling`, `flat`, or
    /// `null` with fewer than two such quarters.
    pub trend: Option<&'static str>,
    /// One value per quarter.
    pub quarters: Vec<MetricValue>,
}

/// A contributing factor theme and how often it comes back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FactorRecurrence {
    /// Slug.
    pub slug: String,
    /// Title (from the vocabulary, else the slug).
    pub title: String,
    /// Postmortems naming it.
    pub incidents: usize,
    /// Distinct quarters in which it appeared.
    pub quarters: usize,
    /// Of its postmortems, those that are a recurrence of an earlier incident.
    pub recurrences: usize,
}

/// Everything the insights page and `api/insights.json` show.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Insights {
    /// The build's "today".
    pub as_of: NaiveDate,
    /// Undated postmortems: counted in `overall`, in no quarter.
    pub undated_postmortems: usize,
    /// Over every published postmortem.
    pub overall: Figures,
    /// From the first to the last incident's quarter, empty quarters included.
    pub quarters: Vec<QuarterFigures>,
    /// The key metrics, each with its definition, target and values.
    pub metrics: Vec<Metric>,
    /// Factor themes, most recurrent first (incidents, then quarters, then recurrences).
    pub factors: Vec<FactorRecurrence>,
}

/// The least-squares slope's sign over `(x, y)` points.
pub(crate) fn trend(points: &[(f64, f64)]) -> Option<&'static str> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    Some(if cov > 1e-12 {
        "rising"
    } else if cov < -1e-12 {
        "falling"
    } else {
        "flat"
    })
}

/// Empty quarters are listed only among the latest this many (100 years); before them, only
/// quarters with incidents. A stray date (`0205-01-01` for `2025-01-01`, `9999-12-31`) would
/// otherwise add tens of thousands of empty quarters, each with every factor's count.
pub(crate) const DENSE_QUARTERS: usize = 400;

/// Members of each quarter from the first to the last dated incident (empty quarters only
/// among the latest [`DENSE_QUARTERS`]).
pub(crate) fn quarter_members(site: &Site<'_>) -> Vec<(Quarter, Vec<usize>)> {
    let mut by_q: BTreeMap<Quarter, Vec<usize>> = BTreeMap::new();
    for (i, pm) in site.postmortems.iter().enumerate() {
        if let Some(d) = pm.date {
            by_q.entry(Quarter::of(d.date())).or_default().push(i);
        }
    }
    let (Some(&first), Some(&last)) = (by_q.keys().next(), by_q.keys().last()) else {
        return Vec::new();
    };
    let range = Quarter::range(first, last);
    let dense_from = range.len().saturating_sub(DENSE_QUARTERS);
    range
        .into_iter()
        .enumerate()
        .filter_map(|(k, q)| match by_q.remove(&q) {
            Some(members) => Some((q, members)),
            None => (k >= dense_from).then(|| (q, Vec::new())),
        })
        .collect()
}

impl Insights {
    /// Computes every figure of the site.
    pub(crate) fn compute(site: &Site<'_>) -> Insights {
        let all: Vec<usize> = (0..site.postmortems.len()).collect();
        let misses = all_template_misses(site);
        let quarters: Vec<QuarterFigures> = quarter_members(site)
            .into_iter()
            .map(|(quarter, members)| QuarterFigures {
                quarter,
                figures: figures(site, &members, &misses),
            })
            .collect();
        let overall = figures(site, &all, &misses);
        let metrics = metric_defs(site.config)
            .into_iter()
            .map(|def| Self::metric(def, &overall, &quarters))
            .collect();
        Insights {
            as_of: site.today,
            undated_postmortems: site.taxonomies.undated.len(),
            overall,
            metrics,
            factors: factor_recurrence(site),
            quarters,
        }
    }

    fn metric(def: MetricDef, overall: &Figures, quarters: &[QuarterFigures]) -> Metric {
        let mut previous: Option<f64> = None;
        let values: Vec<MetricValue> = quarters
            .iter()
            .map(|q| {
                let value = q.figures.metric(def.key);
                let meets_target = match def.target {
                    Target::Rising => value.zip(previous).map(|(v, p)| v > p),
                    t => t.met(value),
                };
                if value.is_some() {
                    previous = value;
                }
                MetricValue {
                    quarter: q.quarter,
                    value,
                    meets_target,
                }
            })
            .collect();
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(x, v)| v.value.map(|y| (x as f64, y)))
            .collect();
        let trend = trend(&points);
        let overall_value = overall.metric(def.key);
        let overall_meets_target = match def.target {
            Target::Rising => trend.map(|t| t == "rising"),
            t => t.met(overall_value),
        };
        Metric {
            def,
            overall: overall_value,
            overall_meets_target,
            trend,
            quarters: values,
        }
    }
}

/// Factor themes ranked by how often they come back.
pub(crate) fn factor_recurrence(site: &Site<'_>) -> Vec<FactorRecurrence> {
    let mut out: Vec<FactorRecurrence> = site
        .taxonomies
        .factors
        .iter()
        .map(|t| {
            let quarters: BTreeSet<Quarter> = t
                .members
                .iter()
                .filter_map(|&i| site.postmortems[i].date.map(|d| Quarter::of(d.date())))
                .collect();
            FactorRecurrence {
                slug: t.slug.clone(),
                title: t.name.clone(),
                incidents: t.members.len(),
                quarters: quarters.len(),
                recurrences: t
                    .members
                    .iter()
                    .filter(|&&i| !site.recurrence_of[i].is_empty())
                    .count(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then(b.quarters.cmp(&a.quarters))
            .then(b.recurrences.cmp(&a.recurrences))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    out
}

#[cfg(test)]
mod tests;
