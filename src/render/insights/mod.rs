//! The insights pages as views: `/actions/` (paginated), `/insights/`, the
//! trend chart of each factor page, `api/actions.json` and `api/insights.json`.
//!
//! The figures come from [`crate::insights`]; this module only shapes them for templates
//! (displayed values, URLs, chart geometry from [`crate::insights::chart`]). The action
//! register's pages are in `actions`.

pub(in crate::render) mod actions;

pub(super) use actions::action_jobs;

use serde::Serialize;

use super::api::json_file;
use super::view::Views;
use super::Job;
use crate::enrich::{Site, Term};
use crate::insights::actions::Action;
use crate::insights::chart::{
    self, bar_chart, heatmap, quarter_categories, BarChart, Category, Heatmap, Layout, Series,
    Table, TableRow, Unit,
};
use crate::insights::{Figures, Insights, Quarter, Target, NO_REVIEWER, NO_SEVERITY};
use crate::output::OutputFile;

/// Most recurrent factor themes listed on `/insights/`.
pub(crate) const TOP_FACTORS: usize = 10;

/// Most quarters the pages chart and tabulate (the latest ones): an archive that reaches back
/// decades (or holds one historical incident) would otherwise draw thousands of bars.
/// `api/insights.json` always has every quarter.
pub(crate) const PAGE_QUARTERS: usize = 40;

/// Index of the first quarter the pages show.
fn first_shown(ins: &Insights) -> usize {
    ins.quarters.len().saturating_sub(PAGE_QUARTERS)
}

/// The figures with only the quarters the pages show (overall values and trends unchanged).
fn windowed(ins: &Insights) -> Insights {
    let start = first_shown(ins);
    let mut shown = ins.clone();
    shown.quarters.drain(..start);
    for m in &mut shown.metrics {
        m.quarters.drain(..start);
    }
    shown
}

/// One quarter's value of a metric, as shown.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ValueView {
    /// `2025-Q1`.
    pub quarter: String,
    /// Display value (`–` when none).
    pub display: String,
    /// Target met (null: no value or not comparable).
    pub meets_target: Option<bool>,
}

/// A key metric on `/insights/`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MetricView {
    /// Figure key (anchor `metric-<key>`).
    pub key: &'static str,
    /// Title.
    pub title: &'static str,
    /// Definition (may contain `code` in backticks, shown as written).
    pub definition: String,
    /// Target, for people.
    pub target: String,
    /// Over the whole archive.
    pub overall: String,
    /// Whether the overall value meets the target.
    pub overall_meets_target: Option<bool>,
    /// What the overall value is made of (`12 of 15 items due by today`).
    pub overall_note: String,
    /// `rising`, `falling`, `flat` or null.
    pub trend: Option<&'static str>,
    /// Per quarter.
    pub values: Vec<ValueView>,
    /// The chart (its table: value, and for publishing the calendar days, per quarter).
    pub chart: BarChart,
    /// Why postmortems miss the target, most common first (document quality only; empty
    /// otherwise).
    pub reasons: Vec<ReasonRow>,
}

/// A reason postmortems are not consistent with the template.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReasonRow {
    /// The `check` rule (`template/missing-section`), or `no-reviewer`.
    pub rule: String,
    /// What it means.
    pub label: &'static str,
    /// Postmortems missing the template for this reason.
    pub postmortems: usize,
}

/// The reasons of `misses` that apply to some postmortem, most common first (ties by rule).
fn reason_rows(misses: &std::collections::BTreeMap<String, usize>) -> Vec<ReasonRow> {
    let mut rows: Vec<ReasonRow> = misses
        .iter()
        .filter(|(_, &n)| n > 0)
        .map(|(rule, &n)| ReasonRow {
            rule: rule.clone(),
            label: if rule == NO_REVIEWER {
                "no reviewer is named"
            } else {
                crate::check::RULES
                    .iter()
                    .find(|r| r.id == rule)
                    .map_or("", |r| r.description)
            },
            postmortems: n,
        })
        .collect();
    rows.sort_by(|a, b| b.postmortems.cmp(&a.postmortems).then(a.rule.cmp(&b.rule)));
    rows
}

/// A headline figure.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Stat {
    /// Label.
    pub label: &'static str,
    /// Value as shown.
    pub display: String,
}

/// A factor on the most-recurrent list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorRow {
    /// Title.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
    /// Postmortems naming it.
    pub incidents: usize,
    /// Quarters it appeared in.
    pub quarters: usize,
    /// Of which recurrences.
    pub recurrences: usize,
}

/// Everything `insights.html` shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InsightsView {
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// Undated postmortems (in the totals, in no quarter).
    pub undated: usize,
    /// First and last quarter, or `""`.
    pub first_quarter: String,
    /// Last quarter, or `""`.
    pub last_quarter: String,
    /// Quarters in the archive's range.
    pub total_quarters: usize,
    /// Quarters charted (the latest [`PAGE_QUARTERS`] at most).
    pub shown_quarters: usize,
    /// The first quarter charted, or `""`.
    pub first_shown: String,
    /// Headline figures over the whole archive.
    pub stats: Vec<Stat>,
    /// The key metrics.
    pub metrics: Vec<MetricView>,
    /// Incidents per quarter by severity (stacked).
    pub by_severity: BarChart,
    /// Incidents per quarter by factor.
    pub by_factor: Heatmap,
    /// Mean and median minutes to detect, mitigate, resolve (grouped).
    pub mean_times: BarChart,
    /// Medians of the same.
    pub median_times: BarChart,
    /// Most recurrent factor themes.
    pub factors: Vec<FactorRow>,
    /// Per-quarter counts (postmortems, near misses, recurrences, action items...).
    pub quarter_table: Table,
}

fn column(ins: &Insights, f: impl Fn(&Figures) -> Option<f64>) -> Vec<Option<f64>> {
    ins.quarters.iter().map(|q| f(&q.figures)).collect()
}

fn count(v: usize) -> Option<f64> {
    Some(v as f64)
}

/// The columns a metric's data table shows besides its value: what each quarter's share is
/// made of.
fn extra_columns(ins: &Insights, key: &str) -> Vec<(&'static str, Unit, Vec<Option<f64>>)> {
    match key {
        "template_consistent_share" => vec![
            (
                "Consistent",
                Unit::Count,
                column(ins, |f| count(f.template_consistent)),
            ),
            (
                "Postmortems",
                Unit::Count,
                column(ins, |f| count(f.postmortems)),
            ),
        ],
        "participation_min_roles_share" => vec![
            // A count that may be a half: shown as days are (one decimal when needed).
            ("Median roles", Unit::Days, column(ins, |f| f.median_roles)),
            (
                "Participants recorded",
                Unit::Count,
                column(ins, |f| count(f.participation_recorded)),
            ),
            (
                "Not recorded",
                Unit::Count,
                column(ins, |f| count(f.participation_not_recorded)),
            ),
        ],
        _ => Vec::new(),
    }
}

/// The note beside a metric's overall value: what it is made of.
fn overall_note(o: &Figures, key: &str) -> String {
    match key {
    "completion_on_time_rate" => format!(
        "{} of {} items due by today done on time ({} without a due date)",
        o.action_items_due_done_on_time, o.action_items_due, o.action_items_without_due
    ),
    "median_business_days_to_publish" => format!(
        "business days; {} calendar days; {} of {} postmortems with a publication date published in under 5 business days",
        Unit::Days.format(o.median_days_to_publish),
        o.published_within_target,
        o.postmortems_with_publish_date
    ),
    "median_days_to_close_first_high_priority" => format!(
        "days, over {} postmortems with a closed P0/P1 item",
        o.postmortems_with_high_priority_closed
    ),
    "recurrence_rate" => format!("{} of {} postmortems", o.recurrences, o.postmortems),
    "near_miss_share" => format!("{} of {} postmortems", o.near_misses, o.postmortems),
    "template_consistent_share" => format!(
        "{} of {} postmortems ({} name a reviewer)",
        o.template_consistent, o.postmortems, o.reviewed
    ),
    "participation_min_roles_share" => format!(
        "{} of {} postmortems that list their participants; median {} roles; {} not recorded",
        o.participation_min_roles,
        o.participation_recorded,
        Unit::Days.format(o.median_roles),
        o.participation_not_recorded
    ),
    _ => String::new(),
}
}

fn metric_view(ins: &Insights, cats: &[Category], k: usize) -> MetricView {
    let m = &ins.metrics[k];
    let unit = if m.def.unit == "rate" {
        Unit::Rate
    } else {
        Unit::Days
    };
    let mut series = vec![Series {
        name: m.def.title.into(),
        values: m.quarters.iter().map(|v| v.value).collect(),
    }];
    if m.def.key == "median_business_days_to_publish" {
        series[0].name = "Business days (median)".into();
        series.push(Series {
            name: "Calendar days (median)".into(),
            values: column(ins, |f| f.median_days_to_publish),
        });
    }
    let target = match m.def.target {
        Target::AtLeast(t) | Target::Below(t) => Some((t, format!("target {}", m.def.target_text))),
        Target::Zero | Target::Rising => None,
    };
    let mut chart = bar_chart(cats, &series, Layout::Grouped, unit, target);
    chart.table.columns.push("Target met".into());
    // The table lists the newest quarter first: its rows, reversed, are in the values' order.
    for (row, v) in chart.table.rows.iter_mut().rev().zip(&m.quarters) {
        row.cells.push(met(v.meets_target).into());
    }
    // What each quarter's share is made of.
    let extra = extra_columns(ins, m.def.key);
    for (name, unit, values) in &extra {
        chart.table.columns.push((*name).into());
        for (row, v) in chart.table.rows.iter_mut().rev().zip(values) {
            row.cells.push(unit.format(*v));
        }
    }
    let o = &ins.overall;
    let overall_note = overall_note(o, m.def.key);
    let reasons = if m.def.key == "template_consistent_share" {
        reason_rows(&o.template_misses)
    } else {
        Vec::new()
    };
    MetricView {
        overall_note,
        reasons,
        key: m.def.key,
        title: m.def.title,
        definition: m.def.definition.to_string(),
        target: m.def.target_text.to_string(),
        overall: unit.format(m.overall),
        overall_meets_target: m.overall_meets_target,
        trend: m.trend,
        values: m
            .quarters
            .iter()
            .map(|v| ValueView {
                quarter: v.quarter.to_string(),
                display: unit.format(v.value),
                meets_target: v.meets_target,
            })
            .collect(),
        chart,
    }
}

fn met(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "yes",
        Some(false) => "no",
        None => "–",
    }
}

/// The figures at the top of `/insights/`.
fn headline(o: &Figures) -> Vec<Stat> {
    let rate = |v| Unit::Rate.format(v);
    vec![
        Stat {
            label: "Postmortems",
            display: o.postmortems.to_string(),
        },
        Stat {
            label: "Action items",
            display: o.action_items.to_string(),
        },
        Stat {
            label: "Done on time (of those due)",
            display: rate(o.completion_on_time_rate),
        },
        Stat {
            label: "Overdue",
            display: o.action_items_overdue.to_string(),
        },
        Stat {
            label: "Open for months",
            display: o.action_items_stale.to_string(),
        },
        Stat {
            label: "Recurrences",
            display: o.recurrences.to_string(),
        },
        Stat {
            label: "Near misses",
            display: o.near_misses.to_string(),
        },
    ]
}

/// Postmortems per quarter by severity (the archive's levels, then unrated ones).
fn severity_series(site: &Site<'_>, ins: &Insights) -> Vec<Series> {
    let mut severities: Vec<(String, String)> = site
        .taxonomies
        .severities
        .iter()
        .map(|t| (t.name.clone(), t.name.clone()))
        .collect();
    if ins.overall.by_severity.contains_key(NO_SEVERITY) {
        severities.push((NO_SEVERITY.into(), "Unrated".into()));
    }
    severities
        .iter()
        .map(|(key, name)| Series {
            name: name.clone(),
            values: column(ins, |f| f.by_severity.get(key).map(|&n| n as f64)),
        })
        .collect()
}

/// Mean (or median) minutes to detect, mitigate and resolve, per quarter.
fn times(ins: &Insights, mean: bool) -> Vec<Series> {
    [("Detect", 0), ("Mitigate", 1), ("Resolve", 2)]
        .into_iter()
        .map(|(name, k)| Series {
            name: name.into(),
            values: column(ins, |f| match (mean, k) {
                (true, 0) => f.mean_minutes_to_detect,
                (true, 1) => f.mean_minutes_to_mitigate,
                (true, _) => f.mean_minutes_to_resolve,
                (false, 0) => f.median_minutes_to_detect,
                (false, 1) => f.median_minutes_to_mitigate,
                (false, _) => f.median_minutes_to_resolve,
            }),
        })
        .collect()
}

/// The table of each quarter's counts, newest first.
fn quarter_table(ins: &Insights) -> Table {
    let table_series = [
        ("Postmortems", column(ins, |f| count(f.postmortems))),
        ("Near misses", column(ins, |f| count(f.near_misses))),
        ("Recurrences", column(ins, |f| count(f.recurrences))),
        ("Action items", column(ins, |f| count(f.action_items))),
        ("Done", column(ins, |f| count(f.action_items_done))),
        (
            "Done on time",
            column(ins, |f| count(f.action_items_done_on_time)),
        ),
        ("Due by today", column(ins, |f| count(f.action_items_due))),
        ("Overdue", column(ins, |f| count(f.action_items_overdue))),
        (
            "Open for months",
            column(ins, |f| count(f.action_items_stale)),
        ),
    ];
    Table {
        head: "Quarter".into(),
        columns: table_series.iter().map(|s| s.0.to_string()).collect(),
        rows: ins
            .quarters
            .iter()
            .enumerate()
            .rev()
            .map(|(k, q)| TableRow {
                label: q.quarter.to_string(),
                cells: table_series
                    .iter()
                    .map(|s| Unit::Count.format(s.1[k]))
                    .collect(),
            })
            .collect(),
    }
}

/// The `/insights/` page.
pub(super) fn insights_job(site: &Site<'_>, views: &Views<'_, '_>, all: &Insights) -> Job<'static> {
    let total_quarters = all.quarters.len();
    let first_quarter = all.quarters.first().map(|q| q.quarter.to_string());
    let ins = &windowed(all);
    let quarters: Vec<Quarter> = ins.quarters.iter().map(|q| q.quarter).collect();
    let cats = quarter_categories(&quarters);
    let o = &ins.overall;
    let stats = headline(o);
    let sev_series = severity_series(site, ins);
    let factor_rows: Vec<Series> = ins
        .factors
        .iter()
        .map(|f| Series {
            name: f.title.clone(),
            values: column(ins, |q| q.by_factor.get(&f.slug).map(|&n| n as f64)),
        })
        .collect();
    let quarter_table = quarter_table(ins);
    let view = InsightsView {
        as_of: ins.as_of.to_string(),
        undated: ins.undated_postmortems,
        first_quarter: first_quarter.unwrap_or_default(),
        last_quarter: quarters.last().map(|q| q.to_string()).unwrap_or_default(),
        total_quarters,
        shown_quarters: quarters.len(),
        first_shown: quarters.first().map(|q| q.to_string()).unwrap_or_default(),
        stats,
        metrics: (0..ins.metrics.len())
            .map(|k| metric_view(ins, &cats, k))
            .collect(),
        by_severity: bar_chart(&cats, &sev_series, Layout::Stacked, Unit::Count, None),
        by_factor: heatmap(&cats, &factor_rows),
        mean_times: bar_chart(
            &cats,
            &times(ins, true),
            Layout::Grouped,
            Unit::Minutes,
            None,
        ),
        median_times: bar_chart(
            &cats,
            &times(ins, false),
            Layout::Grouped,
            Unit::Minutes,
            None,
        ),
        factors: ins
            .factors
            .iter()
            .take(TOP_FACTORS)
            .map(|f| FactorRow {
                title: views.factor_title(&f.slug),
                url: format!("factors/{}/", f.slug),
                incidents: f.incidents,
                quarters: f.quarters,
                recurrences: f.recurrences,
            })
            .collect(),
        quarter_table,
    };
    Job::new("insights/".into(), "insights.html", "Insights").with("insights", &view)
}

/// The view box width of a factor page's chart: about the width of the page's side column, so
/// its text is drawn at its size.
const FACTOR_CHART_WIDTH: f64 = 340.0;

/// The trend chart of a factor page: its incidents per quarter, over the quarters `/insights/`
/// charts.
pub(crate) fn factor_trend(ins: &Insights, t: &Term) -> Option<BarChart> {
    let shown = &ins.quarters[first_shown(ins)..];
    if shown.is_empty() {
        return None;
    }
    let quarters: Vec<Quarter> = shown.iter().map(|q| q.quarter).collect();
    let series = [Series {
        name: "Incidents".into(),
        values: shown
            .iter()
            .map(|q| count(q.figures.by_factor.get(&t.slug).copied().unwrap_or(0)))
            .collect(),
    }];
    Some(chart::bar_chart_sized(
        FACTOR_CHART_WIDTH,
        &quarter_categories(&quarters),
        &series,
        Layout::Stacked,
        Unit::Count,
        None,
    ))
}

/// `api/insights.json`: every figure of the insights page (schema in the README).
pub(crate) fn insights_json(ins: &Insights) -> OutputFile {
    json_file("api/insights.json", ins, 0)
}

/// About what one action item takes in `api/actions.json` (610 bytes in generated archives),
/// with room to spare.
const ACTION_JSON_BYTES: usize = 768;

/// `api/actions.json`: every action item, newest postmortem first, items in written order.
pub(crate) fn actions_json(site: &Site<'_>, register: &[Action<'_>]) -> OutputFile {
    let items: Vec<_> = register
        .iter()
        .map(|a| super::items::register_json(site, a))
        .collect();
    json_file("api/actions.json", &items, items.len() * ACTION_JSON_BYTES)
}
