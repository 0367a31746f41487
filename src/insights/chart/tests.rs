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
