//! Fuzzes the pure front matter + Markdown pipeline: one document parsed from text with a
//! configuration (`content::document::parse_document`: front-matter split, TOML/YAML, field
//! aliases, typed fields, Markdown rendering with highlighting and sanitising, sections,
//! timeline), the lint rules over it, and the rendering of every diagnostic with its source
//! line. Any panic, hang (-timeout) or runaway allocation (-rss_limit_mb) is a bug.
//!
//! The first byte picks the configuration: the default, trusted HTML, or an archive of another
//! shape (field aliases, YAML-style imports); the rest is the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pmarchive::fuzzing::DocumentFuzz;

fuzz_target!(|data: &[u8]| {
    static FIXTURES: OnceLock<DocumentFuzz> = OnceLock::new();
    FIXTURES.get_or_init(DocumentFuzz::new).run(data);
});
