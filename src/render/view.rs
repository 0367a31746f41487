//! The data templates see: plain, serialisable view structs built from the [`Site`]. Templates
//! never see the model, so the model can change without breaking themes, and every URL is
//! computed here once (relative to the site root; templates prefix `root`).
//!
//! The fields are documented for theme authors in `theme/README.md`.

use chrono::{Datelike, NaiveDate, Timelike};
use serde::Serialize;

use crate::enrich::{Site, Term};
use crate::model::{Postmortem, Status, When};
use crate::text::{human_minutes, slugify};

/// URL of a postmortem page, relative to the root.
pub fn postmortem_url(id: &str) -> String {
    format!("postmortems/{id}/")
}

/// `3 Feb 2025`.
pub fn date_display(d: NaiveDate) -> String {
    // What `%-d %b %Y` gives, without parsing the format for each of the hundreds of
    // thousands of dates a large archive shows.
    match d.year() {
        y @ 0..=9999 => format!("{} {} {y:04}", d.day(), MONTHS[d.month0() as usize]),
        _ => d.format("%-d %b %Y").to_string(),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `3 Feb 2025 14:02 UTC`, or the bare date.
pub fn when_display(w: When) -> String {
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

/// The year of `d` as `%Y` gives it.
pub fn year_display(d: NaiveDate) -> String {
    match d.year() {
        y @ 0..=9999 => format!("{y:04}"),
        _ => d.format("%Y").to_string(),
    }
}

/// A named link (service, team, tag).
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// Display name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// URL relative to the root.
    pub url: String,
}

/// A factor link.
#[derive(Debug, Clone, Serialize)]
pub struct FactorRef {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
}

/// A severity badge.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityRef {
    /// `SEV2`.
    pub name: String,
    /// `sev2`.
    pub slug: String,
    /// URL relative to the root.
    pub url: String,
    /// 1 = most severe.
    pub rank: usize,
}

/// A postmortem in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
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
    /// Terms of each kind left off a listing card (0 on the postmortem's page).
    pub more: TermCounts,
}

/// Terms of each kind a listing card shows at most; the postmortem's page shows them all. (A
/// postmortem with thousands of factors would otherwise put thousands of links on each of its
/// thousands of factor pages: output growing with the square of the input.)
pub const CARD_TERMS: usize = 12;

/// A number per kind of term.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TermCounts {
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
pub struct TermView {
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

/// A short reference to another postmortem.
#[derive(Debug, Clone, Serialize)]
pub struct PmRef {
    /// Id.
    pub id: String,
    /// URL relative to the root.
    pub url: String,
    /// Title.
    pub title: String,
    /// Date, human.
    pub date_display: String,
}

/// A labelled value.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Label.
    pub label: String,
    /// Machine value (RFC 3339 or number), may be `""`.
    pub value: String,
    /// Human value.
    pub display: String,
}

/// An action item as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ActionItemView {
    /// `AI-1`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Due date `YYYY-MM-DD` or `""`.
    pub due: String,
    /// Status.
    pub status: String,
    /// Kind.
    pub kind: String,
    /// Priority.
    pub priority: String,
    /// Closed date or `""`.
    pub closed: String,
    /// Open and past due.
    pub overdue: bool,
    /// Open or in progress.
    pub open: bool,
    /// Its page in the tracker (its `url`, or its `ticket` through `[links] ticket`), may be
    /// `""`.
    pub url: String,
    /// Its id in the tracker, may be `""`.
    pub ticket: String,
}

/// One timeline event.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineView {
    /// The time as written.
    pub time_display: String,
    /// Text.
    pub text: String,
}

/// A table-of-contents entry.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// Anchor.
    pub id: String,
    /// Title.
    pub title: String,
}

/// Everything `postmortem.html` shows.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemView {
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
    pub similar: Vec<super::recurring::SimilarView>,
    /// The recurring class this incident belongs to.
    pub class: Option<super::recurring::ClassRef>,
}

/// Builds views for one site.
pub struct Views<'s, 'c> {
    site: &'s Site<'c>,
    similarity: &'s crate::similar::Similarity,
}

impl<'s, 'c> Views<'s, 'c> {
    /// Views over `site`, with its similar incidents.
    pub fn new(site: &'s Site<'c>) -> Self {
        Self::linked_by(site, &site.similar)
    }

    /// Views over `site`, with the similar incidents `similarity` (computed while the rest of
    /// the site was being rendered).
    pub fn linked_by(site: &'s Site<'c>, similarity: &'s crate::similar::Similarity) -> Self {
        Views { site, similarity }
    }

    /// The similar incidents and recurring classes the views show.
    pub fn similarity(&self) -> &'s crate::similar::Similarity {
        self.similarity
    }

    /// The site the views show.
    pub fn site(&self) -> &'s Site<'c> {
        self.site
    }

    /// Factor links for slugs.
    pub fn factor_refs(&self, slugs: &[String]) -> Vec<FactorRef> {
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
    pub fn named(kind: &str, list: &[String]) -> Vec<Named> {
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
    pub fn factor_title(&self, slug: &str) -> String {
        self.site
            .config
            .factors
            .themes
            .get(slug)
            .map(|t| t.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| slug.to_string())
    }

    /// Severity badge for a level name.
    pub fn severity(&self, name: &str) -> SeverityRef {
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

    /// The listing view of postmortem `i`, every term included.
    pub fn card(&self, i: usize) -> Card {
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
        }
    }

    /// The year of postmortem `i`'s incident (`None` when undated).
    pub fn year(&self, i: usize) -> Option<String> {
        let pm = &self.site.postmortems[i];
        pm.date.map(|d| year_display(d.date()))
    }

    /// The card of postmortem `i` in a listing (at most [`CARD_TERMS`] terms of each kind).
    pub fn listing_card(&self, i: usize) -> Card {
        self.card_limited(i, CARD_TERMS)
    }

    /// Cards for a member list (at most [`CARD_TERMS`] terms of each kind).
    pub fn cards(&self, members: &[usize]) -> Vec<Card> {
        members.iter().map(|&i| self.listing_card(i)).collect()
    }

    /// A term of taxonomy `kind` (`services`...).
    pub fn term(&self, kind: &str, t: &Term) -> TermView {
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
    pub fn terms_by_count(&self, kind: &str, terms: &[Term]) -> Vec<TermView> {
        let mut v: Vec<TermView> = terms.iter().map(|t| self.term(kind, t)).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
        v
    }

    /// A short reference to postmortem `i`.
    pub fn pm_ref(&self, i: usize) -> PmRef {
        let pm = &self.site.postmortems[i];
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

    /// The full page view of postmortem `i`.
    pub fn postmortem(&self, i: usize) -> PostmortemView {
        let pm = &self.site.postmortems[i];
        let today = self.site.today;
        let t = &pm.timing;
        let timing = [
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
        .collect();
        let durations = [
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
        .collect();
        let impact = pm
            .impact
            .iter()
            .map(|f| Row {
                label: impact_label(&f.key),
                value: f.value.to_string(),
                display: impact_display(&f.key, f.value),
            })
            .collect();
        PostmortemView {
            card: self.card(i),
            authors: pm.authors.clone(),
            participants: pm.participants.clone(),
            reviewers: pm.reviewers.clone(),
            source_url: pm.source_url.clone().filter(|u| is_web_url(u)),
            start_display: pm.date.map(when_display),
            timing,
            durations,
            impact,
            body_html: pm.body.html.clone(),
            toc: pm
                .body
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.anchor.clone(),
                    title: h.title.clone(),
                })
                .collect(),
            timeline: pm
                .body
                .timeline
                .iter()
                .map(|e| TimelineView {
                    time_display: e.label.clone(),
                    text: e.text.clone(),
                })
                .collect(),
            action_items: pm
                .action_items
                .iter()
                .map(|a| ActionItemView {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    owner: a.owner.clone(),
                    due: a.due.map(|d| d.to_string()).unwrap_or_default(),
                    status: a.status_or_open().into(),
                    kind: a.kind.clone(),
                    priority: a.priority.clone(),
                    closed: a.closed.map(|d| d.to_string()).unwrap_or_default(),
                    overdue: a.is_overdue(today),
                    open: a.is_open(),
                    url: self
                        .site
                        .config
                        .links
                        .action_link(&a.url, &a.ticket)
                        .unwrap_or_default(),
                    ticket: a.ticket.clone(),
                })
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

/// Minutes of impact: start to mitigation, or to resolution when mitigation is not recorded.
pub fn impact_minutes(pm: &Postmortem) -> Option<i64> {
    pm.minutes_to(pm.timing.mitigated.or(pm.timing.resolved))
}

pub use crate::weburl::is_web_url;

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
    fn dates_read_as_chrono_formats_them() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        let mut checked = 0;
        while d.year() < 2003 {
            assert_eq!(date_display(d), d.format("%-d %b %Y").to_string());
            assert_eq!(year_display(d), d.format("%Y").to_string());
            d = d.succ_opt().unwrap();
            checked += 1;
        }
        assert!(checked > 1000);
        for y in [-5, 0, 7, 999, 9999, 10000, 262000] {
            let d = NaiveDate::from_ymd_opt(y, 3, 1).unwrap();
            assert_eq!(date_display(d), d.format("%-d %b %Y").to_string(), "{y}");
            assert_eq!(year_display(d), d.format("%Y").to_string(), "{y}");
        }
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

    #[test]
    fn only_web_links() {
        assert!(is_web_url("https://example.com"));
        assert!(!is_web_url("javascript:alert(1)"));
    }
}
