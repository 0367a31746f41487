//! Printing diagnostics for people: each with its source line underlined, the way rustc does
//! (codespan-reporting), and a one-line form for logs.

use std::io::IsTerminal;
use std::path::Path;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::term::{
    self,
    termcolor::{self, ColorChoice, StandardStream},
};

use crate::error::{Diagnostic, Level};

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + col.min(l.trim_end_matches(['\n', '\r']).len());
        }
        offset += l.len();
    }
    text.len()
}

/// Prints diagnostics to stderr, reading each file (relative to `root`) to show its line.
pub(crate) fn print_diagnostics(root: &Path, diags: &[Diagnostic]) {
    let color = if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    print_to(&StandardStream::stderr(color), root, diags);
}

/// Prints diagnostics to stdout (for `check`, whose report is its output).
pub(crate) fn print_diagnostics_stdout(root: &Path, diags: &[Diagnostic]) {
    let color = if std::io::stdout().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    print_to(&StandardStream::stdout(color), root, diags);
}

/// How many of a build's warnings are listed without `--verbose`.
pub(crate) const WARNINGS_SHOWN: usize = 5;

/// Prints `diags` compactly to stderr (see [`compact`]).
pub(crate) fn print_compact(diags: &[Diagnostic]) {
    eprint!("{}", compact(diags));
}

/// A build's warnings in a few lines: their count per rule (most frequent first), then the first
/// [`WARNINGS_SHOWN`] one per line (`file:line:column: rule: message`).
pub(crate) fn compact(diags: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for d in diags {
        *counts.entry(d.rule).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = counts.iter().map(|(r, n)| format!("{r} {n}")).collect();
    let mut out = format!(
        "{} warning{}: {} (every one in full: --verbose, or `pmarchive check`)\n",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" },
        list.join(", ")
    );
    for d in diags.iter().take(WARNINGS_SHOWN) {
        out.push_str(&format!(
            "  {}:{}:{}: {}: {}\n",
            d.file.display(),
            d.line,
            d.column,
            d.rule,
            d.message
        ));
    }
    if diags.len() > WARNINGS_SHOWN {
        out.push_str(&format!(
            "  ... and {} more\n",
            diags.len() - WARNINGS_SHOWN
        ));
    }
    out
}

/// Diagnostics of one file whose text is `text`, rendered without colour (what `check` prints
/// for them). Pure: for tests and the fuzz target.
pub(crate) fn render_one_file(name: &str, text: &str, diags: &[Diagnostic]) -> String {
    let mut out = termcolor::NoColor::new(Vec::new());
    for d in diags {
        emit(&mut out, name, text, d);
    }
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

/// A quoted line is cut to about this many bytes around the diagnostic's column: a
/// postmortem of one 8 MiB line would otherwise be printed whole, with as many carets, for
/// every diagnostic on it.
const MAX_QUOTED: usize = 240;

/// The one line a diagnostic quotes (or the part of it around the column), as a file of its
/// own that reports the real line and column numbers.
struct Excerpt<'t> {
    name: &'t str,
    /// What is shown: the line, or `…` + a window of it + `…`.
    text: String,
    /// The line's number in the file.
    line: usize,
    /// Bytes of `text` before the first quoted character (the `…` marker).
    lead: usize,
    /// The column (1-based, in characters) of the first quoted character in the real line.
    first_column: usize,
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _: usize) -> Result<usize, codespan_reporting::files::Error> {
        Ok(self.line)
    }

    fn column_number(
        &'a self,
        (): (),
        _: usize,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let at = byte_index.clamp(self.lead, self.text.len());
        let chars = self
            .text
            .get(self.lead..at)
            .map_or(0, |t| t.chars().count());
        Ok(self.first_column + chars)
    }

    fn line_range(
        &'a self,
        (): (),
        _: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        Ok(0..self.text.len())
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn emit(out: &mut dyn termcolor::WriteColor, name: &str, text: &str, d: &Diagnostic) {
    let start = offset_of(text, d.line, d.column);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..]
        .find(['\n', '\r'])
        .map(|e| start + e)
        .unwrap_or(text.len())
        .max(start);
    let line = &text[line_start..line_end];
    let col = start - line_start;
    let (from, to) = if line.len() <= MAX_QUOTED {
        (0, line.len())
    } else {
        let from = floor_boundary(line, col.saturating_sub(MAX_QUOTED / 3));
        let to = floor_boundary(line, from + MAX_QUOTED);
        (from, to.max(col.min(line.len())))
    };
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < line.len() { "…" } else { "" };
    let excerpt = Excerpt {
        name,
        text: format!("{lead}{}{tail}", &line[from..to]),
        line: d.line.max(1),
        lead: lead.len(),
        first_column: line[..from].chars().count() + 1,
    };
    let span = (lead.len() + col - from)..(lead.len() + to - from);
    let base = match d.severity {
        Level::Error => CsDiagnostic::error(),
        Level::Warning => CsDiagnostic::warning(),
    };
    let mut cs = base
        .with_code(d.rule)
        .with_message(&d.message)
        .with_labels(vec![Label::primary((), span)]);
    if let Some(s) = &d.suggestion {
        cs = cs.with_notes(vec![format!("help: {s}")]);
    }
    let _ = term::emit_to_write_style(out, &term::Config::default(), &excerpt, &cs);
}

/// The text of `path` to quote source lines from, or nothing when reading it could show what
/// is not the archive's: a symbolic link is followed only to a file inside `root`, and only a
/// regular file is read (opened without blocking), at most the size of a postmortem.
fn source_text(root: &Path, path: &Path) -> String {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return String::new();
    };
    if meta.file_type().is_symlink() {
        let inside = match (path.canonicalize(), root.canonicalize()) {
            (Ok(target), Ok(root)) => target.starts_with(root),
            _ => false,
        };
        if !inside {
            return String::new();
        }
    }
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let Ok(f) = options.open(path) else {
        return String::new();
    };
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return String::new();
    }
    let mut bytes = Vec::new();
    if f.take(crate::content::MAX_FILE_BYTES)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return String::new();
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn print_to(writer: &StandardStream, root: &Path, diags: &[Diagnostic]) {
    write_to(&mut writer.lock(), root, diags);
}

/// Diagnostics as `check` prints them (each with its source line and carets), without colour:
/// for `serve`'s error overlay.
pub(crate) fn render_diagnostics(root: &Path, diags: &[Diagnostic]) -> String {
    let mut out = termcolor::NoColor::new(Vec::new());
    write_to(&mut out, root, diags);
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

fn write_to(out: &mut dyn termcolor::WriteColor, root: &Path, diags: &[Diagnostic]) {
    let mut texts: std::collections::HashMap<&Path, String> = std::collections::HashMap::new();
    for d in diags {
        let text = texts.entry(d.file.as_path()).or_insert_with(|| {
            let path = if d.file.is_absolute() {
                d.file.clone()
            } else {
                root.join(&d.file)
            };
            if d.rule == "io/symlink" {
                String::new()
            } else {
                source_text(root, &path)
            }
        });
        emit(out, &d.file.display().to_string(), text, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_quoted_around_the_column_with_its_real_position() {
        let line = format!("{}BAD{}", "x".repeat(5000), "y".repeat(5000));
        let text = format!("first\n{line}\n");
        let d = Diagnostic::error(Path::new("content/a.md"), (2, 5001), "test/rule", "bad");
        let out = render_one_file("content/a.md", &text, &[d]);
        assert!(out.contains("content/a.md:2:5001"), "{out}");
        assert!(out.contains("2 │ …xxx"), "{out}");
        assert!(out.contains("BADyyy"), "{out}");
        assert!(out.len() < 2_000, "{} bytes", out.len());
        // A short line is quoted whole, as before.
        let d = Diagnostic::error(Path::new("content/a.md"), (1, 3), "test/rule", "bad");
        let out = render_one_file("content/a.md", &text, &[d]);
        assert!(out.contains("content/a.md:1:3"), "{out}");
        assert!(out.contains("1 │ first\n"), "{out}");
        assert!(out.contains("  │   ^^^"), "{out}");
    }
}
