//! The postmortem linter. Rules look at the parsed archive (all documents, drafts and
//! restricted ones included) and return diagnostics; this module applies the archive's rule
//! levels and the documents' own suppressions (`lint_allow`).
//!
//! `build` runs the same rules: their errors fail the build, their warnings are printed.

mod actions;
mod language;
mod schema;
mod template;
mod vocabulary;

use chrono::NaiveDate;

use crate::config::{Config, RuleSetting};
use crate::error::{sort_diagnostics, Diagnostic, Level};
use crate::model::Postmortem;

/// A rule: its id, default level and what it checks (listed in the README).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `group/name`.
    pub id: &'static str,
    /// Level unless the archive's config says otherwise.
    pub default: RuleSetting,
    /// One line for the docs.
    pub description: &'static str,
}

const fn rule(id: &'static str, default: RuleSetting, description: &'static str) -> Rule {
    Rule {
        id,
        default,
        description,
    }
}

use RuleSetting::{Error as E, Warning as W};

/// Every lint rule. Schema rules found while parsing (syntax, types, dates, ids, unknown
/// severities or statuses, duplicate ids, dangling `recurrence_of`) are always errors and are
/// not listed here.
pub const RULES: &[Rule] = &[
    rule("schema/required", E, "a field listed in `[check] required_fields` is missing"),
    rule("schema/timing-order", E, "start <= detected <= mitigated <= resolved"),
    rule("schema/published-before-incident", E, "`timing.published` is before the incident"),
    rule("schema/recurrence-order", E, "`recurrence_of` names an incident that started later"),
    rule("schema/unknown-field", W, "a front-matter field pmarchive does not know (a typo?)"),
    rule("template/missing-section", W, "a required section is absent"),
    rule("template/empty-section", W, "a section is present but empty"),
    rule("template/timeline-timestamps", W, "the timeline is empty or has bullets without a time"),
    rule("template/timeline-detection", W, "the timeline has no detection event"),
    rule("action-item/owner", W, "an action item has no owner"),
    rule("action-item/due", W, "an action item has no due date"),
    rule("action-item/status", W, "an action item has no status"),
    rule("action-item/vague", W, "an action item's title is vague (\"improve monitoring\")"),
    rule("action-item/overdue", W, "an open action item is past its due date"),
    rule("action-item/stale", W, "an action item has been open for more than `stale_days` (decide: wrong or de-prioritised?)"),
    rule("vocabulary/unknown-factor", W, "a contributing factor outside the vocabulary (an error when `[factors] governed = true`)"),
    rule("language/blame", W, "blame-oriented phrasing in the prose"),
];

/// What rules need besides the documents.
pub struct LintContext<'a> {
    /// The archive's configuration.
    pub config: &'a Config,
    /// "Now".
    pub today: NaiveDate,
    /// Every parsed document.
    pub all: &'a [Postmortem],
    /// Documents by id.
    pub by_id: std::collections::HashMap<&'a str, &'a Postmortem>,
}

/// The effective level of a rule for this archive.
pub fn level(config: &Config, id: &str) -> RuleSetting {
    let group = id.split('/').next().unwrap_or(id);
    if let Some(l) = config
        .check
        .rules
        .get(id)
        .or_else(|| config.check.rules.get(group))
    {
        return *l;
    }
    if id == "vocabulary/unknown-factor" {
        return if config.factors.governed {
            RuleSetting::Error
        } else if config.factors.themes.is_empty() {
            RuleSetting::Off
        } else {
            RuleSetting::Warning
        };
    }
    RULES
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.default)
        .unwrap_or(RuleSetting::Warning)
}

/// Runs every rule over the documents; returns the findings at their effective level, sorted.
pub fn lint(all: &[Postmortem], config: &Config, today: NaiveDate) -> Vec<Diagnostic> {
    let by_id = all.iter().map(|p| (p.id.as_str(), p)).collect();
    let ctx = LintContext {
        config,
        today,
        all,
        by_id,
    };
    use rayon::prelude::*;
    let raw: Vec<Diagnostic> = all
        .par_iter()
        .flat_map_iter(|pm| {
            let mut found = Vec::new();
            schema::check(pm, &ctx, &mut found);
            template::check(pm, &ctx, &mut found);
            actions::check(pm, &ctx, &mut found);
            vocabulary::check(pm, &ctx, &mut found);
            language::check(pm, &ctx, &mut found);
            found.retain(|d| !suppressed(pm, d.rule));
            found
        })
        .collect();
    let mut out: Vec<Diagnostic> = raw
        .into_iter()
        .filter_map(|mut d| {
            d.severity = match level(config, d.rule) {
                RuleSetting::Off => return None,
                RuleSetting::Warning => Level::Warning,
                RuleSetting::Error => Level::Error,
            };
            Some(d)
        })
        .collect();
    sort_diagnostics(&mut out);
    out
}

fn suppressed(pm: &Postmortem, rule: &str) -> bool {
    let group = rule.split('/').next().unwrap_or(rule);
    pm.lint_allow.iter().any(|a| a == rule || a == group)
}

/// Where a front-matter field of `pm` is, or the top of the file.
pub(crate) fn at(pm: &Postmortem, key: &str) -> (usize, usize) {
    pm.locations.get(key).copied().unwrap_or((1, 1))
}
