//! Taxonomies: the groupings the archive is browsed by. Each term lists its members as indices
//! into the site's newest-first postmortem list, so member lists are newest first for free.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::model::Postmortem;
use crate::text::slugify;

/// One value of a taxonomy (a factor, a service, a year...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// URL segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Members, as indices into `Site::postmortems` (newest first).
    pub members: Vec<usize>,
}

/// Every taxonomy of the site. Each list is sorted by its natural order (see fields).
#[derive(Debug, Default)]
pub struct Taxonomies {
    /// Contributing-factor themes, by slug.
    pub factors: Vec<Term>,
    /// Services, by slug.
    pub services: Vec<Term>,
    /// Teams, by slug.
    pub teams: Vec<Term>,
    /// Tags, by slug.
    pub tags: Vec<Term>,
    /// Years, newest first.
    pub years: Vec<Term>,
    /// Undated postmortems (for archives that allow them).
    pub undated: Vec<usize>,
    /// Severities, in the configured order (most severe first), only those used.
    pub severities: Vec<Term>,
}

fn group<'a>(
    pms: &'a [Postmortem],
    values: impl Fn(&'a Postmortem) -> Vec<(String, String)>,
) -> Vec<Term> {
    let mut map: BTreeMap<String, Term> = BTreeMap::new();
    for (i, pm) in pms.iter().enumerate() {
        for (slug, name) in values(pm) {
            let term = map.entry(slug.clone()).or_insert_with(|| Term {
                slug,
                name,
                members: Vec::new(),
            });
            if term.members.last() != Some(&i) {
                term.members.push(i);
            }
        }
    }
    map.into_values().collect()
}

fn named(list: &[String]) -> Vec<(String, String)> {
    list.iter().map(|s| (slugify(s), s.clone())).collect()
}

impl Taxonomies {
    /// Groups the (already filtered and ordered) postmortems.
    pub fn build(pms: &[Postmortem], config: &Config) -> Self {
        let factors = group(pms, |p| {
            p.factors
                .iter()
                .map(|f| {
                    let title = config
                        .factors
                        .themes
                        .get(f)
                        .map(|t| t.title.clone())
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| f.clone());
                    (f.clone(), title)
                })
                .collect()
        });
        let mut years = group(pms, |p| {
            p.date
                .map(|d| {
                    let y = d.date().format("%Y").to_string();
                    vec![(y.clone(), y)]
                })
                .unwrap_or_default()
        });
        years.reverse();
        let mut severities = group(pms, |p| {
            p.severity.iter().map(|s| (slugify(s), s.clone())).collect()
        });
        let rank = |name: &str| config.severities.iter().position(|s| s == name);
        severities.sort_by_key(|t| rank(&t.name));
        Taxonomies {
            factors,
            services: group(pms, |p| named(&p.services)),
            teams: group(pms, |p| named(&p.teams)),
            tags: group(pms, |p| named(&p.tags)),
            years,
            undated: (0..pms.len()).filter(|&i| pms[i].date.is_none()).collect(),
            severities,
        }
    }
}
