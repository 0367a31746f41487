use super::*;

fn ctx_parse(src: &str, config: &Config) -> (Option<Postmortem>, Vec<Diagnostic>) {
    let hl = Highlighter::new();
    let ctx = ParseContext {
        config,
        highlighter: &hl,
    };
    parse_document(Path::new("content/a.md"), "a", src, &ctx)
}

#[test]
fn forgetting_check_details_keeps_what_pages_read_and_spares_a_shared_body() {
    let src = "+++\ntitle = \"T\"\nservices = [\"api\"]\n+++\n## Summary\nThe *api* failed.\n";
    let (pm, _) = ctx_parse(src, &Config::default());
    let pm = pm.unwrap();
    assert_eq!(pm.body.sections[0].markdown, "The *api* failed.");
    assert!(pm.locations.contains_key("services") && !pm.front_keys.is_empty());
    let mut alone = pm.clone();
    alone.body = std::sync::Arc::new((*pm.body).clone());
    let mut shared = pm.clone();
    alone.forget_check_details();
    shared.forget_check_details();
    assert!(alone.locations.is_empty() && alone.front_keys.is_empty());
    assert_eq!(alone.body.sections[0].markdown, "");
    assert_eq!(alone.body.sections[0].text, pm.body.sections[0].text);
    assert_eq!(alone.body.html, pm.body.html);
    // A body a cache also holds (`serve`) is left whole.
    assert_eq!(shared.body.sections[0].markdown, "The *api* failed.");
}

#[test]
fn too_deep_is_located_in_the_file_even_after_a_nul() {
    let deep = format!("{}x\n", "> ".repeat(limits::MAX_NESTING + 1));
    for pre in ["", "a\0b\0\n\n"] {
        let src = format!("+++\ntitle = \"T\"\n+++\n## Summary\n{pre}é\n\n{deep}");
        let (pm, d) = ctx_parse(&src, &Config::default());
        assert!(pm.is_none());
        let deep_line = 5 + pre.matches('\n').count() + 2;
        let got: Vec<_> = d
            .iter()
            .filter(|d| d.rule == "schema/too-deep")
            .map(|d| (d.line, d.column))
            .collect();
        // The 101st `> ` opens the level too many.
        assert_eq!(got, [(deep_line, 2 * limits::MAX_NESTING + 1)], "{pre:?}");
    }
    assert_eq!(original_offset("a\0b", 0), 0);
    assert_eq!(original_offset("a\0b", 4), 2);
    assert_eq!(original_offset("a\0b", 5), 3);
}

#[test]
fn dates() {
    assert!(!parse_when("2025-02-03").unwrap().has_time);
    let w = parse_when("2025-02-03T14:02:00-07:00").unwrap();
    assert_eq!(w.at.to_rfc3339(), "2025-02-03T21:02:00+00:00");
    assert!(parse_when("2025-13-03").is_none());
    assert!(parse_when("2019-03-14 16:30:00").is_some());
}

#[test]
fn full_document() {
    let src = "+++\ntitle = \"T\"\ndate = 2025-02-03T14:02:00Z\nseverity = \"sev2\"\ncontributing_factors = [\"Canary too short\"]\n[timing]\ndetected = 2025-02-03T14:09:00Z\n[[action_items]]\nid = \"AI-1\"\ntitle = \"x\"\ndue = 2025-02-17\nstatus = \"open\"\n+++\n## Summary\nHi.\n";
    let (pm, d) = ctx_parse(src, &Config::default());
    assert!(d.is_empty(), "{d:?}");
    let pm = pm.unwrap();
    assert_eq!(pm.id, "a");
    assert_eq!(pm.severity.as_deref(), Some("SEV2"));
    assert_eq!(pm.factors, ["canary-too-short"]);
    assert_eq!(pm.minutes_to(pm.timing.detected), Some(7));
    assert_eq!(pm.action_items[0].line, 8);
}

#[test]
fn every_problem_at_once_with_lines() {
    let src = "+++\ntitle = \"T\"\ndate = \"yesterday\"\nseverity = \"SEV9\"\nstatus = \"gone\"\n[[action_items]]\ndue = \"soon\"\n+++\n";
    let (_, d) = ctx_parse(src, &Config::default());
    let got: Vec<(usize, &str)> = d.iter().map(|d| (d.line, d.rule)).collect();
    assert_eq!(
        got,
        [
            (3, "schema/date"),
            (4, "schema/severity"),
            (5, "schema/status"),
            (7, "schema/date")
        ]
    );
}

#[test]
fn aliases_and_templates() {
    let config = Config::parse(
        Path::new("p.toml"),
        r#"undated = "list"
[fields]
id = "uuid"
date = { first = ["start_time", "source_published_at"] }
services = { merge = ["company", "product"] }
contributing_factors = "categories"
title = { first = ["title"], template = "{company} {product} incident" }
"#,
    )
    .unwrap();
    let src = "---\nuuid: abc-1\ncompany: Acme\nproduct: ''\ncategories: [cloud]\nsource_published_at: 2020-01-02T00:00:00Z\n---\nBody.\n";
    let (pm, d) = ctx_parse(src, &config);
    assert!(d.is_empty(), "{d:?}");
    let pm = pm.unwrap();
    assert_eq!(pm.id, "abc-1");
    assert_eq!(pm.title, "Acme incident");
    assert_eq!(pm.services, ["Acme"]);
    assert_eq!(pm.factors, ["cloud"]);
    assert_eq!(pm.date.unwrap().date().to_string(), "2020-01-02");
    let (pm, d) = ctx_parse("---\nuuid: x\ncompany: A\n---\n", &config);
    assert!(d.is_empty() && pm.unwrap().date.is_none());
}

#[test]
fn participants_and_reviewers_in_toml_and_yaml() {
    let toml = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = [\"ana\", \"bo\"]\n[[participants]]\nname = \"Ana\"\nrole = \" SRE \"\n[[participants]]\nname = \"Bo\"\nrole = \"Incident commander\"\n+++\n";
    let yaml = "---\ntitle: T\ndate: 2025-03-01\nreviewers: [ana, bo]\nparticipants:\n  - name: Ana\n    role: SRE\n  - {name: Bo, role: Incident commander}\n---\n";
    let inline = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = \"ana\"\nparticipants = [{ name = \"Ana\", role = \"SRE\" }, { name = \"Bo\", role = \"Incident commander\" }]\n+++\n";
    for src in [toml, yaml, inline] {
        let (pm, d) = ctx_parse(src, &Config::default());
        assert!(d.is_empty(), "{d:?}");
        let pm = pm.unwrap();
        let got: Vec<(&str, &str)> = pm
            .participants
            .iter()
            .map(|p| (p.name.as_str(), p.role.as_str()))
            .collect();
        assert_eq!(got, [("Ana", "SRE"), ("Bo", "Incident commander")], "{src}");
        let want: &[&str] = if src == inline {
            &["ana"]
        } else {
            &["ana", "bo"]
        };
        assert_eq!(pm.reviewers, want);
    }
    let (pm, d) = ctx_parse(
        "+++\ntitle = \"T\"\ndate = 2025-03-01\n+++\n",
        &Config::default(),
    );
    assert!(d.is_empty());
    let pm = pm.unwrap();
    assert!(pm.participants.is_empty() && pm.reviewers.is_empty());
}

#[test]
fn bad_participants_are_located_all_at_once() {
    let src = "+++\ntitle = \"T\"\ndate = 2025-03-01\nreviewers = [true]\n[[participants]]\nname = \"Ana\"\nrle = \"SRE\"\n[[participants]]\nname = \"Bo\"\nrole = [\"DBA\"]\n[[participants]]\nrole = \"SRE\"\n+++\n";
    let (pm, mut d) = ctx_parse(src, &Config::default());
    d.sort_by_key(|d| d.line);
    let got: Vec<(usize, usize, &str)> = d.iter().map(|d| (d.line, d.column, d.rule)).collect();
    assert_eq!(
        got,
        [
            (4, 13, "schema/type"),       // reviewers = [true]
            (5, 1, "schema/required"),    // participant 1: no role (at its header)
            (7, 7, "schema/unknown-key"), // rle
            (10, 8, "schema/type"),       // role = ["DBA"]
            (11, 1, "schema/required"),   // participant 3: no name
        ],
        "{d:?}"
    );
    assert_eq!(d[2].suggestion.as_deref(), Some("did you mean `role`?"));
    assert!(d[3]
        .message
        .contains("participant 2 `role` must be a string; found a list"));
    assert!(pm.unwrap().participants.is_empty());
    // YAML: a list of names where maps are expected; a map where a list is.
    let src = "---\ntitle: T\ndate: 2025-03-01\nparticipants:\n  - Ana\n  - name: Bo\n    roel: SRE\n---\n";
    let (_, d) = ctx_parse(src, &Config::default());
    let got: Vec<(usize, &str)> = d.iter().map(|d| (d.line, d.rule)).collect();
    assert_eq!(
        got,
        [
            (5, "schema/type"),
            (6, "schema/required"),
            (7, "schema/unknown-key")
        ],
        "{d:?}"
    );
    assert_eq!(d[2].suggestion.as_deref(), Some("did you mean `role`?"));
    let (_, d) = ctx_parse(
        "---\ntitle: T\ndate: 2025-03-01\nparticipants:\n  name: Ana\n---\n",
        &Config::default(),
    );
    assert_eq!((d[0].line, d[0].rule), (4, "schema/type"));
    assert!(d[0].message.contains("found a table"), "{}", d[0].message);
    // An inline array of tables: at the line of `participants`, at its value.
    let (_, d) = ctx_parse(
            "+++\ntitle = \"T\"\ndate = 2025-03-01\nparticipants = [{ name = \"Ana\", rle = \"SRE\" }]\n+++\n",
            &Config::default(),
        );
    let got: Vec<(usize, usize, &str)> = d.iter().map(|d| (d.line, d.column, d.rule)).collect();
    assert_eq!(
        got,
        [(4, 16, "schema/required"), (4, 16, "schema/unknown-key")],
        "{d:?}"
    );
}

#[test]
fn unsafe_ids_rejected() {
    assert!(!valid_id("../etc"));
    assert!(!valid_id(".hidden"));
    assert!(!valid_id("a/b"));
    assert!(valid_id("2025-02-03-fraud.v2"));
}
