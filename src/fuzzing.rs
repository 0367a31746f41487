//! What the document fuzz target (`fuzz/fuzz_targets/document.rs`) does with one input, here so
//! that the target and the replay of its past crashes (`tests/suite/fuzzed.rs`) run the same
//! code: parse one document with a configuration picked by the first byte, lint it, and render
//! every diagnostic with its source line. Any panic is a bug.

use std::path::Path;

use crate::config::Config;
use crate::content::document::{parse_document, ParseContext};
use crate::content::Highlighter;

/// The configurations an input can pick, and the highlighter (built once: it is slow).
pub struct DocumentFuzz {
    /// The default, trusted HTML, and an archive of another shape (field aliases, governed
    /// factors with aliases).
    pub configs: Vec<Config>,
    highlighter: Highlighter,
}

impl Default for DocumentFuzz {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentFuzz {
    /// The fixtures.
    pub fn new() -> Self {
        let parse = |text: &str| {
            Config::parse(Path::new("pmarchive.toml"), text).expect("a fuzzing configuration")
        };
        DocumentFuzz {
            configs: vec![
                Config::default(),
                parse("trusted_html = true\nundated = \"list\"\n"),
                parse(
                    r#"undated = "list"
[fields]
id = "uuid"
date = { first = ["start_time", "source_published_at"] }
services = { merge = ["company", "product"] }
title = { first = ["title"], template = "{company} {product} incident" }
contributing_factors = "categories"
[factors]
governed = true
[factors.themes.dns]
title = "DNS"
aliases = ["domain-name-system"]
"#,
                ),
            ],
            highlighter: Highlighter::new(),
        }
    }

    /// Runs one input: its first byte picks the configuration, the rest is the file.
    pub fn run(&self, data: &[u8]) {
        let Some((&pick, rest)) = data.split_first() else {
            return;
        };
        let config = &self.configs[usize::from(pick) % self.configs.len()];
        let text = String::from_utf8_lossy(rest);
        let ctx = ParseContext {
            config,
            highlighter: &self.highlighter,
        };
        let file = Path::new("content/fuzz.md");
        let (pm, mut diags) = parse_document(file, "fuzz", &text, &ctx);
        if let Some(pm) = pm {
            let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).expect("a valid date");
            diags.extend(crate::check::lint(&[pm], config, today));
        }
        let _ = crate::report::render_one_file("content/fuzz.md", &text, &diags);
    }
}
