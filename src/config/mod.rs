//! The archive's configuration (`pmarchive.toml`): every setting has an embedded default, so
//! the file is optional.
//!
//! The file is parsed once, validated, and handed down as plain data; nothing below the CLI
//! reads the raw TOML. Field aliases let an archive of another shape build without editing its
//! files: each of our front-matter fields may be taken from another field, from the first present
//! of several, from several merged, or from a small template.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;
use crate::text::{line_col, slugify};

mod hosting;

pub(crate) use hosting::{LinksConfig, Robots, SiteConfig};

mod validate;

/// Where a name first appears in the config text (line, column), for a diagnostic.
type At<'a> = &'a dyn Fn(&str) -> (usize, usize);

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The archive's title, shown in the header and feeds.
    pub title: String,
    /// One sentence shown on the home page and in feeds.
    pub description: String,
    /// The folder holding the postmortems, relative to the site root.
    pub content_dir: String,
    /// Absolute URL the site is served from (used for feeds and canonical links); may be empty.
    pub base_url: String,
    /// Severity levels, most severe first.
    pub severities: Vec<String>,
    /// How many postmortems the home page lists.
    pub latest: usize,
    /// What to do with a postmortem that has no date: `error` or `list` (an "undated" listing).
    pub undated: Undated,
    /// Pass raw HTML in Markdown through unsanitised (only for archives whose authors are trusted).
    pub trusted_html: bool,
    /// Where each of our fields comes from, for archives in another shape.
    pub fields: BTreeMap<String, FieldSource>,
    /// The contributing-factor vocabulary.
    pub factors: FactorsConfig,
    /// The standard postmortem sections.
    pub sections: SectionsConfig,
    /// The linter's settings.
    pub check: CheckConfig,
    /// The similar-incident lists and recurring classes.
    pub similar: SimilarConfig,
    /// Search.
    pub search: SearchConfig,
    /// The practice metrics' parameters.
    pub insights: InsightsConfig,
    /// Participants' roles.
    pub roles: RolesConfig,
    /// Links to the tracker.
    pub links: LinksConfig,
    /// Hosting: what crawlers may do.
    pub site: SiteConfig,
    /// `pmarchive import`: the names of our fields in exported documents.
    pub import: ImportConfig,
    /// "Today" for overdue and stale action items when `--today` is not given (a date such as
    /// `2025-12-01`): an archive kept as an example does not age with the clock.
    pub today: Option<toml::value::Datetime>,
}

/// `[insights]`: the targets and thresholds of the practice metrics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsightsConfig {
    /// The share (0..1) of postmortems consistent with the template the practice aims for.
    pub template_target: f64,
    /// Distinct roles a postmortem's participants should cover.
    pub min_roles: usize,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        InsightsConfig {
            template_target: 0.9,
            min_roles: 3,
        }
    }
}

/// `[import]`: how `pmarchive import` reads the metadata of exported documents (a leading
/// key/value table or `Key: value` lines).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// Where each of our fields comes from, as in `[fields]` (`date = { first = ["Incident
    /// date", "Began"] }`); names are compared ignoring case, spaces and punctuation. A field
    /// named here replaces the built-in names of that field.
    pub fields: BTreeMap<String, FieldSource>,
}

/// `[roles]`: how participants' roles are folded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RolesConfig {
    /// Other names of a role, by role (`"incident commander" = ["IC", "incident lead"]`).
    /// Roles are compared ignoring case and runs of spaces either way.
    pub aliases: BTreeMap<String, Vec<String>>,
}

/// `[search]`: what a query also looks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Groups of words that mean the same in this archive (`[["pay", "payments platform"]]`):
    /// a query with one member also searches for the others, at half weight.
    pub synonyms: Vec<Vec<String>>,
    /// Whether the built-in groups (operations abbreviations such as `k8s`, `oom`, `db`, and
    /// British and American spellings) apply too.
    pub builtin_synonyms: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            synonyms: Vec::new(),
            builtin_synonyms: true,
        }
    }
}

/// `[similar]`: how the similar-incident lists and the recurring classes are formed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarConfig {
    /// Links listed per postmortem. Explicit recurrences and pinned links always appear, even
    /// beyond this number; computed links fill the rest.
    pub limit: usize,
    /// Computed links scoring below this (0..1) are not listed.
    pub min_score: f32,
    /// Computed links at least this strong, in both incidents' lists, join the two into one
    /// recurring class (explicit recurrences and pins always do).
    pub cluster_score: f32,
    /// A sentence-embedding model (a folder holding a BERT `config.json`, `model.safetensors`
    /// and `tokenizer.json`, such as all-MiniLM-L6-v2), relative to this file's folder: its
    /// cosine is mixed into the text score (`crate::similar::semantic`). Unset: no model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The share (0..1) of the embedding cosine in the text score when `model` is set.
    pub model_weight: f32,
}

impl Default for SimilarConfig {
    fn default() -> Self {
        SimilarConfig {
            limit: 5,
            min_score: 0.05,
            cluster_score: 0.45,
            model: None,
            model_weight: 0.4,
        }
    }
}

/// How loud a lint rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSetting {
    /// Not run.
    Off,
    /// Reported, does not fail the build (unless `check --strict`).
    Warning,
    /// Fails `check` and `build`.
    Error,
}

/// `[check]`: rule levels and rule parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckConfig {
    /// Level per rule id (`"language/blame" = "error"`) or per group (`language = "off"`).
    pub rules: BTreeMap<String, RuleSetting>,
    /// Front-matter fields every postmortem must have (besides `title` and `date`).
    pub required_fields: Vec<String>,
    /// Open action items older than this many days are flagged as stale.
    pub stale_days: i64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            rules: BTreeMap::new(),
            required_fields: ["severity", "summary", "services"]
                .map(String::from)
                .to_vec(),
            stale_days: 182,
        }
    }
}

/// Policy for postmortems without a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Undated {
    /// A missing date is an error (the contract's default: `date` is required).
    Error,
    /// Undated postmortems are built and listed under "Undated".
    List,
}

/// Where one of our fields comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldSource {
    /// Taken from another field.
    Field(String),
    /// A template such as `"{company} {product} incident"`, used when no listed field is present.
    Template {
        /// Fields tried first, in order (may be empty).
        #[serde(default)]
        first: Vec<String>,
        /// The fallback text; `{field}` is replaced by that field's value.
        template: String,
    },
    /// Every listed field, merged into one list (for list fields).
    Merge {
        /// Fields whose values are concatenated.
        merge: Vec<String>,
    },
    /// The first present (non-empty) of several fields.
    First {
        /// Candidate fields, in order.
        first: Vec<String>,
    },
}

/// The contributing-factor vocabulary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FactorsConfig {
    /// When true, a factor outside the vocabulary is an error (`check`); otherwise free-form.
    pub governed: bool,
    /// Themes by slug.
    pub themes: BTreeMap<String, Theme>,
}

/// One governed contributing-factor theme.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Theme {
    /// Display title (defaults to the slug).
    pub title: String,
    /// What the theme means and how to recognise it.
    pub description: String,
    /// Variants folded into this theme (`bad-config` into `config-change`).
    pub aliases: Vec<String>,
}

/// The standard sections of a postmortem.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SectionsConfig {
    /// The known sections: their key, heading and accepted variant headings.
    pub known: Vec<SectionDef>,
    /// Keys of the sections every postmortem must have (used by `check`).
    pub required: Vec<String>,
}

/// A known section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    /// Stable key (`summary`, `timeline`, `root_cause`...).
    pub key: String,
    /// The canonical heading.
    pub title: String,
    /// Other headings that mean the same section.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Default for SectionsConfig {
    fn default() -> Self {
        let def = |key: &str, title: &str, aliases: &[&str]| SectionDef {
            key: key.into(),
            title: title.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        };
        let known = vec![
            def("summary", "Summary", &["Overview", "Executive summary"]),
            def(
                "timeline",
                "Timeline",
                &["Chronology", "Timeline of events"],
            ),
            def("impact", "Impact", &["Customer impact", "User impact"]),
            def(
                "root_cause",
                "Root cause and contributing factors",
                &[
                    "Root cause",
                    "Root causes",
                    "Contributing factors",
                    "Causes",
                    "Root cause analysis",
                ],
            ),
            def("went_well", "What went well", &["Things that went well"]),
            def(
                "went_poorly",
                "What went poorly",
                &["What went wrong", "Things that went poorly"],
            ),
            def("lessons", "Lessons learned", &["Lessons", "Learnings"]),
            def(
                "action_items",
                "Action items",
                &["Actions", "Follow-ups", "Follow-up actions", "Remediation"],
            ),
        ];
        let required = known.iter().map(|s| s.key.clone()).collect();
        SectionsConfig { known, required }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Postmortem archive".into(),
            description: "Blameless postmortems: what happened, why, and what we changed.".into(),
            content_dir: "content".into(),
            base_url: String::new(),
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
            latest: 10,
            undated: Undated::Error,
            trusted_html: false,
            fields: BTreeMap::new(),
            factors: FactorsConfig::default(),
            sections: SectionsConfig::default(),
            check: CheckConfig::default(),
            similar: SimilarConfig::default(),
            search: SearchConfig::default(),
            insights: InsightsConfig::default(),
            roles: RolesConfig::default(),
            links: LinksConfig::default(),
            site: SiteConfig::default(),
            import: ImportConfig::default(),
            today: None,
        }
    }
}

/// Our fields that an alias may target.
pub(crate) const ALIASABLE_FIELDS: &[&str] = &[
    "id",
    "title",
    "date",
    "severity",
    "status",
    "visibility",
    "summary",
    "services",
    "teams",
    "authors",
    "contributing_factors",
    "tags",
    "recurrence_of",
    "similar_pinned",
    "similar_hidden",
    "near_miss",
    "source_url",
    "timing.detected",
    "timing.mitigated",
    "timing.resolved",
    "timing.published",
];

impl Config {
    /// Parses and validates a config file's text; `file` names it in diagnostics.
    pub fn parse(file: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            vec![Diagnostic::error(
                file,
                at,
                "config/syntax",
                e.message().to_string(),
            )]
        })?;
        let problems = config.validate(file, text);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The canonical slug of a contributing factor: slugified, then aliases folded.
    pub fn canonical_factor(&self, raw: &str) -> String {
        let slug = slugify(raw);
        if self.factors.themes.contains_key(&slug) {
            return slug;
        }
        for (theme_slug, theme) in &self.factors.themes {
            if theme.aliases.iter().any(|a| slugify(a) == slug) {
                return theme_slug.clone();
            }
        }
        slug
    }

    /// The role a participant's `role` counts as: folded (lower case, runs of spaces as one),
    /// then through `[roles] aliases` to the folded role they name.
    pub fn canonical_role(&self, raw: &str) -> String {
        let folded = fold_role(raw);
        for (role, aliases) in &self.roles.aliases {
            if aliases.iter().any(|a| fold_role(a) == folded) {
                return fold_role(role);
            }
        }
        folded
    }

    /// The title of contributing-factor theme `slug` (the slug itself when it has none).
    pub fn factor_title(&self, slug: &str) -> String {
        self.factors
            .themes
            .get(slug)
            .map(|t| t.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| slug.to_string())
    }

    /// The configured severity level matching `raw` (case-insensitive), if any.
    pub fn severity(&self, raw: &str) -> Option<&str> {
        self.severities
            .iter()
            .find(|s| s.eq_ignore_ascii_case(raw.trim()))
            .map(String::as_str)
    }

    /// The configured `today`, when it is a plain date.
    pub fn today_date(&self) -> Option<chrono::NaiveDate> {
        let t = self.today.as_ref()?;
        match (t.date, t.time, t.offset) {
            (Some(d), None, None) => {
                chrono::NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
            }
            _ => None,
        }
    }

    /// `--today`, else the configured `today`, else the clock's date (UTC).
    pub fn resolve_today(&self, given: Option<chrono::NaiveDate>) -> chrono::NaiveDate {
        given
            .or_else(|| self.today_date())
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// The base URL with exactly one trailing slash, or `""`.
    pub fn base_url(&self) -> String {
        let b = self.base_url.trim().trim_end_matches('/');
        if b.is_empty() {
            String::new()
        } else {
            format!("{b}/")
        }
    }
}

/// A role compared ignoring case and runs of white space.
fn fold_role(raw: &str) -> String {
    crate::text::squash_ws(raw).to_lowercase()
}

#[cfg(test)]
mod tests;
