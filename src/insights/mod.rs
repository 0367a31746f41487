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

mod quarter;
pub(crate) use quarter::*;
mod figures;
pub(crate) use figures::*;
mod metrics;
pub(crate) use metrics::*;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Serialize, Serializer};

use crate::config::Config;
use crate::enrich::Site;
use crate::model::{ItemStatus, Postmortem, Priority};

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
