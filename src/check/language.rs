//! Blameless language: phrasing that puts a person, rather than the system, at the centre of a
//! failure ("Alice should have checked", "human error", "dropped the ball"), each with a
//! systems-oriented rewrite as the suggestion.
//!
//! Tuned against ordinary technical prose: "failed to", "missed", "should have" are flagged
//! only when their subject is a person (a pronoun, a role, or a name), so "the health check
//! failed to connect" passes. Code spans, code blocks and quotations are not prose.

use super::{at, LintContext};
use crate::error::Diagnostic;
use crate::model::Postmortem;

/// Phrases that are blame-oriented whoever the subject is: (phrase, rewrite hint).
const ALWAYS: &[(&str, &str)] = &[
    ("human error", "name the condition that made the slip possible, e.g. \"the runbook step ran against production without a confirmation\""),
    ("careless", "describe what the system allowed rather than how someone behaved"),
    ("carelessness", "describe what the system allowed rather than how someone behaved"),
    ("if only", "state what would have changed the outcome as a property of the system"),
    ("dropped the ball", "describe which handoff or signal was missing"),
    ("why didn't anyone", "ask what would have surfaced this earlier: \"no signal showed X before Y\""),
    ("why did no one", "ask what would have surfaced this earlier: \"no signal showed X before Y\""),
    ("why did nobody", "ask what would have surfaced this earlier: \"no signal showed X before Y\""),
    ("negligent", "describe the missing safeguard rather than a person's diligence"),
    ("negligence", "describe the missing safeguard rather than a person's diligence"),
    ("incompetent", "describe the missing knowledge or tooling as a gap in the system"),
    ("should have known", "describe what information was not available at the time, and why"),
    ("to blame", "describe the chain of conditions instead of assigning blame"),
    ("was blamed", "describe the chain of conditions instead of assigning blame"),
    ("fault of", "describe the chain of conditions instead of assigning fault"),
];

/// Phrases that are blame-oriented when a person is their subject.
const PERSON_VERBS: &[(&str, &str)] = &[
    (
        "should have",
        "say what the system did not do: \"the configuration was not validated before deployment\"",
    ),
    (
        "should've",
        "say what the system did not do: \"the configuration was not validated before deployment\"",
    ),
    (
        "failed to",
        "say what was missing: \"the change was deployed without a review step\"",
    ),
    ("forgot to", "say which step had no reminder or automation"),
    ("forgot", "say which step had no reminder or automation"),
    (
        "neglected to",
        "say which step had no reminder or automation",
    ),
    (
        "didn't bother",
        "say which step was optional in the process",
    ),
    (
        "did not bother",
        "say which step was optional in the process",
    ),
    (
        "ignored",
        "say why the signal was easy to miss (volume, routing, wording)",
    ),
    ("overlooked", "say why the detail was easy to miss"),
    (
        "mistakenly",
        "describe what made the wrong action look right at the time",
    ),
    (
        "accidentally",
        "describe what made the wrong action possible and easy",
    ),
    (
        "missed",
        "say why the signal was easy to miss (volume, routing, wording)",
    ),
    ("messed up", "describe the change and what made it unsafe"),
    ("screwed up", "describe the change and what made it unsafe"),
];

/// Subjects that are people.
const PERSON_WORDS: &[&str] = &[
    "he",
    "she",
    "they",
    "i",
    "you",
    "we",
    "someone",
    "somebody",
    "nobody",
    "anyone",
    "everyone",
    "engineer",
    "engineers",
    "operator",
    "operators",
    "developer",
    "developers",
    "dev",
    "devs",
    "on-call",
    "oncall",
    "on-caller",
    "admin",
    "admins",
    "administrator",
    "sre",
    "sres",
    "reviewer",
    "reviewers",
    "author",
    "responder",
    "responders",
    "intern",
    "employee",
    "staff",
    "person",
    "human",
    "manager",
];

/// Words between a subject and its verb that do not change the subject.
const ADVERBS: &[&str] = &[
    "simply",
    "just",
    "also",
    "clearly",
    "obviously",
    "again",
    "then",
    "probably",
    "apparently",
    "really",
    "definitely",
    "still",
    "had",
    "must",
    "could",
    "would",
    "completely",
    "never",
];

/// Capitalised words that are not names.
const NOT_NAMES: &[&str] = &[
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "Its",
    "Our",
    "Their",
    "A",
    "An",
    "After",
    "Before",
    "When",
    "While",
    "During",
    "Then",
    "Once",
    "At",
    "On",
    "In",
    "We",
    "They",
    "He",
    "She",
    "There",
    "Here",
    "If",
    "But",
    "And",
    "Or",
    "So",
    "Because",
    "Since",
    "As",
    "No",
    "Nothing",
    "Nobody",
    "Everyone",
    "Someone",
    "Monitoring",
    "Alerting",
    "Production",
    "Staging",
    "Customers",
    "Users",
    "Traffic",
    "Requests",
    "Service",
    "System",
    "Everything",
    "All",
    "Some",
    "Most",
    "Many",
    "Each",
    "Every",
    "Both",
    "Neither",
    "Either",
    "One",
    "Two",
    "Which",
    "What",
];

/// The person-like subject right before byte `i` of `line`, if any.
fn person_subject(line: &str, i: usize) -> Option<String> {
    let before = &line[..i];
    let mut words = before
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .rev();
    let mut w = words.next()?;
    while ADVERBS.contains(&w.to_lowercase().as_str()) {
        w = words.next()?;
    }
    let w = w.trim_end_matches("'s");
    let lower = w.to_lowercase();
    if PERSON_WORDS.contains(&lower.as_str()) {
        return Some(w.to_string());
    }
    let mut chars = w.chars();
    let is_name = chars.next().is_some_and(|c| c.is_uppercase())
        && w.len() > 1
        && chars.all(|c| c.is_lowercase())
        && !NOT_NAMES.contains(&w);
    is_name.then(|| w.to_string())
}

/// Verbs after "failed to" that describe a person's diligence (so a named subject is a person).
const DILIGENCE: &[&str] = &[
    "check",
    "verify",
    "notice",
    "review",
    "test",
    "follow",
    "read",
    "update",
    "communicate",
    "escalate",
    "respond",
    "confirm",
    "validate",
    "monitor",
    "catch",
    "see",
    "realize",
    "realise",
    "consider",
    "ensure",
    "tell",
    "inform",
    "double-check",
    "run",
    "look",
];

fn word_at(hay: &str, i: usize, len: usize) -> bool {
    let b = hay.as_bytes();
    (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        && (i + len >= b.len() || !b[i + len].is_ascii_alphanumeric())
}

/// Blame findings in one line of prose: (byte offset, phrase, suggestion).
pub fn scan_line(line: &str) -> Vec<(usize, String, &'static str)> {
    let lower = line.to_lowercase();
    if lower.len() != line.len() {
        // Lowercasing changed byte offsets (rare non-ASCII case): match on the original.
        return scan_ascii(line, &line.to_ascii_lowercase());
    }
    scan_ascii(line, &lower)
}

/// Every phrase either list looks for, in one automaton: most lines contain none, and one
/// pass over the line tells (the per-phrase searches below only run on lines that do).
static ANY_PHRASE: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(ALWAYS.iter().chain(PERSON_VERBS).map(|(p, _)| *p))
            .expect("the blame phrases are a valid automaton")
    });

fn scan_ascii(line: &str, lower: &str) -> Vec<(usize, String, &'static str)> {
    let mut found = Vec::new();
    if !ANY_PHRASE.is_match(lower) {
        return found;
    }
    for (phrase, hint) in ALWAYS {
        for (i, _) in lower.match_indices(phrase) {
            if word_at(lower, i, phrase.len()) {
                found.push((i, phrase.to_string(), *hint));
            }
        }
    }
    for (phrase, hint) in PERSON_VERBS {
        for (i, _) in lower.match_indices(phrase) {
            if !word_at(lower, i, phrase.len()) {
                continue;
            }
            let Some(subject) = person_subject(line, i) else {
                continue;
            };
            let is_named = !PERSON_WORDS.contains(&subject.to_lowercase().as_str());
            // Software ignores headers and misses caches: for these verbs only a pronoun or a
            // role counts as a person, never a capitalised word (which is often a product).
            if is_named && matches!(*phrase, "ignored" | "missed") {
                continue;
            }
            if is_named && *phrase == "failed to" {
                let next = lower[i + phrase.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                if !DILIGENCE
                    .contains(&next.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
                {
                    continue;
                }
            }
            if found.iter().any(|(j, _, _)| *j == i) {
                continue;
            }
            found.push((i, format!("{subject} {phrase}"), *hint));
        }
    }
    // "forgot" also matches inside "forgot to": keep the longer phrase.
    found.sort_by_key(|(i, p, _)| (*i, std::cmp::Reverse(p.len())));
    found.dedup_by_key(|(i, _, _)| *i);
    found
}

/// Replaces inline code spans with spaces so they are not linted.
fn blank_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(' ');
        } else if in_code {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn check(pm: &Postmortem, _ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut emit = |line_no: usize, col_base: usize, text: &str| {
        for (i, phrase, hint) in scan_line(text) {
            let column = col_base + text[..i].chars().count();
            out.push(
                Diagnostic::warning(
                    &pm.source,
                    (line_no, column),
                    "language/blame",
                    format!("blame-oriented phrasing: \"{phrase}\""),
                )
                .suggest(hint.to_string()),
            );
        }
    };
    let (sl, sc) = at(pm, "summary");
    emit(sl, sc + 1, &pm.summary);
    for section in &pm.body.sections {
        let mut fenced = false;
        for (n, line) in section.markdown.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("```") || t.starts_with("~~~") {
                fenced = !fenced;
                continue;
            }
            if fenced || t.starts_with('>') || line.starts_with("    ") {
                continue;
            }
            emit(section.markdown_line + n, 1, &blank_code_spans(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scan_line;

    fn flagged(s: &str) -> Vec<String> {
        scan_line(s).into_iter().map(|(_, p, _)| p).collect()
    }

    #[test]
    fn flags_blame() {
        assert_eq!(
            flagged("Alice should have checked the configuration."),
            ["Alice should have"]
        );
        assert_eq!(flagged("This was human error."), ["human error"]);
        assert_eq!(
            flagged("The operator forgot to drain the node."),
            ["operator forgot to"]
        );
        assert_eq!(
            flagged("Bob failed to verify the backup."),
            ["Bob failed to"]
        );
        assert_eq!(flagged("Why didn't anyone notice?"), ["why didn't anyone"]);
        assert_eq!(flagged("If only we had a canary."), ["if only"]);
        assert_eq!(
            flagged("The operator simply ignored the alert."),
            ["operator ignored"]
        );
        assert_eq!(
            flagged("The on-call dropped the ball."),
            ["dropped the ball"]
        );
    }

    #[test]
    fn leaves_technical_prose_alone() {
        for s in [
            "The health check failed to connect to the database.",
            "Kafka failed to elect a leader within 30 s.",
            "The deploy should have been blocked by the canary.",
            "Requests missed the cache and went to the origin.",
            "We follow a blameless postmortem process.",
            "The retry logic ignored the Retry-After header.",
            "Postgres failed to start after the upgrade.",
            "The team believed Firefox ignored certificate expiration dates.",
        ] {
            assert!(flagged(s).is_empty(), "{s}: {:?}", flagged(s));
        }
    }
}
