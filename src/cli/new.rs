//! `pmarchive new`: writes a new postmortem from the template and prints its path.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::{content_dir, load_config, parse_day, SiteArgs};
use crate::error::{Error, Result};
use crate::scaffold::new_postmortem;
use crate::text::slugify;

/// Arguments of `pmarchive new`.
#[derive(Debug, Clone, clap::Args)]
pub struct NewArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// The postmortem's title.
    pub title: String,
    /// When the incident happened [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub date: Option<NaiveDate>,
    /// Severity [default: the least severe configured level].
    #[arg(long)]
    pub severity: Option<String>,
}

/// Runs `new`.
pub fn run(args: NewArgs) -> Result<ExitCode> {
    let (config, _) = load_config(&args.site)?;
    let content = content_dir(&args.site.root, &config)?;
    let date = args.date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let severity = match &args.severity {
        Some(s) => config
            .severity(s)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown severity `{s}`: use one of {}",
                    config.severities.join(", ")
                ))
            })?
            .to_string(),
        None => config.severities.last().cloned().unwrap_or_default(),
    };
    if args.title.trim().is_empty() {
        return Err(Error::Usage("the title must not be empty".into()));
    }
    let dir = content.join(date.format("%Y").to_string());
    let base: String = format!("{date}-{}", slugify(&args.title))
        .chars()
        .take(80)
        .collect();
    let mut path: PathBuf = dir.join(format!("{base}.md"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.md"));
        n += 1;
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let text = new_postmortem(args.title.trim(), date, &severity, &config);
    // create_new: never overwrite, even if a file appeared in between.
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))?;
    println!("{}", path.display());
    Ok(ExitCode::SUCCESS)
}
