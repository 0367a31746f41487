//! `init`: the files of a new archive. `pmarchive.toml` is generated from the real defaults
//! ([`Config::default`] serialised), every setting commented out under a line saying what it
//! does, so it cannot drift from what pmarchive does without a file; the example postmortem's
//! dates are relative to the day it is written and its action items are done, so it never
//! turns overdue or stale. Pure: the CLI writes the files.

use chrono::{Duration, NaiveDate};

use crate::config::Config;

/// What each setting (by its dotted path: `check.stale_days`) or table does. Every key the
/// defaults serialise must be here (a unit test holds it to that).
const DOCS: &[(&str, &str)] = &[
    ("title", "The archive's title, shown in the header, on the home page and in feeds."),
    ("description", "One sentence shown on the home page and in feeds."),
    ("content_dir", "The folder holding the postmortems, relative to this file."),
    ("base_url", "The absolute URL the site is served from (as --base-url): canonical links, absolute\n# feed URLs, sitemap.xml and the not-found page's links need it."),
    ("severities", "Severity levels, most severe first."),
    ("latest", "How many postmortems the home page lists."),
    ("undated", "A postmortem without a date: \"error\", or \"list\" (built and listed under Undated)."),
    ("trusted_html", "true passes raw HTML in Markdown through unsanitised (only for trusted authors)."),
    ("fields", "Where our front-matter fields come from, for archives of another shape, e.g.\n# id = \"uuid\", date = { first = [\"start_time\", \"published_at\"] },\n# services = { merge = [\"company\", \"product\"] }."),
    ("factors", "The contributing-factor vocabulary."),
    ("factors.governed", "true: a factor outside the vocabulary is an error for `check`."),
    ("factors.themes", "One table per theme: [factors.themes.config-change] with title, description and\n# aliases = [\"bad-config\"]."),
    ("sections", "The standard sections of a postmortem."),
    ("sections.required", "Keys of the sections every postmortem must have."),
    ("sections.known", "A known section: its key, its heading and other headings meaning the same."),
    ("sections.known.key", "Stable key."),
    ("sections.known.title", "The canonical heading."),
    ("sections.known.aliases", "Other headings that mean the same section."),
    ("check", "The linter (`pmarchive check`, also run by `build`)."),
    ("check.required_fields", "Front-matter fields every postmortem must have (drafts are exempt)."),
    ("check.stale_days", "Open action items older than this many days are flagged as stale."),
    ("check.rules", "Level per rule id or group: \"off\", \"warning\" or \"error\", e.g.\n# \"language/blame\" = \"error\", template = \"off\"."),
    ("similar", "Similar-incident lists and recurring classes."),
    ("similar.limit", "Links listed per postmortem (explicit ones always appear)."),
    ("similar.min_score", "Computed links scoring below this (0..1) are not listed."),
    ("similar.cluster_score", "Computed links at least this strong, listed by both incidents, join a recurring class."),
    ("similar.model_weight", "The share (0..1) of the embedding cosine in the text score when `model` is set."),
    ("search", "Search."),
    ("search.synonyms", "Groups of words that mean the same here, e.g. [[\"pay\", \"payments platform\"]]."),
    ("search.builtin_synonyms", "Whether the built-in groups (k8s, oom, db, British/American spellings) apply."),
    ("insights", "The practice's targets on the insights page."),
    ("insights.template_target", "The share (0..1) of postmortems consistent with the template the practice aims for."),
    ("insights.min_roles", "Distinct roles a postmortem's participants should cover."),
    ("roles.aliases", "Other names of a role, by role, e.g. \"Incident commander\" = [\"IC\", \"incident lead\"]."),
    ("links", "Links to the tracker."),
    ("links.ticket", "The address of an action item's `ticket`, with {ticket} where the id goes, e.g.\n# \"https://tracker.example.com/browse/{ticket}\"; empty: tickets are shown as text."),
    ("site", "Hosting."),
    ("site.robots", "\"disallow\": robots.txt disallows all and pages say noindex; \"allow\": crawlers welcome."),
    ("import.fields", "`pmarchive import`: where our fields come from in an export's metadata table or `Key: value` lines, as\n# [fields] (names compared ignoring case and punctuation), e.g. date = { first = [\"Began\"] }."),
    ("site.robots_txt", "When set, the whole text of robots.txt instead of the generated one."),
];

/// Settings without a default value, described in words (they are not written as settings).
const NO_DEFAULT: &str = "\
# today: a date used as \"now\" (overdue and stale action items) when --today is not given,
# so an archive kept as an example does not age, e.g. today = 2025-12-01. Unset: the clock.
# [similar] model: a sentence-embedding model folder (all-MiniLM-L6-v2; README, \"Semantic
# similarity\"), relative to this file, e.g. model = \"models/all-minilm-l6-v2\". Unset: none.

";

fn doc(path: &str) -> Option<&'static str> {
    DOCS.iter().find(|(p, _)| *p == path).map(|(_, d)| *d)
}

/// The dotted path of a TOML header line (`[check.rules]`, `[[sections.known]]`).
fn header_path(line: &str) -> Option<&str> {
    let t = line.trim();
    t.strip_prefix("[[")
        .and_then(|r| r.strip_suffix("]]"))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
}

/// `pmarchive.toml` for a new archive: every default setting commented out (`#key = value`,
/// uncommented by deleting the `#`), each under a `# ` line saying what it does; an error
/// names a setting without a description (a test keeps that from happening).
fn config_text(defaults: &Config) -> Result<String, String> {
    let toml = toml::to_string(defaults).map_err(|e| e.to_string())?;
    let mut out = String::from(
        "# pmarchive's configuration. Every setting is shown with its default, commented out:\n\
         # delete the leading `#` of a line to change it (and of its table's [header]). pmarchive's README says more.\n\n",
    );
    out.push_str(NO_DEFAULT);
    let mut table = String::new();
    // Each described once (the tables of an array share their description).
    let mut described = std::collections::BTreeSet::new();
    for line in toml.lines() {
        if line.trim().is_empty() {
            out.push('\n');
            continue;
        }
        let path = if let Some(h) = header_path(line) {
            table = h.to_string();
            h.to_string()
        } else {
            let key = line.split(" = ").next().unwrap_or(line).trim();
            if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            }
        };
        let d = doc(&path).ok_or_else(|| format!("no description for `{path}`"))?;
        if described.insert(path) {
            out.push_str(&format!("# {d}\n"));
        }
        out.push_str(&format!("#{line}\n"));
    }
    Ok(out)
}

/// `pmarchive.toml` for a new archive (see [`config_text`]).
pub(crate) fn config_file() -> String {
    config_text(&Config::default()).unwrap_or_else(|e| format!("# {e}\n"))
}

/// `.gitignore`: the built site, and the cache of sentence embeddings (`[similar] model`).
pub(crate) const GITIGNORE: &str = "# The built site (pmarchive build) and what an interrupted build leaves.\n/public/\n/.public.tmp-*\n# Cached sentence embeddings ([similar] model).\n/.pmarchive-cache/\n";

/// The body of the example postmortem (its front matter has the dates).
const EXAMPLE_BODY: &str = r#"
## Summary

A configuration push lowered the checkout service's database connection pool from 50 to 5.
Under the afternoon peak, requests waited for a connection and about 4% of them timed out for
13 minutes, until the setting was rolled back.

## Timeline

- 14:02 UTC: The configuration push with the smaller pool reaches every checkout instance.
- 14:06 UTC: The checkout error-rate alert fires and pages the payments on-call.
- 14:11 UTC: The on-call links the errors to the push in the deploy log.
- 14:15 UTC: The previous configuration is restored; errors stop.
- 14:30 UTC: Error rate and latency are back to normal; the incident is resolved.

## Impact

About 5,200 checkout requests failed (4% of the traffic during the incident). Customers could
retry; no orders were lost.

## Root cause and contributing factors

The pool size was a per-environment setting; the staging value was copied into the production
file. Nothing compared the setting with the service's peak concurrency before rollout, and the
push went to every instance at once.

## What went well

The error-rate alert fired within four minutes, and rolling the configuration back took one
command.

## What went poorly

The configuration change had no canary, so every instance got it at once.

## Lessons learned

Configuration is code: it needs the same staged rollout and the same checks.

## Action items

Both items are tracked in the front matter (`[[action_items]]`) and listed on the site's
action register.
"#;

/// The example postmortem of a new archive, written `today`: its path under `content/` and
/// its text. Its dates are days before `today` and its action items are done, so `check` has
/// nothing to say about it however long the archive lives.
pub(crate) fn example_postmortem(today: NaiveDate) -> (String, String) {
    let start = today - Duration::days(14);
    let published = today - Duration::days(10);
    let due = today - Duration::days(3);
    let closed = today - Duration::days(5);
    let closed2 = today - Duration::days(7);
    let id = format!("{start}-example-checkout-errors-after-a-config-push");
    let path = format!("{}/{id}.md", start.format("%Y"));
    let mut text = format!(
        r#"+++
# An example: edit it, or delete it once the archive has postmortems of its own.
# `pmarchive new "Title"` starts a new one from the template.
title = "Example: checkout errors after a configuration push"
date = {start}T14:02:00Z
severity = "SEV3"
status = "published"
visibility = "internal"
summary = "For 13 minutes about 4% of checkout requests failed after a connection-pool setting was lowered; the setting was rolled back."
services = ["checkout"]
teams = ["payments"]
authors = ["payments-oncall"]
reviewers = ["sre-review"]
contributing_factors = ["config-change", "alerting-gap"]
tags = ["example"]

[timing]
detected = {start}T14:06:00Z
mitigated = {start}T14:15:00Z
resolved = {start}T14:30:00Z
published = {published}

[impact]
requests_failed = 5200

[[participants]]
name = "payments-oncall"
role = "Incident commander"

[[participants]]
name = "sre-review"
role = "Reviewer"

[[participants]]
name = "checkout-dev"
role = "Service owner"

[[action_items]]
id = "AI-1"
title = "Validate connection-pool settings against the service's peak concurrency before rollout"
owner = "payments"
due = {due}
status = "done"
kind = "prevent"
priority = "P2"
closed = {closed}

[[action_items]]
id = "AI-2"
title = "Alert on checkout error rate above 1% for 3 minutes"
owner = "payments"
due = {due}
status = "done"
kind = "detect"
priority = "P2"
closed = {closed2}
+++
"#
    );
    text.push_str(EXAMPLE_BODY);
    (path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration file with every setting uncommented.
    fn uncommented(text: &str) -> String {
        text.lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if !rest.starts_with(' ') && !rest.is_empty() => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_config_file_is_the_defaults_commented_out() {
        let text = config_file();
        assert!(!text.contains("no description"), "{text}");
        // Commented, it parses to the defaults; uncommented too.
        let path = std::path::Path::new("pmarchive.toml");
        let commented = Config::parse(path, &text).unwrap();
        let full = Config::parse(path, &uncommented(&text)).unwrap();
        let defaults = toml::to_string(&Config::default()).unwrap();
        assert_eq!(toml::to_string(&commented).unwrap(), defaults);
        assert_eq!(toml::to_string(&full).unwrap(), defaults);
        // Every setting is there, uncommented only by its `#`.
        assert!(text.contains("\n#stale_days = 182\n"));
        assert!(text.contains("\n#[links]\n"));
        assert!(text.contains("\n#robots = \"disallow\"\n"));
    }

    #[test]
    fn every_setting_is_described_and_every_description_is_a_setting() {
        let text = config_text(&Config::default()).unwrap();
        for (path, _) in DOCS {
            let last = path.rsplit('.').next().unwrap();
            assert!(
                text.contains(&format!("#{last} = ")) || text.contains(&format!("{path}]")),
                "{path} is described but not a setting"
            );
        }
    }

    #[test]
    fn the_example_is_dated_relative_to_today() {
        let today = NaiveDate::from_ymd_opt(2031, 1, 10).unwrap();
        let (path, text) = example_postmortem(today);
        assert_eq!(
            path,
            "2030/2030-12-27-example-checkout-errors-after-a-config-push.md"
        );
        assert!(text.contains("date = 2030-12-27T14:02:00Z"));
        assert!(!text.contains("status = \"open\""));
    }
}
