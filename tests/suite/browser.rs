//! The site in headless Chromium: the search UI (type a query in the header box, see the
//! expected result, follow it with the keyboard; use the search page with a facet), the action
//! register's filters, and axe-core on the main kinds of page. Driven by `tests/node/*.mjs`
//! (playwright-core with Debian's chromium, no browser download; axe-core pinned there).

use std::path::Path;
use std::process::Command;

use crate::harness::{repo, Site};

/// Whether the browser tooling is here; in CI its absence is a failure, locally a printed skip.
pub(crate) fn browser_ready() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let playwright = repo().join("tests/node/node_modules/playwright-core");
    let missing: Vec<String> = [
        (!Path::new(&chromium).exists()).then(|| format!("{chromium} (apt-get install chromium)")),
        (!playwright.exists())
            .then(|| "tests/node/node_modules (npm ci --prefix tests/node)".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("browser tests need: {}", missing.join(", "));
    }
    crate::harness::skipped(&format!("browser test: missing {}", missing.join(", ")));
    false
}

#[test]
fn search_ui_finds_and_follows_results_in_chromium() {
    if !browser_ready() {
        return;
    }
    let site = Site::example();
    site.build_ok(&[]);
    let out = Command::new("node")
        .arg(repo().join("tests/node/ui-test.mjs"))
        .arg(site.root().join("public"))
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("\"ok\": true"), "{report}");
}

/// Runs a script of tests/node on the example site (built), with `args` after the site.
fn run_node(script: &str, args: &[&str]) -> String {
    let site = Site::example();
    site.build_ok(&[]);
    let mut cmd = Command::new("node");
    cmd.arg(repo().join("tests/node").join(script))
        .arg(site.root().join("public"))
        .args(args);
    if let Some(dir) = std::env::var_os("PMARCHIVE_SCREENSHOTS") {
        cmd.env("SHOTS", dir);
    }
    let out = cmd.output().expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("\"ok\": true"), "{report}");
    report
}

/// axe-core finds no serious or critical violation on the main kinds of page, light and dark,
/// at a desktop and a phone width (contrast, focusable scroll regions, unique landmarks...).
#[test]
fn pages_pass_axe_in_light_and_dark() {
    if !browser_ready() {
        return;
    }
    if !repo().join("tests/node/node_modules/axe-core").exists() {
        if std::env::var_os("CI").is_some() {
            panic!("the accessibility test needs axe-core: npm ci --prefix tests/node");
        }
        eprintln!("SKIPPED accessibility test: npm ci --prefix tests/node");
        return;
    }
    let report = run_node(
        "a11y-test.mjs",
        &[
            "",
            "postmortems/2025-02-03-checkout-errors-after-fraud-check-deploy/",
            "factors/config-change/",
            "services/checkout/",
            "postmortems/",
            "search/?q=certificate",
            "insights/",
            "actions/",
        ],
    );
    // Eight pages, two schemes, two widths.
    assert_eq!(report.matches("\"violations\": 0").count(), 32, "{report}");
}

/// The register's filters combine over the whole register, live in the URL, recount the page
/// and sort by due date; on a phone its rows are cards.
#[test]
fn the_action_register_filters_in_chromium() {
    if !browser_ready() {
        return;
    }
    run_node("actions-test.mjs", &["payments", "checkout"]);
}

/// The listings' tables sort by any column from its header (a button; aria-sort follows), stay
/// in the server's order without JavaScript, and scroll inside their region on a phone.
#[test]
fn listing_tables_sort_by_their_column_headers_in_chromium() {
    if !browser_ready() {
        return;
    }
    run_node("sort-test.mjs", &["postmortems/"]);
    // A service's page: the table beside (on a phone, above) its panels.
    run_node("sort-test.mjs", &["services/checkout/"]);
}
