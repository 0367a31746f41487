//! Editors and shells (issue #24): `pmarchive schema` describes every example and fixture
//! postmortem's front matter (validated with ajv) and rejects broken ones; `--version` names the
//! commit; `completions` and `man` print what the shells and `man` read.

use std::path::{Path, PathBuf};

use pmarchive::testing::front_matter_json;

use crate::check_ci::{node_packages_ready, validate_json};
use crate::harness::{pmarchive, repo, Site};

/// The schema `pmarchive schema --root root` prints, written into `dir`.
fn schema_of(root: &Path, dir: &Path) -> PathBuf {
    let out = pmarchive(&["schema", "--root", root.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join(format!(
        "schema-{}.json",
        root.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// Every postmortem's front matter under `content`, as JSON files in `dir` (what an editor's
/// language server checks: TOML dates as text).
fn front_matters(content: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(content).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let front = front_matter_json(&text);
        let name = entry
            .path()
            .strip_prefix(content)
            .unwrap()
            .to_string_lossy()
            .replace('/', "__");
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(&front).unwrap()).unwrap();
        out.push(path);
    }
    out
}

fn validate(schema: &Path, docs: &[PathBuf]) -> serde_json::Value {
    let refs: Vec<&Path> = docs.iter().map(PathBuf::as_path).collect();
    let out = validate_json(schema, &refs);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn schema_is_draft_2020_12_with_the_archive_vocabulary() {
    let example = pmarchive(&["schema", "--root", repo().to_str().unwrap()]);
    assert!(example.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&example.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["required"], serde_json::json!(["title", "date"]));
    let props = &schema["properties"];
    assert_eq!(
        props["severity"]["enum"],
        serde_json::json!(["SEV1", "SEV2", "SEV3", "SEV4"])
    );
    // The example archive governs its factors: its themes, each with a description, and their
    // aliases, and nothing else.
    let one = &props["contributing_factors"]["anyOf"][0]["anyOf"];
    let config = std::fs::read_to_string(repo().join("pmarchive.toml")).unwrap();
    let themes: Vec<&serde_json::Value> = one.as_array().unwrap().iter().collect();
    assert!(themes.iter().all(|t| t.get("const").is_some()), "governed");
    let canary = themes
        .iter()
        .find(|t| t["const"] == "canary-too-short")
        .expect("a theme of the example archive");
    assert!(canary["description"].as_str().unwrap().len() > 20);
    assert!(config.contains("[factors.themes.canary-too-short]"));
    // Without a configuration: free-form factors, the default severities.
    let bare = Site::empty();
    let plain = pmarchive(&["schema", "--root", bare.root().to_str().unwrap()]);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(plain["properties"]["contributing_factors"]["anyOf"][0]["type"] == "string");
    // An archive that maps fields: the schema names the fields its files use.
    let mapped = pmarchive(&[
        "schema",
        "--root",
        repo()
            .join("tests/fixtures/public-postmortems")
            .to_str()
            .unwrap(),
    ]);
    let mapped: serde_json::Value = serde_json::from_slice(&mapped.stdout).unwrap();
    let props = mapped["properties"].as_object().unwrap();
    for k in [
        "uuid",
        "categories",
        "keywords",
        "company",
        "product",
        "start_time",
    ] {
        assert!(props.contains_key(k), "{k}");
    }
    assert!(!props.contains_key("contributing_factors"));
    assert_eq!(mapped["required"], serde_json::json!([]));
}

#[test]
fn every_example_and_fixture_postmortem_is_valid_and_broken_ones_are_not() {
    if !node_packages_ready("every_example_and_fixture_postmortem_is_valid_and_broken_ones_are_not")
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for root in [repo(), repo().join("tests/fixtures/insights")] {
        let dir = tmp.path().join(root.file_name().unwrap());
        std::fs::create_dir_all(&dir).unwrap();
        let schema = schema_of(&root, &dir);
        let docs = front_matters(&root.join("content"), &dir);
        assert!(docs.len() >= 9, "{}", root.display());
        let report = validate(&schema, &docs);
        for (doc, errors) in report.as_object().unwrap() {
            assert!(errors.is_null(), "{doc}: {errors}");
            checked += 1;
        }
    }
    assert!(checked >= 19, "{checked}");

    // Broken front matters, each of one kind, against the example archive's schema.
    let dir = tmp.path().join("broken");
    std::fs::create_dir_all(&dir).unwrap();
    let schema = schema_of(&repo(), &dir);
    let base = r#"+++
title = "Checkout errors"
date = 2025-02-03T14:02:00Z
severity = "SEV2"
services = ["checkout"]
contributing_factors = ["canary-too-short"]
[timing]
detected = 2025-02-03T14:09:00Z
[[action_items]]
title = "Replay peak traffic in the load test"
status = "open"
due = 2025-03-01
+++
"#;
    let broken = [
        ("ok", base.to_string()),
        (
            "no-title",
            base.replace("title = \"Checkout errors\"\n", ""),
        ),
        ("no-date", base.replace("date = 2025-02-03T14:02:00Z\n", "")),
        ("severity", base.replace("\"SEV2\"", "\"SEV9\"")),
        ("services-number", base.replace("[\"checkout\"]", "5")),
        (
            "bad-date",
            base.replace("2025-02-03T14:09:00Z", "\"yesterday\""),
        ),
        ("factor", base.replace("canary-too-short", "cosmic-rays")),
        ("item-status", base.replace("\"open\"", "\"finished\"")),
        (
            "status",
            base.replace("severity", "status = \"gone\"\nseverity"),
        ),
        (
            "participant",
            base.replace("[timing]", "[[participants]]\nname = \"Ana\"\n[timing]"),
        ),
    ];
    let mut docs = Vec::new();
    for (name, text) in &broken {
        let front = front_matter_json(text);
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(&front).unwrap()).unwrap();
        docs.push(path);
    }
    let report = validate(&schema, &docs);
    for (name, _) in &broken {
        let got = &report[dir.join(format!("{name}.json")).to_str().unwrap()];
        if *name == "ok" {
            assert!(got.is_null(), "{name}: {got}");
        } else {
            assert!(got.is_array(), "{name} passed the schema");
        }
    }
}

#[test]
fn version_names_the_commit_when_built_from_a_checkout() {
    let out = pmarchive(&["--version"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("pmarchive {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let head = std::process::Command::new("git")
        .args([
            "-C",
            repo().to_str().unwrap(),
            "rev-parse",
            "--short=12",
            "HEAD",
        ])
        .output();
    match head {
        Ok(h) if h.status.success() => {
            let hash = String::from_utf8_lossy(&h.stdout).trim().to_string();
            assert!(text.contains(&format!("({hash} ")), "{text} vs HEAD {hash}");
        }
        _ => assert_eq!(
            text.trim(),
            format!("pmarchive {}", env!("CARGO_PKG_VERSION"))
        ),
    }
}

#[test]
fn completions_and_man_pages_describe_the_commands() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pmarchive"),
        ("fish", "complete -c pmarchive"),
    ] {
        let out = pmarchive(&["completions", shell]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}");
        for sub in ["build", "check", "schema", "format", "sarif"] {
            assert!(text.contains(sub), "{shell}: {sub}");
        }
    }
    let bad = pmarchive(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values"));

    let man = pmarchive(&["man"]);
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH pmarchive 1"),
        "{page}"
    );
    assert!(page.contains("check"), "{page}");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let out = pmarchive(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in ["pmarchive.1", "pmarchive-check.1", "pmarchive-schema.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
    let check = std::fs::read_to_string(dir.join("pmarchive-check.1")).unwrap();
    assert!(check.contains("sarif"), "the --format values");
}
