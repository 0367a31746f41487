//! The files a host and its crawlers read: `robots.txt` (by default disallowing everything:
//! an internal archive is not for search engines) and `sitemap.xml`, every page of the site
//! at its absolute URL. A sitemap needs absolute URLs, so there is none without a base URL.

use serde::Serialize;

use super::theme::Theme;
use crate::config::{Config, Robots};
use crate::error::Result;
use crate::output::OutputFile;

/// The most URLs one sitemap file may hold (the sitemap protocol's limit); more are split into
/// `sitemap-1.xml`, `sitemap-2.xml`... under a sitemap index at `sitemap.xml`.
pub(crate) const SITEMAP_MAX_URLS: usize = 50_000;

#[derive(Serialize)]
struct RobotsView<'a> {
    allow: bool,
    /// The sitemap's absolute URL, or `""`.
    sitemap: &'a str,
}

#[derive(Serialize)]
struct SitemapView<'a> {
    /// `urlset`: `urls` are pages; `index`: `urls` are sitemap files.
    index: bool,
    urls: &'a [String],
}

/// The URL of a page file relative to the root (`a/index.html` -> `a/`).
fn page_url(file: &str) -> &str {
    if file == "index.html" {
        ""
    } else {
        file.strip_suffix("/index.html")
            .map_or(file, |dir| &file[..dir.len() + 1])
    }
}

/// `robots.txt` and, with a base URL, the sitemap of `pages` (the site's HTML files, in any
/// order; the not-found page is left out).
pub(crate) fn files(config: &Config, theme: &Theme, pages: &[String]) -> Result<Vec<OutputFile>> {
    let base = config.base_url();
    let mut out = Vec::new();
    let sitemap_url = if base.is_empty() {
        String::new()
    } else {
        format!("{base}sitemap.xml")
    };
    if !base.is_empty() {
        let mut urls: Vec<String> = pages
            .iter()
            // A theme's static `.html` files are not pages.
            .filter(|p| p.as_str() != "404.html" && !p.starts_with("static/"))
            .map(|p| format!("{base}{}", crate::weburl::encode_path(page_url(p))))
            .collect();
        urls.sort_unstable();
        let chunks: Vec<&[String]> = urls.chunks(SITEMAP_MAX_URLS).collect();
        let render = |index: bool, urls: &[String]| -> Result<Vec<u8>> {
            let mut ctx = tera::Context::new();
            ctx.insert("sitemap", &SitemapView { index, urls });
            theme.render_bytes("sitemap.xml", &ctx)
        };
        if chunks.len() <= 1 {
            out.push(OutputFile::new(
                "sitemap.xml".into(),
                render(false, chunks.first().copied().unwrap_or(&[]))?,
            ));
        } else {
            let mut parts = Vec::new();
            for (i, chunk) in chunks.iter().enumerate() {
                let name = format!("sitemap-{}.xml", i + 1);
                out.push(OutputFile::new(name.clone(), render(false, chunk)?));
                parts.push(format!("{base}{name}"));
            }
            out.push(OutputFile::new("sitemap.xml".into(), render(true, &parts)?));
        }
    }
    let robots = if config.site.robots_txt.is_empty() {
        let mut ctx = tera::Context::new();
        let allow = config.site.robots == Robots::Allow;
        ctx.insert(
            "robots",
            &RobotsView {
                allow,
                sitemap: &sitemap_url,
            },
        );
        theme.render_bytes("robots.txt", &ctx)?
    } else {
        let mut text = config.site.robots_txt.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.into_bytes()
    };
    out.push(OutputFile::new("robots.txt".into(), robots));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::page_url;

    #[test]
    fn page_urls_are_folders() {
        assert_eq!(page_url("index.html"), "");
        assert_eq!(page_url("postmortems/a/index.html"), "postmortems/a/");
        assert_eq!(page_url("odd.html"), "odd.html");
    }
}
