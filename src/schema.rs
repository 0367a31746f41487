//! `pmarchive schema`: a JSON Schema (draft 2020-12) of the front matter, for editors (taplo for
//! TOML, yaml-language-server for YAML): completion, hover documentation and validation as a
//! postmortem is written.
//!
//! The shape comes from the Rust types below (`schemars`), whose doc comments are the
//! descriptions an editor shows; the archive's configuration then adds its own vocabulary: the
//! severity levels, the contributing-factor themes (each with its title and description; only
//! them when `[factors] governed = true`), and the source names of fields mapped by `[fields]`.
//! The schema accepts what `check` accepts without an error: an unknown field, a warning there,
//! is allowed here too.

use std::collections::BTreeMap;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::config::{Config, FieldSource, Undated};
use crate::model::{ItemKind, ItemStatus, Priority};

/// A date (`2025-02-03`) or date-time (RFC 3339, or local `2025-02-03T14:02`), as pmarchive
/// reads them; TOML dates and times are checked as text of the same shape.
fn when(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?$",
        "examples": ["2025-02-03T14:02:00Z", "2025-02-03"],
    })
}

/// One name or a list of names (one name is a list of one).
fn names(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": "string" } },
        ]
    })
}

/// The front matter of a postmortem (TOML between `+++` lines, or YAML between `---` lines).
#[derive(JsonSchema)]
#[schemars(title = "pmarchive postmortem front matter")]
#[allow(dead_code)]
pub(crate) struct FrontMatter {
    /// What broke, in a few words.
    title: String,
    /// When the incident started: a date or an RFC 3339 date-time.
    #[schemars(schema_with = "when")]
    date: String,
    /// The postmortem's id, unique in the archive (default: the file name without `.md`); it
    /// names the page's folder and is what `recurrence_of` points at.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"))]
    id: Option<String>,
    /// The severity level.
    severity: Option<String>,
    /// `draft` postmortems are built only with `--drafts`.
    status: Option<Status>,
    /// `restricted` postmortems never reach the public site.
    visibility: Option<Visibility>,
    /// One paragraph: what broke, who was affected, for how long.
    summary: Option<String>,
    /// The services involved (service pages).
    #[serde(default)]
    #[schemars(schema_with = "names")]
    services: Option<Vec<String>>,
    /// The teams involved (team pages).
    #[serde(default)]
    #[schemars(schema_with = "names")]
    teams: Option<Vec<String>>,
    /// Who wrote the postmortem.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    authors: Option<Vec<String>>,
    /// Contributing-factor themes (factor pages).
    #[serde(default)]
    #[schemars(schema_with = "names")]
    contributing_factors: Option<Vec<String>>,
    /// Free tags.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    tags: Option<Vec<String>>,
    /// Ids of earlier incidents of the same kind.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    recurrence_of: Option<Vec<String>>,
    /// Ids always listed among the similar incidents.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    similar_pinned: Option<Vec<String>>,
    /// Ids never listed among the similar incidents.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    similar_hidden: Option<Vec<String>>,
    /// Caught before it hurt (most) customers.
    near_miss: Option<bool>,
    /// Where the original report lives.
    source_url: Option<String>,
    /// When the incident was detected, mitigated, resolved, and the postmortem published.
    timing: Option<Timing>,
    /// Figures of the impact (any name; these are the usual ones).
    impact: Option<Impact>,
    /// Follow-up work.
    action_items: Option<Vec<ActionItem>>,
    /// Who took part in the response, with their role.
    participants: Option<Vec<Participant>>,
    /// Who reviewed the postmortem.
    #[serde(default)]
    #[schemars(schema_with = "names")]
    reviewers: Option<Vec<String>>,
    /// `check` rules switched off for this postmortem (`language/blame`, `template`...).
    #[serde(default)]
    #[schemars(schema_with = "names")]
    lint_allow: Option<Vec<String>>,
}

/// Publication state.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Status {
    /// Work in progress: built only with `--drafts`.
    Draft,
    /// Under review.
    Review,
    /// Published (the default).
    Published,
}

/// Who may read it.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Visibility {
    /// Everyone in the company (the default).
    Internal,
    /// Only the restricted archive (`build --include-restricted`).
    Restricted,
}

/// The incident's phases (each optional); start <= detected <= mitigated <= resolved.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Timing {
    /// When it was detected.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    detected: Option<String>,
    /// When its impact ended.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    mitigated: Option<String>,
    /// When it was resolved.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    resolved: Option<String>,
    /// When this postmortem was published.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    published: Option<String>,
}

/// Impact figures: numbers.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct Impact {
    /// Users affected.
    users_affected: Option<f64>,
    /// Requests that failed.
    requests_failed: Option<f64>,
    /// Revenue lost or delayed, in US dollars.
    revenue_usd: Option<f64>,
    /// Share of the error budget consumed, in percent.
    slo_budget_consumed_pct: Option<f64>,
    /// Any other figure.
    #[serde(flatten)]
    other: BTreeMap<String, f64>,
}

/// One action item.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ActionItem {
    /// Its id within the postmortem (`AI-1`).
    id: Option<String>,
    /// What will be done: specific and checkable.
    title: Option<String>,
    /// The team or person who owns it.
    owner: Option<String>,
    /// When it is due.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    due: Option<String>,
    /// Where it stands.
    status: Option<ItemStatus>,
    /// What it does about the incident.
    kind: Option<ItemKind>,
    /// Priority.
    priority: Option<Priority>,
    /// When it was closed.
    #[serde(default)]
    #[schemars(schema_with = "when")]
    closed: Option<String>,
}

/// A responder and their role.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Participant {
    /// Who.
    name: String,
    /// Their role in the response (incident commander, SRE...).
    role: String,
}

/// The front matter's JSON Schema with the archive's vocabulary from `config`.
pub(crate) fn front_matter_schema(config: &Config) -> Value {
    let mut schema = schemars::schema_for!(FrontMatter).to_value();
    schema["$id"] = json!("https://pmarchive.invalid/schema/front-matter.json");
    let props = schema["properties"]
        .as_object_mut()
        .expect("a struct has properties");
    props["severity"] = json!({
        "description": "The severity level (the archive's `severities`).",
        "enum": config.severities,
    });
    if !config.factors.themes.is_empty() {
        let mut themes: Vec<Value> = Vec::new();
        for (slug, theme) in &config.factors.themes {
            let title = if theme.title.is_empty() {
                slug.as_str()
            } else {
                theme.title.as_str()
            };
            let about = if theme.description.is_empty() {
                title.to_string()
            } else {
                format!("{title}: {}", theme.description)
            };
            themes.push(json!({ "const": slug, "title": title, "description": about }));
            for alias in &theme.aliases {
                themes.push(json!({
                    "const": alias,
                    "title": title,
                    "description": format!("An alias of `{slug}`. {about}"),
                }));
            }
        }
        if !config.factors.governed {
            themes.push(json!({ "type": "string", "description": "Any other factor (the vocabulary is not governed)." }));
        }
        let one = json!({ "anyOf": themes });
        props["contributing_factors"] = json!({
            "description": "Contributing-factor themes of the archive's vocabulary (factor pages).",
            "anyOf": [one, { "type": "array", "items": one }],
        });
    }
    rename_mapped_fields(&mut schema, config);
    schema
}

/// Fields `[fields]` maps from other names: the schema describes the names the files use.
fn rename_mapped_fields(schema: &mut Value, config: &Config) {
    let mut required: Vec<String> = vec!["title".into()];
    if config.undated == Undated::Error {
        required.push("date".into());
    }
    let props = schema["properties"].as_object_mut().expect("properties");
    let mut moved: Map<String, Value> = Map::new();
    for (ours, source) in &config.fields {
        if ours.contains('.') {
            continue;
        }
        let Some(sub) = props.remove(ours) else {
            continue;
        };
        let keys: Vec<&String> = match source {
            FieldSource::Field(k) => vec![k],
            FieldSource::First { first } | FieldSource::Template { first, .. } => {
                first.iter().collect()
            }
            FieldSource::Merge { merge } => merge.iter().collect(),
        };
        // A field found under several names, or made from a template, is required under none.
        let single = matches!(source, FieldSource::Field(_));
        if let Some(i) = required.iter().position(|r| r == ours) {
            required.remove(i);
            if single {
                required.push(keys[0].clone());
            }
        }
        for k in keys {
            let mut s = sub.clone();
            if matches!(source, FieldSource::Merge { .. }) {
                s = json!({ "description": sub.get("description").cloned().unwrap_or(Value::Null) });
            }
            moved.insert(k.clone(), s);
        }
    }
    props.extend(moved);
    schema["required"] = json!(required);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_pmarchive_knows_is_described() {
        let schema = front_matter_schema(&Config::default());
        let props = schema["properties"].as_object().unwrap();
        for f in crate::config::ALIASABLE_FIELDS {
            let top = f.split('.').next().unwrap();
            assert!(props.contains_key(top), "{f}");
        }
        for f in [
            "timing",
            "impact",
            "action_items",
            "lint_allow",
            "participants",
            "reviewers",
        ] {
            assert!(props.contains_key(f), "{f}");
        }
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["required"], json!(["title", "date"]));
    }
}
