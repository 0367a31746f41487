//! Services, teams and tags in any script: readable, distinct URLs (transliterated), the name
//! shown as written, and two names that would share a page reported, never merged.

use crate::harness::{pmarchive, Site};

fn doc(title: &str, teams: &str, services: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2025-02-03\nseverity = \"SEV2\"\nsummary = \"s\"\nservices = [{services}]\nteams = [{teams}]\n+++\n## Summary\n\nx\n"
    )
}

#[test]
fn names_in_any_script_get_distinct_readable_pages() {
    let site = Site::empty();
    site.write("content/a.md", &doc("A", "\"Платежи\"", "\"Zürich-Ops\""));
    site.write("content/b.md", &doc("B", "\"決済\"", "\"zürich ops\""));
    site.write("content/c.md", &doc("C", "\"payments\"", "\"checkout\""));
    let built = site.build_ok(&[]);
    let platezhi = built.text("teams/platezhi/index.html");
    assert!(platezhi.contains("Платежи") && platezhi.contains("postmortems/a/"));
    assert!(!platezhi.contains("postmortems/b/"));
    let jue_ji = built.text("teams/jue-ji/index.html");
    assert!(jue_ji.contains("決済") && jue_ji.contains("postmortems/b/"));
    assert!(!jue_ji.contains("postmortems/a/"));
    assert!(!built.has("teams/x/index.html"));
    // One name written two ways (case, spaces, punctuation) is one page, as before.
    let zurich = built.text("services/zurich-ops/index.html");
    assert!(zurich.contains("postmortems/a/") && zurich.contains("postmortems/b/"));
    assert!(zurich.contains("Zürich-Ops"));
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
}

#[test]
fn two_names_that_would_share_a_page_are_a_located_error() {
    let site = Site::empty();
    site.write("content/a.md", &doc("A", "\"Zürich-Ops\"", "\"checkout\""));
    site.write("content/b.md", &doc("B", "\"Zurich Ops\"", "\"checkout\""));
    site.write("content/c.md", &doc("C", "\"payments\"", "\"Платежи\""));
    site.write("content/d.md", &doc("D", "\"payments\"", "\"Platezhi\""));
    let root = site.root().to_str().unwrap();
    let out = pmarchive(&["check", "--root", root, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64, u64, String)> = diags
        .iter()
        .filter(|d| d["rule"] == "schema/name-collision")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{diags:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2),
        ("content/b.md", 7, 9)
    );
    assert!(found[0].3.contains("`Zurich Ops`") && found[0].3.contains("`Zürich-Ops`"));
    assert!(found[0].3.contains("teams/zurich-ops/"));
    assert_eq!(
        (found[1].0.as_str(), found[1].1, found[1].2),
        ("content/d.md", 6, 12)
    );
    assert!(!site.build(&[]).status.success());
}
