//! `pmarchive check`: every problem in the archive at once, for people or for CI (JSON, SARIF,
//! GitHub annotations); with files named, only theirs, checked against the whole archive.
//! Exit 0 when clean, 1 on errors (or warnings with `--strict`) and on an invalid
//! configuration, 2 when the check could not run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;

use super::{content_dir, load_config, parse_day, SiteArgs};
use crate::check::lint_selected;
use crate::content::{read_archive_for, Highlighter};
use crate::error::{sort_diagnostics, Error, Result};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each problem with its source line, the way rustc shows them.
    Human,
    /// `[{file, line, column, severity, rule, message, suggestion}]`.
    Json,
    /// A SARIF 2.1.0 log (code scanning, review tools).
    Sarif,
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=RULE::MESSAGE`.
    Github,
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
    /// Report only these postmortems (files or folders in the content folder; a pull request's
    /// changed files). Ids, `recurrence_of` and other links are still resolved against the
    /// whole archive.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// The postmortems `check FILE...` reports: the canonical paths named, and whether a path is
/// one of them or inside one (memoised: each file is resolved once).
struct Selection {
    root: PathBuf,
    named: Vec<PathBuf>,
    seen: std::sync::Mutex<HashMap<PathBuf, bool>>,
    /// Folders canonicalized, by the path they were reached by.
    folders: std::sync::Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Selection {
    /// Resolves the named paths: each must exist and lie in the content folder.
    fn new(root: &Path, content: &Path, files: &[PathBuf]) -> Result<Option<Selection>> {
        if files.is_empty() {
            return Ok(None);
        }
        let content = content.canonicalize().map_err(|e| Error::io(content, e))?;
        let mut named = Vec::new();
        for f in files {
            let abs = f.canonicalize().map_err(|e| Error::io(f, e))?;
            if !abs.starts_with(&content) {
                return Err(Error::Usage(format!(
                    "{} is not in the archive's content folder ({})",
                    f.display(),
                    content.display()
                )));
            }
            named.push(abs);
        }
        Ok(Some(Selection {
            root: root.to_path_buf(),
            named,
            seen: std::sync::Mutex::new(HashMap::new()),
            folders: std::sync::Mutex::new(HashMap::new()),
        }))
    }

    /// What `root/rel` canonicalizes to. The same as `canonicalize`, with each folder resolved
    /// once: a path that is not a symbolic link is its folder's canonical path and its name (a
    /// whole archive's files took four system calls each, a tenth of `check FILE`'s time).
    fn canonical(&self, rel: &Path) -> Option<PathBuf> {
        let path = self.root.join(rel);
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return path.canonicalize().ok();
        };
        if std::fs::symlink_metadata(&path)
            .ok()?
            .file_type()
            .is_symlink()
        {
            return path.canonicalize().ok();
        }
        let mut folders = self.folders.lock().ok()?;
        let dir = match folders.get(parent) {
            Some(dir) => dir.clone()?,
            None => {
                let dir = parent.canonicalize().ok();
                folders.insert(parent.to_path_buf(), dir.clone());
                dir?
            }
        };
        Some(dir.join(name))
    }

    /// Whether `rel` (relative to the root, as diagnostics name files) was named.
    fn contains(&self, rel: &Path) -> bool {
        if let Some(&known) = self.seen.lock().ok().as_ref().and_then(|m| m.get(rel)) {
            return known;
        }
        let hit = self
            .canonical(rel)
            .is_some_and(|abs| self.named.iter().any(|n| abs.starts_with(n)));
        if let Ok(mut m) = self.seen.lock() {
            m.insert(rel.to_path_buf(), hit);
        }
        hit
    }
}

/// Runs `check`.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let (config, _) = load_config(&args.site)?;
    let content = content_dir(&args.site.root, &config)?;
    let today = config.resolve_today(args.today);
    let selection = Selection::new(&args.site.root, &content, &args.files)?;
    let highlighter = Highlighter::new();
    let selected = |rel: &Path| selection.as_ref().is_none_or(|s| s.contains(rel));
    // The files not named are read for their front matter only (ids, links and dates), but
    // for the bodies of those the named files link to at a heading.
    let archive = read_archive_for(&args.site.root, &content, &config, &highlighter, &selected);
    let (postmortems, mut diags) = (archive.postmortems, archive.diagnostics);
    diags.retain(|d| selected(&d.file));
    diags.extend(lint_selected(
        &postmortems,
        &config,
        today,
        &|pm| selected(&pm.source),
        &|pm| archive.in_full.contains(&pm.source),
    ));
    sort_diagnostics(&mut diags);
    let checked = match &selection {
        None => postmortems.len(),
        Some(_) => postmortems.iter().filter(|p| selected(&p.source)).count(),
    };
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&diags)
                .map_err(|e| Error::internal("JSON output", e))?;
            println!("{json}");
        }
        Format::Sarif => {
            let log = crate::annotations::sarif(&args.site.root, &diags);
            let json = serde_json::to_string_pretty(&log)
                .map_err(|e| Error::internal("SARIF output", e))?;
            println!("{json}");
        }
        Format::Github => {
            print!("{}", crate::annotations::github(&args.site.root, &diags));
        }
        Format::Human => {
            crate::report::print_diagnostics_stdout(&args.site.root, &diags);
            let files: std::collections::BTreeSet<_> = diags.iter().map(|d| &d.file).collect();
            println!(
                "{checked} postmortems checked: {errors} error(s), {warnings} warning(s){}",
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
