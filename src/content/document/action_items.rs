//! The `[[action_items]]` tables.

use super::*;

impl<'a> Fields<'a, '_> {
    pub(super) fn action_items(&mut self) -> Vec<ActionItem> {
        let Some(items) = self.action_item_tables() else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.action_item(i, item))
            .collect()
    }

    /// The `[[action_items]]` tables (at most [`limits::MAX_ACTION_ITEMS`]); `None` when there
    /// are none or `action_items` is not a list (reported).
    pub(super) fn action_item_tables(&mut self) -> Option<&'a [Value]> {
        let v = self.raw.get("action_items")?;
        let Some(items) = v.as_array() else {
            self.error(
                "action_items",
                "schema/type",
                "`action_items` must be an array of tables (`[[action_items]]`)".into(),
            );
            return None;
        };
        let mut items: &[Value] = items;
        if items.len() > limits::MAX_ACTION_ITEMS {
            self.error(
                "action_items",
                "schema/too-many",
                format!(
                    "{} action items; a postmortem may have at most {}",
                    items.len(),
                    limits::MAX_ACTION_ITEMS
                ),
            );
            items = &items[..limits::MAX_ACTION_ITEMS];
        }
        Some(items)
    }

    /// Action item `i` (0-based), `None` when it is not a table (reported); every bad field
    /// is reported and left out.
    pub(super) fn action_item(&mut self, i: usize, item: &Value) -> Option<ActionItem> {
        let header = [Step::Key("action_items"), Step::Index(i)];
        let Some(t) = item.as_object() else {
            let at = self.at(&header);
            self.diags.push(Diagnostic::error(
                self.file,
                at,
                "schema/type",
                "each action item must be a table",
            ));
            return None;
        };
        let mut ai = ActionItem {
            line: self.at(&header).0,
            ..ActionItem::default()
        };
        let found = nested::unknown_keys(
            self.config,
            "action_items",
            &format!("action item {}", i + 1),
            t,
            nested::ACTION_ITEM_KEYS,
            &|k| self.at(&[Step::Key("action_items"), Step::Index(i), Step::Key(k)]),
        );
        self.unknown.extend(found);
        let mut words = ItemWords::default();
        for (key, value) in t {
            self.action_item_field(i, key, value, &mut ai, &mut words);
        }
        self.action_item_url(i, &mut ai);
        self.action_item_words(i, &mut ai, &words);
        Some(ai)
    }

    /// Reads one `key = value` of action item `i` into `ai` (its status, kind and priority as
    /// written into `words`, parsed once all are read).
    pub(super) fn action_item_field(
        &mut self,
        i: usize,
        key: &str,
        value: &Value,
        ai: &mut ActionItem,
        words: &mut ItemWords,
    ) {
        let path = [Step::Key("action_items"), Step::Index(i), Step::Key(key)];
        let text = scalar_text(value);
        let slot = match key {
            "id" => &mut ai.id,
            "title" => &mut ai.title,
            "owner" => &mut ai.owner,
            "status" => &mut words.status,
            "kind" => &mut words.kind,
            "priority" => &mut words.priority,
            "ticket" => &mut ai.ticket,
            "url" => &mut ai.url,
            "due" | "closed" => {
                let date = text.as_deref().and_then(parse_when).map(|w| w.date());
                if date.is_none() {
                    let at = self.at(&path);
                    self.diags.push(
                        Diagnostic::error(
                            self.file,
                            at,
                            "schema/date",
                            format!("action item `{key}` is not a valid date"),
                        )
                        .suggest("use a date such as 2025-02-17"),
                    );
                }
                if key == "due" {
                    ai.due = date;
                } else {
                    ai.closed = date;
                }
                return;
            }
            _ => return,
        };
        match text {
            Some(s) if s.contains(is_bidi_control) => {
                let at = self.at(&path);
                self.diags.push(Diagnostic::warning(
                    self.file,
                    at,
                    "schema/bidi-control",
                    format!("action item `{key}` has invisible bidirectional control characters; they are left out of the site"),
                ));
                *slot = s.replace(is_bidi_control, "").trim().to_string();
            }
            Some(s) => *slot = s.trim().to_string(),
            None => {
                let at = self.at(&path);
                self.diags.push(Diagnostic::error(
                    self.file,
                    at,
                    "schema/type",
                    format!("action item `{key}` must be a string"),
                ));
            }
        }
    }

    /// An action item's `url` must be a web address (else reported and dropped).
    pub(super) fn action_item_url(&mut self, i: usize, ai: &mut ActionItem) {
        if !ai.url.is_empty() && !crate::weburl::is_web_url(&ai.url) {
            let at = self.at(&[Step::Key("action_items"), Step::Index(i), Step::Key("url")]);
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    at,
                    "schema/url",
                    "action item `url` must be an http:// or https:// address",
                )
                .suggest("link the tracker's page, or give its id as `ticket` (linked through `[links] ticket`)"),
            );
            ai.url.clear();
        }
    }

    /// Parses the status, kind and priority of action item `i` once: an unknown status is an
    /// error, an unknown kind or priority a warning (left out of the site).
    pub(super) fn action_item_words(&mut self, i: usize, ai: &mut ActionItem, words: &ItemWords) {
        let at = |this: &Self, key: &str| {
            this.at(&[Step::Key("action_items"), Step::Index(i), Step::Key(key)])
        };
        if !words.status.is_empty() {
            ai.status = ItemStatus::parse(&words.status);
            ai.status_unknown = ai.status.is_none();
            if ai.status_unknown {
                let at = at(self, "status");
                self.diags.push(
                    Diagnostic::error(
                        self.file,
                        at,
                        "schema/status",
                        format!("unknown action item status `{}`", words.status),
                    )
                    .suggest(format!("one of: {}", ItemStatus::list())),
                );
            }
        }
        if !words.kind.is_empty() {
            ai.kind = ItemKind::parse(&words.kind);
            if ai.kind.is_none() {
                let at = at(self, "kind");
                self.diags.push(
                    Diagnostic::warning(
                        self.file,
                        at,
                        "schema/kind",
                        format!(
                            "unknown action item kind `{}`; it is left out of the site",
                            words.kind
                        ),
                    )
                    .suggest(format!("one of: {}", ItemKind::list())),
                );
            }
        }
        if !words.priority.is_empty() {
            ai.priority = Priority::parse(&words.priority);
            if ai.priority.is_none() {
                let at = at(self, "priority");
                self.diags.push(
                    Diagnostic::warning(
                        self.file,
                        at,
                        "schema/priority",
                        format!(
                            "unknown action item priority `{}`; it is left out of the site",
                            words.priority
                        ),
                    )
                    .suggest(format!("one of: {}", Priority::list())),
                );
            }
        }
    }
}

/// An action item's status, kind and priority as written (trimmed), `""` when not given.
#[derive(Default)]
pub(super) struct ItemWords {
    pub(super) status: String,
    pub(super) kind: String,
    pub(super) priority: String,
}
