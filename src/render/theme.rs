//! The theme: Tera templates and static files. The default theme is embedded in the binary;
//! a site's own `theme/` overrides it file by file (`theme/templates/X`, `theme/static/Y`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use include_dir::{include_dir, Dir};

use crate::error::{Error, Result};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// Loaded templates and static files.
pub struct Theme {
    /// The template engine, every template registered.
    pub tera: tera::Tera,
    /// Static files by path relative to `static/`, sorted.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The size of the last output of each template: the next one starts with a buffer that
    /// size (plus an eighth), not an empty one grown by doubling (eight copies of a 20 KB
    /// page, twelve of a 200 KB register page). Only speed depends on it, never the output.
    sizes: HashMap<String, AtomicUsize>,
}

fn collect_embedded(dir: &Dir<'static>, out: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        out.insert(
            f.path().to_string_lossy().replace('\\', "/"),
            f.contents().to_vec(),
        );
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

fn collect_dir(base: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    if !base.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(base).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(base).to_path_buf();
            Error::io(path, std::io::Error::other(e.to_string()))
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(base).unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            out.insert(format!("{prefix}{rel}"), bytes);
        }
    }
    Ok(())
}

/// HTML/XML escaping for templates: `& < > " '`. Unlike Tera's default it leaves `/` alone,
/// which is safe in quoted attributes and keeps URLs readable (and checkable) in the output.
/// Characters XML forbids (C0 controls other than tab and line ends, U+FFFE, U+FFFF: a NUL in
/// a title would make every feed ill-formed) become U+FFFD, as HTML parsers show them anyway.
pub fn escape(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len() + 8);
    let mut from = 0;
    let mut i = 0;
    // Copy the runs between the characters to replace whole; each of those starts with an
    // ASCII byte or 0xEF, so the slices fall on character boundaries.
    while i < bytes.len() {
        let (rep, len) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#x27;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f => ("\u{fffd}", 1),
            // U+FFFE and U+FFFF: EF BF BE, EF BF BF.
            0xef if bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) =>
            {
                ("\u{fffd}", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&input[from..i]);
        out.push_str(rep);
        i += len;
        from = i;
    }
    out.push_str(&input[from..]);
    out
}

impl Theme {
    /// The theme of the site at `root`: the embedded one, overridden by `root/theme/`.
    pub fn of_site(root: &Path) -> Result<Theme> {
        let dir = root.join("theme");
        Theme::load(dir.is_dir().then_some(dir.as_path()))
    }

    /// The embedded theme overridden by `site_theme` (a site's `theme/` folder) when it exists.
    pub fn load(site_theme: Option<&Path>) -> Result<Theme> {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        if let Some(dir) = site_theme {
            collect_dir(&dir.join("templates"), "templates/", &mut files)?;
            collect_dir(&dir.join("static"), "static/", &mut files)?;
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        let mut templates = Vec::new();
        let mut statics = BTreeMap::new();
        for (path, bytes) in files {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::Template(format!("{path}: the template is not valid UTF-8"))
                })?;
                templates.push((name.to_string(), text));
            } else if let Some(name) = path.strip_prefix("static/") {
                statics.insert(name.to_string(), bytes);
            }
        }
        let sizes = templates
            .iter()
            .map(|(name, _)| (name.clone(), AtomicUsize::new(0)))
            .collect();
        tera.add_raw_templates(templates)?;
        Ok(Theme {
            tera,
            statics,
            sizes,
        })
    }

    /// Renders one template.
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        let bytes = self.render_bytes(template, ctx)?;
        String::from_utf8(bytes)
            .map_err(|_| Error::Template(format!("{template}: rendered text is not UTF-8")))
    }

    /// Renders one template to bytes (UTF-8, as Tera writes only strings): a page goes to its
    /// file as it is.
    pub fn render_bytes(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>> {
        let size = self.sizes.get(template);
        let last = size.map_or(0, |s| s.load(Ordering::Relaxed));
        let mut out = Vec::with_capacity(last + last / 8);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| match Error::from(e) {
                Error::Template(m) => Error::Template(format!("{template}: {m}")),
                other => other,
            })?;
        if let Some(size) = size {
            size.store(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, Theme};

    #[test]
    fn a_buffer_sized_by_the_last_page_never_changes_the_next() {
        let theme = Theme::load(None).unwrap();
        let page = |title: &str| {
            let mut ctx = tera::Context::new();
            ctx.insert("root", "../");
            ctx.insert("page_url", "x/");
            ctx.insert("page_title", title);
            ctx.insert("today", "2026-12-01");
            ctx.insert("feed_url", &None::<String>);
            ctx.insert(
                "site",
                &serde_json::json!({"title": "T", "description": "D", "base_url": "",
                    "nav": [], "generator": "pmarchive", "restricted": false}),
            );
            ctx
        };
        // Long, short, long: each as Tera renders it on its own.
        for title in ["long ".repeat(5000), "s".to_string(), "long ".repeat(9000)] {
            let ctx = page(&title);
            let direct = theme.tera.render("search.html", &ctx).unwrap();
            assert_eq!(
                theme.render_bytes("search.html", &ctx).unwrap(),
                direct.as_bytes()
            );
            assert_eq!(theme.render("search.html", &ctx).unwrap(), direct);
        }
    }

    #[test]
    fn escapes_the_five_characters_and_keeps_the_rest() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a> / é ✓"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/a&gt; / é ✓"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("&"), "&amp;");
        assert_eq!(
            escape("a\0b\x1fc\td\ne\u{fffe}f\u{ffff}g\u{fffd}"),
            "a\u{fffd}b\u{fffd}c\td\ne\u{fffd}f\u{fffd}g\u{fffd}"
        );
    }
}
