//! Tests of the body parser.

use super::*;
use crate::config::SectionsConfig;
use crate::content::document::parse_when;

fn body(src: &str) -> Body {
    let hl = Highlighter::new();
    let sections = SectionsConfig::default().known;
    parse_body(
        src,
        10,
        parse_when("2025-02-03T23:00:00Z"),
        &BodyOptions {
            sections: &sections,
            sanitize: true,
            highlighter: &hl,
            file: std::path::Path::new("content/a.md"),
        },
    )
    .unwrap()
}

#[test]
fn section_texts_are_the_text_of_each_part_as_rendered() {
    let src = "Intro *with* `code`.\n\n## Summary\n\nA **bold** [link](https://x.example) and\na soft break.\n\n### Detail\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n\n## Root cause\n\n```text\nerr: x\n```\n\nA ~~struck~~ word[^1].\n\n[^1]: A note.\n";
    let b = body(src);
    let texts: Vec<&str> = b.sections.iter().map(|s| s.text.as_str()).collect();
    // Each part alone, as `plain_text` reads it, where the whole body's parse agrees.
    for s in &b.sections[..2] {
        assert_eq!(s.text, plain_text(&s.markdown), "{}", s.heading);
    }
    assert_eq!(
        texts,
        [
            "Intro with code.",
            "A bold link and a soft break. Detail one two a b c d",
            // Strikethrough and footnotes as the page renders them (parsed alone, without
            // those extensions, the marks would stay in the text).
            "err: x A struck word. A note.",
        ]
    );
}

#[test]
fn unsafe_markdown_is_sanitised_and_plain_markdown_needs_no_sanitiser() {
    for src in [
        "[x](javascript:alert(1))",
        "[x](<JavaScript:alert(1)>)",
        "[x](java&#115;cript:alert(1))",
        "<javascript:alert(1)>",
        "![x](data:text/html,<script>alert(1)</script>)",
        "text <img src=x onerror=alert(1)>",
        "## Heading <script>alert(1)</script>",
        "<div onclick=\"alert(1)\">x</div>",
    ] {
        let html = body(src).html;
        let lower = html.to_ascii_lowercase();
        assert!(
            !lower.contains("href=\"javascript:")
                && !lower.contains("src=\"data:")
                && !lower.contains("<script")
                && !lower.contains("onerror=")
                && !lower.contains("onclick="),
            "{src} -> {html}"
        );
    }
    fn events(src: &str) -> Vec<(Event<'_>, std::ops::Range<usize>)> {
        Parser::new(src).into_offset_iter().collect()
    }
    assert!(!needs_sanitizer(&events(
        "## A\n\n[rel](../x/) [abs](https://x.test/a?b#c) [m](mailto:a@b.test) `<b>`\n\n```html\n<script>\n```\n"
    )));
    assert!(needs_sanitizer(&events("[x](vbscript:x)")));
    assert!(needs_sanitizer(&events("a <b>b</b>")));
}

#[test]
fn sections_anchors_and_lines() {
    let b = body(
        "Intro.\n\n## Summary\n\nIt broke.\n\n## Root cause\n\n### Why\n\nDNS.\n\n## Extra\n\nx\n",
    );
    let keys: Vec<_> = b.sections.iter().map(|s| s.key.as_deref()).collect();
    assert_eq!(keys, [None, Some("summary"), Some("root_cause"), None]);
    assert_eq!(b.sections[0].text, "Intro.");
    assert_eq!(b.sections[1].line, 12);
    assert_eq!(b.sections[1].markdown_line, 14);
    assert_eq!(b.sections[1].text, "It broke.");
    assert!(b.sections[2].text.contains("DNS"));
    assert!(b.html.contains("<h2 id=\"summary\">"));
    assert_eq!(b.headings[2].anchor, "why");
}

#[test]
fn code_is_highlighted_with_classes_and_html_sanitised() {
    let b = body("```sql\nSELECT 1;\n```\n\n<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>\n\n```nolang\n<b>\n```\n");
    assert!(b.html.contains("hl-"), "{}", b.html);
    assert!(!b.html.contains("<script"));
    assert!(!b.html.contains("javascript:"));
    assert!(b.html.contains("&lt;b&gt;"));
}

#[test]
fn timeline_rolls_over_midnight() {
    let b = body("## Timeline\n\n- 22:50 UTC: Deploy starts.\n- 23:55 UTC: **Alert fires**.\n  - nested detail\n- 00:10 UTC: Rollback.\n- 2025-02-05 09:00 UTC: Follow-up.\n- no time here\n");
    let t = &b.timeline;
    assert_eq!(t.len(), 5);
    assert_eq!(t[0].label, "22:50 UTC");
    assert_eq!(t[1].text, "Alert fires.");
    assert_eq!(t[2].at.unwrap().to_rfc3339(), "2025-02-04T00:10:00+00:00");
    assert_eq!(t[3].at.unwrap().to_rfc3339(), "2025-02-05T09:00:00+00:00");
    assert_eq!(t[4].at, None);
    assert_eq!(t[0].line, 12);
}
