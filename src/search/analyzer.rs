//! The text analyzer shared by the index, the `search` command and (re-implemented, and tested
//! for equality) the browser client: tantivy's `SimpleTokenizer` (runs of Unicode alphanumeric
//! characters), tokens of 40 bytes or more removed, lowercased, English stop words removed,
//! English (Porter2) stemming.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    TokenStream,
};

/// English stop words (Lucene's list), removed before stemming. Exported to the client.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The name the analyzer is registered under.
pub const ANALYZER: &str = "pm_en";

/// The analyzer: simple tokenizer, long-token removal, lowercasing, stop words, stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|s| s.to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer without stemming: the surface forms the prefix search expands from.
pub fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
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
pub fn terms_with_offsets(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
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
        let long = "x".repeat(40);
        assert_eq!(terms(&mut a, &format!("x {long} y")), ["x", "y"]);
    }
}
