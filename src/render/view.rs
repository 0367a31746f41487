//! The data templates see: plain, serialisable view structs built from the
//! [`Site`](crate::enrich::Site). Templates never see the model, so the model can change without
//! breaking themes, and every URL is computed here once (relative to the site root; templates
//! prefix `root`).
//!
//! The fields are documented for theme authors in `theme/README.md`.

use serde::Serialize;

use super::items::{item_view, ActionItemView};
use super::recurring::{ClassRef, SimilarView};
use crate::enrich::Term;
use crate::model::{Postmortem, Status};
use crate::text::human_minutes;

// The links and dates every page shares live below this module (`render::refs`, and
// `crate::text` for what search shows too), so that the similar-incident views and search can
// use them; named here as before.
pub(crate) use super::refs::{when_display, FactorRef, Named, PmRef, SeverityRef, Views};
pub(crate) use crate::text::{date_display, postmortem_url, year_display};

/// A postmortem in a listing.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Card {
    /// Id.
    pub id: String,
    /// URL relative to the root.
    pub url: String,
    /// Title.
    pub title: String,
    /// `YYYY-MM-DD` or null.
    pub date: Option<String>,
    /// `3 Feb 2025` or `undated`.
    pub date_display: String,
    /// Year or null.
    pub year: Option<String>,
    /// Severity.
    pub severity: Option<SeverityRef>,
    /// Summary.
    pub summary: String,
    /// Services.
    pub services: Vec<Named>,
    /// Teams.
    pub teams: Vec<Named>,
    /// Factors.
    pub factors: Vec<FactorRef>,
    /// Tags.
    pub tags: Vec<Named>,
    /// Near miss.
    pub near_miss: bool,
    /// `published`, `review`, `draft`.
    pub status: Status,
    /// A restricted postmortem (only in a restricted archive).
    pub restricted: bool,
    /// Impact duration, human.
    pub duration: Option<String>,
    /// Impact duration in minutes (what listings sort by).
    pub minutes: Option<i64>,
    /// Terms of each kind left off a listing card (0 on the postmortem's page).
    pub more: TermCounts,
}

/// Terms of each kind a listing card shows at most; the postmortem's page shows them all. (A
/// postmortem with thousands of factors would otherwise put thousands of links on each of its
/// thousands of factor pages: output growing with the square of the input.)
pub(crate) const CARD_TERMS: usize = 12;

/// A number per kind of term.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct TermCounts {
    /// Services.
    pub services: usize,
    /// Teams.
    pub teams: usize,
    /// Factors.
    pub factors: usize,
    /// Tags.
    pub tags: usize,
}

/// An entry of a taxonomy index.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermView {
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// URL relative to the root.
    pub url: String,
    /// Number of postmortems.
    pub count: usize,
    /// Description (factors from the vocabulary), or `""`.
    pub description: String,
}

/// A labelled value.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    /// Label.
    pub label: String,
    /// Machine value (RFC 3339 or number), may be `""`.
    pub value: String,
    /// Human value.
    pub display: String,
}

/// One timeline event.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TimelineView {
    /// The time as written.
    pub time_display: String,
    /// Text.
    pub text: String,
}

/// A table-of-contents entry.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// Anchor.
    pub id: String,
    /// Title.
    pub title: String,
}

/// Everything `postmortem.html` shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PostmortemView {
    /// The listing fields.
    #[serde(flatten)]
    pub card: Card,
    /// Authors.
    pub authors: Vec<String>,
    /// Who took part in the analysis, as written.
    pub participants: Vec<crate::model::Participant>,
    /// Who reviewed the postmortem.
    pub reviewers: Vec<String>,
    /// Link to the original report.
    pub source_url: Option<String>,
    /// Start, human.
    pub start_display: Option<String>,
    /// Phase timestamps.
    pub timing: Vec<Row>,
    /// Derived durations.
    pub durations: Vec<Row>,
    /// Impact figures.
    pub impact: Vec<Row>,
    /// The body (sanitised HTML).
    pub body_html: String,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Timeline.
    pub timeline: Vec<TimelineView>,
    /// Action items.
    pub action_items: Vec<ActionItemView>,
    /// Earlier incidents this one repeats.
    pub recurrence_of: Vec<PmRef>,
    /// Later incidents that repeat this one.
    pub recurred_in: Vec<PmRef>,
    /// Similar incidents, explicit links first, each with its reasons.
    pub similar: Vec<SimilarView>,
    /// The recurring class this incident belongs to.
    pub class: Option<ClassRef>,
}

impl<'s> Views<'s, '_> {
    /// The listing view of postmortem `i`, every term included.
    pub(crate) fn card(&self, i: usize) -> Card {
        self.card_limited(i, usize::MAX)
    }

    /// The listing view of postmortem `i` with at most `limit` terms of each kind.
    fn card_limited(&self, i: usize, limit: usize) -> Card {
        let pm = &self.site.postmortems[i];
        let cut = |list: &'s [String]| &list[..list.len().min(limit)];
        Card {
            id: pm.id.clone(),
            url: postmortem_url(&pm.id),
            title: pm.title.clone(),
            date: pm.date.map(|d| d.date().to_string()),
            date_display: pm
                .date
                .map(|d| date_display(d.date()))
                .unwrap_or_else(|| "undated".into()),
            year: self.year(i),
            severity: pm.severity.as_deref().map(|s| self.severity(s)),
            summary: pm.summary.clone(),
            services: Self::named("services", cut(&pm.services)),
            teams: Self::named("teams", cut(&pm.teams)),
            factors: self.factor_refs(cut(&pm.factors)),
            tags: Self::named("tags", cut(&pm.tags)),
            more: TermCounts {
                services: pm.services.len() - cut(&pm.services).len(),
                teams: pm.teams.len() - cut(&pm.teams).len(),
                factors: pm.factors.len() - cut(&pm.factors).len(),
                tags: pm.tags.len() - cut(&pm.tags).len(),
            },
            near_miss: pm.near_miss,
            status: pm.status,
            restricted: pm.visibility == crate::model::Visibility::Restricted,
            duration: impact_minutes(pm).map(human_minutes),
            minutes: impact_minutes(pm),
        }
    }

    /// The year of postmortem `i`'s incident (`None` when undated).
    pub(crate) fn year(&self, i: usize) -> Option<String> {
        let pm = &self.site.postmortems[i];
        pm.date.map(|d| year_display(d.date()))
    }

    /// The card of postmortem `i` in a listing (at most [`CARD_TERMS`] terms of each kind).
    pub(crate) fn listing_card(&self, i: usize) -> Card {
        self.card_limited(i, CARD_TERMS)
    }

    /// Cards for a member list (at most [`CARD_TERMS`] terms of each kind).
    pub(crate) fn cards(&self, members: &[usize]) -> Vec<Card> {
        members.iter().map(|&i| self.listing_card(i)).collect()
    }

    /// A term of taxonomy `kind` (`services`...).
    pub(crate) fn term(&self, kind: &str, t: &Term) -> TermView {
        let description = if kind == "factors" {
            self.site
                .config
                .factors
                .themes
                .get(&t.slug)
                .map(|th| th.description.clone())
                .unwrap_or_default()
        } else {
            String::new()
        };
        TermView {
            name: t.name.clone(),
            slug: t.slug.clone(),
            url: format!("{kind}/{}/", t.slug),
            count: t.members.len(),
            description,
        }
    }

    /// Terms sorted by count (descending), then name.
    pub(crate) fn terms_by_count(&self, kind: &str, terms: &[Term]) -> Vec<TermView> {
        let mut v: Vec<TermView> = terms.iter().map(|t| self.term(kind, t)).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
        v
    }

    /// The full page view of postmortem `i`.
    pub(crate) fn postmortem(&self, i: usize) -> PostmortemView {
        let pm = &self.site.postmortems[i];
        PostmortemView {
            card: self.card(i),
            authors: pm.authors.clone(),
            participants: pm.participants.clone(),
            reviewers: pm.reviewers.clone(),
            source_url: pm.source_url.clone().filter(|u| is_web_url(u)),
            start_display: pm.date.map(when_display),
            timing: timing_rows(pm),
            durations: duration_rows(pm),
            impact: impact_rows(pm),
            body_html: pm.body.html.clone(),
            toc: toc(pm),
            timeline: timeline(pm),
            action_items: pm
                .action_items
                .iter()
                .map(|a| item_view(self.site, a))
                .collect(),
            recurrence_of: self.site.recurrence_of[i]
                .iter()
                .map(|&j| self.pm_ref(j))
                .collect(),
            recurred_in: self.site.recurred_in[i]
                .iter()
                .map(|&j| self.pm_ref(j))
                .collect(),
            similar: self.similar(i),
            class: self.class_of(i),
        }
    }
}

/// The recorded moments of a postmortem (detected, mitigated, resolved, published).
fn timing_rows(pm: &Postmortem) -> Vec<Row> {
    let t = &pm.timing;
    [
        ("Detected", t.detected),
        ("Mitigated", t.mitigated),
        ("Resolved", t.resolved),
        ("Published", t.published),
    ]
    .into_iter()
    .filter_map(|(label, w)| {
        w.map(|w| Row {
            label: label.into(),
            value: if w.has_time {
                w.at.to_rfc3339()
            } else {
                w.date().to_string()
            },
            display: when_display(w),
        })
    })
    .collect()
}

/// The durations that can be computed from a postmortem's moments.
fn duration_rows(pm: &Postmortem) -> Vec<Row> {
    let t = &pm.timing;
    [
        ("Duration of impact", impact_minutes(pm)),
        ("Time to detect", pm.minutes_to(t.detected)),
        ("Time to mitigate", pm.minutes_to(t.mitigated)),
        ("Time to resolve", pm.minutes_to(t.resolved)),
    ]
    .into_iter()
    .filter_map(|(label, m)| {
        m.map(|m| Row {
            label: label.into(),
            value: m.to_string(),
            display: human_minutes(m),
        })
    })
    .collect()
}

/// The impact figures of a postmortem, labelled and formatted.
fn impact_rows(pm: &Postmortem) -> Vec<Row> {
    pm.impact
        .iter()
        .map(|f| Row {
            label: impact_label(&f.key),
            value: f.value.to_string(),
            display: impact_display(&f.key, f.value),
        })
        .collect()
}

/// The table of contents: the body's level-2 and level-3 headings.
fn toc(pm: &Postmortem) -> Vec<TocEntry> {
    pm.body
        .headings
        .iter()
        .filter(|h| (2..=3).contains(&h.level))
        .map(|h| TocEntry {
            level: h.level,
            id: h.anchor.clone(),
            title: h.title.clone(),
        })
        .collect()
}

/// The body's timeline entries.
fn timeline(pm: &Postmortem) -> Vec<TimelineView> {
    pm.body
        .timeline
        .iter()
        .map(|e| TimelineView {
            time_display: e.label.clone(),
            text: e.text.clone(),
        })
        .collect()
}

/// Minutes of impact: start to mitigation, or to resolution when mitigation is not recorded.
pub(crate) fn impact_minutes(pm: &Postmortem) -> Option<i64> {
    pm.minutes_to(pm.timing.mitigated.or(pm.timing.resolved))
}

pub(crate) use crate::weburl::is_web_url;

fn impact_label(key: &str) -> String {
    match key {
        "users_affected" => "Users affected".into(),
        "requests_failed" => "Requests failed".into(),
        "revenue_usd" => "Revenue impact".into(),
        "slo_budget_consumed_pct" => "SLO budget consumed".into(),
        other => {
            let s = other.replace('_', " ");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

fn thousands(n: f64) -> String {
    if n.fract() != 0.0 {
        return format!("{n}");
    }
    let s = format!("{}", n.abs() as u64);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

fn impact_display(key: &str, v: f64) -> String {
    if key.ends_with("_usd") {
        format!("${}", thousands(v))
    } else if key.ends_with("_pct") {
        format!("{v}%")
    } else {
        thousands(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(2654145.0), "2,654,145");
        assert_eq!(thousands(100.0), "100");
        assert_eq!(impact_display("revenue_usd", 15000.0), "$15,000");
        assert_eq!(impact_display("slo_budget_consumed_pct", 40.0), "40%");
        assert_eq!(impact_label("pages_lost"), "Pages lost");
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_url("https://example.com"));
        assert!(!is_web_url("javascript:alert(1)"));
    }
}
