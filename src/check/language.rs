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

/// What an anchor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// A phrase that judges people whoever the subject is, unless negated before.
    Judge(Kind, &'static str),
    /// A lapse verb with strong evidence of a person (software rarely "forgets to").
    Strong(&'static str),
    /// A lapse verb software also does: needs a person subject, and a diligence complement
    /// for a capitalised word.
    Weak(Weak),
    /// "should have", "ought to have", "needed to", "could have": a person subject.
    Counterfactual,
    /// "if": a person subject of "had" after it.
    If,
    /// "had" starting a clause: "Had the operator checked".
    Had,
    /// who / why / how / which: questions.
    Question,
    /// "'s": a person's mistake.
    Possessive,
    /// "made a" / "made an": a person made a mistake.
    Made,
    /// "by": a mistake by a person.
    By,
    /// "responsible for": the outage.
    Responsible,
    /// "the wrong" / "an incorrect": a person's action on the wrong target.
    Wrong,
    /// "without checking": a person's action without a check.
    Without,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weak {
    /// "failed to", "did not", "didn't", "never", "neglected to": + a diligence verb.
    FailedTo,
    /// "missed", "ignored": + a signal.
    Missed,
    /// "skipped": + a step.
    Skipped,
    /// "broke", "misconfigured": + anything when the subject is a person.
    Broke,
    /// "accidentally", "mistakenly", ...: + a verb, when the subject is a person.
    Adverb,
}

use Anchor::*;

/// Every anchor: its text (lowercase, matched ASCII case-insensitively at word boundaries).
const ANCHORS: &[(&str, Anchor)] = &[
    // human error and its synonyms
    ("human error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("human errors", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("human mistake", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("human failure", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("human slip", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("operator error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    (
        "operator mistake",
        Judge(Kind::HumanError, HINT_HUMAN_ERROR),
    ),
    ("engineer error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    (
        "engineering error",
        Judge(Kind::HumanError, HINT_HUMAN_ERROR),
    ),
    ("personnel error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("staff error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("pilot error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("as user error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("was user error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("to user error", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("fat-finger", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("fat finger", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("fat-fingered", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    ("pebkac", Judge(Kind::HumanError, HINT_HUMAN_ERROR)),
    // judgments of people
    ("careless", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("carelessly", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("carelessness", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("sloppy", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("sloppily", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("sloppiness", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("negligent", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("negligently", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("negligence", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("incompetent", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("incompetence", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("reckless", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("recklessly", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("lazy", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("laziness", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("irresponsible", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("irresponsibly", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("inattentive", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("inattention", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("lack of attention", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("not paying attention", Judge(Kind::Judgment, HINT_JUDGMENT)),
    (
        "wasn't paying attention",
        Judge(Kind::Judgment, HINT_JUDGMENT),
    ),
    (
        "weren't paying attention",
        Judge(Kind::Judgment, HINT_JUDGMENT),
    ),
    ("didn't pay attention", Judge(Kind::Judgment, HINT_JUDGMENT)),
    (
        "did not pay attention",
        Judge(Kind::Judgment, HINT_JUDGMENT),
    ),
    ("poor judgment", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("poor judgement", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("bad judgment", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("bad judgement", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("rookie mistake", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("know better", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("known better", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("dropped the ball", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("blunder", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("screw-up", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("to blame", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("was blamed", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("blame for", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("blame lies", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("at fault", Judge(Kind::Judgment, HINT_JUDGMENT)),
    ("fault of", Judge(Kind::Judgment, HINT_JUDGMENT)),
    (
        "competent",
        Judge(Kind::Counterfactual, HINT_COUNTERFACTUAL),
    ),
    (
        "more careful",
        Judge(Kind::Counterfactual, HINT_COUNTERFACTUAL),
    ),
    ("if only", Judge(Kind::Counterfactual, HINT_COUNTERFACTUAL)),
    (
        "should have known",
        Judge(Kind::Counterfactual, HINT_COUNTERFACTUAL),
    ),
    // lapses
    ("forgot", Strong(HINT_FORGOT)),
    ("forgets", Strong(HINT_FORGOT)),
    ("forgotten", Strong(HINT_FORGOT)),
    ("neglected", Strong(HINT_FORGOT)),
    ("neglects", Strong(HINT_FORGOT)),
    ("overlooked", Strong(HINT_SIGNAL)),
    ("botched", Strong(HINT_SLIP)),
    ("messed up", Strong(HINT_SLIP)),
    ("screwed up", Strong(HINT_SLIP)),
    ("mistyped", Strong(HINT_SLIP)),
    ("didn't bother", Strong(HINT_STEP)),
    ("did not bother", Strong(HINT_STEP)),
    ("never bothered", Strong(HINT_STEP)),
    ("failed to", Weak(Weak::FailedTo)),
    ("did not", Weak(Weak::FailedTo)),
    ("didn't", Weak(Weak::FailedTo)),
    ("didn’t", Weak(Weak::FailedTo)),
    ("never", Weak(Weak::FailedTo)),
    ("missed", Weak(Weak::Missed)),
    ("misses", Weak(Weak::Missed)),
    ("ignored", Weak(Weak::Missed)),
    ("ignores", Weak(Weak::Missed)),
    ("ignoring", Weak(Weak::Missed)),
    ("skipped", Weak(Weak::Skipped)),
    ("broke", Weak(Weak::Broke)),
    ("misconfigured", Weak(Weak::Broke)),
    ("accidentally", Weak(Weak::Adverb)),
    ("mistakenly", Weak(Weak::Adverb)),
    ("inadvertently", Weak(Weak::Adverb)),
    ("wrongly", Weak(Weak::Adverb)),
    ("the wrong", Wrong),
    ("an incorrect", Wrong),
    ("without", Without),
    // counterfactuals
    ("should have", Counterfactual),
    ("should've", Counterfactual),
    ("ought to have", Counterfactual),
    ("needed to", Counterfactual),
    ("could have", Counterfactual),
    ("would have", Counterfactual),
    ("if", If),
    ("had", Had),
    // questions
    ("who", Question),
    ("why", Question),
    ("how could", Question),
    ("how did", Question),
    ("which", Question),
    // people's mistakes (the possessive and "by" anchors name the mistake: "'s" and "by"
    // alone are too common to look at every time)
    ("'s mistake", Possessive),
    ("'s error", Possessive),
    ("'s fault", Possessive),
    ("'s blunder", Possessive),
    ("'s negligence", Possessive),
    ("'s oversight", Possessive),
    ("'s carelessness", Possessive),
    ("'s slip", Possessive),
    ("'s lapse", Possessive),
    ("'s screw-up", Possessive),
    ("'s misstep", Possessive),
    ("'s bad", Possessive),
    ("'s poor", Possessive),
    ("'s wrong", Possessive),
    ("'s careless", Possessive),
    ("'s sloppy", Possessive),
    ("'s lack", Possessive),
    ("’s mistake", Possessive),
    ("’s error", Possessive),
    ("’s fault", Possessive),
    ("’s blunder", Possessive),
    ("’s negligence", Possessive),
    ("’s oversight", Possessive),
    ("’s carelessness", Possessive),
    ("’s slip", Possessive),
    ("’s lapse", Possessive),
    ("’s screw-up", Possessive),
    ("’s misstep", Possessive),
    ("’s bad", Possessive),
    ("’s poor", Possessive),
    ("’s wrong", Possessive),
    ("’s careless", Possessive),
    ("’s sloppy", Possessive),
    ("’s lack", Possessive),
    ("made a", Made),
    ("made an", Made),
    ("mistake by", By),
    ("mistakes by", By),
    ("error by", By),
    ("errors by", By),
    ("slip by", By),
    ("lapse by", By),
    ("blunder by", By),
    ("oversight by", By),
    ("caused by", By),
    ("responsible for", Responsible),
    ("responsible", Responsible),
];

/// Pronouns that are people.
#[rustfmt::skip]
const PRONOUNS: &[&str] = &[
    "he", "she", "they", "i", "you", "we", "someone", "somebody", "nobody", "anyone", "anybody",
    "everyone", "everybody", "who", "whoever", "no one",
];

/// Roles: nouns for people (singular; a plural adds "s").
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "engineer", "operator", "developer", "dev", "on-call", "oncall", "on-caller", "admin",
    "administrator", "sre", "dba", "reviewer", "author", "responder", "intern", "employee",
    "staff", "person", "people", "human", "manager", "contractor", "technician", "analyst",
    "tester", "architect", "maintainer", "approver", "teammate", "colleague", "coworker",
    "co-worker", "lead", "team", "folks", "member", "commander", "ic", "hire", "newcomer",
    "programmer", "specialist", "consultant", "owner", "committer", "requester",
];

/// Words between a subject and its verb that do not change the subject.
#[rustfmt::skip]
const SKIP: &[&str] = &[
    "simply", "just", "also", "clearly", "obviously", "again", "then", "probably", "apparently",
    "really", "definitely", "still", "had", "has", "have", "must", "could", "would", "should",
    "completely", "never", "entirely", "was", "were", "is", "are", "been", "being", "did", "does",
    "do", "not", "only", "all", "both", "repeatedly", "once", "later", "initially", "first",
    "unfortunately", "somehow", "certainly", "likely", "evidently", "accidentally", "mistakenly",
    "inadvertently", "keeps", "kept",
];

/// Capitalised words that are not names: function words and words that start sentences.
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    "the", "this", "that", "these", "those", "it", "its", "our", "their", "a", "an", "after",
    "before", "when", "while", "during", "then", "once", "at", "on", "in", "we", "they", "he",
    "she", "there", "here", "if", "but", "and", "or", "so", "because", "since", "as", "no",
    "nothing", "nobody", "everyone", "someone", "monitoring", "alerting", "production", "staging",
    "customers", "users", "traffic", "requests", "service", "system", "everything", "all", "some",
    "most", "many", "each", "every", "both", "neither", "either", "one", "two", "which", "what",
    "however", "also", "later", "finally", "meanwhile", "initially", "first", "next", "still",
    "eventually", "unfortunately", "additionally", "further", "furthermore", "moreover",
    "similarly", "instead", "although", "though", "why", "who", "how", "where", "root", "cause",
    "impact", "summary", "timeline", "resolution", "detection", "mitigation", "background", "note",
    "update", "today", "yesterday", "tonight", "several", "another", "other", "any", "such",
    "only", "even", "why", "yes", "ok", "okay", "support",
];

/// Verbs (base form, and past participles for counterfactuals) of a person's diligence.
#[rustfmt::skip]
const DILIGENCE: &[&str] = &[
    "check", "checked", "verify", "verified", "notice", "noticed", "review", "reviewed", "test",
    "tested", "follow", "followed", "read", "update", "updated", "communicate", "communicated",
    "escalate", "escalated", "respond", "responded", "confirm", "confirmed", "validate",
    "validated", "monitor", "monitored", "catch", "caught", "see", "seen", "realize", "realized",
    "realise", "realised", "consider", "considered", "ensure", "ensured", "tell", "told", "inform",
    "informed", "double-check", "double-checked", "run", "ran", "look", "looked", "ask", "asked",
    "wait", "waited", "roll", "rolled", "revert", "reverted", "page", "paged", "acknowledge",
    "acknowledged", "know", "known", "spot", "spotted", "investigate", "investigated", "report",
    "reported", "notify", "notified", "call", "called", "stop", "stopped", "prevent", "prevented",
    "avoid", "avoided", "think", "thought", "remember", "remembered", "plan", "planned",
    "coordinate", "coordinated", "approve", "approved", "transmit", "transmitted", "take", "taken",
    "act", "acted", "pay", "paid", "bother", "bothered", "listen", "listened", "warn", "warned",
    "document", "documented", "anticipate", "anticipated", "drain", "drained", "backup", "back",
    "set", "re-enable", "re-enabled", "renew", "renewed", "rotate", "rotated", "remove", "removed",
    "disable", "disabled", "enable", "enabled", "do", "done",
];

/// Verbs of perception: what reached a person, not what a person did.
#[rustfmt::skip]
const PERCEPTION: &[&str] = &[
    "see", "seen", "saw", "notice", "noticed", "know", "known", "knew", "realize", "realized",
    "realise", "realised", "spot", "spotted", "hear", "heard", "receive", "received", "get",
    "expect", "expected", "anticipate", "anticipated", "understand", "understood",
];

/// Objects of "missed" / "ignored" that are signals a person sees.
#[rustfmt::skip]
const SIGNALS: &[&str] = &[
    "alert", "alerts", "alarm", "alarms", "page", "pages", "warning", "warnings", "email",
    "emails", "message", "messages", "notification", "notifications", "ticket", "tickets",
    "comment", "comments", "error", "errors", "bug", "typo", "sign", "signs", "signal", "signals",
    "spike", "graph", "graphs", "dashboard", "dashboards", "report", "reports", "step", "steps",
    "check", "checklist", "review", "call", "calls", "escalation", "advice", "runbook",
    "instructions", "lag", "reports", "request", "requests", "note", "output",
];

/// Objects of "missed" that are targets and dates: a missed target is not a lapse.
#[rustfmt::skip]
const TARGETS: &[&str] = &[
    "target", "targets", "deadline", "deadlines", "window", "windows", "slo", "slos", "sla",
    "slas", "objective", "objectives", "goal", "goals", "date", "dates", "milestone", "milestones",
    "cut-off", "cutoff", "budget", "estimate", "quarter", "launch", "eta", "commitment",
    "timeline", "train", "sprint", "rto", "rpo", "threshold",
];

/// Steps a person can skip.
#[rustfmt::skip]
const STEPS: &[&str] = &[
    "step", "steps", "review", "reviews", "checklist", "canary", "test", "tests", "testing",
    "stage", "check", "checks", "approval", "validation", "process", "procedure", "runbook",
    "rollout", "drill", "sign-off", "pre-flight", "verification",
];

/// Objects of "broke" that are cut on purpose during a response.
#[rustfmt::skip]
const DELIBERATE: &[&str] = &[
    "dependency", "dependencies", "link", "links", "loop", "cycle", "deadlock", "lock", "tie",
    "ties", "chain", "circuit", "glass", "connection", "connections", "coupling", "into", "out",
    "down", "up", "ground", "news", "silence",
];

/// Nouns of failure: what a person can be "responsible for" in a judgment.
#[rustfmt::skip]
const FAILURES: &[&str] = &[
    "outage", "outages", "incident", "incidents", "failure", "failures", "breakage", "mistake",
    "mistakes", "error", "errors", "downtime", "loss", "this", "it", "bug", "bad", "broken",
    "failed", "faulty", "corruption", "disruption",
];

/// Mistake nouns after a possessive, "made a", "by".
#[rustfmt::skip]
const MISTAKES: &[&str] = &[
    "mistake", "error", "fault", "blunder", "negligence", "oversight", "carelessness", "slip",
    "lapse", "screw-up", "misstep", "bad", "poor", "wrong", "careless", "sloppy", "lack",
];

/// Words that negate a judgment phrase after them in the same clause.
#[rustfmt::skip]
const NEGATIONS: &[&str] = &[
    "not", "never", "no", "nobody", "rather", "instead", "without", "isn't", "wasn't", "don't",
    "doesn't", "didn't", "aren't", "weren't", "cannot", "can't", "no one",
];

/// Words with the byte offsets where they start.
type Words<'a> = Vec<(usize, &'a str)>;

/// Words of a line with their byte ranges: letters, digits and the joiners `' ’ - . _ @`
/// inside a word.
fn words(line: &str, from: usize, to: usize) -> Words<'_> {
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
fn sentence(line: &str, i: usize) -> (usize, usize, bool) {
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

/// Who the postmortem itself names: authors and action-item owners (whole, lowercase, and
/// each word of a name of several words).
pub(super) struct People(Vec<String>);

impl People {
    /// The people `pm` lists.
    /// Owners that are one of the postmortem's services or teams ("search", "payments") name
    /// software or a team, not a person.
    pub(super) fn of(pm: &Postmortem) -> People {
        let not_people: Vec<String> = pm
            .services
            .iter()
            .chain(&pm.teams)
            .map(|s| s.trim().to_lowercase())
            .collect();
        let mut people = People::from_names(
            pm.authors
                .iter()
                .chain(pm.action_items.iter().map(|a| &a.owner))
                .cloned(),
        );
        people.0.retain(|n| !not_people.contains(n));
        people
    }

    /// These names.
    pub(super) fn from_names(list: impl IntoIterator<Item = String>) -> People {
        let mut names = Vec::new();
        for n in list {
            let n = n.trim().trim_start_matches('@').to_lowercase();
            if n.is_empty() {
                continue;
            }
            if n.contains(char::is_whitespace) {
                names.extend(
                    n.split_whitespace()
                        .filter(|w| w.chars().count() > 1)
                        .map(str::to_string),
                );
            }
            names.push(n);
        }
        names.sort();
        names.dedup();
        People(names)
    }

    /// Nobody.
    #[cfg(test)]
    pub(super) fn none() -> People {
        People(Vec::new())
    }

    fn has(&self, lower: &str) -> bool {
        self.0.iter().any(|n| n == lower)
    }
}

/// How sure a word is to be a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    /// A capitalised word in subject position: a name, or a product.
    Capitalised,
    /// A pronoun, a role or a person the postmortem lists.
    Person,
}

fn role(lower: &str) -> bool {
    let l = lower.trim_end_matches("'s").trim_end_matches("’s");
    ROLES.contains(&l)
        || l.strip_suffix('s').is_some_and(|s| ROLES.contains(&s))
        || l.strip_suffix("-engineer").is_some()
}

/// Whether `w` is a person, and how surely.
fn who(w: &str, people: &People) -> Option<Who> {
    who_as(w, people, false)
}

/// [`who`]; `loose` also takes capitalised words that look like plurals ("Lars", "Jens"),
/// for verbs software rarely takes ("forgot", "botched").
fn who_as(w: &str, people: &People, loose: bool) -> Option<Who> {
    let w = w
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .trim_start_matches('@');
    let lower = w.to_lowercase();
    if PRONOUNS.contains(&lower.as_str()) || role(&lower) || people.has(&lower) {
        return Some(Who::Person);
    }
    let mut chars = w.chars();
    let first = chars.next()?;
    let rest: Vec<char> = chars.collect();
    // Plural nouns ("Requests", "Workers"), not names ending in a vowel and s ("James"), and
    // abstract nouns ("Monitoring", "Ingestion").
    let plural = lower.ends_with('s')
        && !lower[..lower.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u', 'y', 's']);
    let abstract_noun = ["ing", "tion", "ment", "ness", "ity"]
        .iter()
        .any(|s| lower.ends_with(s));
    let name_like = first.is_uppercase()
        && rest.len() >= 2
        && rest
            .iter()
            .all(|c| c.is_lowercase() || *c == '-' || *c == '\'')
        && !NOT_NAMES.contains(&lower.as_str())
        && (loose || !plural)
        && !abstract_noun;
    name_like.then_some(Who::Capitalised)
}

/// The subject of a verb at word index `v`: the nearest word before it, skipping adverbs and
/// auxiliaries, and a trailing "on shift" / "on the payments team" after a person.
fn subject<'a>(ws: &[(usize, &'a str)], v: usize, people: &People) -> Option<(Who, &'a str)> {
    subject_as(ws, v, people, false)
}

/// [`subject`], with [`who_as`]'s `loose`; the subject of a second verb ("the engineer
/// silenced the alert and forgot to re-arm it") is the sentence's first person.
fn subject_as<'a>(
    ws: &[(usize, &'a str)],
    v: usize,
    people: &People,
    loose: bool,
) -> Option<(Who, &'a str)> {
    let mut k = v;
    while k > 0 {
        k -= 1;
        let w = ws[k].1;
        if SKIP.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        if matches!(lower(w).as_str(), "and" | "but") {
            return ws[..k].iter().take(6).enumerate().find_map(|(j, (_, w))| {
                match who_as(w, people, loose)? {
                    Who::Person => Some((Who::Person, *w)),
                    Who::Capitalised if j == 0 => Some((Who::Capitalised, *w)),
                    Who::Capitalised => None,
                }
            });
        }
        if let Some(p) = who_as(w, people, loose) {
            // "Alice" as a subject is not "the Alice cluster" nor "a Kafka broker".
            if p == Who::Capitalised && k > 0 {
                let prev = ws[k - 1].1.to_lowercase();
                if matches!(prev.as_str(), "the" | "a" | "an" | "this" | "that" | "our") {
                    return None;
                }
            }
            return Some((p, w));
        }
        // A person before a short prepositional phrase: "the SRE on shift", "engineers on
        // the mobile team".
        for j in (k.saturating_sub(4)..k).rev() {
            let pw = ws[j].1.to_lowercase();
            if matches!(pw.as_str(), "on" | "in" | "from" | "of" | "at") && j > 0 {
                if let Some(Who::Person) = who(ws[j - 1].1, people) {
                    return Some((Who::Person, ws[j - 1].1));
                }
                break;
            }
        }
        return None;
    }
    None
}

fn lower(w: &str) -> String {
    w.to_lowercase()
}

/// Whether one of the `n` words after index `i` is in `set`.
fn within(ws: &[(usize, &str)], i: usize, n: usize, set: &[&str]) -> bool {
    ws.iter()
        .skip(i + 1)
        .take(n)
        .any(|(_, w)| set.contains(&lower(w).trim_end_matches("'s")))
}

/// Whether a negation comes before the phrase at words `i..=last` in its clause, or the phrase
/// is the subject of a general statement ("human error is a symptom").
fn negated(ws: &[(usize, &str)], i: usize, last: usize) -> bool {
    ws[..i].iter().any(|(_, w)| {
        let l = lower(w);
        NEGATIONS.contains(&l.as_str()) || l.ends_with("n't") || l.ends_with("n’t")
    }) || (i == 0
        && ws
            .get(last + 1)
            .is_some_and(|(_, w)| matches!(lower(w).as_str(), "is" | "isn't" | "are")))
}

/// The word index at byte `at`, if a word starts there.
fn index_at(ws: &[(usize, &str)], at: usize) -> Option<usize> {
    ws.iter().position(|(s, _)| *s == at)
}

/// Whether the person `who` is the subject of a clause that follows from a condition of the
/// system ("flag changes are not audited, so responders did not see the change"): the
/// sentence explains the system by what it did to people.
fn consequence(ws: &[(usize, &str)], who: &str) -> bool {
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
fn passive(ws: &[(usize, &str)], who: &str, v: usize) -> bool {
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
fn past(w: &str) -> bool {
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

/// Every anchor in one automaton: most lines contain none.
static AUTOMATON: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .ascii_case_insensitive(true)
        .build(ANCHORS.iter().map(|(p, _)| *p))
        .expect("the anchors are a valid automaton")
});

/// Whether `line[s..e]` is whole words (not inside `lazy_writes` nor `pre-flight`).
fn boundary(line: &str, s: usize, e: usize, at_start: bool) -> bool {
    let before = line[..s].chars().next_back();
    let after = line[e..].chars().next();
    let word_before = at_start && before.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let word_after = after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    !word_before && !word_after
}

/// The word after byte `e` (lowercase ASCII letters, digits, `-` and `'`), skipping spaces.
fn next_word(line: &str, e: usize) -> &str {
    let rest = line[e..].trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether `line[..s]` ends a clause (nothing but spaces, quotes or list markers since).
fn clause_start(line: &str, s: usize) -> bool {
    let head = line[..s].trim_end_matches([' ', '\t', '"', '*', '_', '(']);
    head.is_empty() || head.ends_with(['.', '?', '!', ';', ':', '-'])
}

/// A cheap look at the anchor's neighbours, before its sentence is split into words: common
/// anchors ("had", "by", "'s", "never", "if") are rarely blame.
fn worth_a_look(line: &str, s: usize, e: usize, anchor: Anchor) -> bool {
    let in_set = |w: &str, set: &[&str]| set.contains(&w.to_ascii_lowercase().as_str());
    match anchor {
        Had => clause_start(line, s),
        Question => {
            let t = &line[s..e];
            !(t.eq_ignore_ascii_case("who") || t.eq_ignore_ascii_case("which"))
                || clause_start(line, s)
        }
        Weak(Weak::FailedTo) => {
            let n = next_word(line, e);
            let n = if n.eq_ignore_ascii_case("to") || n.eq_ignore_ascii_case("even") {
                next_word(line, e + line[e..].find(n).map_or(0, |i| i + n.len()))
            } else {
                n
            };
            let l = n.to_ascii_lowercase();
            DILIGENCE.contains(&l.as_str())
                || DILIGENCE.contains(&l.trim_end_matches("ed"))
                || DILIGENCE.contains(&l.trim_end_matches('d'))
        }
        If => line[e..]
            .get(..line.len().min(e + 80) - e)
            .is_some_and(|r| r.contains(" had ") || r.contains("'d ")),
        Without => {
            next_word(line, e).ends_with("ing")
                || in_set(next_word(line, e), &["review", "approval"])
        }
        _ => true,
    }
}

/// Blame findings in one line of prose, at most one per sentence, for a postmortem listing
/// `people`.
pub(super) fn scan_line(line: &str, people: &People) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut last_sentence = usize::MAX;
    let mut cached: Option<(usize, usize, bool, Words)> = None;
    for m in AUTOMATON.find_overlapping_iter(line) {
        let (s, e) = (m.start(), m.end());
        let anchor = ANCHORS[m.pattern().as_usize()].1;
        // A possessive anchor starts inside its owner's word ("Marek's mistake").
        if !boundary(line, s, e, anchor != Possessive) {
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

/// An anchor found in a sentence, with the words around it.
#[derive(Clone, Copy)]
struct Spot<'a, 'p> {
    /// The words of the sentence, at their byte offsets in the line.
    ws: &'a [(usize, &'a str)],
    /// Where the anchor starts in the line.
    s: usize,
    /// The anchor's text.
    text: &'a str,
    /// Index of the anchor's first word.
    first: Option<usize>,
    /// Index of the word after the anchor.
    after: usize,
    /// The sentence ends with a question mark.
    question: bool,
    /// Who counts as a person.
    people: &'p People,
}

impl Spot<'_, '_> {
    /// The `n`th word after the anchor, lowercased (`""` past the sentence).
    fn next(&self, n: usize) -> String {
        self.ws
            .get(self.after + n)
            .map(|(_, w)| lower(w))
            .unwrap_or_default()
    }
}

/// A finding: the phrase, its kind and the rewrite hint.
type Found = Option<(String, Kind, &'static str)>;

/// Whether the anchor `anchor` at bytes `s..e` of `line` (words `ws` of its sentence) is blame.
fn judge(
    line: &str,
    ws: &[(usize, &str)],
    s: usize,
    e: usize,
    anchor: Anchor,
    question: bool,
    people: &People,
) -> Found {
    let spot = Spot {
        ws,
        s,
        text: &line[s..e],
        first: index_at(ws, s),
        after: ws
            .iter()
            .rposition(|(st, _)| *st < e)
            .map_or(ws.len(), |l| l + 1),
        question,
        people,
    };
    match anchor {
        Judge(kind, hint) => judging(&spot, kind, hint),
        Strong(hint) => strong_lapse(&spot, hint),
        Weak(weak) => weak_lapse(&spot, weak),
        Counterfactual => counterfactual(&spot),
        If | Had => if_had(&spot, anchor),
        Question => culprit_question(&spot),
        Possessive => possessive(&spot),
        Made => made_mistake(&spot),
        By => by_person(&spot),
        Responsible => responsible(&spot),
        Wrong => wrong_target(&spot),
        Without => without_check(&spot),
    }
}

/// A phrase that judges people ("careless", "human error"), unless negated.
fn judging(spot: &Spot<'_, '_>, kind: Kind, hint: &'static str) -> Found {
    let Spot {
        ws,
        text,
        first,
        after,
        ..
    } = *spot;
    let i = first?;
    if negated(ws, i, after.saturating_sub(1)) {
        return None;
    }
    let t = lower(text);
    let t = ["as ", "was ", "to "]
        .iter()
        .find_map(|p| t.strip_prefix(p).filter(|r| r.starts_with("user")))
        .map(str::to_string)
        .unwrap_or(t);
    Some((t, kind, hint))
}

/// A lapse verb only people do ("forgot to"), with its subject.
fn strong_lapse(spot: &Spot<'_, '_>, hint: &'static str) -> Found {
    let Spot {
        ws,
        text,
        first,
        people,
        ..
    } = *spot;
    let i = first?;
    let (_, who) = subject_as(ws, i, people, true)?;
    Some((format!("{who} {}", lower(text)), Kind::Lapse, hint))
}

/// A lapse verb software does too ("did not check"): a person subject, and for most a duty left undone.
fn weak_lapse(spot: &Spot<'_, '_>, weak: Weak) -> Found {
    let Spot {
        ws,
        text,
        first,
        after,
        people,
        ..
    } = *spot;
    let next = |n: usize| spot.next(n);
    let i = first?;
    let (sure, who) = subject(ws, i, people)?;
    if consequence(ws, who) || passive(ws, who, i) {
        return None;
    }
    let n0 = next(0);
    let (ok, hint) = match weak {
        Weak::FailedTo => {
            // "did not check", "never acknowledged", "failed to escalate"
            let verb = if matches!(n0.as_str(), "to" | "even") {
                next(1)
            } else {
                n0.clone()
            };
            let stem = verb.trim_end_matches("ed");
            let diligent = DILIGENCE.contains(&verb.as_str())
                || (text.eq_ignore_ascii_case("never") && DILIGENCE.contains(&stem));
            // What reached people ("responders did not see the change") is an account
            // of the system; only "failed to" makes seeing a duty.
            let perceived = PERCEPTION.contains(&verb.as_str()) || PERCEPTION.contains(&stem);
            let diligent = diligent && (!perceived || text.eq_ignore_ascii_case("failed to"));
            // Software "did not check" as often as people: a capitalised word (a
            // product as often as a name) counts only with "failed to".
            let sure_enough = sure == Who::Person || text.eq_ignore_ascii_case("failed to");
            (diligent && sure_enough, HINT_STEP)
        }
        Weak::Missed => {
            if within(ws, after.saturating_sub(1), 4, TARGETS) {
                return None;
            }
            let signal = within(ws, after.saturating_sub(1), 4, SIGNALS);
            (sure == Who::Person || signal, HINT_SIGNAL)
        }
        Weak::Skipped => (
            sure == Who::Person || within(ws, after.saturating_sub(1), 4, STEPS),
            HINT_STEP,
        ),
        // "broke the build", not "broke the dependency" (a deliberate cut).
        Weak::Broke => (
            !within(ws, after.saturating_sub(1), 3, DELIBERATE),
            HINT_SLIP,
        ),
        Weak::Adverb => (sure == Who::Person, HINT_SLIP),
    };
    if !ok {
        return None;
    }
    // "did not" and "never" about a pronoun "we"/"they" are often the organisation's
    // plain account ("we did not see errors"): only people by role or name.
    if matches!(weak, Weak::FailedTo)
        && !text.eq_ignore_ascii_case("failed to")
        && matches!(lower(who).as_str(), "we" | "they" | "i" | "you")
    {
        return None;
    }
    Some((format!("{who} {}", lower(text)), Kind::Lapse, hint))
}

/// "should have" and the like, about a person doing a duty.
fn counterfactual(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws,
        text,
        first,
        people,
        ..
    } = *spot;
    let next = |n: usize| spot.next(n);
    let i = first?;
    let (sure, who) = subject(ws, i, people)?;
    let n0 = next(0);
    let verb = if n0 == "have" || n0 == "to" {
        next(1)
    } else {
        n0
    };
    // "should have been", "should have had": the state expected, not a person's act.
    if matches!(verb.as_str(), "been" | "had" | "be" | "have") {
        return None;
    }
    let t = lower(text);
    let diligent = DILIGENCE.contains(&verb.as_str());
    if (t == "could have" || t == "would have" || t == "needed to") && !diligent {
        return None;
    }
    if (sure == Who::Capitalised || matches!(lower(who).as_str(), "we" | "they")) && !diligent {
        return None;
    }
    Some((
        format!("{who} {t}"),
        Kind::Counterfactual,
        HINT_COUNTERFACTUAL,
    ))
}

/// "if <person> had <done>", "had <person> <done>" at a clause's start.
fn if_had(spot: &Spot<'_, '_>, anchor: Anchor) -> Found {
    let Spot {
        ws, first, people, ..
    } = *spot;
    // "if <person> had <done>", "<clause>, had <person> <done>" at a clause's start
    let i = first?;
    if anchor == Had && i != 0 {
        return None;
    }
    let mut person = None;
    let mut verb_at = None;
    for (k, (_, w)) in ws.iter().enumerate().skip(i + 1).take(5) {
        let l = lower(w);
        if anchor == If && (l == "had" || l.ends_with("'d")) {
            if person.is_some() {
                verb_at = Some(k + 1);
            }
            break;
        }
        if person.is_none() {
            person = match who(w, people) {
                Some(Who::Person) => Some(*w),
                Some(Who::Capitalised) if k == i + 1 => Some(*w),
                _ => None,
            };
            if anchor == Had && person.is_some() {
                verb_at = Some(k + 1);
                break;
            }
        }
    }
    let who = person?;
    let mut v = verb_at?;
    if ws
        .get(v)
        .is_some_and(|(_, w)| matches!(lower(w).as_str(), "only" | "just" | "actually"))
    {
        v += 1;
    }
    let verb = ws.get(v).map(|(_, w)| lower(w)).unwrap_or_default();
    // "if we had had a canary", "had the engineer been paged": the system's state.
    if matches!(verb.as_str(), "been" | "had" | "not" | "no") {
        return None;
    }
    let diligent = DILIGENCE.contains(&verb.as_str());
    if !(diligent || verb.ends_with("ed")) {
        return None;
    }
    if matches!(lower(who).as_str(), "we" | "they") && !diligent {
        return None;
    }
    let phrase = if anchor == If {
        format!("if {who} had {verb}")
    } else {
        format!("had {who} {verb}")
    };
    Some((phrase, Kind::Counterfactual, HINT_COUNTERFACTUAL))
}

/// A question looking for a culprit ("who approved this?").
fn culprit_question(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws,
        text,
        first,
        after,
        question,
        people,
        ..
    } = *spot;
    let next = |n: usize| spot.next(n);
    let i = first?;
    let t = lower(text);
    let n0 = next(0);
    match t.as_str() {
        "who" => {
            // "Who approved this?", "who was responsible", not "the engineer who ..."
            if i != 0 {
                return None;
            }
            let blame = if n0 == "was" || n0 == "is" {
                matches!(next(1).as_str(), "responsible" | "to" | "at")
            } else {
                past(&n0)
            };
            (blame && (question || n0 == "was"))
                .then(|| (format!("who {n0}"), Kind::CulpritQuestion, HINT_QUESTION))
        }
        "which" => {
            if i != 0 || !question || !role(&n0) {
                return None;
            }
            Some((format!("which {n0}"), Kind::CulpritQuestion, HINT_QUESTION))
        }
        _ => {
            // why/how + auxiliary + a person within a few words
            let aux = if t == "why" {
                n0.clone()
            } else {
                t.split(' ').nth(1).unwrap_or("").to_string()
            };
            let negative = aux.ends_with("n't")
                || aux.ends_with("n’t")
                || next(1) == "not"
                || t == "how could";
            let is_aux = matches!(
                aux.as_str(),
                "did"
                    | "didn't"
                    | "didn’t"
                    | "was"
                    | "wasn't"
                    | "were"
                    | "weren't"
                    | "could"
                    | "couldn't"
                    | "hadn't"
                    | "had"
                    | "would"
                    | "wouldn't"
            );
            if !is_aux || !(question || negative) {
                return None;
            }
            let from = if t == "why" { after + 1 } else { after };
            let person = ws.iter().skip(from).take(4).find_map(|(_, w)| {
                who(w, people)
                    .filter(|p| *p == Who::Person || ws.get(from).is_some_and(|(_, f)| f == w))
                    .map(|_| *w)
            })?;
            Some((
                format!("{t} {aux} {person}"),
                Kind::CulpritQuestion,
                HINT_QUESTION,
            ))
        }
    }
}

/// "<person>'s mistake".
fn possessive(spot: &Spot<'_, '_>) -> Found {
    let Spot { ws, s, people, .. } = *spot;
    // "<person>'s mistake"
    let i = ws.iter().position(|(st, w)| *st < s && st + w.len() > s)?;
    let owner = ws[i].1;
    let sure = who(owner, people)?;
    let n0 = ws.get(i + 1).map(|(_, w)| lower(w)).unwrap_or_default();
    if !MISTAKES.contains(&n0.as_str()) {
        return None;
    }
    if sure == Who::Capitalised
        && i > 0
        && matches!(lower(ws[i - 1].1).as_str(), "the" | "a" | "an")
    {
        return None;
    }
    Some((format!("{owner} {n0}"), Kind::Judgment, HINT_JUDGMENT))
}

/// "<person> made a mistake".
fn made_mistake(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws, first, people, ..
    } = *spot;
    let next = |n: usize| spot.next(n);
    let i = first?;
    let (_, who) = subject(ws, i, people)?;
    let n0 = next(0);
    let n1 = next(1);
    if !(MISTAKES.contains(&n0.as_str()) || MISTAKES.contains(&n1.as_str())) {
        return None;
    }
    Some((
        format!("{who} made a mistake"),
        Kind::Judgment,
        HINT_JUDGMENT,
    ))
}

/// "a mistake by the on-call".
fn by_person(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws, first, people, ..
    } = *spot;
    // "a mistake by the on-call", "caused by an engineer"
    let i = first?;
    let before = lower(ws[i].1);
    let person = ws
        .iter()
        .skip(i + 2)
        .take(3)
        .find_map(|(_, w)| (who(w, people) == Some(Who::Person)).then_some(*w))?;
    Some((
        format!("{before} by {person}"),
        Kind::Judgment,
        HINT_JUDGMENT,
    ))
}

/// "<person> was responsible for" a failure.
fn responsible(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws,
        first,
        after,
        people,
        ..
    } = *spot;
    let i = first?;
    if i > 0 && lower(ws[i - 1].1) == "who" {
        return None;
    }
    if !ws
        .iter()
        .skip(after)
        .take(4)
        .any(|(_, w)| FAILURES.contains(&lower(w).as_str()))
    {
        return None;
    }
    let (_, who) = subject(ws, i, people)?;
    Some((format!("{who} responsible"), Kind::Judgment, HINT_JUDGMENT))
}

/// "<person> typed the wrong region".
fn wrong_target(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws,
        text,
        first,
        people,
        ..
    } = *spot;
    // "<person> typed the wrong region"
    let i = first?;
    if i == 0 {
        return None;
    }
    let verb = lower(ws[i - 1].1);
    if !(verb.ends_with("ed")
        || matches!(
            verb.as_str(),
            "ran" | "chose" | "put" | "sent" | "took" | "wrote" | "set" | "hit" | "made"
        ))
    {
        return None;
    }
    let (_, who) = subject(ws, i - 1, people)?;
    Some((
        format!("{who} {verb} {}", lower(text)),
        Kind::Lapse,
        HINT_SLIP,
    ))
}

/// "<person> pushed the change without waiting for a review".
fn without_check(spot: &Spot<'_, '_>) -> Found {
    let Spot {
        ws, first, people, ..
    } = *spot;
    let next = |n: usize| spot.next(n);
    // "<person> pushed the change without waiting for a review"
    let i = first?;
    let n0 = next(0);
    let check = matches!(
        n0.as_str(),
        "checking"
            | "testing"
            | "verifying"
            | "reviewing"
            | "waiting"
            | "asking"
            | "telling"
            | "reading"
            | "confirming"
            | "looking"
            | "double-checking"
            | "review"
            | "approval"
            | "validating"
            | "consulting"
            | "notifying"
    );
    if !check {
        return None;
    }
    // the clause's subject: the first word that is a person, before any verb
    let person = ws[..i]
        .iter()
        .take(4)
        .find_map(|(_, w)| (who(w, people) == Some(Who::Person)).then_some(*w))?;
    Some((format!("{person} ... without {n0}"), Kind::Lapse, HINT_STEP))
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
mod tests {
    use super::{scan_line, Kind, People};

    fn people(names: &[&str]) -> People {
        People::from_names(names.iter().map(|s| s.to_string()))
    }

    fn kinds_with(s: &str, p: &People) -> Vec<Kind> {
        scan_line(s, p).into_iter().map(|f| f.kind).collect()
    }

    fn kinds(s: &str) -> Vec<Kind> {
        kinds_with(s, &People::none())
    }

    fn phrases(s: &str) -> Vec<String> {
        scan_line(s, &People::none())
            .into_iter()
            .map(|f| f.phrase)
            .collect()
    }

    fn all_quiet(sentences: &[&str]) {
        for s in sentences {
            assert!(kinds(s).is_empty(), "{s}: {:?}", phrases(s));
        }
    }

    fn all(kind: Kind, sentences: &[&str]) {
        for s in sentences {
            assert_eq!(kinds(s), [kind], "{s}: {:?}", phrases(s));
        }
    }

    #[test]
    fn the_documented_examples_keep_their_phrase_and_rewrite() {
        let f = scan_line(
            "Alice should have checked the configuration.",
            &People::none(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].at, f[0].phrase.as_str()), (6, "Alice should have"));
        assert!(f[0].hint.contains("not validated before deployment"));
        assert_eq!(phrases("This was human error."), ["human error"]);
        assert_eq!(
            phrases("The operator forgot to drain the node."),
            ["operator forgot"]
        );
    }

    #[test]
    fn a_person_as_the_subject_of_a_lapse() {
        all(
            Kind::Lapse,
            &[
                "Agnieszka forgot to turn the alerting back on.",
                "The on-call missed the page about the full disk.",
                "The DBA did not check which host the script would hit.",
                "An SRE accidentally restarted the whole fleet.",
                "Our engineer ignored the deprecation warning.",
                "Kwabena failed to verify the restored snapshot.",
                "The search team neglected to rotate the API key.",
                "The operator on duty overlooked the growing queue.",
                "Haruto typed the wrong cluster name into the console.",
                "The developer merged the patch without waiting for CI.",
                "Somebody skipped the smoke test on Friday.",
            ],
        );
    }

    #[test]
    fn the_subject_of_a_second_verb_is_the_sentences_person() {
        all(
            Kind::Lapse,
            &[
                "The DBA restored the table and forgot to re-enable replication.",
                "At 04:00 the operator drained the node but failed to check the other zone.",
            ],
        );
        // Software as the subject of both verbs.
        all_quiet(&["The agent restarted and forgot its lease."]);
    }

    #[test]
    fn no_one_is_a_pronoun() {
        all(
            Kind::CulpritQuestion,
            &["Why did no one look at the queue depth?"],
        );
        all_quiet(&["No one is at fault: the alert went to an unused channel."]);
    }

    #[test]
    fn names_that_look_like_plurals_count_with_a_persons_verb() {
        // "Lars" looks like a plural noun ("Workers"): a person only with a verb software
        // rarely takes.
        all(Kind::Lapse, &["Lars botched the schema change."]);
        all_quiet(&["Lars rolled the schema change back."]);
        all_quiet(&["Workers missed three heartbeats."]);
    }

    #[test]
    fn names_the_postmortem_lists_are_people() {
        // A lowercase handle is a person only because the postmortem lists it.
        let s = "mkowalski skipped the canary stage.";
        assert!(kinds(s).is_empty());
        assert_eq!(kinds_with(s, &people(&["mkowalski"])), [Kind::Lapse]);
        // A first name of a listed full name; "did not" + a diligence verb.
        let s = "Thandiwe did not confirm the target region.";
        assert_eq!(kinds_with(s, &people(&["Thandiwe Mokoena"])), [Kind::Lapse]);
    }

    #[test]
    fn judgments_of_people() {
        all(
            Kind::Judgment,
            &[
                "The rollback was handled carelessly.",
                "It was Ingrid's mistake.",
                "The release was the fault of the mobile team.",
                "The database team was responsible for the outage.",
                "Blame for the data loss lies with the on-call.",
                "Pedro made a mistake in the quota file.",
                "A slip by the operator dropped the routes.",
            ],
        );
    }

    #[test]
    fn counterfactuals_about_people() {
        all(
            Kind::Counterfactual,
            &[
                "Mateus should have asked the storage team first.",
                "The on-call should've paged the network team.",
                "If the engineer had checked the diff, nothing would have broken.",
                "Had Aiyana escalated at 02:00, the impact would have been smaller.",
                "The reviewer could have caught the missing index.",
                "If only the rollout had been slower.",
            ],
        );
    }

    #[test]
    fn questions_looking_for_a_culprit() {
        all(
            Kind::CulpritQuestion,
            &[
                "Who deployed this on a Friday?",
                "Why didn't anybody look at the error budget?",
                "Why did the operator restart the primary?",
                "Which developer disabled the check?",
                "Who was responsible for the expired certificate?",
            ],
        );
    }

    #[test]
    fn human_error_and_its_synonyms() {
        all(
            Kind::HumanError,
            &[
                "Cause: operator error.",
                "The misrouted traffic was down to a fat-finger in the load balancer UI.",
                "We recorded this as human error.",
                "It was closed as user error.",
            ],
        );
    }

    #[test]
    fn a_person_doing_something_neutral_is_quiet() {
        all_quiet(&[
            "Agnieszka turned the alerting back on at 10:02.",
            "The on-call acknowledged the page and started the failover.",
            "The DBA checked which host the script would hit.",
            "Kwabena verified the restored snapshot.",
            "The search team rotated the API key the same day.",
        ]);
    }

    #[test]
    fn software_as_the_subject_of_the_same_verbs_is_quiet() {
        all_quiet(&[
            "The health check failed to connect to the database.",
            "Kafka failed to elect a leader within 30 s.",
            "Requests missed the cache and went to the origin.",
            "The retry logic ignored the Retry-After header.",
            "Postgres failed to start after the upgrade.",
            "The team believed Firefox ignored certificate expiration dates.",
            "The scheduler skipped the cordoned nodes.",
            "The sidecar accidentally kept the old certificate.",
            "Etcd missed two heartbeats during the compaction.",
        ]);
    }

    #[test]
    fn should_have_about_systems_and_expected_values_is_quiet() {
        all_quiet(&[
            "The deploy should have been blocked by the canary.",
            "The breaker should have opened after three failures.",
            "The job should have finished by 04:00.",
            "The engineer should have been paged by the disk alert.",
            "We should have had an alert on replication lag.",
        ]);
    }

    #[test]
    fn missed_targets_and_deadlines_are_quiet() {
        all_quiet(&[
            "We missed the availability target in May.",
            "The data team missed its deadline for the backfill.",
            "The fix missed the Thursday release train.",
        ]);
    }

    #[test]
    fn mentioning_a_mistake_to_fix_the_system_is_quiet() {
        all_quiet(&[
            "We do not treat human error as a cause; the console now asks for confirmation.",
            "No one is to blame: the runbook pointed at the wrong host.",
            "The tool accepted a mistyped flag, so a dry-run mode was added.",
            "The engineer who restarted the primary had no way to see it was the primary.",
            "We follow a blameless postmortem process.",
            "The service responsible for routing crashed at start-up.",
        ]);
    }

    #[test]
    fn one_finding_per_sentence_at_its_anchor() {
        let f = scan_line(
            "Leon was careless and forgot to drain the node. Then Leon forgot again.",
            &People::none(),
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].kind, Kind::Judgment);
        assert_eq!(f[1].kind, Kind::Lapse);
        assert!(f[1].at > 40);
    }
}
