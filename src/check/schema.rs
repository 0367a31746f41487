//! Schema rules that need more than one field: required fields, the order of the phase
//! times, publication after the incident, recurrences pointing back in time, unknown fields
//! (top-level, and in the nested tables: found by the loader, `content::nested`).

use super::{at, LintContext};
use crate::config::ALIASABLE_FIELDS;
use crate::error::Diagnostic;
use crate::model::Postmortem;

/// Our top-level front-matter fields besides the aliasable ones ([`ALIASABLE_FIELDS`]).
const OTHER_FIELDS: &[&str] = &[
    "timing",
    "impact",
    "action_items",
    "lint_allow",
    "similar_pinned",
    "similar_hidden",
    "participants",
    "reviewers",
];

/// Every top-level field of our format.
fn known_fields() -> impl Iterator<Item = &'static str> {
    ALIASABLE_FIELDS
        .iter()
        .filter(|f| !f.contains('.'))
        .chain(OTHER_FIELDS)
        .copied()
}

pub(super) fn check(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    required(pm, ctx, out);
    timing_order(pm, out);
    published_after_incident(pm, out);
    recurrence_order(pm, ctx, out);
    unknown_fields(pm, ctx, out);
}

/// `schema/required`: the fields the archive requires (drafts exempt).
fn required(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    // Drafts are work in progress: their fields fill in as the review goes.
    let required: &[String] = if pm.status == crate::model::Status::Draft {
        &[]
    } else {
        &ctx.config.check.required_fields
    };
    for field in required {
        // A field that is there but wrong has its own error at its value (`schema/severity`,
        // `schema/type`...): not also "required".
        let given = pm.locations.contains_key(field.as_str());
        let present = given
            || match field.as_str() {
                "severity" => pm.severity.is_some(),
                "summary" => !pm.summary.is_empty(),
                "services" => !pm.services.is_empty(),
                "teams" => !pm.teams.is_empty(),
                "authors" => !pm.authors.is_empty(),
                "contributing_factors" => !pm.factors.is_empty(),
                "tags" => !pm.tags.is_empty(),
                other => pm.front_keys.iter().any(|k| k == other),
            };
        if !present {
            out.push(
                Diagnostic::error(
                    f,
                    (1, 1),
                    "schema/required",
                    format!("`{field}` is required"),
                )
                .suggest(format!("add `{field}` to the front matter")),
            );
        }
    }
}

/// `schema/timing-order`: start <= detected <= mitigated <= resolved.
fn timing_order(pm: &Postmortem, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    let t = &pm.timing;
    let phases = [
        ("date", pm.date),
        ("timing.detected", t.detected),
        ("timing.mitigated", t.mitigated),
        ("timing.resolved", t.resolved),
    ];
    let mut last: Option<(&str, chrono::DateTime<chrono::Utc>)> = None;
    for (name, when) in phases {
        let Some(w) = when else { continue };
        if let Some((prev, prev_at)) = last {
            if w.at < prev_at {
                out.push(
                    Diagnostic::error(
                        f,
                        at(pm, name),
                        "schema/timing-order",
                        format!(
                            "`{name}` ({}) is before `{prev}` ({})",
                            w.at.to_rfc3339(),
                            prev_at.to_rfc3339()
                        ),
                    )
                    .suggest("phase times must follow start <= detected <= mitigated <= resolved"),
                );
            }
        }
        if last.is_none_or(|(_, p)| w.at >= p) {
            last = Some((name, w.at));
        }
    }
}

/// `schema/published-before-incident`.
fn published_after_incident(pm: &Postmortem, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    if let (Some(published), Some(start)) = (pm.timing.published, pm.date) {
        if published.date() < start.date() {
            out.push(Diagnostic::error(
                f,
                at(pm, "timing.published"),
                "schema/published-before-incident",
                format!(
                    "published on {} but the incident started on {}",
                    published.date(),
                    start.date()
                ),
            ));
        }
    }
}

/// `schema/recurrence-order`: a recurrence names an earlier incident.
fn recurrence_order(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    for target in &pm.recurrence_of {
        let Some(other) = ctx.by_id.get(target.as_str()) else {
            continue; // reported by the loader
        };
        if let (Some(a), Some(b)) = (other.date, pm.date) {
            // Incidents of one cascade may start in the same minute: those are ordered by id.
            if a.at > b.at || (a.at == b.at && other.id > pm.id) {
                out.push(
                    Diagnostic::error(
                        f,
                        at(pm, "recurrence_of"),
                        "schema/recurrence-order",
                        format!(
                            "`recurrence_of` names `{target}`, which started after this incident"
                        ),
                    )
                    .suggest(format!(
                        "list this id in `recurrence_of` of `{target}` instead"
                    )),
                );
            }
        }
    }
}

/// `schema/unknown-field`: front-matter fields and nested keys pmarchive does not know.
fn unknown_fields(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    let aliased: Vec<String> = ctx.config.fields.values().flat_map(source_keys).collect();
    for key in &pm.front_keys {
        let known = known_fields().any(|f| f == key)
            || aliased
                .iter()
                .any(|a| a == key || a.split('.').next() == Some(key));
        if !known {
            let near = crate::content::nearest(key, known_fields());
            let mut d = Diagnostic::warning(
                f,
                at(pm, key),
                "schema/unknown-field",
                format!("unknown front-matter field `{key}`"),
            );
            if let Some(n) = near {
                d = d.suggest(format!("did you mean `{n}`?"));
            }
            out.push(d);
        }
    }
    for u in &pm.unknown_keys {
        let mut d = Diagnostic::warning(
            f,
            u.at,
            "schema/unknown-field",
            format!("unknown key `{}` in {}", u.key, u.table),
        );
        if let Some(n) = u.nearest {
            d = d.suggest(format!("did you mean `{n}`?"));
        }
        out.push(d);
    }
}

fn source_keys(s: &crate::config::FieldSource) -> Vec<String> {
    use crate::config::FieldSource::*;
    match s {
        Field(k) => vec![k.clone()],
        First { first } => first.clone(),
        Merge { merge } => merge.clone(),
        Template { first, template } => {
            let mut v = first.clone();
            let mut rest = template.as_str();
            while let (Some(a), Some(b)) = (rest.find('{'), rest.find('}')) {
                if b > a {
                    v.push(rest[a + 1..b].to_string());
                }
                rest = &rest[b + 1..];
            }
            v
        }
    }
}
