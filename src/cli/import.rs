//! `pmarchive import`: exported documents (Markdown or HTML) written into the archive as
//! postmortems, with a report per document. Exit 0 when every document was imported or skipped
//! (the archive has it already), 1 when one could not be (and on an invalid configuration), 2
//! when the import could not run.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{content_dir, load_config, SiteArgs};
use crate::error::{Error, Result};
use crate::import::{find_inputs, run as import, ImportOptions};

/// Arguments of `pmarchive import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print what would be written, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Exported documents: files, or folders searched for .md, .markdown, .html and .htm.
    #[arg(value_name = "EXPORT", required = true)]
    pub sources: Vec<PathBuf>,
}

/// Runs `import`.
pub fn run(args: ImportArgs) -> Result<ExitCode> {
    let (config, _) = load_config(&args.site)?;
    let content = content_dir(&args.site.root, &config)?;
    let inputs = find_inputs(&args.sources)?;
    if inputs.is_empty() {
        return Err(Error::Usage(
            "no exported documents found (.md, .markdown, .html, .htm)".into(),
        ));
    }
    let opts = ImportOptions {
        config,
        root: args.site.root.clone(),
        content,
        inputs,
        dry_run: args.dry_run,
    };
    let outcome = import(&opts, &mut std::io::stdout().lock())?;
    Ok(if outcome.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
