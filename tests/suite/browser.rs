//! The search UI in headless Chromium: type a query in the header box, see the expected result,
//! follow it with the keyboard; use the search page with a facet. Driven by
//! `tests/node/ui-test.mjs` (playwright-core with Debian's chromium, no browser download).

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
    eprintln!("SKIPPED browser test: missing {}", missing.join(", "));
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
