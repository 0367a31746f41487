//! The body cut into sections at its headings: keys from the configured section names, unique
//! heading anchors, each section's text and Markdown.

use super::*;

/// The body cut at its section headings (`starts`), each with its key, lines, text and
/// Markdown, the text before the first one as a section without a heading; and the timeline,
/// from the first section whose key is `timeline`.
pub(super) fn sections_of(
    src: &str,
    first_line: usize,
    events: &[(Event<'_>, std::ops::Range<usize>)],
    starts: &[(usize, usize, String)],
    line_of: &dyn Fn(usize) -> usize,
    date: Option<When>,
    opts: &BodyOptions<'_>,
) -> (Vec<Section>, Vec<TimelineEvent>) {
    let (preamble_text, mut texts) = section_texts(events, starts);
    let mut sections = Vec::new();
    let mut timeline = Vec::new();
    for (k, (start, body_start, title)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map(|s| s.0).unwrap_or(src.len());
        let raw = &src[(*body_start).min(end)..end];
        let key = section_key(title, opts.sections);
        if key.as_deref() == Some("timeline") && timeline.is_empty() {
            timeline = parse_timeline(raw, line_of(*body_start), date);
        }
        let markdown = raw.trim().to_string();
        let lead = raw.len() - raw.trim_start().len();
        let markdown_line = line_of((*body_start).min(end) + lead);
        sections.push(Section {
            markdown_line,
            key,
            heading: title.clone(),
            line: line_of(*start),
            text: std::mem::take(&mut texts[k]),
            markdown,
        });
    }
    let preamble_end = starts.first().map(|s| s.0).unwrap_or(src.len());
    let preamble = &src[..preamble_end];
    if !preamble.trim().is_empty() {
        let lead = preamble.len() - preamble.trim_start().len();
        let markdown = preamble.trim().to_string();
        sections.insert(
            0,
            Section {
                key: None,
                heading: String::new(),
                line: first_line,
                markdown_line: line_of(lead),
                text: preamble_text,
                markdown,
            },
        );
    }
    (sections, timeline)
}

/// Anchors given so far, and the next suffix to try for each base (so a thousand headings of
/// the same name cost a thousand steps, not half a million).
#[derive(Default)]
pub(super) struct Anchors {
    pub(super) used: HashSet<String>,
    pub(super) next: std::collections::HashMap<String, usize>,
}

pub(super) fn unique_anchor(base: &str, anchors: &mut Anchors) -> String {
    if anchors.used.insert(base.to_string()) {
        return base.to_string();
    }
    let n = anchors.next.entry(base.to_string()).or_insert(1);
    loop {
        let anchor = format!("{base}-{n}");
        *n += 1;
        if anchors.used.insert(anchor.clone()) {
            return anchor;
        }
    }
}

pub(super) fn section_key(heading: &str, defs: &[SectionDef]) -> Option<String> {
    let norm = |s: &str| squash_ws(s.trim().trim_end_matches(':')).to_lowercase();
    let h = norm(heading);
    defs.iter()
        .find(|d| norm(&d.title) == h || d.aliases.iter().any(|a| norm(a) == h))
        .map(|d| d.key.clone())
}

/// The plain text ([`plain_text`]) of the preamble and of each section's body, from the events
/// of the whole body: each part is not parsed again on its own. `starts` are the sections'
/// (heading start, body start) offsets, in order; a heading's own events belong to no part.
pub(super) fn section_texts(
    events: &[(Event<'_>, std::ops::Range<usize>)],
    starts: &[(usize, usize, String)],
) -> (String, Vec<String>) {
    let mut preamble = String::new();
    let mut texts = vec![String::new(); starts.len()];
    for (event, range) in events {
        // The last section whose heading starts at or before the event.
        let k = starts.partition_point(|s| s.0 <= range.start);
        let out = match k.checked_sub(1) {
            None => &mut preamble,
            Some(k) if range.start >= starts[k].1 => &mut texts[k],
            Some(_) => continue,
        };
        push_plain(out, event);
    }
    (
        squash_ws(&preamble),
        texts.iter().map(|t| squash_ws(t)).collect(),
    )
}
