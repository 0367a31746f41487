//! A read document's metadata and action items as our front matter: each field through the
//! alias machinery ([`resolve_field`], the sources of [`super::names::field_sources`]), each
//! value read as its field needs (dates in the forms exports write them, severities matched to
//! the configured levels, statuses to ours), and the TOML written.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};
use toml::Value as Toml;

use super::document::{Parsed, RawItem, Text};
use super::names::{field_sources, imported_fields, norm_key, written_key};
use crate::config::Config;
use crate::content::document::resolve_field;

mod items;
use items::*;

/// The front matter of one document, and what the report says about it.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    /// Our fields with their values, in writing order (dotted for `timing.*`).
    pub fields: Vec<(&'static str, Toml)>,
    /// The action items, each a table.
    pub items: Vec<toml::Table>,
    /// Metadata keys mapped: (key as written, our field).
    pub used: Vec<(String, &'static str)>,
    /// Metadata entries no field took (key, value), left in the body.
    pub unmapped: Vec<(String, String)>,
    /// Values that could not be read (left out of the front matter, said in the report).
    pub notes: Vec<String>,
    /// Required fields the document lacks (it is written as a draft).
    pub missing: Vec<String>,
    /// The incident's date.
    pub date: Option<NaiveDate>,
}

/// Maps `parsed`'s metadata and items.
pub(crate) fn map(parsed: &Parsed<'_>, config: &Config) -> Mapped {
    let mut m = Mapped::default();
    let values = resolve_all(parsed, config, &mut m);
    map_headline(parsed, config, &values, &mut m);
    map_lists_and_times(&values, &mut m);
    for (i, item) in parsed.items.iter().enumerate() {
        let t = action_item(i + 1, item, &mut m.notes);
        m.items.push(t);
    }
    let written_status = values.get("status").map(|v| status(&text(v)));
    map_status(config, written_status, &mut m);
    m
}

/// Our fields' values as the metadata gives them (through the aliases), in the order of
/// [`imported_fields`].
struct Values(Vec<(&'static str, Value)>);

impl Values {
    /// The value of our field `name`.
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(f, _)| *f == name).map(|(_, v)| v)
    }
}

/// Resolves each of our fields in the metadata; the keys used and those no field took are
/// noted in `m`.
fn resolve_all(parsed: &Parsed<'_>, config: &Config, m: &mut Mapped) -> Values {
    let mut raw = Map::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for e in &parsed.meta {
        let k = norm_key(&e.key);
        if !raw.contains_key(&k) {
            raw.insert(k.clone(), Value::String(e.value.text.clone()));
            keys.push((k, e.key.clone()));
        }
    }
    let sources = field_sources(config);
    let mut taken: Vec<String> = Vec::new();
    let mut values: Vec<(&'static str, Value)> = Vec::new();
    for field in imported_fields() {
        if let Some((value, origin)) = resolve_field(&sources, &raw, field) {
            for (k, shown) in &keys {
                let merged = matches!(&value, Value::Array(_))
                    && matches!(sources.get(field), Some(crate::config::FieldSource::Merge { merge }) if merge.contains(k));
                if (*k == origin || merged) && raw.get(k).is_some() && !taken.contains(k) {
                    taken.push(k.clone());
                    m.used.push((shown.clone(), field));
                }
            }
            values.push((field, value));
        }
    }
    for e in &parsed.meta {
        let k = norm_key(&e.key);
        if !taken.contains(&k) && !m.unmapped.iter().any(|(u, _)| norm_key(u) == k) {
            m.unmapped.push((e.key.clone(), e.value.text.clone()));
        }
    }
    Values(values)
}

/// The title, date, severity, visibility and summary.
fn map_headline(parsed: &Parsed<'_>, config: &Config, values: &Values, m: &mut Mapped) {
    let get = |name: &str| values.get(name);
    // The title: the heading, else a metadata value.
    let title = parsed
        .title
        .as_ref()
        .map(|t| t.0.clone())
        .or_else(|| get("title").map(text));
    if let Some(t) = title {
        m.fields.push(("title", Toml::String(t)));
    }
    if let Some(v) = get("date") {
        match when(&text(v)) {
            Some((d, value)) => {
                m.date = Some(d);
                m.fields.push(("date", value));
            }
            None => m
                .notes
                .push(format!("date `{}` is not a date pmarchive reads", text(v))),
        }
    }
    if let Some(v) = get("severity") {
        match severity(config, &text(v)) {
            Some(s) => m.fields.push(("severity", Toml::String(s))),
            None => m.notes.push(format!(
                "severity `{}` is none of {}",
                text(v),
                config.severities.join(", ")
            )),
        }
    }
    if let Some(v) = get("visibility") {
        let t = norm_key(&text(v));
        if ["restricted", "confidential", "secret", "private"]
            .iter()
            .any(|w| t.contains(w))
        {
            m.fields
                .push(("visibility", Toml::String("restricted".into())));
        } else if ["internal", "public"].iter().any(|w| t.contains(w)) {
            m.fields
                .push(("visibility", Toml::String("internal".into())));
        }
    }
    let summary = get("summary")
        .map(text)
        .or_else(|| parsed.summary_text.clone());
    if let Some(s) = summary.filter(|s| !s.is_empty()) {
        m.fields.push(("summary", Toml::String(s)));
    }
}

/// The lists (services, teams, ...), near miss, source URL and timing.
fn map_lists_and_times(values: &Values, m: &mut Mapped) {
    let get = |name: &str| values.get(name);
    for field in [
        "services",
        "teams",
        "authors",
        "contributing_factors",
        "tags",
    ] {
        if let Some(v) = get(field) {
            let list = list(v);
            if !list.is_empty() {
                m.fields.push((
                    field_name(field),
                    Toml::Array(list.into_iter().map(Toml::String).collect()),
                ));
            }
        }
    }
    if let Some(v) = get("near_miss") {
        let t = norm_key(&text(v));
        m.fields.push((
            "near_miss",
            Toml::Boolean(matches!(t.as_str(), "yes" | "true" | "x" | "y")),
        ));
    }
    if let Some(v) = get("source_url") {
        let t = text(v);
        if t.starts_with("https://") || t.starts_with("http://") {
            m.fields.push(("source_url", Toml::String(t)));
        }
    }
    for field in [
        "timing.detected",
        "timing.mitigated",
        "timing.resolved",
        "timing.published",
    ] {
        if let Some(v) = get(field) {
            match when(&text(v)) {
                Some((_, value)) => m.fields.push((field_name(field), value)),
                None => m.notes.push(format!(
                    "{field} `{}` is not a date pmarchive reads",
                    text(v)
                )),
            }
        }
    }
}

/// The required fields missing, and the status: a draft when some are, else as written
/// (published when not), placed after the severity, date or title.
fn map_status(config: &Config, written_status: Option<&'static str>, m: &mut Mapped) {
    let has = |name: &str| m.fields.iter().any(|(f, _)| *f == name);
    m.missing = config
        .check
        .required_fields
        .iter()
        .filter(|f| !has(f))
        .cloned()
        .collect();
    let status = match written_status {
        _ if !m.missing.is_empty() => "draft",
        Some(s) => s,
        None => "published",
    };
    let at = ["severity", "date", "title"]
        .iter()
        .find_map(|k| m.fields.iter().position(|(f, _)| f == k))
        .map_or(0, |i| i + 1);
    m.fields.insert(at, ("status", Toml::String(status.into())));
}

/// The `'static` name of one of our fields.
fn field_name(name: &str) -> &'static str {
    imported_fields().find(|f| *f == name).unwrap_or("tags")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// A list field's values: split at commas and semicolons, `@` handles bare.
fn list(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text(v).split([',', ';']) {
        let p = part.trim().trim_start_matches('@').trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// A date as exports write it (ISO, `March 5, 2024 2:02 PM`, `5 March 2024`, with or without
/// `UTC`, a Notion range's start), as a TOML date or date-time (UTC).
pub(crate) fn when(raw: &str) -> Option<(NaiveDate, Toml)> {
    let s = raw.split(['→', '—']).next().unwrap_or(raw);
    let s = s.replace(['(', ')'], " ");
    let s = s.trim();
    let s = ["UTC", "GMT", "Z"]
        .iter()
        .find_map(|z| s.strip_suffix(z))
        .unwrap_or(s)
        .trim();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&s) {
        let utc = t.naive_utc();
        return Some((utc.date(), datetime(utc)));
    }
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%B %d, %Y %I:%M %p",
        "%b %d, %Y %I:%M %p",
        "%B %d, %Y %H:%M",
        "%b %d, %Y %H:%M",
        "%d %B %Y %H:%M",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&s, f) {
            return Some((t.date(), datetime(t)));
        }
    }
    for f in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%A, %B %d, %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(&s, f) {
            return Some((d, date(d)));
        }
    }
    // An ISO date among other words ("2024-03-05 (Tuesday)", "Started 2024-03-05").
    s.split(|c: char| c.is_whitespace() || c == ',')
        .find_map(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
        .map(|d| (d, date(d)))
}

fn date(d: NaiveDate) -> Toml {
    Toml::Datetime(d.to_string().parse().expect("a TOML date"))
}

fn datetime(t: NaiveDateTime) -> Toml {
    Toml::Datetime(
        t.format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
            .parse()
            .expect("a TOML date-time"),
    )
}

/// The configured level `raw` names (`Sev 2`, `SEV-2 (major)`, `2`).
fn severity(config: &Config, raw: &str) -> Option<String> {
    let alnum = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase()
    };
    let v = alnum(raw);
    let first_word = alnum(raw.split([' ', '(', '-', '–', ':']).next().unwrap_or(""));
    config
        .severities
        .iter()
        .find(|s| alnum(s) == v || alnum(s) == first_word)
        .or_else(|| {
            config.severities.iter().find(|s| {
                let n = alnum(s);
                v.starts_with(&n) && !v[n.len()..].starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .or_else(|| {
            (!v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
                .then(|| config.severities.iter().find(|s| alnum(s).ends_with(&v)))
                .flatten()
        })
        .cloned()
}

/// Our postmortem status for an export's (`Complete` is published, `In review` review, anything
/// else a draft).
fn status(raw: &str) -> &'static str {
    let t = norm_key(raw);
    let first = t.split(' ').next().unwrap_or("");
    if matches!(
        first,
        "complete" | "completed" | "done" | "final" | "published" | "closed" | "approved"
    ) {
        "published"
    } else if t.contains("review") {
        "review"
    } else {
        "draft"
    }
}

/// The front matter's text: the fields (under the keys this archive's `[fields]` reads),
/// `[timing]`, then `[[action_items]]`.
pub(crate) fn front_matter(m: &Mapped, config: &Config, origin: &str) -> String {
    let mut out = format!(
        "+++\n# imported from {} by pmarchive import\n",
        origin.replace('\n', " ")
    );
    let mut tables: Vec<(String, Vec<(String, &Toml)>)> = Vec::new();
    for (field, value) in &m.fields {
        let key = written_key(config, field);
        match key.split_once('.') {
            Some((table, k)) => match tables.iter_mut().find(|(t, _)| t == table) {
                Some((_, rows)) => rows.push((k.to_string(), value)),
                None => tables.push((table.to_string(), vec![(k.to_string(), value)])),
            },
            None => out.push_str(&format!("{} = {value}\n", toml_key(&key))),
        }
    }
    for (table, rows) in tables {
        out.push_str(&format!("\n[{}]\n", toml_key(&table)));
        for (k, v) in rows {
            out.push_str(&format!("{} = {v}\n", toml_key(&k)));
        }
    }
    for item in &m.items {
        out.push_str("\n[[action_items]]\n");
        for key in [
            "id", "title", "owner", "due", "status", "kind", "priority", "url", "ticket",
        ] {
            if let Some(v) = item.get(key) {
                out.push_str(&format!("{key} = {v}\n"));
            }
        }
    }
    out.push_str("+++\n");
    out
}

/// A bare TOML key, or a quoted one.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        Toml::String(k.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_severities_statuses() {
        for (raw, want) in [
            ("2024-03-05", "2024-03-05"),
            ("2024-03-05 14:02 UTC", "2024-03-05T14:02:00Z"),
            ("March 5, 2024 2:02 PM (UTC)", "2024-03-05T14:02:00Z"),
            ("5 March 2024", "2024-03-05"),
            ("March 5, 2024 → March 6, 2024", "2024-03-05"),
            ("2024-03-05 (Tuesday)", "2024-03-05"),
        ] {
            assert_eq!(
                when(raw).map(|(_, v)| v.to_string()).as_deref(),
                Some(want),
                "{raw}"
            );
        }
        assert!(when("last Tuesday").is_none());
        let c = Config::default();
        assert_eq!(severity(&c, "Sev 2 - major").as_deref(), Some("SEV2"));
        assert_eq!(severity(&c, "sev-1").as_deref(), Some("SEV1"));
        assert_eq!(severity(&c, "3").as_deref(), Some("SEV3"));
        assert_eq!(severity(&c, "High"), None);
        assert_eq!(status("Complete, action items in progress"), "published");
        assert_eq!(status("In review"), "review");
        assert_eq!(ticket_id("see PAY-12 now"), Some("PAY-12"));
    }
}
