//! Action items linked to the tracker: an item's `url`, or its `ticket` through
//! `[links] ticket`, on the postmortem's page, the register and the JSON.

use crate::check::{check_json, rules, CLEAN};
use crate::harness::Site;

/// `CLEAN` with two more action items: one with a ticket id, one with a URL of its own.
fn with_items(items: &str) -> String {
    CLEAN.replacen("+++\n\n## Summary", &format!("{items}+++\n\n## Summary"), 1)
}

const ITEMS: &str = r#"
[[action_items]]
id = "AI-2"
title = "Alert on canary batch sizes"
owner = "payments-infra"
due = 2025-03-01
status = "open"
ticket = "PAY-12"

[[action_items]]
id = "AI-3"
title = "Write the rollback runbook"
owner = "payments-infra"
due = 2025-03-01
status = "open"
url = "https://wiki.example.com/runbooks/rollback?x=1&y=2"
"#;

#[test]
fn tickets_and_urls_link_to_the_tracker_on_every_output() {
    let site = Site::empty();
    site.write(
        "pmarchive.toml",
        "[links]\nticket = \"https://tracker.example.com/browse/{ticket}\"\n",
    )
    .write("content/a.md", &with_items(ITEMS));
    let built = site.build_ok(&[]);
    let ticket_href = "href=\"https://tracker.example.com/browse/PAY-12\"";
    let url_href = "href=\"https://wiki.example.com/runbooks/rollback?x=1&amp;y=2\"";
    for page in ["postmortems/a/index.html", "actions/index.html"] {
        let html = built.text(page);
        assert!(html.contains(ticket_href), "{page}: no ticket link");
        assert!(
            html.contains(">PAY-12</a>"),
            "{page}: the ticket id is the link text"
        );
        assert!(html.contains(url_href), "{page}: no url link");
    }
    let actions: serde_json::Value = serde_json::from_str(&built.text("api/actions.json")).unwrap();
    let by_id = |id: &str| {
        actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id("AI-2")["url"],
        "https://tracker.example.com/browse/PAY-12"
    );
    assert_eq!(by_id("AI-2")["ticket"], "PAY-12");
    assert_eq!(
        by_id("AI-3")["url"],
        "https://wiki.example.com/runbooks/rollback?x=1&y=2"
    );
    // Items without either keep the JSON they had.
    assert!(by_id("AI-1").get("url").is_none() && by_id("AI-1").get("ticket").is_none());
    let pms: serde_json::Value = serde_json::from_str(&built.text("api/postmortems.json")).unwrap();
    assert_eq!(
        pms[0]["action_items"][1]["url"],
        "https://tracker.example.com/browse/PAY-12"
    );
}

#[test]
fn a_ticket_without_a_template_is_shown_unlinked() {
    let site = Site::empty();
    site.write("content/a.md", &with_items(ITEMS));
    let built = site.build_ok(&[]);
    let html = built.text("postmortems/a/index.html");
    assert!(html.contains("<span class=\"ai-ticket\">PAY-12</span>"));
    assert!(!html.contains("tracker.example.com"));
    let actions = built.text("api/actions.json");
    assert!(
        actions.contains("\"ticket\": \"PAY-12\"") || actions.contains("\"ticket\":\"PAY-12\"")
    );
}

#[test]
fn a_url_that_is_not_http_is_a_located_error_and_never_a_link() {
    let evil = ITEMS.replace(
        "https://wiki.example.com/runbooks/rollback?x=1&y=2",
        "javascript:alert(1)",
    );
    let site = Site::empty();
    site.write("content/a.md", &with_items(&evil));
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let line = with_items(&evil)
        .lines()
        .position(|l| l.starts_with("url = "))
        .unwrap() as u64
        + 1;
    assert!(
        rules(&diags).contains(&("schema/url".into(), line, "error".into())),
        "{diags:?}"
    );
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!site.root().join("public").exists());
}

#[test]
fn a_ticket_template_is_validated() {
    for (template, problems) in [
        ("https://tracker.example.com/browse/", 1),
        ("javascript:alert('{ticket}')", 1),
        ("ftp://tracker/", 2),
    ] {
        let site = Site::empty();
        site.write(
            "pmarchive.toml",
            &format!("# links\n[links]\nticket = \"{template}\"\n"),
        )
        .write("content/a.md", CLEAN);
        let out = site.build(&[]);
        assert_eq!(out.status.code(), Some(1), "{template}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.matches("config/links").count(),
            problems,
            "{template}: {err}"
        );
        assert!(err.contains("pmarchive.toml:3:"), "{template}: {err}");
    }
}
