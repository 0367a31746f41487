//! `pmarchive search`: the archive's search on the command line, straight from tantivy over
//! the content itself (no prior `build`): the index is built in memory from the files, so it
//! always reflects the content as it is now.

use std::process::ExitCode;

use serde::Serialize;

use super::{read_valid_archive, SiteArgs};
use crate::enrich::enrich;
use crate::error::{Error, Result};
use crate::search::{Correction, SearchIndex};

/// Arguments of `pmarchive search`.
#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print `{query, corrected, corrections, total, words, all_words, hits: [{id, title, url,
    /// score, excerpt, all_words}]}`, hits best first.
    #[arg(long)]
    pub json: bool,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Treat the last word as a prefix (as the search box does while typing).
    #[arg(long)]
    pub prefix: bool,
    /// The query: words, "quoted phrases", -excluded words and -"phrases", factor:X
    /// service:X team:X severity:X year:X tag:X. An argument that starts with `-` is read as an
    /// option: quote the query (`'dns -ttl'`) or put it after `--`.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    title: &'a str,
    url: &'a str,
    score: f32,
    /// HTML: escaped text of the passage that matched, the query's words in `<mark>`.
    excerpt: String,
    /// Whether the postmortem holds every word of the query.
    all_words: bool,
}

#[derive(Serialize)]
struct JsonResults<'a> {
    /// The query as typed.
    query: &'a str,
    /// The query as searched when words were corrected, else null.
    corrected: Option<String>,
    corrections: &'a [Correction],
    /// Matching postmortems.
    total: usize,
    /// How many words the query has, and how many matches hold them all.
    words: usize,
    all_words: usize,
    hits: Vec<JsonHit<'a>>,
}

/// Runs `search`.
pub fn run(args: SearchArgs) -> Result<ExitCode> {
    let (config, postmortems) = read_valid_archive(&args.site)?;
    let today = config.resolve_today(None);
    let site = enrich(postmortems, &config, today, false);
    let index = SearchIndex::build(&site)?;
    let input = args.query.join(" ");
    let query = index.parse(&input, args.prefix);
    let results = index.search(&query, args.limit)?;
    let corrected = query.corrected(&input);
    if args.json {
        let hits: Vec<JsonHit<'_>> = results
            .hits
            .iter()
            .map(|h| {
                let d = &index.docs[h.doc as usize];
                JsonHit {
                    id: &d.id,
                    title: &d.title,
                    url: &d.url,
                    score: h.score,
                    excerpt: index.excerpt(h.doc, &query),
                    all_words: h.all_words,
                }
            })
            .collect();
        let out = JsonResults {
            query: &input,
            corrected,
            corrections: &query.corrections,
            total: results.total,
            words: results.words,
            all_words: results.all_words,
            hits,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| Error::internal("JSON output", e))?
        );
    } else {
        if let Some(c) = &corrected {
            println!("showing results for {c}");
        }
        for h in &results.hits {
            let d = &index.docs[h.doc as usize];
            println!(
                "{:>8.3} {} {:<10}  {:<5}  {}  ({})",
                h.score,
                if h.all_words && results.words > 1 {
                    "*"
                } else {
                    " "
                },
                d.date.as_deref().unwrap_or("undated"),
                d.severity.as_deref().unwrap_or("-"),
                d.title,
                d.id
            );
        }
        let mut summary = format!("{} of {} matches", results.hits.len(), results.total);
        if results.words > 1 && results.total > 0 {
            summary.push_str(&format!(
                "; {} match all words (*), {} match some",
                results.all_words,
                results.total - results.all_words
            ));
        }
        eprintln!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}
