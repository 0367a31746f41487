//! Printing diagnostics for people: each with its source line underlined, the way rustc does
//! (codespan-reporting), and a one-line form for logs.

use std::io::IsTerminal;
use std::path::Path;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
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
pub fn print_diagnostics(root: &Path, diags: &[Diagnostic]) {
    let color = if std::io::stderr().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    print_to(&StandardStream::stderr(color), root, diags);
}

/// Prints diagnostics to stdout (for `check`, whose report is its output).
pub fn print_diagnostics_stdout(root: &Path, diags: &[Diagnostic]) {
    let color = if std::io::stdout().is_terminal() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    print_to(&StandardStream::stdout(color), root, diags);
}

/// Diagnostics of one file whose text is `text`, rendered without colour (what `check` prints
/// for them). Pure: for tests and the fuzz target.
pub fn render_one_file(name: &str, text: &str, diags: &[Diagnostic]) -> String {
    let mut files = SimpleFiles::new();
    let id = files.add(name.to_string(), text.to_string());
    let mut out = termcolor::NoColor::new(Vec::new());
    for d in diags {
        emit(&mut out, &files, id, text, d);
    }
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}

fn emit(
    out: &mut dyn termcolor::WriteColor,
    files: &SimpleFiles<String, String>,
    id: usize,
    text: &str,
    d: &Diagnostic,
) {
    let start = offset_of(text, d.line, d.column);
    let end = text[start..]
        .find(['\n', '\r'])
        .map(|e| start + e)
        .unwrap_or(text.len())
        .max(start);
    let base = match d.severity {
        Level::Error => CsDiagnostic::error(),
        Level::Warning => CsDiagnostic::warning(),
    };
    let mut cs = base
        .with_code(d.rule)
        .with_message(&d.message)
        .with_labels(vec![Label::primary(id, start..end)]);
    if let Some(s) = &d.suggestion {
        cs = cs.with_notes(vec![format!("help: {s}")]);
    }
    let _ = term::emit_to_write_style(out, &term::Config::default(), files, &cs);
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
    let mut files = SimpleFiles::new();
    let mut ids = std::collections::HashMap::new();
    for d in diags {
        let id = *ids.entry(d.file.clone()).or_insert_with(|| {
            let path = if d.file.is_absolute() {
                d.file.clone()
            } else {
                root.join(&d.file)
            };
            let text = if d.rule == "io/symlink" {
                String::new()
            } else {
                source_text(root, &path)
            };
            files.add(d.file.display().to_string(), text)
        });
        let text = files
            .get(id)
            .map(|f| f.source().clone())
            .unwrap_or_default();
        emit(&mut writer.lock(), &files, id, &text, d);
    }
}
