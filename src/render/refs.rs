//! What every page links to: the short references to postmortems, factors, severities and
//! named terms, times as pages show them, and the core of the [`Views`] builder (the site and
//! its similar incidents). Below the page views ([`super::view`]) and the similar-incident views
//! ([`super::recurring`]), which both build on it. URLs and dates that search shows too are in
//! [`crate::text`].

use chrono::Timelike;
use serde::Serialize;

use crate::enrich::Site;
use crate::model::When;
use crate::text::{date_display, postmortem_url, slugify};

/// `3 Feb 2025 14:02 UTC`, or the bare date.
pub(crate) fn when_display(w: When) -> String {
    if w.has_time {
        format!(
            "{} {:02}:{:02} UTC",
            date_display(w.date()),
            w.at.hour(),
            w.at.minute()
        )
    } else {
        date_display(w.date())
    }
}

/// A named link (service, team, tag).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Named {
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// URL relative to the root.
    pub url: String,
}

/// A factor link.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorRef {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
}

/// A severity badge.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeverityRef {
    /// `SEV2`.
    pub name: String,
    /// `sev2`.
    pub slug: String,
    /// URL relative to the root.
    pub url: String,
    /// 1 = most severe.
    pub rank: usize,
}

/// A short reference to another postmortem.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PmRef {
    /// Id.
    pub id: String,
    /// URL relative to the root.
    pub url: String,
    /// Title.
    pub title: String,
    /// Date, human.
    pub date_display: String,
}

/// A reference to postmortem `i` of `site`.
pub(crate) fn pm_ref_of(site: &Site<'_>, i: usize) -> PmRef {
    let pm = &site.postmortems[i];
    PmRef {
        id: pm.id.clone(),
        url: postmortem_url(&pm.id),
        title: pm.title.clone(),
        date_display: pm
            .date
            .map(|d| date_display(d.date()))
            .unwrap_or_else(|| "undated".into()),
    }
}

/// Builds views for one site.
pub(crate) struct Views<'s, 'c> {
    pub(super) site: &'s Site<'c>,
    pub(super) similarity: &'s crate::similar::Similarity,
}

impl<'s, 'c> Views<'s, 'c> {
    /// Views over `site`, with the similar incidents `similarity` ([`Similarity::NONE`] for
    /// the pages that show none).
    ///
    /// [`Similarity::NONE`]: crate::similar::Similarity::NONE
    pub(crate) fn new(site: &'s Site<'c>, similarity: &'s crate::similar::Similarity) -> Self {
        Views { site, similarity }
    }

    /// The similar incidents and recurring classes the views show.
    pub(crate) fn similarity(&self) -> &'s crate::similar::Similarity {
        self.similarity
    }

    /// The site the views show.
    pub(crate) fn site(&self) -> &'s Site<'c> {
        self.site
    }

    /// Factor links for slugs.
    pub(crate) fn factor_refs(&self, slugs: &[String]) -> Vec<FactorRef> {
        slugs
            .iter()
            .map(|f| FactorRef {
                slug: f.clone(),
                title: self.factor_title(f),
                url: format!("factors/{f}/"),
            })
            .collect()
    }

    /// Links to the terms of taxonomy `kind` (`services`...).
    pub(crate) fn named(kind: &str, list: &[String]) -> Vec<Named> {
        list.iter()
            .map(|s| {
                let slug = slugify(s);
                Named {
                    url: format!("{kind}/{slug}/"),
                    name: s.clone(),
                    slug,
                }
            })
            .collect()
    }

    /// Title of a factor theme.
    pub(crate) fn factor_title(&self, slug: &str) -> String {
        self.site.config.factor_title(slug)
    }

    /// Severity badge for a level name.
    pub(crate) fn severity(&self, name: &str) -> SeverityRef {
        let slug = slugify(name);
        SeverityRef {
            url: format!("severities/{slug}/"),
            rank: self
                .site
                .config
                .severities
                .iter()
                .position(|s| s == name)
                .map_or(0, |p| p + 1),
            name: name.to_string(),
            slug,
        }
    }

    /// A short reference to postmortem `i`.
    pub(crate) fn pm_ref(&self, i: usize) -> PmRef {
        pm_ref_of(self.site, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn times_read_as_chrono_formats_them() {
        for (h, m) in [(0, 0), (9, 5), (23, 59)] {
            let at = NaiveDate::from_ymd_opt(2025, 2, 3)
                .unwrap()
                .and_hms_opt(h, m, 7)
                .unwrap()
                .and_utc();
            let timed = When { at, has_time: true };
            assert_eq!(
                when_display(timed),
                at.format("%-d %b %Y %H:%M UTC").to_string()
            );
            assert_eq!(
                when_display(When {
                    at,
                    has_time: false
                }),
                "3 Feb 2025"
            );
        }
    }
}
