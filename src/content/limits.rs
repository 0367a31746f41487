//! Limits that keep hostile input from costing time or memory out of proportion to its size.
//!
//! Some stages are superlinear in one dimension of the input: the HTML sanitiser (html5ever)
//! checks the stack of open elements for every element, so its cost grows with the square of
//! the nesting depth; the front-matter locator scans the front matter once per field it
//! locates. Real postmortems stay far below these limits; a file over one is a located error
//! and its body is not rendered.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

/// How deep lists, block quotes and raw HTML elements may nest in a body.
pub(crate) const MAX_NESTING: usize = 100;

/// Top-level front-matter fields a postmortem may have.
pub(crate) const MAX_FIELDS: usize = 200;

/// Action items a postmortem may have.
pub(crate) const MAX_ACTION_ITEMS: usize = 500;

/// How many bytes of code a body may have highlighted; code blocks past it are shown plain
/// (syntect took 1.2 GB and 8 s for 8 MB of JSON).
pub(crate) const MAX_HIGHLIGHTED: usize = 256 * 1024;

/// How many lines and markup characters a body may have (see [`too_much_markup`]).
pub(crate) const MAX_MARKUP: usize = 400_000;

/// The byte offset in `body` where its lines and markup characters first number more than
/// [`MAX_MARKUP`], if they do.
///
/// The Markdown parser keeps a node for (nearly) every line and every markup character of the
/// whole body, each of which becomes an event, HTML, and, for raw HTML and tables, a node of
/// the sanitiser's tree: some hundreds of bytes for each of those characters. Eight megabytes
/// of `[` took 2.4 GB; so this counts, in one pass before the parser runs, every line break,
/// and outside fenced code blocks every `[`, `]`, `*`, `_`, `~`, `` ` ``, `!`, `<`, `&`, `\`
/// and `|`. Prose has one every few dozen characters, so a long postmortem stays far below.
pub(crate) fn too_much_markup(body: &str) -> Option<usize> {
    let mut count = 0usize;
    let mut fence: Option<(u8, usize)> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        match fence {
            Some((ch, len)) => {
                if closes_fence(line, ch, len) {
                    fence = None;
                }
            }
            None => {
                fence = opens_fence(line);
                if fence.is_none() {
                    for (i, b) in line.bytes().enumerate() {
                        if matches!(
                            b,
                            b'[' | b']'
                                | b'*'
                                | b'_'
                                | b'~'
                                | b'`'
                                | b'!'
                                | b'<'
                                | b'&'
                                | b'\\'
                                | b'|'
                        ) {
                            count += 1;
                            if count > MAX_MARKUP {
                                return Some(start + i);
                            }
                        }
                    }
                }
            }
        }
        // Every line, code included, is a node of its own.
        count += 1;
        if count > MAX_MARKUP {
            return Some(start);
        }
    }
    None
}

/// The fence a line opens (`` ``` `` or `~~~`, at most three spaces in), as CommonMark reads it.
fn opens_fence(line: &str) -> Option<(u8, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let ch = *t.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = t.bytes().take_while(|&b| b == ch).count();
    // A backtick fence's info string may not hold a backtick (that is inline code instead).
    (len >= 3 && !(ch == b'`' && t[len..].contains('`'))).then_some((ch, len))
}

/// Whether `line` closes a fence of `len` `ch`.
fn closes_fence(line: &str, ch: u8, len: usize) -> bool {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return false;
    }
    let run = t.bytes().take_while(|&b| b == ch).count();
    run >= len && t[run..].trim().is_empty()
}

/// How deep `[` and `{` may nest in YAML front matter (real postmortems nest two or three).
pub(crate) const MAX_FRONT_NESTING: usize = 64;

/// How many `[` and `{` YAML front matter may hold in all (a list of 1,000 names holds one;
/// 500 action items as flow tables, 500).
pub(crate) const MAX_FRONT_BRACKETS: usize = 10_000;

/// Why front matter is refused before it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrontLimit {
    /// `[` or `{` nested deeper than [`MAX_FRONT_NESTING`].
    TooDeep,
    /// More than [`MAX_FRONT_BRACKETS`] of them.
    TooMany,
}

/// The byte offset in `front` of the first `[` or `{` over a front-matter limit, if any.
///
/// The YAML parser's time grows with the square of the nesting of flow collections (it
/// revisits every open level for each token: 200,000 levels took over a minute), so this runs
/// first, in one pass: brackets nest, counted with their closing ones, wherever they are
/// (even quoted: a close inside quotes can hide an open, but then the total stays bounded,
/// and so does the parser's time).
pub(crate) fn front_over_limit(front: &str) -> Option<(usize, FrontLimit)> {
    let mut depth = 0usize;
    let mut opened = 0usize;
    for (i, b) in front.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                opened += 1;
                if depth > MAX_FRONT_NESTING {
                    return Some((i, FrontLimit::TooDeep));
                }
                if opened > MAX_FRONT_BRACKETS {
                    return Some((i, FrontLimit::TooMany));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// HTML elements that never hold others (no closing tag).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The byte offset where the nesting of a body's parsed `events` (with their byte ranges) first
/// goes deeper than [`MAX_NESTING`], if it does. Counts nested lists (each level once: its
/// items are not another level), block quotes and footnotes, and the elements opened by raw
/// HTML (approximately: every `<name` opens unless void or self-closing, every `</` closes).
/// Run on the events the page is made from, before anything whose cost grows with the depth.
pub(crate) fn too_deep(events: &[(Event<'_>, Range<usize>)]) -> Option<usize> {
    let mut blocks: usize = 0;
    let mut html: usize = 0;
    for (event, range) in events {
        match event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)) => {
                blocks += 1
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                blocks = blocks.saturating_sub(1)
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                let (after, deepest) = html_depth(text, html);
                if blocks + deepest > MAX_NESTING {
                    return Some(range.start);
                }
                html = after;
            }
            _ => {}
        }
        if blocks + html > MAX_NESTING {
            return Some(range.start);
        }
    }
    None
}

/// The element depth after `text`, starting at `depth`, and the deepest it went.
fn html_depth(text: &str, mut depth: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut deepest = depth;
    for (i, _) in text.match_indices('<') {
        match bytes.get(i + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name: String = text[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                let end = text[i..].find('>').map(|e| i + e);
                let self_closing = end.is_some_and(|e| bytes[e - 1] == b'/');
                if !VOID.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            _ => {}
        }
    }
    (depth, deepest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn too_deep(body: &str) -> Option<usize> {
        let events: Vec<_> = Parser::new_ext(body, Options::ENABLE_FOOTNOTES)
            .into_offset_iter()
            .collect();
        super::too_deep(&events)
    }

    #[test]
    fn markup_is_counted_outside_code_and_lines_everywhere() {
        let prose = "A paragraph with a [link](x) and *emphasis*.\n\n".repeat(10_000);
        assert_eq!(too_much_markup(&prose), None);
        let brackets = "[".repeat(MAX_MARKUP + 1);
        assert_eq!(too_much_markup(&brackets), Some(MAX_MARKUP));
        // Fenced code costs a node per line, not per character.
        let code = format!("```json\n{}\n```\n", "[[{}]] ".repeat(100_000));
        assert_eq!(too_much_markup(&code), None);
        assert!(too_much_markup(&format!("~~~\n{}~~~\n", "x\n".repeat(MAX_MARKUP))).is_some());
        // Not a fence: a backtick in the info string.
        assert!(too_much_markup(&format!("``` a`\n{brackets}")).is_some());
        // A closing fence shorter than the opening one does not close it.
        let open = format!("````\n```\n{}\n````\n", "[".repeat(MAX_MARKUP));
        assert_eq!(too_much_markup(&open), None);
    }

    #[test]
    fn front_matter_brackets() {
        let nested = |n: usize| format!("x: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(front_over_limit(&nested(MAX_FRONT_NESTING)), None);
        assert_eq!(
            front_over_limit(&nested(MAX_FRONT_NESTING + 1)),
            Some((3 + MAX_FRONT_NESTING, FrontLimit::TooDeep))
        );
        let flat = "[a] ".repeat(MAX_FRONT_BRACKETS);
        assert_eq!(front_over_limit(&flat), None);
        assert_eq!(
            front_over_limit(&format!("{flat}{{")).map(|x| x.1),
            Some(FrontLimit::TooMany)
        );
        // Closing brackets in quotes cannot hide more than the total.
        let hidden = "[\"]\"".repeat(MAX_FRONT_BRACKETS + 1);
        assert_eq!(
            front_over_limit(&hidden).map(|x| x.1),
            Some(FrontLimit::TooMany)
        );
    }

    #[test]
    fn nesting() {
        assert_eq!(
            too_deep("- a\n  - b\n\n> q\n\n<div><p>x</p><br></div>\n"),
            None
        );
        // Exactly at the limit, and one level over: each list level counts once.
        assert_eq!(too_deep(&format!("{}x\n", "- ".repeat(MAX_NESTING))), None);
        assert!(too_deep(&format!("{}x\n", "- ".repeat(MAX_NESTING + 1))).is_some());
        assert_eq!(too_deep(&format!("{}x\n", ">".repeat(MAX_NESTING))), None);
        assert!(too_deep(&format!("{}x\n", ">".repeat(MAX_NESTING + 1))).is_some());
        assert!(too_deep(&"<div>".repeat(MAX_NESTING + 1)).is_some());
        let closed = format!(
            "{}x{}",
            "<div>".repeat(MAX_NESTING + 1),
            "</div>".repeat(101)
        );
        assert!(too_deep(&closed).is_some());
        assert_eq!(too_deep(&"<div></div>".repeat(1000)), None);
        assert_eq!(too_deep(&"<br><img src=x/>".repeat(1000)), None);
    }
}
