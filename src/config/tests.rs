//! The configuration's unit tests.

use super::*;

#[test]
fn defaults_without_file() {
    let c = Config::parse(Path::new("x.toml"), "").unwrap();
    assert_eq!(c.severities.len(), 4);
    assert_eq!(c.sections.required.len(), 8);
    assert_eq!(c.undated, Undated::Error);
}

#[test]
fn aliases_fold_factors() {
    let c = Config::parse(
        Path::new("x.toml"),
        "[factors.themes.config-change]\naliases = [\"bad-config\"]\n",
    )
    .unwrap();
    assert_eq!(c.canonical_factor("Bad Config"), "config-change");
    assert_eq!(c.canonical_factor("dns"), "dns");
}

#[test]
fn roles_fold_case_spaces_and_aliases() {
    let c = Config::parse(
        Path::new("x.toml"),
        "[roles.aliases]\n\"Incident commander\" = [\"IC\", \"incident  lead\"]\n",
    )
    .unwrap();
    assert_eq!(c.canonical_role(" SRE "), "sre");
    assert_eq!(c.canonical_role("ic"), "incident commander");
    assert_eq!(c.canonical_role("Incident Lead"), "incident commander");
    assert_eq!(c.canonical_role("INCIDENT commander"), "incident commander");
    assert_eq!(c.insights.min_roles, 3);
    assert_eq!(c.insights.template_target, 0.9);
}

#[test]
fn bad_insights_and_roles_are_located_all_at_once() {
    let text = "[insights]\ntemplate_target = 90\nmin_roles = 0\n[roles.aliases]\nsre = [\"ops\"]\ndba = [\"Ops\"]\n";
    let e = Config::parse(Path::new("x.toml"), text).unwrap_err();
    let got: Vec<(usize, &str)> = e.iter().map(|d| (d.line, d.rule)).collect();
    assert_eq!(
        got,
        [
            (2, "config/insights"),
            (3, "config/insights"),
            (5, "config/roles")
        ]
    );
    assert!(e[2].message.contains("`ops`") && e[2].message.contains("`dba` and `sre`"));
    let e = Config::parse(Path::new("x.toml"), "[insights]\nmin_role = 2\n").unwrap_err();
    assert_eq!((e[0].line, e[0].rule), (2, "config/syntax"));
    assert!(e[0].message.contains("min_roles"), "{}", e[0].message);
}

#[test]
fn field_sources_parse() {
    let c = Config::parse(
        Path::new("x.toml"),
        r#"[fields]
id = "uuid"
date = { first = ["start_time", "source_published_at"] }
services = { merge = ["company", "product"] }
title = { first = ["title"], template = "{company} incident" }
"#,
    )
    .unwrap();
    assert!(matches!(c.fields["id"], FieldSource::Field(_)));
    assert!(matches!(c.fields["date"], FieldSource::First { .. }));
    assert!(matches!(c.fields["services"], FieldSource::Merge { .. }));
    assert!(matches!(c.fields["title"], FieldSource::Template { .. }));
}

#[test]
fn bad_config_is_located() {
    let e = Config::parse(Path::new("x.toml"), "title = \"t\"\nlatest = \"x\"\n").unwrap_err();
    assert_eq!((e[0].line, e[0].column), (2, 10));
    let e = Config::parse(Path::new("x.toml"), "[fields]\nowner = \"x\"\n").unwrap_err();
    assert_eq!((e[0].line, e[0].rule), (2, "config/unknown-field"));
}
