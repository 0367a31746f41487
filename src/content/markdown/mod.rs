//! Markdown body -> sanitised HTML, headings with anchors, the standard sections as named parts,
//! and the timeline as timestamped events. Pure: text in, data out.
//!
//! Code blocks are highlighted by syntect into CSS classes (prefix `hl-`), so one generated
//! stylesheet serves light and dark mode. Raw HTML is cleaned by ammonia unless the archive
//! trusts its authors.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::config::SectionDef;
use crate::model::{Body, Heading, Section, TimelineEvent, When};
use crate::text::{slugify, squash_ws};

mod highlight;
pub use highlight::*;
mod sections;
use sections::*;
mod timeline;
pub(crate) use timeline::*;

/// What body parsing needs to know.
pub(crate) struct BodyOptions<'a> {
    /// The known sections.
    pub sections: &'a [SectionDef],
    /// Clean raw HTML.
    pub sanitize: bool,
    /// Code highlighting.
    pub highlighter: &'a Highlighter,
    /// The file, relative to the site root: relative links and images are resolved against its
    /// folder ([`super::refs`]).
    pub file: &'a std::path::Path,
}

fn heading_level(l: HeadingLevel) -> u8 {
    l as u8
}

/// Parses a body that starts at 1-based line `first_line` of its file; refuses one that nests
/// too deep or holds too much markup (see [`super::limits`]). The steps: the limits, the
/// events, the page's HTML ([`render_events`]: anchored headings, highlighted code, links and
/// images resolved), then the sections and the timeline ([`sections_of`]).
pub(crate) fn parse_body(
    src: &str,
    first_line: usize,
    date: Option<When>,
    opts: &BodyOptions<'_>,
) -> Result<Body, OverLimit> {
    // Before the parser, whose memory grows with the markup.
    if let Some(at) = super::limits::too_much_markup(src) {
        return Err(OverLimit::TooMuchMarkup(at));
    }
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let events: Vec<(Event<'_>, std::ops::Range<usize>)> =
        Parser::new_ext(src, options).into_offset_iter().collect();
    // Before anything whose cost grows with the depth (the sanitiser).
    if let Some(at) = super::limits::too_deep(&events) {
        return Err(OverLimit::TooDeep(at));
    }
    // Line starts, so each offset's line is a binary search (not a scan: bodies can have
    // thousands of sections).
    let newlines: Vec<usize> = src.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |offset: usize| first_line + newlines.partition_point(|&n| n < offset);
    let rendered = render_events(src, &events, &line_of, opts);
    let mut body_html = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut body_html, rendered.out.into_iter());
    if opts.sanitize && (needs_sanitizer(&events) || has_controls(src)) {
        body_html = sanitize(&body_html);
    }
    let (sections, timeline) = sections_of(
        src,
        first_line,
        &events,
        &rendered.starts,
        &line_of,
        date,
        opts,
    );
    // Kept until the page is rendered, for every postmortem at once: its exact size, not the
    // room it was written in (half as much again, a tenth of a large build's peak memory).
    body_html.shrink_to_fit();
    Ok(Body {
        html: body_html,
        headings: rendered.headings,
        sections,
        timeline,
        references: rendered.references,
    })
}

/// Which heading level splits the document into sections: 2 if present (h1 is usually a
/// title), else the highest used.
fn section_level(events: &[(Event<'_>, std::ops::Range<usize>)]) -> u8 {
    let levels: BTreeSet<u8> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(heading_level(*level)),
            _ => None,
        })
        .collect();
    if levels.contains(&2) {
        2
    } else {
        levels.first().copied().unwrap_or(2)
    }
}

/// A body's events as the page shows them, and what was found on the way.
struct Rendered<'e> {
    out: Vec<Event<'e>>,
    headings: Vec<Heading>,
    /// Per section heading: (heading start, body start, title).
    starts: Vec<(usize, usize, String)>,
    references: Vec<crate::model::Reference>,
}

/// Turns the events into the page's: headings with unique anchors and a link to themselves,
/// code blocks highlighted (within [`super::limits::MAX_HIGHLIGHTED`]), links and images
/// resolved ([`super::refs::rewrite`]); everything else as it is.
fn render_events<'e>(
    src: &str,
    events: &[(Event<'e>, std::ops::Range<usize>)],
    line_of: &dyn Fn(usize) -> usize,
    opts: &BodyOptions<'_>,
) -> Rendered<'e> {
    let section_level = section_level(events);
    let mut r = Rendered {
        out: Vec::with_capacity(events.len()),
        headings: Vec::new(),
        starts: Vec::new(),
        references: Vec::new(),
    };
    let mut used = Anchors::default();
    let mut highlighted = 0usize;
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = heading_level(*level);
                i = r.heading(src, events, i, level, section_level, &mut used);
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let (code, j) = code_text(events, i);
                r.out.push(code_block(kind, &code, &mut highlighted, opts));
                i = j + 1;
            }
            Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => {
                let at = || {
                    let line_start = src[..range.start].rfind('\n').map_or(0, |i| i + 1);
                    let column = src[line_start..range.start].chars().count() + 1;
                    (line_of(range.start), column)
                };
                r.out.push(super::refs::rewrite(
                    event,
                    opts.file,
                    at,
                    &mut r.references,
                ));
                i += 1;
            }
            other => {
                r.out.push(other.clone());
                i += 1;
            }
        }
    }
    r
}

impl<'e> Rendered<'e> {
    /// The heading starting at event `i` (of `level`): its markup with a unique anchor and a
    /// link to itself, its entry, and a section start when it is of `section_level`. Returns
    /// the index of the event after its end.
    fn heading(
        &mut self,
        src: &str,
        events: &[(Event<'e>, std::ops::Range<usize>)],
        i: usize,
        level: u8,
        section_level: u8,
        used: &mut Anchors,
    ) -> usize {
        let range = &events[i].1;
        let mut j = i + 1;
        let mut inner = Vec::new();
        let mut title = String::new();
        while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::Heading(_))) {
            if let Event::Text(t) | Event::Code(t) = &events[j].0 {
                title.push_str(t);
            }
            inner.push(events[j].0.clone());
            j += 1;
        }
        let title = squash_ws(&title);
        let anchor = unique_anchor(&slugify(&title), used);
        let mut inner_html = String::new();
        html::push_html(&mut inner_html, inner.into_iter());
        self.out.push(Event::Html(CowStr::from(format!(
            "<h{level} id=\"{anchor}\">{inner_html} <a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></h{level}>\n"
        ))));
        if level == section_level {
            let end = events.get(j).map(|e| e.1.end).unwrap_or(src.len());
            self.starts.push((range.start, end, title.clone()));
        }
        self.headings.push(Heading {
            level,
            anchor,
            title,
        });
        j + 1
    }
}

/// The text of the code block starting at event `i`, and the index of its end event.
fn code_text(events: &[(Event<'_>, std::ops::Range<usize>)], i: usize) -> (String, usize) {
    let mut code = String::new();
    let mut j = i + 1;
    while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::CodeBlock)) {
        if let Event::Text(t) = &events[j].0 {
            code.push_str(t);
        }
        j += 1;
    }
    (code, j)
}

/// A code block's markup: highlighted when it names a language and the body's budget of
/// highlighted bytes (`highlighted` so far) allows (highlighting costs a hundred times the
/// code's size in memory), plain otherwise.
fn code_block<'e>(
    kind: &CodeBlockKind<'_>,
    code: &str,
    highlighted: &mut usize,
    opts: &BodyOptions<'_>,
) -> Event<'e> {
    let lang = match kind {
        CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or("").to_string(),
        CodeBlockKind::Indented => String::new(),
    };
    let lang_class = slugify(&lang);
    let budget = *highlighted + code.len() <= super::limits::MAX_HIGHLIGHTED;
    if budget && !lang.is_empty() {
        *highlighted += code.len();
    }
    let inner = (budget && !lang.is_empty())
        .then(|| opts.highlighter.highlight(&lang, code))
        .flatten()
        .unwrap_or_else(|| escape_html(code));
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{lang_class}\"")
    };
    Event::Html(CowStr::from(format!(
        "<pre class=\"code\" tabindex=\"0\"><code{class}>{inner}</code></pre>\n"
    )))
}

/// Why a body is not rendered, with the byte offset where it goes over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverLimit {
    /// Nested deeper than [`super::limits::MAX_NESTING`].
    TooDeep(usize),
    /// More lines and markup than [`super::limits::MAX_MARKUP`].
    TooMuchMarkup(usize),
}

/// What one event adds to a plain text.
fn push_plain(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) | Event::Code(t) => out.push_str(t),
        Event::End(
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image,
        ) => {}
        Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
        _ => {}
    }
}

/// The text of some Markdown without markup, one space between blocks.
pub(crate) fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        push_plain(&mut out, &event);
    }
    squash_ws(&out)
}

pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether the Markdown can produce anything unsafe: raw HTML, or a link or image whose URL has
/// a scheme other than http, https and mailto (`javascript:`, `data:`...). Without either,
/// pulldown-cmark's own output is already safe (it escapes all text and attributes), and the
/// sanitiser, a fifth of the cost of loading a postmortem, is skipped.
fn needs_sanitizer(events: &[(Event<'_>, std::ops::Range<usize>)]) -> bool {
    events.iter().any(|(e, _)| match e {
        Event::Html(_) | Event::InlineHtml(_) => true,
        // A link to a postmortem by id is replaced before it reaches the page.
        Event::Start(Tag::Link { dest_url, .. })
            if dest_url.starts_with(super::refs::ID_PREFIX) =>
        {
            false
        }
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            !is_plain_url(dest_url)
        }
        _ => false,
    })
}

/// Control characters other than tab and line ends (a NUL in the text): the sanitiser's HTML
/// parser replaces or drops them, pulldown-cmark passes most through.
fn has_controls(src: &str) -> bool {
    src.bytes()
        .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
}

/// A relative URL (no scheme before the first `/`, `?` or `#`) or an http(s)/mailto one.
fn is_plain_url(url: &str) -> bool {
    match url.find([':', '/', '?', '#']) {
        Some(i) if url.as_bytes()[i] == b':' => {
            matches!(
                url[..i].to_ascii_lowercase().as_str(),
                "http" | "https" | "mailto"
            )
        }
        _ => true,
    }
}

fn sanitize(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["class"]);
    b.add_tag_attributes("a", ["aria-label"]);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6", "sup", "li", "div"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b.add_tags(["input"]);
    b.add_tag_attributes("input", ["type", "checked", "disabled"]);
    b.clean(html).to_string()
}

#[cfg(test)]
mod tests;
