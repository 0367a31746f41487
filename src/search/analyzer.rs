//! The text analyzer shared by the index, the `search` command and (re-implemented, and tested
//! for equality) the browser client: [`PmTokenizer`] (runs of Unicode alphanumeric characters,
//! each Chinese or Japanese character alone), tokens of 40 bytes or more removed, lowercased,
//! English stop words removed, English (Porter2) stemming of words in the Latin script only
//! (other scripts are indexed as written, lowercased).

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

pub(crate) use super::tokenizer::PmTokenizer;

/// English stop words (Lucene's list), removed before stemming. Exported to the client.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The name the analyzer is registered under.
pub(crate) const ANALYZER: &str = "pm_en";

/// The analyzer: simple tokenizer, long-token removal, lowercasing, stop words, stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(PmTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|s| s.to_string()),
        ))
        .filter(CachedStemmer)
        .build()
}

/// Whether Porter2 stems `word`: only words in the Latin script (Porter2 is for English; a
/// word with letters beyond it, Cyrillic, Greek, CJK..., is kept as written). The analyzer and
/// the excerpts decide alike.
pub(super) fn stems_in_english(word: &str) -> bool {
    !word.chars().any(|c| c > '\u{24f}')
}

/// tantivy's English (Porter2) `Stemmer` with a memo of the words it has stemmed: an archive
/// repeats the same few thousand words millions of times, and stemming each occurrence anew
/// was the largest single cost of indexing. Same stems (rust-stemmers, as tantivy's filter).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CachedStemmer;

/// Past this many words the memo starts over (bounded memory on hostile input).
const STEM_MEMO_LIMIT: usize = 200_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner,
            memo: FxHashMap::default(),
        }
    }
}

/// The tokenizer [`CachedStemmer`] wraps around; the memo lives as long as the analyzer.
#[derive(Clone)]
pub(crate) struct CachedStemmerFilter<T> {
    inner: T,
    memo: FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.memo.len() > STEM_MEMO_LIMIT {
            self.memo.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub(crate) struct CachedStemmerStream<'a, T> {
    tail: T,
    memo: &'a mut FxHashMap<String, String>,
    stemmer: rust_stemmers::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.memo.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = if stems_in_english(&token.text) {
                    self.stemmer.stem(&token.text).into_owned()
                } else {
                    token.text.clone()
                };
                self.memo
                    .insert(std::mem::take(&mut token.text), stem.clone());
                token.text = stem;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The analyzer without stemming: the surface forms the prefix search expands from.
pub(crate) fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(PmTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

/// The terms of `text` as the index sees them.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The terms of `text` with their positions relative to the first term kept (stop words and
/// long tokens leave gaps, as in the index), for phrase queries.
pub(crate) fn terms_with_offsets(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    let first = out.first().map(|(p, _)| *p).unwrap_or(0);
    out.into_iter().map(|(p, t)| (p - first, t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyzes_like_the_index() {
        let mut a = analyzer();
        assert_eq!(
            terms(&mut a, "Certificates EXPIRED on api-gateway (TLS)"),
            ["certif", "expir", "api", "gateway", "tls"]
        );
        assert_eq!(
            terms_with_offsets(&mut a, "no space left on device"),
            [
                (0, "space".to_string()),
                (1, "left".to_string()),
                (3, "devic".to_string())
            ]
        );
        assert_eq!(
            terms(&mut a, "Платежи не прошли: 決済 failures"),
            ["платежи", "не", "прошли", "決", "済", "failur"]
        );
        let long = "x".repeat(40);
        assert_eq!(terms(&mut a, &format!("x {long} y")), ["x", "y"]);
    }

    #[test]
    fn memoised_stems_equal_tantivys_stemmer() {
        use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer};
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut memo = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let text = "Failing failover failed; connections connected, connecting \
                    generously generous generation news skies dying lying ugly";
        for _ in 0..3 {
            // Twice from the memo, once fresh: always the same stems.
            assert_eq!(terms(&mut memo, text), terms(&mut plain, text));
        }
    }
}
