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
