//! Similar incidents and recurring classes: the lists on the pages, in `api/postmortems.json`
//! and from `pmarchive similar` agree; explicit links always appear, both ways; pins and hides
//! apply; the lists find the hidden incident classes of a generated archive; nothing restricted
//! or draft is ever linked.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::harness::{pmarchive, Built, Site};

fn postmortems(built: &Built) -> Vec<Value> {
    serde_json::from_str::<Value>(&built.text("api/postmortems.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn similar_ids(pm: &Value) -> Vec<String> {
    pm["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn example_archive_lists_similar_incidents_with_reasons() {
    let site = Site::example();
    let built = site.build_ok(&[]);
    let pms = postmortems(&built);
    let by_id: BTreeMap<String, &Value> = pms
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p))
        .collect();
    let mut explicit = 0;
    for pm in &pms {
        let id = pm["id"].as_str().unwrap();
        let links = pm["similar"].as_array().unwrap();
        let targets = similar_ids(pm);
        for l in links {
            let t = l["id"].as_str().unwrap();
            assert!(by_id.contains_key(t), "{id} links to unpublished {t}");
            assert_ne!(t, id, "{id} links to itself");
            let score = l["score"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&score), "{id} -> {t}: {score}");
            assert!(
                !l["reasons"].as_array().unwrap().is_empty(),
                "{id} -> {t} has no reason"
            );
        }
        // Every explicit recurrence appears, marked, in both directions.
        for r in pm["recurrence_of"]
            .as_array()
            .unwrap()
            .iter()
            .chain(pm["recurred_in"].as_array().unwrap())
        {
            let r = r.as_str().unwrap();
            let l = links
                .iter()
                .find(|l| l["id"] == r)
                .unwrap_or_else(|| panic!("{id}: recurrence {r} missing from {targets:?}"));
            assert_eq!(l["recurrence"], true);
            assert_eq!(l["reasons"][0], "recurrence");
            assert_eq!(
                pm["cluster"], by_id[r]["cluster"],
                "{id} and {r} in one class"
            );
            explicit += 1;
        }
        // Computed ones fill up to the limit (5).
        assert!(
            links.len() <= 5 || links.iter().all(|l| l["recurrence"] == true),
            "{id}: {targets:?}"
        );
    }
    assert!(
        explicit >= 6,
        "the example has recurrence chains: {explicit}"
    );

    // The two certificate expiries are a recurrence; the page says so and lists it first,
    // with the shared factor as a reason.
    let cert = "2023-03-02-payments-webhook-certificate-expiry";
    let first = "2022-03-14-api-gateway-certificate-expiry";
    assert_eq!(similar_ids(by_id[cert])[0], first);
    let page = built.text(&format!("postmortems/{cert}/index.html"));
    assert!(
        page.contains("id=\"similar-incidents\""),
        "no similar section"
    );
    assert!(page.contains("Recurrence of</span>"));
    assert!(page.contains("<p class=\"similar-why\"><b>Shared factors</b> Certificate expiry"));
    assert!(page.contains("factors/certificate-expiry/"));
    assert!(page.contains("Part of a recurring class"));
    // The class page and the index.
    let class = by_id[cert]["cluster"].as_str().unwrap();
    assert_eq!(class, first, "a class is named after its first incident");
    let class_page = built.text(&format!("recurring/{class}/index.html"));
    assert!(class_page.contains(&format!("postmortems/{cert}/")));
    assert!(class_page.contains(&format!("postmortems/{first}/")));
    let index = built.text("recurring/index.html");
    assert!(index.contains(&format!("recurring/{class}/")));
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
}

#[test]
fn similar_command_prints_what_the_site_shows() {
    let site = Site::example();
    let built = site.build_ok(&[]);
    let pms = postmortems(&built);
    let root = site.root().to_str().unwrap();
    for pm in pms.iter().take(4) {
        let id = pm["id"].as_str().unwrap();
        let out = pmarchive(&["similar", "--root", root, "--json", id]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json, pm["similar"], "{id}");
    }
    let human = pmarchive(&[
        "similar",
        "--root",
        root,
        "2023-03-02-payments-webhook-certificate-expiry",
    ]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("recurrence of"), "{text}");
    assert!(text.contains("factor:certificate-expiry"), "{text}");
    // Restricted and draft postmortems have no similar list, and say why.
    for hidden in [
        "2025-08-01-zebrafish-leaked-deploy-token",
        "2025-11-20-kumquat-cache-stampede",
    ] {
        let out = pmarchive(&["similar", "--root", root, hidden]);
        assert_eq!(out.status.code(), Some(2), "{hidden}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no published postmortem"));
    }
}

#[test]
fn pins_and_hides_steer_the_lists() {
    let site = Site::empty();
    let doc = |date: &str, title: &str, factors: &str, extra: &str, root: &str| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"{title}.\"\nservices = [\"edge\"]\ncontributing_factors = [{factors}]\n{extra}+++\n## Summary\n\n{title}.\n\n## Root cause and contributing factors\n\n{root}\n",
        )
    };
    site.write(
        "content/a.md",
        &doc(
            "2024-01-10",
            "Cache stampede after cold restart of the edge cache",
            "\"thundering-herd\"",
            "similar_hidden = [\"b\"]\n",
            "Every worker refilled the cold cache at once and overloaded the origin database.",
        ),
    );
    site.write(
        "content/b.md",
        &doc(
            "2024-05-02",
            "Edge cache stampede overloads origin after cold restart",
            "\"thundering-herd\"",
            "",
            "A cold cache sent every request to the origin database at once, overloading it.",
        ),
    );
    site.write(
        "content/c.md",
        &doc("2024-07-19", "Cache stampede on the origin database after a cold edge restart", "\"thundering-herd\"", "", "After the restart every worker refilled the cold cache at once and overloaded the origin database."),
    );
    site.write(
        "content/d.md",
        &doc(
            "2024-09-01",
            "Payroll export ran twice",
            "\"manual-operation\"",
            "similar_pinned = [\"a\"]\n",
            "An operator reran the export job by hand.",
        ),
    );
    let built = site.build_ok(&[]);
    let pms = postmortems(&built);
    let get = |id: &str| pms.iter().find(|p| p["id"] == id).unwrap();
    // Hidden in a's front matter: gone from both pages, while c still links to both.
    assert!(
        !similar_ids(get("a")).contains(&"b".to_string()),
        "{:?}",
        similar_ids(get("a"))
    );
    assert!(!similar_ids(get("b")).contains(&"a".to_string()));
    assert!(similar_ids(get("c")).contains(&"a".to_string()));
    assert!(similar_ids(get("c")).contains(&"b".to_string()));
    // Pinned in d's front matter: listed first on both pages, marked as pinned.
    assert_eq!(similar_ids(get("d")), ["a"]);
    assert_eq!(get("d")["similar"][0]["reasons"][0], "pinned");
    assert_eq!(similar_ids(get("a"))[0], "d");
    // A pin to a missing id is an error with its line.
    site.write(
        "content/d.md",
        &doc(
            "2024-09-01",
            "Payroll export ran twice",
            "\"manual-operation\"",
            "similar_pinned = [\"aa\"]\n",
            "x",
        ),
    );
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("schema/similar-link"), "{err}");
    assert!(err.contains("d.md:8:"), "{err}");
    assert!(err.contains("did you mean `a`?"), "{err}");
}

/// Precision of the first five links against the generator's hidden incident classes, and
/// nothing restricted or draft linked.
#[test]
fn generated_archive_links_find_the_hidden_classes() {
    let site = Site::generated(
        500,
        7,
        &["--restricted-fraction", "0.05", "--draft-fraction", "0.05"],
    );
    let classes: BTreeMap<String, String> =
        std::fs::read_to_string(site.root().join("content.classes.tsv"))
            .unwrap()
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once('\t'))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    let built = site.build_ok(&[]);
    let pms = postmortems(&built);
    let published: BTreeSet<String> = pms
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        published.len() < classes.len(),
        "some are restricted or drafts"
    );
    let (mut hits, mut shown, mut lists) = (0usize, 0usize, 0usize);
    for pm in &pms {
        let id = pm["id"].as_str().unwrap();
        let links = similar_ids(pm);
        for t in &links {
            assert!(published.contains(t), "{id} links to unpublished {t}");
        }
        if let Some(c) = pm["cluster"].as_str() {
            assert!(
                published.contains(c),
                "{id}: class named after unpublished {c}"
            );
        }
        if links.is_empty() {
            continue;
        }
        lists += 1;
        for t in links.iter().take(5) {
            shown += 1;
            hits += usize::from(classes[t] == classes[id]);
        }
    }
    let precision = hits as f64 / shown as f64;
    eprintln!("precision@5 {precision:.3} over {lists} lists, {shown} links");
    assert!(
        lists * 10 >= published.len() * 8,
        "most incidents have links: {lists}"
    );
    assert!(precision >= 0.85, "precision@5 {precision:.3}");
}

/// Incidents of one cascade can start in the same minute: naming the other (ordered by id) as
/// an earlier one is allowed, and the link reads "recurrence of" from the later id's page.
#[test]
fn same_minute_recurrence_is_ordered_by_id() {
    let site = Site::empty();
    let doc = |extra: &str| {
        format!("+++\ntitle = \"Queue stalls\"\ndate = 2025-09-19T04:57:00Z\nseverity = \"SEV3\"\nsummary = \"The queue stalled.\"\nservices = [\"etl\"]\n{extra}+++\n## Summary\n\nThe queue stalled.\n")
    };
    site.write("content/a-first.md", &doc(""));
    site.write(
        "content/b-second.md",
        &doc("recurrence_of = [\"a-first\"]\n"),
    );
    let built = site.build_ok(&[]);
    let pms = postmortems(&built);
    let b = pms.iter().find(|p| p["id"] == "b-second").unwrap();
    assert_eq!(b["similar"][0]["id"], "a-first");
    assert_eq!(b["similar"][0]["recurrence"], true);
    let page = built.text("postmortems/b-second/index.html");
    assert!(
        page.contains("Recurrence of</span>"),
        "the earlier one by id"
    );
    // The other way round is still an error.
    site.write(
        "content/a-first.md",
        &doc("recurrence_of = [\"b-second\"]\n"),
    );
    site.write("content/b-second.md", &doc(""));
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("schema/recurrence-order"));
}
