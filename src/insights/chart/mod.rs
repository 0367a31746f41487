//! Chart geometry for the insights pages: bar charts (stacked or grouped, with an optional
//! target line) and heat maps, as coordinates, ticks and labels in a fixed view box, plus the
//! data table that goes beside every chart (for screen readers and print).
//!
//! Only data: `theme/templates/charts.html` draws the SVG from these structs at build time, so
//! pages need no JavaScript and a theme can restyle or redraw charts without touching Rust.

use serde::Serialize;

use super::Quarter;
use crate::text::human_minutes;

mod bars;
pub(crate) use bars::*;
mod heatmap;
pub(crate) use heatmap::*;

/// Width of every chart's view box.
pub(crate) const WIDTH: f64 = 640.0;
/// Height of a bar chart's view box.
pub(crate) const HEIGHT: f64 = 220.0;
/// The narrowest left margin; a wider tick label widens it (see [`left_margin`]).
const LEFT: f64 = 40.0;
/// Width of one character of a tick label (11 px text), with room to spare.
const CHAR_W: f64 = 6.6;
/// Bars higher than this many times the next highest are outliers: the axis stops above the
/// next highest and they are cut off, marked.
const OUTLIER_RATIO: f64 = 2.5;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 38.0;
/// More categories than this and only each year's first quarter is labelled.
const MAX_LABELS: usize = 16;

/// What the values are, for ticks and table cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Unit {
    /// Whole numbers.
    Count,
    /// 0..1, shown as percentages; the axis always runs to 100%.
    Rate,
    /// Days, one decimal.
    Days,
    /// Minutes, shown as durations (`1 h 5 min`).
    Minutes,
}

impl Unit {
    /// A value as shown; "–" for none.
    pub(crate) fn format(self, v: Option<f64>) -> String {
        let Some(v) = v else {
            return "–".into();
        };
        match self {
            Unit::Count => format!("{}", v.round() as i64),
            Unit::Rate => format!("{}%", (v * 100.0).round() as i64),
            Unit::Days => {
                if v.fract() == 0.0 {
                    format!("{}", v as i64)
                } else {
                    format!("{v:.1}")
                }
            }
            Unit::Minutes => human_minutes(v.round() as i64),
        }
    }
}

/// One point on the x axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Category {
    /// Full name (`2025-Q1`), for tables and tooltips.
    pub name: String,
    /// Axis label (`Q1`), may be `""` when crowded.
    pub label: String,
    /// Second axis line (`2025`), or `""`.
    pub sub: String,
}

/// Quarters as categories: `Q1` with the year under the first quarter of each year and under
/// the first category.
pub(crate) fn quarter_categories(quarters: &[Quarter]) -> Vec<Category> {
    let crowded = quarters.len() > MAX_LABELS;
    quarters
        .iter()
        .enumerate()
        .map(|(k, q)| {
            let year = k == 0 || q.q == 1;
            Category {
                name: q.to_string(),
                label: if crowded && !year {
                    String::new()
                } else {
                    format!("Q{}", q.q)
                },
                sub: if year {
                    q.year.to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// One named series of values, one per category (`None`: no value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// Name (legend, table column).
    pub name: String,
    /// Values, one per category.
    pub values: Vec<Option<f64>>,
}

/// How several series share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// On top of each other (parts of a whole).
    Stacked,
    /// Side by side.
    Grouped,
}

/// A rectangle in view-box units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Rect {
    /// Left.
    #[serde(serialize_with = "coord")]
    pub x: f64,
    /// Top.
    #[serde(serialize_with = "coord")]
    pub y: f64,
    /// Width.
    #[serde(serialize_with = "coord")]
    pub w: f64,
    /// Height.
    #[serde(serialize_with = "coord")]
    pub h: f64,
}

/// One bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Bar {
    /// Where.
    #[serde(flatten)]
    pub rect: Rect,
    /// 1-based series number (for the `s1`.. classes).
    pub series: usize,
    /// Tooltip: `2025-Q1 · SEV1: 3`.
    pub title: String,
    /// Cut off at the top of the chart (an outlier): a mark is drawn above it.
    pub capped: bool,
}

/// A y-axis tick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Tick {
    /// Height in the view box.
    #[serde(serialize_with = "coord")]
    pub y: f64,
    /// Label.
    pub label: String,
}

/// A label at an x position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct XLabel {
    /// Centre.
    #[serde(serialize_with = "coord")]
    pub x: f64,
    /// First line.
    pub label: String,
    /// Second line, may be `""`.
    pub sub: String,
}

/// A horizontal rule (the target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Rule {
    /// Height in the view box.
    #[serde(serialize_with = "coord")]
    pub y: f64,
    /// Label (`target 80%`).
    pub label: String,
}

/// A legend entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Legend {
    /// 1-based series number.
    pub series: usize,
    /// Name.
    pub name: String,
}

/// The data table beside a chart: a row per category, a column per series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Table {
    /// Header of the first column (`Quarter`).
    pub head: String,
    /// Series names.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TableRow {
    /// The category.
    pub label: String,
    /// Values as shown.
    pub cells: Vec<String>,
}

/// A bar chart, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BarChart {
    /// View box width.
    #[serde(serialize_with = "coord")]
    pub width: f64,
    /// View box height.
    #[serde(serialize_with = "coord")]
    pub height: f64,
    /// The plotting area.
    pub plot: Rect,
    /// y ticks, bottom up.
    pub y_ticks: Vec<Tick>,
    /// Category labels.
    pub x_labels: Vec<XLabel>,
    /// Bars (none for zero or missing values).
    pub bars: Vec<Bar>,
    /// Categories where no series has a value ("–" is drawn).
    pub missing: Vec<XLabel>,
    /// The target line, when there is one.
    pub target: Option<Rule>,
    /// Series (a legend is worth drawing when there are several).
    pub legend: Vec<Legend>,
    /// The same data as a table.
    pub table: Table,
    /// When outliers are cut off: what the chart says about it (`bars above 2 h are cut off,
    /// marked ▲`), else `""`.
    pub capped_note: String,
}

/// The left margin that fits the widest tick label.
fn left_margin(labels: &[Tick]) -> f64 {
    let widest = labels
        .iter()
        .map(|t| t.label.chars().count())
        .max()
        .unwrap_or(0);
    LEFT.max(10.0 + CHAR_W * widest as f64).round()
}

/// The axis maximum (at least `floor`): the peak, or, when the highest value is an outlier
/// (more than [`OUTLIER_RATIO`] times the next highest, among at least four values), just above
/// the next highest; and whether it is cut so.
fn axis_peak(mut peaks: Vec<f64>, floor: f64) -> (f64, bool) {
    peaks.retain(|v| *v > 0.0);
    peaks.sort_by(|a, b| b.total_cmp(a));
    if peaks.len() < 4 {
        return (peaks.first().copied().unwrap_or(0.0).max(floor), false);
    }
    match (peaks.first(), peaks.get(1)) {
        (Some(&top), Some(&next)) if next > 0.0 && top > OUTLIER_RATIO * next && floor < top => {
            ((next * 1.2).max(floor), true)
        }
        (Some(&top), _) => (top.max(floor), false),
        _ => (floor, false),
    }
}

/// A coordinate as the templates print it: a whole number without a fraction (`640`, not
/// `640.0`, as Tera prints a float), anything else as the shortest decimal that reads back.
fn coord<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    // Whole numbers this small are exact as i64.
    if v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn r(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A "nice" axis for values up to `max`: (axis maximum, tick step), about four ticks, whole
/// steps for counts.
pub(crate) fn nice_axis(max: f64, unit: Unit) -> (f64, f64) {
    if unit == Unit::Rate {
        return (1.0, 0.25);
    }
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let step = if unit == Unit::Count {
        step.ceil().max(1.0)
    } else {
        step
    };
    ((max / step).ceil() * step, step)
}

#[cfg(test)]
mod readable_tests;
#[cfg(test)]
mod tests;
