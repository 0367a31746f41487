//! Validating the settings once parsed: each section's problems, located in the file, in a
//! fixed order.

use super::*;

impl Config {
    /// Every problem of the settings, section by section, in a fixed order.
    pub(super) fn validate(&self, file: &Path, text: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let at = |needle: &str| {
            text.find(needle)
                .map(|o| line_col(text, o))
                .unwrap_or((1, 1))
        };
        // A name as a quoted TOML string if it is one, else anywhere.
        let at_value = |name: &str| match text.find(&format!("\"{name}\"")) {
            Some(o) => line_col(text, o),
            None => at(name),
        };
        self.validate_fields(file, &at, &mut out);
        self.validate_similar(file, &at, &mut out);
        self.validate_severities(file, &at, &mut out);
        self.validate_factors(file, &at, &mut out);
        self.validate_insights(file, &at, &mut out);
        self.validate_roles(file, &at, &at_value, &mut out);
        hosting::validate_links(&self.links, file, &at, &mut out);
        self.validate_today(file, &at, &mut out);
        self.validate_sections(file, &at, &mut out);
        out
    }

    /// `[fields]` and `[import.fields]`: aliases only of postmortem fields.
    fn validate_fields(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        let aliased = self.fields.keys().map(|k| ("[fields]", k));
        for (table, key) in aliased.chain(self.import.fields.keys().map(|k| ("[import.fields]", k)))
        {
            if !ALIASABLE_FIELDS.contains(&key.as_str()) {
                out.push(
                    Diagnostic::error(
                        file,
                        at(key),
                        "config/unknown-field",
                        format!("`{table}` names `{key}`, which is not a postmortem field"),
                    )
                    .suggest(format!("one of: {}", ALIASABLE_FIELDS.join(", "))),
                );
            }
        }
    }

    /// `[similar]`: the limit and the scores in range.
    fn validate_similar(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        let sim = &self.similar;
        if sim.limit > 50 {
            out.push(Diagnostic::error(
                file,
                at("limit"),
                "config/similar",
                "`[similar] limit` must be at most 50",
            ));
        }
        for (name, v) in [
            ("min_score", sim.min_score),
            ("cluster_score", sim.cluster_score),
            ("model_weight", sim.model_weight),
        ] {
            if !(0.0..=1.0).contains(&v) {
                out.push(Diagnostic::error(
                    file,
                    at(name),
                    "config/similar",
                    format!("`[similar] {name}` must be between 0 and 1"),
                ));
            }
        }
    }

    /// `severities`: at least one level.
    fn validate_severities(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        if self.severities.is_empty() {
            out.push(Diagnostic::error(
                file,
                at("severities"),
                "config/severities",
                "`severities` must list at least one level",
            ));
        }
    }

    /// `[factors]`: theme slugs, and no alias claimed twice.
    fn validate_factors(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = BTreeMap::new();
        for (slug, theme) in &self.factors.themes {
            if slugify(slug) != *slug {
                out.push(
                    Diagnostic::error(
                        file,
                        at(slug),
                        "config/factor-slug",
                        format!("factor theme `{slug}` is not a slug"),
                    )
                    .suggest(format!("use `{}`", slugify(slug))),
                );
            }
            for name in std::iter::once(slug).chain(&theme.aliases) {
                if let Some(prev) = seen.insert(slugify(name), slug.clone()) {
                    if prev != *slug {
                        out.push(Diagnostic::error(
                            file,
                            at(name),
                            "config/factor-alias",
                            format!("`{name}` is claimed by both `{prev}` and `{slug}`"),
                        ));
                    }
                }
            }
        }
    }

    /// `[insights]`: the template target and the minimum of roles.
    fn validate_insights(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        let ins = &self.insights;
        if !(0.0..=1.0).contains(&ins.template_target) {
            out.push(
                Diagnostic::error(
                    file,
                    at("template_target"),
                    "config/insights",
                    "`[insights] template_target` must be between 0 and 1",
                )
                .suggest("a share: 0.9 means 90% of postmortems"),
            );
        }
        if ins.min_roles == 0 {
            out.push(Diagnostic::error(
                file,
                at("min_roles"),
                "config/insights",
                "`[insights] min_roles` must be at least 1",
            ));
        }
    }

    /// `[roles]`: no empty role, and no name claimed by two roles.
    fn validate_roles(&self, file: &Path, at: At<'_>, at_value: At<'_>, out: &mut Vec<Diagnostic>) {
        let mut roles: BTreeMap<String, &str> = BTreeMap::new();
        for (role, aliases) in &self.roles.aliases {
            if fold_role(role).is_empty() {
                out.push(Diagnostic::error(
                    file,
                    at("[roles"),
                    "config/roles",
                    "`[roles] aliases` names an empty role",
                ));
            }
            for name in std::iter::once(role).chain(aliases) {
                if let Some(prev) = roles.insert(fold_role(name), role) {
                    if prev != role {
                        out.push(Diagnostic::error(
                            file,
                            at_value(name),
                            "config/roles",
                            format!(
                                "the role name `{name}` is claimed by both `{prev}` and `{role}`"
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// `today`: a date without a time.
    fn validate_today(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        if let Some(t) = &self.today {
            if self.today_date().is_none() {
                out.push(
                    Diagnostic::error(
                        file,
                        at("today"),
                        "config/today",
                        format!("`today` must be a date without a time, not `{t}`"),
                    )
                    .suggest("for example `today = 2025-12-01`"),
                );
            }
        }
    }

    /// `[sections]`: every required section is a known key.
    fn validate_sections(&self, file: &Path, at: At<'_>, out: &mut Vec<Diagnostic>) {
        let keys: Vec<&str> = self.sections.known.iter().map(|s| s.key.as_str()).collect();
        for req in &self.sections.required {
            if !keys.contains(&req.as_str()) {
                out.push(Diagnostic::error(
                    file,
                    at(req),
                    "config/sections",
                    format!("required section `{req}` is not a known section key"),
                ));
            }
        }
    }
}
