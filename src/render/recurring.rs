//! What templates see of similar incidents and recurring classes: the "Similar incidents" list
//! of a postmortem page, the class it belongs to, and the "Recurring incidents" pages (an
//! index of the classes and a page per class). Views only: the links and classes themselves
//! are computed by [`crate::similar`].

use serde::Serialize;

use super::items::{item_of_view, ActionItemView};
use super::refs::{FactorRef, Named, PmRef, SeverityRef, Views};
use crate::similar::{LinkKind, RecurringClass};
use crate::text::date_display;

/// URL of a recurring class's page, relative to the root.
pub(crate) fn class_url(id: &str) -> String {
    format!("recurring/{id}/")
}

/// One similar incident on a postmortem page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SimilarView {
    /// The other postmortem.
    #[serde(flatten)]
    pub pm: PmRef,
    /// Its severity.
    pub severity: Option<SeverityRef>,
    /// The pair's similarity, 0..1.
    pub score: f32,
    /// The same as a whole percentage.
    pub score_pct: u32,
    /// `recurrence`, `pinned` or `computed`.
    pub kind: LinkKind,
    /// The other incident happened later.
    pub later: bool,
    /// Shared contributing factors, rarest first.
    pub factors: Vec<FactorRef>,
    /// Shared services, rarest first.
    pub services: Vec<Named>,
    /// Shared tags, rarest first.
    pub tags: Vec<Named>,
    /// Distinctive words both incidents' texts use.
    pub terms: Vec<String>,
    /// With a sentence-embedding model (`[similar] model`): how close the two texts are in
    /// meaning, the embeddings' cosine as a whole percentage.
    pub meaning_pct: Option<u32>,
}

/// A reference to a recurring class.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClassRef {
    /// The class id (its first incident's id).
    pub id: String,
    /// URL relative to the root.
    pub url: String,
    /// The first incident's title, which names the class.
    pub title: String,
    /// Number of incidents.
    pub size: usize,
    /// The first incident's date, human.
    pub first_display: String,
    /// The last incident's date, human.
    pub last_display: String,
}

/// A recurring class on the index and on its own page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClassView {
    /// Id, name, size and span.
    #[serde(flatten)]
    pub class: ClassRef,
    /// Factors at least half the incidents share.
    pub factors: Vec<FactorRef>,
    /// Services at least half the incidents share.
    pub services: Vec<Named>,
    /// Open action items across the class.
    pub open_actions: usize,
    /// An author linked members explicitly.
    pub explicit: bool,
    /// The incidents, earliest first.
    pub members: Vec<PmRef>,
}

impl Views<'_, '_> {
    /// The similar incidents of postmortem `i`.
    pub(crate) fn similar(&self, i: usize) -> Vec<SimilarView> {
        let site = self.site();
        let Some(links) = self.similarity().links.get(i) else {
            return Vec::new();
        };
        links
            .iter()
            .map(|l| SimilarView {
                pm: self.pm_ref(l.target),
                severity: site.postmortems[l.target]
                    .severity
                    .as_deref()
                    .map(|s| self.severity(s)),
                score: l.score,
                score_pct: (l.score * 100.0).round().clamp(0.0, 100.0) as u32,
                kind: l.kind,
                later: l.later,
                factors: self.factor_refs(&l.factors),
                services: Views::named("services", &l.services),
                tags: Views::named("tags", &l.tags),
                terms: l.terms.clone(),
                meaning_pct: l
                    .semantic
                    .map(|c| (c * 100.0).round().clamp(0.0, 100.0) as u32),
            })
            .collect()
    }

    /// The class of postmortem `i`, if it recurs.
    pub(crate) fn class_of(&self, i: usize) -> Option<ClassRef> {
        let c = self.similarity().class_of.get(i).copied().flatten()?;
        Some(self.class_ref(&self.similarity().classes[c]))
    }

    fn class_ref(&self, class: &RecurringClass) -> ClassRef {
        let site = self.site();
        let day = |w: Option<crate::model::When>| {
            w.map(|w| date_display(w.date()))
                .unwrap_or_else(|| "undated".into())
        };
        ClassRef {
            id: class.id.clone(),
            url: class_url(&class.id),
            title: site.postmortems[class.members[0]].title.clone(),
            size: class.members.len(),
            first_display: day(class.first),
            last_display: day(class.last),
        }
    }

    /// Every recurring class, largest first.
    pub(crate) fn classes(&self) -> Vec<ClassView> {
        self.similarity()
            .classes
            .iter()
            .map(|c| ClassView {
                class: self.class_ref(c),
                factors: self.factor_refs(&c.factors),
                services: Views::named("services", &c.services),
                open_actions: c.open_actions,
                explicit: c.explicit,
                members: c.members.iter().map(|&m| self.pm_ref(m)).collect(),
            })
            .collect()
    }

    /// The open action items of class `c`, earliest incident first.
    pub(crate) fn class_actions(&self, c: usize) -> Vec<ActionItemView> {
        self.open_actions(&self.similarity().classes[c].members)
    }

    /// The open action items of the postmortems `members`, in their order.
    pub(crate) fn open_actions(&self, members: &[usize]) -> Vec<ActionItemView> {
        let site = self.site();
        let mut out = Vec::new();
        for &m in members {
            for a in site.postmortems[m]
                .action_items
                .iter()
                .filter(|a| a.is_open())
            {
                out.push(item_of_view(self, m, a));
            }
        }
        out
    }

    /// The recurring classes that postmortems `members` belong to, with how many of them each
    /// holds: most of them first, then the largest class, then by id.
    pub(crate) fn classes_among(&self, members: &[usize]) -> Vec<ClassShare> {
        let similarity = self.similarity();
        let mut here: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for &m in members {
            if let Some(c) = similarity.class_of.get(m).copied().flatten() {
                *here.entry(c).or_default() += 1;
            }
        }
        let mut shares: Vec<(usize, usize)> = here.into_iter().collect();
        let classes = &similarity.classes;
        shares.sort_unstable_by(|&(a, na), &(b, nb)| {
            nb.cmp(&na)
                .then_with(|| classes[b].members.len().cmp(&classes[a].members.len()))
                .then_with(|| classes[a].id.cmp(&classes[b].id))
        });
        shares
            .into_iter()
            .map(|(c, here)| ClassShare {
                class: self.class_ref(&classes[c]),
                here,
            })
            .collect()
    }
}

/// A recurring class some of a listing's postmortems belong to.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClassShare {
    /// The class.
    pub class: ClassRef,
    /// How many of the listing's postmortems it holds.
    pub here: usize,
}
