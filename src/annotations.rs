//! `check`'s reports for code review: SARIF 2.1.0 (code-scanning services, IDE viewers) and
//! GitHub Actions workflow commands (annotations on a pull request's changed lines).
//!
//! Both name a file by its path as the user reaches it from where `check` runs (the root joined
//! with the diagnostic's root-relative path, `./` left out), which in CI is the repository's own
//! relative path: what GitHub needs to place an annotation on the diff.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};

use crate::error::{Diagnostic, Level};

/// The official SARIF 2.1.0 schema (`$schema` of the report).
pub(crate) const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A diagnostic's file as reached from the working directory: `root` joined with the
/// root-relative `file`, without `.` components (an absolute `file` stays as it is).
pub(crate) fn shown_path(root: &Path, file: &Path) -> PathBuf {
    root.join(file)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// The path with `/` separators, for both formats.
fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The message, and the suggestion after it when there is one.
fn full_message(d: &Diagnostic) -> String {
    match &d.suggestion {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// A SARIF 2.1.0 log of one run: every rule that found something (sorted), every result with its
/// level, message, file, line and column (in Unicode code points, as pmarchive counts them).
pub(crate) fn sarif(root: &Path, diags: &[Diagnostic]) -> Value {
    let mut rules: Vec<&'static str> = diags.iter().map(|d| d.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r,
                "name": r,
                "shortDescription": { "text": format!("pmarchive check rule {r}") },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.rule,
                "ruleIndex": rules.binary_search(&d.rule).unwrap_or(0),
                "level": match d.severity {
                    Level::Error => "error",
                    Level::Warning => "warning",
                },
                "message": { "text": full_message(d) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&shown_path(root, &d.file)) },
                        "region": { "startLine": d.line, "startColumn": d.column },
                    }
                }],
            });
            if let Some(help) = &d.suggestion {
                result["properties"] = json!({ "suggestion": help });
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pmarchive",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rule_values,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A relative URI reference for a path (an absolute path becomes a `file://` URI): every byte
/// outside the unreserved set and `/` percent-encoded.
fn uri(path: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    let text = slashed(path);
    let encoded = percent_encoding::utf8_percent_encode(&text, KEEP).to_string();
    if path.is_absolute() {
        format!("file://{}", if encoded.starts_with('/') { "" } else { "/" }) + &encoded
    } else {
        encoded
    }
}

/// GitHub workflow commands, one line per diagnostic:
/// `::error file=F,line=L,col=C,title=RULE::MESSAGE` (`::warning` for warnings).
pub(crate) fn github(root: &Path, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            escape_property(&slashed(&shown_path(root, &d.file))),
            d.line,
            d.column,
            escape_property(d.rule),
            escape_data(&full_message(d)),
        );
    }
    out
}

/// A command's message, escaped as the Actions runner expects: `%`, `\r`, `\n`.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: the message escapes, and `:` and `,` which end a property.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn paths_leave_out_the_current_folder_and_encode_for_uris() {
        assert_eq!(
            shown_path(Path::new("."), Path::new("content/a b.md")),
            PathBuf::from("content/a b.md")
        );
        assert_eq!(
            uri(Path::new("content/a b%é.md")),
            "content/a%20b%25%C3%A9.md"
        );
        assert_eq!(uri(Path::new("/x/a b.md")), "file:///x/a%20b.md");
    }
}
