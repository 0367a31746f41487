//! Chart geometry for the insights pages: bar charts (stacked or grouped, with an optional
//! target line) and heat maps, as coordinates, ticks and labels in a fixed view box, plus the
//! data table that goes beside every chart (for screen readers and print).
//!
//! Only data: `theme/templates/charts.html` draws the SVG from these structs at build time, so
//! pages need no JavaScript and a theme can restyle or redraw charts without touching Rust.

use serde::Serialize;

use super::Quarter;
use crate::text::human_minutes;

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

/// Lays out a bar chart of `series` over `categories`, [`WIDTH`] wide.
pub(crate) fn bar_chart(
    categories: &[Category],
    series: &[Series],
    layout: Layout,
    unit: Unit,
    target: Option<(f64, String)>,
) -> BarChart {
    bar_chart_sized(WIDTH, categories, series, layout, unit, target)
}

/// [`bar_chart`] with a view box `width` wide: a chart drawn in a narrow column (a factor
/// page's side) gets a narrow view box, so that its text is not scaled below its size.
pub(crate) fn bar_chart_sized(
    width: f64,
    categories: &[Category],
    series: &[Series],
    layout: Layout,
    unit: Unit,
    target: Option<(f64, String)>,
) -> BarChart {
    let floor = target.as_ref().map_or(0.0, |t| t.0);
    let (peak, outliers) = axis_peak(peaks(categories, series, layout), floor);
    let (axis, y_ticks) = Axis::new(width, peak, unit, categories.len());
    let (bars, missing) = bars(&axis, categories, series, layout, unit);
    BarChart {
        width,
        height: HEIGHT,
        y_ticks,
        x_labels: categories
            .iter()
            .enumerate()
            .map(|(k, c)| XLabel {
                x: r(axis.centre(k)),
                label: c.label.clone(),
                sub: c.sub.clone(),
            })
            .collect(),
        bars,
        missing,
        target: target.map(|(v, label)| Rule {
            y: axis.y_of(v),
            label,
        }),
        legend: series
            .iter()
            .enumerate()
            .map(|(i, s)| Legend {
                series: i + 1,
                name: s.name.clone(),
            })
            .collect(),
        table: table(categories, series, unit),
        capped_note: if outliers {
            format!(
                "Bars above {} are cut off (marked ▲): the table has their values.",
                unit.format(Some(axis.max))
            )
        } else {
            String::new()
        },
        plot: axis.plot,
    }
}

/// The value of series `s` in category `k`, if it has one.
fn value(s: &Series, k: usize) -> Option<f64> {
    s.values.get(k).copied().flatten()
}

/// The height each category's bars reach: the sum of its values when stacked, else the largest.
fn peaks(categories: &[Category], series: &[Series], layout: Layout) -> Vec<f64> {
    (0..categories.len())
        .map(|k| match layout {
            Layout::Stacked => series.iter().filter_map(|s| value(s, k)).sum::<f64>(),
            Layout::Grouped => series
                .iter()
                .filter_map(|s| value(s, k))
                .fold(0.0, f64::max),
        })
        .collect()
}

/// The plot area and its value axis: where a value and a category go.
struct Axis {
    /// The plot area, inside the margins.
    plot: Rect,
    /// The value at the top of the axis.
    max: f64,
    /// The width given to each category.
    slot: f64,
}

impl Axis {
    /// The axis up to a round value above `peak`, with its ticks, in a view box `width` wide
    /// holding `n` categories.
    fn new(width: f64, peak: f64, unit: Unit, n: usize) -> (Axis, Vec<Tick>) {
        let (max, step) = nice_axis(peak, unit);
        let n_ticks = (max / step).round() as usize;
        let mut y_ticks: Vec<Tick> = (0..=n_ticks)
            .map(|t| Tick {
                y: 0.0,
                label: unit.format(Some(t as f64 * step)),
            })
            .collect();
        let left = left_margin(&y_ticks);
        let plot = Rect {
            x: left,
            y: TOP,
            w: width - left - RIGHT,
            h: HEIGHT - TOP - BOTTOM,
        };
        let slot = plot.w / n.max(1) as f64;
        let axis = Axis { plot, max, slot };
        for (t, tick) in y_ticks.iter_mut().enumerate() {
            tick.y = axis.y_of(t as f64 * step);
        }
        (axis, y_ticks)
    }

    /// The y of value `v`, values above the axis drawn at its top.
    fn y_of(&self, v: f64) -> f64 {
        r(self.plot.y + self.plot.h * (1.0 - v.min(self.max) / self.max))
    }

    /// The x of the middle of category `k`.
    fn centre(&self, k: usize) -> f64 {
        self.plot.x + self.slot * (k as f64 + 0.5)
    }
}

/// The bars of every category, and a dash for each category without any value.
fn bars(
    axis: &Axis,
    categories: &[Category],
    series: &[Series],
    layout: Layout,
    unit: Unit,
) -> (Vec<Bar>, Vec<XLabel>) {
    let group_w = axis.slot * 0.7;
    let mut bars = Vec::new();
    let mut missing = Vec::new();
    for (k, cat) in categories.iter().enumerate() {
        if series.iter().all(|s| value(s, k).is_none()) {
            missing.push(XLabel {
                x: r(axis.centre(k)),
                label: "–".into(),
                sub: String::new(),
            });
            continue;
        }
        let mut base = 0.0;
        for (si, s) in series.iter().enumerate() {
            let Some(v) = value(s, k).filter(|v| *v > 0.0) else {
                continue;
            };
            let (x, w, y0) = match layout {
                Layout::Stacked => (axis.centre(k) - group_w / 2.0, group_w, base),
                Layout::Grouped => {
                    let w = group_w / series.len() as f64;
                    (axis.centre(k) - group_w / 2.0 + w * si as f64, w, 0.0)
                }
            };
            if y0 >= axis.max {
                continue;
            }
            let (top, bottom) = (axis.y_of(y0 + v), axis.y_of(y0));
            bars.push(Bar {
                rect: Rect {
                    x: r(x),
                    y: top,
                    w: r(w),
                    h: r(bottom - top),
                },
                series: si + 1,
                title: format!("{} · {}: {}", cat.name, s.name, unit.format(Some(v))),
                capped: y0 + v > axis.max,
            });
            if layout == Layout::Stacked {
                base += v;
            }
        }
    }
    (bars, missing)
}

/// The table of a chart, newest category (the last) first.
fn table(categories: &[Category], series: &[Series], unit: Unit) -> Table {
    Table {
        head: "Quarter".into(),
        columns: series.iter().map(|s| s.name.clone()).collect(),
        rows: categories
            .iter()
            .enumerate()
            .rev()
            .map(|(k, c)| TableRow {
                label: c.name.clone(),
                cells: series
                    .iter()
                    .map(|s| unit.format(s.values.get(k).copied().flatten()))
                    .collect(),
            })
            .collect(),
    }
}

/// One cell of a heat map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Cell {
    /// Where.
    #[serde(flatten)]
    pub rect: Rect,
    /// The centre's x, where the label goes.
    #[serde(serialize_with = "coord")]
    pub cx: f64,
    /// The centre's y.
    #[serde(serialize_with = "coord")]
    pub cy: f64,
    /// 0 (none) to 4 (the maximum), for the `h0`..`h4` classes.
    pub level: usize,
    /// The count, as shown in the cell (`""` for zero).
    pub label: String,
    /// Tooltip.
    pub title: String,
}

/// A label at a y position (heat map rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct YLabel {
    /// Centre.
    #[serde(serialize_with = "coord")]
    pub y: f64,
    /// Text.
    pub label: String,
}

/// Counts per row and category, as a grid of shaded cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Heatmap {
    /// View box width.
    #[serde(serialize_with = "coord")]
    pub width: f64,
    /// View box height.
    #[serde(serialize_with = "coord")]
    pub height: f64,
    /// Cells, row by row.
    pub cells: Vec<Cell>,
    /// Row names, at the left.
    pub rows: Vec<YLabel>,
    /// Category labels, at the bottom.
    pub x_labels: Vec<XLabel>,
    /// The same data as a table (a row per category, a column per heat map row).
    pub table: Table,
}

/// Longest heat map row label, in characters (longer ones end in `…`).
pub(crate) const ROW_LABEL_CHARS: usize = 26;

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// Height of one heat map row.
pub(crate) const ROW_HEIGHT: f64 = 22.0;
const ROW_LABELS: f64 = 170.0;

/// Lays out a heat map: one row per series, one column per category.
pub(crate) fn heatmap(categories: &[Category], rows: &[Series]) -> Heatmap {
    let max = rows
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0, |a: f64, b| a.max(*b));
    let plot_w = WIDTH - ROW_LABELS - RIGHT;
    let cell_w = plot_w / categories.len().max(1) as f64;
    let mut cells = Vec::new();
    for (ri, row) in rows.iter().enumerate() {
        for (k, cat) in categories.iter().enumerate() {
            let v = row.values.get(k).copied().flatten().unwrap_or(0.0);
            let level = if v <= 0.0 || max <= 0.0 {
                0
            } else {
                ((v / max) * 4.0).ceil().clamp(1.0, 4.0) as usize
            };
            let rect = Rect {
                x: r(ROW_LABELS + cell_w * k as f64),
                y: r(TOP + ROW_HEIGHT * ri as f64),
                w: r(cell_w),
                h: ROW_HEIGHT,
            };
            cells.push(Cell {
                cx: rect.x + rect.w / 2.0,
                cy: rect.y + rect.h / 2.0,
                rect,
                level,
                label: if v > 0.0 {
                    Unit::Count.format(Some(v))
                } else {
                    String::new()
                },
                title: format!(
                    "{} · {}: {}",
                    cat.name,
                    row.name,
                    Unit::Count.format(Some(v))
                ),
            });
        }
    }
    let grid_bottom = TOP + ROW_HEIGHT * rows.len() as f64;
    Heatmap {
        width: WIDTH,
        height: r(grid_bottom + BOTTOM),
        cells,
        rows: rows
            .iter()
            .enumerate()
            .map(|(ri, s)| YLabel {
                y: r(TOP + ROW_HEIGHT * (ri as f64 + 0.5)),
                label: short(&s.name, ROW_LABEL_CHARS),
            })
            .collect(),
        x_labels: categories
            .iter()
            .enumerate()
            .map(|(k, c)| XLabel {
                x: r(ROW_LABELS + cell_w * (k as f64 + 0.5)),
                label: c.label.clone(),
                sub: c.sub.clone(),
            })
            .collect(),
        table: table(categories, rows, Unit::Count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarters(n: usize) -> Vec<Quarter> {
        let mut q = Quarter { year: 2024, q: 3 };
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(q);
            q = q.next();
        }
        out
    }

    #[test]
    fn nice_axes() {
        assert_eq!(nice_axis(0.0, Unit::Count), (1.0, 1.0));
        assert_eq!(nice_axis(3.0, Unit::Count), (3.0, 1.0));
        assert_eq!(nice_axis(7.0, Unit::Count), (8.0, 2.0));
        assert_eq!(nice_axis(130.0, Unit::Minutes), (150.0, 50.0));
        assert_eq!(nice_axis(0.4, Unit::Rate), (1.0, 0.25));
        assert_eq!(nice_axis(2.5, Unit::Days), (3.0, 1.0));
    }

    #[test]
    fn quarter_labels_show_the_year_at_q1_and_first() {
        let c = quarter_categories(&quarters(3));
        let got: Vec<(&str, &str, &str)> = c
            .iter()
            .map(|c| (c.name.as_str(), c.label.as_str(), c.sub.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("2024-Q3", "Q3", "2024"),
                ("2024-Q4", "Q4", ""),
                ("2025-Q1", "Q1", "2025")
            ]
        );
        let crowded = quarter_categories(&quarters(20));
        assert_eq!(crowded[1].label, "");
        assert_eq!(crowded[2].label, "Q1");
    }

    #[test]
    fn stacked_bars_sit_on_each_other_and_gaps_are_marked() {
        let cats = quarter_categories(&quarters(3));
        let series = [
            Series {
                name: "SEV1".into(),
                values: vec![Some(1.0), None, Some(2.0)],
            },
            Series {
                name: "SEV2".into(),
                values: vec![Some(3.0), None, Some(0.0)],
            },
        ];
        let c = bar_chart(&cats, &series, Layout::Stacked, Unit::Count, None);
        // Peak 4 -> axis 0..4, step 1: 5 ticks; plot height 220 - 14 - 38 = 168.
        assert_eq!(c.y_ticks.len(), 5);
        assert_eq!(c.y_ticks[0].y, 182.0);
        assert_eq!(c.y_ticks[4].y, 14.0);
        assert_eq!(c.bars.len(), 3, "zero and missing values draw no bar");
        let (a, b) = (&c.bars[0], &c.bars[1]);
        assert_eq!((a.series, b.series), (1, 2));
        assert_eq!(a.rect.h, 42.0); // 1 of 4 = 168 / 4
        assert_eq!(b.rect.y + b.rect.h, a.rect.y, "SEV2 stacked on SEV1");
        assert_eq!(b.rect.y, 14.0);
        assert_eq!(a.rect.x, b.rect.x);
        assert_eq!(a.title, "2024-Q3 · SEV1: 1");
        // The narrowest margin (40: the labels are one digit); slot 588 / 3 = 196; the second
        // category is centred at 40 + 294 = 334.
        assert_eq!(c.missing.len(), 1);
        assert_eq!(c.missing[0].x, 334.0);
        // The table lists the newest quarter first.
        assert_eq!(c.table.rows[1].cells, ["–", "–"]);
        assert_eq!(c.table.rows[0].cells, ["2", "0"]);
        assert_eq!(c.table.rows[2].cells, ["1", "3"]);
    }

    #[test]
    fn grouped_bars_sit_side_by_side_and_rates_have_a_target() {
        let cats = quarter_categories(&quarters(1));
        let series = [
            Series {
                name: "a".into(),
                values: vec![Some(0.5)],
            },
            Series {
                name: "b".into(),
                values: vec![Some(1.0)],
            },
        ];
        let c = bar_chart(
            &cats,
            &series,
            Layout::Grouped,
            Unit::Rate,
            Some((0.8, "target 80%".into())),
        );
        let (a, b) = (&c.bars[0], &c.bars[1]);
        assert!((a.rect.x + a.rect.w - b.rect.x).abs() < 0.11);
        assert_eq!(a.rect.y + a.rect.h, b.rect.y + b.rect.h, "same baseline");
        assert_eq!(a.rect.h * 2.0, b.rect.h);
        // 80% of 168 above the baseline at 182.
        assert_eq!(c.target.as_ref().unwrap().y, 47.6);
        assert_eq!(c.y_ticks.last().unwrap().label, "100%");
    }

    #[test]
    fn heatmap_levels_scale_to_the_maximum() {
        let cats = quarter_categories(&quarters(2));
        let rows = [
            Series {
                name: "dns".into(),
                values: vec![Some(4.0), Some(1.0)],
            },
            Series {
                name: "config".into(),
                values: vec![Some(0.0), Some(2.0)],
            },
        ];
        let h = heatmap(&cats, &rows);
        let levels: Vec<usize> = h.cells.iter().map(|c| c.level).collect();
        assert_eq!(levels, [4, 1, 0, 2]);
        assert_eq!(h.cells[2].label, "");
        assert!((h.cells[1].rect.x - h.cells[0].rect.x - h.cells[0].rect.w).abs() < 0.11);
        assert_eq!(h.rows[1].y, 14.0 + 22.0 * 1.5);
        assert_eq!(h.table.columns, ["dns", "config"]);
    }

    #[test]
    fn units_format_and_missing_is_a_dash() {
        assert_eq!(Unit::Rate.format(Some(2.0 / 3.0)), "67%");
        assert_eq!(Unit::Days.format(Some(3.5)), "3.5");
        assert_eq!(Unit::Days.format(Some(4.0)), "4");
        assert_eq!(Unit::Minutes.format(Some(65.0)), "1 h 5 min");
        assert_eq!(Unit::Count.format(None), "–");
    }
}

#[cfg(test)]
mod readable_tests {
    use super::*;

    fn quarters(n: usize) -> Vec<Category> {
        let q: Vec<Quarter> = (0..n)
            .map(|i| Quarter {
                year: 2020 + (i / 4) as i32,
                q: (i % 4) as u32 + 1,
            })
            .collect();
        quarter_categories(&q)
    }

    /// One quarter of 1,000 minutes among quarters of about 60: the axis stops above the
    /// others, the outlier is cut and marked, the chart says so; the margin fits "16 h 40 min".
    #[test]
    fn an_outlier_is_capped_and_the_margin_fits_the_widest_label() {
        let cats = quarters(6);
        let series = [Series {
            name: "Resolve".into(),
            values: vec![
                Some(60.0),
                Some(1000.0),
                Some(55.0),
                Some(70.0),
                Some(65.0),
                None,
            ],
        }];
        let c = bar_chart(&cats, &series, Layout::Grouped, Unit::Minutes, None);
        let capped: Vec<&Bar> = c.bars.iter().filter(|b| b.capped).collect();
        assert_eq!(capped.len(), 1);
        assert_eq!(capped[0].rect.y, c.plot.y, "drawn to the top");
        assert!(c.capped_note.contains("cut off"), "{}", c.capped_note);
        // Others keep most of the height.
        let tall = c
            .bars
            .iter()
            .find(|b| b.title.starts_with("2020-Q4"))
            .unwrap();
        assert!(tall.rect.h > c.plot.h / 2.0, "{:?}", tall.rect);
        // Without the outlier nothing is capped, and a long label widens the margin.
        let even = bar_chart(
            &cats,
            &[Series {
                name: "Resolve".into(),
                values: vec![
                    Some(1000.0),
                    Some(900.0),
                    Some(800.0),
                    Some(950.0),
                    None,
                    None,
                ],
            }],
            Layout::Grouped,
            Unit::Minutes,
            None,
        );
        assert!(even.bars.iter().all(|b| !b.capped) && even.capped_note.is_empty());
        let widest = even
            .y_ticks
            .iter()
            .map(|t| t.label.chars().count())
            .max()
            .unwrap();
        assert!(even.y_ticks.iter().any(|t| t.label.contains(" h ")));
        assert!(
            even.plot.x >= 6.6 * widest as f64,
            "{} for {widest} chars",
            even.plot.x
        );
    }

    #[test]
    fn tables_list_the_newest_quarter_first() {
        let cats = quarters(3);
        let series = [Series {
            name: "n".into(),
            values: vec![Some(1.0), Some(2.0), Some(3.0)],
        }];
        let c = bar_chart(&cats, &series, Layout::Stacked, Unit::Count, None);
        let labels: Vec<&str> = c.table.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["2020-Q3", "2020-Q2", "2020-Q1"]);
    }
}
