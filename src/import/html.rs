//! An HTML export (Google Docs "Download as HTML", a Confluence page or space export) as
//! Markdown, which [`super::document`] then reads like any Markdown export.
//!
//! html5ever (through `scraper`) parses any input the way a browser would, so malformed HTML
//! converts too. The walk knows the exports' habits: Confluence's page title (`#title-text`,
//! "Space : Page") and its `#main-content` (the breadcrumbs, attachments list and footer are
//! left out), code panels with their `brush`, task lists; Google Docs' title paragraph
//! (`p.title`), bold and italic set by inline styles, list levels given by a class
//! (`lst-kix_…-1`) instead of nesting, links wrapped in `google.com/url?q=`. Elements nested
//! deeper than [`MAX_DEPTH`] are reduced to their text, so hostile nesting cannot exhaust the
//! stack.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

use super::markup::{
    code_span, escape, escape_text, link_dest, longest_run, squash, tidy_inline, wrap,
};
pub(crate) use super::markup::{too_deep, MAX_NESTING};

/// Deeper elements are reduced to their text (no real document nests this deep).
const MAX_DEPTH: usize = 200;

/// An HTML document converted.
pub(crate) struct Converted {
    /// The body as Markdown (the title as a `#` heading when the page has one of its own).
    pub markdown: String,
    /// Whether some elements were nested too deep and kept as text only.
    pub flattened: bool,
}

/// Converts an HTML document to Markdown.
pub(crate) fn convert(html: &str) -> Converted {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).expect("a valid selector");
    let text_of = |e: ElementRef<'_>| squash(&e.text().collect::<String>());
    let mut title = doc
        .select(&sel("title"))
        .next()
        .map(text_of)
        .filter(|t| !t.is_empty());
    // Confluence: "Space : Page title" in the header, the page itself in #main-content.
    let confluence_title = doc.select(&sel("#title-text")).next().map(text_of);
    if let Some(t) = confluence_title.filter(|t| !t.is_empty()) {
        let page = t.split_once(" : ").map_or(t.as_str(), |(_, p)| p).trim();
        title = Some(page.to_string());
    }
    let strip_space = |t: String| match t.split_once(" : ") {
        Some((_, p)) => p.trim().to_string(),
        None => t,
    };
    title = title.map(strip_space);
    let root = doc
        .select(&sel("#main-content"))
        .next()
        .or_else(|| doc.select(&sel("body")).next())
        .unwrap_or_else(|| doc.root_element());
    let mut w = Writer::default();
    let has_heading = root
        .select(&sel("h1, h2, h3, h4, h5, h6, p.title"))
        .next()
        .is_some();
    if root.value().id() == Some("main-content") || !has_heading {
        if let Some(t) = &title {
            w.blocks.push(format!("# {}", escape(t)));
        }
    }
    w.children(*root, 0, 0);
    Converted {
        markdown: w.blocks.join("\n\n") + "\n",
        flattened: w.flattened,
    }
}

#[derive(Default)]
struct Writer {
    /// Finished blocks, joined by blank lines.
    blocks: Vec<String>,
    flattened: bool,
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "br"
            | "cite"
            | "code"
            | "del"
            | "em"
            | "font"
            | "i"
            | "img"
            | "input"
            | "kbd"
            | "label"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
    )
}

fn skipped(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "svg"
            | "button"
            | "select"
            | "textarea"
            | "nav"
    )
}

impl Writer {
    /// The block-level children of `node`: runs of inline content become paragraphs.
    fn children(&mut self, node: NodeRef<'_, Node>, depth: usize, list: usize) {
        let mut para = String::new();
        for child in node.children() {
            match child.value() {
                Node::Text(t) => para.push_str(&escape_text(&t.text)),
                Node::Element(e) if is_inline(e.name()) => self.inline(child, &mut para, depth),
                Node::Element(_) => {
                    self.flush(&mut para);
                    self.block(child, depth + 1, list);
                }
                _ => {}
            }
        }
        self.flush(&mut para);
    }

    fn flush(&mut self, para: &mut String) {
        let text = tidy_inline(para);
        if !text.is_empty() {
            self.blocks.push(text);
        }
        para.clear();
    }

    fn block(&mut self, node: NodeRef<'_, Node>, depth: usize, list: usize) {
        let Some(el) = ElementRef::wrap(node) else {
            return;
        };
        let name = el.value().name();
        if skipped(name) {
            return;
        }
        if depth > MAX_DEPTH {
            self.flattened = true;
            let text = squash(&el.text().collect::<String>());
            if !text.is_empty() {
                self.blocks.push(escape(&text));
            }
            return;
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = usize::from(name.as_bytes()[1] - b'0');
                let text = self.inline_text(node, depth);
                if !text.is_empty() {
                    self.blocks.push(format!("{} {text}", "#".repeat(level)));
                }
            }
            "p" if has_class(el, "title") => {
                let text = self.inline_text(node, depth);
                if !text.is_empty() {
                    self.blocks.push(format!("# {text}"));
                }
            }
            "p" | "dt" | "dd" | "figcaption" | "caption" | "summary" => {
                let text = self.inline_text(node, depth);
                if !text.is_empty() {
                    self.blocks.push(text);
                }
            }
            "ul" | "ol" => {
                let mut lines = Vec::new();
                let level = list + google_list_level(el);
                self.list(el, depth, level, &mut lines);
                if !lines.is_empty() {
                    self.blocks.push(lines.join("\n"));
                }
            }
            "table" => self.table(el, depth),
            "pre" => self.blocks.push(code_block(el)),
            "blockquote" => {
                let mut inner = Writer::default();
                inner.children(node, depth, 0);
                self.flattened |= inner.flattened;
                let text = inner.blocks.join("\n\n");
                if !text.is_empty() {
                    let quoted: Vec<String> = text
                        .lines()
                        .map(|l| {
                            if l.is_empty() {
                                ">".into()
                            } else {
                                format!("> {l}")
                            }
                        })
                        .collect();
                    self.blocks.push(quoted.join("\n"));
                }
            }
            "hr" => self.blocks.push("* * *".into()),
            _ => self.children(node, depth, list),
        }
    }

    /// A list's items as Markdown lines, indented by `level` (nested lists one more).
    fn list(&mut self, el: ElementRef<'_>, depth: usize, level: usize, lines: &mut Vec<String>) {
        let ordered = el.value().name() == "ol";
        let task_list = has_class(el, "inline-task-list");
        let indent = "    ".repeat(level);
        let mut n = 0;
        for child in el.children() {
            let Some(li) = ElementRef::wrap(child) else {
                continue;
            };
            if li.value().name() != "li" {
                continue;
            }
            n += 1;
            let mut own = String::new();
            let mut nested = Vec::new();
            let mut checked = task_list.then(|| has_class(li, "checked"));
            for part in li.children() {
                match part.value() {
                    Node::Text(t) => own.push_str(&escape_text(&t.text)),
                    Node::Element(e)
                        if e.name() == "input" && e.attr("type") == Some("checkbox") =>
                    {
                        checked = Some(e.attr("checked").is_some());
                    }
                    Node::Element(e) if e.name() == "input" => {}
                    Node::Element(e) if matches!(e.name(), "ul" | "ol") && depth < MAX_DEPTH => {
                        let sub = ElementRef::wrap(part).expect("an element");
                        self.list(sub, depth + 1, level + 1, &mut nested);
                    }
                    Node::Element(e) if is_inline(e.name()) => {
                        self.inline(part, &mut own, depth + 1)
                    }
                    Node::Element(_) => {
                        let text = self.inline_text(part, depth + 1);
                        if !own.trim().is_empty() && !text.is_empty() {
                            own.push(' ');
                        }
                        own.push_str(&text);
                    }
                    _ => {}
                }
            }
            let marker = if ordered { format!("{n}.") } else { "-".into() };
            let task = match checked {
                Some(true) => "[x] ",
                Some(false) => "[ ] ",
                None => "",
            };
            lines.push(format!("{indent}{marker} {task}{}", tidy_inline(&own)));
            lines.append(&mut nested);
        }
    }

    fn table(&mut self, el: ElementRef<'_>, depth: usize) {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for row in el.descendants().filter_map(ElementRef::wrap) {
            if row.value().name() != "tr" {
                continue;
            }
            // Rows of this table only, not of a table nested in a cell.
            let own = row
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().name() == "table")
                .is_some_and(|t| t.id() == el.id());
            if !own {
                continue;
            }
            let cells: Vec<String> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .map(|c| {
                    let text = self.inline_text(*c, depth + 1);
                    text.replace('|', "\\|").replace('\n', " ")
                })
                .collect();
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        if width == 0 {
            return;
        }
        let mut lines = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let mut cells = row.clone();
            cells.resize(width, String::new());
            lines.push(format!("| {} |", cells.join(" | ")));
            if i == 0 {
                lines.push(format!("|{}", " --- |".repeat(width)));
            }
        }
        self.blocks.push(lines.join("\n"));
    }

    /// The inline Markdown of `node`'s content, on one line (hard breaks aside).
    fn inline_text(&mut self, node: NodeRef<'_, Node>, depth: usize) -> String {
        let mut out = String::new();
        for child in node.children() {
            self.inline(child, &mut out, depth + 1);
        }
        tidy_inline(&out)
    }

    fn inline(&mut self, node: NodeRef<'_, Node>, out: &mut String, depth: usize) {
        let el = match node.value() {
            Node::Text(t) => {
                out.push_str(&escape_text(&t.text));
                return;
            }
            Node::Element(_) => ElementRef::wrap(node).expect("an element"),
            _ => return,
        };
        let name = el.value().name();
        if skipped(name) {
            return;
        }
        if depth > MAX_DEPTH {
            self.flattened = true;
            out.push_str(&escape(&el.text().collect::<String>()));
            return;
        }
        let inner = |w: &mut Self| {
            let mut s = String::new();
            for child in node.children() {
                w.inline(child, &mut s, depth + 1);
            }
            s
        };
        let style = el.value().attr("style").unwrap_or("").replace(' ', "");
        match name {
            "br" => out.push_str("  \n"),
            "img" => {
                let src = el.value().attr("src").unwrap_or("").trim();
                if !src.is_empty() {
                    let alt = squash(el.value().attr("alt").unwrap_or(""));
                    out.push_str(&format!("![{}]({})", escape(&alt), link_dest(src)));
                }
            }
            "input" => {}
            "code" | "tt" | "kbd" | "samp" => {
                out.push_str(&code_span(&el.text().collect::<String>()))
            }
            "a" => {
                let text = inner(self);
                let href = el.value().attr("href").map(str::trim).unwrap_or("");
                let href = unwrap_google_redirect(href);
                let linkable = href.starts_with("http://")
                    || href.starts_with("https://")
                    || href.starts_with("mailto:");
                if linkable && !text.trim().is_empty() {
                    out.push_str(&format!("[{}]({})", text.trim(), link_dest(&href)));
                } else {
                    out.push_str(&text);
                }
            }
            "strong" | "b" => out.push_str(&wrap(&inner(self), "**")),
            "em" | "i" | "cite" => out.push_str(&wrap(&inner(self), "*")),
            "del" | "s" | "strike" => out.push_str(&wrap(&inner(self), "~~")),
            _ if style.contains("font-family:\"courier")
                || style.contains("font-family:consolas") =>
            {
                out.push_str(&code_span(&el.text().collect::<String>()))
            }
            _ if !is_inline(name) => {
                // A block inside inline content (malformed HTML, a list in a heading): its
                // text, apart from its neighbours'.
                out.push(' ');
                out.push_str(&inner(self));
                out.push(' ');
            }
            _ => {
                let text = inner(self);
                let bold = style.contains("font-weight:700") || style.contains("font-weight:bold");
                let italic = style.contains("font-style:italic");
                let text = if bold { wrap(&text, "**") } else { text };
                let text = if italic { wrap(&text, "*") } else { text };
                out.push_str(&text);
            }
        }
    }
}

fn has_class(el: ElementRef<'_>, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

/// Google Docs writes a nested list as a sibling list whose class ends in its level
/// (`lst-kix_abc123-1`).
fn google_list_level(el: ElementRef<'_>) -> usize {
    el.value()
        .classes()
        .filter(|c| c.starts_with("lst-kix_"))
        .find_map(|c| {
            c.rsplit_once('-')
                .and_then(|(_, n)| n.parse::<usize>().ok())
        })
        .unwrap_or(0)
        .min(8)
}

/// `https://www.google.com/url?q=TARGET&sa=...` (Google Docs' link wrapper) as `TARGET`.
fn unwrap_google_redirect(href: &str) -> String {
    let Some(rest) = href
        .strip_prefix("https://www.google.com/url?q=")
        .or_else(|| href.strip_prefix("http://www.google.com/url?q="))
    else {
        return href.to_string();
    };
    let target = rest.split('&').next().unwrap_or("");
    percent_encoding::percent_decode_str(target)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| href.to_string())
}

/// A `pre` as a fenced code block, with its language when the export names one.
fn code_block(el: ElementRef<'_>) -> String {
    let code: String = el.text().collect();
    let code = code.trim_end_matches(['\n', ' ']).trim_start_matches('\n');
    let mut lang = String::new();
    let classes = el.value().classes().chain(
        el.descendants()
            .filter_map(ElementRef::wrap)
            .flat_map(|d| d.value().classes()),
    );
    for c in classes {
        if let Some(l) = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))
        {
            lang = l.to_string();
            break;
        }
    }
    if let Some(params) = el.value().attr("data-syntaxhighlighter-params") {
        for part in params.split(';') {
            if let Some((k, v)) = part.split_once(':') {
                if k.trim() == "brush" {
                    lang = v.trim().to_string();
                }
            }
        }
    }
    lang.retain(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+' || c == '#');
    let longest = longest_run(code, '`');
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{code}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_becomes_markdown() {
        let c = convert(
            "<html><head><title>T</title></head><body><h1>Outage</h1><p>Some <b>bold</b> and \
             <span style=\"font-style: italic\">it</span> text_here.</p><ul><li>one<ul><li>two</li>\
             </ul></li></ul><table><tr><th>Key</th><th>Value</th></tr><tr><td>a|b</td><td>c</td>\
             </tr></table><pre class=\"language-sh\">echo `x`</pre></body></html>",
        );
        assert!(
            c.markdown
                .starts_with("# Outage\n\nSome **bold** and *it* text\\_here."),
            "{}",
            c.markdown
        );
        assert!(c.markdown.contains("- one\n    - two"), "{}", c.markdown);
        assert!(
            c.markdown
                .contains("| Key | Value |\n| --- | --- |\n| a\\|b | c |"),
            "{}",
            c.markdown
        );
        assert!(
            c.markdown.contains("```sh\necho `x`\n```"),
            "{}",
            c.markdown
        );
    }

    #[test]
    fn malformed_and_deep_html_convert() {
        let c = convert("<h1>Title<p>unclosed <b>bold <table><tr><td>cell</ul></i>&amp;&bogus;");
        assert!(c.markdown.contains("# Title"), "{}", c.markdown);
        let deep = "<div>".repeat(600) + "deep text";
        let c = convert(&deep);
        assert!(c.markdown.contains("deep text"));
        assert!(c.flattened);
        assert_eq!(too_deep(&deep), None);
        let deeper = "<p><b>".repeat(1001) + "deep text";
        assert_eq!(too_deep(&deeper), Some(1000 * 6 + 3));
        assert_eq!(too_deep(&"<p>x<li>y<br/>".repeat(5000)), None);
    }

    #[test]
    fn google_redirects_and_list_levels() {
        let c = convert(
            "<body><p class=\"c1 title\"><span>T</span></p><ul class=\"lst-kix_a-0\"><li>top</li></ul>\
             <ul class=\"lst-kix_a-1\"><li>sub <a href=\"https://www.google.com/url?q=https://x.example/a%3Fb&amp;sa=D\">l</a></li></ul></body>",
        );
        assert!(c.markdown.contains("# T"), "{}", c.markdown);
        assert!(
            c.markdown.contains("    - sub [l](https://x.example/a?b)"),
            "{}",
            c.markdown
        );
    }

    #[test]
    fn tag_soup_never_panics() {
        // A deterministic stream of fragments exports and hostile input are made of.
        let parts = [
            "<table>",
            "<tr>",
            "<td>",
            "</table>",
            "<ul>",
            "<li>",
            "</ul>",
            "<ol start=3>",
            "<pre>",
            "</pre>",
            "<code>",
            "`",
            "*",
            "_",
            "|",
            "<a href=\"javascript:x\">",
            "<a href=\"https://e.x/(\">",
            "</a>",
            "<img src=\"a b.png\" alt=\"[x]\">",
            "<h2>",
            "</h3>",
            "<p>",
            "<br>",
            "&bogus;",
            "&#0;",
            "<blockquote>",
            "<input type=checkbox checked>",
            "<span style=\"font-weight:700\">",
            "</span>",
            "text ",
            "\n",
            "<script>alert(1)</script>",
            "<p class=\"title\">",
            "<!--",
            "-->",
            "<b><i>",
            "</b>",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..400 {
            let mut html = String::new();
            for _ in 0..60 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                html.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            let c = convert(&html);
            assert!(!c.markdown.contains("javascript:"), "{html}");
            assert!(!c.markdown.contains("<script"), "{html}");
        }
    }
}
