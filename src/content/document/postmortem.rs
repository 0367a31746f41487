//! The postmortem's own fields, built from the front matter in the order they are reported.

use super::*;

impl<'a> Fields<'a, '_> {
    pub(super) fn build(&mut self, stem: &str, ctx: &ParseContext<'_>) -> Option<Postmortem> {
        let id = self.id(stem);
        let title = self.title();
        let date = self.date();
        let severity = self.severity();
        let status = self.status();
        let visibility = self.visibility();
        // What only the postmortem's own rules and pages read: not computed for the others of
        // `check FILE...` (archive-wide rules read ids, titles, dates, status, visibility,
        // names and links).
        let full = !self.front_only;
        let story = if full { self.story() } else { Story::default() };
        let names = self.names(full);
        let follow_up = if full {
            self.follow_up()
        } else {
            FollowUp::default()
        };
        let body = self.body(date, ctx)?;
        let locations = self.locations();
        let front_keys = if full {
            self.raw.keys().cloned().collect()
        } else {
            Vec::new()
        };
        let lint_allow = match self.raw.get("lint_allow").filter(|_| full) {
            None => Vec::new(),
            Some(_) => self.list("lint_allow"),
        };
        Some(Postmortem {
            id,
            source: self.file.to_path_buf(),
            title,
            date,
            severity,
            status,
            visibility,
            summary: story.summary,
            services: names.services,
            teams: names.teams,
            authors: names.authors,
            factors: story.factors,
            tags: names.tags,
            recurrence_of: names.recurrence_of,
            similar_pinned: names.similar_pinned,
            similar_hidden: names.similar_hidden,
            near_miss: story.near_miss,
            timing: story.timing,
            impact: follow_up.impact,
            action_items: follow_up.action_items,
            participants: follow_up.participants,
            reviewers: follow_up.reviewers,
            source_url: follow_up.source_url,
            body: body.into(),
            locations,
            front_keys,
            unknown_keys: std::mem::take(&mut self.unknown),
            lint_allow,
            files: Vec::new(),
        })
    }

    /// The summary, near miss, contributing factors and timing (the postmortem's own pages
    /// only).
    fn story(&mut self) -> Story {
        let summary = self
            .string("summary")
            .map(|s| squash_ws(&s))
            .unwrap_or_default();
        let near_miss = self.near_miss();
        let factors = self.factors();
        let timing = Timing {
            detected: self.when("timing.detected"),
            mitigated: self.when("timing.mitigated"),
            resolved: self.when("timing.resolved"),
            published: self.when("timing.published"),
        };
        self.timing_table();
        Story {
            summary,
            near_miss,
            factors,
            timing,
        }
    }

    /// The lists of names and links; the authors only when `full`.
    fn names(&mut self, full: bool) -> Names {
        Names {
            services: self.list("services"),
            teams: self.list("teams"),
            authors: if full {
                self.list("authors")
            } else {
                Vec::new()
            },
            tags: self.list("tags"),
            recurrence_of: self.list("recurrence_of"),
            similar_pinned: self.list("similar_pinned"),
            similar_hidden: self.list("similar_hidden"),
        }
    }

    /// The source URL, impact, action items, participants and reviewers (the postmortem's own
    /// pages only).
    fn follow_up(&mut self) -> FollowUp {
        FollowUp {
            source_url: self.string("source_url").filter(|s| !s.is_empty()),
            impact: self.impact(),
            action_items: self.action_items(),
            participants: self.participants(),
            reviewers: self.list("reviewers"),
        }
    }

    /// The id: `id`, else the file stem; an unusable one is reported.
    pub(super) fn id(&mut self, stem: &str) -> String {
        let id = self.string("id").unwrap_or_else(|| stem.to_string());
        let key = if self.field("id").is_some() { "id" } else { "" };
        if id.len() > MAX_ID {
            self.error(
                key,
                "schema/id",
                format!(
                    "the id is {} characters long; an id may have at most {MAX_ID}",
                    id.chars().count()
                ),
            )
            .suggestion = Some("set a shorter `id` (it becomes the page's folder name)".into());
        } else if !valid_id(&id) {
            self.error(
            key,
            "schema/id",
            format!("`{id}` is not a valid id: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"),
        );
        } else if let Some(reserved) = reserved_id(&id) {
            self.error(
            key,
            "schema/id",
            format!("the id `{id}` is a name the site uses itself (`postmortems/{reserved}`, `recurring/{reserved}`)"),
        )
        .suggestion = Some(if key.is_empty() {
            "rename the file, or set another `id`".into()
        } else {
            "choose another `id`".into()
        });
        }
        id
    }

    /// `title`, required.
    pub(super) fn title(&mut self) -> String {
        match self.string("title") {
            Some(t) if !t.is_empty() => t,
            _ => {
                self.error("title", "schema/required", "`title` is required".into())
                    .suggestion = Some("add `title = \"What broke, in a few words\"`".into());
                String::new()
            }
        }
    }

    /// The incident's `date`; its absence is an error when the archive says so.
    pub(super) fn date(&mut self) -> Option<When> {
        let date = self.when("date");
        if date.is_none() && self.field("date").is_none() && self.config.undated == Undated::Error {
            self.error("date", "schema/required", "`date` is required".into())
                .suggestion = Some("add `date = 2025-02-03T14:02:00Z` (when the incident started), or set `undated = \"list\"` in pmarchive.toml".into());
        }
        date
    }

    /// `severity`, one of the configured levels.
    pub(super) fn severity(&mut self) -> Option<String> {
        match self.string("severity") {
            Some(s) => match self.config.severity(&s) {
                Some(level) => Some(level.to_string()),
                None => {
                    let levels = self.config.severities.join(", ");
                    let origin = self.field("severity").map(|x| x.1).unwrap_or_default();
                    self.error(
                        &origin,
                        "schema/severity",
                        format!("unknown severity `{s}`"),
                    )
                    .suggestion = Some(format!("one of: {levels}"));
                    None
                }
            },
            None => None,
        }
    }

    /// `status`, `published` when not given.
    pub(super) fn status(&mut self) -> Status {
        match self.string("status").as_deref() {
            None | Some("published") => Status::Published,
            Some("draft") => Status::Draft,
            Some("review") => Status::Review,
            Some(other) => {
                self.error(
                    "status",
                    "schema/status",
                    format!("unknown status `{other}`"),
                )
                .suggestion = Some("one of: draft, review, published".into());
                Status::Published
            }
        }
    }

    /// `visibility`, `internal` when not given; restricted when unreadable (fail closed).
    pub(super) fn visibility(&mut self) -> Visibility {
        match self.string("visibility").as_deref() {
            None | Some("internal") => Visibility::Internal,
            Some("restricted") => Visibility::Restricted,
            Some(other) => {
                self.error(
                    "visibility",
                    "schema/visibility",
                    format!("unknown visibility `{other}`"),
                )
                .suggestion = Some("one of: internal, restricted".into());
                // Fail closed: an unreadable visibility must not publish.
                Visibility::Restricted
            }
        }
    }

    /// `near_miss`, a boolean.
    pub(super) fn near_miss(&mut self) -> bool {
        match self.field("near_miss") {
            None => false,
            Some((Value::Bool(b), _)) => b,
            Some((_, origin)) => {
                self.error(
                    &origin,
                    "schema/type",
                    format!("`{origin}` must be true or false"),
                );
                false
            }
        }
    }

    /// The contributing factors, canonical and once each.
    pub(super) fn factors(&mut self) -> Vec<String> {
        let mut factors = Vec::new();
        for f in self.list("contributing_factors") {
            let slug = self.config.canonical_factor(&f);
            if !factors.contains(&slug) {
                factors.push(slug);
            }
        }
        factors
    }

    /// The body, parsed (empty when only the front matter is read); a body over a limit is reported.
    pub(super) fn body(
        &mut self,
        date: Option<When>,
        ctx: &ParseContext<'_>,
    ) -> Option<crate::model::Body> {
        // CommonMark: U+0000 must become U+FFFD (it would otherwise reach the page as is).
        let text: std::borrow::Cow<'_, str> = if self.split.body.contains('\0') {
            self.split.body.replace('\0', "\u{fffd}").into()
        } else {
            self.split.body.into()
        };
        let parsed = if self.front_only {
            Ok(crate::model::Body::default())
        } else {
            markdown::parse_body(
                &text,
                self.split.body_line,
                date,
                &markdown::BodyOptions {
                    sections: &self.config.sections.known,
                    sanitize: !self.config.trusted_html,
                    highlighter: ctx.highlighter,
                    file: self.file,
                },
            )
        };
        match parsed {
            Ok(body) => Some(body),
            Err(over) => {
                let (at, rule, message, help) = match over {
                    markdown::OverLimit::TooDeep(at) => (
                        at,
                        "schema/too-deep",
                        format!(
                            "lists, quotes or HTML elements nest more than {} levels deep here",
                            limits::MAX_NESTING
                        ),
                        "flatten the nesting",
                    ),
                    markdown::OverLimit::TooMuchMarkup(at) => (
                        at,
                        "schema/too-many",
                        format!(
                            "the body has more than {} lines and Markdown markup characters (`[`, `*`, `_`, `<`, `|`...) outside code blocks: this one is over the limit",
                            limits::MAX_MARKUP
                        ),
                        "put logs and data in fenced code blocks (```), or split the postmortem",
                    ),
                };
                let before = &self.split.body[..original_offset(self.split.body, at)];
                let line = self.split.body_line + before.matches('\n').count();
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                self.diags.push(
                    Diagnostic::error(self.file, (line, column), rule, message).suggest(help),
                );
                None
            }
        }
    }

    /// Where each key is: the aliased fields at their source key, every other key of the front matter.
    pub(super) fn locations(&self) -> std::collections::BTreeMap<String, (usize, usize)> {
        let mut locations = std::collections::BTreeMap::new();
        let located = if self.front_only {
            &[][..]
        } else {
            crate::config::ALIASABLE_FIELDS
        };
        for name in located {
            if let Some((_, origin)) = self.field(name) {
                locations.insert(name.to_string(), self.at_key(&origin));
            }
        }
        for key in self.raw.keys().filter(|_| !self.front_only) {
            locations
                .entry(key.clone())
                .or_insert_with(|| self.at_key(key));
        }
        locations
    }

    pub(super) fn impact(&mut self) -> Vec<ImpactFigure> {
        let Some(v) = self.raw.get("impact") else {
            return Vec::new();
        };
        let Some(table) = v.as_object() else {
            self.error("impact", "schema/type", "`impact` must be a table".into());
            return Vec::new();
        };
        let found = nested::unknown_keys(
            self.config,
            "impact",
            "`[impact]`",
            table,
            nested::IMPACT_KEYS,
            &|k| self.at(&[Step::Key("impact"), Step::Key(k)]),
        );
        self.unknown.extend(found);
        let mut out = Vec::new();
        for (k, v) in table {
            match v.as_f64() {
                Some(x) => out.push(ImpactFigure {
                    key: k.clone(),
                    value: x,
                }),
                None => {
                    self.error(
                        &format!("impact.{k}"),
                        "schema/type",
                        format!("`impact.{k}` must be a number"),
                    );
                }
            }
        }
        out
    }
}

/// The summary, near miss, contributing factors and timing of a postmortem.
#[derive(Default)]
struct Story {
    summary: String,
    near_miss: bool,
    factors: Vec<String>,
    timing: Timing,
}

/// The names and links of a postmortem.
struct Names {
    services: Vec<String>,
    teams: Vec<String>,
    authors: Vec<String>,
    tags: Vec<String>,
    recurrence_of: Vec<String>,
    similar_pinned: Vec<String>,
    similar_hidden: Vec<String>,
}

/// What a postmortem says of its follow-up: source, impact, action items, who took part.
#[derive(Default)]
struct FollowUp {
    source_url: Option<String>,
    impact: Vec<ImpactFigure>,
    action_items: Vec<ActionItem>,
    participants: Vec<Participant>,
    reviewers: Vec<String>,
}
