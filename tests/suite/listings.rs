//! Listings are sortable tables of postmortems (date, severity, title, services, duration,
//! status) on the home page and every listing, and service and team pages carry the panels
//! factor pages have (issue #22).

use crate::harness::{Built, Site};

/// One postmortem of the fixture; `extra` goes into the front matter, `actions` after it.
#[allow(clippy::too_many_arguments)]
fn doc(
    title: &str,
    date: &str,
    severity: &str,
    services: &str,
    teams: &str,
    factors: &str,
    extra: &str,
    actions: &str,
) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}T10:00:00Z\nseverity = \"{severity}\"\n\
         summary = \"{title}.\"\nservices = [{services}]\nteams = [{teams}]\n\
         contributing_factors = [{factors}]\ntags = [\"deploy\"]\n{extra}\n[timing]\n\
         mitigated = {date}T10:45:00Z\n{actions}+++\n\n## Summary\n\n{title}.\n"
    )
}

fn action(id: &str, title: &str, due: &str, status: &str) -> String {
    let due = if due.is_empty() {
        String::new()
    } else {
        format!("due = {due}\n")
    };
    format!(
        "\n[[action_items]]\nid = \"{id}\"\ntitle = \"{title}\"\nowner = \"sre\"\n{due}status = \"{status}\"\n"
    )
}

/// Four published postmortems (the second a recurrence of the first), one in review, one
/// restricted and one draft that share the first's service and team.
fn fixture() -> Site {
    let site = Site::empty();
    site.write(
        "content/2023-02-01-web-dns.md",
        &doc(
            "Web lost DNS",
            "2023-02-01",
            "SEV1",
            "\"web\", \"db\"",
            "\"core\"",
            "\"dns\", \"config-change\"",
            "",
            &(action("AI-1", "Alert on resolver errors", "2023-03-01", "open")
                + &action("AI-2", "Document the resolver", "2023-03-01", "done")),
        ),
    );
    site.write(
        "content/2024-05-01-web-dns-again.md",
        &doc(
            "Web lost DNS again",
            "2024-05-01",
            "SEV2",
            "\"web\"",
            "\"core\"",
            "\"dns\"",
            "recurrence_of = [\"2023-02-01-web-dns\"]",
            &action("AI-1", "Cache resolver answers", "", "in-progress"),
        ),
    );
    site.write(
        "content/2024-08-01-db-full.md",
        &doc(
            "Database disk full",
            "2024-08-01",
            "SEV3",
            "\"db\"",
            "\"data\"",
            "\"capacity\"",
            "",
            &action("AI-1", "Alert at 80 percent disk", "2026-01-01", "open"),
        ),
    );
    site.write(
        "content/2025-01-15-web-config.md",
        &doc(
            "Web config rollback",
            "2025-01-15",
            "SEV2",
            "\"web\"",
            "\"core\"",
            "\"config-change\"",
            "status = \"review\"",
            "",
        ),
    );
    site.write(
        "content/2025-02-01-hidden.md",
        &doc(
            "Zqhidden restricted outage",
            "2025-02-01",
            "SEV1",
            "\"web\", \"db\"",
            "\"core\", \"data\"",
            "\"dns\"",
            "visibility = \"restricted\"\nrecurrence_of = [\"2023-02-01-web-dns\"]",
            &action("AI-1", "Zqhidden action", "2024-01-01", "open"),
        ),
    );
    site.write(
        "content/2025-03-01-draft.md",
        &doc(
            "Zqdraft outage",
            "2025-03-01",
            "SEV1",
            "\"web\"",
            "\"core\"",
            "\"dns\"",
            "status = \"draft\"",
            &action("AI-1", "Zqdraft action", "2024-01-01", "open"),
        ),
    );
    site
}

/// The postmortem table of `html`: its column headers and, per row, the cells' text (tags
/// stripped; the title is the row's header).
pub(crate) fn pm_table(html: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = html
        .find("<table class=\"pm-table\"")
        .unwrap_or_else(|| panic!("no postmortem table in\n{html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let text = |cell: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for c in cell.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_string()
    };
    let cells = |row: &str| -> Vec<String> {
        let row = row.replace("</th>", "</td>");
        let mut cells: Vec<String> = row.split("</td>").map(text).collect();
        cells.pop();
        cells
    };
    let head = &table[table.find("<thead>").unwrap()..table.find("</thead>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    let columns = cells(head.split("<tr>").nth(1).unwrap());
    let rows = body
        .split("<tr>")
        .skip(1)
        .map(|r| cells(r.split("</tr>").next().unwrap()))
        .collect();
    (columns, rows)
}

/// The titles of the table's rows (their links' text), in order.
fn titles(built: &Built, page: &str) -> Vec<String> {
    let html = built.text(page);
    html.split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .map(|r| between(r, "\">", "</a>").to_string())
        .collect()
}

const COLUMNS: [&str; 6] = [
    "Date", "Severity", "Title", "Services", "Duration", "Status",
];

#[test]
fn every_listing_is_a_table_of_its_postmortems_newest_first() {
    let site = fixture();
    let built = site.build_ok(&[]);
    let (a, b, c, d) = (
        "Web lost DNS",
        "Web lost DNS again",
        "Database disk full",
        "Web config rollback",
    );
    let class = built
        .files
        .keys()
        .find(|p| p.starts_with("recurring/2023-02-01-web-dns/"))
        .expect("a recurring class page")
        .clone();
    for (page, expected) in [
        ("index.html", vec![d, c, b, a]),
        ("postmortems/index.html", vec![d, c, b, a]),
        ("years/2024/index.html", vec![c, b]),
        ("severities/sev2/index.html", vec![d, b]),
        ("services/web/index.html", vec![d, b, a]),
        ("services/db/index.html", vec![c, a]),
        ("teams/core/index.html", vec![d, b, a]),
        ("tags/deploy/index.html", vec![d, c, b, a]),
        ("factors/dns/index.html", vec![b, a]),
        // A recurring class lists its incidents earliest first.
        (class.as_str(), vec![a, b]),
    ] {
        let html = built.text(page);
        let (columns, rows) = pm_table(&html);
        assert_eq!(columns, COLUMNS, "{page}");
        assert_eq!(titles(&built, page), expected, "{page}");
        assert!(rows.iter().all(|r| r.len() == 6), "{page}: {rows:?}");
        // The date column says which way it is sorted, and the script that sorts it is linked.
        let order = if page == class {
            "ascending"
        } else {
            "descending"
        };
        assert!(
            html.contains(&format!(
                "<th scope=\"col\" aria-sort=\"{order}\">Date</th>"
            )),
            "{page}"
        );
        assert!(html.contains("static/sort-table.js\"></script>"), "{page}");
        assert!(
            !html.contains("Zqhidden") && !html.contains("Zqdraft"),
            "{page}"
        );
    }
    // A row: its date, severity, title (linked), services (linked), duration and status.
    let (_, rows) = pm_table(&built.text("services/web/index.html"));
    assert_eq!(
        rows[0],
        ["15 Jan 2025", "SEV2", d, "web", "45 min", "In review"]
    );
    assert_eq!(
        rows[2],
        ["1 Feb 2023", "SEV1", a, "web, db", "45 min", "Published"]
    );
    let html = built.text("services/web/index.html");
    assert!(html.contains(
        "<th scope=\"row\"><a href=\"../../postmortems/2023-02-01-web-dns/\">Web lost DNS</a></th>"
    ));
    assert!(html.contains("<a href=\"../../services/db/\">db</a>"));
    assert!(
        html.contains("<td data-sort=\"45\">45 min</td>"),
        "durations sort by minutes"
    );
    assert!(html.contains("<td data-sort=\"1\"><span class=\"sev sev-r1\">SEV1</span></td>"));
    // The home page shows the summaries under the titles.
    assert!(built
        .text("index.html")
        .contains("<span class=\"row-summary\">Web lost DNS.</span>"));
    assert!(built.has("static/sort-table.js"));
}

/// The text of `html` between `from` and the next `to`.
fn between<'h>(html: &'h str, from: &str, to: &str) -> &'h str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in\n{html}"))
        + from.len();
    &html[start..start + html[start..].find(to).unwrap()]
}

/// Per-year rows of a panel: `(year, count)`.
fn per_year(html: &str) -> Vec<(String, String)> {
    let table = between(html, "<table class=\"per-year\"", "</table>");
    table
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|r| {
            let year = r.split('<').next().unwrap().to_string();
            let count = between(r, "<span class=\"bar-value\">", "<").to_string();
            (year, count)
        })
        .collect()
}

#[test]
fn service_and_team_pages_have_the_panels_of_factor_pages_counting_published_postmortems_only() {
    let site = fixture();
    let built = site.build_ok(&[]);
    for page in ["services/web/index.html", "teams/core/index.html"] {
        let html = built.text(page);
        assert_eq!(
            per_year(&html),
            [
                ("2023".into(), "1".into()),
                ("2024".into(), "1".into()),
                ("2025".into(), "1".into())
            ],
            "{page}"
        );
        let factors = between(
            &html,
            "<h2 id=\"panel-factors\">Contributing factors</h2>",
            "</section>",
        );
        assert!(
            factors.contains("href=\"../../factors/dns/\">dns</a> <span class=\"count\">2<"),
            "{page}: {factors}"
        );
        assert!(
            factors.contains("href=\"../../factors/config-change/\">"),
            "{page}"
        );
        let actions = between(
            &html,
            "<h2 id=\"panel-actions\">Open action items</h2>",
            "</section>",
        );
        assert!(
            actions.contains("2 open, <strong class=\"overdue-text\">1 overdue</strong>."),
            "{page}: {actions}"
        );
        // The overdue item first; the closed one not at all.
        let first = actions
            .find("Alert on resolver errors")
            .expect("the overdue item");
        let second = actions
            .find("Cache resolver answers")
            .expect("the open item");
        assert!(
            first < second && !actions.contains("Document the resolver"),
            "{page}: {actions}"
        );
        let classes = between(
            &html,
            "<h2 id=\"panel-classes\">Recurring classes</h2>",
            "</section>",
        );
        assert!(
            classes.contains("1 recurring class includes its incidents."),
            "{page}: {classes}"
        );
        assert!(classes.contains("href=\"../../recurring/2023-02-01-web-dns/\">Web lost DNS</a> <span class=\"muted small\">2 of 2 incidents</span>"), "{page}: {classes}");
        assert!(
            !html.contains("Zqhidden") && !html.contains("Zqdraft"),
            "{page}"
        );
    }
    let html = built.text("services/web/index.html");
    assert!(html.contains("href=\"../../actions/?service=web\">In the action register</a>"));
    assert!(built
        .text("teams/core/index.html")
        .contains("href=\"../../actions/?team=core\">"));
    let db = built.text("services/db/index.html");
    assert_eq!(
        per_year(&db),
        [("2023".into(), "1".into()), ("2024".into(), "1".into())]
    );
    assert!(db.contains("2 open, <strong class=\"overdue-text\">1 overdue</strong>."));
    assert!(db.contains("<span class=\"muted small\">1 of 2 incidents</span>"));
    // A team whose incidents are in no class and have no open item shows neither panel.
    site.write(
        "content/2022-01-01-quiet.md",
        &doc(
            "Quiet incident",
            "2022-01-01",
            "SEV4",
            "\"batch\"",
            "\"ops\"",
            "\"capacity\"",
            "",
            "",
        ),
    );
    let built = site.build_ok(&[]);
    let quiet = built.text("teams/ops/index.html");
    assert!(
        quiet.contains("0 open.") && !quiet.contains("panel-classes"),
        "{quiet}"
    );

    // The restricted archive counts the restricted incident in the same panels.
    let restricted = site.root().join("restricted");
    let built = site.build_into(&restricted, &["--include-restricted"]);
    let html = built.text("services/web/index.html");
    assert!(
        html.contains("3 open, <strong class=\"overdue-text\">2 overdue</strong>."),
        "{html}"
    );
    assert!(titles(&built, "services/web/index.html")
        .contains(&"Zqhidden restricted outage".to_string()));
}

#[test]
fn long_listings_are_paginated_in_pages_of_a_hundred_rows() {
    let site = Site::empty();
    for k in 0..230 {
        let date = format!(
            "20{:02}-{:02}-{:02}",
            10 + k / 24,
            1 + (k / 2) % 12,
            1 + k % 2 * 14
        );
        site.write(
            &format!("content/{date}-incident-{k}.md"),
            &doc(
                &format!("Incident {k}"),
                &date,
                "SEV3",
                "\"web\"",
                "\"core\"",
                "\"dns\"",
                "",
                "",
            ),
        );
    }
    let built = site.build_ok(&[]);
    for listing in ["postmortems/", "factors/dns/", "services/web/"] {
        let pages = [
            format!("{listing}index.html"),
            format!("{listing}page/2/index.html"),
            format!("{listing}page/3/index.html"),
        ];
        let counts: Vec<usize> = pages.iter().map(|p| titles(&built, p).len()).collect();
        assert_eq!(counts, [100, 100, 30], "{listing}");
        assert!(!built.has(&format!("{listing}page/4/index.html")));
        // Newest first across the pages.
        let dates: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                built
                    .text(p)
                    .split("<tr><td><time datetime=\"")
                    .skip(1)
                    .map(|r| r[..10].to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(dates.len(), 230);
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "{listing}: {dates:?}"
        );
    }
    // Panels only on a factor's or service's first page.
    for listing in ["factors/dns/", "services/web/"] {
        assert!(built
            .text(&format!("{listing}index.html"))
            .contains("id=\"panel-per-year\""));
        assert!(!built
            .text(&format!("{listing}page/2/index.html"))
            .contains("id=\"panel-per-year\""));
    }
}

#[test]
fn undated_postmortems_sort_last_whichever_way_the_date_column_is_sorted() {
    let site = Site::empty();
    site.write("pmarchive.toml", "undated = \"list\"\n");
    site.write(
        "content/2024-05-01-dated.md",
        &doc(
            "Dated outage",
            "2024-05-01",
            "SEV2",
            "\"web\"",
            "\"core\"",
            "\"dns\"",
            "",
            "",
        ),
    );
    site.write(
        "content/undated.md",
        "+++\ntitle = \"Undated outage\"\nseverity = \"SEV3\"\nsummary = \"No date.\"\n\
         services = [\"web\"]\n+++\n\n## Summary\n\nNo date.\n",
    );
    let built = site.build_ok(&[]);
    let html = built.text("services/web/index.html");
    assert_eq!(
        titles(&built, "services/web/index.html"),
        ["Dated outage", "Undated outage"]
    );
    // An empty sort key: static/sort-table.js puts it last both ways.
    assert!(
        html.contains("<tr><td data-sort=\"\"><span class=\"undated\">undated</span></td>"),
        "{html}"
    );
}
