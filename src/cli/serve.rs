//! `pmarchive serve`: the archive on a local web server, rebuilt and reloaded as you write.

use std::process::ExitCode;

use super::build::{options, BuildArgs};
use super::{config_path, SiteArgs};
use crate::error::Result;
use crate::serve::{serve, ServeOptions};

/// Arguments of `pmarchive serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to bind (only this machine by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Show drafts (marked as drafts). Restricted postmortems are never shown.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Print how long each phase of every rebuild took.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs `serve`.
pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let build_args = BuildArgs {
        site: args.site.clone(),
        output: None,
        base_url: None,
        drafts: args.drafts,
        include_restricted: false,
        today: None,
        verbose: false,
        quiet: true,
    };
    // Fail early on a broken configuration or a missing content folder.
    options(&build_args)?;
    serve(ServeOptions {
        config: config_path(&args.site),
        resolve: Box::new(move || options(&build_args)),
        bind: args.bind,
        port: args.port,
        open: args.open,
        verbose: args.verbose,
    })?;
    Ok(ExitCode::SUCCESS)
}
