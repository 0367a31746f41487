//! The practice metrics: each one's definition and target, and its value overall and per
//! quarter with a verdict.

use super::*;

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
pub(super) fn percent(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    format!("{p}%")
}

pub(super) const FIXED_METRICS: &[MetricDef] = &[
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
