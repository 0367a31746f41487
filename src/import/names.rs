//! The names exports give things: metadata keys (read through the same alias machinery as
//! `[fields]`, [`crate::content::document::resolve_field`], with built-in names an `[import]
//! fields` entry replaces) and section headings (the configured sections' titles and aliases,
//! plus the synonyms published templates use).

use std::collections::BTreeMap;

use crate::config::{Config, FieldSource, ALIASABLE_FIELDS};

/// A key or heading compared ignoring case, punctuation and numbering: lower-case words
/// separated by single spaces (`**Incident Date:**` and `incident-date` are `incident date`).
pub(crate) fn norm_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// The names of our fields in exported metadata, before `[import] fields` (compared through
/// [`norm_key`]). `Merge` for list fields: every key present adds its values.
const DEFAULT_FIELDS: &[(&str, bool, &[&str])] = &[
    (
        "title",
        false,
        &["title", "incident title", "incident name"],
    ),
    (
        "date",
        false,
        &[
            "date",
            "incident date",
            "date of incident",
            "incident start",
            "start time",
            "started",
            "started at",
            "start",
            "incident start time",
            "impact start",
            "when",
        ],
    ),
    (
        "severity",
        false,
        &[
            "severity",
            "severity level",
            "incident severity",
            "sev",
            "sev level",
            "level",
        ],
    ),
    (
        "status",
        false,
        &[
            "status",
            "postmortem status",
            "document status",
            "review status",
        ],
    ),
    ("visibility", false, &["visibility", "classification"]),
    (
        "summary",
        false,
        &[
            "summary",
            "incident summary",
            "tl dr",
            "tldr",
            "description",
        ],
    ),
    (
        "services",
        true,
        &[
            "services",
            "service",
            "affected services",
            "affected service",
            "services affected",
            "components",
            "affected components",
            "systems",
            "affected systems",
        ],
    ),
    (
        "teams",
        true,
        &[
            "teams",
            "team",
            "owning team",
            "responsible team",
            "teams involved",
        ],
    ),
    (
        "authors",
        true,
        &[
            "authors",
            "author",
            "owner",
            "owners",
            "postmortem owner",
            "document owner",
            "written by",
            "created by",
        ],
    ),
    (
        "contributing_factors",
        true,
        &[
            "contributing factors",
            "factors",
            "root cause category",
            "cause category",
        ],
    ),
    ("tags", true, &["tags", "labels", "keywords"]),
    ("near_miss", false, &["near miss"]),
    ("source_url", false, &["source", "source url", "original"]),
    (
        "timing.detected",
        false,
        &["detected", "detected at", "time detected", "detection time"],
    ),
    (
        "timing.mitigated",
        false,
        &[
            "mitigated",
            "mitigated at",
            "time mitigated",
            "mitigation time",
        ],
    ),
    (
        "timing.resolved",
        false,
        &[
            "resolved",
            "resolved at",
            "time resolved",
            "resolution time",
            "incident end",
            "end time",
            "ended",
            "ended at",
        ],
    ),
    (
        "timing.published",
        false,
        &[
            "published",
            "published at",
            "publish date",
            "date published",
            "postmortem date",
        ],
    ),
];

/// The fields an alias may target ([`ALIASABLE_FIELDS`]) that an export's metadata never
/// gives: the archive's own ids, links between its postmortems and similar-incident choices.
const NOT_IMPORTED: &[&str] = &["id", "recurrence_of", "similar_pinned", "similar_hidden"];

/// Our fields an export's metadata can give, in the order the front matter is written: the
/// fields an alias may target but [`NOT_IMPORTED`].
pub(crate) fn imported_fields() -> impl Iterator<Item = &'static str> {
    ALIASABLE_FIELDS
        .iter()
        .copied()
        .filter(|f| !NOT_IMPORTED.contains(f))
}

/// Where each field comes from in an export's metadata: the built-in names, each field named
/// in `[import] fields` replacing them; every name normalised ([`norm_key`]) as the metadata's
/// keys are.
pub(crate) fn field_sources(config: &Config) -> BTreeMap<String, FieldSource> {
    let mut out = BTreeMap::new();
    for (field, merge, names) in DEFAULT_FIELDS {
        let names: Vec<String> = names.iter().map(|n| norm_key(n)).collect();
        let source = if *merge {
            FieldSource::Merge { merge: names }
        } else {
            FieldSource::First { first: names }
        };
        out.insert(field.to_string(), source);
    }
    let norm = |v: &[String]| v.iter().map(|n| norm_key(n)).collect::<Vec<_>>();
    for (field, source) in &config.import.fields {
        let source = match source {
            FieldSource::Field(k) => FieldSource::Field(norm_key(k)),
            FieldSource::First { first } => FieldSource::First { first: norm(first) },
            FieldSource::Merge { merge } => FieldSource::Merge { merge: norm(merge) },
            FieldSource::Template { first, template } => FieldSource::Template {
                first: norm(first),
                template: template.clone(),
            },
        };
        out.insert(field.clone(), source);
    }
    out
}

/// The key our field `name` is written under in this archive: the one its `[fields]` alias
/// reads (the first it names), else its own name.
pub(crate) fn written_key(config: &Config, name: &str) -> String {
    let first = match config.fields.get(name) {
        Some(FieldSource::Field(k)) => Some(k),
        Some(FieldSource::First { first }) => first.first(),
        Some(FieldSource::Merge { merge }) => merge.first(),
        Some(FieldSource::Template { first, .. }) => first.first(),
        None => None,
    };
    first.cloned().unwrap_or_else(|| name.to_string())
}

/// Headings published templates give the standard sections, beside the configured aliases.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "summary",
        &[
            "incident summary",
            "executive summary",
            "overview",
            "tl dr",
            "tldr",
            "description",
            "what happened",
            "issue summary",
        ],
    ),
    (
        "timeline",
        &[
            "incident timeline",
            "detailed timeline",
            "timeline of events",
            "chronology",
            "sequence of events",
            "timeline all times utc",
        ],
    ),
    (
        "impact",
        &[
            "customer impact",
            "user impact",
            "business impact",
            "impact assessment",
            "blast radius",
            "impact and severity",
        ],
    ),
    (
        "root_cause",
        &[
            "root cause",
            "root causes",
            "root cause analysis",
            "rca",
            "contributing factors",
            "causes",
            "why it happened",
            "five whys",
            "5 whys",
            "root cause and trigger",
            "cause",
        ],
    ),
    (
        "went_well",
        &[
            "what went well",
            "things that went well",
            "went well",
            "what worked",
        ],
    ),
    (
        "went_poorly",
        &[
            "what went wrong",
            "what went poorly",
            "things that went wrong",
            "what didn t go well",
            "what did not go well",
            "what didn t go so well",
            "what could have gone better",
            "what could be improved",
        ],
    ),
    (
        "lessons",
        &[
            "lessons learned",
            "lessons",
            "learnings",
            "key learnings",
            "takeaways",
            "lessons learnt",
        ],
    ),
    (
        "action_items",
        &[
            "action items",
            "actions",
            "follow ups",
            "follow up actions",
            "follow up tasks",
            "follow up items",
            "followups",
            "corrective actions",
            "corrective and preventive actions",
            "corrective and preventative actions",
            "remediation",
            "remediations",
            "remediation items",
            "next steps",
            "preventive actions",
            "to dos",
            "todos",
            "tasks",
        ],
    ),
];

/// The standard sections by every name they go by.
pub(crate) struct SectionNames {
    by_name: BTreeMap<String, String>,
    titles: BTreeMap<String, String>,
}

impl SectionNames {
    /// The configured sections (titles and aliases) and the built-in synonyms of the known keys.
    pub(crate) fn new(config: &Config) -> Self {
        let mut by_name = BTreeMap::new();
        let mut titles = BTreeMap::new();
        for s in &config.sections.known {
            titles.insert(s.key.clone(), s.title.clone());
            for name in std::iter::once(&s.title).chain(&s.aliases) {
                by_name
                    .entry(norm_key(name))
                    .or_insert_with(|| s.key.clone());
            }
        }
        for (key, names) in SYNONYMS {
            if titles.contains_key(*key) {
                for name in *names {
                    by_name
                        .entry(norm_key(name))
                        .or_insert_with(|| key.to_string());
                }
            }
        }
        SectionNames { by_name, titles }
    }

    /// The section a heading names: compared through [`norm_key`], after leading numbering
    /// (`1.`, `IV.`) and a parenthesis (`Timeline (all times UTC)`) are set aside.
    pub(crate) fn section_of(&self, heading: &str) -> Option<String> {
        let without_paren = heading.split('(').next().unwrap_or(heading);
        for candidate in [heading, without_paren] {
            let key = norm_key(candidate);
            let words: Vec<&str> = key.split(' ').collect();
            let numbered = words.first().is_some_and(|w| {
                w.chars().all(|c| c.is_ascii_digit())
                    || (w.len() <= 4 && w.chars().all(|c| "ivx".contains(c)))
            });
            let tail = if numbered && words.len() > 1 {
                words[1..].join(" ")
            } else {
                key.clone()
            };
            if let Some(k) = self.by_name.get(&key).or_else(|| self.by_name.get(&tail)) {
                return Some(k.clone());
            }
        }
        None
    }

    /// The canonical heading of section `key`.
    pub(crate) fn title_of<'a>(&'a self, key: &'a str) -> &'a str {
        self.titles.get(key).map_or(key, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_by_name_synonym_and_numbering() {
        let names = SectionNames::new(&Config::default());
        for (heading, key) in [
            ("Root cause analysis", Some("root_cause")),
            ("2. Follow-ups", Some("action_items")),
            ("Corrective Actions:", Some("action_items")),
            ("Timeline (all times UTC)", Some("timeline")),
            ("IV. Lessons Learned", Some("lessons")),
            ("What didn't go well", Some("went_poorly")),
            ("Appendix", None),
        ] {
            assert_eq!(names.section_of(heading).as_deref(), key, "{heading}");
        }
        assert_eq!(norm_key("**Incident Date:**"), "incident date");
    }
}
