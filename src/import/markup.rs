//! The Markdown text the HTML converter writes (escapes, emphasis, code spans, link
//! destinations), and the pre-scan that refuses HTML nested too deep for the HTML5 parser.

/// A document whose elements nest deeper than this is refused before it is parsed: the HTML5
/// tree builder searches its stack of open elements for each tag, so its time grows with the
/// square of the depth (100,000 nested `<div>` took over a minute).
pub(crate) const MAX_NESTING: usize = 1000;

/// The byte offset where elements first nest deeper than [`MAX_NESTING`], counted the way a
/// browser would keep them open (void elements and those an end tag may be left off of, such
/// as `p`, `li` and `td`, do not count; comments are skipped).
pub(crate) fn too_deep(html: &str) -> Option<usize> {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let at = i + off;
        i = at + 1;
        if html[at..].starts_with("<!--") {
            i = html[at..].find("-->").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = (start..b.len())
            .find(|&j| !b[j].is_ascii_alphanumeric())
            .unwrap_or(b.len());
        if end == start {
            continue;
        }
        let name = html[start..end].to_ascii_lowercase();
        let self_closing = html[end..]
            .split('>')
            .next()
            .is_some_and(|t| t.ends_with('/'));
        if matches!(
            name.as_str(),
            "area"
                | "base"
                | "br"
                | "col"
                | "embed"
                | "hr"
                | "img"
                | "input"
                | "link"
                | "meta"
                | "source"
                | "track"
                | "wbr"
                | "p"
                | "li"
                | "dt"
                | "dd"
                | "td"
                | "th"
                | "tr"
                | "thead"
                | "tbody"
                | "tfoot"
                | "option"
                | "html"
                | "head"
                | "body"
        ) || self_closing
        {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_NESTING {
                return Some(at);
            }
        }
    }
    None
}

pub(super) fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// A link destination Markdown reads back whole (angle brackets around spaces).
pub(super) fn link_dest(dest: &str) -> String {
    if dest.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", dest.replace(['<', '>'], ""))
    } else {
        dest.to_string()
    }
}

pub(super) fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

pub(super) fn code_span(code: &str) -> String {
    let code = squash(code);
    if code.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(&code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{code}{pad}{ticks}")
}

/// `text` between `mark`s, the spaces around it kept outside (Markdown needs it so).
pub(super) fn wrap(text: &str, mark: &str) -> String {
    let core = text.trim();
    if core.is_empty() {
        return text.to_string();
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    format!("{lead}{mark}{core}{mark}{trail}")
}

/// White space collapsed to single spaces, trimmed.
pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A text node's white space collapsed (not trimmed: it sits between inline elements),
/// Markdown's markup characters escaped.
pub(super) fn escape_text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        push_escaped(&mut out, c);
    }
    if space {
        out.push(' ');
    }
    out
}

pub(super) fn escape(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        push_escaped(&mut out, c);
    }
    out
}

pub(super) fn push_escaped(out: &mut String, c: char) {
    if matches!(c, '\\' | '*' | '`' | '[' | ']' | '<' | '>' | '_' | '#') {
        out.push('\\');
    }
    out.push(c);
}

/// Inline Markdown tidied: lines trimmed, runs of spaces as one, the text trimmed.
pub(super) fn tidy_inline(s: &str) -> String {
    let lines: Vec<String> = s
        .split("  \n")
        .map(squash)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("  \n")
}
