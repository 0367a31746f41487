//! One incident's links: its explicit links (recurrences, then pins), then the computed ones:
//! candidates from the postings of its heaviest terms, scored, the best few scored again with
//! the chains explicit links form, cut at a share of the best and at the limit.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use super::{class, Accumulator, Link, LinkKind, Scorer, CHAIN_SAMPLE, RESCORED};
use crate::enrich::Site;

/// The explicit links of every incident, both ways, and the pairs `similar_hidden` drops.
pub(super) struct Explicit {
    /// Per incident: (other incident, strongest kind), in the order first found.
    links: Vec<Vec<(usize, LinkKind)>>,
    /// Per incident: the incidents never to link to it.
    hidden: Vec<BTreeSet<usize>>,
}

impl Explicit {
    /// From `recurrence_of` (both ways), `similar_pinned` and `similar_hidden`.
    pub(super) fn of(site: &Site<'_>) -> Explicit {
        let n = site.postmortems.len();
        let mut e = Explicit {
            links: vec![Vec::new(); n],
            hidden: vec![BTreeSet::new(); n],
        };
        for (i, targets) in site.recurrence_of.iter().enumerate() {
            for &j in targets {
                e.add(i, j, LinkKind::Recurrence);
            }
        }
        for (i, pm) in site.postmortems.iter().enumerate() {
            for id in &pm.similar_pinned {
                if let Some(&j) = site.by_id.get(id) {
                    if j != i {
                        e.add(i, j, LinkKind::Pinned);
                    }
                }
            }
            for id in &pm.similar_hidden {
                if let Some(&j) = site.by_id.get(id) {
                    e.hidden[i].insert(j);
                    e.hidden[j].insert(i);
                }
            }
        }
        e
    }

    /// Links `a` and `b` both ways, keeping the stronger kind of a pair already linked.
    fn add(&mut self, a: usize, b: usize, kind: LinkKind) {
        for (x, y) in [(a, b), (b, a)] {
            match self.links[x].iter_mut().find(|(t, _)| *t == y) {
                Some(e) => e.1 = e.1.min(kind),
                None => self.links[x].push((y, kind)),
            }
        }
    }

    /// Every explicitly linked pair once, (lower, higher).
    pub(super) fn pairs(&self) -> Vec<(usize, usize)> {
        self.links
            .iter()
            .enumerate()
            .flat_map(|(a, list)| list.iter().filter(move |e| a < e.0).map(move |e| (a, e.0)))
            .collect()
    }
}

/// The chains explicit links join, directly or through others.
pub(super) struct Chains {
    /// Per incident: its chain (a representative incident).
    of: Vec<usize>,
    /// Per chain: its incidents, in site order.
    members: FxHashMap<usize, Vec<usize>>,
}

impl Chains {
    pub(super) fn of(explicit: &Explicit, n: usize) -> Chains {
        let mut sets = class::Sets::new(n);
        for (a, list) in explicit.links.iter().enumerate() {
            for &(b, _) in list {
                sets.union(a, b);
            }
        }
        let of: Vec<usize> = (0..n).map(|i| sets.find(i)).collect();
        let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for (i, &c) in of.iter().enumerate() {
            members.entry(c).or_default().push(i);
        }
        Chains { of, members }
    }

    /// The incidents of `i`'s chain (`i` included).
    fn mates(&self, i: usize) -> &[usize] {
        &self.members[&self.of[i]]
    }

    fn same(&self, a: usize, b: usize) -> bool {
        self.of[a] == self.of[b]
    }
}

/// A candidate: (score, incident, whether it is in the same chain).
type Scored = (f32, usize, bool);

/// Best first; ties by site order.
fn order(x: &Scored, y: &Scored) -> std::cmp::Ordering {
    y.0.total_cmp(&x.0).then(x.1.cmp(&y.1))
}

/// Works out each incident's links.
pub(super) struct Linker<'a> {
    pub(super) scorer: &'a Scorer<'a>,
    pub(super) explicit: &'a Explicit,
    pub(super) chains: &'a Chains,
    /// Links shown per incident at most (`[similar] limit`).
    pub(super) limit: usize,
}

impl Linker<'_> {
    /// The links of incident `a`: explicit first, then computed by score. `acc` and `dense`
    /// are the worker's scratch space (returned as they were given: zeroed).
    pub(super) fn links(&self, a: usize, acc: &mut Accumulator, dense: &mut [f32]) -> Vec<Link> {
        let scorer = self.scorer;
        let mut out = self.explicit_links(a);
        scorer.vectors.scatter(a, dense);
        let mut scored = self.scored(a, acc, dense);
        self.rescore_with_chains(a, &mut scored, dense);
        scorer.vectors.unscatter(a, dense);
        let room = self.limit.saturating_sub(out.len());
        let kept = self.cut(&out, scored);
        out.extend(kept.into_iter().take(room).map(|(score, b, chained)| Link {
            chained,
            ..scorer.link(a, b, score)
        }));
        out
    }

    /// `a`'s explicit links with their scores and reasons: recurrences, then pins; earlier
    /// incidents first within each.
    fn explicit_links(&self, a: usize) -> Vec<Link> {
        let scorer = self.scorer;
        let mut out: Vec<Link> = self.explicit.links[a]
            .iter()
            .map(|&(b, kind)| Link {
                kind,
                ..scorer.link(a, b, scorer.score(a, b))
            })
            .collect();
        out.sort_by(|x, y| {
            x.kind
                .cmp(&y.kind)
                .then(x.later.cmp(&y.later))
                .then_with(|| y.target.cmp(&x.target))
        });
        out
    }

    /// `a`'s candidates (and its chain's mates) that are not hidden nor explicitly linked,
    /// scored (`dense`: `a`'s vector), the best few kept in order.
    fn scored(&self, a: usize, acc: &mut Accumulator, dense: &[f32]) -> Vec<Scored> {
        let (scorer, params) = (self.scorer, self.scorer.params);
        let mut candidates = scorer.candidates(a, acc);
        let mates = self.chains.mates(a);
        if mates.len() > 1 {
            candidates.extend(mates.iter().copied().filter(|&b| b != a));
            candidates.sort_unstable();
            candidates.dedup();
        }
        let explicit = &self.explicit.links[a];
        let mut scored: Vec<Scored> = candidates
            .into_iter()
            .filter(|b| !self.explicit.hidden[a].contains(b) && !explicit.iter().any(|e| e.0 == *b))
            .map(|b| {
                let chained = self.chains.same(a, b);
                let mut score = scorer.score_dense(dense, a, b);
                if chained {
                    score = (score + params.chain_bonus).min(1.0);
                }
                (score, b, chained)
            })
            .collect();
        scored.sort_by(order);
        scored.truncate(RESCORED.max(2 * self.limit));
        scored
    }

    /// Blends each candidate's score with its similarity to (up to [`CHAIN_SAMPLE`]) members
    /// of both incidents' chains, when either is part of one.
    fn rescore_with_chains(&self, a: usize, scored: &mut [Scored], dense: &[f32]) {
        let (scorer, params) = (self.scorer, self.scorer.params);
        if params.chain_weight <= 0.0 {
            return;
        }
        let mut cache: FxHashMap<usize, f32> = FxHashMap::default();
        let mut score_a = |y: usize| {
            *cache
                .entry(y)
                .or_insert_with(|| scorer.score_dense(dense, a, y))
        };
        for (score, b, chained) in scored.iter_mut() {
            if *chained {
                continue;
            }
            let (ka, kb) = (self.chains.mates(a), self.chains.mates(*b));
            if ka.len() == 1 && kb.len() == 1 {
                continue;
            }
            let mut sum = 0.0;
            let mut count = 0usize;
            for &y in kb.iter().take(CHAIN_SAMPLE) {
                sum += if y == *b { *score } else { score_a(y) };
                count += 1;
            }
            for &x in ka.iter().take(CHAIN_SAMPLE) {
                sum += if x == a { *score } else { scorer.score(x, *b) };
                count += 1;
            }
            let group = sum / count as f32;
            *score = (1.0 - params.chain_weight) * *score + params.chain_weight * group;
        }
    }

    /// The candidates worth showing beside the explicit links `out`: at least `min_score`,
    /// and at least `relative_cutoff` of the best link, best first.
    fn cut(&self, out: &[Link], mut scored: Vec<Scored>) -> Vec<Scored> {
        let params = self.scorer.params;
        scored.retain(|&(score, _, _)| score >= params.min_score);
        scored.sort_by(order);
        let best = out
            .iter()
            .map(|l| l.score)
            .chain(scored.first().map(|s| s.0))
            .fold(0.0f32, f32::max);
        scored.retain(|s| s.0 >= best * params.relative_cutoff);
        scored
    }
}
