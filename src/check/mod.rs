//! The postmortem linter. Rules look at the parsed archive (all documents, drafts and
//! restricted ones included) and return diagnostics; this module applies the archive's rule
//! levels and the documents' own suppressions (`lint_allow`).
//!
//! `build` runs the same rules: their errors fail the build, their warnings are printed.

mod actions;
mod language;
pub(crate) mod links;
mod schema;
mod template;
mod vocabulary;

use chrono::NaiveDate;

use crate::config::{Config, RuleSetting};
use crate::error::{sort_diagnostics, Diagnostic, Level};
use crate::model::Postmortem;

/// A rule: its id, default level and what it checks (listed in the README).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
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
pub(crate) const RULES: &[Rule] = &[
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
    rule("links/missing-file", W, "a linked or embedded file that does not exist (or is hidden, or not a file)"),
    rule("links/outside", W, "a linked or embedded file outside the content folder (never read nor copied)"),
    rule("links/broken", W, "a link to a postmortem that does not exist, is not published where this one is, or lacks the heading"),
];

/// What rules need besides the documents.
pub(crate) struct LintContext<'a> {
    /// The archive's configuration.
    pub config: &'a Config,
    /// "Now".
    pub today: NaiveDate,
    /// Documents by id.
    pub by_id: std::collections::HashMap<&'a str, &'a Postmortem>,
    /// Documents by source file (relative to the site root).
    pub by_source: std::collections::HashMap<&'a std::path::Path, &'a Postmortem>,
    /// Whether a document's body was read (`check FILE...` reads the others' front matter
    /// only: their headings are unknown, so links to them are not checked against those).
    pub read_in_full: &'a (dyn Fn(&Postmortem) -> bool + Sync),
}

/// Every document's body was read.
fn every_body(_: &Postmortem) -> bool {
    true
}

/// The effective level of a rule for this archive.
pub(crate) fn level(config: &Config, id: &str) -> RuleSetting {
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

/// The findings of the language rule (the costliest, and one that reads a document alone) for
/// documents that did not change, kept between `serve`'s rebuilds. A document is the same when
/// it shares its parsed body with the one the findings were made for: the parse cache hands out
/// the same body for the same text, and an entry holds that body, so no other can take its
/// address.
#[derive(Default)]
pub(crate) struct LintCache {
    language: std::sync::Mutex<LanguageFindings>,
}

type LanguageFindings = std::collections::HashMap<
    std::path::PathBuf,
    (std::sync::Arc<crate::model::Body>, Vec<Diagnostic>),
>;

impl LintCache {
    /// Forgets everything.
    pub(crate) fn clear(&self) {
        if let Ok(mut l) = self.language.lock() {
            l.clear();
        }
    }

    fn language(&self, pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        let kept = self.language.lock().ok().and_then(|l| {
            l.get(&pm.source)
                .filter(|(body, _)| std::sync::Arc::ptr_eq(body, &pm.body))
                .map(|(_, found)| found.clone())
        });
        let found = kept.unwrap_or_else(|| {
            let mut found = Vec::new();
            language::check(pm, ctx, &mut found);
            if let Ok(mut l) = self.language.lock() {
                l.insert(pm.source.clone(), (pm.body.clone(), found.clone()));
            }
            found
        });
        out.extend(found);
    }
}

/// Runs every rule over the documents; returns the findings at their effective level, sorted.
pub(crate) fn lint(all: &[Postmortem], config: &Config, today: NaiveDate) -> Vec<Diagnostic> {
    lint_cached(all, config, today, None)
}

/// [`lint`], reusing `cache`'s findings for documents that did not change.
pub(crate) fn lint_cached(
    all: &[Postmortem],
    config: &Config,
    today: NaiveDate,
    cache: Option<&LintCache>,
) -> Vec<Diagnostic> {
    lint_where(all, config, today, cache, &|_| true, &every_body)
}

/// [`lint`] of the postmortems `selected` accepts only (`check FILE...`); rules that look at
/// other postmortems (`recurrence_of` order, ...) still see the whole archive, whose bodies
/// were read where `read_in_full` says so.
pub(crate) fn lint_selected(
    all: &[Postmortem],
    config: &Config,
    today: NaiveDate,
    selected: &(dyn Fn(&Postmortem) -> bool + Sync),
    read_in_full: &(dyn Fn(&Postmortem) -> bool + Sync),
) -> Vec<Diagnostic> {
    lint_where(all, config, today, None, selected, read_in_full)
}

fn lint_where<'a>(
    all: &'a [Postmortem],
    config: &'a Config,
    today: NaiveDate,
    cache: Option<&LintCache>,
    selected: &'a (dyn Fn(&Postmortem) -> bool + Sync),
    read_in_full: &'a (dyn Fn(&Postmortem) -> bool + Sync),
) -> Vec<Diagnostic> {
    let by_id = all.iter().map(|p| (p.id.as_str(), p)).collect();
    let by_source = all.iter().map(|p| (p.source.as_path(), p)).collect();
    let ctx = LintContext {
        config,
        today,
        by_id,
        by_source,
        read_in_full,
    };
    use rayon::prelude::*;
    // The language rule is the costliest: it does not run where its findings would be dropped.
    let language_on = level(config, "language/blame") != RuleSetting::Off;
    let raw: Vec<Diagnostic> = all
        .par_iter()
        .filter(|pm| selected(pm))
        .flat_map_iter(|pm| {
            let mut found = Vec::new();
            schema::check(pm, &ctx, &mut found);
            template::check(pm, &ctx, &mut found);
            actions::check(pm, &ctx, &mut found);
            vocabulary::check(pm, &ctx, &mut found);
            links::check(pm, &ctx, &mut found);
            match cache {
                _ if !language_on || suppressed(pm, "language/blame") => {}
                Some(cache) => cache.language(pm, &ctx, &mut found),
                None => language::check(pm, &ctx, &mut found),
            }
            found.retain(|d| !suppressed(pm, d.rule));
            found
        })
        .collect();
    if let Some(cache) = cache {
        // Documents gone since: forget them.
        let live: std::collections::HashSet<&std::path::Path> =
            all.iter().map(|p| p.source.as_path()).collect();
        if let Ok(mut l) = cache.language.lock() {
            l.retain(|path, _| live.contains(path.as_path()));
        }
    }
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

/// The rules whose findings make a postmortem inconsistent with the template (the document
/// quality metric): required sections present and filled, a timeline with times and a
/// detection event, every action item with an owner, a due date and a status. Overdue and
/// stale items are about follow-up, not the document, and vague titles are a matter of
/// judgement: they do not count.
pub(crate) const TEMPLATE_RULES: &[&str] = &[
    "template/missing-section",
    "template/empty-section",
    "template/timeline-timestamps",
    "template/timeline-detection",
    "action-item/owner",
    "action-item/due",
    "action-item/status",
];

/// The [`TEMPLATE_RULES`] `check` reports for `pm` (each once, in that order), by the same
/// rules, at the archive's levels and with the document's `lint_allow`: what `check` finds is
/// what the insights count.
pub(crate) fn template_findings(
    pm: &Postmortem,
    config: &Config,
    today: NaiveDate,
) -> Vec<&'static str> {
    let ctx = LintContext {
        config,
        today,
        by_id: std::collections::HashMap::new(),
        by_source: std::collections::HashMap::new(),
        read_in_full: &every_body,
    };
    let mut found = Vec::new();
    template::check(pm, &ctx, &mut found);
    actions::check(pm, &ctx, &mut found);
    TEMPLATE_RULES
        .iter()
        .copied()
        .filter(|rule| {
            found.iter().any(|d| d.rule == *rule)
                && !suppressed(pm, rule)
                && level(config, rule) != RuleSetting::Off
        })
        .collect()
}

fn suppressed(pm: &Postmortem, rule: &str) -> bool {
    let group = rule.split('/').next().unwrap_or(rule);
    pm.lint_allow.iter().any(|a| a == rule || a == group)
}

/// Where a front-matter field of `pm` is, or the top of the file.
pub(crate) fn at(pm: &Postmortem, key: &str) -> (usize, usize) {
    pm.locations.get(key).copied().unwrap_or((1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::document::{parse_document, ParseContext};
    use crate::content::Highlighter;

    fn parse(name: &str, root_cause: &str) -> Postmortem {
        let config = Config::default();
        let hl = Highlighter::new();
        let ctx = ParseContext {
            config: &config,
            highlighter: &hl,
        };
        let src = format!(
            "+++\ntitle = \"{name}\"\ndate = 2025-03-01\nseverity = \"SEV2\"\nsummary = \"It broke.\"\n+++\n## Root cause and contributing factors\n\n{root_cause}\n"
        );
        let path = std::path::PathBuf::from(format!("content/{name}.md"));
        let (pm, _) = parse_document(&path, name, &src, &ctx);
        pm.expect("parses")
    }

    fn blame(diags: &[Diagnostic]) -> Vec<String> {
        diags
            .iter()
            .filter(|d| d.rule == "language/blame")
            .map(|d| format!("{}:{}", d.file.display(), d.message))
            .collect()
    }

    fn parse_src(name: &str, src: &str, config: &Config) -> Postmortem {
        let hl = Highlighter::new();
        let ctx = ParseContext {
            config,
            highlighter: &hl,
        };
        let path = std::path::PathBuf::from(format!("content/{name}.md"));
        parse_document(&path, name, src, &ctx).0.expect("parses")
    }

    #[test]
    fn template_findings_are_what_check_reports() {
        let today = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let full = "## Summary\n\nS.\n\n## Timeline\n\n- 10:00 UTC: Deploy.\n- 10:05 UTC: An alert fires.\n\n## Impact\n\nI.\n\n## Root cause and contributing factors\n\nR.\n\n## What went well\n\nW.\n\n## What went poorly\n\nP.\n\n## Lessons learned\n\nL.\n\n## Action items\n\nA.\n";
        let front = "+++\ntitle = \"T\"\ndate = 2020-03-01\nseverity = \"SEV2\"\nsummary = \"s\"\nservices = [\"x\"]\n";
        let item = "[[action_items]]\nid = \"AI-1\"\ntitle = \"Improve monitoring\"\nowner = \"ops\"\ndue = 2020-04-01\nstatus = \"open\"\n";
        let cases = [
            // Complete: an overdue, stale, vague item is not a template problem.
            ("complete", format!("{front}{item}+++\n{full}"), &[][..], ""),
            (
                "gaps",
                format!(
                    "{front}[[action_items]]\nid = \"AI-1\"\ntitle = \"Add a 2 s timeout\"\n+++\n{}",
                    full.replace("- 10:05 UTC: An alert fires.", "- The queue grew.")
                        .replace("## Impact\n\nI.", "## Impact\n")
                        .replace("## Lessons learned\n\nL.\n\n", "")
                ),
                &[
                    "template/missing-section",
                    "template/empty-section",
                    "template/timeline-timestamps",
                    "template/timeline-detection",
                    "action-item/owner",
                    "action-item/due",
                    "action-item/status",
                ][..],
                "",
            ),
            // Suppressed in the document, or switched off for the archive: not found.
            (
                "allowed",
                format!("{front}lint_allow = [\"template\"]\n+++\n## Summary\n\nS.\n"),
                &[][..],
                "",
            ),
            (
                "off",
                format!("{front}[[action_items]]\nid = \"AI-1\"\ntitle = \"Add a 2 s timeout\"\ndue = 2020-04-01\nstatus = \"open\"\n+++\n## Summary\n\nS.\n"),
                &["action-item/owner"][..],
                "[check.rules]\ntemplate = \"off\"\n",
            ),
        ];
        for (name, src, want, toml) in cases {
            let config = Config::parse(std::path::Path::new("p.toml"), toml).unwrap();
            let pm = parse_src(name, &src, &config);
            let got = template_findings(&pm, &config, today);
            assert_eq!(got, want, "{name}");
            // The same rules, as `check` reports them.
            let mut linted: Vec<&str> = lint(std::slice::from_ref(&pm), &config, today)
                .iter()
                .map(|d| d.rule)
                .filter(|r| TEMPLATE_RULES.contains(r))
                .collect();
            linted.sort_by_key(|r| TEMPLATE_RULES.iter().position(|t| t == r));
            linted.dedup();
            assert_eq!(got, linted, "{name}");
        }
    }

    #[test]
    fn kept_language_findings_follow_the_documents() {
        // `serve` keeps the language rule's findings for documents whose parse it reuses (the
        // same body); an edited document gets a new parse and is checked again.
        let config = Config::default();
        let today = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let cache = LintCache::default();
        let a = parse("a", "This was human error.");
        let b = parse("b", "A disk filled up.");
        let docs = vec![a.clone(), b];
        let first = lint_cached(&docs, &config, today, Some(&cache));
        assert_eq!(first, lint(&docs, &config, today));
        assert_eq!(blame(&first).len(), 1, "{first:?}");
        // b is edited (a new parse, a new body), a is reused as the parse cache hands it out.
        let edited = vec![a, parse("b", "The operator forgot to drain the node.")];
        let second = lint_cached(&edited, &config, today, Some(&cache));
        assert_eq!(second, lint(&edited, &config, today));
        assert_eq!(blame(&second).len(), 2, "{second:?}");
        // b removed: its findings are forgotten with it.
        let alone = vec![edited[0].clone()];
        assert_eq!(
            lint_cached(&alone, &config, today, Some(&cache)),
            lint(&alone, &config, today)
        );
        assert_eq!(cache.language.lock().unwrap().len(), 1);
    }
}
