//! Template completeness: the required sections are present and filled ("empty sections
//! usually mean skipped thinking"), and the timeline has timestamps and a detection event.

use super::LintContext;
use crate::error::Diagnostic;
use crate::model::Postmortem;

/// Words that mark a timeline event as the moment the incident was noticed.
const DETECTION_WORDS: &[&str] = &[
    "detect",
    "alert",
    "page",
    "paged",
    "pager",
    "noticed",
    "notice",
    "report",
    "fired",
    "fires",
    "monitor",
    "on-call",
    "oncall",
    "declared",
    "escalat",
    "ticket",
    "synthetic",
];

pub(super) fn check(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    sections(pm, ctx, out);
    timeline(pm, out);
}

/// `template/missing-section`, `template/empty-section`: the required sections are there and
/// filled, and no other section is left empty.
fn sections(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    let body_line = pm.body.sections.first().map(|s| s.line).unwrap_or(1);
    for key in &ctx.config.sections.required {
        let Some(def) = ctx.config.sections.known.iter().find(|d| d.key == *key) else {
            continue;
        };
        match pm.body.section(key) {
            None => out.push(
                Diagnostic::warning(
                    f,
                    (body_line, 1),
                    "template/missing-section",
                    format!("the `{}` section is missing", def.title),
                )
                .suggest(format!("add a `## {}` section", def.title)),
            ),
            Some(s) if s.text.is_empty() => out.push(
                Diagnostic::warning(
                    f,
                    (s.line, 1),
                    "template/empty-section",
                    format!("the `{}` section is empty", s.heading),
                )
                .suggest("empty sections usually mean skipped thinking: fill it in, or write why it does not apply"),
            ),
            Some(_) => {}
        }
    }
    // Sections outside the required list that are present but empty are worth a word too.
    for s in &pm.body.sections {
        let required = s
            .key
            .as_ref()
            .is_some_and(|k| ctx.config.sections.required.contains(k));
        if !required && s.text.is_empty() {
            out.push(Diagnostic::warning(
                f,
                (s.line, 1),
                "template/empty-section",
                format!("the `{}` section is empty", s.heading),
            ));
        }
    }
}

/// `template/timeline-timestamps`, `template/timeline-detection`: the timeline's events have
/// times, and one says how the incident was detected.
fn timeline(pm: &Postmortem, out: &mut Vec<Diagnostic>) {
    let f = &pm.source;
    let Some(timeline) = pm.body.section("timeline") else {
        return;
    };
    let events = &pm.body.timeline;
    if events.is_empty() {
        out.push(
            Diagnostic::warning(
                f,
                (timeline.line, 1),
                "template/timeline-timestamps",
                "the timeline has no events",
            )
            .suggest("list events as bullets: `- 14:02 UTC: Canary starts`"),
        );
        return;
    }
    for e in events.iter().filter(|e| e.label.is_empty()) {
        out.push(
            Diagnostic::warning(
                f,
                (e.line, 1),
                "template/timeline-timestamps",
                "this timeline event has no time",
            )
            .suggest("start the bullet with its time: `- 14:02 UTC: ...`"),
        );
    }
    let detected = events.iter().any(|e| {
        let t = e.text.to_lowercase();
        DETECTION_WORDS.iter().any(|w| t.contains(w))
    });
    if !detected {
        out.push(
            Diagnostic::warning(
                f,
                (timeline.line, 1),
                "template/timeline-detection",
                "the timeline has no detection event (an alert, a page, a report)",
            )
            .suggest("add the moment and the way the incident was detected"),
        );
    }
}
