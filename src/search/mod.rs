//! Search: a tantivy index of every published postmortem, the query language shared with the
//! browser client, and the export of the index for static hosting ([`export`]).
//!
//! The index has one text field holding everything a postmortem says ([`search_texts`]),
//! analysed by [`analyzer::analyzer`], and raw keyword fields for the filters.
//! Documents are added in the site's order (newest first) into a single segment, so a
//! document's tantivy id is its index in the site, and ties rank newer incidents first.

pub(crate) mod analyzer;
pub(crate) mod excerpt;
pub(crate) mod export;
pub(crate) mod fuzzy;
pub(crate) mod query;
pub(crate) mod synonyms;
mod tokenizer;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashSet;
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, TantivyDocument};

use crate::enrich::Site;
use crate::error::{Error, Result};
use crate::model::Postmortem;
use crate::text::{postmortem_url, slugify, year_display};
use analyzer::{analyzer, surface_analyzer, terms, ANALYZER};
pub(crate) use query::{parse_query, Correction, ParsedQuery};
use tantivy::Term;

/// A searchable text field and its boost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextField {
    /// Field name (also in the export).
    pub name: &'static str,
    /// Score multiplier.
    pub boost: f32,
}

/// The text fields, in export order: one. Everything a postmortem says (title, summary,
/// factors, services, teams, tags, every section, the action items) is one field, scored by
/// BM25 with one length normalisation. Summing a BM25 score per field with boosts (version 2
/// of the index had eleven fields) ranked worse on real postmortems: nDCG@10 0.720 against
/// 0.757 for one field over `bench/judgments.json` (`bench/relevance.py`), as a word in the
/// title counted again through the summary and the body, and short fields (title, tags)
/// gave a rare word an outsized score.
pub(crate) const TEXT_FIELDS: &[TextField] = &[TextField {
    name: "text",
    boost: 1.0,
}];

/// The filterable facets, in export order: (filter keyword, facet field name).
pub const FACETS: &[(&str, &str)] = &[
    ("severity", "f_severity"),
    ("year", "f_year"),
    ("factor", "f_factor"),
    ("service", "f_service"),
    ("team", "f_team"),
    ("tag", "f_tag"),
];

/// Prefix expansion stops after this many distinct terms.
pub(crate) const MAX_PREFIX_TERMS: usize = 50;

/// What a search result shows about a postmortem.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocInfo {
    /// Id.
    pub id: String,
    /// URL relative to the site root.
    pub url: String,
    /// Title.
    pub title: String,
    /// `YYYY-MM-DD` or null.
    pub date: Option<String>,
    /// Severity or null.
    pub severity: Option<String>,
    /// Facet values per facet (same order as [`FACETS`]).
    #[serde(skip)]
    pub facets: Vec<Vec<String>>,
    /// The passages excerpts come from, the summary first ([`excerpt::passages`]).
    #[serde(skip)]
    pub passages: Vec<String>,
}

/// The searchable archive.
pub struct SearchIndex {
    /// The tantivy index (in RAM).
    pub index: Index,
    reader: IndexReader,
    /// Text fields, same order as [`TEXT_FIELDS`].
    pub text_fields: Vec<Field>,
    /// Facet fields, same order as [`FACETS`].
    pub facet_fields: Vec<Field>,
    /// The postmortem id (a raw keyword).
    pub id_field: Field,
    /// Per document (tantivy doc id = position).
    pub docs: Vec<DocInfo>,
    /// Surface form (lowercased, unstemmed) -> the terms (stems) it analyses to.
    pub surface: BTreeMap<String, String>,
    /// What queries also search for (`[search]` synonyms).
    pub synonyms: synonyms::Synonyms,
}

/// The texts of the searchable field for one postmortem, in the order they are indexed (each a
/// value of the one field): title, summary, contributing factors (slug words and title),
/// services, teams, tags, the body's sections, the action items' titles.
pub(crate) fn search_texts(pm: &Postmortem, factor_title: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = vec![pm.title.clone()];
    if !pm.summary.is_empty() {
        out.push(pm.summary.clone());
    }
    for f in &pm.factors {
        let title = factor_title(f);
        let words = f.replace('-', " ");
        out.push(if title.eq_ignore_ascii_case(&words) || title == *f {
            words
        } else {
            format!("{words} {title}")
        });
    }
    out.extend(pm.services.iter().cloned());
    out.extend(pm.teams.iter().cloned());
    out.extend(pm.tags.iter().cloned());
    for s in &pm.body.sections {
        // The summary section repeats the front matter's summary, when there is one.
        if s.key.as_deref() == Some("summary") && !pm.summary.is_empty() && s.text == pm.summary {
            continue;
        }
        if !s.text.is_empty() {
            out.push(s.text.clone());
        }
    }
    out.extend(pm.action_items.iter().map(|ai| ai.title.clone()));
    out.retain(|t| !t.trim().is_empty());
    out
}

/// Facet values of one postmortem, in [`FACETS`] order (normalised as filters match them).
pub(crate) fn facet_values(pm: &Postmortem) -> Vec<Vec<String>> {
    let slugs = |l: &[String]| -> Vec<String> {
        let mut v: Vec<String> = l.iter().map(|s| slugify(s)).collect();
        v.dedup();
        v
    };
    vec![
        pm.severity.iter().map(|s| s.to_lowercase()).collect(),
        pm.date.iter().map(|d| year_display(d.date())).collect(),
        pm.factors.clone(),
        slugs(&pm.services),
        slugs(&pm.teams),
        slugs(&pm.tags),
    ]
}

fn tantivy_err(e: tantivy::TantivyError) -> Error {
    Error::internal("search index", e)
}

/// The index's schema: the text field, one keyword field per facet, the stored id.
fn schema() -> (Schema, Vec<Field>, Vec<Field>, Field) {
    let mut builder = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let text_fields: Vec<Field> = TEXT_FIELDS
        .iter()
        .map(|f| builder.add_text_field(f.name, text_options.clone()))
        .collect();
    let facet_fields: Vec<Field> = FACETS
        .iter()
        .map(|(_, name)| builder.add_text_field(name, STRING))
        .collect();
    let id_field = builder.add_text_field("id", STRING | STORED);
    (builder.build(), text_fields, facet_fields, id_field)
}

/// The surface forms (words as written, lowercased) of the indexed texts, each with its term.
struct SurfaceForms {
    forms: BTreeMap<String, String>,
    seen: FxHashSet<String>,
    surface: tantivy::tokenizer::TextAnalyzer,
    stem: tantivy::tokenizer::TextAnalyzer,
}

impl SurfaceForms {
    fn new() -> Self {
        SurfaceForms {
            forms: BTreeMap::new(),
            seen: FxHashSet::default(),
            surface: surface_analyzer(),
            stem: analyzer(),
        }
    }

    /// Notes the words of `text` not seen before.
    fn add(&mut self, text: &str) {
        // Most tokens were seen before: look them up without allocating.
        let mut stream = self.surface.token_stream(text);
        while stream.advance() {
            let token = stream.token().text.as_str();
            if self.seen.contains(token) {
                continue;
            }
            self.seen.insert(token.to_string());
            if let Some(stem) = terms(&mut self.stem, token).pop() {
                self.forms.insert(token.to_string(), stem);
            }
        }
    }
}

impl SearchIndex {
    /// Indexes the site's postmortems (already filtered to the publishable ones).
    pub fn build(site: &Site<'_>) -> Result<SearchIndex> {
        let title = |f: &str| site.config.factor_title(f);
        let mut index = Self::from_postmortems(&site.postmortems, &title)?;
        index.synonyms = site_synonyms(site);
        Ok(index)
    }

    /// [`SearchIndex::build`], given up (`None`) as soon as `stop` says so: `serve` drops the
    /// export of a site replaced by a newer one rather than let it slow the next rebuild.
    pub fn build_unless(site: &Site<'_>, stop: &dyn Fn() -> bool) -> Result<Option<SearchIndex>> {
        let title = |f: &str| site.config.factor_title(f);
        let index = Self::index(&site.postmortems, &title, stop)?;
        Ok(index.map(|mut index| {
            index.synonyms = site_synonyms(site);
            index
        }))
    }

    /// Indexes `pms` in order (with the built-in synonyms).
    pub fn from_postmortems(
        pms: &[Postmortem],
        factor_title: &dyn Fn(&str) -> String,
    ) -> Result<SearchIndex> {
        let index = Self::index(pms, factor_title, &|| false)?;
        index.ok_or_else(|| Error::internal_bare("search index: stopped"))
    }

    fn index(
        pms: &[Postmortem],
        factor_title: &dyn Fn(&str) -> String,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<SearchIndex>> {
        let (schema, text_fields, facet_fields, id_field) = schema();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER, analyzer());
        // One thread and a large budget: a single segment whose doc ids follow our order.
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, 1_500_000_000)
            .map_err(tantivy_err)?;
        let mut docs = Vec::with_capacity(pms.len());
        let mut surface = SurfaceForms::new();
        for (n, pm) in pms.iter().enumerate() {
            if n % 64 == 0 && stop() {
                return Ok(None);
            }
            let texts = search_texts(pm, factor_title);
            let facets = facet_values(pm);
            let mut d = doc!(id_field => pm.id.clone());
            let field = text_fields[0];
            for text in &texts {
                d.add_text(field, text);
                surface.add(text);
            }
            for (field, values) in facet_fields.iter().zip(&facets) {
                for v in values {
                    d.add_text(*field, v);
                }
            }
            writer.add_document(d).map_err(tantivy_err)?;
            docs.push(DocInfo {
                id: pm.id.clone(),
                url: postmortem_url(&pm.id),
                title: pm.title.clone(),
                date: pm.date.map(|d| d.date().to_string()),
                severity: pm.severity.clone(),
                facets,
                passages: excerpt::passages(pm),
            });
        }
        writer.commit().map_err(tantivy_err)?;
        writer.wait_merging_threads().map_err(tantivy_err)?;
        let reader = index.reader().map_err(tantivy_err)?;
        let segments = reader.searcher().segment_readers().len();
        if segments > 1 {
            return Err(Error::internal_bare(format!(
                "search index: expected one segment, got {segments}"
            )));
        }
        Ok(Some(SearchIndex {
            index,
            reader,
            text_fields,
            facet_fields,
            id_field,
            docs,
            surface: surface.forms,
            synonyms: synonyms::Synonyms::new(true, &[]),
        }))
    }

    /// The searcher.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Runs a query: the best `limit` results (score descending, then newest first), the total
    /// number of matches, and facet counts over all matches.
    pub fn search(&self, q: &ParsedQuery, limit: usize) -> Result<SearchResults> {
        let searcher = self.searcher();
        let Some(query) = query::to_tantivy(self, q) else {
            return Ok(SearchResults::default());
        };
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(tantivy_err)?;
        let all = searcher
            .search(&query, &DocSetCollector)
            .map_err(tantivy_err)?;
        let words = self.requirements(q);
        let mut complete: FxHashSet<u32> = all.iter().map(|a| a.doc_id).collect();
        for alternatives in &words {
            let clauses: Vec<(tantivy::query::Occur, Box<dyn tantivy::query::Query>)> =
                alternatives
                    .iter()
                    .map(|m| (tantivy::query::Occur::Should, query::member_query(self, m)))
                    .collect();
            let holding = searcher
                .search(
                    &tantivy::query::BooleanQuery::new(clauses),
                    &DocSetCollector,
                )
                .map_err(tantivy_err)?;
            let holding: FxHashSet<u32> = holding.iter().map(|a| a.doc_id).collect();
            complete.retain(|d| holding.contains(d));
        }
        let mut facets: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); FACETS.len()];
        for addr in &all {
            let info = &self.docs[addr.doc_id as usize];
            for (counts, values) in facets.iter_mut().zip(&info.facets) {
                for v in values {
                    *counts.entry(v.clone()).or_default() += 1;
                }
            }
        }
        Ok(SearchResults {
            total: all.len(),
            words: words.len(),
            all_words: complete.len(),
            hits: top
                .into_iter()
                .take(limit)
                .map(|(score, addr)| Hit {
                    doc: addr.doc_id,
                    score,
                    all_words: complete.contains(&addr.doc_id),
                })
                .collect(),
            facets: FACETS
                .iter()
                .zip(facets)
                .map(|((name, _), counts)| (name.to_string(), counts))
                .collect(),
        })
    }

    /// Parses `input` ([`parse_query`]) and corrects its typos ([`SearchIndex::correct`]).
    pub fn parse(&self, input: &str, prefix: bool) -> ParsedQuery {
        let mut q = parse_query(input, prefix);
        self.correct(&mut q);
        q
    }

    /// How many documents hold `term` in the text field.
    pub fn doc_freq(&self, term: &str) -> u64 {
        let searcher = self.searcher();
        self.text_fields
            .iter()
            .map(|f| {
                searcher
                    .doc_freq(&Term::from_field_text(*f, term))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// The bare words of `q` that typo correction looks up in the vocabulary: words of letters
    /// ([`fuzzy::correctable`]) whose term no document holds, unless they are the prefix being
    /// typed and some word starts with them.
    pub fn uncorrected(&self, q: &ParsedQuery) -> Vec<usize> {
        (0..q.bare.len())
            .filter(|&i| {
                let b = &q.bare[i];
                fuzzy::correctable(&b.word)
                    && self.doc_freq(&b.term) == 0
                    && (q.prefix.as_deref() != Some(b.word.as_str())
                        || self.expand_prefix(&b.word).is_empty())
            })
            .collect()
    }

    /// Replaces each word of `q` without a match by its correction ([`fuzzy`]), as if it had
    /// been typed, and records it in `q.corrections`. A corrected prefix is no longer a prefix.
    pub fn correct(&self, q: &mut ParsedQuery) {
        for i in self.uncorrected(q) {
            let b = q.bare[i].clone();
            let len = b.word.chars().count();
            let edits = fuzzy::max_edits(len);
            let candidates = self
                .surface
                .iter()
                .filter(|(w, _)| {
                    fuzzy::in_vocabulary(w) && w.chars().count().abs_diff(len) <= edits
                })
                .map(|(w, _)| w.as_str());
            let df = |w: &str| self.surface.get(w).map_or(0, |stem| self.doc_freq(stem));
            let Some(to) = fuzzy::best(&b.word, candidates, df) else {
                continue;
            };
            let term = self.surface[to].clone();
            if let Some(at) = q.terms.iter().position(|t| *t == b.term) {
                if q.terms.contains(&term) {
                    q.terms.remove(at);
                } else {
                    q.terms[at] = term.clone();
                }
            }
            for w in q.words.iter_mut().filter(|w| **w == b.term) {
                *w = term.clone();
            }
            if q.prefix.as_deref() == Some(b.word.as_str()) {
                q.prefix = None;
            }
            q.corrections.push(Correction {
                from: b.word.clone(),
                to: to.to_string(),
                span: b.span,
            });
        }
    }

    /// The query's words, for "matches every word": each term (satisfied by the term, a
    /// synonym of it, or, for the prefix being typed, a term it expands to) and each phrase;
    /// per word, its alternatives (one-term entries are terms, longer ones phrases).
    pub fn requirements(&self, q: &ParsedQuery) -> Vec<Vec<synonyms::Member>> {
        let expansions = q
            .prefix
            .as_deref()
            .map(|p| self.expand_prefix(p))
            .unwrap_or_default();
        let prefix_terms = q
            .prefix
            .as_deref()
            .map(|p| terms(&mut analyzer(), p))
            .unwrap_or_default();
        let one = |t: &str| vec![(0, t.to_string())];
        let mut out = Vec::new();
        for t in &q.terms {
            let mut alts = vec![one(t)];
            for m in self.synonyms.alternatives(t) {
                if !alts.contains(&m) {
                    alts.push(m);
                }
            }
            if prefix_terms.len() == 1 && prefix_terms[0] == *t {
                for e in &expansions {
                    if !alts.contains(&one(e)) {
                        alts.push(one(e));
                    }
                }
            }
            out.push(alts);
        }
        if prefix_terms.is_empty() && !expansions.is_empty() {
            out.push(expansions.iter().map(|e| one(e)).collect());
        }
        for p in &q.phrases {
            out.push(vec![p.clone()]);
        }
        out
    }

    /// The excerpt of document `doc` for `q` ([`excerpt::excerpt`]): HTML, the words marked.
    pub fn excerpt(&self, doc: u32, q: &ParsedQuery) -> String {
        let mut wanted = query::searched_terms(self, q);
        wanted.extend(q.phrases.iter().flatten().map(|(_, t)| t.clone()));
        excerpt::excerpt(&self.docs[doc as usize].passages, &wanted)
    }

    /// The terms a prefix stands for: walking the surface forms that start with `prefix` in
    /// sorted order, the distinct stems they analyse to, stopping at [`MAX_PREFIX_TERMS`].
    /// Returned sorted.
    pub fn expand_prefix(&self, prefix: &str) -> Vec<String> {
        let mut stems = BTreeSet::new();
        for (surface, stem) in self.surface.range(prefix.to_string()..) {
            if !surface.starts_with(prefix) || stems.len() == MAX_PREFIX_TERMS {
                break;
            }
            stems.insert(stem.clone());
        }
        stems.into_iter().collect()
    }
}

/// The synonyms `site`'s configuration asks for.
fn site_synonyms(site: &Site<'_>) -> synonyms::Synonyms {
    let c = &site.config.search;
    synonyms::Synonyms::new(c.builtin_synonyms, &c.synonyms)
}

/// Display labels for facet values, from the site (factor titles, service names...).
pub(crate) fn facet_labels(site: &Site<'_>) -> export::FacetLabels {
    let mut labels: export::FacetLabels = vec![BTreeMap::new(); FACETS.len()];
    for pm in &site.postmortems {
        if let Some(s) = &pm.severity {
            labels[0].insert(s.to_lowercase(), s.clone());
        }
        for f in &pm.factors {
            labels[2].insert(f.clone(), site.config.factor_title(f));
        }
        for (i, list) in [(3, &pm.services), (4, &pm.teams), (5, &pm.tags)] {
            for v in list {
                labels[i].entry(slugify(v)).or_insert_with(|| v.clone());
            }
        }
    }
    labels
}

/// One result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Tantivy doc id = index in the site's order.
    pub doc: u32,
    /// BM25 score.
    pub score: f32,
    /// Whether it holds every word of the query ([`SearchIndex::requirements`]).
    pub all_words: bool,
}

/// What a search returns.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Matching documents.
    pub total: usize,
    /// How many words the query has ([`SearchIndex::requirements`]).
    pub words: usize,
    /// How many of the matching documents hold every word.
    pub all_words: usize,
    /// The best ones.
    pub hits: Vec<Hit>,
    /// Counts per facet value over every match.
    pub facets: BTreeMap<String, BTreeMap<String, usize>>,
}
