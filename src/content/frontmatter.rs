//! Splits a postmortem file into front matter and body, parses TOML (`+++`) or YAML (`---`)
//! front matter into one neutral map, and locates keys so later checks can point at a line.
//!
//! Everything here works on `&str`; line numbers count from the top of the file.

use serde_json::{Map, Value};

use crate::text::line_col;

/// The syntax of a front-matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `+++` fences, TOML inside.
    Toml,
    /// `---` fences, YAML inside.
    Yaml,
}

/// A file split at its front-matter fences.
#[derive(Debug, Clone)]
pub(crate) struct Split<'a> {
    /// Which syntax the front matter uses.
    pub format: Format,
    /// The text between the fences.
    pub front: &'a str,
    /// 1-based line of the first front-matter line (the line after the opening fence).
    pub front_line: usize,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// A problem located inside the file: (line, column, message, suggestion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub suggestion: Option<String>,
}

/// Splits `src` into front matter and body.
pub(crate) fn split(src: &str) -> Result<Split<'_>, Located> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first_end = src.find('\n').map(|i| i + 1).unwrap_or(src.len());
    let fence = src[..first_end].trim_end();
    let format = match fence {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Err(Located {
                line: 1,
                column: 1,
                message: if src.trim().is_empty() {
                    "the file is empty: a postmortem starts with front matter".into()
                } else {
                    "the file does not start with front matter".into()
                },
                suggestion: Some(
                    "start the file with a `+++` line, the TOML front matter (title, date, ...), and a closing `+++` line"
                        .into(),
                ),
            })
        }
    };
    let mut offset = first_end;
    let mut line = 2;
    while offset < src.len() {
        let end = src[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(src.len());
        if src[offset..end].trim_end() == fence {
            return Ok(Split {
                format,
                front: &src[first_end..offset],
                front_line: 2,
                body: &src[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Located {
        line: 1,
        column: 1,
        message: format!("the front matter opened with `{fence}` on line 1 is never closed"),
        suggestion: Some(format!(
            "add a line with `{fence}` alone after the last front-matter line"
        )),
    })
}

/// Parsed front matter: the neutral map, and which of its values were TOML dates.
#[derive(Debug, Clone, Default)]
pub(crate) struct Front {
    /// Every field (TOML dates become RFC 3339 strings).
    pub map: Map<String, Value>,
    /// Dotted paths (`timing.detected`) of the values that were TOML dates or times, or lists
    /// holding one: in the map they are strings, but a list of names must not take them.
    pub dates: std::collections::BTreeSet<String>,
}

/// Parses the front matter into a map (TOML dates become RFC 3339 strings).
pub(crate) fn parse(split: &Split<'_>) -> Result<Front, Located> {
    let mut dates = std::collections::BTreeSet::new();
    let shift = |(l, c): (usize, usize)| (l + split.front_line - 1, c);
    let value = match split.format {
        Format::Toml => {
            let table: toml::Table = toml::from_str(split.front).map_err(|e| {
                let (line, column) = shift(
                    e.span()
                        .map(|s| line_col(split.front, s.start))
                        .unwrap_or((1, 1)),
                );
                Located {
                    line,
                    column,
                    message: format!("invalid TOML front matter: {}", e.message().trim()),
                    suggestion: None,
                }
            })?;
            for (k, v) in &table {
                collect_dates(k, v, &mut dates);
            }
            toml_to_json(toml::Value::Table(table))
        }
        Format::Yaml => {
            if split.front.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_yaml_ng::from_str::<Value>(split.front).map_err(|e| {
                    let (line, column) = e
                        .location()
                        .map(|l| shift((l.line(), l.column())))
                        .unwrap_or((split.front_line, 1));
                    let msg = e.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    Located {
                        line,
                        column,
                        message: format!("invalid YAML front matter: {msg}"),
                        suggestion: None,
                    }
                })?
            }
        }
    };
    match value {
        Value::Object(map) => Ok(Front { map, dates }),
        Value::Null => Ok(Front::default()),
        _ => Err(Located {
            line: split.front_line,
            column: 1,
            message: "the front matter is not a table of `key = value` fields".into(),
            suggestion: None,
        }),
    }
}

/// [`parse`] keeping only the top-level fields `keep` accepts, and the number of fields. TOML
/// front matter is parsed and every value checked as [`parse`] checks it (what it refuses, this
/// refuses), but the values of the other fields are not built; YAML is parsed in full.
pub(crate) fn parse_some(
    split: &Split<'_>,
    keep: &dyn Fn(&str) -> bool,
) -> Result<(Front, usize), Located> {
    if split.format == Format::Yaml {
        let front = parse(split)?;
        let count = front.map.len();
        return Ok((front, count));
    }
    let located = |e: toml::de::Error| {
        let (line, column) = e
            .span()
            .map(|s| line_col(split.front, s.start))
            .unwrap_or((1, 1));
        Located {
            line: line + split.front_line - 1,
            column,
            message: format!("invalid TOML front matter: {}", e.message().trim()),
            suggestion: None,
        }
    };
    let de = toml::de::Deserializer::parse(split.front).map_err(located)?;
    let (table, count) =
        serde::de::DeserializeSeed::deserialize(Kept { keep }, de).map_err(located)?;
    let mut dates = std::collections::BTreeSet::new();
    for (k, v) in &table {
        collect_dates(k, v, &mut dates);
    }
    match toml_to_json(toml::Value::Table(table)) {
        Value::Object(map) => Ok((Front { map, dates }, count)),
        _ => unreachable!("a table"),
    }
}

/// The top-level table of [`parse_some`]: the fields kept, and how many there are.
struct Kept<'k> {
    keep: &'k dyn Fn(&str) -> bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Kept<'_> {
    type Value = (toml::Table, usize);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Kept<'_> {
    type Value = (toml::Table, usize);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut table = toml::Table::new();
        let mut count = 0;
        while let Some(key) = map.next_key::<String>()? {
            count += 1;
            if (self.keep)(&key) {
                let value: toml::Value = map.next_value()?;
                table.insert(key, value);
            } else {
                map.next_value::<Skipped>()?;
            }
        }
        Ok((table, count))
    }
}

/// A value visited and dropped, refused where `toml::Value` refuses it (an integer outside
/// `i64`), accepted wherever it accepts it.
struct Skipped;

impl<'de> serde::Deserialize<'de> for Skipped {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skipped)
    }
}

impl<'de> serde::de::Visitor<'de> for Skipped {
    type Value = Skipped;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skipped, E> {
        Ok(Skipped)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skipped, E> {
        Ok(Skipped)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Skipped, E> {
        if i64::try_from(v).is_ok() {
            Ok(Skipped)
        } else {
            Err(E::custom("u64 value was too large"))
        }
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skipped, E> {
        Ok(Skipped)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skipped, E> {
        Ok(Skipped)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skipped, A::Error> {
        while seq.next_element::<Skipped>()?.is_some() {}
        Ok(Skipped)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skipped, A::Error> {
        while let Some((Skipped, Skipped)) = map.next_entry::<Skipped, Skipped>()? {}
        Ok(Skipped)
    }
}

/// Records `path` when `v` is a TOML date or a list holding one, and the dates in tables below.
fn collect_dates(path: &str, v: &toml::Value, dates: &mut std::collections::BTreeSet<String>) {
    match v {
        toml::Value::Datetime(_) => {
            dates.insert(path.to_string());
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_datetime()) => {
            dates.insert(path.to_string());
        }
        toml::Value::Table(t) => {
            for (k, x) in t {
                collect_dates(&format!("{path}.{k}"), x, dates);
            }
        }
        _ => {}
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// One step of a key path: a field name or the n-th element of an array of tables.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// A key.
    Key(&'a str),
    /// The n-th (0-based) element of the array named by the previous key.
    Index(usize),
}

/// Finds the (line, column) of the value of `path` in the front matter, falling back to the
/// nearest located parent, then to the first front-matter line.
#[cfg(test)]
fn locate(split: &Split<'_>, path: &[Step<'_>]) -> (usize, usize) {
    let lines: Vec<&str> = split.front.lines().collect();
    locate_in(split, &lines, path)
}

/// [`locate`] with the front matter's lines already split (a document locates many keys).
pub(crate) fn locate_in(split: &Split<'_>, lines: &[&str], path: &[Step<'_>]) -> (usize, usize) {
    let mut from = 0usize;
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < path.len() {
        match (path[i], path.get(i + 1)) {
            (Step::Key(k), Some(Step::Index(n))) => {
                // An array of tables: `[[k]]` headers in TOML, `- ` items under `k:` in YAML.
                let header = format!("[[{k}]]");
                let found = match split.format {
                    Format::Toml => lines
                        .iter()
                        .enumerate()
                        .skip(from)
                        .filter(|(_, l)| l.trim() == header)
                        .nth(*n)
                        .map(|(idx, _)| (idx, 0)),
                    Format::Yaml => find_key(lines, from, k).and_then(|(idx, _)| {
                        lines
                            .iter()
                            .enumerate()
                            .skip(idx + 1)
                            .filter(|(_, l)| l.trim_start().starts_with("- "))
                            .nth(*n)
                            .map(|(j, l)| (j, l.len() - l.trim_start().len() + 2))
                    }),
                };
                match found {
                    Some((idx, col)) => {
                        from = idx + usize::from(split.format == Format::Toml);
                        best = Some((idx, col));
                    }
                    None => {
                        // An inline array (`k = [{ ... }]`): the key's line.
                        if let Some((idx, col)) = find_key(lines, from, k) {
                            best = Some((idx, col));
                        }
                        break;
                    }
                }
                i += 2;
            }
            (Step::Key(k), _) => {
                let table = format!("[{k}]");
                let header = lines
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, l)| l.trim() == table);
                if let (Format::Toml, Some((idx, _))) = (split.format, header) {
                    from = idx + 1;
                    best = Some((idx, 0));
                } else if let Some((idx, col)) = find_key(lines, from, k) {
                    from = idx + 1;
                    best = Some((idx, col));
                } else {
                    break;
                }
                i += 1;
            }
            (Step::Index(_), _) => i += 1,
        }
    }
    match best {
        Some((idx, col)) => (split.front_line + idx, col + 1),
        None => (split.front_line.saturating_sub(1).max(1), 1),
    }
}

/// The line index and value column of `key = ...` / `key: ...` at or after line `from`.
fn find_key(lines: &[&str], from: usize, key: &str) -> Option<(usize, usize)> {
    let spellings = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    for (idx, line) in lines.iter().enumerate().skip(from) {
        let t = line.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t);
        let indent = line.len() - t.len();
        for quoted in &spellings {
            if let Some(rest) = t.strip_prefix(quoted.as_str()) {
                let after = rest.trim_start();
                if after.starts_with('=') || after.starts_with(':') {
                    let value = after[1..].trim_start();
                    let col = indent + quoted.len() + (rest.len() - value.len());
                    return Some((idx, col));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_some_keeps_some_fields_and_refuses_what_parse_refuses() {
        let text = "+++\nid = \"a\"\ndate = 2025-01-01\nsummary = \"s\"\n\n[impact]\nusers_affected = 5\n\n[[action_items]]\ndue = 2025-02-01\n+++\n";
        let split = split(text).unwrap();
        let (front, count) = parse_some(&split, &|k| k == "id" || k == "date").unwrap();
        assert_eq!(count, 5);
        assert_eq!(front.map.keys().collect::<Vec<_>>(), ["date", "id"]);
        assert!(front.dates.contains("date"));
        let full = parse(&split).unwrap();
        assert_eq!(full.map["date"], front.map["date"]);
        // An integer toml::Value cannot hold is refused in a field not kept, as parse refuses it.
        for bad in [
            "+++\nid = \"a\"\n[impact]\nx = 9223372036854775808\n+++\n",
            "+++\nx = [1, \"a\"\n+++\n",
        ] {
            let split = super::split(bad).unwrap();
            assert!(parse(&split).is_err(), "{bad}");
            assert!(parse_some(&split, &|k| k == "id").is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_toml_and_counts_lines() {
        let s = split("+++\ntitle = \"x\"\n+++\n\n## Summary\n").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body_line, 4);
        assert!(s.body.contains("## Summary"));
    }

    #[test]
    fn unclosed_and_missing() {
        assert!(split("+++\ntitle = 1\n")
            .unwrap_err()
            .message
            .contains("never closed"));
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("# hi")
            .unwrap_err()
            .message
            .contains("does not start"));
    }

    #[test]
    fn toml_error_is_located_in_file_lines() {
        let s = split("+++\ntitle = \"x\"\ndate = \n+++\n").unwrap();
        let e = parse(&s).unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn yaml_parses_and_errors_locate() {
        let s = split("---\ntitle: x\ncategories:\n- cloud\n---\nbody").unwrap();
        let m = parse(&s).unwrap().map;
        assert_eq!(m["categories"][0], "cloud");
        let s = split("---\ntitle: x\n  bad: [\n---\n").unwrap();
        assert!(parse(&s).unwrap_err().line >= 3);
    }

    #[test]
    fn toml_dates_become_strings() {
        let s = split("+++\ndate = 2025-02-03T14:02:00Z\nd = 2025-02-06\n+++\n").unwrap();
        let f = parse(&s).unwrap();
        assert_eq!(f.map["date"], "2025-02-03T14:02:00Z");
        assert_eq!(f.map["d"], "2025-02-06");
        assert!(f.dates.contains("date") && f.dates.contains("d"));
    }

    #[test]
    fn locates_nested_keys() {
        let src = "+++\ntitle = \"x\"\nseverity = \"SEV9\"\n[timing]\ndetected = 1\n[[action_items]]\nid = \"a\"\n[[action_items]]\nid = \"b\"\ndue = 3\n+++\n";
        let s = split(src).unwrap();
        assert_eq!(locate(&s, &[Step::Key("severity")]), (3, 12));
        assert_eq!(
            locate(&s, &[Step::Key("timing"), Step::Key("detected")]).0,
            5
        );
        let p = [Step::Key("action_items"), Step::Index(1), Step::Key("due")];
        assert_eq!(locate(&s, &p).0, 10);
        let p = [
            Step::Key("action_items"),
            Step::Index(1),
            Step::Key("owner"),
        ];
        assert_eq!(locate(&s, &p).0, 8);
    }
}
