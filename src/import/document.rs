//! One exported document read as Markdown (an HTML export is converted first): its title, its
//! metadata (a key/value table or `Key: value` lines under the title), its headings mapped to
//! the standard sections, the action items under that section, and the images it shows. Pure:
//! the caller decides where images go, then [`Parsed::body`] writes the body with the edits.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use super::blocks::{blocks, squash, Block, Kind};
pub(crate) use super::blocks::{Image, Text};

use super::names::{norm_key, SectionNames};
use crate::text::line_col;

/// A `Key: value` pair of the metadata.
#[derive(Debug, Clone)]
pub(crate) struct MetaEntry {
    /// The key as written.
    pub key: String,
    /// The value.
    pub value: Text,
}

/// An action item as found, before its values are read.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawItem {
    /// Each column (by our action-item field: `title`, `owner`, `due`...) or, for a list item,
    /// `title` only.
    pub cells: Vec<(&'static str, Text)>,
    /// A task list's box (`- [x]`).
    pub checked: Option<bool>,
}

/// What one heading became.
#[derive(Debug, Clone)]
pub(crate) struct HeadingMap {
    /// The heading as written.
    pub text: String,
    /// The standard section's key, when it names one.
    pub section: Option<String>,
    /// Whether it repeated a section already mapped (kept as a subheading).
    pub repeated: bool,
}

/// A document read.
#[derive(Debug)]
pub(crate) struct Parsed<'s> {
    src: &'s str,
    /// The title and its line.
    pub title: Option<(String, usize)>,
    /// The metadata, in order.
    pub meta: Vec<MetaEntry>,
    /// Every heading after the title.
    pub headings: Vec<HeadingMap>,
    /// The action items and where they came from (`a table`, `a list`).
    pub items: Vec<RawItem>,
    /// What the items were read from, with its line.
    pub items_from: Option<(&'static str, usize)>,
    /// The images, in order.
    pub images: Vec<Image>,
    /// The first paragraph of the summary section (for `summary` when the metadata has none).
    pub summary_text: Option<String>,
    /// Edits to the source (title and metadata removed, headings renamed), sorted.
    edits: Vec<(Range<usize>, String)>,
    /// Where sections made from metadata values go (before the first section), and the keys
    /// the document has a heading for.
    sections_at: usize,
    /// Section keys the document has a heading for.
    pub section_keys: Vec<String>,
    /// Rows of timeline tables written as timeline bullets.
    pub timeline_events: usize,
}

/// Reads `src`.
pub(crate) fn parse<'s>(src: &'s str, names: &SectionNames) -> Parsed<'s> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
    let parser = Parser::new_ext(src, opts);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (_, def) in parser.reference_definitions().iter() {
        if def.dest.starts_with("data:") {
            edits.push((def.span.clone(), String::new()));
        }
    }
    let (blocks, mut images) = blocks(parser);
    for img in &mut images {
        img.line = line_col(src, img.range.start).0;
    }
    let mut p = Parsed {
        src,
        title: None,
        meta: Vec::new(),
        headings: Vec::new(),
        items: Vec::new(),
        items_from: None,
        images,
        summary_text: None,
        edits,
        sections_at: src.len(),
        section_keys: Vec::new(),
        timeline_events: 0,
    };
    let Some(title_at) = blocks
        .iter()
        .position(|b| matches!(b.kind, Kind::Heading(..)))
    else {
        return p;
    };
    let Kind::Heading(title_level, title) = &blocks[title_at].kind else {
        unreachable!("found above")
    };
    p.title = Some((title.text.clone(), p.line(blocks[title_at].range.start)));
    p.edits
        .push((blocks[title_at].range.clone(), String::new()));
    let rest = &blocks[title_at + 1..];
    let first_heading = rest
        .iter()
        .position(|b| matches!(b.kind, Kind::Heading(..)))
        .unwrap_or(rest.len());
    for b in &rest[..first_heading] {
        if let Some(entries) = metadata(src, b) {
            p.meta.extend(
                entries
                    .into_iter()
                    .map(|(key, value)| MetaEntry { key, value }),
            );
            p.edits.push((b.range.clone(), String::new()));
        }
    }
    if let Some(b) = rest.get(first_heading) {
        p.sections_at = b.range.start;
    }
    let base = rest
        .iter()
        .find_map(|b| match b.kind {
            Kind::Heading(l, _) => Some(l),
            _ => None,
        })
        .unwrap_or(title_level + 1);
    let mut at = SectionAt {
        base,
        current: None,
        level: base,
    };
    for b in &rest[first_heading..] {
        match &b.kind {
            Kind::Heading(level, text) => p.heading(b, *level, text, &mut at, names),
            _ => p.section_block(b, at.current.as_deref()),
        }
    }
    p
}

/// Where the section headings are: the level of the first one (`base`), and the section the
/// blocks read are in (and its heading's level).
struct SectionAt {
    base: usize,
    current: Option<String>,
    level: usize,
}

impl Parsed<'_> {
    /// A heading after the title: a standard section's (renamed, once), another section's at
    /// the base level, or a subheading (one level below its section's at least).
    fn heading(
        &mut self,
        b: &Block,
        level: usize,
        text: &Text,
        at: &mut SectionAt,
        names: &SectionNames,
    ) {
        let key = names.section_of(&text.text);
        let repeated = key.as_ref().is_some_and(|k| self.section_keys.contains(k));
        let written = match (&key, repeated) {
            (Some(k), false) => {
                self.section_keys.push(k.clone());
                at.current = Some(k.clone());
                at.level = level;
                format!("## {}", names.title_of(k))
            }
            _ if level <= at.base && !repeated => {
                at.current = None;
                at.level = level;
                format!("## {}", text.text)
            }
            _ => {
                let depth = (level.saturating_sub(at.level) + 2).clamp(3, 6);
                format!("{} {}", "#".repeat(depth), text.text)
            }
        };
        self.edits.push((b.range.clone(), written));
        self.headings.push(HeadingMap {
            text: text.text.clone(),
            section: key,
            repeated,
        });
    }

    /// A block in section `current`: the action items' table or list, the timeline's table,
    /// the summary's first paragraph.
    fn section_block(&mut self, b: &Block, current: Option<&str>) {
        match &b.kind {
            Kind::Table(rows) if current == Some("action_items") && self.items_from.is_none() => {
                self.items = table_items(rows);
                self.items_from = Some(("a table", self.line(b.range.start)));
            }
            Kind::List(items) if current == Some("action_items") && self.items_from.is_none() => {
                self.items = items
                    .iter()
                    .map(|(t, checked)| RawItem {
                        cells: vec![("title", t.clone())],
                        checked: *checked,
                    })
                    .collect();
                self.items_from = Some(("a list", self.line(b.range.start)));
            }
            Kind::Table(rows) if current == Some("timeline") => {
                if let Some(bullets) = timeline_bullets(rows) {
                    self.timeline_events += bullets.len();
                    self.edits.push((b.range.clone(), bullets.join("\n")));
                }
            }
            Kind::Paragraph if current == Some("summary") && self.summary_text.is_none() => {
                let text = plain(&self.src[b.range.clone()]).text;
                self.summary_text = Some(text).filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }

    fn line(&self, at: usize) -> usize {
        line_col(self.src, at).0
    }

    /// The body: the source with the title and metadata taken out, headings renamed, image
    /// `i` pointing at `dests[i]` (unchanged when `None`), `extra` (left-over metadata, sections
    /// made from metadata values) before the first section.
    pub(crate) fn body(&self, dests: &[Option<String>], lead: &str, extra: &str) -> String {
        let mut edits = self.edits.clone();
        for (img, dest) in self.images.iter().zip(dests) {
            if let Some(d) = dest {
                edits.push((img.range.clone(), format!("![{}]({d})", img.alt)));
            }
        }
        if !extra.is_empty() {
            edits.push((self.sections_at..self.sections_at, format!("{extra}\n\n")));
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::from(lead);
        let mut at = 0;
        for (range, text) in edits {
            if range.start < at {
                continue;
            }
            out.push_str(&self.src[at..range.start]);
            out.push_str(&text);
            if self.src[range.clone()].ends_with('\n') && !text.is_empty() {
                out.push('\n');
            }
            at = range.end;
        }
        out.push_str(&self.src[at..]);
        tidy(&out)
    }
}

/// Blank-line runs as one blank line, trailing spaces of lines that are not hard breaks gone.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if blank > 0 && !out.is_empty() {
            out.push('\n');
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The plain text of inline Markdown (and its first link).
pub(crate) fn plain(md: &str) -> Text {
    let mut t = Text::default();
    for event in Parser::new(md) {
        match event {
            Event::Text(s) | Event::Code(s) => t.text.push_str(&s),
            Event::SoftBreak | Event::HardBreak => t.text.push(' '),
            Event::Start(Tag::Link { dest_url, .. }) if t.link.is_none() => {
                t.link = Some(dest_url.to_string())
            }
            _ => {}
        }
    }
    t.text = squash(&t.text);
    t
}

/// The key/value pairs of a block that is metadata: a two-column table, a table of one row
/// under its header, or lines (or list items) that are all `Key: value`.
fn metadata(src: &str, b: &Block) -> Option<Vec<(String, Text)>> {
    match &b.kind {
        Kind::Table(rows) if !rows.is_empty() && rows.iter().all(|r| r.len() == 2) => {
            let header = |r: &[Text]| {
                matches!(
                    norm_key(&r[0].text).as_str(),
                    "field" | "key" | "property" | "name"
                ) && matches!(norm_key(&r[1].text).as_str(), "value" | "details" | "")
            };
            Some(
                rows.iter()
                    .filter(|r| !header(r) && !r[0].text.is_empty())
                    .map(|r| (r[0].text.trim_end_matches(':').to_string(), r[1].clone()))
                    .collect(),
            )
        }
        Kind::Table(rows) if rows.len() == 2 && rows[0].len() > 2 => Some(
            rows[0]
                .iter()
                .zip(&rows[1])
                .filter(|(k, _)| !k.text.is_empty())
                .map(|(k, v)| (k.text.clone(), v.clone()))
                .collect(),
        ),
        Kind::Paragraph | Kind::List(_) => {
            let mut out = Vec::new();
            for line in src[b.range.clone()].lines() {
                if line.trim().is_empty() {
                    continue;
                }
                let (key, value) = key_value(line)?;
                if !value.text.is_empty() {
                    out.push((key, value));
                }
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    }
}

/// `Key: value`, `**Key:** value`, `- Key: value`: the key (1 to 6 words of at most 40
/// characters) and the value.
fn key_value(line: &str) -> Option<(String, Text)> {
    let line = line.trim();
    let line = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .unwrap_or(line);
    let (key, value) = line.split_once(':')?;
    let key = key.trim().trim_matches(['*', '_']).trim();
    let value = value.trim().trim_start_matches(['*', '_']).trim();
    let words = key.split_whitespace().count();
    let key_ok = (1..=6).contains(&words)
        && key.chars().count() <= 40
        && !key.contains("http")
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || " /-()'&.".contains(c));
    key_ok.then(|| (key.to_string(), plain(value)))
}

/// A timeline table (a time column, then what happened) as the bullets the archive's timeline
/// reads (`- 08:29 UTC: Resolver restarted.`), `UTC` added when the header says the times are.
fn timeline_bullets(rows: &[Vec<Text>]) -> Option<Vec<String>> {
    let (header, body) = rows.split_first()?;
    let first = norm_key(&header.first()?.text);
    let timed = ["time", "date", "when", "timestamp"]
        .iter()
        .any(|w| first.starts_with(w));
    if header.len() != 2 || !timed {
        return None;
    }
    let utc = first.split(' ').any(|w| w == "utc");
    let bullets = body
        .iter()
        .filter(|r| r.len() == 2 && !r[0].text.is_empty())
        .map(|r| {
            let zone = if utc && !r[0].text.contains("UTC") {
                " UTC"
            } else {
                ""
            };
            format!("- {}{zone}: {}", r[0].text, r[1].text)
        })
        .collect();
    Some(bullets)
}

/// The action items of a table: columns mapped to our fields by their header.
fn table_items(rows: &[Vec<Text>]) -> Vec<RawItem> {
    let Some((header, body)) = rows.split_first() else {
        return Vec::new();
    };
    let mut columns: Vec<Option<&'static str>> =
        header.iter().map(|h| item_column(&h.text)).collect();
    if !columns.contains(&Some("title")) {
        if let Some(first) = columns.iter_mut().find(|c| c.is_none()) {
            *first = Some("title");
        }
    }
    body.iter()
        .map(|row| RawItem {
            cells: columns
                .iter()
                .zip(row)
                .filter_map(|(c, t)| c.map(|c| (c, t.clone())))
                .collect(),
            checked: None,
        })
        .filter(|item| {
            item.cells
                .iter()
                .any(|(c, t)| *c == "title" && !t.text.is_empty())
        })
        .collect()
}

/// Our action-item field a column header names.
fn item_column(header: &str) -> Option<&'static str> {
    let h = norm_key(header);
    let is = |names: &[&str]| names.contains(&h.as_str());
    if is(&[
        "action item",
        "action",
        "action items",
        "item",
        "title",
        "task",
        "description",
        "what",
        "follow up",
        "summary",
        "name",
        "remediation",
    ]) {
        Some("title")
    } else if is(&[
        "owner",
        "owners",
        "assignee",
        "assigned to",
        "who",
        "responsible",
        "dri",
        "owner team",
    ]) {
        Some("owner")
    } else if is(&[
        "due",
        "due date",
        "deadline",
        "by when",
        "target date",
        "when",
        "eta",
        "due by",
    ]) {
        Some("due")
    } else if is(&["status", "state", "done", "progress"]) {
        Some("status")
    } else if is(&[
        "ticket",
        "issue",
        "jira",
        "jira ticket",
        "bug",
        "tracking",
        "link",
        "tracker",
        "reference",
        "tracking bug",
        "issue link",
    ]) {
        Some("ticket")
    } else if is(&["priority", "pri", "prio"]) {
        Some("priority")
    } else if is(&["type", "kind", "category", "action type"]) {
        Some("kind")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn title_metadata_sections_and_items() {
        let names = SectionNames::new(&Config::default());
        let src = "# Checkout down\n\nDate: 2024-03-05\n**Severity:** SEV2\n\nIntro text.\n\n\
                   ## Root cause analysis\n\nA cache.\n\n### Details\n\nMore.\n\n## Follow-ups\n\n\
                   | Action | Owner | Due |\n| --- | --- | --- |\n| Add alert | sre | 2024-04-01 |\n\n\
                   ## Appendix\n\n![g](img/g.png)\n";
        let p = parse(src, &names);
        assert_eq!(p.title.as_ref().unwrap().0, "Checkout down");
        assert_eq!(p.meta.len(), 2);
        assert_eq!(p.meta[1].key, "Severity");
        assert_eq!(p.meta[1].value.text, "SEV2");
        let sections: Vec<_> = p.headings.iter().map(|h| h.section.clone()).collect();
        assert_eq!(
            sections,
            [
                Some("root_cause".into()),
                None,
                Some("action_items".into()),
                None
            ]
        );
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.images[0].dest, "img/g.png");
        let body = p.body(&[Some("x/g.png".into())], "", "");
        assert!(
            body.starts_with(
                "Intro text.\n\n## Root cause and contributing factors\n\nA cache.\n\n### Details"
            ),
            "{body}"
        );
        assert!(body.contains("## Action items\n"), "{body}");
        assert!(body.contains("## Appendix\n\n![g](x/g.png)"), "{body}");
        assert!(!body.contains("Severity"), "{body}");
    }
}
