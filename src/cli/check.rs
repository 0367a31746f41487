//! `pmarchive check`: every problem in the archive at once, for people or for CI (JSON).
//! Exit 0 when clean, 1 on errors (or warnings with `--strict`) and on an invalid
//! configuration, 2 when the check could not run.

use std::process::ExitCode;

use chrono::NaiveDate;

use super::{content_dir, load_config, parse_day, SiteArgs};
use crate::check::lint;
use crate::content::{read_archive, Highlighter};
use crate::error::{sort_diagnostics, Result};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each problem with its source line, the way rustc shows them.
    Human,
    /// `[{file, line, column, severity, rule, message, suggestion}]`.
    Json,
}

/// Arguments of `pmarchive check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Fix "today" (for overdue and stale action items).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let (config, _) = load_config(&args.site)?;
    let content = content_dir(&args.site.root, &config)?;
    let today = config.resolve_today(args.today);
    let highlighter = Highlighter::new();
    let (postmortems, mut diags) =
        read_archive(&args.site.root, &content, &config, &highlighter, &|| {});
    diags.extend(lint(&postmortems, &config, today));
    sort_diagnostics(&mut diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&diags)
                .map_err(|e| crate::error::Error::internal("JSON output", e))?;
            println!("{json}");
        }
        Format::Human => {
            crate::report::print_diagnostics_stdout(&args.site.root, &diags);
            let files: std::collections::BTreeSet<_> = diags.iter().map(|d| &d.file).collect();
            println!(
                "{} postmortems checked: {errors} error(s), {warnings} warning(s){}",
                postmortems.len(),
                if diags.is_empty() {
                    String::new()
                } else {
                    format!(" in {} file(s)", files.len())
                }
            );
        }
    }
    let failed = errors > 0 || (args.strict && warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
