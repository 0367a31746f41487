//! The command line: clap definitions, and the resolution of raw arguments plus
//! `pmarchive.toml` into validated options, once, before any command runs.

pub mod build;
pub mod check;
pub mod import;
pub mod init;
pub mod new;
pub mod search;
pub mod serve;
pub mod similar;
pub mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::error::{Error, Result};

/// pmarchive: a static site generator for a blameless postmortem archive.
#[derive(Debug, Parser)]
#[command(name = "pmarchive", version = crate::VERSION, about, long_about = None)]
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
    /// Convert exported documents (Google Docs, Notion, Confluence) into postmortems.
    Import(import::ImportArgs),
    /// Search the archive (tantivy, over the content itself).
    Search(search::SearchArgs),
    /// Serve the archive locally, rebuilding and reloading on every change.
    Serve(serve::ServeArgs),
    /// List the incidents most similar to one postmortem, with the reasons.
    Similar(similar::SimilarArgs),
    /// Print a JSON Schema of the front matter, with the archive's vocabulary (for editors).
    Schema(tools::SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(tools::CompletionsArgs),
    /// Print the manual page (or write every page with --dir).
    Man(tools::ManArgs),
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
    let path = config_path(args);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let shown = config_shown_as(&args.root, &path);
            Config::parse(&shown, &text)
                .map(|c| (c, Some(path.clone())))
                .map_err(Error::Invalid)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            Ok((Config::default(), None))
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// How diagnostics name the configuration file at `path`: relative to the root when it is inside
/// it (however either is spelled), else absolute, so that the report finds the file to quote its
/// lines whatever the working directory.
fn config_shown_as(root: &Path, path: &Path) -> PathBuf {
    if let Ok(inside) = path.strip_prefix(root) {
        return inside.to_path_buf();
    }
    if let (Ok(file), Ok(root)) = (path.canonicalize(), root.canonicalize()) {
        if let Ok(inside) = file.strip_prefix(root) {
            return inside.to_path_buf();
        }
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Opens the sentence-embedding model `[similar] model` names (relative to the configuration
/// file's folder), once, for the commands that find similar incidents; its cache goes to
/// `.pmarchive-cache/` beside the configuration file, unless that is inside `output` (then
/// nothing is cached). A model that cannot be used is an error at the setting.
pub fn semantic_model(
    args: &SiteArgs,
    config: &Config,
    output: Option<&Path>,
) -> Result<Option<std::sync::Arc<crate::similar::Semantic>>> {
    let Some(model) = &config.similar.model else {
        return Ok(None);
    };
    let path = config_path(args);
    let dir = path.parent().unwrap_or(Path::new(""));
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let cache = dir.join(crate::similar::semantic::CACHE_DIR);
    let cache = match output {
        Some(out) if absolute(&cache).starts_with(absolute(out)) => {
            eprintln!(
                "warning: the embedding cache would be inside the output ({}): embeddings are not cached",
                out.display()
            );
            None
        }
        _ => Some(cache),
    };
    crate::similar::Semantic::open(&dir.join(model), cache.as_deref())
        .map(|m| Some(std::sync::Arc::new(m)))
        .map_err(|problem| {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let at = text
                .match_indices("model")
                .map(|(o, _)| o)
                .find(|&o| {
                    let line_start = text[..o].rfind('\n').map_or(0, |l| l + 1);
                    text[line_start..o].trim().is_empty()
                        && text[o + 5..].trim_start().starts_with('=')
                })
                .map_or((1, 1), |o| crate::text::line_col(&text, o));
            Error::Invalid(vec![crate::error::Diagnostic::error(
                &config_shown_as(&args.root, &path),
                at,
                "config/similar-model",
                format!("`[similar] model` cannot be used: {problem}"),
            )
            .suggest("a folder with a BERT sentence-embedding model (config.json, model.safetensors, tokenizer.json), relative to the configuration file, such as all-MiniLM-L6-v2 (README: Semantic similarity)")])
        })
}

/// The configuration file the arguments name (it may not exist when not given explicitly).
pub fn config_path(args: &SiteArgs) -> PathBuf {
    args.config
        .clone()
        .unwrap_or_else(|| args.root.join("pmarchive.toml"))
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
        Command::Import(args) => {
            let root = args.site.root.clone();
            (import::run(args), root)
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
        Command::Schema(args) => {
            let root = args.site.root.clone();
            (tools::schema(args), root)
        }
        Command::Completions(args) => (tools::completions(args), PathBuf::from(".")),
        Command::Man(args) => (tools::man(args), PathBuf::from(".")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report_error(&root, &e);
            // Invalid input (an invalid configuration, in every command) is 1; anything that
            // kept the command from running is 2.
            let invalid = matches!(e, Error::Invalid(_));
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
