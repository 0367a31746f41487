//! `check` in CI and review (issue #24): SARIF 2.1.0 valid against the official schema, GitHub
//! workflow-command annotations escaped as the runner reads them, and `check FILE...`, which
//! reports only the files named while resolving ids and links against the whole archive.

use std::path::Path;
use std::process::{Command, Output};

use crate::check::CLEAN;
use crate::harness::{pmarchive, repo, Site};

/// Whether tests/node has its packages (`npm ci --prefix tests/node`); in CI their absence is a
/// failure, locally a printed skip.
pub(crate) fn node_packages_ready(test: &str) -> bool {
    if repo().join("tests/node/node_modules/ajv").is_dir() {
        return true;
    }
    let why = format!("{test} needs tests/node/node_modules (npm ci --prefix tests/node)");
    if std::env::var_os("CI").is_some() {
        panic!("{why}");
    }
    crate::harness::skipped(&why);
    false
}

/// Validates `docs` against `schema` with ajv (tests/node/validate-json.mjs): the process output.
pub(crate) fn validate_json(schema: &Path, docs: &[&Path]) -> Output {
    Command::new("node")
        .arg(repo().join("tests/node/validate-json.mjs"))
        .arg(schema)
        .args(docs)
        .output()
        .expect("node runs")
}

/// Runs `check` in `site`'s root (as CI does, with paths relative to it).
fn check_in(site: &Site, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pmarchive"))
        .current_dir(site.root())
        .arg("check")
        .args(["--today", "2025-11-30"])
        .args(args)
        .output()
        .expect("run pmarchive")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An archive with one error and warnings, in a file whose name needs escaping.
fn troubled_site() -> Site {
    let site = Site::empty();
    site.write("content/2025/clean.md", CLEAN);
    let bad = CLEAN
        .replace("severity = \"SEV2\"", "severity = \"SEV9\"")
        .replace("owner = \"payments-infra\"\n", "");
    site.write("content/2025/odd name, 50%: x.md", &bad);
    site
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let site = troubled_site();
    let out = check_in(&site, &["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pmarchive");
    let results = run["results"].as_array().unwrap();
    let severity = results
        .iter()
        .find(|r| r["ruleId"] == "schema/severity")
        .expect("the severity error");
    assert_eq!(severity["level"], "error");
    let loc = &severity["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "content/2025/odd%20name%2C%2050%25%3A%20x.md"
    );
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 12);
    let owner = results
        .iter()
        .find(|r| r["ruleId"] == "action-item/owner")
        .expect("the owner warning");
    assert_eq!(owner["level"], "warning");
    // Every result's rule is described in the driver, at its index.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    // Two runs, same bytes.
    assert_eq!(
        out.stdout,
        check_in(&site, &["--format", "sarif"]).stdout,
        "deterministic"
    );

    if !node_packages_ready("sarif_output_is_valid_sarif_2_1_0") {
        return;
    }
    let schema = repo().join("tests/fixtures/schemas/sarif-schema-2.1.0.json");
    let good = site.root().join("check.sarif");
    std::fs::write(&good, &out.stdout).unwrap();
    let clean = Site::empty();
    clean.write("content/clean.md", CLEAN);
    let none = check_in(&clean, &["--format", "sarif"]);
    assert_eq!(none.status.code(), Some(0), "{}", stdout(&none));
    let empty = site.root().join("empty.sarif");
    std::fs::write(&empty, &none.stdout).unwrap();
    let v = validate_json(&schema, &[&good, &empty]);
    assert!(
        v.status.success(),
        "{}{}",
        stdout(&v),
        String::from_utf8_lossy(&v.stderr)
    );
    // The validator does reject what the schema forbids: a result without a message, a level
    // SARIF does not know.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    broken["runs"][0]["results"][1]["level"] = "fatal".into();
    let bad = site.root().join("broken.sarif");
    std::fs::write(&bad, serde_json::to_vec(&broken).unwrap()).unwrap();
    let v = validate_json(&schema, &[&bad]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("message"), "{}", stdout(&v));
}

#[test]
fn github_annotations_are_workflow_commands_escaped_for_the_runner() {
    let site = troubled_site();
    let out = check_in(&site, &["--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
    // `,` and `:` would end a property, `%` starts an escape; the suggestion is on a second line
    // of the message (%0A).
    let severity = lines
        .iter()
        .find(|l| l.contains("title=schema/severity"))
        .expect("severity annotation");
    assert!(
        severity.starts_with(
            "::error file=content/2025/odd name%2C 50%25%3A x.md,line=4,col=12,title=schema/severity::"
        ),
        "{severity}"
    );
    assert!(severity.contains("`SEV9`"), "{severity}");
    assert!(severity.contains("%0Ahelp: "), "{severity}");
    assert!(!severity.contains('\n'));
    let owner = lines
        .iter()
        .find(|l| l.contains("title=action-item/owner"))
        .expect("owner annotation");
    assert!(owner.starts_with("::warning file=content/2025/odd name%2C 50%25%3A x.md,line="));
    // --root from elsewhere: paths as reached from the working directory.
    let root = site.root().to_str().unwrap();
    let from_outside = pmarchive(&[
        "check",
        "--root",
        root,
        "--today",
        "2025-11-30",
        "--format",
        "github",
    ]);
    let expected = format!(
        "::error file={}/content/2025/odd name%2C 50%25%3A x.md,line=4,col=12",
        root.replace(':', "%3A").replace(',', "%2C")
    );
    assert!(
        stdout(&from_outside).contains(&expected),
        "{}",
        stdout(&from_outside)
    );
}

/// `b` repeats `a` (in another file), `c` has an error, `dup/x` and `x` share an id.
fn archive_for_selection() -> Site {
    let site = Site::empty();
    site.write(
        "content/2024/a.md",
        &CLEAN
            .replace("2025-02-03", "2024-02-03")
            .replace("2025-02-06", "2024-02-06")
            .replace("2025-02-1", "2024-02-1"),
    );
    site.write(
        "content/2025/b.md",
        &CLEAN.replace(
            "severity = \"SEV2\"\n",
            "severity = \"SEV2\"\nrecurrence_of = [\"a\"]\n",
        ),
    );
    site.write(
        "content/2025/c.md",
        &CLEAN.replace(
            "severity = \"SEV2\"\n",
            "severity = \"SEV2\"\nrecurrence_of = [\"nowhere\"]\n",
        ),
    );
    site.write("content/2025/x.md", CLEAN);
    site.write("content/2025/dup/x.md", CLEAN);
    site
}

fn json_rules(out: &Output) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)));
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn check_files_reports_only_them_against_the_whole_archive() {
    let site = archive_for_selection();
    // The whole archive: c's dangling link and the duplicate id.
    let all = json_rules(&check_in(&site, &["--format", "json"]));
    assert!(
        all.contains(&("content/2025/c.md".into(), "schema/recurrence-of".into())),
        "{all:?}"
    );
    assert!(
        all.iter().any(|(_, r)| r == "schema/duplicate-id"),
        "{all:?}"
    );

    // b names a, which is not among the files named: resolved, clean.
    let out = check_in(&site, &["--format", "json", "content/2025/b.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json_rules(&out), vec![]);
    let human = check_in(&site, &["content/2025/b.md"]);
    assert!(
        stdout(&human).contains("1 postmortems checked: 0 error(s), 0 warning(s)"),
        "{}",
        stdout(&human)
    );

    // c alone: its own error, nothing of the others.
    let out = check_in(
        &site,
        &["--format", "json", "content/2025/c.md", "content/2025/b.md"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json_rules(&out),
        vec![(
            "content/2025/c.md".to_string(),
            "schema/recurrence-of".to_string()
        )]
    );

    // The duplicate id is found though the other file is not named (it is reported on one of
    // the two); a folder names what is in it.
    let (dup_file, _) = all
        .iter()
        .find(|(_, r)| r == "schema/duplicate-id")
        .unwrap()
        .clone();
    let other = if dup_file == "content/2025/x.md" {
        "content/2025/dup/x.md"
    } else {
        "content/2025/x.md"
    };
    let alone = json_rules(&check_in(&site, &["--format", "json", &dup_file]));
    assert_eq!(
        alone,
        vec![(dup_file.clone(), "schema/duplicate-id".to_string())]
    );
    assert_eq!(
        json_rules(&check_in(&site, &["--format", "json", other])),
        vec![]
    );
    let folder = json_rules(&check_in(&site, &["--format", "json", "content/2025/dup"]));
    assert!(
        folder
            .iter()
            .all(|(f, _)| f.starts_with("content/2025/dup/")),
        "{folder:?}"
    );
    assert_eq!(
        folder.len(),
        usize::from(dup_file.starts_with("content/2025/dup/")),
        "{folder:?}"
    );

    // Recurrence order is judged with the other file's date, though it is not named.
    site.write(
        "content/2024/a.md",
        &CLEAN.replace("2025-02-03T14:02", "2025-03-03T14:02"),
    );
    let out = check_in(&site, &["--format", "json", "content/2025/b.md"]);
    assert_eq!(
        json_rules(&out),
        vec![(
            "content/2025/b.md".to_string(),
            "schema/recurrence-order".to_string()
        )]
    );
}

#[test]
fn check_files_refuses_what_is_not_in_the_archive() {
    let site = archive_for_selection();
    site.write("notes.md", "not a postmortem");
    let missing = check_in(&site, &["content/2025/gone.md"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("content/2025/gone.md"), "{err}");
    let outside = check_in(&site, &["notes.md"]);
    assert_eq!(outside.status.code(), Some(2));
    let err = String::from_utf8_lossy(&outside.stderr);
    assert!(
        err.contains("notes.md is not in the archive's content folder"),
        "{err}"
    );
    assert!(outside.stdout.is_empty());
}

#[test]
fn check_files_checks_links_to_other_postmortems_headings_against_their_bodies() {
    // `check FILE` reads the other postmortems' front matter only, except those a named file
    // links to at a heading: their bodies are read for their headings, and a link to a heading
    // they lack is reported as by the whole `check`, by file and by id; their own problems are
    // not reported.
    let site = Site::empty();
    let b = CLEAN.replace(
        "Rollback took two minutes.",
        "Rollback took [two](nowhere.png) minutes.",
    );
    site.write("content/b.md", &b);
    site.write(
        "content/d.md",
        &CLEAN.replace("title = \"Checkout", "id = \"dee\"\ntitle = \"Checkout"),
    );
    let a = CLEAN.replace(
        "12,000 users could not pay.",
        "12,000 users could not pay; see [the timeline](b.md#timeline), [lessons](pm:dee#lessons-learned), \
         [nothing](b.md#no-such-heading), [nor this](pm:dee#nor-this) and [gone](c.md).",
    );
    site.write("content/a.md", &a);
    let messages = |out: &Output| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "links/broken" || d["rule"] == "links/missing-file")
            .map(|d| {
                let message = d["message"].as_str().unwrap();
                let url = message.split('`').nth(1).unwrap_or(message);
                (d["file"].as_str().unwrap().to_string(), url.to_string())
            })
            .collect()
    };
    let whole = messages(&check_in(&site, &["--format", "json"]));
    assert_eq!(
        whole,
        [
            ("content/a.md", "b.md#no-such-heading"),
            ("content/a.md", "pm:dee#nor-this"),
            ("content/a.md", "c.md"),
            ("content/b.md", "nowhere.png"),
        ]
        .map(|(f, u)| (f.to_string(), u.to_string())),
    );
    let named = check_in(&site, &["--format", "json", "content/a.md"]);
    assert_eq!(messages(&named), whole[..3], "{}", stdout(&named));
}

/// `check FILE` reads the other postmortems up to their closing fence only: the named files'
/// diagnostics are those the whole `check` gives them, on a generated archive with files whose
/// front matter is over one read (4 KB), whose body is long, not UTF-8 far past the front matter,
/// or whose closing fence has a carriage return.
#[test]
fn check_files_reads_other_front_matter_only_and_reports_the_same() {
    let site = Site::generated(300, 7, &[]);
    let long_front = format!(
        "+++\ntitle = \"Long front\"\ndate = 2025-01-05T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"{}\"\nservices = [\"Zürich-Ops\"]\n+++\n\n## Summary\n\nx\n",
        "padding ".repeat(700)
    );
    site.write("content/2025/long-front.md", &long_front);
    site.write(
        "content/2025/named.md",
        &CLEAN
            .replace(
                "severity = \"SEV2\"\n",
                "severity = \"SEV2\"\nrecurrence_of = [\"long-front\", \"broken-body\", \"crlf\"]\nservices = [\"Zurich-Ops\"]\n",
            )
            .replace("services = [\"checkout\"]\n", ""),
    );
    site.write(
        "content/2025/crlf.md",
        "+++\r\ntitle = \"CRLF\"\r\ndate = 2025-01-02\r\n+++\r\nbody\r\n",
    );
    let mut broken = CLEAN.replace("2025-02-03", "2025-01-03").into_bytes();
    broken.extend(std::iter::repeat_n(b'a', 9000));
    broken.extend(b"\xff\n");
    std::fs::write(site.root().join("content/2025/broken-body.md"), broken).unwrap();
    let generated: Vec<String> = walkdir::WalkDir::new(site.root().join("content"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            e.path()
                .strip_prefix(site.root())
                .unwrap()
                .display()
                .to_string()
        })
        .step_by(37)
        .collect();
    let whole = json_rules(&check_in(&site, &["--format", "json"]));
    assert!(
        whole.contains(&("content/2025/broken-body.md".into(), "io/encoding".into())),
        "{whole:?}"
    );
    for named in generated
        .iter()
        .map(String::as_str)
        .chain(["content/2025/named.md", "content/2025/long-front.md"])
    {
        let alone = json_rules(&check_in(&site, &["--format", "json", named]));
        let expected: Vec<_> = whole.iter().filter(|(f, _)| f == named).cloned().collect();
        assert_eq!(alone, expected, "{named}");
    }
    // What the named file's archive-wide rules found through the others: the broken file has no
    // postmortem (its body is not UTF-8), the name collides with the long front matter's.
    let named = json_rules(&check_in(
        &site,
        &["--format", "json", "content/2025/named.md"],
    ));
    for rule in ["schema/recurrence-of", "schema/name-collision"] {
        assert!(
            named.contains(&("content/2025/named.md".into(), rule.into())),
            "{rule}: {named:?}"
        );
    }
}
