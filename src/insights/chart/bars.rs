//! Bar charts: the axis, bars stacked or grouped, the optional target line, and the table.

use super::*;

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
pub(super) fn value(s: &Series, k: usize) -> Option<f64> {
    s.values.get(k).copied().flatten()
}

/// The height each category's bars reach: the sum of its values when stacked, else the largest.
pub(super) fn peaks(categories: &[Category], series: &[Series], layout: Layout) -> Vec<f64> {
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
pub(super) struct Axis {
    /// The plot area, inside the margins.
    pub(super) plot: Rect,
    /// The value at the top of the axis.
    pub(super) max: f64,
    /// The width given to each category.
    pub(super) slot: f64,
}

impl Axis {
    /// The axis up to a round value above `peak`, with its ticks, in a view box `width` wide
    /// holding `n` categories.
    pub(super) fn new(width: f64, peak: f64, unit: Unit, n: usize) -> (Axis, Vec<Tick>) {
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
    pub(super) fn y_of(&self, v: f64) -> f64 {
        r(self.plot.y + self.plot.h * (1.0 - v.min(self.max) / self.max))
    }

    /// The x of the middle of category `k`.
    pub(super) fn centre(&self, k: usize) -> f64 {
        self.plot.x + self.slot * (k as f64 + 0.5)
    }
}

/// The bars of every category, and a dash for each category without any value.
pub(super) fn bars(
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
pub(super) fn table(categories: &[Category], series: &[Series], unit: Unit) -> Table {
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
