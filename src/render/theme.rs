//! The theme: Tera templates and static files. The default theme is embedded in the binary;
//! a site's own `theme/` overrides it file by file (`theme/templates/X`, `theme/static/Y`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use include_dir::{include_dir, Dir};

use crate::error::{Diagnostic, Error, Result};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// Loaded templates and static files.
pub(crate) struct Theme {
    /// The template engine, every template registered.
    pub tera: tera::Tera,
    /// Static files by path relative to `static/`, sorted.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The size of the last output of each template: the next one starts with a buffer that
    /// size (plus an eighth), not an empty one grown by doubling (eight copies of a 20 KB
    /// page, twelve of a 200 KB register page). Only speed depends on it, never the output.
    sizes: HashMap<String, AtomicUsize>,
    /// Where each template the site's theme overrides lives, relative to the site root (errors
    /// in those name the file, line and column; the built-in ones are ours to get right).
    site_files: HashMap<String, PathBuf>,
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
pub(crate) fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    escape_runs(input, |run| out.push_str(run));
    out
}

/// [`escape`] for Tera, which writes what it renders as it goes.
fn escape_to(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut written = Ok(());
    escape_runs(input, |run| {
        if written.is_ok() {
            written = out.write_all(run.as_bytes());
        }
    });
    written
}

/// Hands `input`, escaped, to `push` in pieces.
fn escape_runs(input: &str, mut push: impl FnMut(&str)) {
    let bytes = input.as_bytes();
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
        push(&input[from..i]);
        push(rep);
        i += len;
        from = i;
    }
    push(&input[from..]);
}

impl Theme {
    /// The theme of the site at `root`: the embedded one, overridden by `root/theme/`.
    pub(crate) fn of_site(root: &Path) -> Result<Theme> {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        let mut site_files = HashMap::new();
        let dir = root.join("theme");
        if dir.is_dir() {
            let mut site = BTreeMap::new();
            collect_dir(&dir.join("templates"), "templates/", &mut site)?;
            collect_dir(&dir.join("static"), "static/", &mut site)?;
            for path in site.keys() {
                if let Some(name) = path.strip_prefix("templates/") {
                    site_files.insert(name.to_string(), Path::new("theme").join(path));
                }
            }
            files.extend(site);
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_to);
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
        let mut theme = Theme {
            tera,
            statics,
            sizes,
            site_files,
        };
        if let Err(e) = theme.tera.add_raw_templates(templates) {
            return Err(theme.error(None, e));
        }
        Ok(theme)
    }

    /// A Tera error as the user should see it: in a template of the site's own theme, a
    /// diagnostic at its file, line and column; otherwise the message, naming the template.
    fn error(&self, rendering: Option<&str>, e: tera::Error) -> Error {
        use tera::ErrorKind;
        let (failed, rule) = match e.kind() {
            ErrorKind::SyntaxError(r) => (Some(r), "template/syntax"),
            ErrorKind::RenderingError(r) => (Some(r), "template/render"),
            _ => (None, ""),
        };
        if let Some((report, file)) =
            failed.and_then(|r| Some((r, self.site_files.get(r.filename())?)))
        {
            let mut message = report.message().to_string();
            if let Some(t) = rendering.filter(|t| *t != report.filename()) {
                message.push_str(&format!(" (while rendering `{t}`)"));
            }
            let at = (report.span().start_line, report.span().start_col + 1);
            return Error::Invalid(vec![Diagnostic::error(file, at, rule, message)]);
        }
        let name = match (rendering, failed.map(|r| r.filename())) {
            (Some(t), Some(f)) if t != f => format!("{t} (in {f})"),
            (Some(t), _) => t.to_string(),
            (None, Some(f)) => f.to_string(),
            (None, None) => return Error::from(e),
        };
        match Error::from(e) {
            Error::Template(m) => Error::Template(format!("{name}: {m}")),
            other => other,
        }
    }

    /// Renders one template.
    pub(crate) fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        let bytes = self.render_bytes(template, ctx)?;
        String::from_utf8(bytes)
            .map_err(|_| Error::Template(format!("{template}: rendered text is not UTF-8")))
    }

    /// Renders one template to bytes (UTF-8, as Tera writes only strings): a page goes to its
    /// file as it is.
    pub(crate) fn render_bytes(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>> {
        let size = self.sizes.get(template);
        let last = size.map_or(0, |s| s.load(Ordering::Relaxed));
        let mut out = Vec::with_capacity(last + last / 8);
        self.tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| self.error(Some(template), e))?;
        if let Some(size) = size {
            size.store(out.len(), Ordering::Relaxed);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, Theme};
    use crate::error::Error;
    use std::path::Path;

    /// The one diagnostic of `e`: (file, line, column, rule).
    fn located(e: Error) -> (String, usize, usize, &'static str) {
        match e {
            Error::Invalid(d) if d.len() == 1 => (
                d[0].file.display().to_string(),
                d[0].line,
                d[0].column,
                d[0].rule,
            ),
            other => panic!("not one diagnostic: {other}"),
        }
    }

    /// A site whose theme overrides `404.html` with `text`.
    fn site_with_404(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("theme/templates");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(templates.join("404.html"), text).unwrap();
        dir
    }

    #[test]
    fn a_site_template_that_does_not_parse_is_named_with_line_and_column() {
        let dir = site_with_404("fine\n  {% if %}\n");
        let e = Theme::of_site(dir.path()).err().unwrap();
        let (file, line, column, rule) = located(e);
        assert_eq!(Path::new(&file), Path::new("theme/templates/404.html"));
        assert_eq!((line, column, rule), (2, 9, "template/syntax"));
    }

    #[test]
    fn a_site_template_that_fails_to_render_is_named_with_line_and_column() {
        let dir = site_with_404("x\n\n{{ no_such.value }}");
        let theme = Theme::of_site(dir.path()).unwrap();
        let e = theme.render("404.html", &tera::Context::new()).unwrap_err();
        let (file, line, column, rule) = located(e);
        assert_eq!(Path::new(&file), Path::new("theme/templates/404.html"));
        assert_eq!((line, column, rule), (3, 4, "template/render"));
        // A built-in template's error names the template (it is ours to fix).
        let theme = Theme::of_site(Path::new("/nonexistent-site")).unwrap();
        match theme.render("404.html", &tera::Context::new()).unwrap_err() {
            Error::Template(m) => assert!(m.starts_with("404.html (in base.html): "), "{m}"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_buffer_sized_by_the_last_page_never_changes_the_next() {
        let theme = Theme::of_site(Path::new("/nonexistent-site")).unwrap();
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
    fn a_theme_looping_over_an_object_sees_its_fields_in_their_order() {
        // A site's theme may loop over an object's fields; the site must still come out the
        // same every time (Tera's maps hash in a random order unless it keeps insertion order).
        let dir = site_with_404("{% for k, v in m %}{{ k }}={{ v }};{% endfor %}");
        let theme = Theme::of_site(dir.path()).unwrap();
        let keys: Vec<String> = (0..40).map(|i| format!("k{:02}", 39 - i)).collect();
        let mut m = serde_json::Map::new();
        for (i, k) in keys.iter().enumerate() {
            m.insert(k.clone(), i.into());
        }
        let mut ctx = tera::Context::new();
        ctx.insert("m", &m);
        // The object's own order (serde_json's: sorted by key), every time.
        let expected: String = m.iter().map(|(k, v)| format!("{k}={v};")).collect();
        assert!(expected.starts_with("k00=39;k01=38;"));
        assert_eq!(theme.render("404.html", &ctx).unwrap(), expected);
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
