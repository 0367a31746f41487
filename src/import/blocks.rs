//! The top-level blocks of a Markdown document (headings, tables, lists, paragraphs) with
//! their source ranges and the text of their cells and items, and every image: what
//! [`super::document`] maps.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A cell, item or value: its plain text and the first link in it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Text {
    /// The plain text, white space squashed.
    pub text: String,
    /// The first link's destination.
    pub link: Option<String>,
}

/// An image the body shows.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Its destination as written (a path, URL or `data:` URI).
    pub dest: String,
    /// 1-based line.
    pub line: usize,
    pub(super) range: Range<usize>,
    pub(super) alt: String,
}

#[derive(Debug)]
pub(super) enum Kind {
    Heading(usize, Text),
    Table(Vec<Vec<Text>>),
    List(Vec<(Text, Option<bool>)>),
    Paragraph,
    Other,
}

#[derive(Debug)]
pub(super) struct Block {
    pub(super) kind: Kind,
    pub(super) range: Range<usize>,
}

/// The top-level blocks and every image.
pub(super) fn blocks(parser: Parser<'_>) -> (Vec<Block>, Vec<Image>) {
    let mut out = Vec::new();
    let mut images = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut kind: Option<Kind> = None;
    let mut text = Text::default();
    let mut rows: Vec<Vec<Text>> = Vec::new();
    let mut items: Vec<(Text, Option<bool>)> = Vec::new();
    let mut item_depth = 0usize;
    let mut image: Option<(String, Range<usize>, String)> = None;
    for (event, range) in parser.into_offset_iter() {
        if let Some((_, _, alt)) = image.as_mut() {
            match &event {
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                Event::End(TagEnd::Image) => {
                    let (dest, r, alt) = image.take().expect("in an image");
                    images.push(Image {
                        dest,
                        line: 0,
                        range: r,
                        alt,
                    });
                }
                _ => {}
            }
        }
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    start = range.start;
                    text = Text::default();
                    rows.clear();
                    items.clear();
                    kind = Some(match tag {
                        Tag::Heading { level, .. } => {
                            Kind::Heading(level as usize, Text::default())
                        }
                        Tag::Table(_) => Kind::Table(Vec::new()),
                        Tag::List(_) => Kind::List(Vec::new()),
                        Tag::Paragraph => Kind::Paragraph,
                        _ => Kind::Other,
                    });
                }
                match &tag {
                    Tag::TableRow | Tag::TableHead => {
                        if matches!(kind, Some(Kind::Table(_))) {
                            rows.push(Vec::new());
                        }
                    }
                    Tag::TableCell => text = Text::default(),
                    Tag::Item => {
                        item_depth += 1;
                        if item_depth == 1 {
                            text = Text::default();
                            items.push((Text::default(), None));
                        }
                    }
                    Tag::Link { dest_url, .. } if text.link.is_none() => {
                        text.link = Some(dest_url.to_string());
                    }
                    Tag::Image { dest_url, .. } => {
                        image = Some((dest_url.to_string(), range.clone(), String::new()));
                    }
                    _ => {}
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                match end {
                    TagEnd::TableCell => {
                        if let Some(row) = rows.last_mut() {
                            row.push(Text {
                                text: squash(&text.text),
                                link: text.link.take(),
                            });
                        }
                    }
                    TagEnd::Item => {
                        if item_depth == 1 {
                            if let Some(last) = items.last_mut() {
                                last.0 = Text {
                                    text: squash(&text.text),
                                    link: text.link.take(),
                                };
                            }
                        }
                        item_depth = item_depth.saturating_sub(1);
                    }
                    TagEnd::List(_) if item_depth >= 1 && depth > 0 => {
                        // A nested list ends: its text was not the item's own.
                    }
                    _ => {}
                }
                if depth == 0 {
                    let k = match kind.take() {
                        Some(Kind::Heading(l, _)) => Kind::Heading(
                            l,
                            Text {
                                text: squash(&text.text),
                                link: text.link.take(),
                            },
                        ),
                        Some(Kind::Table(_)) => Kind::Table(std::mem::take(&mut rows)),
                        Some(Kind::List(_)) => Kind::List(std::mem::take(&mut items)),
                        Some(k) => k,
                        None => Kind::Other,
                    };
                    out.push(Block {
                        kind: k,
                        range: start..range.end,
                    });
                }
            }
            // A nested list's items are not the item's own text.
            Event::Text(t) | Event::Code(t) if item_depth <= 1 => text.text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.text.push(' '),
            Event::TaskListMarker(done) => {
                if let Some(last) = items.last_mut() {
                    if item_depth == 1 {
                        last.1 = Some(done);
                    }
                }
            }
            Event::Rule | Event::Html(_) if depth == 0 => out.push(Block {
                kind: Kind::Other,
                range,
            }),
            _ => {}
        }
    }
    (out, images)
}

pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
