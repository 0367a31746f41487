//! `pmarchive check` and `pmarchive new`.

use crate::harness::{pmarchive, Site};

pub(crate) const CLEAN: &str = r#"+++
title = "Checkout errors after fraud-check deploy"
date = 2025-02-03T14:02:00Z
severity = "SEV2"
summary = "Checkout failed for 13 minutes."
services = ["checkout"]
contributing_factors = ["canary-too-short"]

[timing]
detected = 2025-02-03T14:09:00Z
mitigated = 2025-02-03T14:15:00Z
resolved = 2025-02-03T14:40:00Z
published = 2025-02-06

[[action_items]]
id = "AI-1"
title = "Replay peak batch-size distributions in the fraud-check load test"
owner = "payments-infra"
due = 2025-02-17
status = "done"
closed = 2025-02-15
+++

## Summary

Checkout failed for 13 minutes.

## Timeline

- 14:02 UTC: Deploy of fraud-check v2.3 starts its 5-minute canary.
- 14:09 UTC: The checkout error-rate alert fires and pages the on-call engineer.

## Impact

12,000 users could not pay.

## Root cause and contributing factors

The batch algorithm was quadratic in batch size; the health check failed to connect.

## What went well

Rollback took two minutes.

## What went poorly

The canary never saw a large batch.

## Lessons learned

Canaries must span a peak.

## Action items

See the tracker.
"#;

fn site_with(files: &[(&str, &str)]) -> Site {
    let site = Site::empty();
    site.write(
        "pmarchive.toml",
        "[factors]\ngoverned = true\n[factors.themes.canary-too-short]\n[factors.themes.config-change]\naliases = [\"bad-config\"]\n",
    );
    for (name, text) in files {
        site.write(&format!("content/{name}"), text);
    }
    site
}

pub(crate) fn check_json(site: &Site, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let root = site.root().to_str().unwrap().to_string();
    let mut args = vec![
        "check",
        "--root",
        &root,
        "--format",
        "json",
        "--today",
        "2025-11-30",
    ];
    args.extend_from_slice(extra);
    let out = pmarchive(&args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json.as_array().unwrap().clone())
}

pub(crate) fn rules(diags: &[serde_json::Value]) -> Vec<(String, u64, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_clean_archive_passes() {
    let site = site_with(&[("a.md", CLEAN)]);
    let (code, diags) = check_json(&site, &["--strict"]);
    assert_eq!(diags, Vec::<serde_json::Value>::new());
    assert_eq!(code, 0);
}

#[test]
fn json_diagnostics_have_the_documented_keys() {
    let bad = CLEAN.replace("owner = \"payments-infra\"\n", "");
    let site = site_with(&[("a.md", &bad)]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0, "warnings alone do not fail without --strict");
    let d = &diags[0];
    let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "column",
            "file",
            "line",
            "message",
            "rule",
            "severity",
            "suggestion"
        ]
    );
    assert_eq!(d["rule"], "action-item/owner");
    assert_eq!(d["line"], 15, "the [[action_items]] header line");
    assert_eq!(check_json(&site, &["--strict"]).0, 1);
}

#[test]
fn every_rule_family_fires_with_its_location() {
    let doc = CLEAN
        .replace("date = 2025-02-03T14:02:00Z", "date = 2025-02-03T14:20:00Z")
        .replace("published = 2025-02-06", "published = 2025-01-06")
        .replace(
            "contributing_factors = [\"canary-too-short\"]",
            "contributing_factors = [\"canary-to-short\"]\nsevrity = \"x\"",
        )
        .replace(
            "title = \"Replay peak batch-size distributions in the fraud-check load test\"",
            "title = \"Improve monitoring\"",
        )
        .replace(
            "status = \"done\"\nclosed = 2025-02-15",
            "status = \"open\"",
        )
        .replace("Rollback took two minutes.", "")
        .replace(
            "The canary never saw a large batch.",
            "Alice should have checked the configuration.",
        )
        .replace(
            "- 14:09 UTC: The checkout error-rate alert fires and pages the on-call engineer.",
            "- Checkout recovers.",
        );
    let site = site_with(&[("a.md", &doc)]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let got = rules(&diags);
    let expect = [
        ("schema/timing-order", 11, "error"),
        ("schema/published-before-incident", 14, "error"),
        ("vocabulary/unknown-factor", 7, "error"),
        ("schema/unknown-field", 8, "warning"),
        ("action-item/vague", 16, "warning"),
        ("action-item/overdue", 16, "warning"),
        ("action-item/stale", 16, "warning"),
        ("template/empty-section", 41, "warning"),
        ("template/timeline-timestamps", 31, "warning"),
        ("template/timeline-detection", 28, "warning"),
        ("language/blame", 47, "warning"),
    ];
    for (rule, line, sev) in expect {
        assert!(
            got.iter()
                .any(|(r, l, s)| r == rule && *l == line && s == sev),
            "expected {rule} at line {line} ({sev}); got {got:#?}"
        );
    }
    let vocab = diags
        .iter()
        .find(|d| d["rule"] == "vocabulary/unknown-factor")
        .unwrap();
    assert!(vocab["suggestion"]
        .as_str()
        .unwrap()
        .contains("canary-too-short"));
    let blame = diags
        .iter()
        .find(|d| d["rule"] == "language/blame")
        .unwrap();
    assert_eq!(blame["column"], 7);
    assert!(blame["suggestion"]
        .as_str()
        .unwrap()
        .contains("not validated"));
}

#[test]
fn rules_are_configurable_and_suppressible() {
    let doc = CLEAN.replace(
        "The canary never saw a large batch.",
        "The operator forgot to drain the node.",
    );
    let site = site_with(&[("a.md", &doc)]);
    let (_, diags) = check_json(&site, &[]);
    assert_eq!(rules(&diags).len(), 1);
    // Raised to an error by the archive's config.
    site.write(
        "pmarchive.toml",
        "[check.rules]\n\"language/blame\" = \"error\"\n",
    );
    let (code, diags) = check_json(&site, &[]);
    assert_eq!((code, diags[0]["severity"].as_str()), (1, Some("error")));
    // And the build fails on it.
    assert_eq!(site.build(&[]).status.code(), Some(1));
    // Off for the whole group.
    site.write("pmarchive.toml", "[check.rules]\nlanguage = \"off\"\n");
    assert!(check_json(&site, &[]).1.is_empty());
    // Suppressed for one document.
    site.write("pmarchive.toml", "");
    let allowed = doc.replace(
        "+++\ntitle",
        "+++\nlint_allow = [\"language/blame\"]\ntitle",
    );
    site.write("content/a.md", &allowed);
    assert!(check_json(&site, &[]).1.is_empty());
}

#[test]
fn blame_findings_name_their_kind_and_rewrite_and_know_the_authors() {
    // Each kind of blame-oriented phrasing gets its own rewrite; a lowercase handle is a
    // person because the postmortem lists it as an author; systems-oriented sentences with
    // the same words stay quiet.
    let doc = CLEAN
        .replace("+++\ntitle", "+++\nauthors = [\"tkowalczyk\"]\ntitle")
        .replace(
            "Canaries must span a peak.",
            "tkowalczyk skipped the canary stage.\n\nWho approved this change?\n\n\
             The root cause was operator error.\n\nThe canary should have caught the regression.\n\n\
             The scheduler skipped the drained nodes.",
        );
    let site = site_with(&[("a.md", &doc)]);
    let (_, diags) = check_json(&site, &[]);
    let blame: Vec<(u64, String, String)> = diags
        .iter()
        .filter(|d| d["rule"] == "language/blame")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                d["suggestion"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(blame.len(), 3, "{blame:#?}");
    let line = |text: &str| doc.lines().position(|l| l == text).unwrap() as u64 + 1;
    let expect = [
        (
            line("tkowalczyk skipped the canary stage."),
            "lapse",
            "without a review step",
        ),
        (
            line("Who approved this change?"),
            "culprit",
            "surfaced this earlier",
        ),
        (
            line("The root cause was operator error."),
            "human error",
            "made the slip possible",
        ),
    ];
    for ((l, message, suggestion), (want_line, kind, rewrite)) in blame.iter().zip(expect) {
        assert_eq!(*l, want_line, "{message}");
        assert!(message.contains(kind), "{message}");
        assert!(suggestion.contains(rewrite), "{suggestion}");
    }
    // Without the author, the handle is just a word.
    site.write(
        "content/a.md",
        &doc.replace("authors = [\"tkowalczyk\"]\n", ""),
    );
    let (_, diags) = check_json(&site, &[]);
    assert_eq!(
        diags
            .iter()
            .filter(|d| d["rule"] == "language/blame")
            .count(),
        2
    );
}

#[test]
fn malformed_files_are_diagnostics_and_exit_codes_follow_the_contract() {
    let site = site_with(&[
        ("a.md", CLEAN),
        ("b.md", "+++\ntitle = [\n+++\n"),
        ("c.md", ""),
    ]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    assert_eq!(diags.len(), 2, "{diags:?}");
    // The check itself cannot run: exit 2.
    let root = site.root().join("nope");
    let out = pmarchive(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    // An invalid configuration is invalid input, as in every command: exit 1.
    site.write("pmarchive.toml", "latest = \"x\"\n");
    let out = pmarchive(&["check", "--root", site.root().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn human_output_shows_the_source_line() {
    let doc = CLEAN.replace(
        "The canary never saw a large batch.",
        "This was human error.",
    );
    let site = site_with(&[("a.md", &doc)]);
    let out = pmarchive(&[
        "check",
        "--root",
        site.root().to_str().unwrap(),
        "--today",
        "2025-11-30",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("language/blame"), "{text}");
    assert!(
        text.contains("This was human error."),
        "the source line is shown: {text}"
    );
    assert!(text.contains("a.md:47:10"), "{text}");
    assert!(text.contains("0 error(s), 1 warning(s)"), "{text}");
}

#[test]
fn new_writes_a_postmortem_that_builds() {
    let site = site_with(&[]);
    let root = site.root().to_str().unwrap();
    let out = pmarchive(&[
        "new",
        "--root",
        root,
        "Payments \"down\" in eu-west",
        "--date",
        "2025-03-01",
        "--severity",
        "sev1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        path.ends_with("content/2025/2025-03-01-payments-down-in-eu-west.md"),
        "{path}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("severity = \"SEV1\"") && text.contains("## Lessons learned"));
    // A second one with the same title gets a unique name.
    let out = pmarchive(&[
        "new",
        "--root",
        root,
        "Payments \"down\" in eu-west",
        "--date",
        "2025-03-01",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .trim()
        .ends_with("-2.md"));
    // Fresh postmortems are drafts with empty sections: check says so, without errors.
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0, "{diags:#?}");
    assert!(rules(&diags)
        .iter()
        .any(|(r, _, _)| r == "template/empty-section"));
    let out = pmarchive(&["new", "--root", root, "x", "--severity", "SEV9"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `participants` and `reviewers` (#27): a typo'd field name is an unknown field with the
/// right one suggested; a participant's wrong key or type is an error at its line, every one
/// at once; a bad `[insights]` or `[roles]` is a located configuration error.
#[test]
fn participants_and_reviewers_are_checked_with_locations() {
    let typo = CLEAN.replace(
        "services = [\"checkout\"]\n",
        "services = [\"checkout\"]\nreviewer = [\"lee\"]\n",
    );
    let bad = CLEAN.replace(
        "+++\n\n## Summary",
        "\n[[participants]]\nname = \"Ana\"\nrol = \"SRE\"\n\n[[participants]]\nname = \"Bo\"\nrole = true\nteam = \"x\"\n+++\n\n## Summary",
    );
    let site = site_with(&[("typo.md", &typo), ("bad.md", &bad)]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let got: Vec<(String, u64, u64, String)> = diags
        .iter()
        .filter(|d| d["file"].as_str().unwrap().ends_with("bad.md"))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["suggestion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("schema/required", 23, 1, "add `role = \"...\"` to it"),
        ("schema/unknown-key", 25, 7, "did you mean `role`?"),
        ("schema/type", 29, 8, ""),
        (
            "schema/unknown-key",
            30,
            8,
            "a participant has only `name` and `role`",
        ),
    ];
    let want: Vec<(String, u64, u64, String)> = want
        .iter()
        .map(|w| (w.0.into(), w.1, w.2, w.3.into()))
        .collect();
    assert_eq!(got, want, "{diags:#?}");
    let unknown = diags
        .iter()
        .find(|d| d["rule"] == "schema/unknown-field")
        .unwrap();
    assert_eq!(
        (unknown["line"].as_u64(), unknown["severity"].as_str()),
        (Some(7), Some("warning"))
    );
    assert_eq!(unknown["suggestion"], "did you mean `reviewers`?");

    let site = site_with(&[("a.md", CLEAN)]);
    site.write(
        "pmarchive.toml",
        "[insights]\nmin_roles = 0\n\n[roles.aliases]\nsre = [\"ops\"]\nsysadmin = [\"OPS\"]\n",
    );
    let out = pmarchive(&["check", "--root", site.root().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "error[config/insights]: `[insights] min_roles` must be at least 1",
        "pmarchive.toml:2:1",
        "error[config/roles]: the role name `OPS` is claimed by both `sre` and `sysadmin`",
        "pmarchive.toml:6:13",
    ] {
        assert!(err.contains(want), "{want} in {err}");
    }
}

#[test]
fn an_unknown_action_item_kind_or_priority_is_a_located_warning_and_left_out() {
    let odd = CLEAN.replace(
        "status = \"done\"\n",
        "status = \"done\"\nkind = \"fix\"\npriority = \"urgent\"\n",
    );
    // Any case is read: `p1` is P1, `Detect` is detect.
    let cased = CLEAN.replace(
        "status = \"done\"\n",
        "status = \"done\"\nkind = \"Detect\"\npriority = \"p1\"\n",
    );
    let site = site_with(&[("odd.md", &odd), ("cased.md", &cased)]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 0, "warnings only: {diags:#?}");
    let got: Vec<(String, String, u64, u64, String, String)> = diags
        .iter()
        .map(|d| {
            (
                d["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                d["suggestion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        (
            "odd.md",
            "schema/kind",
            21,
            8,
            "unknown action item kind `fix`; it is left out of the site",
            "one of: prevent, mitigate, detect, process",
        ),
        (
            "odd.md",
            "schema/priority",
            22,
            12,
            "unknown action item priority `urgent`; it is left out of the site",
            "one of: P0, P1, P2, P3",
        ),
    ];
    let want: Vec<(String, String, u64, u64, String, String)> = want
        .iter()
        .map(|w| (w.0.into(), w.1.into(), w.2, w.3, w.4.into(), w.5.into()))
        .collect();
    assert_eq!(got, want);
    let built = site.build_ok(&[]);
    let api = built.text("api/postmortems.json");
    assert!(api.contains("\"kind\":\"\",\"priority\":\"\""), "{api}");
    assert!(
        api.contains("\"kind\":\"detect\",\"priority\":\"P1\""),
        "{api}"
    );
    let page = built.text("actions/index.html");
    assert!(page.contains("data-kind=\"unspecified\" data-priority=\"unspecified\""));
    assert!(page.contains("data-kind=\"detect\" data-priority=\"p1\""));
    assert!(!page.contains("urgent") && !page.contains(">fix<"));
}

#[test]
fn an_unknown_action_item_status_is_one_error_and_a_missing_one_a_warning() {
    let unknown = CLEAN.replace("status = \"done\"", "status = \"finished\"");
    let missing = CLEAN.replace("status = \"done\"\n", "");
    let site = site_with(&[("unknown.md", &unknown), ("missing.md", &missing)]);
    let (code, diags) = check_json(&site, &[]);
    assert_eq!(code, 1);
    let of = |file: &str| -> Vec<(String, u64, String, String)> {
        diags
            .iter()
            .filter(|d| d["file"].as_str().unwrap().ends_with(file))
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["severity"].as_str().unwrap().to_string(),
                    d["suggestion"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    // Not also "no status", and not counted as open (it was due 2025-02-17: no "overdue").
    assert_eq!(
        of("unknown.md"),
        [(
            "schema/status".to_string(),
            20,
            "error".to_string(),
            "one of: open, in-progress, done, wontfix".to_string()
        )]
    );
    // No status counts as open: it is missing, overdue and stale.
    let missing = of("missing.md");
    let rules: Vec<&str> = missing.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        rules,
        [
            "action-item/overdue",
            "action-item/stale",
            "action-item/status"
        ],
        "{missing:?}"
    );
    assert_eq!(
        missing[2].3,
        "add `status = \"open\"` (open, in-progress, done, wontfix)"
    );
}
