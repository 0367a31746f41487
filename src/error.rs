//! The one error type of the crate, and the located diagnostic every user-facing problem
//! becomes.
//!
//! Content problems are never a single `Err` that stops at the first file: the loader collects
//! every [`Diagnostic`] (file, line, column, rule, message, suggestion) and the build fails with
//! [`Error::Invalid`] carrying all of them, so an author fixes everything in one round.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth fixing; does not fail a build.
    Warning,
    /// Fails the build.
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// One problem found in an input file, located by 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line (front matter lines count from the top of the file).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Error or warning.
    pub severity: Level,
    /// A stable rule id such as `schema/unknown-severity`.
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is an obvious fix.
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// An error at `file:line:column`.
    pub fn error(
        file: &Path,
        (line, column): (usize, usize),
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            severity: Level::Error,
            rule,
            message: message.into(),
            suggestion: None,
        }
    }

    /// A warning at `file:line:column`.
    pub fn warning(
        file: &Path,
        at: (usize, usize),
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Level::Warning,
            ..Diagnostic::error(file, at, rule, message)
        }
    }

    /// The same diagnostic with a suggestion attached.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Whether this diagnostic fails a build.
    pub fn is_error(&self) -> bool {
        self.severity == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.file.display(),
            self.line,
            self.column,
            self.severity,
            self.rule,
            self.message
        )?;
        if let Some(s) = &self.suggestion {
            write!(f, " (help: {s})")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line, column so reports are stable.
pub(crate) fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
    });
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input has problems; every one of them is listed.
    #[error("{} problem(s) found in the input", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A template failed to parse or render.
    #[error("template error: {0}")]
    Template(String),
    /// The command line or the resolved options make no sense.
    #[error("{0}")]
    Usage(String),
    /// A step of pmarchive itself failed (the search index, JSON encoding, a thread, the file
    /// watcher): neither the input's fault nor the command line's. Keeps its cause.
    #[error("{what}{}", .source.as_ref().map(|s| format!(": {s}")).unwrap_or_default())]
    Internal {
        /// What failed.
        what: String,
        /// Why, when an underlying error said so.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// An internal failure: `what` failed because of `source`.
    pub fn internal(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Internal {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// An internal failure with no underlying error (a broken invariant).
    pub fn internal_bare(what: impl Into<String>) -> Self {
        Error::Internal {
            what: what.into(),
            source: None,
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<tera::Error> for Error {
    fn from(e: tera::Error) -> Self {
        use std::error::Error as _;
        let mut msg = e.to_string();
        let mut cur = e.source();
        while let Some(s) = cur {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            cur = s.source();
        }
        Error::Template(msg)
    }
}

/// The crate's result type.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause() {
        use std::error::Error as _;
        let cause = serde_json::from_str::<u32>("x").unwrap_err();
        let shown = format!("JSON output: {cause}");
        let e = Error::internal("JSON output", cause);
        assert_eq!(e.to_string(), shown);
        let source = e.source().expect("the cause is kept");
        assert!(source.downcast_ref::<serde_json::Error>().is_some());
        let bare = Error::internal_bare("search index: stopped");
        assert_eq!(bare.to_string(), "search index: stopped");
        assert!(bare.source().is_none());
    }
}
