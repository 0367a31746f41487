//! Fuzzes the pure front matter + Markdown pipeline: one document parsed from text with a
//! configuration (`content::document::parse_document`: front-matter split, TOML/YAML, field
//! aliases, typed fields, Markdown rendering with highlighting and sanitising, sections,
//! timeline), the lint rules over it, and the rendering of every diagnostic with its source
//! line. Any panic, hang (-timeout) or runaway allocation (-rss_limit_mb) is a bug.
//!
//! The first byte picks the configuration: the default, trusted HTML, or an archive of another
//! shape (field aliases, YAML-style imports); the rest is the file.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pmarchive::config::Config;
use pmarchive::content::document::{parse_document, ParseContext};
use pmarchive::content::Highlighter;

struct Fixtures {
    highlighter: Highlighter,
    configs: Vec<Config>,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let parse = |text: &str| Config::parse(Path::new("pmarchive.toml"), text).unwrap();
        Fixtures {
            highlighter: Highlighter::new(),
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
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let f = fixtures();
    let config = &f.configs[usize::from(pick) % f.configs.len()];
    let text = String::from_utf8_lossy(rest);
    let ctx = ParseContext {
        config,
        highlighter: &f.highlighter,
    };
    let file = Path::new("content/fuzz.md");
    let (pm, mut diags) = parse_document(file, "fuzz", &text, &ctx);
    if let Some(pm) = pm {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        diags.extend(pmarchive::check::lint(&[pm], config, today));
    }
    let _ = pmarchive::report::render_one_file("content/fuzz.md", &text, &diags);
});
