//! The query language, shared with the browser client (`pmsearch.js` implements the same
//! rules, and a test compares the two):
//!
//! - words are analysed like the index (lowercased, stemmed); a document matches if any term
//!   matches in any field (OR), and its score is the sum of the BM25 scores of the matching
//!   (term, field) pairs, each multiplied by its field's boost;
//! - `"quoted phrases"` match the words next to each other in one field; a word the analyzer
//!   splits into several terms (`PAYMENT_VERIFICATION_UNAVAILABLE`, `rand.Int63n`, `1.1.1.1`)
//!   adds its terms and is also a phrase of them (as tantivy's own query parser does), so the
//!   document that holds the identifier as written ranks first;
//! - `factor:dns`, `service:checkout`, `team:payments`, `severity:SEV1`, `year:2024`,
//!   `tag:deploy` filter (all must hold) without changing scores;
//! - with `prefix`, the last word, when the query does not end in a space and the word has at
//!   least [`MIN_PREFIX`] characters, also matches every term a word starting with it analyses
//!   to (see [`SearchIndex::expand_prefix`]).
//!
//! - a bare word (or run of words) that is a member of a synonym group also searches for the
//!   group's other members ([`super::synonyms`]), each at [`SYNONYM_BOOST`] of a typed word;
//! - `-word` and `-"a phrase"` exclude the documents that hold the word (its term; a word the
//!   analyzer splits, as a phrase of its terms) or the phrase (tantivy `MustNot`: no effect on
//!   the scores of the others); exclusions alone match nothing;
//! - a bare word of letters with no match in the index is corrected from the index's own words
//!   ([`super::fuzzy`]), before any of the above runs.
//!
//! Repeated terms count once.

use tantivy::collector::DocSetCollector;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
    TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use super::analyzer::{analyzer, surface_analyzer, terms, terms_with_offsets};
use super::synonyms::SYNONYM_BOOST;
use super::{SearchIndex, FACETS, TEXT_FIELDS};
use crate::text::slugify;

/// The shortest word that is expanded as a prefix.
pub(crate) const MIN_PREFIX: usize = 3;

/// A filter: facet keyword and normalised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// `factor`, `service`, ...
    pub facet: String,
    /// Normalised like the facet values (slug, lowercase severity, year).
    pub value: String,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Analysed terms, distinct, in order.
    pub terms: Vec<String>,
    /// Analysed phrases of two terms or more: (position relative to the first term, term);
    /// stop words leave gaps, as in the index.
    pub phrases: Vec<Vec<(usize, String)>>,
    /// The last word's surface form (lowercased), when it is to be expanded as a prefix.
    pub prefix: Option<String>,
    /// The terms of the bare words (not quoted, not filters), in order, repeats kept: what
    /// synonyms are looked up in.
    pub words: Vec<String>,
    /// Filters.
    pub filters: Vec<Filter>,
    /// Excluded terms (one entry) and phrases (several), as `phrases`.
    pub excluded: Vec<Vec<(usize, String)>>,
    /// The bare words that analyse to one term: what typo correction looks at.
    pub bare: Vec<BareWord>,
    /// The words corrected ([`super::fuzzy`]), in query order.
    pub corrections: Vec<Correction>,
}

/// A bare word of the query that analyses to one term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareWord {
    /// Its first and past-the-last character in the query.
    pub span: (usize, usize),
    /// Lowercased, as written (the surface form).
    pub word: String,
    /// Its term.
    pub term: String,
}

/// A word replaced by typo correction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    /// The word as typed (lowercased).
    pub from: String,
    /// The index's word searched instead.
    pub to: String,
    /// Where the word is in the query (characters).
    #[serde(skip)]
    pub span: (usize, usize),
}

impl ParsedQuery {
    /// Whether the query has no text part.
    pub fn is_text_empty(&self) -> bool {
        self.terms.is_empty() && self.phrases.is_empty() && self.prefix.is_none()
    }

    /// The query as searched: `input` with the corrected words replaced, or `None` when nothing
    /// was corrected.
    pub fn corrected(&self, input: &str) -> Option<String> {
        if self.corrections.is_empty() {
            return None;
        }
        let chars: Vec<char> = input.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for c in &self.corrections {
            out.extend(&chars[at..c.span.0]);
            out.push_str(&c.to);
            at = c.span.1;
        }
        out.extend(&chars[at..]);
        Some(out)
    }
}

/// Normalises a filter value the way facet values are stored.
pub(crate) fn normalise_filter(facet: &str, value: &str) -> String {
    match facet {
        "severity" | "year" => value.trim().to_lowercase(),
        _ => slugify(value),
    }
}

/// Parses a query string.
pub fn parse_query(input: &str, prefix: bool) -> ParsedQuery {
    let mut p = QueryParser {
        an: analyzer(),
        q: ParsedQuery::default(),
        chars: input.chars().collect(),
        i: 0,
    };
    // The last bare word, if the query ends inside it.
    let mut last_word: Option<String> = None;
    while let Some(&c) = p.chars.get(p.i) {
        last_word = None;
        if c.is_whitespace() {
            p.i += 1;
        } else if c == '-' && p.chars.get(p.i + 1).is_some_and(|n| !n.is_whitespace()) {
            p.exclusion();
        } else if c == '"' {
            p.phrase();
        } else {
            let start = p.i;
            while p.i < p.chars.len() && !p.chars[p.i].is_whitespace() {
                p.i += 1;
            }
            let chunk: String = p.chars[start..p.i].iter().collect();
            if !p.filter(&chunk) {
                last_word = p.words(&chunk, start);
            }
        }
    }
    let mut q = p.q;
    if prefix {
        if let Some(w) = last_word.filter(|w| w.chars().count() >= MIN_PREFIX) {
            q.prefix = Some(w);
        }
    }
    q
}

/// [`parse_query`]'s state: the query read so far, at character `i` of `chars`.
struct QueryParser {
    an: TextAnalyzer,
    q: ParsedQuery,
    chars: Vec<char>,
    i: usize,
}

impl QueryParser {
    /// Adds a term once.
    fn push_term(&mut self, t: String) {
        if !self.q.terms.contains(&t) {
            self.q.terms.push(t);
        }
    }

    /// An exclusion at `i` (on its `-`): `-"a phrase"` or `-word`.
    fn exclusion(&mut self) {
        let (chars, i) = (&self.chars, self.i);
        let (text, next) = if chars[i + 1] == '"' {
            let mut end = i + 2;
            while end < chars.len() && chars[end] != '"' {
                end += 1;
            }
            (chars[i + 2..end].iter().collect::<String>(), end + 1)
        } else {
            let mut end = i + 1;
            while end < chars.len() && !chars[end].is_whitespace() {
                end += 1;
            }
            (chars[i + 1..end].iter().collect::<String>(), end)
        };
        let ts = terms_with_offsets(&mut self.an, &text);
        if !ts.is_empty() && !self.q.excluded.contains(&ts) {
            self.q.excluded.push(ts);
        }
        self.i = next.min(self.chars.len());
    }

    /// A quoted phrase at `i` (on its opening quote); one word is a term.
    fn phrase(&mut self) {
        let start = self.i + 1;
        let mut end = start;
        while end < self.chars.len() && self.chars[end] != '"' {
            end += 1;
        }
        let text: String = self.chars[start..end].iter().collect();
        let ts = terms_with_offsets(&mut self.an, &text);
        match ts.len() {
            0 => {}
            1 => self.push_term(ts.into_iter().next().unwrap_or_default().1),
            _ => {
                if !self.q.phrases.contains(&ts) {
                    self.q.phrases.push(ts);
                }
            }
        }
        self.i = (end + 1).min(self.chars.len());
    }

    /// `chunk` (read up to `i`) as a facet filter (`service:checkout`, `team:"edge net"`),
    /// if it is one.
    fn filter(&mut self, chunk: &str) -> bool {
        let Some((key, value)) = chunk.split_once(':') else {
            return false;
        };
        let key = key.to_lowercase();
        if !FACETS.iter().any(|(k, _)| *k == key) {
            return false;
        }
        let mut value = value.to_string();
        if value.starts_with('"') {
            // A quoted value may contain spaces: read to the closing quote.
            let mut v: String = value[1..].to_string();
            if !v.ends_with('"') || v.is_empty() {
                while self.i < self.chars.len() && self.chars[self.i] != '"' {
                    v.push(self.chars[self.i]);
                    self.i += 1;
                }
                self.i = (self.i + 1).min(self.chars.len());
            }
            value = v.trim_end_matches('"').to_string();
        }
        if !value.trim().is_empty() {
            let f = Filter {
                value: normalise_filter(&key, &value),
                facet: key,
            };
            if !self.q.filters.contains(&f) {
                self.q.filters.push(f);
            }
        }
        true
    }

    /// The bare words of `chunk` (characters `start..i`); returns its last surface word when
    /// the query ends inside it (a prefix to complete).
    fn words(&mut self, chunk: &str, start: usize) -> Option<String> {
        let i = self.i;
        let ts = terms_with_offsets(&mut self.an, chunk);
        let ends_query = i == self.chars.len();
        let mut surface = terms(&mut surface_analyzer(), chunk);
        for (_, t) in &ts {
            self.push_term(t.clone());
            self.q.words.push(t.clone());
        }
        if let ([(_, term)], [word]) = (ts.as_slice(), surface.as_slice()) {
            self.q.bare.push(BareWord {
                span: (start, i),
                word: word.clone(),
                term: term.clone(),
            });
        }
        // A word the analyzer splits (an identifier such as `PAYMENT_VERIFICATION_UNAVAILABLE`,
        // `mapper_parsing_exception`, `rand.Int63n`, a version or a number) is also a phrase:
        // the document holding it as written ranks above those that merely use its parts.
        if ts.len() > 1 && !self.q.phrases.contains(&ts) {
            self.q.phrases.push(ts);
        }
        if ends_query {
            surface.pop()
        } else {
            None
        }
    }
}

/// A term in every text field, each with its boost.
pub(crate) fn term_query(index: &SearchIndex, term: &str) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = index
        .text_fields
        .iter()
        .zip(TEXT_FIELDS)
        .map(|(field, def)| {
            let tq = TermQuery::new(
                Term::from_field_text(*field, term),
                IndexRecordOption::WithFreqs,
            );
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(tq), def.boost)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// A phrase in every text field, each with its boost, the whole weighing `boost`.
pub(crate) fn phrase_query(
    index: &SearchIndex,
    phrase: &[(usize, String)],
    boost: f32,
) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = index
        .text_fields
        .iter()
        .zip(TEXT_FIELDS)
        .map(|(field, def)| {
            let pq = PhraseQuery::new_with_offset(
                phrase
                    .iter()
                    .map(|(offset, t)| (*offset, Term::from_field_text(*field, t)))
                    .collect(),
            );
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(pq), def.boost)) as Box<dyn Query>,
            )
        })
        .collect();
    let all: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
    if boost == 1.0 {
        all
    } else {
        Box::new(BoostQuery::new(all, boost))
    }
}

/// A term (one entry) or a phrase.
pub(crate) fn member_query(index: &SearchIndex, member: &[(usize, String)]) -> Box<dyn Query> {
    match member {
        [(_, t)] => term_query(index, t),
        _ => phrase_query(index, member, 1.0),
    }
}

/// What excludes the documents holding `member`: its term query, or for a phrase the ids of
/// the documents holding it (tantivy's phrase scorer cannot be an exclusion set: it panics
/// when asked to seek once exhausted).
fn excluded_query(index: &SearchIndex, member: &[(usize, String)]) -> Option<Box<dyn Query>> {
    if let [(_, t)] = member {
        return Some(term_query(index, t));
    }
    let docs = index
        .searcher()
        .search(&*phrase_query(index, member, 1.0), &DocSetCollector)
        .ok()?;
    let ids = docs
        .iter()
        .map(|a| Term::from_field_text(index.id_field, &index.docs[a.doc_id as usize].id));
    Some(Box::new(TermSetQuery::new(ids)))
}

/// The terms a query searches for: its terms and what its prefix expands to.
pub(crate) fn searched_terms(index: &SearchIndex, q: &ParsedQuery) -> Vec<String> {
    let mut all_terms: Vec<String> = q.terms.clone();
    if let Some(p) = &q.prefix {
        for t in index.expand_prefix(p) {
            if !all_terms.contains(&t) {
                all_terms.push(t);
            }
        }
    }
    all_terms
}

/// The tantivy query for a parsed query; `None` when it can match nothing.
pub(crate) fn to_tantivy(index: &SearchIndex, q: &ParsedQuery) -> Option<Box<dyn Query>> {
    let per_field = |term: &str| term_query(index, term);
    let phrase_query = |phrase: &[(usize, String)], boost: f32| phrase_query(index, phrase, boost);
    let mut text: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for t in &searched_terms(index, q) {
        text.push((Occur::Should, per_field(t)));
    }
    for phrase in &q.phrases {
        text.push((Occur::Should, phrase_query(phrase, 1.0)));
    }
    // Synonyms: one-term members as terms, longer ones as phrases, at their weight.
    for member in index.synonyms.expand(&q.words) {
        let clause = match member.as_slice() {
            [(_, t)] => Box::new(BoostQuery::new(per_field(t), SYNONYM_BOOST)) as Box<dyn Query>,
            _ => phrase_query(&member, SYNONYM_BOOST),
        };
        text.push((Occur::Should, clause));
    }
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !text.is_empty() {
        must.push((Occur::Must, Box::new(BooleanQuery::new(text))));
    } else if !q.is_text_empty() {
        return None; // a prefix that expands to nothing
    }
    for f in &q.filters {
        let pos = FACETS.iter().position(|(k, _)| *k == f.facet)?;
        let tq = TermQuery::new(
            Term::from_field_text(index.facet_fields[pos], &f.value),
            IndexRecordOption::Basic,
        );
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(tq), 0.0)),
        ));
    }
    if must.is_empty() {
        return None;
    }
    if q.is_text_empty() {
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        ));
    }
    for ex in &q.excluded {
        must.push((Occur::MustNot, excluded_query(index, ex)?));
    }
    Some(Box::new(BooleanQuery::new(must)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_filters_and_prefix() {
        let q = parse_query(
            "Database failover \"lost writes\" factor:DNS severity:sev1 certif",
            true,
        );
        assert_eq!(q.terms, ["databas", "failov", "certif"]);
        assert_eq!(
            q.phrases,
            [vec![(0, "lost".to_string()), (1, "write".to_string())]]
        );
        assert_eq!(q.prefix.as_deref(), Some("certif"));
        assert_eq!(
            q.filters,
            [
                Filter {
                    facet: "factor".into(),
                    value: "dns".into()
                },
                Filter {
                    facet: "severity".into(),
                    value: "sev1".into()
                }
            ]
        );
        assert_eq!(parse_query("certif ", true).prefix, None);
        assert_eq!(parse_query("ce", true).prefix, None);
        assert_eq!(parse_query("certif", false).prefix, None);
        let q = parse_query("service:\"Fraud Check\" x", true);
        assert_eq!(q.filters[0].value, "fraud-check");
        assert_eq!(q.terms, ["x"]);
    }

    #[test]
    fn parses_exclusions_and_remembers_bare_words() {
        let q = parse_query(
            "dns -ttl -\"time to live\" - api-gateway -rand.Int63n",
            false,
        );
        assert_eq!(q.terms, ["dns", "api", "gateway"]);
        assert_eq!(
            q.excluded,
            [
                vec![(0, "ttl".to_string())],
                vec![(0, "time".to_string()), (2, "live".to_string())],
                vec![(0, "rand".to_string()), (1, "int63n".to_string())],
            ]
        );
        assert_eq!(q.bare.len(), 1);
        assert_eq!(q.bare[0].word, "dns");
        assert_eq!(q.bare[0].span, (0, 3));
        // An exclusion is never the prefix being typed.
        assert_eq!(parse_query("dns -ttl", true).prefix, None);
    }
}
