//! Enrichment: from the archive as read to the site as published. Keeps only what the build's
//! [`Audience`] may read (restricted never, except in a restricted archive; drafts only when
//! asked), orders it newest first, and derives
//! what no single file holds: taxonomies (factors, services, teams, tags, years, severities)
//! and `recurrence_of` links in both directions, and resolves the links between postmortems in
//! their bodies ([`links`]).
//!
//! Everything after this pass sees only publishable postmortems, so nothing restricted can
//! leak into a page, a count, a feed or the search index by accident.

pub(crate) mod links;
pub(crate) mod taxonomy;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::audience::Audience;
use crate::config::Config;
use crate::model::Postmortem;
use links::resolve_links;
pub(crate) use taxonomy::{Taxonomies, Term};

/// The publishable archive with its derived structure.
#[derive(Debug)]
pub struct Site<'c> {
    /// The configuration.
    pub config: &'c Config,
    /// "Now", for overdue marks.
    pub today: NaiveDate,
    /// Publishable postmortems, newest first, undated last, ties by id.
    pub postmortems: Vec<Postmortem>,
    /// Index of each id in `postmortems`.
    pub by_id: HashMap<String, usize>,
    /// For each postmortem, the earlier ones it names in `recurrence_of` (publishable only).
    pub recurrence_of: Vec<Vec<usize>>,
    /// For each postmortem, the later ones that name it (newest first).
    pub recurred_in: Vec<Vec<usize>>,
    /// Factors, services, teams, tags, years and severities.
    pub taxonomies: Taxonomies,
    /// A restricted archive (restricted postmortems included), not the public site.
    pub restricted: bool,
}

/// Builds the public site from the loaded postmortems (drafts only when `drafts`).
pub fn enrich(all: Vec<Postmortem>, config: &Config, today: NaiveDate, drafts: bool) -> Site<'_> {
    enrich_for(
        all,
        config,
        today,
        Audience {
            drafts,
            restricted: false,
        },
    )
}

/// Builds the site `audience` may read from the loaded postmortems.
pub(crate) fn enrich_for(
    all: Vec<Postmortem>,
    config: &Config,
    today: NaiveDate,
    audience: Audience,
) -> Site<'_> {
    let (mut postmortems, hidden): (Vec<Postmortem>, Vec<Postmortem>) =
        all.into_iter().partition(|p| audience.admits(p));
    links::withhold_private_files(&mut postmortems, &hidden);
    drop(hidden);
    postmortems.sort_by(|a, b| match (a.date, b.date) {
        (Some(x), Some(y)) => y.at.cmp(&x.at).then_with(|| a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    let by_id: HashMap<String, usize> = postmortems
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    let mut recurrence_of = vec![Vec::new(); postmortems.len()];
    let mut recurred_in = vec![Vec::new(); postmortems.len()];
    for (i, pm) in postmortems.iter().enumerate() {
        for target in &pm.recurrence_of {
            // Links to restricted or unbuilt drafts are dropped: naming them would leak them.
            if let Some(&j) = by_id.get(target) {
                if j != i && !recurrence_of[i].contains(&j) {
                    recurrence_of[i].push(j);
                    recurred_in[j].push(i);
                }
            }
        }
    }
    for list in recurred_in.iter_mut() {
        list.sort_unstable();
    }
    resolve_links(&mut postmortems, &by_id);
    let taxonomies = Taxonomies::build(&postmortems, config);
    Site {
        config,
        today,
        postmortems,
        by_id,
        recurrence_of,
        recurred_in,
        taxonomies,
        restricted: audience.restricted,
    }
}
