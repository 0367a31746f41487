//! The archive as plain data: what a postmortem is once its file has been read and parsed.
//!
//! No I/O, no templates, no configuration lookups: later passes (taxonomies, recurrence links,
//! search, rendering, `check`) all read these types.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// An instant that may have been written as a bare date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct When {
    /// The instant (midnight UTC for bare dates).
    pub at: DateTime<Utc>,
    /// Whether the source gave a time of day.
    pub has_time: bool,
}

impl When {
    /// The calendar date.
    pub fn date(&self) -> NaiveDate {
        self.at.date_naive()
    }
}

/// Editorial state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not built unless asked for (`--drafts`).
    Draft,
    /// Built, marked as under review.
    Review,
    /// Built.
    Published,
}

/// Who may read a postmortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone in the company.
    Internal,
    /// Never reaches the public (internal) site.
    Restricted,
}

/// When the phases of the incident happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timing {
    /// When the incident was detected.
    pub detected: Option<When>,
    /// When impact was mitigated.
    pub mitigated: Option<When>,
    /// When the incident was resolved.
    pub resolved: Option<When>,
    /// When the postmortem was published.
    pub published: Option<When>,
}

/// One `[impact]` figure, in the order written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactFigure {
    /// The field name (`users_affected`).
    pub key: String,
    /// The number.
    pub value: f64,
}

// The one list of the allowed `status` values of an action item: the reader, check, insights,
// the pages, their JSON and the editors' schema all use it. (The doc comments below are the
// descriptions the editors' schema shows.)
/// Where an action item stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
    /// Decided against, with a reason.
    Wontfix,
}

impl ItemStatus {
    /// Every status, in working order (what needs work first).
    pub const ALL: [ItemStatus; 4] = [
        ItemStatus::Open,
        ItemStatus::InProgress,
        ItemStatus::Done,
        ItemStatus::Wontfix,
    ];

    /// The status as written in front matter and shown in the site (`in-progress`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::InProgress => "in-progress",
            ItemStatus::Done => "done",
            ItemStatus::Wontfix => "wontfix",
        }
    }

    /// The status written as `s`, if it is one.
    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// `open, in-progress, done, wontfix`: the allowed values, for messages.
    pub fn list() -> String {
        ItemStatus::ALL.map(ItemStatus::as_str).join(", ")
    }

    /// Open or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, ItemStatus::Open | ItemStatus::InProgress)
    }
}

impl std::fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// The one list of an action item's kinds, and below of its priorities: the reader parses them
// once; the doc comments are the descriptions the editors' schema shows.
/// What an action item does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Keeps it from happening again.
    Prevent,
    /// Limits its impact next time.
    Mitigate,
    /// Finds it sooner.
    Detect,
    /// Changes how people work.
    Process,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 4] = [
        ItemKind::Prevent,
        ItemKind::Mitigate,
        ItemKind::Detect,
        ItemKind::Process,
    ];

    /// The kind as written in front matter and shown in the site (`prevent`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Prevent => "prevent",
            ItemKind::Mitigate => "mitigate",
            ItemKind::Detect => "detect",
            ItemKind::Process => "process",
        }
    }

    /// The kind written as `s` (in any case), if it is one.
    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// `prevent, mitigate, detect, process`: the allowed values, for messages.
    pub fn list() -> String {
        ItemKind::ALL.map(ItemKind::as_str).join(", ")
    }
}

/// Action item priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
pub enum Priority {
    /// Now.
    P0,
    /// Soon.
    P1,
    /// Planned.
    P2,
    /// When possible.
    P3,
}

impl Priority {
    /// Every priority, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::P0, Priority::P1, Priority::P2, Priority::P3];

    /// The priority as shown in the site (`P1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P0 => "P0",
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
        }
    }

    /// The priority written as `s` (in any case: `p1` is `P1`), if it is one.
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }

    /// `P0, P1, P2, P3`: the allowed values, for messages.
    pub fn list() -> String {
        Priority::ALL.map(Priority::as_str).join(", ")
    }

    /// P0 or P1 (the insights' "high priority").
    pub fn is_high(self) -> bool {
        matches!(self, Priority::P0 | Priority::P1)
    }
}

/// An optional kind, status or priority as its text, `""` when none is given.
pub(crate) fn text_or_empty<T: Copy + Into<&'static str>, S: serde::Serializer>(
    v: &Option<T>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    ser.serialize_str(v.map_or("", Into::into))
}

macro_rules! as_static_str {
    ($($t:ty),*) => {$(
        impl From<$t> for &'static str {
            fn from(v: $t) -> &'static str {
                v.as_str()
            }
        }
    )*};
}
as_static_str!(ItemStatus, ItemKind, Priority);

/// One `[[action_items]]` entry. Empty strings mean "not given" (`check` warns about them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    /// `AI-1`.
    pub id: String,
    /// What will be done.
    pub title: String,
    /// Who owns it (a team or person).
    pub owner: String,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Where it stands; `None` when not given (or not one of [`ItemStatus::ALL`], which the
    /// reader reports as an error).
    #[serde(serialize_with = "text_or_empty")]
    pub status: Option<ItemStatus>,
    /// A `status` was given but is not one of [`ItemStatus::ALL`] (an error already): the item
    /// then counts as neither open nor missing its status.
    #[serde(skip)]
    pub status_unknown: bool,
    /// What it does; `None` when not given (or not one of [`ItemKind::ALL`], which the reader
    /// warns about).
    #[serde(serialize_with = "text_or_empty")]
    pub kind: Option<ItemKind>,
    /// `P0`..`P3`; `None` when not given (or not one of them, which the reader warns about).
    #[serde(serialize_with = "text_or_empty")]
    pub priority: Option<Priority>,
    /// When it was closed.
    pub closed: Option<NaiveDate>,
    /// Its page in the tracker (`http(s)` only; anything else is an error), may be `""`.
    pub url: String,
    /// Its id in the tracker (`PAY-12`), linked through `[links] ticket`; may be `""`.
    pub ticket: String,
    /// 1-based line of its `[[action_items]]` header.
    pub line: usize,
}

impl ActionItem {
    /// Open or in progress.
    pub fn is_open(&self) -> bool {
        match self.status {
            Some(s) => s.is_open(),
            None => !self.status_unknown,
        }
    }

    /// The status, `open` when none is given.
    pub fn status_or_open(&self) -> ItemStatus {
        self.status.unwrap_or(ItemStatus::Open)
    }

    /// Done, and closed on or before its due date.
    pub fn is_done_on_time(&self) -> bool {
        self.status == Some(ItemStatus::Done)
            && matches!((self.closed, self.due), (Some(c), Some(d)) if c <= d)
    }

    /// Open and due before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due.is_some_and(|d| d < today)
    }
}

/// A key of a nested front-matter table that is not one of ours (a typo: `[timing] detcted`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key as written.
    pub key: String,
    /// Where it is, in words: `` `[timing]` ``, `action item 2`.
    pub table: String,
    /// (line, column) of the key.
    pub at: (usize, usize),
    /// The nearest key the table knows, if one is near.
    pub nearest: Option<&'static str>,
}

/// One person who took part in the analysis (`[[participants]]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Participant {
    /// Who (a person or a handle).
    pub name: String,
    /// Their role as written (`SRE`, `Incident commander`); roles are compared folded
    /// ([`crate::config::Config::canonical_role`]).
    pub role: String,
}

/// A heading of the body, for the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1..6.
    pub level: u8,
    /// The anchor id (unique in the page).
    pub anchor: String,
    /// The heading's text.
    pub title: String,
}

/// One top-level section of the body (`## Timeline`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The known section's key (`timeline`), or `None` for a section outside the template.
    pub key: Option<String>,
    /// The heading as written.
    pub heading: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
    /// The section's Markdown, without its heading, trimmed.
    pub markdown: String,
    /// 1-based line of the first line of `markdown` in the file.
    pub markdown_line: usize,
    /// The section's text without markup (for search, similarity and lint).
    pub text: String,
}

/// One timeline bullet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// The time as written (`14:02 UTC`), or `""` when the bullet has none.
    pub label: String,
    /// The instant, resolved against the incident date (rolling over midnight).
    pub at: Option<DateTime<Utc>>,
    /// The event's text.
    pub text: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// The parsed body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Body {
    /// Rendered, sanitised HTML.
    pub html: String,
    /// Headings (all levels) with their anchors.
    pub headings: Vec<Heading>,
    /// The top-level sections. Text before the first heading, if any, is a first section with
    /// an empty heading and no key.
    pub sections: Vec<Section>,
    /// The timeline, parsed from the Timeline section.
    pub timeline: Vec<TimelineEvent>,
    /// Links and images that point into the archive (files beside the postmortem, other
    /// postmortems), in written order. A postmortem link's place in `html` is marked by
    /// [`link_marker`] with its index here, replaced when the site is known.
    pub references: Vec<Reference>,
}

/// A Markdown link or image that points into the archive rather than to the web.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// 1-based line of the link in the file.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The URL as written.
    pub url: String,
    /// What it points at.
    pub target: RefTarget,
}

/// What a [`Reference`] points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RefTarget {
    /// A file (an image, a PDF, a log excerpt), by its path relative to the site root
    /// (lexically normalised; whether it is inside `content/` and exists is checked on load).
    File {
        /// The file, relative to the site root.
        path: PathBuf,
        /// Where the copy goes, relative to the postmortem's page folder (`/`-separated).
        dest: String,
    },
    /// A path that climbs above the site root (`../../etc/passwd`): never looked at.
    Outside,
    /// Another postmortem by its file (`b.md`, `../2024/x.md#timeline`).
    Source {
        /// The file, relative to the site root.
        path: PathBuf,
        /// The heading anchor, if any (percent-decoded).
        anchor: Option<String>,
    },
    /// Another postmortem by id (`pm:ID`, `pm:ID#anchor`).
    Id {
        /// The id.
        id: String,
        /// The heading anchor, if any (percent-decoded).
        anchor: Option<String>,
    },
}

impl RefTarget {
    /// Whether this is a link to another postmortem.
    pub fn is_postmortem(&self) -> bool {
        matches!(self, RefTarget::Source { .. } | RefTarget::Id { .. })
    }

    /// The heading anchor of a postmortem link.
    pub fn anchor(&self) -> Option<&str> {
        match self {
            RefTarget::Source { anchor, .. } | RefTarget::Id { anchor, .. } => anchor.as_deref(),
            _ => None,
        }
    }
}

/// The `href` attribute that stands for postmortem link `n` of a body until the site is known
/// (a space, which Markdown links cannot produce unencoded, keeps it apart from any written
/// link).
pub(crate) fn link_marker(n: usize) -> String {
    format!("href=\"#pmarchive link {n}\"")
}

/// Whether a [`RefTarget::File`] was found on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FileStatus {
    /// A regular file inside the content folder (its resolved path, to copy from).
    Found(PathBuf),
    /// Nothing there.
    Missing,
    /// There, but not a regular file (a folder, a device...).
    NotAFile,
    /// Outside the content folder (by path or through a symbolic link): never opened.
    Outside,
    /// A hidden file or one in a hidden folder: not published.
    Hidden,
    /// In the page-bundle folder of a postmortem the site being built does not show (set by
    /// `enrich`): not copied.
    Private,
}

impl Body {
    /// The section with this key.
    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key.as_deref() == Some(key))
    }
}

/// One postmortem.
#[derive(Debug, Clone, Serialize)]
pub struct Postmortem {
    /// Unique id (file stem unless set).
    pub id: String,
    /// The source file, relative to the site root.
    pub source: PathBuf,
    /// Title.
    pub title: String,
    /// When the incident started; `None` for undated postmortems.
    pub date: Option<When>,
    /// A configured severity level.
    pub severity: Option<String>,
    /// Editorial state.
    pub status: Status,
    /// Who may read it.
    pub visibility: Visibility,
    /// One paragraph.
    pub summary: String,
    /// Affected services.
    pub services: Vec<String>,
    /// Owning teams.
    pub teams: Vec<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Contributing-factor theme slugs, aliases folded, deduplicated, in written order.
    pub factors: Vec<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Ids of earlier incidents of the same class.
    pub recurrence_of: Vec<String>,
    /// Ids the author wants always listed among the similar incidents.
    pub similar_pinned: Vec<String>,
    /// Ids the author never wants listed as similar (a computed link judged wrong).
    pub similar_hidden: Vec<String>,
    /// A near miss (no or little impact).
    pub near_miss: bool,
    /// Phase times.
    pub timing: Timing,
    /// Impact figures.
    pub impact: Vec<ImpactFigure>,
    /// Action items.
    pub action_items: Vec<ActionItem>,
    /// Who took part in the analysis, in written order; empty when not recorded.
    pub participants: Vec<Participant>,
    /// Who reviewed the postmortem (the peer review), in written order.
    pub reviewers: Vec<String>,
    /// Link to the original report, when the archive keeps one.
    pub source_url: Option<String>,
    /// The body.
    pub body: std::sync::Arc<Body>,
    /// (line, column) of each front-matter field present, by name (`timing.detected`), for
    /// diagnostics raised after parsing.
    pub locations: BTreeMap<String, (usize, usize)>,
    /// The top-level front-matter keys as written (for the unknown-field lint).
    pub front_keys: Vec<String>,
    /// Keys of the nested tables (`[timing]`, `[impact]`, `[[action_items]]`) that are not
    /// ours (for the unknown-field lint).
    #[serde(skip)]
    pub unknown_keys: Vec<UnknownKey>,
    /// Lint rules switched off for this document (`lint_allow = ["language/blame"]`).
    pub lint_allow: Vec<String>,
    /// What the load found for each of the body's file references, in the order of
    /// [`Body::references`] (files only).
    pub files: Vec<FileStatus>,
}

impl Postmortem {
    /// Drops what only `check` reads: the sections' Markdown, where each front-matter key is,
    /// and which keys were written (a quarter of a loaded postmortem). `build` calls it once
    /// the archive has passed its checks, so a large archive is not held twice over while it
    /// is indexed and rendered. A body shared with a cache (`serve`) keeps its Markdown.
    pub fn forget_check_details(&mut self) {
        self.locations = BTreeMap::new();
        self.front_keys = Vec::new();
        self.unknown_keys = Vec::new();
        if let Some(body) = std::sync::Arc::get_mut(&mut self.body) {
            for section in &mut body.sections {
                section.markdown = String::new();
            }
        }
    }

    /// Minutes from the start to `t`, when both are known.
    pub fn minutes_to(&self, t: Option<When>) -> Option<i64> {
        Some((t?.at - self.date?.at).num_minutes())
    }
}
