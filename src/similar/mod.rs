//! Similar incidents: for every published postmortem, the incidents most like it (earlier and
//! later), each with the reasons it is linked, and the recurring classes those links form.
//!
//! "Similar incident recurrence" is the number that says whether postmortems work, so this pass
//! is an enrichment of the [`Site`] that every page, the JSON API and the `similar` command read.
//! It runs after publishability filtering, so restricted and draft postmortems can never be a
//! link, a reason or a count. `build`, `serve` and the `similar` command alike analyse the
//! texts with the search analyzer and weigh them as tantivy does ([`terms`], `vectors`), with
//! no index (`build` runs it beside the search index's thread; `serve` analyses again only the
//! postmortems that changed).
//!
//! The score of a pair says what went wrong in both, not who it happened to:
//! - text: the cosine of the two incidents' BM25 term vectors over what went wrong (title,
//!   summary, root cause, timeline with its error messages; the body of a report without those
//!   sections), terms in more than 30% of the archive dropped. Each weight is tantivy's own
//!   BM25 score of the term for the document
//!   ([`tantivy::query::Bm25Weight`] over the archive's document frequencies and fieldnorms).
//!   The words of an incident's own services and teams (in an imported archive, its
//!   organisation and product) weigh [`Params::owner_weight`] in its vector (0 unless the
//!   archive's explicit links say otherwise, `calibrate`): on real reports a shared owner
//!   dominated the links (bench/relevance.py). Candidates come from the postings of each
//!   incident's most distinctive terms (as tantivy's `MoreLikeThis` does), at most the
//!   heaviest [`Params::max_postings`] of each, so the cost per incident is bounded;
//! - factors, services and tags are weak evidence: the weighted Jaccard of the two sets (each
//!   value weighted by its rarity, `ln(1 + N / df)`) scales the text score up a little
//!   ([`Params::evidence`]), so they order links that the text supports and never make two
//!   incidents similar by themselves.
//!
//! Explicit links always appear and come first: `recurrence_of` (both ways) and the author's
//! `similar_pinned`; `similar_hidden` removes a computed link. Both pins and hides apply in
//! both directions: a link is a relation between two incidents. Explicit links also form
//! chains (incidents joined through others), which the computed links use: two incidents of
//! one chain are one class by their authors' word (a bonus, reason `chain`), and the best
//! candidates are scored again against the members of their chain and of the incident's own,
//! which averages out the noise of one pair. A list ends where similarity falls off (below
//! [`Params::relative_cutoff`] of its best link) rather than padding itself to the limit; the
//! cut is relative, so a short report whose best match scores low still gets its links, and
//! the floor ([`Params::min_score`]) only asks for some real shared evidence.
//! Classes are formed in [`class`]. With a sentence-embedding model (`[similar] model`,
//! [`semantic`]), the text score is mixed with the cosine of the two incidents' embeddings.

mod calibrate;
pub(crate) mod class;
mod field;
mod linker;
pub(crate) mod semantic;
pub(crate) mod terms;
mod vectors;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::enrich::Site;
use crate::error::Result;
pub(crate) use class::RecurringClass;
use field::Field;
pub(crate) use semantic::{Embedded, Semantic};
pub(crate) use terms::TermsCache;
use vectors::TermVectors;

/// The text fields that say what went wrong, with their weight in the text similarity (equal:
/// weighing the title and summary above the rest lost 0.03 capped recall@5 on real reports).
pub(crate) const SIMILARITY_FIELDS: &[(&str, f32)] = &[
    ("title", 1.0),
    ("summary", 1.0),
    ("root_cause", 1.0),
    ("timeline", 1.0),
];

/// The field read for postmortems without root cause and timeline sections, and its weight.
pub(crate) const FALLBACK_FIELD: (&str, f32) = ("body", 1.0);

/// A postmortem without the sections similarity compares (an imported report): its body
/// stands in for them.
pub(crate) fn is_bare(pm: &crate::model::Postmortem) -> bool {
    pm.body.section("root_cause").is_none() && pm.body.section("timeline").is_none()
}

/// The model's parameters. [`compute`] uses the defaults, tuned on real reports against
/// incident classes judged by failure mechanism (`bench/relevance.py`) and checked on
/// generated archives against their hidden classes (`bench/similar-bench.sh`); tests vary
/// them.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    /// Text fields and their weights.
    pub fields: Vec<(&'static str, f32)>,
    /// How much the factor, service and tag similarities (each 0..1) scale the text score up:
    /// a pair's score is `text * (1 + sum(e * similarity)) / (1 + sum(e))`.
    pub evidence: [f32; 3],
    /// How many of an incident's most distinctive terms look for candidates.
    pub query_terms: usize,
    /// How many candidates (by the partial score of those terms) are scored in full.
    pub candidates: usize,
    /// Terms in more than this share of the archive are dropped.
    pub max_df_share: f64,
    /// The weight of the words of an incident's own services and teams in its text vector,
    /// against 1 for every other word.
    pub owner_weight: f32,
    /// A term finds candidates through at most this many of its postings, the heaviest.
    pub max_postings: usize,
    /// Added to the score of two incidents that explicit links (`recurrence_of`, pins) already
    /// join, directly or through others: authors said they are one class.
    pub chain_bonus: f32,
    /// Computed links scoring below this share of the best link of the list are dropped: a
    /// list stops where similarity falls off, rather than padding itself to the limit.
    pub relative_cutoff: f32,
    /// Share of a pair's score taken from the two incidents' explicit chains: the mean
    /// similarity of each incident to (up to [`CHAIN_SAMPLE`]) members of the other's chain.
    pub chain_weight: f32,
    /// Links scoring below this are not listed (`[similar] min_score` when computed).
    pub min_score: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            fields: SIMILARITY_FIELDS.to_vec(),
            evidence: [0.1, 0.0, 0.1],
            query_terms: 24,
            candidates: 40,
            max_df_share: 0.3,
            owner_weight: 0.0,
            max_postings: 1000,
            chain_bonus: 0.3,
            relative_cutoff: 0.5,
            chain_weight: 0.7,
            min_score: 0.05,
        }
    }
}

/// Candidates (at least; twice the list's limit when larger) scored again with their chains.
pub(crate) const RESCORED: usize = 12;

/// Members of a chain a pair's chain score looks at.
pub(crate) const CHAIN_SAMPLE: usize = 6;

/// Distinctive shared words named in a link's reasons.
const REASON_TERMS: usize = 4;

/// Why a link exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkKind {
    /// `recurrence_of`, in either direction.
    Recurrence,
    /// `similar_pinned`, in either direction.
    Pinned,
    /// Computed from the text and the shared fields.
    Computed,
}

/// One similar incident of a postmortem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Link {
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
    /// The cosine of the two incidents' embeddings, to two decimals (with a model only).
    pub semantic: Option<f32>,
}

impl Link {
    /// The reasons as short strings in the filter syntax of search: `recurrence`, `pinned`,
    /// `factor:dns`, `service:checkout`, `tag:tls`, `term:certificate`, and with a model
    /// `semantic:0.83` (the embeddings' cosine).
    pub(crate) fn reasons(&self) -> Vec<String> {
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
        if let Some(s) = self.semantic {
            out.push(format!("semantic:{s:.2}"));
        }
        out
    }

    /// The link as `api/postmortems.json` and `similar --json` show it.
    pub(crate) fn json<'s>(&self, site: &'s Site<'_>) -> LinkJson<'s> {
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
pub(crate) struct LinkJson<'s> {
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
pub(crate) struct Similarity {
    /// Per postmortem (site order): its links, explicit first, then computed by score.
    pub links: Vec<Vec<Link>>,
    /// Recurring classes (two or more incidents), largest first.
    pub classes: Vec<RecurringClass>,
    /// Per postmortem: its class (index into `classes`).
    pub class_of: Vec<Option<usize>>,
}

impl Similarity {
    /// No similar incidents and no classes: what the pages that show none are rendered with.
    pub(crate) const NONE: Similarity = Similarity {
        links: Vec::new(),
        classes: Vec::new(),
        class_of: Vec::new(),
    };
}

/// Everything the pair scoring needs.
struct Scorer<'a> {
    site: &'a Site<'a>,
    params: &'a Params,
    vectors: TermVectors,
    factors: Field,
    services: Field,
    tags: Field,
    /// Stem -> the word shown for it in reasons.
    words: HashMap<String, String>,
    /// The embeddings, with a model.
    semantic: Option<&'a Embedded>,
}

impl Scorer<'_> {
    /// The similarity of `a` and `b` (symmetric).
    fn score(&self, a: usize, b: usize) -> f32 {
        self.combine(self.vectors.cosine(a, b), a, b)
    }

    /// [`Self::score`] with `a`'s vector scattered into `dense` (the same value, faster when
    /// `a` is compared with many).
    fn score_dense(&self, dense: &[f32], a: usize, b: usize) -> f32 {
        self.combine(self.vectors.cosine_dense(dense, a, b), a, b)
    }

    fn combine(&self, text: f32, a: usize, b: usize) -> f32 {
        let text = match self.semantic {
            Some(e) => e.mix(text, a, b),
            None => text,
        };
        if text <= 0.0 {
            return 0.0;
        }
        let e = &self.params.evidence;
        let evidence = e[0] * self.factors.similarity(a, b)
            + e[1] * self.services.similarity(a, b)
            + e[2] * self.tags.similarity(a, b);
        text * (1.0 + evidence) / (1.0 + e.iter().sum::<f32>())
    }

    /// The link from `a` to `b` with its reasons (kind left as computed).
    fn link(&self, a: usize, b: usize, score: f32) -> Link {
        let terms = self
            .vectors
            .shared_terms(a, b)
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
            factors: self.factors.shared_names(a, b),
            services: self.services.shared_names(a, b),
            tags: self.tags.shared_names(a, b),
            terms,
            chained: false,
            semantic: self
                .semantic
                .map(|e| (e.cosine(a, b) * 100.0).round() / 100.0),
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

/// Whether `b` happened after `a`. Undated incidents count as earlier than dated ones; equal
/// starts are ordered by id (as `check` and the generator of test archives order them).
fn is_later(site: &Site<'_>, a: usize, b: usize) -> bool {
    let (pa, pb) = (&site.postmortems[a], &site.postmortems[b]);
    match (pa.date, pb.date) {
        (Some(x), Some(y)) if x.at != y.at => y.at > x.at,
        (None, Some(_)) => true,
        (Some(_), None) => false,
        _ => pb.id > pa.id,
    }
}

/// A dense score accumulator reused across documents of one thread. Adding is branch-free;
/// taking the best scans the whole array, which is cheaper than tracking the thousands of
/// documents a query touches (the scan is linear and predictable, the tracking is not).
struct Accumulator {
    scores: Vec<f32>,
}

impl Accumulator {
    fn new(n: usize) -> Self {
        Accumulator {
            scores: vec![0.0; n],
        }
    }

    fn add(&mut self, doc: usize, v: f32) {
        self.scores[doc] += v;
    }

    /// The `k` best documents other than `skip`, best first (ties: site order); resets.
    fn take_top(&mut self, k: usize, skip: usize) -> Vec<usize> {
        // A heap of the k best so far, worst on top: one comparison for most documents.
        let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k + 1);
        if k == 0 {
            self.scores.fill(0.0);
            return Vec::new();
        }
        let mut floor = 0.0f32;
        let mut consider = |d: usize, score: f32, floor: &mut f32| {
            if score <= *floor || d == skip {
                return;
            }
            let r = Ranked(score, d);
            if best.len() < k {
                best.push(Reverse(r));
            } else if best.peek().is_some_and(|w| r > w.0) {
                best.pop();
                best.push(Reverse(r));
            }
            if best.len() == k {
                let worst = best.peek().map_or(0.0, |w| w.0 .0);
                // Equal scores still compete on site order.
                *floor = f32::from_bits(worst.to_bits().saturating_sub(1)).max(0.0);
            }
        };
        // Most of the archive scores nothing or less than the k-th best so far: a block of
        // scores is looked at one by one only when one of them beats the floor (the test of a
        // block is branch-free, so it vectorises). This scan is the one part of the pass that
        // grows with the archive for every incident.
        const BLOCK: usize = 16;
        let mut blocks = self.scores.chunks_exact(BLOCK);
        for (b, block) in blocks.by_ref().enumerate() {
            let f = floor;
            if block.iter().fold(false, |any, &s| any | (s > f)) {
                for (i, &score) in block.iter().enumerate() {
                    consider(b * BLOCK + i, score, &mut floor);
                }
            }
        }
        let tail = self.scores.len() - blocks.remainder().len();
        for (i, &score) in blocks.remainder().iter().enumerate() {
            consider(tail + i, score, &mut floor);
        }
        self.scores.fill(0.0);
        // Ascending by `Reverse` is best first.
        best.into_sorted_vec()
            .into_iter()
            .map(|Reverse(r)| r.1)
            .collect()
    }
}

/// A candidate's partial score: greater is better (higher score, then earlier in site order).
#[derive(Debug, Clone, Copy)]
struct Ranked(f32, usize);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

/// Analyses `site`'s postmortems for [`compute`] (in parallel), reusing `cache` when given
/// (`serve` keeps it between rebuilds, so only the postmortems that changed are analysed).
pub(crate) fn analyse(site: &Site<'_>, cache: Option<&TermsCache>) -> terms::Analysed {
    terms::analyse_all(&site.postmortems, SIMILARITY_FIELDS, cache)
}

/// Analyses (reusing `cache` when given), embeds with `model` when given ([`semantic`]) and
/// computes the similar-incident lists and recurring classes of `site`: what `build`, `serve`
/// and the `similar` command do. Also says how many postmortems were embedded.
pub(crate) fn find(
    site: &Site<'_>,
    cache: Option<&TermsCache>,
    model: Option<&Semantic>,
) -> Result<(Similarity, Option<semantic::EmbedCount>)> {
    let analysed = analyse(site, cache);
    let embedded = match model {
        Some(m) => Some(semantic::embed(
            site,
            &analysed,
            m,
            site.config.similar.model_weight,
        )?),
        None => None,
    };
    let similarity = compute(site, &analysed, embedded.as_ref().map(|e| &e.0))?;
    Ok((similarity, embedded.map(|e| e.1)))
}

/// Computes the similar-incident lists and the recurring classes of `site` from its
/// postmortems analysed by [`analyse`] (and embedded by [`semantic::embed`], with a model).
pub(crate) fn compute(
    site: &Site<'_>,
    analysed: &terms::Analysed,
    semantic: Option<&Embedded>,
) -> Result<Similarity> {
    let params = Params {
        min_score: site.config.similar.min_score,
        ..Params::default()
    };
    compute_with(site, &params, analysed, semantic)
}

/// [`compute`] with other parameters (the analyses must cover `params.fields`): the explicit
/// links and chains, the calibration of the evidence on them, the term vectors, then each
/// incident's links ([`linker::Linker`]) and the recurring classes.
pub(crate) fn compute_with(
    site: &Site<'_>,
    params: &Params,
    analysed: &terms::Analysed,
    semantic: Option<&Embedded>,
) -> Result<Similarity> {
    let n = site.postmortems.len();
    // Archives without the standard sections (imported reports) would be compared on their
    // titles and summaries alone: their body stands in for the missing sections.
    let (plan, bare) = terms::plan_for(&site.postmortems, &params.fields);
    let any_bare = bare.iter().any(|&b| b);
    if plan != analysed.plan || analysed.docs.len() != n || semantic.is_some_and(|e| e.count() != n)
    {
        return Err(crate::error::Error::internal_bare(
            "similarity: the postmortems were analysed for other fields",
        ));
    }
    let pms = &site.postmortems;
    let explicit = linker::Explicit::of(site);
    // What the archive's own explicit links say the metadata is worth.
    let factors = Field::new(pms.iter().map(|p| p.factors.as_slice()));
    let services = Field::new(pms.iter().map(|p| p.services.as_slice()));
    let tags = Field::new(pms.iter().map(|p| p.tags.as_slice()));
    let params = &calibrate::calibrate(params, [&factors, &services, &tags], &explicit.pairs(), n);
    let fallback = Some((FALLBACK_FIELD.0, FALLBACK_FIELD.1, bare.as_slice()));
    // The words shown for terms need only the analyses: made beside the vectors.
    let (vectors, words) = rayon::join(
        || {
            TermVectors::from_terms(
                &analysed.docs,
                &params.fields,
                fallback.filter(|_| any_bare),
                params.max_df_share,
                params.max_postings,
                params.owner_weight,
            )
        },
        || analysed.display_words(),
    );
    let scorer = Scorer {
        site,
        params,
        vectors,
        factors,
        services,
        tags,
        words,
        semantic,
    };
    let chains = linker::Chains::of(&explicit, n);
    let config = &site.config.similar;
    let linker = linker::Linker {
        scorer: &scorer,
        explicit: &explicit,
        chains: &chains,
        limit: config.limit,
    };
    let links: Vec<Vec<Link>> = (0..n)
        .into_par_iter()
        .map_init(
            || {
                (
                    Accumulator::new(n),
                    vec![0.0f32; scorer.vectors.num_terms()],
                )
            },
            |(acc, dense), a| linker.links(a, acc, dense),
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
