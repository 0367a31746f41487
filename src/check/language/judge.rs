//! The rules: whether an anchor found in a sentence is blame, and of which kind.

use super::anchors::{Anchor::*, Weak};
use super::*;

/// An anchor found in a sentence, with the words around it.
#[derive(Clone, Copy)]
pub(super) struct Spot<'a, 'p> {
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
    pub(super) fn next(&self, n: usize) -> String {
        self.ws
            .get(self.after + n)
            .map(|(_, w)| lower(w))
            .unwrap_or_default()
    }
}

/// A finding: the phrase, its kind and the rewrite hint.
pub(super) type Found = Option<(String, Kind, &'static str)>;

/// Whether the anchor `anchor` at bytes `s..e` of `line` (words `ws` of its sentence) is blame.
pub(super) fn judge(
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
pub(super) fn judging(spot: &Spot<'_, '_>, kind: Kind, hint: &'static str) -> Found {
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
pub(super) fn strong_lapse(spot: &Spot<'_, '_>, hint: &'static str) -> Found {
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
pub(super) fn weak_lapse(spot: &Spot<'_, '_>, weak: Weak) -> Found {
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
pub(super) fn counterfactual(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn if_had(spot: &Spot<'_, '_>, anchor: Anchor) -> Found {
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
pub(super) fn culprit_question(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn possessive(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn made_mistake(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn by_person(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn responsible(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn wrong_target(spot: &Spot<'_, '_>) -> Found {
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
pub(super) fn without_check(spot: &Spot<'_, '_>) -> Found {
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
