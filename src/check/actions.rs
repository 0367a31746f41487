//! Action items that can be followed up: owned, dated, with a status, specific, and not left
//! open past their due date or for months.

use super::LintContext;
use crate::error::Diagnostic;
use crate::model::{ActionItem, ItemStatus, Postmortem};

/// Phrases that make an action item vague when nothing specific follows them.
const VAGUE: &[&str] = &[
    "improve",
    "look into",
    "be more careful",
    "investigate",
    "consider",
    "try to",
    "revisit",
    "think about",
    "make sure",
    "be aware",
    "more robust",
    "better",
    "review",
    "explore",
    "follow up",
    "discuss",
];

/// Whether a title is vague: a vague phrase and no specific object (a number, an identifier,
/// a proper name) in a short title.
pub(super) fn is_vague(title: &str) -> Option<&'static str> {
    let lower = title.to_lowercase();
    let phrase = VAGUE.iter().find(|p| {
        lower
            .match_indices(*p)
            .any(|(i, _)| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
    })?;
    let words: Vec<&str> = title.split_whitespace().collect();
    let specific = words.iter().skip(1).filter(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            || w.contains(['_', '`', '/', '.', ':', '='])
            || (w.len() > 2 && w.contains('-'))
            || w.chars().next().is_some_and(char::is_uppercase)
    });
    (words.len() <= 4 || specific.count() == 0 && words.len() <= 8).then_some(*phrase)
}

pub(super) fn check(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for ai in &pm.action_items {
        let name = if ai.id.is_empty() {
            ai.title.as_str()
        } else {
            ai.id.as_str()
        };
        missing_fields(pm, ai, name, out);
        vague(pm, ai, name, out);
        late(pm, ai, name, ctx, out);
    }
}

/// `action-item/owner`, `/due`, `/status`: what an item needs to be followed up.
fn missing_fields(pm: &Postmortem, ai: &ActionItem, name: &str, out: &mut Vec<Diagnostic>) {
    let (f, at) = (&pm.source, (ai.line, 1));
    if ai.owner.is_empty() {
        out.push(
            Diagnostic::warning(
                f,
                at,
                "action-item/owner",
                format!("action item `{name}` has no owner"),
            )
            .suggest("add `owner = \"team-or-person\"`"),
        );
    }
    if ai.due.is_none() {
        out.push(
            Diagnostic::warning(
                f,
                at,
                "action-item/due",
                format!("action item `{name}` has no due date"),
            )
            .suggest("add `due = 2025-03-01`"),
        );
    }
    if ai.status.is_none() && !ai.status_unknown {
        out.push(
            Diagnostic::warning(
                f,
                at,
                "action-item/status",
                format!("action item `{name}` has no status"),
            )
            .suggest(format!("add `status = \"open\"` ({})", ItemStatus::list())),
        );
    }
}

/// `action-item/vague`: a title that does not say what will change.
fn vague(pm: &Postmortem, ai: &ActionItem, name: &str, out: &mut Vec<Diagnostic>) {
    let (f, at) = (&pm.source, (ai.line, 1));
    if let Some(phrase) = is_vague(&ai.title) {
        out.push(
            Diagnostic::warning(
                f,
                at,
                "action-item/vague",
                format!("action item `{name}` is vague: \"{}\"", ai.title),
            )
            .suggest(format!(
                "say what will change, where, and how we will know it is done instead of \"{phrase}\" (e.g. \"Alert when checkout p99 > 800 ms for 5 min\")"
            )),
        );
    }
}

/// `action-item/overdue`, `/stale`: open past its due date, or for months.
fn late(
    pm: &Postmortem,
    ai: &ActionItem,
    name: &str,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let (f, at) = (&pm.source, (ai.line, 1));
    if ai.is_overdue(ctx.today) {
        let due = ai.due.map(|d| d.to_string()).unwrap_or_default();
        out.push(
            Diagnostic::warning(
                f,
                at,
                "action-item/overdue",
                format!(
                    "action item `{name}` is {} and was due {due}",
                    ai.status_or_open()
                ),
            )
            .suggest("finish it, move the due date with a reason, or close it as wontfix"),
        );
    }
    if ai.is_open() {
        if let Some(start) = pm.date {
            let days = (ctx.today - start.date()).num_days();
            if days > ctx.config.check.stale_days {
                out.push(
                    Diagnostic::warning(
                        f,
                        at,
                        "action-item/stale",
                        format!("action item `{name}` has been open for {days} days"),
                    )
                    .suggest("decide: is it wrong, or de-prioritised? Close it as wontfix with a reason, or commit to a date"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_vague;

    #[test]
    fn vague_titles() {
        assert!(is_vague("Improve monitoring").is_some());
        assert!(is_vague("Look into the database").is_some());
        assert!(is_vague("Be more careful with deploys").is_some());
        assert!(is_vague("Improve the p99 alert on checkout to fire at 800 ms").is_none());
        assert!(is_vague("Add a 2 s timeout to identity-provider calls").is_none());
        assert!(is_vague("Add batch-size replay to the load-test harness").is_none());
    }
}
