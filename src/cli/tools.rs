//! The commands around the archive rather than on it: `schema` (the front matter's JSON Schema,
//! for editors), `completions` (shell completion scripts) and `man` (manual pages).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::{load_config, Cli, SiteArgs};
use crate::error::{Error, Result};

/// Arguments of `pmarchive schema`.
#[derive(Debug, Clone, clap::Args)]
pub struct SchemaArgs {
    /// Root and configuration: the archive whose vocabulary (severities, factor themes, field
    /// names) the schema carries; without a pmarchive.toml, the defaults.
    #[command(flatten)]
    pub site: SiteArgs,
}

/// Prints the front matter's JSON Schema.
pub fn schema(args: SchemaArgs) -> Result<ExitCode> {
    let (config, _) = load_config(&args.site)?;
    let schema = crate::schema::front_matter_schema(&config);
    let text =
        serde_json::to_string_pretty(&schema).map_err(|e| Error::internal("JSON output", e))?;
    write_stdout(format!("{text}\n").as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `pmarchive completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for a shell.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "pmarchive", &mut out);
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `pmarchive man`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// Write every page (pmarchive.1 and one per command, pmarchive-build.1...) into this folder
    /// instead of printing pmarchive.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the manual page, or writes all of them.
pub fn man(args: ManArgs) -> Result<ExitCode> {
    let cmd = Cli::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            clap_mangen::generate_to(cmd, &dir).map_err(|e| Error::io(&dir, e))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Error::internal("the manual page", e))?;
            write_stdout(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a message.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(std::path::Path::new("<stdout>"), e))
        }
        _ => Ok(()),
    }
}
