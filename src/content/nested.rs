//! The keys each nested front-matter table knows (`[timing]`, `[impact]`, `[[action_items]]`),
//! and the keys written there that are none of them: a typo in a nested table (`[timing]
//! detcted`) would otherwise be dropped without a word. They become `schema/unknown-field`
//! warnings in `check`, like unknown top-level fields.

use serde_json::{Map, Value};

use crate::config::{Config, FieldSource};
use crate::model::UnknownKey;

/// The keys of `[timing]`.
pub(crate) const TIMING_KEYS: &[&str] = &["detected", "mitigated", "resolved", "published"];

/// The figures of `[impact]` the format names (others are still shown, with a warning).
pub(crate) const IMPACT_KEYS: &[&str] = &[
    "users_affected",
    "requests_failed",
    "revenue_usd",
    "slo_budget_consumed_pct",
];

/// The keys of an `[[action_items]]` table.
pub(crate) const ACTION_ITEM_KEYS: &[&str] = &[
    "id", "title", "owner", "due", "status", "kind", "priority", "closed", "url", "ticket",
];

/// Whether `[fields]` takes one of our fields from `table.key` (then it is not unknown).
fn aliased(config: &Config, table: &str, key: &str) -> bool {
    let dotted = format!("{table}.{key}");
    config.fields.values().any(|source| {
        let mut keys: Vec<&String> = Vec::new();
        match source {
            FieldSource::Field(k) => keys.push(k),
            FieldSource::First { first } => keys.extend(first),
            FieldSource::Merge { merge } => keys.extend(merge),
            FieldSource::Template { first, template } => {
                keys.extend(first);
                if template.contains(&format!("{{{dotted}}}")) {
                    return true;
                }
            }
        }
        keys.iter().any(|k| **k == dotted)
    })
}

/// The keys of `table` (the nested table called `name`, described as `place` in messages)
/// that are not in `known`; `locate` gives a key's (line, column).
pub(crate) fn unknown_keys(
    config: &Config,
    name: &str,
    place: &str,
    table: &Map<String, Value>,
    known: &'static [&'static str],
    locate: &dyn Fn(&str) -> (usize, usize),
) -> Vec<UnknownKey> {
    table
        .keys()
        .filter(|k| !known.contains(&k.as_str()) && !aliased(config, name, k))
        .map(|k| UnknownKey {
            key: k.clone(),
            table: place.to_string(),
            at: locate(k),
            nearest: super::nearest(k, known.iter().copied()),
        })
        .collect()
}
