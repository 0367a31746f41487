//! Blameless language: phrasing that puts a person, rather than the system, at the centre of a
//! failure, each finding with a systems-oriented rewrite for its kind of phrasing.
//!
//! Five kinds are found, each by small documented heuristics around an anchor word (the README's
//! check section describes them and their limits):
//!
//! - **lapse**: a person as the subject of a lapse ("Priya forgot to", "the on-call missed the
//!   page", "the DBA did not check", "an operator accidentally drained", "typed the wrong");
//! - **judgment**: words judging people ("careless", "negligent", "Marek's mistake", "the team was
//!   responsible for the outage", "to blame", "a rookie mistake by");
//! - **counterfactual**: what a person should or could have done ("X should have checked", "if
//!   the SRE had looked", "had Yusuf escalated", "if only");
//! - **culprit question**: questions that look for a person ("who approved this?", "why didn't
//!   anyone notice?");
//! - **human error**: "human error" and its synonyms ("operator error", "fat-finger").
//!
//! Who is a person is decided without a list of names: pronouns, roles ("engineer", "on-call",
//! "DBA", "the payments team"), the postmortem's own `authors` and action-item owners, and a
//! capitalised first name in subject position ("Björn should have") — the last being weak
//! evidence (products are capitalised too), it counts only with verbs and complements that
//! describe a person's diligence ("failed to verify", "missed the alert"), never with verbs
//! software also does ("Kafka failed to elect", "Consul missed heartbeats"). Phrases that judge
//! people are quiet when the sentence negates them before ("we do not treat human error as a
//! root cause", "no one is to blame"). Code spans, code blocks and quotations are not prose.

use super::{at, LintContext};
use crate::error::Diagnostic;
use crate::model::Postmortem;

mod anchors;
use anchors::*;
mod words;
use words::*;
mod people;
use people::*;
mod judge;
use judge::*;

/// The kind of blame-oriented phrasing a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A person as the subject of a lapse.
    Lapse,
    /// A judgment of a person or team.
    Judgment,
    /// What a person should or could have done.
    Counterfactual,
    /// A question looking for a culprit.
    CulpritQuestion,
    /// "Human error" and its synonyms.
    HumanError,
}

impl Kind {
    /// How the kind is named in messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Lapse => "a person as the subject of a lapse",
            Kind::Judgment => "a judgment of people",
            Kind::Counterfactual => "a counterfactual about a person",
            Kind::CulpritQuestion => "a question looking for a culprit",
            Kind::HumanError => "human error or a synonym",
        }
    }
}

/// One finding in a line: where, the phrase, its kind and the rewrite to suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    /// Byte offset of the anchor in the line.
    pub at: usize,
    /// The phrase as found ("Alice should have").
    pub phrase: String,
    /// Its kind.
    pub kind: Kind,
    /// A systems-oriented rewrite.
    pub hint: &'static str,
}

const HINT_FORGOT: &str = "say which step had no reminder, checklist or automation: \"the runbook had no step to re-enable the job\"";
const HINT_SIGNAL: &str = "say why the signal was easy to miss (volume, routing, wording): \"the alert was routed to a low-urgency channel\"";
const HINT_STEP: &str = "say what was missing: \"the change was deployed without a review step\"";
const HINT_SLIP: &str = "describe what made the wrong action possible and easy: \"the command accepted the production host without a confirmation\"";
const HINT_JUDGMENT: &str = "describe what the system allowed rather than how someone behaved: \"the console allowed the change without validation\"";
const HINT_COUNTERFACTUAL: &str =
    "say what the system did not do: \"the configuration was not validated before deployment\"";
const HINT_QUESTION: &str = "ask what would have surfaced this earlier: \"no signal showed the error rate rising before customers did\"";
const HINT_HUMAN_ERROR: &str = "name the condition that made the slip possible, e.g. \"the runbook step ran against production without a confirmation\"";

/// Blame findings in one line of prose, at most one per sentence, for a postmortem listing
/// `people`.
fn scan_line(line: &str, people: &People) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut last_sentence = usize::MAX;
    let mut cached: Option<(usize, usize, bool, Words)> = None;
    for m in AUTOMATON.find_overlapping_iter(line) {
        let (s, e) = (m.start(), m.end());
        let anchor = ANCHORS[m.pattern().as_usize()].1;
        // A possessive anchor starts inside its owner's word ("Marek's mistake").
        if !boundary(line, s, e, anchor != Anchor::Possessive) {
            continue;
        }
        if !worth_a_look(line, s, e, anchor) {
            continue;
        }
        let (ss, question) = match &cached {
            Some((a, b, q, _)) if (*a..*b).contains(&s) => (*a, *q),
            _ => {
                let (a, b, q) = sentence(line, s);
                cached = Some((a, b, q, words(line, a, b)));
                (a, q)
            }
        };
        if ss == last_sentence {
            continue;
        }
        let ws = &cached.as_ref().expect("set above").3;
        if let Some((phrase, kind, hint)) = judge(line, ws, s, e, anchor, question, people) {
            last_sentence = ss;
            found.push(Finding {
                at: s,
                phrase,
                kind,
                hint,
            });
        }
    }
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
    let people = People::of(pm);
    let mut emit = |line_no: usize, col_base: usize, text: &str| {
        for f in scan_line(text, &people) {
            let column = col_base + text[..f.at].chars().count();
            out.push(
                Diagnostic::warning(
                    &pm.source,
                    (line_no, column),
                    "language/blame",
                    format!(
                        "blame-oriented phrasing ({}): \"{}\"",
                        f.kind.name(),
                        f.phrase
                    ),
                )
                .suggest(f.hint.to_string()),
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
            if !line.contains('`') {
                emit(section.markdown_line + n, 1, line);
            } else {
                emit(section.markdown_line + n, 1, &blank_code_spans(line));
            }
        }
    }
}

#[cfg(test)]
mod tests;
