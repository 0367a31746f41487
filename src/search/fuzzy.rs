//! Typo correction: a bare word of letters whose term the index does not hold is replaced by
//! the closest word of the index's own vocabulary, the way tantivy's `FuzzyTermQuery` matches
//! (Levenshtein distance with a transposition costing one edit, i.e. optimal string alignment,
//! counted in characters), and the query runs with that word as if it had been typed. The
//! browser client (`pmsearch.js`) makes the same choice from the vocabulary files of the export
//! (`v/<length>.gz`), which it fetches only for a word with no match.
//!
//! - Words of fewer than [`MIN_LENGTH`] characters are not corrected (`ttl`, `dns`: too many
//!   neighbours one edit away); up to [`TWO_EDITS_LENGTH`] - 1 characters one edit is allowed,
//!   from there two (tantivy's usual 1 / 2 by length).
//! - The vocabulary is every word of the searchable text (lowercased, as written) of
//!   [`MIN_VOCABULARY_LENGTH`] to [`MAX_VOCABULARY_LENGTH`] characters made only of letters:
//!   numbers, versions and identifiers are never "corrected" into one another.
//! - The closest word wins; among equally close ones the one more documents hold, then the
//!   first in code point order: deterministic, and the same in both implementations.
//! - A prefix being typed (the last word, with `prefix`) is corrected only when no word starts
//!   with it, so `certif` still completes and `certifcate` is corrected.

/// Shortest word corrected.
pub(crate) const MIN_LENGTH: usize = 4;
/// Words of at least this many characters may be two edits away; shorter ones one.
pub(crate) const TWO_EDITS_LENGTH: usize = 8;
/// Shortest vocabulary word (a four-letter word may be one edit from a three-letter one).
pub(crate) const MIN_VOCABULARY_LENGTH: usize = 3;
/// Longest vocabulary word.
pub(crate) const MAX_VOCABULARY_LENGTH: usize = 32;

/// How many edits a word of `len` characters may be corrected by (0: not corrected).
pub(crate) fn max_edits(len: usize) -> usize {
    match len {
        l if l < MIN_LENGTH => 0,
        l if l < TWO_EDITS_LENGTH => 1,
        _ => 2,
    }
}

/// Whether a (lowercased) word may be corrected: letters only, long enough.
pub(crate) fn correctable(word: &str) -> bool {
    word.chars().all(char::is_alphabetic) && max_edits(word.chars().count()) > 0
}

/// Whether a (lowercased) word of the index belongs in the vocabulary.
pub(crate) fn in_vocabulary(word: &str) -> bool {
    let len = word.chars().count();
    (MIN_VOCABULARY_LENGTH..=MAX_VOCABULARY_LENGTH).contains(&len)
        && word.chars().all(char::is_alphabetic)
}

/// The best correction of `word` among `candidates`, given how many documents hold each
/// (`df`, asked only of the words close enough), or `None`.
pub(crate) fn best<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    df: impl Fn(&str) -> u64,
) -> Option<&'a str> {
    let len = word.chars().count();
    let edits = max_edits(len);
    if edits == 0 {
        return None;
    }
    let mut best: Option<(usize, u64, &str)> = None;
    for c in candidates {
        if c.chars().count().abs_diff(len) > edits {
            continue;
        }
        let d = strsim::osa_distance(word, c);
        if d == 0 || d > edits {
            continue;
        }
        let df = df(c);
        let better = match best {
            None => true,
            Some((bd, bdf, bw)) => (d, std::cmp::Reverse(df), c) < (bd, std::cmp::Reverse(bdf), bw),
        };
        if better {
            best = Some((d, df, c));
        }
    }
    best.map(|(_, _, w)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrects_by_distance_then_frequency_then_order() {
        let of = |pairs: &'static [(&'static str, u64)]| {
            (pairs.iter().map(|(w, _)| *w), move |w: &str| {
                pairs.iter().find(|(x, _)| *x == w).map_or(0, |(_, d)| *d)
            })
        };
        let vocab: &[(&str, u64)] = &[
            ("certificate", 3),
            ("certificates", 9),
            ("certified", 1),
            ("deploy", 5),
        ];
        let run = |word: &str, pairs: &'static [(&'static str, u64)]| {
            let (words, df) = of(pairs);
            best(word, words, df)
        };
        assert_eq!(run("certifcate", vocab), Some("certificate"));
        // A transposition is one edit.
        assert_eq!(run("depoly", vocab), Some("deploy"));
        // Two edits for long words only.
        assert_eq!(run("certifcat", vocab), Some("certificate"));
        assert_eq!(run("dplyy", vocab), None);
        // Equally close: more documents, then code point order.
        assert_eq!(run("abcd", &[("abce", 1), ("abcf", 2)]), Some("abcf"));
        assert_eq!(run("abcd", &[("abcf", 2), ("abce", 2)]), Some("abce"));
        assert_eq!(run("ttx", &[("ttl", 9)]), None);
        assert!(correctable("certifcate"));
        assert!(!correctable("http2"));
        assert!(!correctable("dns"));
        assert!(in_vocabulary("dns") && !in_vocabulary("us-east") && !in_vocabulary("5xx"));
    }
}
