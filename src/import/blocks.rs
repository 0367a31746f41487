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
    let mut w = Walk::default();
    for (event, range) in parser.into_offset_iter() {
        w.in_image(&event);
        match event {
            Event::Start(tag) => w.start(&tag, &range),
            Event::End(end) => w.end(end, range.end),
            // A nested list's items are not the item's own text.
            Event::Text(t) | Event::Code(t) if w.item_depth <= 1 => w.text.text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => w.text.text.push(' '),
            Event::TaskListMarker(done) => {
                if let Some(last) = w.items.last_mut() {
                    if w.item_depth == 1 {
                        last.1 = Some(done);
                    }
                }
            }
            Event::Rule | Event::Html(_) if w.depth == 0 => w.out.push(Block {
                kind: Kind::Other,
                range,
            }),
            _ => {}
        }
    }
    (w.out, w.images)
}

/// The walk over a document's events: the blocks and images so far, and the block, cell or
/// item being read.
#[derive(Default)]
struct Walk {
    out: Vec<Block>,
    images: Vec<Image>,
    depth: usize,
    /// Where the current top-level block starts.
    start: usize,
    kind: Option<Kind>,
    text: Text,
    rows: Vec<Vec<Text>>,
    items: Vec<(Text, Option<bool>)>,
    item_depth: usize,
    /// The image being read: destination, range, alt text so far.
    image: Option<(String, Range<usize>, String)>,
}

impl Walk {
    /// Inside an image: its alt text, and the image once it ends.
    fn in_image(&mut self, event: &Event<'_>) {
        let Some((_, _, alt)) = self.image.as_mut() else {
            return;
        };
        match event {
            Event::Text(t) | Event::Code(t) => alt.push_str(t),
            Event::End(TagEnd::Image) => {
                let (dest, r, alt) = self.image.take().expect("in an image");
                self.images.push(Image {
                    dest,
                    line: 0,
                    range: r,
                    alt,
                });
            }
            _ => {}
        }
    }

    /// A tag starts: a top-level block, a table row or cell, an item, a link or an image.
    fn start(&mut self, tag: &Tag<'_>, range: &Range<usize>) {
        if self.depth == 0 {
            self.start = range.start;
            self.text = Text::default();
            self.rows.clear();
            self.items.clear();
            self.kind = Some(match tag {
                Tag::Heading { level, .. } => Kind::Heading(*level as usize, Text::default()),
                Tag::Table(_) => Kind::Table(Vec::new()),
                Tag::List(_) => Kind::List(Vec::new()),
                Tag::Paragraph => Kind::Paragraph,
                _ => Kind::Other,
            });
        }
        match tag {
            Tag::TableRow | Tag::TableHead => {
                if matches!(self.kind, Some(Kind::Table(_))) {
                    self.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.text = Text::default(),
            Tag::Item => {
                self.item_depth += 1;
                if self.item_depth == 1 {
                    self.text = Text::default();
                    self.items.push((Text::default(), None));
                }
            }
            Tag::Link { dest_url, .. } if self.text.link.is_none() => {
                self.text.link = Some(dest_url.to_string());
            }
            Tag::Image { dest_url, .. } => {
                self.image = Some((dest_url.to_string(), range.clone(), String::new()));
            }
            _ => {}
        }
        self.depth += 1;
    }

    /// A tag ends (at byte `end`): a cell or item is read, a top-level block is done.
    fn end(&mut self, tag: TagEnd, end: usize) {
        self.depth = self.depth.saturating_sub(1);
        match tag {
            TagEnd::TableCell => {
                if let Some(row) = self.rows.last_mut() {
                    row.push(Text {
                        text: squash(&self.text.text),
                        link: self.text.link.take(),
                    });
                }
            }
            TagEnd::Item => {
                if self.item_depth == 1 {
                    if let Some(last) = self.items.last_mut() {
                        last.0 = Text {
                            text: squash(&self.text.text),
                            link: self.text.link.take(),
                        };
                    }
                }
                self.item_depth = self.item_depth.saturating_sub(1);
            }
            TagEnd::List(_) if self.item_depth >= 1 && self.depth > 0 => {
                // A nested list ends: its text was not the item's own.
            }
            _ => {}
        }
        if self.depth == 0 {
            let k = match self.kind.take() {
                Some(Kind::Heading(l, _)) => Kind::Heading(
                    l,
                    Text {
                        text: squash(&self.text.text),
                        link: self.text.link.take(),
                    },
                ),
                Some(Kind::Table(_)) => Kind::Table(std::mem::take(&mut self.rows)),
                Some(Kind::List(_)) => Kind::List(std::mem::take(&mut self.items)),
                Some(k) => k,
                None => Kind::Other,
            };
            self.out.push(Block {
                kind: k,
                range: self.start..end,
            });
        }
    }
}

pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
