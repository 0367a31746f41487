//! Who counts as a person: pronouns, roles, the postmortem's own names, and a capitalised
//! first name in subject position.

use super::*;

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

    pub(super) fn has(&self, lower: &str) -> bool {
        self.0.iter().any(|n| n == lower)
    }
}

/// How sure a word is to be a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Who {
    /// A capitalised word in subject position: a name, or a product.
    Capitalised,
    /// A pronoun, a role or a person the postmortem lists.
    Person,
}

pub(super) fn role(lower: &str) -> bool {
    let l = lower.trim_end_matches("'s").trim_end_matches("’s");
    ROLES.contains(&l)
        || l.strip_suffix('s').is_some_and(|s| ROLES.contains(&s))
        || l.strip_suffix("-engineer").is_some()
}

/// Whether `w` is a person, and how surely.
pub(super) fn who(w: &str, people: &People) -> Option<Who> {
    who_as(w, people, false)
}

/// [`who`]; `loose` also takes capitalised words that look like plurals ("Lars", "Jens"),
/// for verbs software rarely takes ("forgot", "botched").
pub(super) fn who_as(w: &str, people: &People, loose: bool) -> Option<Who> {
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
pub(super) fn subject<'a>(
    ws: &[(usize, &'a str)],
    v: usize,
    people: &People,
) -> Option<(Who, &'a str)> {
    subject_as(ws, v, people, false)
}

/// [`subject`], with [`who_as`]'s `loose`; the subject of a second verb ("the engineer
/// silenced the alert and forgot to re-arm it") is the sentence's first person.
pub(super) fn subject_as<'a>(
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
