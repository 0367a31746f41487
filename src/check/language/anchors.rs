//! The anchors: the words and phrases a finding starts from, the word lists the rules consult,
//! and the cheap filter that skips most lines before any rule runs.

use super::*;

/// What an anchor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
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
pub(super) enum Weak {
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
pub(super) const ANCHORS: &[(&str, Anchor)] = &[
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
pub(super) const PRONOUNS: &[&str] = &[
    "he", "she", "they", "i", "you", "we", "someone", "somebody", "nobody", "anyone", "anybody",
    "everyone", "everybody", "who", "whoever", "no one",
];

/// Roles: nouns for people (singular; a plural adds "s").
#[rustfmt::skip]
pub(super) const ROLES: &[&str] = &[
    "engineer", "operator", "developer", "dev", "on-call", "oncall", "on-caller", "admin",
    "administrator", "sre", "dba", "reviewer", "author", "responder", "intern", "employee",
    "staff", "person", "people", "human", "manager", "contractor", "technician", "analyst",
    "tester", "architect", "maintainer", "approver", "teammate", "colleague", "coworker",
    "co-worker", "lead", "team", "folks", "member", "commander", "ic", "hire", "newcomer",
    "programmer", "specialist", "consultant", "owner", "committer", "requester",
];

/// Words between a subject and its verb that do not change the subject.
#[rustfmt::skip]
pub(super) const SKIP: &[&str] = &[
    "simply", "just", "also", "clearly", "obviously", "again", "then", "probably", "apparently",
    "really", "definitely", "still", "had", "has", "have", "must", "could", "would", "should",
    "completely", "never", "entirely", "was", "were", "is", "are", "been", "being", "did", "does",
    "do", "not", "only", "all", "both", "repeatedly", "once", "later", "initially", "first",
    "unfortunately", "somehow", "certainly", "likely", "evidently", "accidentally", "mistakenly",
    "inadvertently", "keeps", "kept",
];

/// Capitalised words that are not names: function words and words that start sentences.
#[rustfmt::skip]
pub(super) const NOT_NAMES: &[&str] = &[
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
pub(super) const DILIGENCE: &[&str] = &[
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
pub(super) const PERCEPTION: &[&str] = &[
    "see", "seen", "saw", "notice", "noticed", "know", "known", "knew", "realize", "realized",
    "realise", "realised", "spot", "spotted", "hear", "heard", "receive", "received", "get",
    "expect", "expected", "anticipate", "anticipated", "understand", "understood",
];

/// Objects of "missed" / "ignored" that are signals a person sees.
#[rustfmt::skip]
pub(super) const SIGNALS: &[&str] = &[
    "alert", "alerts", "alarm", "alarms", "page", "pages", "warning", "warnings", "email",
    "emails", "message", "messages", "notification", "notifications", "ticket", "tickets",
    "comment", "comments", "error", "errors", "bug", "typo", "sign", "signs", "signal", "signals",
    "spike", "graph", "graphs", "dashboard", "dashboards", "report", "reports", "step", "steps",
    "check", "checklist", "review", "call", "calls", "escalation", "advice", "runbook",
    "instructions", "lag", "reports", "request", "requests", "note", "output",
];

/// Objects of "missed" that are targets and dates: a missed target is not a lapse.
#[rustfmt::skip]
pub(super) const TARGETS: &[&str] = &[
    "target", "targets", "deadline", "deadlines", "window", "windows", "slo", "slos", "sla",
    "slas", "objective", "objectives", "goal", "goals", "date", "dates", "milestone", "milestones",
    "cut-off", "cutoff", "budget", "estimate", "quarter", "launch", "eta", "commitment",
    "timeline", "train", "sprint", "rto", "rpo", "threshold",
];

/// Steps a person can skip.
#[rustfmt::skip]
pub(super) const STEPS: &[&str] = &[
    "step", "steps", "review", "reviews", "checklist", "canary", "test", "tests", "testing",
    "stage", "check", "checks", "approval", "validation", "process", "procedure", "runbook",
    "rollout", "drill", "sign-off", "pre-flight", "verification",
];

/// Objects of "broke" that are cut on purpose during a response.
#[rustfmt::skip]
pub(super) const DELIBERATE: &[&str] = &[
    "dependency", "dependencies", "link", "links", "loop", "cycle", "deadlock", "lock", "tie",
    "ties", "chain", "circuit", "glass", "connection", "connections", "coupling", "into", "out",
    "down", "up", "ground", "news", "silence",
];

/// Nouns of failure: what a person can be "responsible for" in a judgment.
#[rustfmt::skip]
pub(super) const FAILURES: &[&str] = &[
    "outage", "outages", "incident", "incidents", "failure", "failures", "breakage", "mistake",
    "mistakes", "error", "errors", "downtime", "loss", "this", "it", "bug", "bad", "broken",
    "failed", "faulty", "corruption", "disruption",
];

/// Mistake nouns after a possessive, "made a", "by".
#[rustfmt::skip]
pub(super) const MISTAKES: &[&str] = &[
    "mistake", "error", "fault", "blunder", "negligence", "oversight", "carelessness", "slip",
    "lapse", "screw-up", "misstep", "bad", "poor", "wrong", "careless", "sloppy", "lack",
];

/// Words that negate a judgment phrase after them in the same clause.
#[rustfmt::skip]
pub(super) const NEGATIONS: &[&str] = &[
    "not", "never", "no", "nobody", "rather", "instead", "without", "isn't", "wasn't", "don't",
    "doesn't", "didn't", "aren't", "weren't", "cannot", "can't", "no one",
];

/// Every anchor in one automaton: most lines contain none.
pub(super) static AUTOMATON: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(ANCHORS.iter().map(|(p, _)| *p))
            .expect("the anchors are a valid automaton")
    });

/// Whether `line[s..e]` is whole words (not inside `lazy_writes` nor `pre-flight`).
pub(super) fn boundary(line: &str, s: usize, e: usize, at_start: bool) -> bool {
    let before = line[..s].chars().next_back();
    let after = line[e..].chars().next();
    let word_before = at_start && before.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let word_after = after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    !word_before && !word_after
}

/// The word after byte `e` (lowercase ASCII letters, digits, `-` and `'`), skipping spaces.
pub(super) fn next_word(line: &str, e: usize) -> &str {
    let rest = line[e..].trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether `line[..s]` ends a clause (nothing but spaces, quotes or list markers since).
pub(super) fn clause_start(line: &str, s: usize) -> bool {
    let head = line[..s].trim_end_matches([' ', '\t', '"', '*', '_', '(']);
    head.is_empty() || head.ends_with(['.', '?', '!', ';', ':', '-'])
}

/// A cheap look at the anchor's neighbours, before its sentence is split into words: common
/// anchors ("had", "by", "'s", "never", "if") are rarely blame.
pub(super) fn worth_a_look(line: &str, s: usize, e: usize, anchor: Anchor) -> bool {
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
