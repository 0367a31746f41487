//! Hosting: canonical links and absolute feed URLs from `--base-url`, `sitemap.xml`,
//! `robots.txt` and `noindex`, and a not-found page whose links work at any depth.

use crate::harness::{attr_values, Built, Site};
use crate::serve::{get, start};

const BASE: &str = "https://pm.example.com/eng/pm/";

/// Every HTML page of the site but the not-found page, as its absolute URL under `BASE`.
fn page_urls(built: &Built) -> Vec<String> {
    let mut urls: Vec<String> = built
        .files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html" && !p.starts_with("static/"))
        .map(|p| format!("{BASE}{}", p.strip_suffix("index.html").unwrap_or(p)))
        .collect();
    urls.sort();
    urls
}

#[test]
fn a_base_url_gives_canonical_links_absolute_feeds_and_a_sitemap_of_every_page() {
    let site = Site::example();
    let built = site.build_ok(&["--base-url", "https://pm.example.com/eng/pm"]);
    let urls = page_urls(&built);
    assert!(urls.len() > 50, "{}", urls.len());
    for (file, bytes) in &built.files {
        if !file.ends_with(".html") || file.starts_with("static/") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let canonical: Vec<&str> = html
            .lines()
            .filter(|l| l.starts_with("<link rel=\"canonical\""))
            .collect();
        if file == "404.html" {
            assert!(
                canonical.is_empty(),
                "the not-found page has no address of its own"
            );
        } else {
            let want = format!("{BASE}{}", file.strip_suffix("index.html").unwrap());
            assert_eq!(
                canonical,
                [format!("<link rel=\"canonical\" href=\"{want}\">")],
                "{file}"
            );
        }
        assert!(
            html.contains("<meta name=\"robots\" content=\"noindex\">"),
            "{file}"
        );
    }
    let sitemap = built.text("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert_eq!(locs, urls, "the sitemap lists every page, sorted");
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    // Feeds: every link absolute.
    for feed in ["atom.xml", "factors/dns/atom.xml"] {
        let xml = built.text(feed);
        let hrefs = attr_values(&xml, "href");
        assert!(!hrefs.is_empty());
        assert!(
            hrefs.iter().all(|h| h.starts_with(BASE)),
            "{feed}: {hrefs:?}"
        );
    }
    assert_eq!(built.text("robots.txt"), "User-agent: *\nDisallow: /\n");
    // The not-found page links from the base URL's path.
    let not_found = built.text("404.html");
    for link in attr_values(&not_found, "href")
        .into_iter()
        .chain(attr_values(&not_found, "src"))
        .filter(|l| !l.starts_with('#') && !l.starts_with("http"))
    {
        assert!(link.starts_with("/eng/pm/"), "404.html: {link}");
    }
}

#[test]
fn without_a_base_url_there_is_no_sitemap_nor_canonical_link_and_the_summary_says_so() {
    let site = Site::example();
    let root = site.root().to_str().unwrap().to_string();
    let out = crate::harness::pmarchive(&["build", "--root", &root, "--today", "2025-11-30"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let summary = err.lines().last().unwrap();
    assert!(summary.starts_with("Built "), "{summary}");
    assert!(
        summary.contains("no sitemap.xml without --base-url"),
        "{summary}"
    );
    let built = Built::read(&site.root().join("public"));
    assert!(!built.has("sitemap.xml"));
    assert!(built.containing("rel=\"canonical\"").is_empty());
    assert_eq!(built.text("robots.txt"), "User-agent: *\nDisallow: /\n");
    // Without a base URL the not-found page links from `/`.
    let not_found = built.text("404.html");
    assert!(not_found.contains("href=\"/static/style.css\""));
    assert!(not_found.contains("src=\"/static/search-ui.js\""));
}

#[test]
fn robots_are_configurable() {
    let site = Site::example();
    let config = std::fs::read_to_string(site.root().join("pmarchive.toml")).unwrap();
    site.write(
        "pmarchive.toml",
        &format!("{config}\n[site]\nrobots = \"allow\"\n"),
    );
    let built = site.build_ok(&["--base-url", BASE]);
    assert_eq!(
        built.text("robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")
    );
    assert!(
        built.containing("name=\"robots\"").is_empty(),
        "no noindex when allowed"
    );

    site.write(
        "pmarchive.toml",
        &format!("{config}\n[site]\nrobots_txt = \"User-agent: intranet-search\\nAllow: /\"\n"),
    );
    let built = site.build_ok(&[]);
    assert_eq!(
        built.text("robots.txt"),
        "User-agent: intranet-search\nAllow: /\n"
    );
    assert!(!built.containing("content=\"noindex\"").is_empty());

    site.write(
        "pmarchive.toml",
        &format!("{config}\n[site]\nrobots = \"maybe\"\n"),
    );
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_not_found_page_works_at_any_depth_in_serve() {
    let site = Site::example();
    let server = start(&site, &[]);
    let (status, html) = get(server.port, "/postmortems/no/such/page/");
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
    let links: Vec<String> = attr_values(&html, "href")
        .into_iter()
        .chain(attr_values(&html, "src"))
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(links.iter().any(|l| l == "/static/style.css"), "{links:?}");
    assert!(links.iter().any(|l| l == "/"), "the home link: {links:?}");
    for link in &links {
        assert!(
            link.starts_with('/'),
            "relative link on the not-found page: {link}"
        );
        let (status, _) = get(server.port, link);
        assert_eq!(status, 200, "{link}");
    }
}
