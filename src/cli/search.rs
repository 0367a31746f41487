//! `pmarchive search`: the archive's search on the command line, straight from tantivy over
//! the content itself (no prior `build`): the index is built in memory from the files, so it
//! always reflects the content as it is now.

use std::process::ExitCode;

use serde::Serialize;

use super::{read_valid_archive, SiteArgs};
use crate::enrich::enrich;
use crate::error::{Error, Result};
use crate::search::{parse_query, SearchIndex};

/// Arguments of `pmarchive search`.
#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print `[{id, title, url, score}]`, best first.
    #[arg(long)]
    pub json: bool,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Treat the last word as a prefix (as the search box does while typing).
    #[arg(long)]
    pub prefix: bool,
    /// The query: words, "quoted phrases", factor:X service:X team:X severity:X year:X tag:X.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    title: &'a str,
    url: &'a str,
    score: f32,
}

/// Runs `search`.
pub fn run(args: SearchArgs) -> Result<ExitCode> {
    let (config, postmortems) = read_valid_archive(&args.site)?;
    let today = config.resolve_today(None);
    let site = enrich(postmortems, &config, today, false);
    let index = SearchIndex::build(&site)?;
    let query = parse_query(&args.query.join(" "), args.prefix);
    let results = index.search(&query, args.limit)?;
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
                }
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&hits).map_err(|e| Error::internal("JSON output", e))?
        );
    } else {
        for h in &results.hits {
            let d = &index.docs[h.doc as usize];
            println!(
                "{:>8.3}  {:<10}  {:<5}  {}  ({})",
                h.score,
                d.date.as_deref().unwrap_or("undated"),
                d.severity.as_deref().unwrap_or("-"),
                d.title,
                d.id
            );
        }
        eprintln!("{} of {} matches", results.hits.len(), results.total);
    }
    Ok(ExitCode::SUCCESS)
}
