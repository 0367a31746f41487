//! The figures of one set of postmortems (the whole archive or one quarter): counts, rates,
//! medians, as `api/insights.json` names them.

use super::*;

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
pub(super) fn all_template_misses(site: &Site<'_>) -> Vec<Vec<&'static str>> {
    use rayon::prelude::*;
    site.postmortems
        .par_iter()
        .map(|pm| template_misses(pm, site.config, site.today))
        .collect()
}

/// Computes [`Figures`] over `members` (indices into `site.postmortems`); `misses` are
/// [`all_template_misses`].
pub(super) fn figures(site: &Site<'_>, members: &[usize], misses: &[Vec<&'static str>]) -> Figures {
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
pub(super) fn zeroed(site: &Site<'_>, postmortems: usize) -> Figures {
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
pub(super) fn count_practice(
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
pub(super) fn count_items(f: &mut Figures, site: &Site<'_>, pm: &Postmortem) {
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
pub(super) struct Samples {
    pub(super) roles: Vec<f64>,
    pub(super) publish: Vec<f64>,
    pub(super) publish_bd: Vec<f64>,
    pub(super) first_hp: Vec<f64>,
    pub(super) detect: Vec<f64>,
    pub(super) mitigate: Vec<f64>,
    pub(super) resolve: Vec<f64>,
    pub(super) published_within_target: usize,
}

impl Samples {
    /// The times of dated postmortem `pm`: to publish, to close its first high-priority item,
    /// to detect, mitigate and resolve.
    pub(super) fn add_times(&mut self, pm: &Postmortem) {
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
    pub(super) fn finish(self, f: &mut Figures) {
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
