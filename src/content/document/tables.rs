//! The other nested tables: `[timing]` and `[[participants]]`.

use super::*;

impl Fields<'_, '_> {
    /// `[timing]` must be a table; its keys not ours are noted for the unknown-field lint.
    pub(super) fn timing_table(&mut self) {
        let Some(v) = self.raw.get("timing") else {
            return;
        };
        let Some(table) = v.as_object() else {
            let found = kind(v);
            self.error(
                "timing",
                "schema/type",
                format!("`timing` must be a table of dates; found {found}"),
            )
            .suggestion =
                Some("write `[timing]` with `detected = 2025-02-03T14:09:00Z` and so on".into());
            return;
        };
        let found = nested::unknown_keys(
            self.config,
            "timing",
            "`[timing]`",
            table,
            nested::TIMING_KEYS,
            &|k| self.at(&[Step::Key("timing"), Step::Key(k)]),
        );
        self.unknown.extend(found);
    }
}

/// The keys of a `[[participants]]` table.
pub(super) const PARTICIPANT_KEYS: &[&str] = &["name", "role"];

impl<'a> Fields<'a, '_> {
    /// `participants`: a list of `{ name, role }` tables (`[[participants]]` in TOML, a list of
    /// maps in YAML). Each table must have both, as text; any other key is an error naming the
    /// nearest known one.
    pub(super) fn participants(&mut self) -> Vec<Participant> {
        let Some(items) = self.participant_tables() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.participant(i, item))
            .collect()
    }

    /// The `participants` tables (at most [`MAX_LIST`]); `None` when there are none or
    /// `participants` is not a list (reported).
    pub(super) fn participant_tables(&mut self) -> Option<&'a [Value]> {
        let v = self.raw.get("participants")?;
        let Some(items) = v.as_array() else {
            self.error(
                "participants",
                "schema/type",
                format!(
                    "`participants` must be a list of tables with `name` and `role`; found {}",
                    kind(v)
                ),
            )
            .suggestion = Some(
                "write `[[participants]]` tables (TOML) or a list of maps (YAML), each with `name` and `role`".into(),
            );
            return None;
        };
        let mut items: &[Value] = items;
        if items.len() > MAX_LIST {
            self.error(
                "participants",
                "schema/too-many",
                format!(
                    "`participants` lists {} people; a postmortem may list at most {MAX_LIST}",
                    items.len()
                ),
            );
            items = &items[..MAX_LIST];
        }
        Some(items)
    }

    /// Participant `i` (0-based), `None` unless it is a table with a text `name` and `role`
    /// and nothing else (every problem reported).
    pub(super) fn participant(&mut self, i: usize, item: &Value) -> Option<Participant> {
        let header = [Step::Key("participants"), Step::Index(i)];
        let Some(t) = item.as_object() else {
            let at = self.at(&header);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!(
                        "participant {} must be a table with `name` and `role`; found {}",
                        i + 1,
                        kind(item)
                    ),
                )
                .suggest("write `{ name = \"...\", role = \"...\" }`"),
            );
            return None;
        };
        let mut p = Participant::default();
        let mut complete = true;
        for key in PARTICIPANT_KEYS {
            complete &= self.participant_field(i, t, key, &mut p);
        }
        for key in t.keys().filter(|k| !PARTICIPANT_KEYS.contains(&k.as_str())) {
            let at = self.at(&[Step::Key("participants"), Step::Index(i), Step::Key(key)]);
            let mut d = Diagnostic::error(
                self.file,
                at,
                "schema/unknown-key",
                format!("participant {} has an unknown key `{key}`", i + 1),
            );
            d = match crate::content::nearest(key, PARTICIPANT_KEYS.iter().copied()) {
                Some(n) => d.suggest(format!("did you mean `{n}`?")),
                None => d.suggest("a participant has only `name` and `role`"),
            };
            self.diags.push(d);
            complete = false;
        }
        complete.then_some(p)
    }

    /// Reads `key` (`name` or `role`) of participant `i` (table `t`) into `p`; false when it
    /// is missing or not text (reported).
    pub(super) fn participant_field(
        &mut self,
        i: usize,
        t: &Map<String, Value>,
        key: &'static str,
        p: &mut Participant,
    ) -> bool {
        let header = [Step::Key("participants"), Step::Index(i)];
        let mut complete = true;
        let path = [Step::Key("participants"), Step::Index(i), Step::Key(key)];
        let text = match t.get(key) {
            Some(Value::Bool(_)) | Some(Value::Array(_)) | Some(Value::Object(_)) => {
                let at = self.at(&path);
                let found = kind(&t[key]);
                self.diags.push(Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!(
                        "participant {} `{key}` must be a string; found {found}",
                        i + 1
                    ),
                ));
                return false;
            }
            Some(v) => scalar_text(v).unwrap_or_default(),
            None => String::new(),
        };
        let mut text = text.trim().to_string();
        if text.contains(is_bidi_control) {
            let at = self.at(&path);
            self.diags.push(Diagnostic::warning(
                self.file,
                at,
                "schema/bidi-control",
                format!("participant {} `{key}` has invisible bidirectional control characters; they are left out of the site", i + 1),
            ));
            text = text.replace(is_bidi_control, "").trim().to_string();
        }
        if text.is_empty() {
            // At the table: a key it lacks has no line of its own.
            let at = self.at(&header);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/required",
                    format!("participant {} has no `{key}`", i + 1),
                )
                .suggest(format!("add `{key} = \"...\"` to it")),
            );
            complete = false;
        }
        if key == "name" {
            p.name = text;
        } else {
            p.role = text;
        }
        complete
    }
}
