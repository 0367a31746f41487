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
pub const MAX_NESTING: usize = 100;

/// Top-level front-matter fields a postmortem may have.
pub const MAX_FIELDS: usize = 200;

/// Action items a postmortem may have.
pub const MAX_ACTION_ITEMS: usize = 500;

/// HTML elements that never hold others (no closing tag).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The byte offset where the nesting of a body's parsed `events` (with their byte ranges) first
/// goes deeper than [`MAX_NESTING`], if it does. Counts nested lists, list items, block quotes
/// and footnotes, and the elements opened by raw HTML (approximately: every `<name` opens
/// unless void or self-closing, every `</` closes). Run on the events the page is made from,
/// before anything whose cost grows with the depth.
pub fn too_deep(events: &[(Event<'_>, Range<usize>)]) -> Option<usize> {
    let mut blocks: usize = 0;
    let mut html: usize = 0;
    for (event, range) in events {
        match event {
            Event::Start(
                Tag::List(_) | Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_),
            ) => blocks += 1,
            Event::End(
                TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition,
            ) => blocks = blocks.saturating_sub(1),
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
    fn nesting() {
        assert_eq!(
            too_deep("- a\n  - b\n\n> q\n\n<div><p>x</p><br></div>\n"),
            None
        );
        assert!(too_deep(&format!("{}x\n", "- ".repeat(MAX_NESTING + 1))).is_some());
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
