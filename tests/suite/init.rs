//! `pmarchive init`, and the example archive's first build: a new archive in one command that
//! builds and checks clean and does not age; a build's warnings listed compactly.

use std::path::Path;

use crate::harness::{pmarchive, Built, Site};

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let root = dir.to_str().unwrap().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--root", &root]);
    pmarchive(&all)
}

fn check_count(dir: &Path, extra: &[&str]) -> (i32, usize) {
    let mut args = vec!["check", "--format", "json", "--strict"];
    args.extend_from_slice(extra);
    let out = run_in(dir, &args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), json.as_array().unwrap().len())
}

#[test]
fn init_writes_an_archive_that_builds_and_checks_clean_and_does_not_age() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("postmortems");
    let out = pmarchive(&["init", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let root = dir.display().to_string();
    assert!(
        stdout.contains(&format!("pmarchive serve --root {root}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("pmarchive check --root {root}")),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".gitignore"))
            .unwrap()
            .lines()
            .find(|l| !l.starts_with('#')),
        Some("/public/")
    );
    let examples: Vec<_> = walkdir::WalkDir::new(dir.join("content"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .collect();
    assert_eq!(examples.len(), 1);

    // Clean now, and long after.
    assert_eq!(check_count(&dir, &[]), (0, 0));
    assert_eq!(check_count(&dir, &["--today", "2099-01-01"]), (0, 0));
    let out = run_in(&dir, &["build"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines().count(),
        1,
        "no warnings, one summary line: {err}"
    );
    assert!(err.starts_with("Built 1 postmortems"), "{err}");
    let built = Built::read(&dir.join("public"));
    assert!(built.has("index.html") && built.has("robots.txt"));
    assert!(
        built.broken_links().is_empty(),
        "{:?}",
        built.broken_links()
    );
}

#[test]
fn the_generated_configuration_is_the_defaults_commented_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(pmarchive(&["init", dir.to_str().unwrap()]).status.success());
    let config = std::fs::read_to_string(dir.join("pmarchive.toml")).unwrap();
    assert!(
        config.lines().all(|l| l.is_empty() || l.starts_with('#')),
        "all commented"
    );
    // Every setting uncommented: the same site as with no configuration at all.
    let uncommented: String = config
        .lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.is_empty() && !rest.starts_with(' ') => format!("{rest}\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(uncommented.contains("\nstale_days = 182\n"));
    let with = dir.join("with");
    let without = dir.join("without");
    std::fs::write(dir.join("pmarchive.toml"), &uncommented).unwrap();
    let args = |out: &Path| -> Vec<String> {
        [
            "build",
            "--root",
            dir.to_str().unwrap(),
            "--today",
            "2030-01-01",
            "--quiet",
            "--output",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let a = args(&with);
    let out = pmarchive(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(dir.join("pmarchive.toml")).unwrap();
    let b = args(&without);
    assert!(pmarchive(&b.iter().map(String::as_str).collect::<Vec<_>>())
        .status
        .success());
    assert!(Built::read(&with).files == Built::read(&without).files);
}

#[test]
fn init_overwrites_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(pmarchive(&["init", dir.to_str().unwrap()]).status.success());
    std::fs::write(dir.join("pmarchive.toml"), "title = \"Ours\"\n").unwrap();
    let before = Built::read(dir);
    let out = pmarchive(&["init", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("overwrites nothing"));
    assert!(Built::read(dir).files == before.files, "nothing changed");

    // An archive already there (content/ holds files): nothing written, not even the config.
    let site = Site::empty();
    site.write("content/a.md", "+++\ntitle = \"A\"\n+++\n");
    let out = pmarchive(&["init", site.root().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!site.root().join("pmarchive.toml").exists());
    assert!(!site.root().join(".gitignore").exists());
}

#[test]
fn the_example_builds_with_a_short_summary_and_lists_warnings_compactly() {
    let site = Site::example();
    let root = site.root().to_str().unwrap().to_string();
    // Its warnings, as `check` finds them (the example's `today` fixes the clock).
    let (_, total) = check_count(site.root(), &[]);
    assert!(
        total > 5,
        "the example shows overdue and stale items: {total}"
    );
    assert_eq!(
        check_count(site.root(), &["--today", "2025-12-01"]).1,
        total
    );

    let out = pmarchive(&["build", "--root", &root]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() <= 8, "{err}");
    assert!(
        lines[0].starts_with(&format!("{total} warnings: action-item/overdue ")),
        "{err}"
    );
    assert!(
        lines.last().unwrap().starts_with("Built 13 postmortems"),
        "{err}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("  content/")).count(),
        5
    );

    // --verbose: every warning in full, with its source line.
    let out = pmarchive(&["build", "--root", &root, "--verbose"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("warning[").count(), total, "{err}");
    assert!(err.contains("[[action_items]]"));
}
