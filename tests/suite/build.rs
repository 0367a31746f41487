//! Building the example archive: pages, taxonomies, feeds, JSON, links, determinism.

use std::collections::BTreeMap;

use crate::harness::{pmarchive, repo, Built, Site};

/// (id, text) of every example postmortem.
fn example_sources() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(repo().join("content")) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "md") {
            let id = e.path().file_stem().unwrap().to_string_lossy().into_owned();
            out.insert(id, std::fs::read_to_string(e.path()).unwrap());
        }
    }
    out
}

fn hidden(text: &str) -> bool {
    text.contains("status = \"draft\"") || text.contains("visibility = \"restricted\"")
}

fn example() -> Built {
    Site::example().build_ok(&[])
}

#[test]
fn example_archive_has_a_page_per_published_postmortem() {
    let built = example();
    let sources = example_sources();
    assert!(
        sources.len() >= 12,
        "the example archive needs at least 12 postmortems"
    );
    for (id, text) in &sources {
        let page = format!("postmortems/{id}/index.html");
        assert_eq!(built.has(&page), !hidden(text), "{page}");
    }
    for page in [
        "index.html",
        "postmortems/index.html",
        "factors/index.html",
        "services/index.html",
        "teams/index.html",
        "years/index.html",
        "severities/index.html",
        "tags/index.html",
        "atom.xml",
        "api/postmortems.json",
        "404.html",
        "static/style.css",
        "static/syntax.css",
    ] {
        assert!(built.has(page), "{page} missing");
    }
    let home = built.text("index.html");
    assert!(home.contains("config-change") || home.contains("Configuration change"));
}

#[test]
fn restricted_and_draft_postmortems_reach_no_output() {
    let built = example();
    for marker in ["ZEBRAFISH", "KUMQUAT"] {
        assert_eq!(
            built.containing(marker),
            Vec::<String>::new(),
            "{marker} leaked"
        );
    }
    for (id, text) in example_sources() {
        if hidden(&text) {
            assert_eq!(built.containing(&id), Vec::<String>::new(), "{id} leaked");
        }
    }
    // Counts exclude them too: the JSON lists exactly the published ones.
    let json: serde_json::Value =
        serde_json::from_str(&built.text("api/postmortems.json")).unwrap();
    let published = example_sources().values().filter(|t| !hidden(t)).count();
    assert_eq!(json.as_array().unwrap().len(), published);
}

#[test]
fn drafts_appear_with_the_flag_but_restricted_never_does() {
    let built = Site::example().build_ok(&["--drafts"]);
    assert!(!built.containing("KUMQUAT").is_empty());
    assert!(built.containing("ZEBRAFISH").is_empty());
}

#[test]
fn no_internal_link_is_broken() {
    let built = example();
    let broken = built.broken_links();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn links_stay_relative_with_a_base_url() {
    let built = Site::example().build_ok(&["--base-url", "https://wiki.example.com/pm/"]);
    assert!(built.broken_links().is_empty());
    let feed = built.text("atom.xml");
    assert!(feed.contains("https://wiki.example.com/pm/postmortems/"));
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::example();
    let a = site.build_ok(&[]);
    let b = site.build_ok(&[]);
    assert_eq!(
        a.files.keys().collect::<Vec<_>>(),
        b.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &a.files {
        assert!(bytes == &b.files[path], "{path} differs between builds");
    }
}

#[test]
fn recurrence_is_shown_both_ways() {
    let built = example();
    let sources = example_sources();
    let mut checked = 0;
    for (id, text) in &sources {
        if hidden(text) {
            continue;
        }
        let fm: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
        let Some(targets) = fm.get("recurrence_of").and_then(|v| v.as_array()) else {
            continue;
        };
        for t in targets {
            let t = t.as_str().unwrap();
            if hidden(&sources[t]) {
                continue;
            }
            let later = built.text(&format!("postmortems/{id}/index.html"));
            assert!(
                later.contains(&format!("postmortems/{t}/")),
                "{id} does not link {t}"
            );
            assert!(later.to_lowercase().contains("recurrence of"));
            let earlier = built.text(&format!("postmortems/{t}/index.html"));
            assert!(
                earlier.contains(&format!("postmortems/{id}/")),
                "{t} does not link back to {id}"
            );
            assert!(earlier.to_lowercase().contains("recurred in"));
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "the example archive needs recurrences ({checked})"
    );
}

#[test]
fn factor_pages_fold_aliases_and_show_trends() {
    let built = example();
    assert!(built.has("factors/config-change/index.html"));
    assert!(
        !built.has("factors/bad-config/index.html"),
        "alias not folded"
    );
    assert!(
        !built.has("factors/cert-expiry/index.html"),
        "alias not folded"
    );
    let page = built.text("factors/config-change/index.html");
    assert!(
        page.contains("Configuration change"),
        "title from the vocabulary"
    );
    assert!(built.has("factors/config-change/atom.xml"));
    let index = built.text("factors/index.html");
    assert!(index.contains("factors/config-change/"));
}

#[test]
fn feeds_are_well_formed_atom() {
    let built = example();
    for (path, bytes) in &built.files {
        if path.ends_with("atom.xml") {
            let text = std::str::from_utf8(bytes).unwrap();
            let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "feed", "{path}");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://www.w3.org/2005/Atom")
            );
            let entries = root.children().filter(|n| n.has_tag_name("entry")).count();
            assert!(entries > 0, "{path} has no entries");
        }
    }
}

#[test]
fn api_json_has_the_documented_fields() {
    let built = example();
    let json: serde_json::Value =
        serde_json::from_str(&built.text("api/postmortems.json")).unwrap();
    let items = json.as_array().unwrap();
    for item in items {
        for key in [
            "id",
            "url",
            "title",
            "date",
            "severity",
            "services",
            "teams",
            "contributing_factors",
            "tags",
            "summary",
            "recurrence_of",
            "time_to_detect_minutes",
            "time_to_mitigate_minutes",
            "time_to_resolve_minutes",
            "duration_minutes",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {}", item["id"]);
        }
        let url = item["url"].as_str().unwrap();
        assert!(built.has(&format!("{url}index.html")), "{url}");
    }
    // Newest first.
    let dates: Vec<&str> = items.iter().filter_map(|i| i["date"].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[test]
fn postmortem_pages_show_metadata_toc_code_and_action_items() {
    let built = example();
    let fraud = built
        .files
        .keys()
        .find(|p| p.starts_with("postmortems/2025-02-03-") && p.ends_with("index.html"))
        .expect("the fraud-check postmortem of 2025-02-03")
        .clone();
    let page = built.text(&fraud);
    for needle in [
        "SEV2",
        "Time to detect",
        "Time to mitigate",
        "Time to resolve",
        "canary-too-short",
        "<nav",
    ] {
        assert!(page.contains(needle), "{fraud} lacks {needle}");
    }
    assert!(page.contains("id=\"timeline\""), "heading anchors");
    assert!(page.contains("href=\"#timeline\""), "table of contents");
    let all = built.containing("class=\"hl-");
    assert!(
        all.iter().any(|p| p.starts_with("postmortems/")),
        "no highlighted code"
    );
    let overdue = built.containing("overdue");
    assert!(
        overdue.iter().any(|p| p.starts_with("postmortems/")),
        "no overdue action item"
    );
}

#[test]
fn site_theme_overrides_the_default_file_by_file() {
    let site = Site::example();
    site.write("theme/templates/404.html", "custom not found page");
    site.write("theme/static/extra.css", "body{}");
    let built = site.build_ok(&[]);
    assert_eq!(built.text("404.html"), "custom not found page");
    assert!(built.has("static/extra.css"));
    assert!(
        built.has("static/style.css"),
        "other theme files still come from the default"
    );
}

#[test]
fn every_subcommand_has_help() {
    let out = pmarchive(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("build"));
    let out = pmarchive(&["build", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--root",
        "--output",
        "--config",
        "--base-url",
        "--drafts",
        "--today",
        "--verbose",
    ] {
        assert!(text.contains(flag), "build --help lacks {flag}");
    }
}

#[test]
fn build_prints_a_summary_and_phase_timings() {
    let site = Site::example();
    let root = site.root().to_str().unwrap();
    let out = pmarchive(&[
        "build",
        "--root",
        root,
        "--verbose",
        "--today",
        "2025-11-30",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Built ") && err.contains("pages"), "{err}");
    assert!(err.contains("render"), "{err}");
}

/// Listing rows and register rows are rendered once with a mark where the page's `root` goes, and
/// pasted into pages of every depth. A postmortem whose own text holds the mark is rendered
/// page by page instead: its text shows as written and every link resolves from every page.
#[test]
fn pasted_listing_and_register_rows_link_from_every_depth_even_when_text_holds_the_mark() {
    const MARK: &str = "\u{FDD0}root\u{FDD1}";
    let doc = |slug: &str, title: &str, action: &str| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = 2025-03-0{n}T10:00:00Z\nseverity = \"SEV2\"\n\
             summary = \"Checkout failed.\"\nservices = [\"web\"]\nteams = [\"payments\"]\n\
             contributing_factors = [\"bad-deploy\"]\n\n[[action_items]]\nid = \"AI-1\"\n\
             title = \"{action}\"\nowner = \"payments\"\ndue = 2025-04-01\nstatus = \"open\"\n\
             kind = \"prevent\"\npriority = \"P1\"\n+++\n\n## Summary\n\n{slug}.\n",
            n = if slug == "plain" { 1 } else { 2 },
        )
    };
    let site = Site::empty();
    site.write(
        "content/2025/2025-03-01-plain.md",
        &doc("plain", "Plain outage", "Add a canary stage"),
    );
    site.write(
        "content/2025/2025-03-02-marked.md",
        &doc(
            "marked",
            &format!("Outage {MARK} title"),
            &format!("Fix {MARK} now"),
        ),
    );
    let built = site.build_ok(&[]);
    let broken = built.broken_links();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    for (page, root) in [
        ("services/web/index.html", "../../"),
        ("years/2025/index.html", "../../"),
        ("factors/bad-deploy/index.html", "../../"),
    ] {
        let html = built.text(page);
        for id in ["2025-03-01-plain", "2025-03-02-marked"] {
            let link = format!("href=\"{root}postmortems/{id}/\"");
            assert!(html.contains(&link), "{page} lacks {link}");
        }
    }
    for (page, root) in [("actions/index.html", "../")] {
        let html = built.text(page);
        assert!(html.contains(&format!("Fix {MARK} now")), "{page}");
        for id in ["2025-03-01-plain", "2025-03-02-marked"] {
            let link = format!("href=\"{root}postmortems/{id}/\"");
            assert!(html.contains(&link), "{page} lacks {link}");
        }
    }
    let listing = built.text("years/2025/index.html");
    assert!(listing.contains(&format!("Outage {MARK} title")));
    // Where the root goes, only the page's root: the mark itself never stands in for it.
    assert_eq!(listing.matches(MARK).count(), 1, "{listing}");
}

#[test]
fn a_theme_whose_listing_and_register_rows_depend_on_the_root_gets_them_right_on_every_page() {
    // Listing rows and register rows are rendered once and pasted into every page with its root put
    // back; a theme that tests or transforms `root` cannot be pasted so, and must still get
    // each page's own value.
    let site = Site::example();
    site.write(
        "theme/templates/row.html",
        "{% if root == \"\" %}<tr class=\"card-top\"><td>{{ pm.title }}</td></tr>{% else %}\
         <tr class=\"card-depth\" data-depth=\"{{ root | length }}\"><td>{{ pm.title }}</td></tr>{% endif %}",
    );
    site.write(
        "theme/templates/action-row.html",
        "<tr><td class=\"row-depth\" data-depth=\"{{ root | length }}\">{{ a.title }}</td></tr>",
    );
    let built = site.build_ok(&[]);
    let depths = |page: &str, class: &str| -> Vec<String> {
        let html = built.text(page);
        html.split(&format!("class=\"{class}\" data-depth=\""))
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect()
    };
    let mut checked = 0;
    let mut pages = built.containing("class=\"card-top\"");
    pages.extend(built.containing("class=\"card-depth\""));
    pages.sort();
    pages.dedup();
    for page in pages {
        let depth = 3 * page.matches('/').count();
        let found = depths(&page, "card-depth");
        if depth == 0 {
            assert!(found.is_empty(), "{page}: {found:?}");
            assert!(built.text(&page).contains("class=\"card-top\""), "{page}");
        } else {
            assert!(!found.is_empty(), "{page}");
            assert!(
                found.iter().all(|d| *d == depth.to_string()),
                "{page}: {found:?}"
            );
            assert!(!built.text(&page).contains("card-top"), "{page}");
        }
        checked += 1;
    }
    assert!(checked > 10, "{checked} pages with listing rows");
    let mut rows = 0;
    for page in built.containing("class=\"row-depth\"") {
        let depth = (3 * page.matches('/').count()).to_string();
        let found = depths(&page, "row-depth");
        assert!(found.iter().all(|d| *d == depth), "{page}: {found:?}");
        rows += 1;
    }
    assert!(rows >= 1, "{rows} pages with action rows");
}
