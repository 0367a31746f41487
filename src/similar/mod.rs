//! Similar incidents: for every published postmortem, the incidents most like it (earlier and
//! later), each with the reasons it is linked, and the recurring classes those links form.
//!
//! "Similar incident recurrence" is the number that says whether postmortems work, so this pass
//! is an enrichment of the [`Site`] that every page, the JSON API and the `similar` command read.
//! It runs on the tantivy index the search pass builds (one index, one analysis, one set of
//! statistics), after publishability filtering, so restricted and draft postmortems can never
//! be a link, a reason or a count.
//!
//! The score of a pair is a weighted sum of four similarities, each in 0..1 and symmetric:
//! - text: the cosine of the two incidents' BM25 term vectors over what went wrong (title,
//!   summary, root cause, timeline with its error messages). Each weight is tantivy's own BM25
//!   score of the term for the document ([`tantivy::query::Bm25Weight`] over the index's
//!   document frequencies and fieldnorms), times a per-field weight; terms in more than a tenth
//!   of the archive are dropped as carrying no signal. Candidates come from the postings of each
//!   incident's most distinctive terms (as tantivy's `MoreLikeThis` does), so the cost grows
//!   with the archive, not with its square;
//! - factors, services and tags: the weighted Jaccard of the two sets, each value weighted by
//!   its rarity (`ln(1 + N / df)`), so a factor on 40% of incidents carries little.
//!
//! Explicit links always appear and come first: `recurrence_of` (both ways) and the author's
//! `similar_pinned`; `similar_hidden` removes a computed link. Both pins and hides apply in
//! both directions: a link is a relation between two incidents. Classes are formed in
//! [`class`].

pub mod class;
mod vectors;

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::enrich::Site;
use crate::error::Result;
use crate::search::SearchIndex;
pub use class::RecurringClass;
use vectors::TermVectors;

/// The text fields that say what went wrong, with their weight in the text similarity.
pub const SIMILARITY_FIELDS: &[(&str, f32)] = &[
    ("title", 2.0),
    ("summary", 1.5),
    ("root_cause", 1.5),
    ("timeline", 1.0),
];

/// The model's parameters. [`compute`] uses the defaults, tuned on generated archives against
/// their hidden classes (see `bench/similar-bench.sh`); tests and the benchmark vary them.
#[derive(Debug, Clone)]
pub struct Params {
    /// Text fields and their weights.
    pub fields: Vec<(&'static str, f32)>,
    /// Weights of the text, factor, service and tag similarities in a pair's score.
    pub weights: [f32; 4],
    /// How many of an incident's most distinctive terms look for candidates.
    pub query_terms: usize,
    /// How many candidates (by the partial score of those terms) are scored in full.
    pub candidates: usize,
    /// Terms in more than this share of the archive are dropped.
    pub max_df_share: f64,
    /// Added to the score of two incidents that explicit links (`recurrence_of`, pins) already
    /// join, directly or through others: authors said they are one class.
    pub chain_bonus: f32,
    /// Computed links scoring below this share of the best link of the list are dropped: a
    /// list stops where similarity falls off, rather than padding itself to the limit.
    pub relative_cutoff: f32,
    /// Links scoring below this are not listed (`[similar] min_score` when computed).
    pub min_score: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            fields: SIMILARITY_FIELDS.to_vec(),
            weights: [0.6, 0.25, 0.1, 0.05],
            query_terms: 24,
            candidates: 40,
            max_df_share: 0.1,
            chain_bonus: 0.3,
            relative_cutoff: 0.6,
            min_score: 0.2,
        }
    }
}

/// Distinctive shared words named in a link's reasons.
const REASON_TERMS: usize = 4;

/// Why a link exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// `recurrence_of`, in either direction.
    Recurrence,
    /// `similar_pinned`, in either direction.
    Pinned,
    /// Computed from the text and the shared fields.
    Computed,
}

/// One similar incident of a postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The other postmortem (index into the site's order).
    pub target: usize,
    /// The pair's similarity, 0..1.
    pub score: f32,
    /// Why it is listed.
    pub kind: LinkKind,
    /// The other incident happened later ("this happened again in ...").
    pub later: bool,
    /// Shared contributing factors, rarest first.
    pub factors: Vec<String>,
    /// Shared services, rarest first.
    pub services: Vec<String>,
    /// Shared tags, rarest first.
    pub tags: Vec<String>,
    /// Distinctive words both texts use, strongest first.
    pub terms: Vec<String>,
    /// Explicit links join the two through other incidents (a recurrence chain).
    pub chained: bool,
}

impl Link {
    /// The reasons as short strings in the filter syntax of search: `recurrence`, `pinned`,
    /// `factor:dns`, `service:checkout`, `tag:tls`, `term:certificate`.
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.kind {
            LinkKind::Recurrence => out.push("recurrence".to_string()),
            LinkKind::Pinned => out.push("pinned".to_string()),
            LinkKind::Computed if self.chained => out.push("chain".to_string()),
            LinkKind::Computed => {}
        }
        let tagged = |prefix: &str, list: &[String]| {
            list.iter()
                .map(|v| format!("{prefix}:{v}"))
                .collect::<Vec<_>>()
        };
        out.extend(tagged("factor", &self.factors));
        out.extend(tagged("service", &self.services));
        out.extend(tagged("tag", &self.tags));
        out.extend(tagged("term", &self.terms));
        out
    }

    /// The link as `api/postmortems.json` and `similar --json` show it.
    pub fn json<'s>(&self, site: &'s Site<'_>) -> LinkJson<'s> {
        LinkJson {
            id: &site.postmortems[self.target].id,
            score: (f64::from(self.score) * 10_000.0).round() / 10_000.0,
            recurrence: self.kind == LinkKind::Recurrence,
            reasons: self.reasons(),
        }
    }
}

/// A link in JSON: `{ id, score, recurrence, reasons }`.
#[derive(Debug, Clone, Serialize)]
pub struct LinkJson<'s> {
    /// The other postmortem's id.
    pub id: &'s str,
    /// The pair's similarity, 0..1, to four decimals.
    pub score: f64,
    /// An explicit `recurrence_of` link (either direction).
    pub recurrence: bool,
    /// [`Link::reasons`].
    pub reasons: Vec<String>,
}

/// The similar-incident lists and recurring classes of a site.
#[derive(Debug, Clone, Default)]
pub struct Similarity {
    /// Per postmortem (site order): its links, explicit first, then computed by score.
    pub links: Vec<Vec<Link>>,
    /// Recurring classes (two or more incidents), largest first.
    pub classes: Vec<RecurringClass>,
    /// Per postmortem: its class (index into `classes`).
    pub class_of: Vec<Option<usize>>,
}

/// Rarity weights of the values of one structured field.
struct Rarity {
    weight: HashMap<String, f32>,
}

impl Rarity {
    fn new<'a>(n: usize, lists: impl Iterator<Item = &'a [String]>) -> Rarity {
        let mut df: HashMap<String, usize> = HashMap::new();
        for list in lists {
            let set: BTreeSet<&String> = list.iter().collect();
            for v in set {
                *df.entry(v.clone()).or_default() += 1;
            }
        }
        let weight = df
            .into_iter()
            .map(|(v, d)| (v, (1.0 + n as f32 / d as f32).ln()))
            .collect();
        Rarity { weight }
    }

    fn of(&self, v: &str) -> f32 {
        self.weight.get(v).copied().unwrap_or(0.0)
    }

    /// Weighted Jaccard of two sets, and the shared values rarest first.
    fn compare(&self, a: &[String], b: &[String]) -> (f32, Vec<String>) {
        let a: BTreeSet<&str> = a.iter().map(String::as_str).collect();
        let b: BTreeSet<&str> = b.iter().map(String::as_str).collect();
        let union: f32 = a.union(&b).map(|v| self.of(v)).sum();
        let mut shared: Vec<&str> = a.intersection(&b).copied().collect();
        if union <= 0.0 || shared.is_empty() {
            return (0.0, Vec::new());
        }
        let inter: f32 = shared.iter().map(|v| self.of(v)).sum();
        shared.sort_by(|x, y| self.of(y).total_cmp(&self.of(x)).then_with(|| x.cmp(y)));
        (
            inter / union,
            shared.into_iter().map(String::from).collect(),
        )
    }
}

/// Everything the pair scoring needs.
struct Scorer<'a> {
    site: &'a Site<'a>,
    params: &'a Params,
    vectors: TermVectors,
    factors: Rarity,
    services: Rarity,
    tags: Rarity,
    /// Stem -> the word shown for it in reasons.
    words: HashMap<String, String>,
}

impl Scorer<'_> {
    /// The full link from `a` to `b` (kind left as computed).
    fn link(&self, a: usize, b: usize) -> Link {
        let pa = &self.site.postmortems[a];
        let pb = &self.site.postmortems[b];
        let (text, shared_terms) = self.vectors.cosine(a, b);
        let (f, factors) = self.factors.compare(&pa.factors, &pb.factors);
        let (s, services) = self.services.compare(&pa.services, &pb.services);
        let (t, tags) = self.tags.compare(&pa.tags, &pb.tags);
        let w = &self.params.weights;
        let score = w[0] * text + w[1] * f + w[2] * s + w[3] * t;
        let terms = shared_terms
            .into_iter()
            .take(REASON_TERMS)
            .map(|tid| {
                let stem = self.vectors.term(tid);
                self.words
                    .get(stem)
                    .cloned()
                    .unwrap_or_else(|| stem.to_string())
            })
            .collect();
        Link {
            target: b,
            score,
            kind: LinkKind::Computed,
            later: is_later(self.site, a, b),
            factors,
            services,
            tags,
            terms,
            chained: false,
        }
    }

    /// The candidates of `a` by the partial score of its most distinctive terms.
    fn candidates(&self, a: usize, acc: &mut Accumulator) -> Vec<usize> {
        for (tid, w) in self.vectors.query(a, self.params.query_terms) {
            for &(doc, wd) in self.vectors.postings(tid) {
                acc.add(doc as usize, w * wd);
            }
        }
        acc.take_top(self.params.candidates, a)
    }
}

/// Whether `b` happened after `a` (site order is newest first; undated incidents sort last,
/// and count as earlier than dated ones).
fn is_later(site: &Site<'_>, a: usize, b: usize) -> bool {
    match (site.postmortems[a].date, site.postmortems[b].date) {
        (Some(x), Some(y)) => y.at > x.at || (y.at == x.at && b < a),
        (None, Some(_)) => true,
        (Some(_), None) => false,
        (None, None) => b < a,
    }
}

/// A dense score accumulator reused across documents of one thread.
struct Accumulator {
    scores: Vec<f32>,
    touched: Vec<usize>,
}

impl Accumulator {
    fn new(n: usize) -> Self {
        Accumulator {
            scores: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, doc: usize, v: f32) {
        if self.scores[doc] == 0.0 {
            self.touched.push(doc);
        }
        self.scores[doc] += v;
    }

    /// The `k` best documents other than `skip`, best first (ties: site order); resets.
    fn take_top(&mut self, k: usize, skip: usize) -> Vec<usize> {
        let mut scored: Vec<(f32, usize)> = self
            .touched
            .iter()
            .filter(|&&d| d != skip)
            .map(|&d| (self.scores[d], d))
            .collect();
        for &d in &self.touched {
            self.scores[d] = 0.0;
        }
        self.touched.clear();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        scored.truncate(k);
        scored.into_iter().map(|(_, d)| d).collect()
    }
}

/// Computes the similar-incident lists and the recurring classes of `site`, whose postmortems
/// `index` holds in the same order.
pub fn compute(site: &Site<'_>, index: &SearchIndex) -> Result<Similarity> {
    let params = Params {
        min_score: site.config.similar.min_score,
        ..Params::default()
    };
    compute_with(site, index, &params)
}

/// [`compute`] with other parameters.
pub fn compute_with(site: &Site<'_>, index: &SearchIndex, params: &Params) -> Result<Similarity> {
    let n = site.postmortems.len();
    let vectors = TermVectors::build(index, &params.fields, params.max_df_share)?;
    let pms = &site.postmortems;
    let mut scorer = Scorer {
        site,
        params,
        vectors,
        factors: Rarity::new(n, pms.iter().map(|p| p.factors.as_slice())),
        services: Rarity::new(n, pms.iter().map(|p| p.services.as_slice())),
        tags: Rarity::new(n, pms.iter().map(|p| p.tags.as_slice())),
        words: HashMap::new(),
    };
    scorer.words = scorer.vectors.display_words(&index.surface);

    // Explicit links, both ways, by pair.
    let mut explicit: Vec<Vec<(usize, LinkKind)>> = vec![Vec::new(); n];
    let mut hidden: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    let add = |list: &mut Vec<Vec<(usize, LinkKind)>>, a: usize, b: usize, k: LinkKind| {
        for (x, y) in [(a, b), (b, a)] {
            match list[x].iter_mut().find(|(t, _)| *t == y) {
                Some(e) => e.1 = e.1.min(k),
                None => list[x].push((y, k)),
            }
        }
    };
    for (i, targets) in site.recurrence_of.iter().enumerate() {
        for &j in targets {
            add(&mut explicit, i, j, LinkKind::Recurrence);
        }
    }
    for (i, pm) in pms.iter().enumerate() {
        for id in &pm.similar_pinned {
            if let Some(&j) = site.by_id.get(id) {
                if j != i {
                    add(&mut explicit, i, j, LinkKind::Pinned);
                }
            }
        }
        for id in &pm.similar_hidden {
            if let Some(&j) = site.by_id.get(id) {
                hidden[i].insert(j);
                hidden[j].insert(i);
            }
        }
    }

    // Explicit chains: incidents explicit links join, directly or through others.
    let mut sets = class::Sets::new(n);
    for (a, list) in explicit.iter().enumerate() {
        for &(b, _) in list {
            sets.union(a, b);
        }
    }
    let chain: Vec<usize> = (0..n).map(|i| sets.find(i)).collect();
    let mut chains: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &c) in chain.iter().enumerate() {
        chains.entry(c).or_default().push(i);
    }

    let config = &site.config.similar;
    let links: Vec<Vec<Link>> = (0..n)
        .into_par_iter()
        .map_init(
            || Accumulator::new(n),
            |acc, a| {
                let mut out: Vec<Link> = explicit[a]
                    .iter()
                    .map(|&(b, kind)| Link {
                        kind,
                        ..scorer.link(a, b)
                    })
                    .collect();
                // Recurrences, then pins; earlier incidents first within each.
                out.sort_by(|x, y| {
                    x.kind
                        .cmp(&y.kind)
                        .then(x.later.cmp(&y.later))
                        .then_with(|| y.target.cmp(&x.target))
                });
                let mut candidates = scorer.candidates(a, acc);
                let mates = &chains[&chain[a]];
                if mates.len() > 1 {
                    candidates.extend(mates.iter().copied().filter(|&b| b != a));
                    candidates.sort_unstable();
                    candidates.dedup();
                }
                let mut computed: Vec<Link> = candidates
                    .into_iter()
                    .filter(|b| !hidden[a].contains(b) && !explicit[a].iter().any(|e| e.0 == *b))
                    .map(|b| {
                        let mut l = scorer.link(a, b);
                        if chain[a] == chain[b] {
                            l.chained = true;
                            l.score = (l.score + params.chain_bonus).min(1.0);
                        }
                        l
                    })
                    .filter(|l| l.score >= params.min_score)
                    .collect();
                computed.sort_by(|x, y| {
                    y.score
                        .total_cmp(&x.score)
                        .then_with(|| x.target.cmp(&y.target))
                });
                let best = out
                    .iter()
                    .chain(computed.first())
                    .map(|l| l.score)
                    .fold(0.0f32, f32::max);
                computed.retain(|l| l.score >= best * params.relative_cutoff);
                let room = config.limit.saturating_sub(out.len());
                out.extend(computed.into_iter().take(room));
                out
            },
        )
        .collect();
    let (classes, class_of) = class::classes(site, &links, config.cluster_score);
    Ok(Similarity {
        links,
        classes,
        class_of,
    })
}

#[cfg(test)]
mod tests;
