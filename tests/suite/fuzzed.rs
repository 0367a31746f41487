//! Inputs the fuzzer (`fuzz/`, README "Fuzzing") once crashed on, replayed through the same
//! pipeline as the fuzz target: parse with each configuration, lint, render the diagnostics.
//! Each must pass without a panic.

use std::path::Path;

use pmarchive::config::Config;
use pmarchive::content::document::{parse_document, ParseContext};
use pmarchive::content::Highlighter;

use crate::harness::repo;

/// The fuzz target's configurations (`fuzz/fuzz_targets/document.rs`), picked by the first byte.
fn configs() -> Vec<Config> {
    let parse = |text: &str| Config::parse(Path::new("pmarchive.toml"), text).unwrap();
    vec![
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
    ]
}

/// What the fuzz target does with one input.
pub fn run_input(data: &[u8], configs: &[Config], highlighter: &Highlighter) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let config = &configs[usize::from(pick) % configs.len()];
    let text = String::from_utf8_lossy(rest);
    let ctx = ParseContext {
        config,
        highlighter,
    };
    let (pm, mut diags) = parse_document(Path::new("content/fuzz.md"), "fuzz", &text, &ctx);
    if let Some(pm) = pm {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        diags.extend(pmarchive::check::lint(&[pm], config, today));
    }
    let _ = pmarchive::report::render_one_file("content/fuzz.md", &text, &diags);
}

#[test]
fn fuzz_regressions_pass() {
    let dir = repo().join("fuzz/regressions");
    let configs = configs();
    let highlighter = Highlighter::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") || path.is_file() {
            let data = std::fs::read(&path).unwrap();
            // Every configuration, whatever the first byte says.
            for pick in 0..configs.len() {
                let mut input = data.clone();
                if let Some(b) = input.first_mut() {
                    *b = pick as u8;
                }
                run_input(&input, &configs, &highlighter);
            }
            n += 1;
        }
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}
