//! Nothing restricted or draft leaks (issue #8). Marker words are planted in every front-matter
//! field and every part of the body of restricted and draft postmortems; every byte of the
//! output is searched for them, gzip files decompressed and the search index's prefix-coded
//! word lists decoded. The same markers must be found in the builds that may show them (the
//! restricted archive, `--drafts`), so the search is known to see each place a marker can land.
//! And the strongest check: the site built with the hidden postmortems is byte-identical to the
//! site built without them, so no count, link, reason, chart or index statistic moved.

use std::io::Read;
use std::path::Path;

use crate::harness::{Built, Site};

const CONFIG: &str = r#"title = "Leak test"
undated = "list"
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]

[links]
ticket = "https://tracker.example.com/browse/{ticket}"

[factors.themes.dns]
title = "DNS"
description = "DNS records."
"#;

/// Markers rendered somewhere when their postmortem is built (`{p}` is the prefix).
const SHOWN: &[&str] = &[
    "{p}idx",
    "{p}titlex",
    "{p}summaryx",
    "{p}servicex",
    "{p}teamx",
    "{p}authorx",
    "{p}factorx",
    "{p}tagx",
    "{p}sourcex",
    "{p}impactx",
    "{p}aiidx",
    "{p}aititlex",
    "{p}aiownerx",
    "{p}ticketx",
    "{p}trackerurlx",
    "{p}preamblex",
    "{p}secsummaryx",
    "{p}timelinex",
    "{p}secimpactx",
    "{p}rootcausex",
    "{p}wellx",
    "{p}poorlyx",
    "{p}lessonsx",
    "{p}secactionsx",
    "{p}headingx",
    "{p}customx",
    "{p}codex",
    "{p}linkurlx",
    "{p}linktextx",
    "{p}htmlx",
    "{p}altx",
    "{p}footnotex",
    "{p}tablex",
    "{p}nestedx",
    // A file beside the postmortem (its name and its bytes), copied next to its page.
    "{p}graphx",
    "{p}filebytesx",
];

/// Markers in places pmarchive never renders (only ever searched for).
const NEVER_SHOWN: &[&str] = &["{p}unknownfieldx", "{p}unknownvaluex"];

fn markers(prefix: &str, list: &[&str]) -> Vec<String> {
    list.iter().map(|m| m.replace("{p}", prefix)).collect()
}

/// A postmortem with a marker in every field and every section. `refs` are extra front-matter
/// lines (links to other postmortems).
fn doc(p: &str, date: Option<&str>, status: &str, visibility: &str, refs: &str) -> String {
    let day = date.unwrap_or("2025-03-01");
    let date = date
        .map(|d| format!("date = {d}T10:00:00Z\n"))
        .unwrap_or_default();
    format!(
        r#"+++
title = "Checkout DNS failure {p}titlex"
{date}severity = "SEV2"
status = "{status}"
visibility = "{visibility}"
summary = "Checkout lost DNS resolution {p}summaryx and payments failed."
services = ["checkout", "{p}servicex"]
teams = ["payments", "{p}teamx"]
authors = ["{p}authorx"]
contributing_factors = ["dns", "{p}factorx"]
tags = ["deploy", "{p}tagx"]
near_miss = true
source_url = "https://{p}sourcex.example.com/report"
{p}unknownfieldx = "{p}unknownvaluex"
{refs}
[timing]
detected = {day}T10:05:00Z
mitigated = {day}T10:30:00Z
resolved = {day}T11:00:00Z
published = {day}

[impact]
users_affected = 1234
{p}impactx = 7

[[action_items]]
id = "{p}aiidx"
title = "Add a resolver health check {p}aititlex"
owner = "{p}aiownerx"
due = 2025-03-20
status = "open"
kind = "detect"
priority = "P1"
ticket = "{p}ticketx"

[[action_items]]
title = "Link the runbook"
url = "https://wiki.example.com/{p}trackerurlx"
+++

Preamble {p}preamblex.

## Summary

Checkout lost DNS resolution {p}secsummaryx.

## Timeline

- 10:00 UTC: Resolver returns SERVFAIL {p}timelinex.
- 10:05 UTC: Alert detects checkout errors.
  - {p}nestedx detail

## Impact

Payments failed {p}secimpactx.

## Root cause and contributing factors

The resolver cache {p}rootcausex expired.

## What went well

Alerting {p}wellx.

## What went poorly

Rollback {p}poorlyx.

## Lessons learned

Caches {p}lessonsx.

## Action items

See the tracker {p}secactionsx.

## Notes {p}headingx

Custom {p}customx, a [link {p}linktextx](https://{p}linkurlx.example.com/) and
![alt {p}altx](https://example.com/i.png) and <span>{p}htmlx</span>[^n], with
![graph]({p}graphx.png) beside it.

| a | b |
| --- | --- |
| {p}tablex | 1 |

```sh
dig checkout.internal # {p}codex
```

[^n]: Footnote {p}footnotex.
"#
    )
}

/// A published postmortem that shares services, factors, teams, tags and words with the hidden
/// ones, so any hidden one counted or linked would change it.
fn public(title: &str, date: &str, refs: &str) -> String {
    format!(
        r#"+++
title = "{title}"
date = {date}T09:00:00Z
severity = "SEV2"
summary = "Checkout lost DNS resolution and payments failed."
services = ["checkout"]
teams = ["payments"]
contributing_factors = ["dns"]
tags = ["deploy"]
{refs}
[timing]
detected = {date}T09:10:00Z
mitigated = {date}T09:40:00Z
published = {date}

[[action_items]]
id = "AI-1"
title = "Add a resolver health check for checkout"
owner = "payments"
due = 2025-12-20
status = "open"
kind = "detect"
priority = "P1"
+++

## Summary

Checkout lost DNS resolution; the resolver returned SERVFAIL and payments failed.

## Timeline

- 09:00 UTC: Resolver returns SERVFAIL.
- 09:10 UTC: Alert detects checkout errors.

## Root cause and contributing factors

The resolver cache expired; see [the earlier one](pm:{R1}#timeline), [the other](restricted-two.md),
[the draft]({D1}.md#summary) and [the restricted draft](pm:{RD}).
"#
    )
}

const R1: &str = "2025-03-01-zqridx";
const R2: &str = "zqrexplicitidx";
const RD: &str = "2025-03-02-zqridx";
const D1: &str = "2025-04-20-zqdidx";

/// The archive. `hidden`: write the restricted and draft postmortems, and the public ones'
/// links to them; otherwise blank those lines (same line numbers) and leave the files out.
fn archive(restricted: bool, drafts: bool) -> Site {
    let site = Site::empty();
    site.write("pmarchive.toml", CONFIG);
    let keep = |line: &str, kept: bool| if kept { line.to_string() } else { "#".into() };
    site.write(
        "content/2024-07-15-dns-outage.md",
        &public("DNS outage in checkout", "2024-07-15", ""),
    );
    site.write(
        "content/2025-01-10-checkout-latency.md",
        &public(
            "Checkout latency after resolver change",
            "2025-01-10",
            &format!(
                "{}\n{}",
                keep(&format!("similar_pinned = [\"{D1}\"]"), drafts),
                keep(&format!("similar_hidden = [\"{R2}\"]"), restricted)
            ),
        ),
    );
    site.write(
        "content/2025-05-05-checkout-dns-again.md",
        &public(
            "Checkout DNS failure again",
            "2025-05-05",
            &keep(&format!("recurrence_of = [\"{R1}\"]"), restricted),
        ),
    );
    if restricted {
        site.write(
            &format!("content/2025/{R1}.md"),
            &doc(
                "zqr",
                Some("2025-03-01"),
                "published",
                "restricted",
                "recurrence_of = [\"2024-07-15-dns-outage\"]\nsimilar_pinned = [\"2025-01-10-checkout-latency\"]",
            ),
        );
        site.write(
            "content/restricted-two.md",
            &doc(
                "zqr",
                None,
                "review",
                "restricted",
                &format!("id = \"{R2}\""),
            ),
        );
        site.write(
            &format!("content/{RD}.md"),
            &doc("zqr", Some("2025-03-02"), "draft", "restricted", ""),
        );
    }
    // The hidden postmortems' files, beside them.
    if restricted {
        site.write("content/2025/zqrgraphx.png", "zqrfilebytesx");
        site.write("content/zqrgraphx.png", "zqrfilebytesx");
    }
    if drafts {
        site.write("content/zqdgraphx.png", "zqdfilebytesx");
        site.write(
            &format!("content/{D1}.md"),
            &doc(
                "zqd",
                Some("2025-04-20"),
                "draft",
                "internal",
                "similar_pinned = [\"2024-07-15-dns-outage\"]",
            ),
        );
    }
    site
}

/// Every file of a built site as lowercase text: its path, its bytes, gzip files decompressed
/// (every member: `search/passages.bin` has one per postmortem), and the search index's
/// prefix-coded surface forms and vocabulary decoded into whole words.
fn haystack(dir: &Path) -> Vec<(String, String)> {
    let built = Built::read(dir);
    let mut out = Vec::new();
    for (path, bytes) in &built.files {
        let mut text = format!("{path}\n");
        text.push_str(&String::from_utf8_lossy(bytes));
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut raw = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut raw)
                .unwrap_or_else(|e| panic!("{path}: not gzip: {e}"));
            text.push('\n');
            text.push_str(&String::from_utf8_lossy(&raw));
            if path.starts_with("search/s/") || path.starts_with("search/v/") {
                for word in prefix_coded_words(&raw, path.starts_with("search/s/")) {
                    text.push('\n');
                    text.push_str(&word);
                }
            }
        }
        out.push((path.clone(), text.to_lowercase()));
    }
    out
}

fn varint(b: &[u8], i: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let byte = b[*i];
        *i += 1;
        v |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// The words of a surface-form chunk (`src/search/export.rs`: `varint n; n x { varint
/// shared_prefix; varint len; suffix; varint len; term }`) or, not `surface`, of a vocabulary
/// file (`... suffix; varint df }`).
fn prefix_coded_words(b: &[u8], surface: bool) -> Vec<String> {
    let mut i = 0;
    let n = varint(b, &mut i);
    let mut prev: Vec<u8> = Vec::new();
    let mut words = Vec::with_capacity(n);
    for _ in 0..n {
        let shared = varint(b, &mut i);
        let len = varint(b, &mut i);
        let mut word = prev[..shared].to_vec();
        word.extend_from_slice(&b[i..i + len]);
        i += len;
        let tail = varint(b, &mut i);
        if surface {
            i += tail;
        }
        words.push(String::from_utf8_lossy(&word).into_owned());
        prev = word;
    }
    words
}

/// The files containing `marker`.
fn found(hay: &[(String, String)], marker: &str) -> Vec<String> {
    hay.iter()
        .filter(|(_, t)| t.contains(marker))
        .map(|(p, _)| p.clone())
        .collect()
}

fn assert_absent(hay: &[(String, String)], markers: &[String], build: &str) {
    let leaks: Vec<String> = markers
        .iter()
        .filter_map(|m| {
            let files = found(hay, m);
            (!files.is_empty()).then(|| format!("{m} in {files:?}"))
        })
        .collect();
    assert!(leaks.is_empty(), "{build} leaks:\n{}", leaks.join("\n"));
}

fn assert_present(hay: &[(String, String)], markers: &[String], build: &str) {
    let missing: Vec<&String> = markers
        .iter()
        .filter(|m| found(hay, m).is_empty())
        .collect();
    assert!(
        missing.is_empty(),
        "{build} should show (the leak search would miss them otherwise): {missing:?}"
    );
}

const BASE: &str = "https://pm.example.com/";

fn all_markers(prefix: &str) -> Vec<String> {
    let mut m = markers(prefix, SHOWN);
    m.extend(markers(prefix, NEVER_SHOWN));
    m
}

#[test]
fn restricted_and_draft_postmortems_reach_no_byte_of_the_output() {
    let site = archive(true, true);
    let public = site.root().join("public");
    // With a base URL, so the sitemap and canonical links are searched too.
    site.build_ok(&["--base-url", BASE]);
    assert!(public.join("sitemap.xml").is_file());
    let hay = haystack(&public);
    assert_absent(&hay, &all_markers("zqr"), "the site");
    assert_absent(&hay, &all_markers("zqd"), "the site");
    for id in [R1, R2, RD, D1] {
        assert!(found(&hay, id).is_empty(), "{id} leaked");
    }

    // With drafts: the draft's markers appear (so the search sees every place), restricted never.
    let drafts = site.root().join("with-drafts");
    site.build_into(&drafts, &["--drafts", "--base-url", BASE]);
    let hay = haystack(&drafts);
    assert_present(&hay, &markers("zqd", SHOWN), "--drafts");
    assert_absent(&hay, &markers("zqd", NEVER_SHOWN), "--drafts");
    assert_absent(&hay, &all_markers("zqr"), "--drafts");

    // The restricted archive shows every restricted marker, and no draft without --drafts.
    let restricted = site.root().join("restricted");
    site.build_into(&restricted, &["--include-restricted", "--base-url", BASE]);
    let hay = haystack(&restricted);
    assert_present(&hay, &markers("zqr", SHOWN), "the restricted archive");
    assert_present(
        &hay,
        &[R1.to_string(), R2.to_string()],
        "the restricted archive",
    );
    assert!(
        found(&hay, RD).is_empty(),
        "a restricted draft without --drafts"
    );
    assert_absent(&hay, &all_markers("zqd"), "the restricted archive");
    assert_absent(&hay, &markers("zqr", NEVER_SHOWN), "the restricted archive");
}

/// Compares two built folders file by file.
fn assert_same_site(a: &Path, b: &Path, what: &str) {
    let (a, b) = (Built::read(a), Built::read(b));
    let only_a: Vec<&String> = a.files.keys().filter(|k| !b.has(k)).collect();
    let only_b: Vec<&String> = b.files.keys().filter(|k| !a.has(k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: files only with the hidden postmortems {only_a:?}, only without {only_b:?}"
    );
    let differ: Vec<&String> = a
        .files
        .iter()
        .filter(|(k, v)| b.files[*k] != **v)
        .map(|(k, _)| k)
        .collect();
    assert!(
        differ.is_empty(),
        "{what}: these files change when hidden postmortems are added (a count, link or statistic leaks): {differ:?}"
    );
}

#[test]
fn hidden_postmortems_change_no_count_link_or_statistic() {
    // Published only: with and without every hidden postmortem (and the links to them).
    let with = archive(true, true);
    let without = archive(false, false);
    let built = with.build_ok(&["--base-url", BASE]);
    without.build_ok(&["--base-url", BASE]);
    assert_same_site(
        &with.root().join("public"),
        &without.root().join("public"),
        "the site",
    );
    // The published ones are all there, and counted alone.
    let insights: serde_json::Value =
        serde_json::from_str(&built.text("api/insights.json")).unwrap();
    assert_eq!(insights["overall"]["postmortems"], 3);
    let json: serde_json::Value =
        serde_json::from_str(&built.text("api/postmortems.json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // Every table of postmortems, and the panels of service and team pages, hold the published
    // ones alone (the hidden ones share their service, team, factor and tag).
    for page in [
        "index.html",
        "postmortems/index.html",
        "services/checkout/index.html",
        "teams/payments/index.html",
        "factors/dns/index.html",
        "tags/deploy/index.html",
        "severities/sev2/index.html",
    ] {
        let (_, rows) = crate::listings::pm_table(&built.text(page));
        assert_eq!(rows.len(), 3, "{page}: {rows:?}");
    }
    for page in ["services/checkout/index.html", "teams/payments/index.html"] {
        let html = built.text(page);
        assert!(html.contains("<p>3 open."), "{page}");
        assert!(html.contains("<span class=\"bar-value\">"), "{page}");
    }

    // With --drafts: restricted ones still change nothing.
    let drafts_only = archive(false, true);
    with.build_ok(&["--drafts"]);
    drafts_only.build_ok(&["--drafts"]);
    assert_same_site(
        &with.root().join("public"),
        &drafts_only.root().join("public"),
        "the site with --drafts",
    );
}

#[test]
fn the_restricted_archive_is_marked_and_never_written_over_the_public_site() {
    let site = archive(true, false);
    let built = site.build_ok(&[]);
    assert!(!built.has(".pmarchive-restricted"));
    assert!(built
        .containing("data-testid=\"restricted-banner\"")
        .is_empty());
    let public = site.root().join("public");

    // Without --output, over the public site, inside it: refused, the public site untouched.
    let out = site.build(&["--include-restricted"]);
    assert_eq!(out.status.code(), Some(2), "needs --output");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"));
    for target in [public.clone(), public.join("restricted")] {
        let out = site.build(&["--include-restricted", "--output", target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", target.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("public site"), "{err}");
    }
    // A public site elsewhere (not the default folder) is recognised by its marker.
    let elsewhere = site.root().join("www");
    site.build_into(&elsewhere, &[]);
    let out = site.build(&[
        "--include-restricted",
        "--output",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(Built::read(&public).files, built.files);
    assert!(haystack(&elsewhere)
        .iter()
        .all(|(_, t)| !t.contains("zqrtitlex")));

    // Its own folder: built, marked, bannered; a public build will not replace it.
    let restricted = site.root().join("restricted");
    let r = site.build_into(&restricted, &["--include-restricted"]);
    assert!(r.has(".pmarchive-restricted") && r.has(".pmarchive-output"));
    let page = r.text(&format!("postmortems/{R1}/index.html"));
    assert!(page.contains("data-testid=\"restricted-banner\""));
    assert!(page.contains("marker-restricted"));
    let json: serde_json::Value = serde_json::from_str(&r.text("api/postmortems.json")).unwrap();
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["visibility"] == "restricted"));
    let out = site.build(&["--output", restricted.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("restricted archive"));
    // Rebuilding the restricted archive in place is fine.
    site.build_into(&restricted, &["--include-restricted"]);
}

#[test]
fn with_a_sentence_embedding_model_nothing_hidden_is_embedded_or_shown() {
    let site = archive(true, true);
    crate::semantic::tiny_model(&site.root().join("model"), 3);
    site.write(
        "pmarchive.toml",
        &format!("{CONFIG}\n[similar]\nmodel = \"model\"\nmin_score = 0.0\n"),
    );
    let out = site.build(&["--verbose", "--base-url", BASE]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let public = site.root().join("public");
    let hay = haystack(&public);
    assert_absent(&hay, &all_markers("zqr"), "the site with a model");
    assert_absent(&hay, &all_markers("zqd"), "the site with a model");
    // Only the published postmortems were embedded, and the cache is not in the output.
    let published = Built::read(&public);
    let count = serde_json::from_str::<serde_json::Value>(&published.text("api/postmortems.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert!(
        stderr.contains(&format!("embedded {count} postmortems (0 from the cache)")),
        "{stderr}"
    );
    assert!(site
        .root()
        .join(".pmarchive-cache/embeddings.bin")
        .is_file());
    assert!(published
        .files
        .keys()
        .all(|f| !f.contains("pmarchive-cache")));
}
