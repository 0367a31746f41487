//! What only the whole archive can tell: unique ids, `recurrence_of` and the similar-link
//! lists naming existing postmortems, and names (services, teams, tags) that would share a
//! page.

use std::collections::BTreeMap;
use std::collections::HashMap;

use crate::error::Diagnostic;
use crate::model::Postmortem;
use crate::text::slugify;

/// Unique ids, and `recurrence_of`, `similar_pinned` and `similar_hidden` naming existing
/// postmortems other than the document itself.
pub(super) fn check_links(pms: &[Postmortem]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut by_id: BTreeMap<&str, &Postmortem> = BTreeMap::new();
    for pm in pms {
        if let Some(first) = by_id.insert(pm.id.as_str(), pm) {
            diags.push(
                Diagnostic::error(
                    &pm.source,
                    (1, 1),
                    "schema/duplicate-id",
                    format!(
                        "the id `{}` is also used by {}",
                        pm.id,
                        first.source.display()
                    ),
                )
                .suggest("rename one of the files or set a different `id`"),
            );
            by_id.insert(first.id.as_str(), first);
        }
    }
    for pm in pms {
        let lists = [
            ("recurrence_of", "schema/recurrence-of", &pm.recurrence_of),
            ("similar_pinned", "schema/similar-link", &pm.similar_pinned),
            ("similar_hidden", "schema/similar-link", &pm.similar_hidden),
        ];
        for (field, rule, targets) in lists {
            let at = pm.locations.get(field).copied().unwrap_or((1, 1));
            for target in targets {
                match by_id.get(target.as_str()) {
                    None => {
                        let near = nearest(target, by_id.keys().copied());
                        let mut d = Diagnostic::error(
                            &pm.source,
                            at,
                            rule,
                            format!("`{field}` names `{target}`, which is no postmortem's id"),
                        );
                        if let Some(n) = near {
                            d = d.suggest(format!("did you mean `{n}`?"));
                        }
                        diags.push(d);
                    }
                    Some(t) if t.id == pm.id => diags.push(Diagnostic::error(
                        &pm.source,
                        at,
                        rule,
                        format!("`{field}` cannot name the postmortem itself"),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    diags
}

/// The candidate closest to `word` by edit distance, if reasonably close.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// Two different names (services, teams or tags) whose slug is the same would share one page
/// (`teams/zurich-ops/` for `Zürich-Ops` and `Zurich-Ops`): each use of the later one (in path
/// order) is an error at its field. Names that differ only in case, spaces or punctuation
/// (`DB Ops`, `db-ops`) are one name written two ways and share their page as before.
pub(super) fn check_names(pms: &[Postmortem]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let fields: [(&str, &str, NamesOf); 3] = [
        ("services", "service", |p| &p.services),
        ("teams", "team", |p| &p.teams),
        ("tags", "tag", |p| &p.tags),
    ];
    for (field, what, names) in fields {
        // slug -> (folded name, name as first written, where)
        let mut first: HashMap<String, (String, &str, &Postmortem)> = HashMap::new();
        for pm in pms {
            for name in names(pm) {
                let slug = slugify(name);
                let folded = fold(name);
                match first.get(&slug) {
                    None => {
                        first.insert(slug, (folded, name, pm));
                    }
                    Some((f, _, _)) if *f == folded => {}
                    Some((_, other, at)) => {
                        let loc = pm.locations.get(field).copied().unwrap_or((1, 1));
                        diags.push(
                            Diagnostic::error(
                                &pm.source,
                                loc,
                                "schema/name-collision",
                                format!(
                                    "the {what} `{name}` would share its page (`{field}/{slug}/`) with the {what} `{other}` of {}: two names cannot share a page",
                                    at.source.display()
                                ),
                            )
                            .suggest(format!(
                                "write the {what} as `{other}` if it is the same one, or give it a name that reads differently in Latin letters"
                            )),
                        );
                    }
                }
            }
        }
    }
    diags
}

/// The names of one kind a postmortem gives.
type NamesOf = fn(&Postmortem) -> &[String];

/// A name without case, spaces and punctuation: what makes two spellings the same name.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
