//! `pmarchive similar`: the incidents most like one postmortem, with scores and reasons,
//! computed on the content itself (no prior `build`), exactly as the site lists them.

use std::process::ExitCode;

use super::{read_valid_archive, SiteArgs};
use crate::enrich::enrich;
use crate::error::{Error, Result};
use crate::similar::{self, LinkKind};

/// Arguments of `pmarchive similar`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimilarArgs {
    /// Root and configuration.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print `[{id, score, recurrence, reasons}]`, in the order the page lists them.
    #[arg(long)]
    pub json: bool,
    /// How many links [default: `[similar] limit` of the configuration].
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print how long indexing and the similarity pass over the whole archive took (stderr).
    #[arg(long)]
    pub timings: bool,
    /// The postmortem's id.
    pub id: String,
}

/// Runs `similar`.
pub fn run(args: SimilarArgs) -> Result<ExitCode> {
    let (mut config, postmortems) = read_valid_archive(&args.site)?;
    let model = super::semantic_model(&args.site, &config, None)?;
    if let Some(limit) = args.limit {
        config.similar.limit = limit;
    }
    let today = config.resolve_today(None);
    let site = enrich(postmortems, &config, today, false);
    let Some(&i) = site.by_id.get(&args.id) else {
        return Err(Error::Usage(format!(
            "no published postmortem has the id `{}` (drafts and restricted postmortems have no similar incidents)",
            args.id
        )));
    };
    let started = std::time::Instant::now();
    let (similarity, _) = similar::find(&site, None, model.as_deref())?;
    if args.timings {
        eprintln!(
            "similar {:.1} ms ({} postmortems)",
            started.elapsed().as_secs_f64() * 1000.0,
            site.postmortems.len()
        );
    }
    let links = &similarity.links[i];
    if args.json {
        let out: Vec<_> = links.iter().map(|l| l.json(&site)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| Error::internal("JSON output", e))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let pm = &site.postmortems[i];
    println!("{}  ({})", pm.title, pm.id);
    if let Some(c) = similarity.class_of[i] {
        let class = &similarity.classes[c];
        println!(
            "recurring class {} ({} incidents)",
            class.id,
            class.members.len()
        );
    }
    for l in links {
        let other = &site.postmortems[l.target];
        let kind = match l.kind {
            LinkKind::Recurrence if l.later => "recurred in",
            LinkKind::Recurrence => "recurrence of",
            LinkKind::Pinned => "pinned",
            LinkKind::Computed => "similar",
        };
        println!(
            "{:>6.3}  {:<13}  {:<10}  {}  ({})",
            l.score,
            kind,
            other
                .date
                .map(|d| d.date().to_string())
                .unwrap_or_else(|| "undated".into()),
            other.title,
            other.id
        );
        let reasons: Vec<String> = l
            .reasons()
            .into_iter()
            .filter(|r| r != "recurrence" && r != "pinned")
            .collect();
        if !reasons.is_empty() {
            println!("        {}", reasons.join(" "));
        }
    }
    if links.is_empty() {
        eprintln!("no similar incidents");
    }
    Ok(ExitCode::SUCCESS)
}
