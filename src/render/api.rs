//! Machine-readable outputs and per-factor figures: the Atom feeds, `api/postmortems.json`
//! (schema in the README), and the aggregates shown on factor pages.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::theme::Theme;
use super::view::{self, Views};
use crate::enrich::{Site, Term};
use crate::error::Result;
use crate::model::When;
use crate::output::OutputFile;
use crate::text::slugify;

/// How many entries a feed carries (newest first).
pub(crate) const FEED_ENTRIES: usize = 50;

/// The factor shown on its page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorView {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description from the vocabulary.
    pub description: String,
    /// URL relative to the root.
    pub url: String,
    /// Number of postmortems.
    pub count: usize,
    /// Declared in the vocabulary.
    pub in_vocabulary: bool,
    /// Variants folded into it.
    pub aliases: Vec<String>,
}

/// The factor page's heading data.
pub(crate) fn factor_view(site: &Site<'_>, views: &Views<'_, '_>, t: &Term) -> FactorView {
    let theme = site.config.factors.themes.get(&t.slug);
    FactorView {
        slug: t.slug.clone(),
        title: views.factor_title(&t.slug),
        description: theme.map(|th| th.description.clone()).unwrap_or_default(),
        url: format!("factors/{}/", t.slug),
        count: t.members.len(),
        in_vocabulary: theme.is_some(),
        aliases: theme.map(|th| th.aliases.clone()).unwrap_or_default(),
    }
}

/// A count for one year.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct YearCount {
    /// The year.
    pub year: String,
    /// Postmortems that year.
    pub count: usize,
}

/// Years without incidents are listed only among the latest this many (a stray date such as
/// `0205-01-01` would otherwise add 1,800 empty rows to each of its factor pages).
pub(crate) const DENSE_YEARS: i32 = 100;

/// Counts per year, oldest first, including the years without any in between (among the
/// latest [`DENSE_YEARS`]).
pub(crate) fn per_year(site: &Site<'_>, members: &[usize]) -> Vec<YearCount> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for &i in members {
        if let Some(d) = site.postmortems[i].date {
            *counts
                .entry(d.date().format("%Y").to_string().parse().unwrap_or(0))
                .or_default() += 1;
        }
    }
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().last()) else {
        return Vec::new();
    };
    let dense_from = last.saturating_sub(DENSE_YEARS - 1).max(first);
    counts
        .range(..dense_from)
        .map(|(&y, &count)| (y, count))
        .chain((dense_from..=last).map(|y| (y, counts.get(&y).copied().unwrap_or(0))))
        .map(|(y, count)| YearCount {
            year: y.to_string(),
            count,
        })
        .collect()
}

/// Entries of a ranked list (co-occurring factors, services hit) a factor page shows: the most
/// frequent. All of them would make every factor page as long as the vocabulary.
pub(crate) const RANKED_TERMS: usize = 20;

/// The [`RANKED_TERMS`] most frequent of `counts` (slug -> (name as first seen, count)), by
/// count then slug; names are made only for those.
fn ranked<'a>(
    counts: HashMap<String, (&'a str, usize)>,
    kind: &str,
    name: impl Fn(&'a str) -> String,
) -> Vec<view::TermView> {
    let mut v: Vec<(String, &'a str, usize)> = counts
        .into_iter()
        .map(|(slug, (raw, count))| (slug, raw, count))
        .collect();
    v.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    v.truncate(RANKED_TERMS);
    v.into_iter()
        .map(|(slug, raw, count)| view::TermView {
            url: format!("{kind}/{slug}/"),
            name: name(raw),
            slug,
            count,
            description: String::new(),
        })
        .collect()
}

/// The factors that appear together with `t`, by count.
pub(crate) fn co_factors(site: &Site<'_>, views: &Views<'_, '_>, t: &Term) -> Vec<view::TermView> {
    factors_among(site, views, &t.members, &t.slug)
}

/// The factors of postmortems `members` but `except`, by count.
pub(crate) fn factors_among(
    site: &Site<'_>,
    views: &Views<'_, '_>,
    members: &[usize],
    except: &str,
) -> Vec<view::TermView> {
    let mut counts: HashMap<String, (&str, usize)> = HashMap::new();
    for &i in members {
        for f in &site.postmortems[i].factors {
            if f != except {
                match counts.get_mut(f.as_str()) {
                    Some(c) => c.1 += 1,
                    None => {
                        counts.insert(f.clone(), (f.as_str(), 1));
                    }
                }
            }
        }
    }
    ranked(counts, "factors", |f| views.factor_title(f))
}

/// The services the factor's incidents hit, by count.
pub(crate) fn services_hit(site: &Site<'_>, t: &Term) -> Vec<view::TermView> {
    let mut counts: HashMap<String, (&str, usize)> = HashMap::new();
    for &i in &t.members {
        for s in &site.postmortems[i].services {
            counts.entry(slugify(s)).or_insert((s.as_str(), 0)).1 += 1;
        }
    }
    ranked(counts, "services", str::to_string)
}

#[derive(Serialize)]
struct FeedView {
    title: String,
    id: String,
    updated: String,
    self_url: String,
    alternate_url: String,
}

#[derive(Serialize)]
struct EntryView {
    title: String,
    id: String,
    url: String,
    updated: String,
    summary: String,
}

fn rfc3339(w: When) -> String {
    w.at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The archive's feed and one per factor.
pub(crate) fn feeds(
    site: &Site<'_>,
    views: &Views<'_, '_>,
    theme: &Theme,
) -> Result<Vec<OutputFile>> {
    let base = site.config.base_url();
    let all: Vec<usize> = (0..site.postmortems.len()).collect();
    let mut out = Vec::new();
    let mut one = |path: String, page: String, title: String, members: &[usize]| -> Result<()> {
        // Without a base URL, links are relative to the feed's own location.
        let base = if base.is_empty() {
            super::root_prefix(&path)
        } else {
            base.clone()
        };
        let entries: Vec<EntryView> = members
            .iter()
            .filter(|&&i| site.postmortems[i].date.is_some())
            .take(FEED_ENTRIES)
            .map(|&i| {
                let pm = &site.postmortems[i];
                let updated = pm
                    .timing
                    .published
                    .or(pm.date)
                    .map(rfc3339)
                    .unwrap_or_default();
                EntryView {
                    title: pm.title.clone(),
                    id: format!("urn:pmarchive:postmortem:{}", pm.id),
                    url: format!("{base}{}", view::postmortem_url(&pm.id)),
                    updated,
                    summary: pm.summary.clone(),
                }
            })
            .collect();
        let updated = entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        let feed = FeedView {
            id: format!("urn:pmarchive:feed:{page}"),
            title,
            updated,
            self_url: format!("{base}{path}"),
            alternate_url: format!("{base}{page}"),
        };
        let mut ctx = tera::Context::new();
        ctx.insert("feed", &feed);
        ctx.insert("entries", &entries);
        ctx.insert("root", &super::root_prefix(&path));
        let xml = theme.render("atom.xml", &ctx)?;
        out.push(OutputFile::new(path, xml.into_bytes()));
        Ok(())
    };
    one(
        "atom.xml".into(),
        String::new(),
        site.config.title.clone(),
        &all,
    )?;
    for t in &site.taxonomies.factors {
        one(
            format!("factors/{}/atom.xml", t.slug),
            format!("factors/{}/", t.slug),
            format!("{}: {}", site.config.title, views.factor_title(&t.slug)),
            &t.members,
        )?;
    }
    Ok(out)
}

#[derive(Serialize)]
struct ApiTiming {
    detected: Option<String>,
    mitigated: Option<String>,
    resolved: Option<String>,
    published: Option<String>,
}

#[derive(Serialize)]
struct ApiPostmortem<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    date: Option<String>,
    start: Option<String>,
    severity: Option<&'a str>,
    status: crate::model::Status,
    visibility: crate::model::Visibility,
    near_miss: bool,
    services: &'a [String],
    teams: &'a [String],
    authors: &'a [String],
    participants: &'a [crate::model::Participant],
    reviewers: &'a [String],
    contributing_factors: &'a [String],
    tags: &'a [String],
    summary: &'a str,
    recurrence_of: Vec<&'a str>,
    recurred_in: Vec<&'a str>,
    similar: Vec<crate::similar::LinkJson<'a>>,
    cluster: Option<&'a str>,
    timing: ApiTiming,
    duration_minutes: Option<i64>,
    time_to_detect_minutes: Option<i64>,
    time_to_mitigate_minutes: Option<i64>,
    time_to_resolve_minutes: Option<i64>,
    impact: BTreeMap<&'a str, f64>,
    action_items: Vec<super::items::ActionJson<'a>>,
    source_url: Option<&'a str>,
}

fn when_json(w: Option<When>) -> Option<String> {
    w.map(|w| {
        if w.has_time {
            rfc3339(w)
        } else {
            w.date().to_string()
        }
    })
}

/// `api/postmortems.json`: one object per published postmortem, newest first.
pub(crate) fn postmortems_json(site: &Site<'_>, views: &Views<'_, '_>) -> OutputFile {
    let similarity = views.similarity();
    let ids = |list: &[usize]| -> Vec<&str> {
        list.iter()
            .map(|&j| site.postmortems[j].id.as_str())
            .collect()
    };
    let items: Vec<ApiPostmortem<'_>> = site
        .postmortems
        .iter()
        .enumerate()
        .map(|(i, pm)| ApiPostmortem {
            id: &pm.id,
            url: view::postmortem_url(&pm.id),
            title: &pm.title,
            date: pm.date.map(|d| d.date().to_string()),
            start: pm.date.filter(|d| d.has_time).map(rfc3339),
            severity: pm.severity.as_deref(),
            status: pm.status,
            visibility: pm.visibility,
            near_miss: pm.near_miss,
            services: &pm.services,
            teams: &pm.teams,
            authors: &pm.authors,
            participants: &pm.participants,
            reviewers: &pm.reviewers,
            contributing_factors: &pm.factors,
            tags: &pm.tags,
            summary: &pm.summary,
            recurrence_of: ids(&site.recurrence_of[i]),
            recurred_in: ids(&site.recurred_in[i]),
            similar: similarity
                .links
                .get(i)
                .map(|l| l.iter().map(|l| l.json(site)).collect())
                .unwrap_or_default(),
            cluster: similarity
                .class_of
                .get(i)
                .copied()
                .flatten()
                .map(|c| similarity.classes[c].id.as_str()),
            timing: ApiTiming {
                detected: when_json(pm.timing.detected),
                mitigated: when_json(pm.timing.mitigated),
                resolved: when_json(pm.timing.resolved),
                published: when_json(pm.timing.published),
            },
            duration_minutes: view::impact_minutes(pm),
            time_to_detect_minutes: pm.minutes_to(pm.timing.detected),
            time_to_mitigate_minutes: pm.minutes_to(pm.timing.mitigated),
            time_to_resolve_minutes: pm.minutes_to(pm.timing.resolved),
            impact: pm
                .impact
                .iter()
                .map(|f| (f.key.as_str(), f.value))
                .collect(),
            action_items: pm
                .action_items
                .iter()
                .map(|a| super::items::item_json(site, a))
                .collect(),
            source_url: pm.source_url.as_deref(),
        })
        .collect();
    json_file(
        "api/postmortems.json",
        &items,
        items.len() * POSTMORTEM_JSON_BYTES,
    )
}

/// About what one postmortem takes in `api/postmortems.json` (3.2 KB in generated archives),
/// with room to spare: see [`json_file`].
const POSTMORTEM_JSON_BYTES: usize = 4096;

/// A JSON file of `value`, serialised into a buffer of `hint` bytes to begin with. The large
/// lists (160 MB of postmortems at 50,000) grew by doubling, each step copying the last and
/// touching fresh pages: a generous hint costs nothing, as pages never written are never
/// given to the process.
pub(crate) fn json_file(path: &str, value: &impl Serialize, hint: usize) -> OutputFile {
    let mut bytes = Vec::with_capacity(hint);
    if serde_json::to_writer(&mut bytes, value).is_err() {
        bytes.clear();
        bytes.extend_from_slice(b"null");
    }
    bytes.push(b'\n');
    OutputFile::new(path.into(), bytes)
}
