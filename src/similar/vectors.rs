//! Term vectors: for every document, the BM25 weight of each of its terms in the similarity
//! fields (tantivy's own [`Bm25Weight`] and fieldnorm coding over the analysed texts, as an
//! index of those texts would score them), and for every term shared by at least two
//! documents, its postings with those weights.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25Weight;

/// Terms in more than the given share of the documents are dropped (they say nothing about one
/// incident), but the cut is never below this many documents, so small archives keep their
/// words.
const MIN_MAX_DF: u32 = 4;

/// The document-term weights of the similarity fields.
pub(super) struct TermVectors {
    /// Per document: (term id, weight), sorted by term id.
    pub(super) docs: Vec<Vec<(u32, f32)>>,
    /// Per document: the Euclidean norm of its vector.
    norms: Vec<f32>,
    /// Per term: (document, weight), only for terms of two documents or more: by document, or
    /// the heaviest entries by weight when the list was cut.
    pub(super) postings: Vec<Vec<(u32, f32)>>,
    /// Per term: the term (a stem).
    pub(super) terms: Vec<String>,
}

impl TermVectors {
    /// Weighs the analysed fields of every document (`docs[d].fields`: `fields`, then
    /// `fallback`'s field when given) as tantivy's index of the same texts would: BM25 over
    /// each field's document frequencies and average length, the length of each document's
    /// field coded as tantivy codes fieldnorms. `fallback` (with its weight) counts only for
    /// the documents it marks: those without the sections the main fields come from. The
    /// weight of a term that names one of the document's own services or teams is multiplied
    /// by `owner_weight`. Terms get ids field by field, each field's terms in order; a term's
    /// weights in several fields add up in field order; long postings keep their
    /// `max_postings` heaviest entries.
    pub(super) fn from_terms(
        docs: &[std::sync::Arc<super::terms::DocTerms>],
        fields: &[(&'static str, f32)],
        fallback: Option<(&'static str, f32, &[bool])>,
        max_df_share: f64,
        max_postings: usize,
        owner_weight: f32,
    ) -> TermVectors {
        let n = docs.len();
        let max_df = ((n as f64 * max_df_share) as u32).max(MIN_MAX_DF);
        let mut read: Vec<(f32, Option<&[bool]>)> =
            fields.iter().map(|&(_, boost)| (boost, None)).collect();
        if let Some((_, boost, only)) = fallback {
            read.push((boost, Some(only)));
        }
        let noise = noise_terms();
        let count = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        // Per field, over every document: each term's document frequency, whether a
        // document the field counts for has it, and the average length.
        let stats: Vec<FieldStats<'_>> = read
            .par_iter()
            .enumerate()
            .map(|(k, &(_, only))| FieldStats::of(docs, k, only, count))
            .collect();
        let (terms, weights) = field_weights(&stats, &read, max_df, &noise, count);
        // Per document: its vector, by term id.
        let doc_vectors: Vec<Vec<(u32, f32)>> = docs
            .par_iter()
            .enumerate()
            .map(|(doc, d)| doc_vector(doc, d, &read, &weights, owner_weight))
            .collect();
        Self::assemble(doc_vectors, terms, max_postings)
    }

    /// The postings of every term from the documents' vectors (by document), only for terms
    /// of two documents or more, long ones cut to their `max_postings` heaviest entries; and
    /// the vectors' norms.
    fn assemble(
        docs: Vec<Vec<(u32, f32)>>,
        terms: Vec<String>,
        max_postings: usize,
    ) -> TermVectors {
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms.len()];
        for (doc, v) in docs.iter().enumerate() {
            for &(id, w) in v {
                postings[id as usize].push((doc as u32, w));
            }
        }
        postings.par_iter_mut().for_each(|list| {
            if list.len() < 2 {
                list.clear();
            } else if list.len() > max_postings {
                // Candidates come from where a term weighs most: a long list keeps its
                // heaviest entries (impact order), which bounds the cost of every query.
                list.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
                list.truncate(max_postings);
            }
        });
        let norms = docs
            .par_iter()
            .map(|v| v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt())
            .collect();
        TermVectors {
            docs,
            norms,
            postings,
            terms,
        }
    }

    /// The weight of `term` in `doc` (0 when absent or dropped).
    #[cfg(test)]
    pub(super) fn weight(&self, doc: usize, term: &str) -> f32 {
        let Some(id) = self.terms.iter().position(|t| t == term) else {
            return 0.0;
        };
        self.docs[doc]
            .iter()
            .find(|&&(t, _)| t as usize == id)
            .map_or(0.0, |&(_, w)| w)
    }

    /// The term (stem) with this id.
    pub(super) fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// The postings of a term (empty for a term of one document).
    pub(super) fn postings(&self, id: u32) -> &[(u32, f32)] {
        &self.postings[id as usize]
    }

    /// The `k` heaviest terms of `doc` that other documents share, heaviest first.
    pub(super) fn query(&self, doc: usize, k: usize) -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = self.docs[doc]
            .iter()
            .copied()
            .filter(|&(t, _)| !self.postings[t as usize].is_empty())
            .collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        v.truncate(k);
        v
    }

    /// The cosine of two documents' vectors.
    pub(super) fn cosine(&self, a: usize, b: usize) -> f32 {
        let denom = self.norms[a] * self.norms[b];
        if denom <= 0.0 {
            return 0.0;
        }
        let mut dot = 0.0f32;
        self.for_shared(a, b, |_, p| dot += p);
        (dot / denom).min(1.0)
    }

    /// The number of terms (the size of a dense vector).
    pub(super) fn num_terms(&self) -> usize {
        self.terms.len()
    }

    /// Writes `doc`'s weights into `dense` (all zeros before), for [`Self::cosine_dense`].
    pub(super) fn scatter(&self, doc: usize, dense: &mut [f32]) {
        for &(t, w) in &self.docs[doc] {
            dense[t as usize] = w;
        }
    }

    /// Sets `doc`'s weights in `dense` back to zero.
    pub(super) fn unscatter(&self, doc: usize, dense: &mut [f32]) {
        for &(t, _) in &self.docs[doc] {
            dense[t as usize] = 0.0;
        }
    }

    /// [`Self::cosine`] of `a` (scattered into `dense`) and `b`: one pass over `b`'s terms.
    pub(super) fn cosine_dense(&self, dense: &[f32], a: usize, b: usize) -> f32 {
        let denom = self.norms[a] * self.norms[b];
        if denom <= 0.0 {
            return 0.0;
        }
        let dot: f32 = self.docs[b]
            .iter()
            .map(|&(t, w)| dense[t as usize] * w)
            .sum();
        (dot / denom).min(1.0)
    }

    /// The terms two documents share, by their contribution to the cosine (strongest first).
    pub(super) fn shared_terms(&self, a: usize, b: usize) -> Vec<u32> {
        let mut shared: Vec<(f32, u32)> = Vec::new();
        self.for_shared(a, b, |t, p| shared.push((p, t)));
        shared.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        shared.into_iter().map(|(_, t)| t).collect()
    }

    /// Calls `f(term, product of the weights)` for every term of both documents.
    fn for_shared(&self, a: usize, b: usize, mut f: impl FnMut(u32, f32)) {
        let (va, vb) = (&self.docs[a], &self.docs[b]);
        let (mut i, mut j) = (0, 0);
        while i < va.len() && j < vb.len() {
            match va[i].0.cmp(&vb[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    f(va[i].0, va[i].1 * vb[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
    }
}

/// Common English words beyond the index's stop words, months and weekdays (incidents are
/// not alike for happening in October), and the parts of web addresses: they carry no
/// similarity (they are still searchable). Stemmed as the index stems.
const NOISE: &str = "about above after again against all also am any because been before being \
    between both can could did do does doing done down during each few from further had has \
    have having he her here hers him his how its itself just may me more most my new now only \
    other our ours out over own same she should so some than them there those through too \
    under until up very we were what when where which while who whom why would you your \
    due bad possible became become never normal known wrong clear fix fixed run single event \
    executed available however since still already another made make first last \
    http https www com html \
    january february march april june july august september october november december \
    monday tuesday wednesday thursday friday saturday sunday";

/// A field's kept terms: each term's id and weight.
type FieldWeights<'a> = FxHashMap<&'a str, (u32, Bm25Weight)>;

/// Term ids, field by field, each field's kept terms in order; each field's weights.
fn field_weights<'a>(
    stats: &[FieldStats<'a>],
    read: &[(f32, Option<&[bool]>)],
    max_df: u32,
    noise: &std::collections::HashSet<String>,
    count: u64,
) -> (Vec<String>, Vec<FieldWeights<'a>>) {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut terms: Vec<String> = Vec::new();
    let mut weights: Vec<FieldWeights<'a>> = Vec::with_capacity(read.len());
    for (st, &(boost, _)) in stats.iter().zip(read) {
        let mut kept: Vec<(&str, u32)> = st
            .df
            .iter()
            .filter(|&(t, &(df, counted))| counted && df <= max_df && !is_noise(t, noise))
            .map(|(t, &(df, _))| (*t, df))
            .collect();
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut field: FieldWeights<'a> = FxHashMap::default();
        field.reserve(kept.len());
        for (term, df) in kept {
            let id = *ids.entry(term).or_insert_with(|| {
                terms.push(term.to_string());
                (terms.len() - 1) as u32
            });
            let weight = Bm25Weight::for_one_term_without_explain(u64::from(df), count, st.average)
                .boost_by(boost);
            field.insert(term, (id, weight));
        }
        weights.push(field);
    }
    (terms, weights)
}

/// The vector of document `doc` (`d`), by term id: each kept term's weight, summed over the
/// fields read for it, scaled by `owner_weight` for a term that names one of its owners.
fn doc_vector(
    doc: usize,
    d: &super::terms::DocTerms,
    read: &[(f32, Option<&[bool]>)],
    weights: &[FieldWeights<'_>],
    owner_weight: f32,
) -> Vec<(u32, f32)> {
    let mut v: Vec<(u32, f32)> = Vec::new();
    for (k, &(_, only)) in read.iter().enumerate() {
        if !only.is_none_or(|o| o[doc]) {
            continue;
        }
        let Some(f) = field_of(d, k) else { continue };
        let norm = FieldNormReader::fieldnorm_to_id(f.tokens);
        for (term, tf) in &f.terms {
            let Some(&(id, ref weight)) = weights[k].get(&**term) else {
                continue;
            };
            let mut w = weight.score(norm, *tf);
            if d.owners.binary_search_by(|o| (**o).cmp(term)).is_ok() {
                w *= owner_weight;
            }
            v.push((id, w));
        }
    }
    // A stable sort keeps each term's fields in order, and their weights add up so.
    v.sort_by_key(|&(id, _)| id);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(v.len());
    for (id, w) in v {
        match out.last_mut() {
            Some(last) if last.0 == id => last.1 += w,
            _ => out.push((id, w)),
        }
    }
    out
}

fn noise_terms() -> std::collections::HashSet<String> {
    let mut analyzer = crate::search::analyzer::analyzer();
    crate::search::analyzer::terms(&mut analyzer, NOISE)
        .into_iter()
        .collect()
}

/// Noise words, single characters and small numbers (counts, minutes; longer numbers such as
/// status codes and ports can identify a failure).
fn is_noise(term: &str, noise: &std::collections::HashSet<String>) -> bool {
    let short = term.chars().count() < 3;
    term.chars().count() < 2
        || (short && term.chars().all(|c| c.is_ascii_digit()))
        || noise.contains(term)
}

/// Field `k` of an analysed document.
fn field_of(d: &super::terms::DocTerms, k: usize) -> Option<&super::terms::FieldTerms> {
    d.fields.get(k)
}

/// One field's statistics over every document.
struct FieldStats<'a> {
    /// Per term: its document frequency, and whether a document the field counts for has it.
    df: FxHashMap<&'a str, (u32, bool)>,
    /// The field's average length in tokens.
    average: f32,
}

impl<'a> FieldStats<'a> {
    fn of(
        docs: &'a [std::sync::Arc<super::terms::DocTerms>],
        k: usize,
        only: Option<&[bool]>,
        count: u64,
    ) -> FieldStats<'a> {
        let mut df: FxHashMap<&'a str, (u32, bool)> = FxHashMap::default();
        let mut total = 0u64;
        for (doc, d) in docs.iter().enumerate() {
            let Some(f) = field_of(d, k) else { continue };
            total += u64::from(f.tokens);
            let counted = only.is_none_or(|o| o[doc]);
            for (term, _) in &f.terms {
                let e = df.entry(&**term).or_insert((0, false));
                e.0 += 1;
                e.1 |= counted;
            }
        }
        FieldStats {
            df,
            average: total as f32 / count as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_function_words_are_noise() {
        let noise = noise_terms();
        for t in [
            "3", "18", "x", "been", "had", "https", "www", "which", "October",
        ] {
            let stem = crate::search::analyzer::terms(&mut crate::search::analyzer::analyzer(), t);
            assert!(stem.iter().all(|s| is_noise(s, &noise)), "{t}");
        }
        for t in ["dns", "ttl", "v7", "503", "failover", "leap"] {
            assert!(!is_noise(t, &noise), "{t}");
        }
    }
}
