//! Turns one file's text into a [`Postmortem`]: front matter fields (through the configured
//! aliases) checked and typed, the body rendered. Every problem in the file is collected.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use super::frontmatter::{self, locate_in, Split, Step};
use super::limits;
use super::markdown::{self, Highlighter};
use super::nested;
use crate::config::{Config, FieldSource, Undated};
use crate::error::Diagnostic;
use crate::model::{
    ActionItem, ImpactFigure, ItemKind, ItemStatus, Participant, Postmortem, Priority, Status,
    Timing, UnknownKey, Visibility, When,
};
use crate::text::squash_ws;

mod fields;
pub(crate) use fields::*;
mod action_items;
mod postmortem;
mod tables;

/// What parsing a document needs besides its text.
pub(crate) struct ParseContext<'a> {
    /// The archive configuration.
    pub config: &'a Config,
    /// The shared syntax highlighter.
    pub highlighter: &'a Highlighter,
}

/// Parses `src` (the file at `file`, relative to the root; `stem` is its file name without
/// `.md`). Returns the postmortem whenever its front matter could be read (fields in error take
/// neutral defaults, so archive-wide checks and lints still see it), and every diagnostic
/// found. A document with an error diagnostic must not be published.
pub(crate) fn parse_document(
    file: &Path,
    stem: &str,
    src: &str,
    ctx: &ParseContext<'_>,
) -> (Option<Postmortem>, Vec<Diagnostic>) {
    parse(file, stem, src, ctx, false)
}

/// [`parse_document`] of the front matter alone: the body is left empty (not rendered, not
/// checked) and nothing is located (every diagnostic and location is at the front matter's
/// first line), for the postmortems `check FILE...` only needs for archive-wide rules (ids,
/// links, the dates `recurrence_of` is ordered by), whose own diagnostics are not reported.
pub(crate) fn parse_front_matter(
    file: &Path,
    stem: &str,
    src: &str,
    ctx: &ParseContext<'_>,
) -> (Option<Postmortem>, Vec<Diagnostic>) {
    parse(file, stem, src, ctx, true)
}

fn parse(
    file: &Path,
    stem: &str,
    src: &str,
    ctx: &ParseContext<'_>,
    front_only: bool,
) -> (Option<Postmortem>, Vec<Diagnostic>) {
    let split = match split_front(file, src) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let frontmatter::Front { map: raw, dates } = match read_front(file, &split, ctx, front_only) {
        Ok(f) => f,
        Err(d) => return (None, vec![d]),
    };
    let mut diags = Vec::new();
    let mut f = Fields {
        file,
        split: &split,
        lines: std::cell::OnceCell::new(),
        raw: &raw,
        dates: &dates,
        config: ctx.config,
        diags: &mut diags,
        unknown: Vec::new(),
        front_only,
    };
    let pm = f.build(stem, ctx);
    (pm, diags)
}

/// The front matter cut from the body; YAML nested deeper or with more brackets than the
/// limits is refused (the TOML parser is linear in the nesting, and has its own limit).
fn split_front<'s>(file: &Path, src: &'s str) -> Result<Split<'s>, Diagnostic> {
    let split = match frontmatter::split(src) {
        Ok(s) => s,
        Err(e) => {
            let mut d =
                Diagnostic::error(file, (e.line, e.column), "schema/front-matter", e.message);
            d.suggestion = e.suggestion;
            return Err(d);
        }
    };
    let over = (split.format == frontmatter::Format::Yaml)
        .then(|| limits::front_over_limit(split.front))
        .flatten();
    if let Some((at, limit)) = over {
        let (line, column) = crate::text::line_col(split.front, at);
        let message = match limit {
            limits::FrontLimit::TooDeep => format!(
                "`[` and `{{` nest more than {} levels deep here",
                limits::MAX_FRONT_NESTING
            ),
            limits::FrontLimit::TooMany => format!(
                "the front matter has more than {} `[` and `{{`",
                limits::MAX_FRONT_BRACKETS
            ),
        };
        let d = Diagnostic::error(
            file,
            (line + split.front_line - 1, column),
            "schema/too-deep",
            message,
        )
        .suggest("flatten the front matter");
        return Err(d);
    }
    Ok(split)
}

/// The front matter's fields: all of them, or for archive-wide rules only (`front_only`) the
/// fields they read, wherever `[fields]` takes them from. More fields than the limit are
/// refused.
fn read_front(
    file: &Path,
    split: &Split<'_>,
    ctx: &ParseContext<'_>,
    front_only: bool,
) -> Result<frontmatter::Front, Diagnostic> {
    let parsed = if front_only
        && !ctx
            .config
            .fields
            .values()
            .any(|s| matches!(s, FieldSource::Template { .. }))
    {
        // The fields archive-wide rules read, wherever `[fields]` takes them from.
        let keep = |key: &str| {
            ARCHIVE_WIDE.contains(&key)
                || ctx
                    .config
                    .fields
                    .values()
                    .any(|source| source_roots(source).any(|r| r == key))
        };
        frontmatter::parse_some(split, &keep)
    } else {
        frontmatter::parse(split).map(|f| {
            let count = f.map.len();
            (f, count)
        })
    };
    let (front, fields) = match parsed {
        Ok(f) => f,
        Err(e) => {
            return Err(Diagnostic::error(
                file,
                (e.line, e.column),
                "schema/front-matter",
                e.message,
            ));
        }
    };
    if fields > limits::MAX_FIELDS {
        let d = Diagnostic::error(
            file,
            (split.front_line, 1),
            "schema/too-many",
            format!(
                "the front matter has {} fields; a postmortem may have at most {}",
                fields,
                limits::MAX_FIELDS
            ),
        );
        return Err(d);
    }
    Ok(front)
}

/// The fields the front matter of a postmortem read for archive-wide rules only must give
/// ([`parse_front_matter`]; what `build` reads of it).
const ARCHIVE_WIDE: &[&str] = &[
    "id",
    "title",
    "date",
    "severity",
    "status",
    "visibility",
    "services",
    "teams",
    "tags",
    "recurrence_of",
    "similar_pinned",
    "similar_hidden",
];

/// The top-level fields an alias reads (`timing` of `timing.detected`).
fn source_roots(source: &FieldSource) -> impl Iterator<Item = &str> {
    let names: &[String] = match source {
        FieldSource::Field(k) => std::slice::from_ref(k),
        FieldSource::First { first } | FieldSource::Template { first, .. } => first,
        FieldSource::Merge { merge } => merge,
    };
    names.iter().map(|n| n.split('.').next().unwrap_or(n))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// Values a list field (services, factors, tags...) may hold. Real postmortems list a handful;
/// thousands would make every page that lists them, and every page of each of them, grow with
/// the square of the input.
pub(crate) const MAX_LIST: usize = 1000;

/// Whether `c` is a bidirectional control character: the embeddings and overrides
/// (U+202A-U+202E), the isolates (U+2066-U+2069), and the marks (U+200E, U+200F, U+061C).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// The longest id (in bytes, all ASCII): an id is a folder name, and file systems allow 255.
pub(crate) const MAX_ID: usize = 200;

/// Names the site uses in the folders that hold a page per id (`postmortems/<id>/`,
/// `recurring/<id>/`): each listing's first page and the folder of its later pages.
const RESERVED_IDS: &[&str] = &["index.html", "page"];

/// The site's own name `id` would take (compared ignoring ASCII case, as case-insensitive file
/// systems do), if any.
pub(crate) fn reserved_id(id: &str) -> Option<&'static str> {
    RESERVED_IDS
        .iter()
        .copied()
        .find(|r| r.eq_ignore_ascii_case(id))
}

/// Ids become folder names: they must be safe path segments.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Parses a date or date-time: `2025-02-03`, RFC 3339 with `Z` or an offset, or a local
/// `2025-02-03 14:02[:00]` taken as UTC.
pub(crate) fn parse_when(s: &str) -> Option<When> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(When {
            at: d.and_hms_opt(0, 0, 0)?.and_utc(),
            has_time: false,
        });
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(When {
            at: t.with_timezone(&Utc),
            has_time: true,
        });
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(When {
                at: t.and_utc(),
                has_time: true,
            });
        }
    }
    None
}

/// The offset in `original` of byte `at` of its text with each U+0000 replaced by U+FFFD.
fn original_offset(original: &str, at: usize) -> usize {
    let mut replaced = 0;
    for (i, c) in original.char_indices() {
        if replaced >= at {
            return i;
        }
        replaced += if c == '\0' {
            '\u{fffd}'.len_utf8()
        } else {
            c.len_utf8()
        };
    }
    original.len()
}

#[cfg(test)]
mod tests;
