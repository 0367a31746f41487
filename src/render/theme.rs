//! The theme: Tera templates and static files. The default theme is embedded in the binary;
//! a site's own `theme/` overrides it file by file (`theme/templates/X`, `theme/static/Y`).

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};

use crate::error::{Error, Result};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// Loaded templates and static files.
pub struct Theme {
    /// The template engine, every template registered.
    pub tera: tera::Tera,
    /// Static files by path relative to `static/`, sorted.
    pub statics: BTreeMap<String, Vec<u8>>,
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
        tera.add_raw_templates(templates)?;
        Ok(Theme { tera, statics })
    }

    /// Renders one template.
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        self.tera
            .render(template, ctx)
            .map_err(|e| match Error::from(e) {
                Error::Template(m) => Error::Template(format!("{template}: {m}")),
                other => other,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

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
