//! The excerpt of a result: the passage of the postmortem where the query's words are densest,
//! trimmed around its first match, with the words marked. `pmsearch.js` computes the same from
//! the same passages (its `excerpt`), and a test compares the two.
//!
//! A postmortem's passages are its summary, each section of its body (the one repeating the
//! summary left out) and its action items' titles (one passage), each with its white space
//! collapsed. A passage's words are matched as the index analyses them (alphanumeric runs,
//! lowercased, stop words skipped, stemmed): a word is a match when its term is one of the
//! query's. The passage chosen has the most distinct query terms; then the most matches per
//! word (density); then comes first. Without any match it is the summary (the first passage
//! that is not empty).

use std::collections::BTreeSet;

use super::analyzer::stems_in_english;
use super::analyzer::STOP_WORDS;
use super::tokenizer::{continues_word, is_cjk};
use crate::model::Postmortem;

/// Longest excerpt, in characters (ellipses aside).
pub(crate) const MAX_CHARS: usize = 220;

/// A postmortem's passages, the summary first (possibly empty).
pub(crate) fn passages(pm: &Postmortem) -> Vec<String> {
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = vec![collapse(&pm.summary)];
    for s in &pm.body.sections {
        if s.key.as_deref() == Some("summary") && (pm.summary.is_empty() || s.text == pm.summary) {
            if pm.summary.is_empty() {
                out[0] = collapse(&s.text);
            }
            continue;
        }
        let text = collapse(&s.text);
        if !text.is_empty() {
            out.push(text);
        }
    }
    let actions: Vec<String> = pm
        .action_items
        .iter()
        .map(|ai| collapse(&ai.title))
        .filter(|t| !t.is_empty())
        .collect();
    if !actions.is_empty() {
        out.push(actions.join("; "));
    }
    out
}

/// The spans (character offsets) of `text`'s words whose term is in `terms`, how many distinct
/// terms they are, and how many words `text` has.
fn matches(
    text: &[char],
    terms: &BTreeSet<&str>,
    stemmer: &rust_stemmers::Stemmer,
) -> (Vec<(usize, usize)>, usize, usize) {
    let mut spans = Vec::new();
    let mut found = BTreeSet::new();
    let mut words = 0;
    let mut i = 0;
    while i < text.len() {
        if !text[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        // Words as the index's tokenizer makes them: runs of letters and digits, each Chinese
        // or Japanese character a word of its own.
        let start = i;
        i += 1;
        if !is_cjk(text[start]) {
            while i < text.len() && continues_word(text[i]) {
                i += 1;
            }
        }
        words += 1;
        let word: String = text[start..i].iter().collect::<String>().to_lowercase();
        if STOP_WORDS.contains(&word.as_str()) {
            continue;
        }
        // Stemmed as the analyzer does: Latin-script words only.
        let term = if stems_in_english(&word) {
            stemmer.stem(&word)
        } else {
            std::borrow::Cow::Borrowed(word.as_str())
        };
        if terms.contains(term.as_ref()) {
            spans.push((start, i));
            found.insert(term.into_owned());
        }
    }
    (spans, found.len(), words)
}

fn escape(out: &mut String, text: &[char]) {
    for c in text {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(*c),
        }
    }
}

/// A passage as characters, its matches' spans, how many distinct terms they are, its words.
type Scored = (Vec<char>, Vec<(usize, usize)>, usize, usize);

/// The excerpt as HTML (escaped text, the matches in `<mark>`) of the best passage for `terms`.
pub(crate) fn excerpt(passages: &[String], terms: &[String]) -> String {
    let wanted: BTreeSet<&str> = terms.iter().map(String::as_str).collect();
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut best: Option<Scored> = None;
    for p in passages {
        let text: Vec<char> = p.chars().collect();
        let (spans, distinct, words) = matches(&text, &wanted, &stemmer);
        let better = match &best {
            None => !text.is_empty(),
            Some((_, bs, bd, bw)) => {
                // More distinct terms; then a higher density (matches / words, cross-multiplied).
                distinct > *bd
                    || (distinct == *bd && spans.len() * (*bw).max(1) > bs.len() * words.max(1))
            }
        };
        if better {
            best = Some((text, spans, distinct, words));
        }
    }
    let Some((text, spans, ..)) = best else {
        return String::new();
    };
    window(&text, &spans)
}

/// Trims `text` to [`MAX_CHARS`] around its first match and marks the matches.
fn window(text: &[char], spans: &[(usize, usize)]) -> String {
    let last_space = |before: usize| {
        text[..=before.min(text.len() - 1)]
            .iter()
            .rposition(|c| *c == ' ')
    };
    let from = match spans.first() {
        Some((s, _)) if *s > MAX_CHARS / 2 => last_space(s - 40).map_or(0, |p| p + 1),
        _ => 0,
    };
    let mut to = text.len().min(from + MAX_CHARS);
    if to < text.len() {
        if let Some(sp) = last_space(to).filter(|sp| *sp > from) {
            to = sp;
        }
    }
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let mut at = from;
    for (s, e) in spans {
        if *s < from || *e > to {
            continue;
        }
        escape(&mut out, &text[at..*s]);
        out.push_str("<mark>");
        escape(&mut out, &text[*s..*e]);
        out.push_str("</mark>");
        at = *e;
    }
    escape(&mut out, &text[at..to]);
    if to < text.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_densest_passage_is_chosen_and_its_words_marked() {
        let passages = [
            "The checkout service failed.".to_string(),
            "Nothing relevant here at all.".to_string(),
            "The TTL of the DNS record was lowered; DNS caches expired.".to_string(),
        ];
        let terms = ["dns".to_string(), "ttl".to_string()];
        assert_eq!(
            excerpt(&passages, &terms),
            "The <mark>TTL</mark> of the <mark>DNS</mark> record was lowered; <mark>DNS</mark> caches expired."
        );
        // No match: the summary.
        assert_eq!(excerpt(&passages, &["zzz".into()]), passages[0]);
        // Stemmed matching; escaping; a long passage trimmed around the match.
        let long = format!("{} <b> Certificates expired & more", "word ".repeat(60));
        let got = excerpt(&[long], &["certif".into()]);
        assert!(got.starts_with("… "), "{got}");
        assert!(
            got.contains("&lt;b&gt; <mark>Certificates</mark> expired &amp; more"),
            "{got}"
        );
    }
}
