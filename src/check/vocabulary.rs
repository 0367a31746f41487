//! Contributing factors from the shared vocabulary: an unknown factor gets the nearest known
//! theme (aliases included) as a suggestion.

use super::{at, LintContext};
use crate::error::Diagnostic;
use crate::model::Postmortem;

pub(super) fn check(pm: &Postmortem, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let themes = &ctx.config.factors.themes;
    if themes.is_empty() {
        return;
    }
    let names: Vec<&str> = themes
        .iter()
        .flat_map(|(slug, t)| {
            std::iter::once(slug.as_str()).chain(t.aliases.iter().map(String::as_str))
        })
        .collect();
    for factor in &pm.factors {
        if themes.contains_key(factor) {
            continue;
        }
        let mut d = Diagnostic::warning(
            &pm.source,
            at(pm, "contributing_factors"),
            "vocabulary/unknown-factor",
            format!("`{factor}` is not in the contributing-factor vocabulary"),
        );
        match crate::content::nearest(factor, names.iter().copied()) {
            Some(n) => {
                let canonical = ctx.config.canonical_factor(n);
                d = d.suggest(format!("did you mean `{canonical}`?"));
            }
            None => {
                d = d.suggest(
                    "use a theme from `[factors.themes]` in pmarchive.toml, or add one there",
                );
            }
        }
        out.push(d);
    }
}
