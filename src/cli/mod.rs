//! The command line: clap definitions, and the resolution of raw arguments plus
//! `pmarchive.toml` into validated options, once, before any command runs.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod search;
pub mod serve;
pub mod similar;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::error::{Error, Result};

/// pmarchive: a static site generator for a blameless postmortem archive.
#[derive(Debug, Parser)]
#[command(name = "pmarchive", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the archive into a static site.
    Build(build::BuildArgs),
    /// Lint the archive: schema, template completeness, action items, vocabulary, language.
    Check(check::CheckArgs),
    /// Start a new archive: configuration, an example postmortem, .gitignore.
    Init(init::InitArgs),
    /// Start a new postmortem from the template.
    New(new::NewArgs),
    /// Search the archive (tantivy, over the content itself).
    Search(search::SearchArgs),
    /// Serve the archive locally, rebuilding and reloading on every change.
    Serve(serve::ServeArgs),
    /// List the incidents most similar to one postmortem, with the reasons.
    Similar(similar::SimilarArgs),
}

/// Options shared by every command that reads an archive.
#[derive(Debug, Clone, clap::Args)]
pub struct SiteArgs {
    /// The site root: holds content/, and optionally pmarchive.toml and theme/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The configuration file [default: ROOT/pmarchive.toml, optional].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Parses `--today`.
pub fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2025-02-03"))
}

/// Loads the configuration named by the arguments (embedded defaults when there is no file).
pub fn load_config(args: &SiteArgs) -> Result<(Config, Option<PathBuf>)> {
    let explicit = args.config.is_some();
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| args.root.join("pmarchive.toml"));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let shown = path.strip_prefix(&args.root).unwrap_or(&path);
            Config::parse(shown, &text)
                .map(|c| (c, Some(path.clone())))
                .map_err(Error::Invalid)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            Ok((Config::default(), None))
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// The content folder named by the configuration must exist.
pub fn content_dir(root: &Path, config: &Config) -> Result<PathBuf> {
    let content = root.join(&config.content_dir);
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "{} has no {}/ folder: pass --root with the folder that holds {}/ (or set `content_dir` in pmarchive.toml)",
            root.display(),
            config.content_dir,
            config.content_dir
        )));
    }
    Ok(content)
}

/// Reads and parses the archive named by the arguments, failing on any error (for the commands
/// that work on the content itself: `search`, `similar`).
pub fn read_valid_archive(args: &SiteArgs) -> Result<(Config, Vec<crate::model::Postmortem>)> {
    let (config, _) = load_config(args)?;
    let content = content_dir(&args.root, &config)?;
    let highlighter = crate::content::Highlighter::new();
    let (postmortems, diags) =
        crate::content::read_archive(&args.root, &content, &config, &highlighter, &|| {});
    if diags.iter().any(|d| d.is_error()) {
        return Err(Error::Invalid(diags));
    }
    Ok((config, postmortems))
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // `check` reports content problems as its output: an error from it means it could not run.
    let could_not_run_is_2 = matches!(cli.command, Command::Check(_));
    let (result, root) = match cli.command {
        Command::Build(args) => {
            let root = args.site.root.clone();
            (build::run(args), root)
        }
        Command::Check(args) => {
            let root = args.site.root.clone();
            (check::run(args), root)
        }
        Command::Init(args) => {
            let root = args.dir.clone();
            (init::run(args), root)
        }
        Command::New(args) => {
            let root = args.site.root.clone();
            (new::run(args), root)
        }
        Command::Search(args) => {
            let root = args.site.root.clone();
            (search::run(args), root)
        }
        Command::Serve(args) => {
            let root = args.site.root.clone();
            (serve::run(args), root)
        }
        Command::Similar(args) => {
            let root = args.site.root.clone();
            (similar::run(args), root)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report_error(&root, &e);
            let invalid = matches!(e, Error::Invalid(_)) && !could_not_run_is_2;
            ExitCode::from(if invalid { 1 } else { 2 })
        }
    }
}

/// Prints an error: every diagnostic with its source line, or the one-line message.
pub fn report_error(root: &Path, e: &Error) {
    if let Error::Invalid(diags) = e {
        crate::report::print_diagnostics(root, diags);
    }
    eprintln!("error: {e}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
