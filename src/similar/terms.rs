//! What similarity reads of each postmortem: its compared fields analysed exactly as the search
//! index analyses them (the same analyzer), as term counts and a token count per field, plus
//! the words they were written with (for the reasons a link shows).
//!
//! `TermVectors::from_terms` weighs these into BM25 vectors with tantivy's own
//! [`tantivy::query::Bm25Weight`] and fieldnorm coding, so the vectors are those tantivy's
//! index of the same texts gives (a unit test compares both) without building an index:
//! `serve` keeps each postmortem's analysis between rebuilds ([`TermsCache`]) and analyses
//! only the postmortems that changed.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::model::Postmortem;
use crate::search::analyzer::{analyzer, surface_analyzer, terms};

/// One field of one postmortem, analysed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FieldTerms {
    /// Each term (a stem) and how many times it occurs, by term.
    pub terms: Vec<(Arc<str>, u32)>,
    /// Tokens the field has (its length, as tantivy's fieldnorm counts it).
    pub tokens: u32,
}

/// One postmortem, analysed: the fields asked for, in that order, and the words of the fields
/// compared (lowercased, as written) with their terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DocTerms {
    /// The fields, in the order asked.
    pub fields: Vec<FieldTerms>,
    /// The distinct words of the compared texts (stop words left out) and their terms.
    pub words: Vec<(Arc<str>, Arc<str>)>,
    /// The terms of the postmortem's own services and teams, sorted: they say who the
    /// incident happened to, and weigh less in its vector ([`super::Params::owner_weight`]).
    pub owners: Vec<Arc<str>>,
}

/// Which fields to analyse for every postmortem, and which of them give the words a link
/// shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Plan {
    /// Field names ([`field_text`]) in the order [`DocTerms::fields`] holds them.
    pub fields: Vec<&'static str>,
    /// How many of the first `fields` are compared for every postmortem; a field after them
    /// (the fallback, the body) is compared only for the postmortems that lack the compared
    /// sections ([`plan_for`]).
    pub compared: usize,
}

/// Words kept in a worker's memo of terms at most (a serve session's vocabulary grows).
const MEMO_LIMIT: usize = 500_000;

/// A worker's analyzer: the search index's analysis in one pass. The index's analyzer is
/// tokenizer, long-token filter, lowercaser, stop words, stemmer; the words are what the
/// first three give, and each word's term (none for a stop word) is what the last two make of
/// it, worked out once per word.
struct Analyser {
    words: TextAnalyzer,
    stems: TextAnalyzer,
    memo: FxHashMap<Arc<str>, Option<Arc<str>>>,
}

impl Analyser {
    fn new() -> Self {
        Analyser {
            words: surface_analyzer(),
            stems: analyzer(),
            memo: FxHashMap::default(),
        }
    }

    /// The terms of `text` (the names a postmortem's own services and teams analyse to).
    fn owners(&mut self, text: &str) -> FxHashSet<Arc<str>> {
        terms(&mut self.stems, text)
            .into_iter()
            .map(Arc::from)
            .collect()
    }

    /// Analyses `text`; its distinct words (with their terms) are pushed to `words` when given.
    fn field(&mut self, text: &str, mut words: Option<&mut Words>) -> FieldTerms {
        let Analyser {
            words: tokenizer,
            stems,
            memo,
        } = self;
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        let mut counts: FxHashMap<Arc<str>, u32> = FxHashMap::default();
        // The words of this text so far, by the address of their text in the memo (which
        // holds it until it is cleared, never while a text is analysed).
        let mut seen: FxHashSet<usize> = FxHashSet::default();
        let mut tokens = 0u32;
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            let w = stream.token().text.as_str();
            let (word, term) = match memo.get_key_value(w) {
                Some((word, Some(term))) => (word, term),
                Some((_, None)) => continue, // a stop word: the index drops it
                None => {
                    let term: Option<Arc<str>> = terms(stems, w).pop().map(Arc::from);
                    memo.insert(Arc::from(w), term);
                    match memo.get_key_value(w) {
                        Some((word, Some(term))) => (word, term),
                        _ => continue,
                    }
                }
            };
            tokens += 1;
            match counts.get_mut(&**term) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(term.clone(), 1);
                }
            }
            if let Some(words) = words.as_deref_mut() {
                if seen.insert(word.as_ptr() as usize) {
                    words.push((word.clone(), term.clone()));
                }
            }
        }
        let mut terms: Vec<(Arc<str>, u32)> = counts.into_iter().collect();
        terms.sort_unstable();
        FieldTerms { terms, tokens }
    }
}

/// The text of a compared field of `pm`: `title`, `summary`, `root_cause`, `timeline`, or
/// `body` (every section but the ones the other fields read: what an imported report without
/// the standard sections says).
pub(crate) fn field_text(pm: &Postmortem, name: &str) -> String {
    let section = |key: &str| {
        pm.body
            .sections
            .iter()
            .filter(|s| s.key.as_deref() == Some(key))
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    match name {
        "title" => pm.title.clone(),
        "summary" if pm.summary.is_empty() => section("summary"),
        "summary" => pm.summary.clone(),
        "root_cause" | "timeline" => section(name),
        "body" => pm
            .body
            .sections
            .iter()
            .filter(|s| match s.key.as_deref() {
                None | Some("impact") => true,
                Some("summary") => !pm.summary.is_empty() && s.text != pm.summary,
                _ => false,
            })
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The texts of `plan`'s fields for `pm`.
fn texts(pm: &Postmortem, plan: &Plan) -> Vec<String> {
    plan.fields
        .iter()
        .map(|name| field_text(pm, name))
        .collect()
}

/// The names that say who an incident happened to, not what went wrong: its services and
/// teams (in an imported archive, the organisation and product). Their words weigh less in its
/// compared texts, so a shared owner never makes two incidents similar by itself.
fn owner_names(pm: &Postmortem) -> String {
    let mut out = pm.services.join("\n");
    for t in &pm.teams {
        out.push('\n');
        out.push_str(t);
    }
    out
}

/// Words with their terms.
pub(crate) type Words = Vec<(Arc<str>, Arc<str>)>;

fn sort_words(words: &mut Words) {
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    words.dedup_by(|a, b| a.0 == b.0);
}

fn analyse_texts(texts: &[String], owners: &str, plan: &Plan, fallback_words: bool) -> DocTerms {
    ANALYSER.with(|a| {
        let mut a = a.borrow_mut();
        let mut words = Vec::new();
        let fields = texts
            .iter()
            .enumerate()
            .map(|(k, text)| {
                let compared = k < plan.compared || fallback_words;
                a.field(text, compared.then_some(&mut words))
            })
            .collect();
        sort_words(&mut words);
        let mut owners: Vec<Arc<str>> = a.owners(owners).into_iter().collect();
        owners.sort_unstable();
        DocTerms {
            fields,
            words,
            owners,
        }
    })
}

thread_local! {
    static ANALYSER: std::cell::RefCell<Analyser> = std::cell::RefCell::new(Analyser::new());
}

/// A hash of what an analysis depends on: the texts, the names left out, and which texts are
/// compared.
fn fingerprint(texts: &[String], owners: &str, plan: &Plan, fallback_words: bool) -> u64 {
    let mut h = DefaultHasher::new();
    plan.hash(&mut h);
    fallback_words.hash(&mut h);
    texts.hash(&mut h);
    owners.hash(&mut h);
    h.finish()
}

/// Analyses of postmortems kept between rebuilds (`serve`), by id: an unchanged postmortem is
/// not analysed again.
#[derive(Default)]
pub(crate) struct TermsCache {
    kept: Mutex<HashMap<String, (u64, Arc<DocTerms>)>>,
}

impl TermsCache {
    /// Postmortems analysed in the cache.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.kept.lock().map(|k| k.len()).unwrap_or(0)
    }

    /// Forgets everything.
    pub(crate) fn clear(&self) {
        if let Ok(mut k) = self.kept.lock() {
            k.clear();
        }
    }
}

/// Every postmortem analysed for similarity, in the site's order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysed {
    /// What was analysed.
    pub plan: Plan,
    /// Per postmortem: its analysis.
    pub docs: Vec<Arc<DocTerms>>,
}

impl Analysed {
    /// For every term, the word a link's reasons show for it: the shortest word of the
    /// compared texts that analyses to it (alphabetically first among equals), as
    /// `TermVectors::display_words` picks from the index's map of words to terms.
    pub(crate) fn display_words(&self) -> HashMap<String, String> {
        let mut best: FxHashMap<&str, &str> = FxHashMap::default();
        for d in &self.docs {
            for (word, term) in &d.words {
                let word: &str = word;
                match best.get_mut(&**term) {
                    Some(w) => {
                        if (word.len(), word) < (w.len(), *w) {
                            *w = word;
                        }
                    }
                    None => {
                        best.insert(term, word);
                    }
                }
            }
        }
        best.into_iter()
            .map(|(t, w)| (t.to_string(), w.to_string()))
            .collect()
    }

    /// Every word of the compared texts with its term: what the index's
    /// `similarity_surface` holds (the tests compare both).
    #[cfg(test)]
    pub(crate) fn surface(&self) -> std::collections::BTreeMap<String, String> {
        let mut unique: FxHashMap<&str, &str> = FxHashMap::default();
        for d in &self.docs {
            for (word, term) in &d.words {
                unique.entry(word).or_insert(term);
            }
        }
        unique
            .into_iter()
            .map(|(w, t)| (w.to_string(), t.to_string()))
            .collect()
    }
}

/// What to analyse of `pms` to compare them on `fields` (name, weight): those fields, and the
/// body of every postmortem when any lacks the compared sections (its statistics cover every
/// postmortem, as the index's do). Also says which postmortems lack them.
pub(crate) fn plan_for(pms: &[Postmortem], fields: &[(&'static str, f32)]) -> (Plan, Vec<bool>) {
    let bare: Vec<bool> = pms.iter().map(super::is_bare).collect();
    let mut plan = Plan {
        fields: fields.iter().map(|&(name, _)| name).collect(),
        compared: fields.len(),
    };
    if bare.iter().any(|&b| b) {
        plan.fields.push(super::FALLBACK_FIELD.0);
    }
    (plan, bare)
}

/// Analyses every postmortem of `pms` for comparing them on `fields` (in parallel), reusing
/// `cache` when given.
pub(crate) fn analyse_all(
    pms: &[Postmortem],
    fields: &[(&'static str, f32)],
    cache: Option<&TermsCache>,
) -> Analysed {
    let (plan, bare) = plan_for(pms, fields);
    let docs: Vec<Arc<DocTerms>> = pms
        .par_iter()
        .zip(&bare)
        .map(|(pm, &fb)| {
            let texts = texts(pm, &plan);
            let owners = owner_names(pm);
            let Some(cache) = cache else {
                return Arc::new(analyse_texts(&texts, &owners, &plan, fb));
            };
            let print = fingerprint(&texts, &owners, &plan, fb);
            if let Some(hit) = cache
                .kept
                .lock()
                .ok()
                .and_then(|k| k.get(&pm.id).filter(|(p, _)| *p == print).cloned())
            {
                return hit.1;
            }
            let doc = Arc::new(analyse_texts(&texts, &owners, &plan, fb));
            if let Ok(mut k) = cache.kept.lock() {
                k.insert(pm.id.clone(), (print, doc.clone()));
            }
            doc
        })
        .collect();
    if let Some(cache) = cache {
        // Postmortems gone since: forget them.
        let ids: std::collections::HashSet<&str> = pms.iter().map(|p| p.id.as_str()).collect();
        if let Ok(mut k) = cache.kept.lock() {
            k.retain(|id, _| ids.contains(id.as_str()));
        }
    }
    Analysed { plan, docs }
}
