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
    let mut diags = Vec::new();
    let split = match frontmatter::split(src) {
        Ok(s) => s,
        Err(e) => {
            let mut d =
                Diagnostic::error(file, (e.line, e.column), "schema/front-matter", e.message);
            d.suggestion = e.suggestion;
            return (None, vec![d]);
        }
    };
    // YAML only: the TOML parser is linear in the nesting, and has its own limit.
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
        return (None, vec![d]);
    }
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
        frontmatter::parse_some(&split, &keep)
    } else {
        frontmatter::parse(&split).map(|f| {
            let count = f.map.len();
            (f, count)
        })
    };
    let (frontmatter::Front { map: raw, dates }, fields) = match parsed {
        Ok(f) => f,
        Err(e) => {
            let d = Diagnostic::error(file, (e.line, e.column), "schema/front-matter", e.message);
            return (None, vec![d]);
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
        return (None, vec![d]);
    }
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

struct Fields<'a, 'd> {
    file: &'a Path,
    split: &'a Split<'a>,
    /// The front matter's lines, split once (when a key is first located) for every key
    /// located.
    lines: std::cell::OnceCell<Vec<&'a str>>,
    raw: &'a Map<String, Value>,
    /// The paths of the values that were TOML dates (strings in `raw`).
    dates: &'a std::collections::BTreeSet<String>,
    config: &'a Config,
    diags: &'d mut Vec<Diagnostic>,
    /// Keys of nested tables that are not ours, found on the way.
    unknown: Vec<UnknownKey>,
    /// Leave the body empty ([`parse_front_matter`]).
    front_only: bool,
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Reads a possibly dotted key (`timing.detected`) from the raw map.
fn get_path<'v>(raw: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    let mut parts = key.split('.');
    let mut cur = raw.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value of our field `name` in `raw` and the source key it came from, through `sources`
/// (the `[fields]` aliases: another field, the first present of several, several merged, a
/// template); `name` itself when `sources` says nothing of it. The one alias machinery: the
/// front matter is read through it, and `import` reads an export's metadata through it.
pub(crate) fn resolve_field(
    sources: &std::collections::BTreeMap<String, FieldSource>,
    raw: &Map<String, Value>,
    name: &str,
) -> Option<(Value, String)> {
    let Some(source) = sources.get(name) else {
        return get_path(raw, name)
            .filter(|v| present(v))
            .map(|v| (v.clone(), name.to_string()));
    };
    let pick_first = |keys: &[String]| {
        keys.iter().find_map(|k| {
            get_path(raw, k)
                .filter(|v| present(v))
                .map(|v| (v.clone(), k.clone()))
        })
    };
    match source {
        FieldSource::Field(k) => pick_first(std::slice::from_ref(k)),
        FieldSource::First { first } => pick_first(first),
        FieldSource::Merge { merge } => {
            let mut out = Vec::new();
            for k in merge {
                match get_path(raw, k) {
                    Some(Value::Array(a)) => out.extend(a.iter().cloned()),
                    Some(v) if present(v) => out.push(v.clone()),
                    _ => {}
                }
            }
            let origin = merge.first().cloned().unwrap_or_default();
            (!out.is_empty()).then_some((Value::Array(out), origin))
        }
        FieldSource::Template { first, template } => pick_first(first).or_else(|| {
            let mut text = template.clone();
            for (k, v) in raw {
                let val = scalar_text(v).unwrap_or_default();
                text = text.replace(&format!("{{{k}}}"), &val);
            }
            // Placeholders of absent fields vanish.
            while let (Some(a), Some(b)) = (text.find('{'), text.find('}')) {
                if b < a {
                    break;
                }
                text.replace_range(a..=b, "");
            }
            let text = squash_ws(&text);
            (!text.is_empty()).then(|| (Value::String(text), name.to_string()))
        }),
    }
}

impl<'a> Fields<'a, '_> {
    fn at(&self, path: &[Step<'_>]) -> (usize, usize) {
        if self.front_only {
            // Only archive-wide rules read this postmortem (`check FILE...` of others): what
            // they find here is not reported, so nothing is located (a scan per key).
            return (self.split.front_line, 1);
        }
        let lines = self
            .lines
            .get_or_init(|| self.split.front.lines().collect());
        locate_in(self.split, lines, path)
    }

    fn at_key(&self, key: &str) -> (usize, usize) {
        let steps: Vec<Step<'_>> = key.split('.').map(Step::Key).collect();
        self.at(&steps)
    }

    fn error(&mut self, key: &str, rule: &'static str, msg: String) -> &mut Diagnostic {
        let at = self.at_key(key);
        self.diags.push(Diagnostic::error(self.file, at, rule, msg));
        self.diags.last_mut().expect("just pushed")
    }

    /// The value of one of our fields and the source key it came from, through the aliases.
    fn field(&self, name: &str) -> Option<(Value, String)> {
        resolve_field(&self.config.fields, self.raw, name)
    }

    /// `text` without bidirectional controls, with a warning at `origin` when it had some: they
    /// can make a title or name read differently from what it is (U+202E reverses what
    /// follows), on every page and feed that shows it.
    fn without_bidi(&mut self, origin: &str, text: String) -> String {
        if !text.contains(is_bidi_control) {
            return text;
        }
        self.warn_bidi(origin);
        text.replace(is_bidi_control, "")
    }

    fn warn_bidi(&mut self, origin: &str) {
        let at = self.at_key(origin);
        self.diags.push(
            Diagnostic::warning(
                self.file,
                at,
                "schema/bidi-control",
                format!("`{origin}` has invisible bidirectional control characters; they are left out of the site"),
            )
            .suggest("delete them (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)"),
        );
    }

    fn string(&mut self, name: &str) -> Option<String> {
        let (v, origin) = self.field(name)?;
        match scalar_text(&v) {
            Some(s) => Some(self.without_bidi(&origin, s.trim().to_string())),
            None => {
                self.error(
                    &origin,
                    "schema/type",
                    format!("`{origin}` must be a string, not {}", kind(&v)),
                );
                None
            }
        }
    }

    fn list(&mut self, name: &str) -> Vec<String> {
        let Some((v, origin)) = self.field(name) else {
            return Vec::new();
        };
        if self.dates.contains(&origin) {
            self.error(
                &origin,
                "schema/type",
                format!("`{origin}` must be a list of names; found a date"),
            )
            .suggestion = Some(format!("quote it: `{origin} = [\"...\"]`"));
            return Vec::new();
        }
        // One name stands for a list of one; any other single value is a mistake.
        let mut items: Vec<&Value> = match &v {
            Value::Array(a) => a.iter().collect(),
            Value::String(_) => vec![&v],
            other => {
                self.error(
                    &origin,
                    "schema/type",
                    format!(
                        "`{origin}` must be a list of names (or one name); found {}",
                        kind(other)
                    ),
                )
                .suggestion = Some(format!("write `{origin} = [\"name\"]`"));
                return Vec::new();
            }
        };
        if items.len() > MAX_LIST {
            self.error(
                &origin,
                "schema/too-many",
                format!(
                    "`{origin}` lists {} values; a postmortem may list at most {MAX_LIST}",
                    items.len()
                ),
            );
            items.truncate(MAX_LIST);
        }
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut bidi = false;
        for item in items {
            // Numbers are names (YAML's unquoted `- 2147483647`); booleans are not.
            let text = match item {
                Value::Bool(_) => None,
                other => scalar_text(other),
            };
            match text {
                Some(s) if !s.trim().is_empty() => {
                    let mut s = s.trim().to_string();
                    if s.contains(is_bidi_control) {
                        bidi = true;
                        s = s.replace(is_bidi_control, "");
                    }
                    if seen.insert(s.clone()) {
                        out.push(s);
                    }
                }
                Some(_) => {}
                None => {
                    self.error(
                        &origin,
                        "schema/type",
                        format!("`{origin}` must be a list of strings; found {}", kind(item)),
                    );
                }
            }
        }
        if bidi {
            self.warn_bidi(&origin);
        }
        out
    }

    fn when(&mut self, name: &str) -> Option<When> {
        let (v, origin) = self.field(name)?;
        let Some(text) = scalar_text(&v) else {
            self.error(&origin, "schema/date", format!("`{origin}` must be a date"));
            return None;
        };
        match parse_when(&text) {
            Some(w) => Some(w),
            None => {
                self.error(
                    &origin,
                    "schema/date",
                    format!("`{origin}` is not a valid date: `{text}`"),
                )
                .suggestion =
                    Some("use a date (2025-02-03) or RFC 3339 (2025-02-03T14:02:00Z)".into());
                None
            }
        }
    }

    fn build(&mut self, stem: &str, ctx: &ParseContext<'_>) -> Option<Postmortem> {
        let id = self.id(stem);
        let title = self.title();
        let date = self.date();
        let severity = self.severity();
        let status = self.status();
        let visibility = self.visibility();
        // What only the postmortem's own rules and pages read: not computed for the others of
        // `check FILE...` (archive-wide rules read ids, titles, dates, status, visibility,
        // names and links).
        let full = !self.front_only;
        let summary = if full {
            self.string("summary")
                .map(|s| squash_ws(&s))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let near_miss = full && self.near_miss();
        let factors = if full { self.factors() } else { Vec::new() };
        let timing = if full {
            let timing = Timing {
                detected: self.when("timing.detected"),
                mitigated: self.when("timing.mitigated"),
                resolved: self.when("timing.resolved"),
                published: self.when("timing.published"),
            };
            self.timing_table();
            timing
        } else {
            Timing::default()
        };
        let services = self.list("services");
        let teams = self.list("teams");
        let authors = if full {
            self.list("authors")
        } else {
            Vec::new()
        };
        let tags = self.list("tags");
        let recurrence_of = self.list("recurrence_of");
        let similar_pinned = self.list("similar_pinned");
        let similar_hidden = self.list("similar_hidden");
        let source_url = if full {
            self.string("source_url").filter(|s| !s.is_empty())
        } else {
            None
        };
        let impact = if full { self.impact() } else { Vec::new() };
        let action_items = if full {
            self.action_items()
        } else {
            Vec::new()
        };
        let participants = if full {
            self.participants()
        } else {
            Vec::new()
        };
        let reviewers = if full {
            self.list("reviewers")
        } else {
            Vec::new()
        };

        let body = self.body(date, ctx)?;
        let locations = self.locations();
        let front_keys = if full {
            self.raw.keys().cloned().collect()
        } else {
            Vec::new()
        };
        let lint_allow = match self.raw.get("lint_allow").filter(|_| full) {
            None => Vec::new(),
            Some(_) => self.list("lint_allow"),
        };
        Some(Postmortem {
            id,
            source: self.file.to_path_buf(),
            title,
            date,
            severity,
            status,
            visibility,
            summary,
            services,
            teams,
            authors,
            factors,
            tags,
            recurrence_of,
            similar_pinned,
            similar_hidden,
            near_miss,
            timing,
            impact,
            action_items,
            participants,
            reviewers,
            source_url,
            body: body.into(),
            locations,
            front_keys,
            unknown_keys: std::mem::take(&mut self.unknown),
            lint_allow,
            files: Vec::new(),
        })
    }

    /// The id: `id`, else the file stem; an unusable one is reported.
    fn id(&mut self, stem: &str) -> String {
        let id = self.string("id").unwrap_or_else(|| stem.to_string());
        let key = if self.field("id").is_some() { "id" } else { "" };
        if id.len() > MAX_ID {
            self.error(
                key,
                "schema/id",
                format!(
                    "the id is {} characters long; an id may have at most {MAX_ID}",
                    id.chars().count()
                ),
            )
            .suggestion = Some("set a shorter `id` (it becomes the page's folder name)".into());
        } else if !valid_id(&id) {
            self.error(
            key,
            "schema/id",
            format!("`{id}` is not a valid id: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"),
        );
        } else if let Some(reserved) = reserved_id(&id) {
            self.error(
            key,
            "schema/id",
            format!("the id `{id}` is a name the site uses itself (`postmortems/{reserved}`, `recurring/{reserved}`)"),
        )
        .suggestion = Some(if key.is_empty() {
            "rename the file, or set another `id`".into()
        } else {
            "choose another `id`".into()
        });
        }
        id
    }

    /// `title`, required.
    fn title(&mut self) -> String {
        match self.string("title") {
            Some(t) if !t.is_empty() => t,
            _ => {
                self.error("title", "schema/required", "`title` is required".into())
                    .suggestion = Some("add `title = \"What broke, in a few words\"`".into());
                String::new()
            }
        }
    }

    /// The incident's `date`; its absence is an error when the archive says so.
    fn date(&mut self) -> Option<When> {
        let date = self.when("date");
        if date.is_none() && self.field("date").is_none() && self.config.undated == Undated::Error {
            self.error("date", "schema/required", "`date` is required".into())
                .suggestion = Some("add `date = 2025-02-03T14:02:00Z` (when the incident started), or set `undated = \"list\"` in pmarchive.toml".into());
        }
        date
    }

    /// `severity`, one of the configured levels.
    fn severity(&mut self) -> Option<String> {
        match self.string("severity") {
            Some(s) => match self.config.severity(&s) {
                Some(level) => Some(level.to_string()),
                None => {
                    let levels = self.config.severities.join(", ");
                    let origin = self.field("severity").map(|x| x.1).unwrap_or_default();
                    self.error(
                        &origin,
                        "schema/severity",
                        format!("unknown severity `{s}`"),
                    )
                    .suggestion = Some(format!("one of: {levels}"));
                    None
                }
            },
            None => None,
        }
    }

    /// `status`, `published` when not given.
    fn status(&mut self) -> Status {
        match self.string("status").as_deref() {
            None | Some("published") => Status::Published,
            Some("draft") => Status::Draft,
            Some("review") => Status::Review,
            Some(other) => {
                self.error(
                    "status",
                    "schema/status",
                    format!("unknown status `{other}`"),
                )
                .suggestion = Some("one of: draft, review, published".into());
                Status::Published
            }
        }
    }

    /// `visibility`, `internal` when not given; restricted when unreadable (fail closed).
    fn visibility(&mut self) -> Visibility {
        match self.string("visibility").as_deref() {
            None | Some("internal") => Visibility::Internal,
            Some("restricted") => Visibility::Restricted,
            Some(other) => {
                self.error(
                    "visibility",
                    "schema/visibility",
                    format!("unknown visibility `{other}`"),
                )
                .suggestion = Some("one of: internal, restricted".into());
                // Fail closed: an unreadable visibility must not publish.
                Visibility::Restricted
            }
        }
    }

    /// `near_miss`, a boolean.
    fn near_miss(&mut self) -> bool {
        match self.field("near_miss") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((_, origin)) => {
                self.error(
                    &origin,
                    "schema/type",
                    format!("`{origin}` must be true or false"),
                );
                false
            }
        }
    }

    /// The contributing factors, canonical and once each.
    fn factors(&mut self) -> Vec<String> {
        let mut factors = Vec::new();
        for f in self.list("contributing_factors") {
            let slug = self.config.canonical_factor(&f);
            if !factors.contains(&slug) {
                factors.push(slug);
            }
        }
        factors
    }

    /// The body, parsed (empty when only the front matter is read); a body over a limit is reported.
    fn body(&mut self, date: Option<When>, ctx: &ParseContext<'_>) -> Option<crate::model::Body> {
        // CommonMark: U+0000 must become U+FFFD (it would otherwise reach the page as is).
        let text: std::borrow::Cow<'_, str> = if self.split.body.contains('\0') {
            self.split.body.replace('\0', "\u{fffd}").into()
        } else {
            self.split.body.into()
        };
        let parsed = if self.front_only {
            Ok(crate::model::Body::default())
        } else {
            markdown::parse_body(
                &text,
                self.split.body_line,
                date,
                &markdown::BodyOptions {
                    sections: &self.config.sections.known,
                    sanitize: !self.config.trusted_html,
                    highlighter: ctx.highlighter,
                    file: self.file,
                },
            )
        };
        match parsed {
            Ok(body) => Some(body),
            Err(over) => {
                let (at, rule, message, help) = match over {
                    markdown::OverLimit::TooDeep(at) => (
                        at,
                        "schema/too-deep",
                        format!(
                            "lists, quotes or HTML elements nest more than {} levels deep here",
                            limits::MAX_NESTING
                        ),
                        "flatten the nesting",
                    ),
                    markdown::OverLimit::TooMuchMarkup(at) => (
                        at,
                        "schema/too-many",
                        format!(
                            "the body has more than {} lines and Markdown markup characters (`[`, `*`, `_`, `<`, `|`...) outside code blocks: this one is over the limit",
                            limits::MAX_MARKUP
                        ),
                        "put logs and data in fenced code blocks (```), or split the postmortem",
                    ),
                };
                let before = &self.split.body[..original_offset(self.split.body, at)];
                let line = self.split.body_line + before.matches('\n').count();
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                self.diags.push(
                    Diagnostic::error(self.file, (line, column), rule, message).suggest(help),
                );
                None
            }
        }
    }

    /// Where each key is: the aliased fields at their source key, every other key of the front matter.
    fn locations(&self) -> std::collections::BTreeMap<String, (usize, usize)> {
        let mut locations = std::collections::BTreeMap::new();
        let located = if self.front_only {
            &[][..]
        } else {
            crate::config::ALIASABLE_FIELDS
        };
        for name in located {
            if let Some((_, origin)) = self.field(name) {
                locations.insert(name.to_string(), self.at_key(&origin));
            }
        }
        for key in self.raw.keys().filter(|_| !self.front_only) {
            locations
                .entry(key.clone())
                .or_insert_with(|| self.at_key(key));
        }
        locations
    }

    fn impact(&mut self) -> Vec<ImpactFigure> {
        let Some(v) = self.raw.get("impact") else {
            return Vec::new();
        };
        let Some(table) = v.as_object() else {
            self.error("impact", "schema/type", "`impact` must be a table".into());
            return Vec::new();
        };
        let found = nested::unknown_keys(
            self.config,
            "impact",
            "`[impact]`",
            table,
            nested::IMPACT_KEYS,
            &|k| self.at(&[Step::Key("impact"), Step::Key(k)]),
        );
        self.unknown.extend(found);
        let mut out = Vec::new();
        for (k, v) in table {
            match v.as_f64() {
                Some(x) => out.push(ImpactFigure {
                    key: k.clone(),
                    value: x,
                }),
                None => {
                    self.error(
                        &format!("impact.{k}"),
                        "schema/type",
                        format!("`impact.{k}` must be a number"),
                    );
                }
            }
        }
        out
    }

    fn action_items(&mut self) -> Vec<ActionItem> {
        let Some(items) = self.action_item_tables() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.action_item(i, item))
            .collect()
    }

    /// The `[[action_items]]` tables (at most [`limits::MAX_ACTION_ITEMS`]); `None` when there
    /// are none or `action_items` is not a list (reported).
    fn action_item_tables(&mut self) -> Option<&'a [Value]> {
        let v = self.raw.get("action_items")?;
        let Some(items) = v.as_array() else {
            self.error(
                "action_items",
                "schema/type",
                "`action_items` must be an array of tables (`[[action_items]]`)".into(),
            );
            return None;
        };
        let mut items: &[Value] = items;
        if items.len() > limits::MAX_ACTION_ITEMS {
            self.error(
                "action_items",
                "schema/too-many",
                format!(
                    "{} action items; a postmortem may have at most {}",
                    items.len(),
                    limits::MAX_ACTION_ITEMS
                ),
            );
            items = &items[..limits::MAX_ACTION_ITEMS];
        }
        Some(items)
    }

    /// Action item `i` (0-based), `None` when it is not a table (reported); every bad field
    /// is reported and left out.
    fn action_item(&mut self, i: usize, item: &Value) -> Option<ActionItem> {
        let header = [Step::Key("action_items"), Step::Index(i)];
        let Some(t) = item.as_object() else {
            let at = self.at(&header);
            self.diags.push(Diagnostic::error(
                self.file,
                at,
                "schema/type",
                "each action item must be a table",
            ));
            return None;
        };
        let mut ai = ActionItem {
            line: self.at(&header).0,
            ..ActionItem::default()
        };
        let found = nested::unknown_keys(
            self.config,
            "action_items",
            &format!("action item {}", i + 1),
            t,
            nested::ACTION_ITEM_KEYS,
            &|k| self.at(&[Step::Key("action_items"), Step::Index(i), Step::Key(k)]),
        );
        self.unknown.extend(found);
        let mut words = ItemWords::default();
        for (key, value) in t {
            self.action_item_field(i, key, value, &mut ai, &mut words);
        }
        self.action_item_url(i, &mut ai);
        self.action_item_words(i, &mut ai, &words);
        Some(ai)
    }

    /// Reads one `key = value` of action item `i` into `ai` (its status, kind and priority as
    /// written into `words`, parsed once all are read).
    fn action_item_field(
        &mut self,
        i: usize,
        key: &str,
        value: &Value,
        ai: &mut ActionItem,
        words: &mut ItemWords,
    ) {
        let path = [Step::Key("action_items"), Step::Index(i), Step::Key(key)];
        let text = scalar_text(value);
        let slot = match key {
            "id" => &mut ai.id,
            "title" => &mut ai.title,
            "owner" => &mut ai.owner,
            "status" => &mut words.status,
            "kind" => &mut words.kind,
            "priority" => &mut words.priority,
            "ticket" => &mut ai.ticket,
            "url" => &mut ai.url,
            "due" | "closed" => {
                let date = text.as_deref().and_then(parse_when).map(|w| w.date());
                if date.is_none() {
                    let at = self.at(&path);
                    self.diags.push(
                        Diagnostic::error(
                            self.file,
                            at,
                            "schema/date",
                            format!("action item `{key}` is not a valid date"),
                        )
                        .suggest("use a date such as 2025-02-17"),
                    );
                }
                if key == "due" {
                    ai.due = date;
                } else {
                    ai.closed = date;
                }
                return;
            }
            _ => return,
        };
        match text {
            Some(s) if s.contains(is_bidi_control) => {
                let at = self.at(&path);
                self.diags.push(Diagnostic::warning(
                    self.file,
                    at,
                    "schema/bidi-control",
                    format!("action item `{key}` has invisible bidirectional control characters; they are left out of the site"),
                ));
                *slot = s.replace(is_bidi_control, "").trim().to_string();
            }
            Some(s) => *slot = s.trim().to_string(),
            None => {
                let at = self.at(&path);
                self.diags.push(Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!("action item `{key}` must be a string"),
                ));
            }
        }
    }

    /// An action item's `url` must be a web address (else reported and dropped).
    fn action_item_url(&mut self, i: usize, ai: &mut ActionItem) {
        if !ai.url.is_empty() && !crate::weburl::is_web_url(&ai.url) {
            let at = self.at(&[Step::Key("action_items"), Step::Index(i), Step::Key("url")]);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/url",
                    "action item `url` must be an http:// or https:// address",
                )
                .suggest("link the tracker's page, or give its id as `ticket` (linked through `[links] ticket`)"),
            );
            ai.url.clear();
        }
    }

    /// Parses the status, kind and priority of action item `i` once: an unknown status is an
    /// error, an unknown kind or priority a warning (left out of the site).
    fn action_item_words(&mut self, i: usize, ai: &mut ActionItem, words: &ItemWords) {
        let at = |this: &Self, key: &str| {
            this.at(&[Step::Key("action_items"), Step::Index(i), Step::Key(key)])
        };
        if !words.status.is_empty() {
            ai.status = ItemStatus::parse(&words.status);
            ai.status_unknown = ai.status.is_none();
            if ai.status_unknown {
                let at = at(self, "status");
                self.diags.push(
                    Diagnostic::error(
                        self.file,
                        at,
                        "schema/status",
                        format!("unknown action item status `{}`", words.status),
                    )
                    .suggest(format!("one of: {}", ItemStatus::list())),
                );
            }
        }
        if !words.kind.is_empty() {
            ai.kind = ItemKind::parse(&words.kind);
            if ai.kind.is_none() {
                let at = at(self, "kind");
                self.diags.push(
                    Diagnostic::warning(
                        self.file,
                        at,
                        "schema/kind",
                        format!(
                            "unknown action item kind `{}`; it is left out of the site",
                            words.kind
                        ),
                    )
                    .suggest(format!("one of: {}", ItemKind::list())),
                );
            }
        }
        if !words.priority.is_empty() {
            ai.priority = Priority::parse(&words.priority);
            if ai.priority.is_none() {
                let at = at(self, "priority");
                self.diags.push(
                    Diagnostic::warning(
                        self.file,
                        at,
                        "schema/priority",
                        format!(
                            "unknown action item priority `{}`; it is left out of the site",
                            words.priority
                        ),
                    )
                    .suggest(format!("one of: {}", Priority::list())),
                );
            }
        }
    }
}

/// An action item's status, kind and priority as written (trimmed), `""` when not given.
#[derive(Default)]
struct ItemWords {
    status: String,
    kind: String,
    priority: String,
}

impl Fields<'_, '_> {
    /// `[timing]` must be a table; its keys not ours are noted for the unknown-field lint.
    fn timing_table(&mut self) {
        let Some(v) = self.raw.get("timing") else {
            return;
        };
        let Some(table) = v.as_object() else {
            let found = kind(v);
            self.error(
                "timing",
                "schema/type",
                format!("`timing` must be a table of dates; found {found}"),
            )
            .suggestion =
                Some("write `[timing]` with `detected = 2025-02-03T14:09:00Z` and so on".into());
            return;
        };
        let found = nested::unknown_keys(
            self.config,
            "timing",
            "`[timing]`",
            table,
            nested::TIMING_KEYS,
            &|k| self.at(&[Step::Key("timing"), Step::Key(k)]),
        );
        self.unknown.extend(found);
    }
}

/// The keys of a `[[participants]]` table.
const PARTICIPANT_KEYS: &[&str] = &["name", "role"];

impl<'a> Fields<'a, '_> {
    /// `participants`: a list of `{ name, role }` tables (`[[participants]]` in TOML, a list of
    /// maps in YAML). Each table must have both, as text; any other key is an error naming the
    /// nearest known one.
    fn participants(&mut self) -> Vec<Participant> {
        let Some(items) = self.participant_tables() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.participant(i, item))
            .collect()
    }

    /// The `participants` tables (at most [`MAX_LIST`]); `None` when there are none or
    /// `participants` is not a list (reported).
    fn participant_tables(&mut self) -> Option<&'a [Value]> {
        let v = self.raw.get("participants")?;
        let Some(items) = v.as_array() else {
            self.error(
                "participants",
                "schema/type",
                format!(
                    "`participants` must be a list of tables with `name` and `role`; found {}",
                    kind(v)
                ),
            )
            .suggestion = Some(
                "write `[[participants]]` tables (TOML) or a list of maps (YAML), each with `name` and `role`".into(),
            );
            return None;
        };
        let mut items: &[Value] = items;
        if items.len() > MAX_LIST {
            self.error(
                "participants",
                "schema/too-many",
                format!(
                    "`participants` lists {} people; a postmortem may list at most {MAX_LIST}",
                    items.len()
                ),
            );
            items = &items[..MAX_LIST];
        }
        Some(items)
    }

    /// Participant `i` (0-based), `None` unless it is a table with a text `name` and `role`
    /// and nothing else (every problem reported).
    fn participant(&mut self, i: usize, item: &Value) -> Option<Participant> {
        let header = [Step::Key("participants"), Step::Index(i)];
        let Some(t) = item.as_object() else {
            let at = self.at(&header);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!(
                        "participant {} must be a table with `name` and `role`; found {}",
                        i + 1,
                        kind(item)
                    ),
                )
                .suggest("write `{ name = \"...\", role = \"...\" }`"),
            );
            return None;
        };
        let mut p = Participant::default();
        let mut complete = true;
        for key in PARTICIPANT_KEYS {
            complete &= self.participant_field(i, t, key, &mut p);
        }
        for key in t.keys().filter(|k| !PARTICIPANT_KEYS.contains(&k.as_str())) {
            let at = self.at(&[Step::Key("participants"), Step::Index(i), Step::Key(key)]);
            let mut d = Diagnostic::error(
                self.file,
                at,
                "schema/unknown-key",
                format!("participant {} has an unknown key `{key}`", i + 1),
            );
            d = match crate::content::nearest(key, PARTICIPANT_KEYS.iter().copied()) {
                Some(n) => d.suggest(format!("did you mean `{n}`?")),
                None => d.suggest("a participant has only `name` and `role`"),
            };
            self.diags.push(d);
            complete = false;
        }
        complete.then_some(p)
    }

    /// Reads `key` (`name` or `role`) of participant `i` (table `t`) into `p`; false when it
    /// is missing or not text (reported).
    fn participant_field(
        &mut self,
        i: usize,
        t: &Map<String, Value>,
        key: &'static str,
        p: &mut Participant,
    ) -> bool {
        let header = [Step::Key("participants"), Step::Index(i)];
        let mut complete = true;
        let path = [Step::Key("participants"), Step::Index(i), Step::Key(key)];
        let text = match t.get(key) {
            Some(Value::Bool(_)) | Some(Value::Array(_)) | Some(Value::Object(_)) => {
                let at = self.at(&path);
                let found = kind(&t[key]);
                self.diags.push(Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!(
                        "participant {} `{key}` must be a string; found {found}",
                        i + 1
                    ),
                ));
                return false;
            }
            Some(v) => scalar_text(v).unwrap_or_default(),
            None => String::new(),
        };
        let mut text = text.trim().to_string();
        if text.contains(is_bidi_control) {
            let at = self.at(&path);
            self.diags.push(Diagnostic::warning(
                self.file,
                at,
                "schema/bidi-control",
                format!("participant {} `{key}` has invisible bidirectional control characters; they are left out of the site", i + 1),
            ));
            text = text.replace(is_bidi_control, "").trim().to_string();
        }
        if text.is_empty() {
            // At the table: a key it lacks has no line of its own.
            let at = self.at(&header);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/required",
                    format!("participant {} has no `{key}`", i + 1),
                )
                .suggest(format!("add `{key} = \"...\"` to it")),
            );
            complete = false;
        }
        if key == "name" {
            p.name = text;
        } else {
            p.role = text;
        }
        complete
    }
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
mod tests {
    use super::*;

    fn ctx_parse(src: &str, config: &Config) -> (Option<Postmortem>, Vec<Diagnostic>) {
        let hl = Highlighter::new();
        let ctx = ParseContext {
            config,
            highlighter: &hl,
        };
        parse_document(Path::new("content/a.md"), "a", src, &ctx)
    }

    #[test]
    fn forgetting_check_details_keeps_what_pages_read_and_spares_a_shared_body() {
        let src = "+++\ntitle = \"T\"\nservices = [\"api\"]\n+++\n## Summary\nThe *api* failed.\n";
        let (pm, _) = ctx_parse(src, &Config::default());
        let pm = pm.unwrap();
        assert_eq!(pm.body.sections[0].markdown, "The *api* failed.");
        assert!(pm.locations.contains_key("services") && !pm.front_keys.is_empty());
        let mut alone = pm.clone();
        alone.body = std::sync::Arc::new((*pm.body).clone());
        let mut shared = pm.clone();
        alone.forget_check_details();
        shared.forget_check_details();
        assert!(alone.locations.is_empty() && alone.front_keys.is_empty());
        assert_eq!(alone.body.sections[0].markdown, "");
        assert_eq!(alone.body.sections[0].text, pm.body.sections[0].text);
        assert_eq!(alone.body.html, pm.body.html);
        // A body a cache also holds (`serve`) is left whole.
        assert_eq!(shared.body.sections[0].markdown, "The *api* failed.");
    }

    #[test]
    fn too_deep_is_located_in_the_file_even_after_a_nul() {
        let deep = format!("{}x\n", "> ".repeat(limits::MAX_NESTING + 1));
        for pre in ["", "a\0b\0\n\n"] {
            let src = format!("+++\ntitle = \"T\"\n+++\n## Summary\n{pre}é\n\n{deep}");
            let (pm, d) = ctx_parse(&src, &Config::default());
            assert!(pm.is_none());
            let deep_line = 5 + pre.matches('\n').count() + 2;
            let got: Vec<_> = d
                .iter()
                .filter(|d| d.rule == "schema/too-deep")
                .map(|d| (d.line, d.column))
                .collect();
            // The 101st `> ` opens the level too many.
            assert_eq!(got, [(deep_line, 2 * limits::MAX_NESTING + 1)], "{pre:?}");
        }
        assert_eq!(original_offset("a\0b", 0), 0);
        assert_eq!(original_offset("a\0b", 4), 2);
        assert_eq!(original_offset("a\0b", 5), 3);
    }

    #[test]
    fn dates() {
        assert!(!parse_when("2025-02-03").unwrap().has_time);
        let w = parse_when("2025-02-03T14:02:00-07:00").unwrap();
        assert_eq!(w.at.to_rfc3339(), "2025-02-03T21:02:00+00:00");
        assert!(parse_when("2025-13-03").is_none());
        assert!(parse_when("2019-03-14 16:30:00").is_some());
    }

    #[test]
    fn full_document() {
        let src = "+++\ntitle = \"T\"\ndate = 2025-02-03T14:02:00Z\nseverity = \"sev2\"\ncontributing_factors = [\"Canary too short\"]\n[timing]\ndetected = 2025-02-03T14:09:00Z\n[[action_items]]\nid = \"AI-1\"\ntitle = \"x\"\ndue = 2025-02-17\nstatus = \"open\"\n+++\n## Summary\nHi.\n";
        let (pm, d) = ctx_parse(src, &Config::default());
        assert!(d.is_empty(), "{d:?}");
        let pm = pm.unwrap();
        assert_eq!(pm.id, "a");
        assert_eq!(pm.severity.as_deref(), Some("SEV2"));
        assert_eq!(pm.factors, ["canary-too-short"]);
        assert_eq!(pm.minutes_to(pm.timing.detected), Some(7));
        assert_eq!(pm.action_items[0].line, 8);
    }

    #[test]
    fn every_problem_at_once_with_lines() {
        let src = "+++\ntitle = \"T\"\ndate = \"yesterday\"\nseverity = \"SEV9\"\nstatus = \"gone\"\n[[action_items]]\ndue = \"soon\"\n+++\n";
        let (_, d) = ctx_parse(src, &Config::default());
        let got: Vec<(usize, &str)> = d.iter().map(|d| (d.line, d.rule)).collect();
        assert_eq!(
            got,
            [
                (3, "schema/date"),
                (4, "schema/severity"),
                (5, "schema/status"),
                (7, "schema/date")
            ]
        );
    }

    #[test]
    fn aliases_and_templates() {
        let config = Config::parse(
            Path::new("p.toml"),
            r#"undated = "list"
[fields]
id = "uuid"
date = { first = ["start_time", "source_published_at"] }
services = { merge = ["company", "product"] }
contributing_factors = "categories"
title = { first = ["title"], template = "{company} {product} incident" }
"#,
        )
        .unwrap();
        let src = "---\nuuid: abc-1\ncompany: Acme\nproduct: ''\ncategories: [cloud]\nsource_published_at: 2020-01-02T00:00:00Z\n---\nBody.\n";
        let (pm, d) = ctx_parse(src, &config);
        assert!(d.is_empty(), "{d:?}");
        let pm = pm.unwrap();
        assert_eq!(pm.id, "abc-1");
        assert_eq!(pm.title, "Acme incident");
        assert_eq!(pm.services, ["Acme"]);
        assert_eq!(pm.factors, ["cloud"]);
        assert_eq!(pm.date.unwrap().date().to_string(), "2020-01-02");
        let (pm, d) = ctx_parse("---\nuuid: x\ncompany: A\n---\n", &config);
        assert!(d.is_empty() && pm.unwrap().date.is_none());
    }

    #[test]
    fn participants_and_reviewers_in_toml_and_yaml() {
        let toml = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = [\"ana\", \"bo\"]\n[[participants]]\nname = \"Ana\"\nrole = \" SRE \"\n[[participants]]\nname = \"Bo\"\nrole = \"Incident commander\"\n+++\n";
        let yaml = "---\ntitle: T\ndate: 2025-03-01\nreviewers: [ana, bo]\nparticipants:\n  - name: Ana\n    role: SRE\n  - {name: Bo, role: Incident commander}\n---\n";
        let inline = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = \"ana\"\nparticipants = [{ name = \"Ana\", role = \"SRE\" }, { name = \"Bo\", role = \"Incident commander\" }]\n+++\n";
        for src in [toml, yaml, inline] {
            let (pm, d) = ctx_parse(src, &Config::default());
            assert!(d.is_empty(), "{d:?}");
            let pm = pm.unwrap();
            let got: Vec<(&str, &str)> = pm
                .participants
                .iter()
                .map(|p| (p.name.as_str(), p.role.as_str()))
                .collect();
            assert_eq!(got, [("Ana", "SRE"), ("Bo", "Incident commander")], "{src}");
            let want: &[&str] = if src == inline {
                &["ana"]
            } else {
                &["ana", "bo"]
            };
            assert_eq!(pm.reviewers, want);
        }
        let (pm, d) = ctx_parse(
            "+++\ntitle = \"T\"\ndate = 2025-03-01\n+++\n",
            &Config::default(),
        );
        assert!(d.is_empty());
        let pm = pm.unwrap();
        assert!(pm.participants.is_empty() && pm.reviewers.is_empty());
    }

    #[test]
    fn bad_participants_are_located_all_at_once() {
        let src = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = [true]\n[[participants]]\nname = \"Ana\"\nrle = \"SRE\"\n[[participants]]\nname = \"Bo\"\nrole = [\"DBA\"]\n[[participants]]\nrole = \"SRE\"\n+++\n";
        let (pm, mut d) = ctx_parse(src, &Config::default());
        d.sort_by_key(|d| d.line);
        let got: Vec<(usize, usize, &str)> = d.iter().map(|d| (d.line, d.column, d.rule)).collect();
        assert_eq!(
            got,
            [
                (4, 13, "schema/type"),       // reviewers = [true]
                (5, 1, "schema/required"),    // participant 1: no role (at its header)
                (7, 7, "schema/unknown-key"), // rle
                (10, 8, "schema/type"),       // role = ["DBA"]
                (11, 1, "schema/required"),   // participant 3: no name
            ],
            "{d:?}"
        );
        assert_eq!(d[2].suggestion.as_deref(), Some("did you mean `role`?"));
        assert!(d[3]
            .message
            .contains("participant 2 `role` must be a string; found a list"));
        assert!(pm.unwrap().participants.is_empty());
        // YAML: a list of names where maps are expected; a map where a list is.
        let src = "---\ntitle: T\ndate: 2025-03-01\nparticipants:\n  - Ana\n  - name: Bo\n    roel: SRE\n---\n";
        let (_, d) = ctx_parse(src, &Config::default());
        let got: Vec<(usize, &str)> = d.iter().map(|d| (d.line, d.rule)).collect();
        assert_eq!(
            got,
            [
                (5, "schema/type"),
                (6, "schema/required"),
                (7, "schema/unknown-key")
            ],
            "{d:?}"
        );
        assert_eq!(d[2].suggestion.as_deref(), Some("did you mean `role`?"));
        let (_, d) = ctx_parse(
            "---\ntitle: T\ndate: 2025-03-01\nparticipants:\n  name: Ana\n---\n",
            &Config::default(),
        );
        assert_eq!((d[0].line, d[0].rule), (4, "schema/type"));
        assert!(d[0].message.contains("found a table"), "{}", d[0].message);
        // An inline array of tables: at the line of `participants`, at its value.
        let (_, d) = ctx_parse(
            "+++\ntitle = \"T\"\ndate = 2025-03-01\nparticipants = [{ name = \"Ana\", rle = \"SRE\" }]\n+++\n",
            &Config::default(),
        );
        let got: Vec<(usize, usize, &str)> = d.iter().map(|d| (d.line, d.column, d.rule)).collect();
        assert_eq!(
            got,
            [(4, 16, "schema/required"), (4, 16, "schema/unknown-key")],
            "{d:?}"
        );
    }

    #[test]
    fn unsafe_ids_rejected() {
        assert!(!valid_id("../etc"));
        assert!(!valid_id(".hidden"));
        assert!(!valid_id("a/b"));
        assert!(valid_id("2025-02-03-fraud.v2"));
    }
}
