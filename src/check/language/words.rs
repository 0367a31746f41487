//! Words and sentences of a line, and the small word tests the rules share.

use super::*;

/// Words with the byte offsets where they start.
pub(super) type Words<'a> = Vec<(usize, &'a str)>;

/// Words of a line with their byte ranges: letters, digits and the joiners `' ’ - . _ @`
/// inside a word.
pub(super) fn words(line: &str, from: usize, to: usize) -> Words<'_> {
    let mut out = Vec::new();
    let mut start = None;
    let seg = &line[from..to];
    let is_word = |c: char| c.is_alphanumeric();
    let is_joiner = |c: char| matches!(c, '\'' | '’' | '-' | '.' | '_' | '@');
    let mut chars = seg.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|&(_, n)| is_word(n));
        if is_word(c) || (start.is_some() && is_joiner(c) && next_is_word) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((from + s, &seg[s..i]));
        }
    }
    if let Some(s) = start {
        out.push((from + s, &seg[s..]));
    }
    // "no one" is one word, a pronoun.
    let mut k = 0;
    while k + 1 < out.len() {
        let (s, w) = out[k];
        let (t, next) = out[k + 1];
        if w.eq_ignore_ascii_case("no") && next.eq_ignore_ascii_case("one") {
            out[k] = (s, &line[s..t + next.len()]);
            out.remove(k + 1);
        }
        k += 1;
    }
    out
}

/// The range of the sentence (clauses split at `.`, `?`, `!`, `;`, `:` followed by a space or
/// the end) around byte `i`, and whether it ends with a question mark.
pub(super) fn sentence(line: &str, i: usize) -> (usize, usize, bool) {
    let b = line.as_bytes();
    let ends = |j: usize| {
        matches!(b[j], b'.' | b'?' | b'!' | b';' | b':')
            && (j + 1 == b.len() || b[j + 1].is_ascii_whitespace() || b[j + 1] == b'"')
    };
    let mut start = i;
    while start > 0 && !ends(start - 1) {
        start -= 1;
    }
    let mut end = i;
    while end < b.len() && !ends(end) {
        end += 1;
    }
    let question = end < b.len() && b[end] == b'?';
    (start, end, question)
}

pub(super) fn lower(w: &str) -> String {
    w.to_lowercase()
}

/// Whether one of the `n` words after index `i` is in `set`.
pub(super) fn within(ws: &[(usize, &str)], i: usize, n: usize, set: &[&str]) -> bool {
    ws.iter()
        .skip(i + 1)
        .take(n)
        .any(|(_, w)| set.contains(&lower(w).trim_end_matches("'s")))
}

/// Whether a negation comes before the phrase at words `i..=last` in its clause, or the phrase
/// is the subject of a general statement ("human error is a symptom").
pub(super) fn negated(ws: &[(usize, &str)], i: usize, last: usize) -> bool {
    ws[..i].iter().any(|(_, w)| {
        let l = lower(w);
        NEGATIONS.contains(&l.as_str()) || l.ends_with("n't") || l.ends_with("n’t")
    }) || (i == 0
        && ws
            .get(last + 1)
            .is_some_and(|(_, w)| matches!(lower(w).as_str(), "is" | "isn't" | "are")))
}

/// The word index at byte `at`, if a word starts there.
pub(super) fn index_at(ws: &[(usize, &str)], at: usize) -> Option<usize> {
    ws.iter().position(|(s, _)| *s == at)
}

/// Whether the person `who` is the subject of a clause that follows from a condition of the
/// system ("flag changes are not audited, so responders did not see the change"): the
/// sentence explains the system by what it did to people.
pub(super) fn consequence(ws: &[(usize, &str)], who: &str) -> bool {
    let Some(k) = ws.iter().position(|(_, w)| *w == who) else {
        return false;
    };
    ws[k.saturating_sub(3)..k].iter().any(|(_, w)| {
        matches!(
            lower(w).as_str(),
            "so" | "therefore" | "hence" | "thus" | "meaning" | "consequently"
        )
    })
}

/// Whether a form of "be" comes between the subject `who` and the verb at word `v` ("a
/// listener registered in search was never removed"): the subject of a passive did nothing.
pub(super) fn passive(ws: &[(usize, &str)], who: &str, v: usize) -> bool {
    let Some(k) = ws[..v].iter().rposition(|(_, w)| *w == who) else {
        return false;
    };
    ws[k + 1..v].iter().any(|(_, w)| {
        matches!(
            lower(w).as_str(),
            "was" | "were" | "is" | "are" | "been" | "being" | "be"
        )
    })
}

/// Past-tense forms a question's "who" takes to look for a culprit.
pub(super) fn past(w: &str) -> bool {
    let l = lower(w);
    (l.ends_with("ed") && l.len() > 3)
        || matches!(
            l.as_str(),
            "broke"
                | "ran"
                | "made"
                | "wrote"
                | "forgot"
                | "let"
                | "put"
                | "sent"
                | "took"
                | "did"
                | "chose"
                | "left"
                | "set"
                | "shipped"
                | "pushed"
                | "signed"
                | "missed"
        )
}
