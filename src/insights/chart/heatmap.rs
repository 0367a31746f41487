//! Heat maps: one row per series, a cell per category, levels scaled to the maximum.

use super::*;

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

pub(super) fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// Height of one heat map row.
pub(crate) const ROW_HEIGHT: f64 = 22.0;
pub(super) const ROW_LABELS: f64 = 170.0;

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
