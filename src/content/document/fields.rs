//! Reading front matter fields: through the `[fields]` aliases, located in the file, checked
//! and typed (strings, lists, dates).

use super::*;

pub(super) struct Fields<'a, 'd> {
    pub(super) file: &'a Path,
    pub(super) split: &'a Split<'a>,
    /// The front matter's lines, split once (when a key is first located) for every key
    /// located.
    pub(super) lines: std::cell::OnceCell<Vec<&'a str>>,
    pub(super) raw: &'a Map<String, Value>,
    /// The paths of the values that were TOML dates (strings in `raw`).
    pub(super) dates: &'a std::collections::BTreeSet<String>,
    pub(super) config: &'a Config,
    pub(super) diags: &'d mut Vec<Diagnostic>,
    /// Keys of nested tables that are not ours, found on the way.
    pub(super) unknown: Vec<UnknownKey>,
    /// Leave the body empty ([`parse_front_matter`]).
    pub(super) front_only: bool,
}

pub(super) fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Reads a possibly dotted key (`timing.detected`) from the raw map.
pub(super) fn get_path<'v>(raw: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    let mut parts = key.split('.');
    let mut cur = raw.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value of our field `name` in `raw` and the source key it came from, through `sources`
/// (the `[fields]` aliases: another field, the first present of several, several merged, a
/// template); `name` itself when `sources` says nothing of it. The one alias machinery: the
/// front matter is read through it, and `import` reads an export's metadata through it.
pub(crate) fn resolve_field(
    sources: &std::collections::BTreeMap<String, FieldSource>,
    raw: &Map<String, Value>,
    name: &str,
) -> Option<(Value, String)> {
    let Some(source) = sources.get(name) else {
        return get_path(raw, name)
            .filter(|v| present(v))
            .map(|v| (v.clone(), name.to_string()));
    };
    let pick_first = |keys: &[String]| {
        keys.iter().find_map(|k| {
            get_path(raw, k)
                .filter(|v| present(v))
                .map(|v| (v.clone(), k.clone()))
        })
    };
    match source {
        FieldSource::Field(k) => pick_first(std::slice::from_ref(k)),
        FieldSource::First { first } => pick_first(first),
        FieldSource::Merge { merge } => {
            let mut out = Vec::new();
            for k in merge {
                match get_path(raw, k) {
                    Some(Value::Array(a)) => out.extend(a.iter().cloned()),
                    Some(v) if present(v) => out.push(v.clone()),
                    _ => {}
                }
            }
            let origin = merge.first().cloned().unwrap_or_default();
            (!out.is_empty()).then_some((Value::Array(out), origin))
        }
        FieldSource::Template { first, template } => pick_first(first).or_else(|| {
            let mut text = template.clone();
            for (k, v) in raw {
                let val = scalar_text(v).unwrap_or_default();
                text = text.replace(&format!("{{{k}}}"), &val);
            }
            // Placeholders of absent fields vanish.
            while let (Some(a), Some(b)) = (text.find('{'), text.find('}')) {
                if b < a {
                    break;
                }
                text.replace_range(a..=b, "");
            }
            let text = squash_ws(&text);
            (!text.is_empty()).then(|| (Value::String(text), name.to_string()))
        }),
    }
}

impl<'a> Fields<'a, '_> {
    pub(super) fn at(&self, path: &[Step<'_>]) -> (usize, usize) {
        if self.front_only {
            // Only archive-wide rules read this postmortem (`check FILE...` of others): what
            // they find here is not reported, so nothing is located (a scan per key).
            return (self.split.front_line, 1);
        }
        let lines = self
            .lines
            .get_or_init(|| self.split.front.lines().collect());
        locate_in(self.split, lines, path)
    }

    pub(super) fn at_key(&self, key: &str) -> (usize, usize) {
        let steps: Vec<Step<'_>> = key.split('.').map(Step::Key).collect();
        self.at(&steps)
    }

    pub(super) fn error(&mut self, key: &str, rule: &'static str, msg: String) -> &mut Diagnostic {
        let at = self.at_key(key);
        self.diags.push(Diagnostic::error(self.file, at, rule, msg));
        self.diags.last_mut().expect("just pushed")
    }

    /// The value of one of our fields and the source key it came from, through the aliases.
    pub(super) fn field(&self, name: &str) -> Option<(Value, String)> {
        resolve_field(&self.config.fields, self.raw, name)
    }

    /// `text` without bidirectional controls, with a warning at `origin` when it had some: they
    /// can make a title or name read differently from what it is (U+202E reverses what
    /// follows), on every page and feed that shows it.
    pub(super) fn without_bidi(&mut self, origin: &str, text: String) -> String {
        if !text.contains(is_bidi_control) {
            return text;
        }
        self.warn_bidi(origin);
        text.replace(is_bidi_control, "")
    }

    pub(super) fn warn_bidi(&mut self, origin: &str) {
        let at = self.at_key(origin);
        self.diags.push(
            Diagnostic::warning(
                self.file,
                at,
                "schema/bidi-control",
                format!("`{origin}` has invisible bidirectional control characters; they are left out of the site"),
            )
            .suggest("delete them (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)"),
        );
    }

    pub(super) fn string(&mut self, name: &str) -> Option<String> {
        let (v, origin) = self.field(name)?;
        match scalar_text(&v) {
            Some(s) => Some(self.without_bidi(&origin, s.trim().to_string())),
            None => {
                self.error(
                    &origin,
                    "schema/type",
                    format!("`{origin}` must be a string, not {}", kind(&v)),
                );
                None
            }
        }
    }

    pub(super) fn list(&mut self, name: &str) -> Vec<String> {
        let Some((v, origin)) = self.field(name) else {
            return Vec::new();
        };
        if self.dates.contains(&origin) {
            self.error(
                &origin,
                "schema/type",
                format!("`{origin}` must be a list of names; found a date"),
            )
            .suggestion = Some(format!("quote it: `{origin} = [\"...\"]`"));
            return Vec::new();
        }
        // One name stands for a list of one; any other single value is a mistake.
        let mut items: Vec<&Value> = match &v {
            Value::Array(a) => a.iter().collect(),
            Value::String(_) => vec![&v],
            other => {
                self.error(
                    &origin,
                    "schema/type",
                    format!(
                        "`{origin}` must be a list of names (or one name); found {}",
                        kind(other)
                    ),
                )
                .suggestion = Some(format!("write `{origin} = [\"name\"]`"));
                return Vec::new();
            }
        };
        if items.len() > MAX_LIST {
            self.error(
                &origin,
                "schema/too-many",
                format!(
                    "`{origin}` lists {} values; a postmortem may list at most {MAX_LIST}",
                    items.len()
                ),
            );
            items.truncate(MAX_LIST);
        }
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut bidi = false;
        for item in items {
            // Numbers are names (YAML's unquoted `- 2147483647`); booleans are not.
            let text = match item {
                Value::Bool(_) => None,
                other => scalar_text(other),
            };
            match text {
                Some(s) if !s.trim().is_empty() => {
                    let mut s = s.trim().to_string();
                    if s.contains(is_bidi_control) {
                        bidi = true;
                        s = s.replace(is_bidi_control, "");
                    }
                    if seen.insert(s.clone()) {
                        out.push(s);
                    }
                }
                Some(_) => {}
                None => {
                    self.error(
                        &origin,
                        "schema/type",
                        format!("`{origin}` must be a list of strings; found {}", kind(item)),
                    );
                }
            }
        }
        if bidi {
            self.warn_bidi(&origin);
        }
        out
    }

    pub(super) fn when(&mut self, name: &str) -> Option<When> {
        let (v, origin) = self.field(name)?;
        let Some(text) = scalar_text(&v) else {
            self.error(&origin, "schema/date", format!("`{origin}` must be a date"));
            return None;
        };
        match parse_when(&text) {
            Some(w) => Some(w),
            None => {
                self.error(
                    &origin,
                    "schema/date",
                    format!("`{origin}` is not a valid date: `{text}`"),
                )
                .suggestion =
                    Some("use a date (2025-02-03) or RFC 3339 (2025-02-03T14:02:00Z)".into());
                None
            }
        }
    }
}
