//! Files beside postmortems (images, PDFs, logs; page bundles) copied next to their pages, and
//! links between postmortems (by file, by `pm:ID`, with anchors) resolved to page URLs, with
//! located diagnostics for what does not resolve.

use std::time::{Duration, Instant};

use crate::harness::{pmarchive, Built, Site};

fn doc(title: &str, date: &str, extra: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV2\"\nsummary = \"s\"\nservices = [\"checkout\"]\n{extra}+++\n{body}"
    )
}

fn check_json(site: &Site, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let root = site.root().to_str().unwrap().to_string();
    let mut args = vec!["check", "--root", &root, "--format", "json"];
    args.extend_from_slice(extra);
    let out = pmarchive(&args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json.as_array().unwrap().clone())
}

/// (rule, file, line, column, message) of the findings of `rule_prefix`.
fn findings(
    diags: &[serde_json::Value],
    rule_prefix: &str,
) -> Vec<(String, String, u64, u64, String)> {
    diags
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with(rule_prefix))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A bundle, a flat postmortem with a file beside it, a shared file, and files nobody
/// references.
fn archive() -> Site {
    let site = Site::empty();
    site.write(
        "content/2025/checkout-outage/index.md",
        &doc(
            "Checkout outage",
            "2025-02-03",
            "",
            "## Summary\n\n![p99](p99.png) and [the log](logs/error%20log.txt), a [map](../../shared/map.png \"Map\").\n",
        ),
    );
    site.write("content/2025/checkout-outage/p99.png", "P99 PNG BYTES");
    site.write(
        "content/2025/checkout-outage/logs/error log.txt",
        "ERROR LOG BYTES",
    );
    site.write("content/2025/checkout-outage/unused.txt", "UNUSED BYTES");
    site.write("content/shared/map.png", "MAP BYTES");
    site.write(
        "content/2024/db.md",
        &doc(
            "DB failover",
            "2024-05-01",
            "",
            "## Timeline\n\n- 10:00 UTC: failover\n\n![graph](db-graph.png) before [the outage](pm:checkout-outage#summary)\n",
        ),
    );
    site.write("content/2024/db-graph.png", "DB GRAPH BYTES");
    site.write("content/notes.pdf", "LONELY PDF BYTES");
    site
}

#[test]
fn files_beside_postmortems_are_copied_next_to_their_pages() {
    let site = archive();
    let built = site.build_ok(&[]);
    let copied = |path: &str, bytes: &str| {
        assert_eq!(
            built
                .files
                .get(path)
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            Some(bytes.to_string()),
            "{path}"
        );
    };
    // A page bundle's id is its folder's name; its files sit beside its page.
    copied("postmortems/checkout-outage/p99.png", "P99 PNG BYTES");
    copied(
        "postmortems/checkout-outage/logs/error log.txt",
        "ERROR LOG BYTES",
    );
    // Outside the postmortem's folder (still in content/): under `files/`, the URL rewritten.
    copied(
        "postmortems/checkout-outage/files/content/shared/map.png",
        "MAP BYTES",
    );
    copied("postmortems/db/db-graph.png", "DB GRAPH BYTES");
    let page = built.text("postmortems/checkout-outage/index.html");
    assert!(
        page.contains("<img src=\"p99.png\" alt=\"p99\" />"),
        "{page}"
    );
    assert!(page.contains("href=\"logs/error%20log.txt\""), "{page}");
    assert!(
        page.contains("href=\"files/content/shared/map.png\" title=\"Map\""),
        "{page}"
    );
    // Files no published postmortem refers to are not copied.
    assert!(built.containing("UNUSED BYTES").is_empty());
    assert!(built.containing("LONELY PDF BYTES").is_empty());
    // Every reference resolves (the link checker decodes nothing: test the encoded one apart).
    let broken: Vec<String> = built
        .broken_links()
        .into_iter()
        .filter(|b| !b.contains("error%20log"))
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    assert!(findings(&check_json(&site, &[]).1, "links/").is_empty());

    // Deterministic: a second build is byte-identical.
    let again = site.build_ok(&[]);
    assert!(built.files == again.files);
}

#[test]
fn missing_and_outside_files_are_located_diagnostics_and_never_copied() {
    let site = Site::empty();
    site.write("secret.txt", "ROOT SECRET");
    site.write(
        "content/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "## Summary\n\nText ![gone](gone.png) and\n  [pw](../../../etc/passwd) [root](../secret.txt) [hidden](.env)\n",
        ),
    );
    site.write("content/.env", "HIDDEN SECRET");
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0, "warnings by default: {diags:?}");
    let found = findings(&diags, "links/");
    let at: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|(r, _, l, c, _)| (r.as_str(), *l, *c))
        .collect();
    assert_eq!(
        at,
        [
            ("links/missing-file", 10, 6),
            ("links/outside", 11, 3),
            ("links/outside", 11, 29),
            ("links/missing-file", 11, 51),
        ],
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.1 == "content/a.md"));
    assert!(found[0].4.contains("`gone.png`") && found[0].4.contains("does not exist"));
    assert!(found[3].4.contains("hidden"));
    let built = site.build_ok(&[]);
    for secret in ["ROOT SECRET", "HIDDEN SECRET", "root:x:0"] {
        assert!(built.containing(secret).is_empty(), "{secret}");
    }
    assert_eq!(
        built
            .files
            .keys()
            .filter(|k| k.starts_with("postmortems/a/"))
            .collect::<Vec<_>>(),
        ["postmortems/a/index.html"]
    );

    // Levels as any rule: an error fails the build, off is silent.
    site.write(
        "pmarchive.toml",
        "[check.rules]\n\"links/missing-file\" = \"error\"\n\"links/outside\" = \"off\"\n",
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&diags, "links/")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(rules, ["links/missing-file", "links/missing-file"]);
    assert!(!site.build(&[]).status.success());
}

#[test]
fn a_large_file_is_copied_by_streaming() {
    let site = Site::empty();
    site.write(
        "content/big/index.md",
        &doc("Big", "2025-01-01", "", "A [heap dump](heap.bin).\n"),
    );
    let big = site.root().join("content/big/heap.bin");
    let size: u64 = 256 << 20;
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::File::create(&big).unwrap();
        f.write_all(b"HEAD").unwrap();
        f.seek(SeekFrom::Start(size - 4)).unwrap();
        f.write_all(b"TAIL").unwrap();
    }
    let root = site.root().to_str().unwrap();
    // The build's own peak memory, measured by a small parent (python3, which the tests need
    // anyway): a child spawned straight from this test process starts in its address space, so
    // its peak would include the whole test harness's (every test running beside this one).
    const MEASURE: &str = "import resource, subprocess, sys\n\
        code = subprocess.run(sys.argv[1:]).returncode\n\
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
        sys.exit(code)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", MEASURE, env!("CARGO_BIN_EXE_pmarchive")])
        .args(["build", "--root", root, "--quiet"])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peak_kb: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let copy = site.root().join("public/postmortems/big/heap.bin");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);
    let bytes = std::fs::read(&copy).unwrap();
    assert!(bytes.starts_with(b"HEAD") && bytes.ends_with(b"TAIL"));
    let peak_mb = peak_kb / 1024;
    assert!(
        peak_mb < 200,
        "peak memory {peak_mb} MB for a 256 MB file: it was read into memory"
    );
}

#[test]
fn links_between_postmortems_become_page_urls_or_located_diagnostics() {
    let site = Site::empty();
    site.write(
        "content/2024/db.md",
        &doc(
            "DB failover",
            "2024-05-01",
            "",
            "## Timeline\n\n- 10:00 UTC: failover\n\n## Root cause\n\nDisk.\n",
        ),
    );
    site.write(
        "content/2024/secret.md",
        &doc(
            "Zqsecrettitle",
            "2024-05-02",
            "visibility = \"restricted\"\n",
            "## Timeline\n\nx\n",
        ),
    );
    site.write(
        "content/2024/draft.md",
        &doc("Zqdrafttitle", "2024-05-03", "status = \"draft\"\n", "x\n"),
    );
    site.write(
        "content/2025/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "See [the DB incident](../2024/db.md), [its timeline](../2024/db.md#timeline),\n[by id](pm:db#root-cause \"DB\") and [web](https://example.com/x.md).\n[gone](pm:nothere) [no heading](pm:db#nope) [secret](../2024/secret.md) [draft](pm:draft)\n",
        ),
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0);
    let found = findings(&diags, "links/");
    let at: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|(r, _, l, c, _)| (r.as_str(), *l, *c))
        .collect();
    assert_eq!(
        at,
        [
            ("links/broken", 10, 1),
            ("links/broken", 10, 20),
            ("links/broken", 10, 45),
            ("links/broken", 10, 73),
        ],
        "{found:?}"
    );
    // Nothing of a postmortem the page's readers may not read is named.
    for f in &found {
        assert!(!f.4.contains("Zqsecrettitle") && !f.4.contains("Zqdrafttitle"));
    }
    assert!(found[1].4.contains("#nope"));
    assert!(found[2].4.contains("not published"));

    let built = site.build_ok(&[]);
    let page = built.text("postmortems/a/index.html");
    for link in [
        "<a href=\"../db/\">the DB incident</a>",
        "<a href=\"../db/#timeline\">its timeline</a>",
        "<a href=\"../db/#root-cause\" title=\"DB\">by id</a>",
        "<a href=\"https://example.com/x.md\">web</a>",
        // A missing heading: the page itself.
        "<a href=\"../db/\">no heading</a>",
        // No page: the text alone, no URL.
        "<span class=\"link-broken\">gone</span>",
        "<span class=\"link-broken\">secret</span>",
        "<span class=\"link-broken\">draft</span>",
    ] {
        assert!(page.contains(link), "{link} in {page}");
    }
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
    assert!(built.containing("Zqsecrettitle").is_empty());
    assert!(built.containing("#pmarchive link").is_empty());

    // Where the target is published (drafts built), the link resolves.
    let drafts = site.root().join("drafts");
    let with = site.build_into(&drafts, &["--drafts"]);
    assert!(with
        .text("postmortems/a/index.html")
        .contains("<a href=\"../draft/\">draft</a>"));
    let restricted = site.root().join("restricted");
    let all = site.build_into(&restricted, &["--include-restricted"]);
    assert!(all
        .text("postmortems/a/index.html")
        .contains("<a href=\"../secret/\">secret</a>"));
}

#[test]
fn links_survive_the_sanitiser() {
    // Raw HTML makes the body go through the sanitiser, which rewrites every link.
    let site = Site::empty();
    site.write(
        "content/b.md",
        &doc("B", "2024-05-01", "", "## Timeline\n\nx\n"),
    );
    site.write(
        "content/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "<b>raw</b> [b](b.md#timeline) [x](pm:nothere) ![i](i.png)\n",
        ),
    );
    site.write("content/i.png", "I BYTES");
    let built = site.build_ok(&[]);
    let page = built.text("postmortems/a/index.html");
    assert!(page.contains("href=\"../b/#timeline\""), "{page}");
    assert!(
        page.contains("<span class=\"link-broken\">x</span>"),
        "{page}"
    );
    assert!(built.has("postmortems/a/i.png"));
    assert!(built.containing("#pmarchive link").is_empty());
}

#[test]
fn a_symlink_to_the_root_is_one_warning_and_costs_nothing() {
    use std::os::unix::fs::symlink;
    let site = Site::empty();
    site.write(
        "content/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "Through the link: ![p](shared/etc/passwd) [h](shared/etc/hostname)\n",
        ),
    );
    symlink("/", site.root().join("content/shared")).unwrap();
    let started = Instant::now();
    let out = site.build(&[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(out.status.success());
    let built = Built::read(&site.root().join("public"));
    assert!(built.containing("root:x:0").is_empty());
    assert_eq!(
        built
            .files
            .keys()
            .filter(|k| k.starts_with("postmortems/a/"))
            .count(),
        1
    );
    let (_, diags) = check_json(&site, &[]);
    let symlinks: Vec<_> = diags.iter().filter(|d| d["rule"] == "io/symlink").collect();
    assert_eq!(symlinks.len(), 1, "{diags:?}");
    assert_eq!(symlinks[0]["file"], "content/shared");
    assert_eq!(symlinks[0]["line"], 1);
    let outside = findings(&diags, "links/outside");
    assert_eq!(outside.len(), 2, "{diags:?}");
}

#[test]
fn serve_serves_the_copied_files_as_built() {
    let site = archive();
    // Today as `serve` sees it (the pages show the build's date).
    let root = site.root().to_str().unwrap();
    assert!(pmarchive(&["build", "--root", root, "--quiet"])
        .status
        .success());
    let built = Built::read(&site.root().join("public"));
    let server = crate::serve::start(&site, &[]);
    for path in [
        "postmortems/checkout-outage/p99.png",
        "postmortems/checkout-outage/files/content/shared/map.png",
        "postmortems/db/db-graph.png",
    ] {
        let (status, body) = crate::serve::get_bytes(server.port, &format!("/{path}"));
        assert_eq!(status, 200, "{path}");
        assert_eq!(&body, &built.files[path], "{path}");
    }
    let (status, body) = crate::serve::get_bytes(
        server.port,
        "/postmortems/checkout-outage/logs/error%20log.txt",
    );
    assert_eq!((status, body), (200, b"ERROR LOG BYTES".to_vec()));
    // Pages with resolved links are served as built.
    for page in [
        "postmortems/db/index.html",
        "postmortems/checkout-outage/index.html",
    ] {
        let (status, body) = crate::serve::get_bytes(server.port, &format!("/{page}"));
        assert_eq!(status, 200);
        assert!(
            crate::serve::without_reload_client(&body) == built.files[page],
            "{page} differs"
        );
    }
    assert!(built
        .text("postmortems/db/index.html")
        .contains("<a href=\"../checkout-outage/#summary\">the outage</a>"));
    // Not referenced: not served.
    assert_eq!(
        crate::serve::get_bytes(server.port, "/postmortems/checkout-outage/unused.txt").0,
        404
    );
}

#[test]
fn a_hidden_bundles_files_stay_out_of_the_public_site_even_when_linked() {
    let site = Site::empty();
    site.write(
        "content/2024/secret-incident/index.md",
        &doc(
            "Zqsecrettitle",
            "2024-05-02",
            "visibility = \"restricted\"\n",
            "![d](diagram.png)\n",
        ),
    );
    site.write("content/2024/secret-incident/diagram.png", "SECRET DIAGRAM");
    site.write(
        "content/2025/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "Their diagram: ![d](../2024/secret-incident/diagram.png)\n",
        ),
    );
    let (_, diags) = check_json(&site, &[]);
    let found = findings(&diags, "links/");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].0.as_str(),
            found[0].1.as_str(),
            found[0].2,
            found[0].3
        ),
        ("links/broken", "content/2025/a.md", 8, 16)
    );
    assert!(!found[0].4.contains("Zqsecrettitle"));
    let built = site.build_ok(&[]);
    assert!(built.containing("SECRET DIAGRAM").is_empty());
    assert!(built.containing("Zqsecrettitle").is_empty());
    // The restricted archive shows both postmortems: the file is copied for each.
    let restricted = site.root().join("restricted");
    let all = site.build_into(&restricted, &["--include-restricted"]);
    assert_eq!(all.containing("SECRET DIAGRAM").len(), 2);
}

#[test]
fn files_and_links_resolve_with_a_content_folder_beside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("site/pmarchive.toml", "content_dir = \"../pm\"\n");
    write(
        "pm/2025/a.md",
        &doc(
            "A",
            "2025-01-01",
            "",
            "![p](p.png) [b](../b.md#timeline) ![m](../m.png)\n",
        ),
    );
    write("pm/2025/p.png", "P BYTES");
    write("pm/m.png", "M BYTES");
    write(
        "pm/b.md",
        &doc("B", "2024-01-01", "", "## Timeline\n\n[a](pm:a)\n"),
    );
    let root = dir.path().join("site");
    let out = pmarchive(&["build", "--root", root.to_str().unwrap(), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let built = Built::read(&root.join("public"));
    assert_eq!(built.files["postmortems/a/p.png"], b"P BYTES");
    assert_eq!(built.files["postmortems/a/files/__/pm/m.png"], b"M BYTES");
    let page = built.text("postmortems/a/index.html");
    assert!(page.contains("href=\"../b/#timeline\""), "{page}");
    assert!(built
        .text("postmortems/b/index.html")
        .contains("href=\"../a/\""));
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
    let check = pmarchive(&["check", "--root", root.to_str().unwrap()]);
    assert!(
        !String::from_utf8_lossy(&check.stdout).contains("links/"),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
