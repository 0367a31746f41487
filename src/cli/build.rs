//! `pmarchive build`: resolve options, run the pipeline with a progress bar, print a summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};

use super::{content_dir, load_config, parse_day, SiteArgs};
use crate::build::{build, BuildOptions};
use crate::error::Result;

/// Arguments of `pmarchive build`.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site [default: ROOT/public].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Absolute URL the site will be served from (feeds, canonical links, sitemap.xml, the
    /// not-found page's links).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include drafts (never restricted postmortems).
    #[arg(long)]
    pub drafts: bool,
    /// Build the restricted archive: every postmortem, restricted ones included, for the
    /// people allowed to read them. Needs its own --output (never the public site's folder).
    #[arg(long, requires = "output")]
    pub include_restricted: bool,
    /// Fix "today" (for overdue marks), so builds are reproducible.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// Print every warning in full (without it: the first few and a count per rule) and the
    /// time each phase took.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Resolves the arguments into build options.
pub fn options(args: &BuildArgs) -> Result<BuildOptions> {
    let (mut config, _) = load_config(&args.site)?;
    let content_dir = content_dir(&args.site.root, &config)?;
    if let Some(url) = &args.base_url {
        config.base_url = url.clone();
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.site.root.join("public"));
    let semantic = super::semantic_model(&args.site, &config, Some(&output))?;
    Ok(BuildOptions {
        root: args.site.root.clone(),
        content_dir,
        output,
        semantic,
        drafts: args.drafts,
        restricted: args.include_restricted,
        today: config.resolve_today(args.today),
        config,
    })
}

/// Runs `build`.
pub fn run(args: BuildArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let opts = options(&args)?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} reading postmortems: {pos} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    };
    let tick = || bar.inc(1);
    let result = build(&opts, &tick);
    bar.finish_and_clear();
    let report = result?;
    if !report.warnings.is_empty() && !args.quiet {
        if args.verbose {
            crate::report::print_diagnostics(&opts.root, &report.warnings);
        } else {
            crate::report::print_compact(&report.warnings);
        }
    }
    if args.verbose {
        for (phase, d) in &report.phases {
            eprintln!("  {phase:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
        }
        if let Some(e) = report.embedded {
            eprintln!(
                "  embedded {} postmortems ({} from the cache)",
                e.embedded, e.cached
            );
        }
    }
    if !args.quiet {
        let hidden = report.read - report.published;
        eprintln!(
            "Built {}{} postmortems ({} not published) into {} pages, {} files ({:.1} MB) in {:.2}s -> {}{}",
            if opts.restricted {
                "a RESTRICTED archive of "
            } else {
                ""
            },
            report.published,
            hidden,
            report.pages,
            report.files,
            report.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64(),
            opts.output.display(),
            // A sitemap needs absolute URLs.
            if report.sitemap {
                ""
            } else {
                " (no sitemap.xml without --base-url)"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
