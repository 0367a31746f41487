//! An invalid configuration, wherever it is and however `--root` and `--config` name it: every
//! problem located at its file, line and column with the source line shown, and exit 1 (invalid
//! input) from every command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Two problems, on lines 2 and 6.
const BAD: &str =
    "[insights]\nmin_roles = 0\n\n[roles.aliases]\nsre = [\"ops\"]\nsysadmin = [\"OPS\"]\n";

const GOOD: &str = "+++\ntitle = \"Good\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"Fine.\"\nservices = [\"web\"]\n+++\n\n## Summary\n\nFine.\n";

/// `dir/site` (one postmortem, `good`), and `dir/bad.toml` beside it (outside the root).
fn layout() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(base.join("site/content")).unwrap();
    std::fs::write(base.join("site/content/good.md"), GOOD).unwrap();
    std::fs::write(base.join("bad.toml"), BAD).unwrap();
    (dir, base)
}

/// Runs pmarchive in `cwd`; a command that has not exited after 60 s (`serve` that started
/// after all) is killed and fails the test.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pmarchive"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Both problems at `file`, each with its source line.
fn assert_located(out: &Output, file: &str, ctx: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{ctx}: {err}");
    for want in [
        "error[config/insights]: `[insights] min_roles` must be at least 1".to_string(),
        format!("{file}:2:1"),
        "2 │ min_roles = 0".to_string(),
        "error[config/roles]: the role name `OPS` is claimed by both `sre` and `sysadmin`"
            .to_string(),
        format!("{file}:6:13"),
        "6 │ sysadmin = [\"OPS\"]".to_string(),
    ] {
        assert!(err.contains(&want), "{ctx}: {want} in {err}");
    }
}

#[test]
fn an_invalid_configuration_is_located_whatever_the_root_and_config_paths() {
    let (_dir, base) = layout();
    let outside = base.join("bad.toml");
    let outside_shown = outside.to_str().unwrap();
    // Relative to the working directory, outside the root.
    let out = run_in(&base, &["build", "--root", "site", "--config", "bad.toml"]);
    assert_located(&out, outside_shown, "relative, outside");
    // Absolute, outside the root, from another working directory.
    let out = run_in(
        &base.join("site/content"),
        &["build", "--root", "..", "--config", outside_shown],
    );
    assert_located(&out, outside_shown, "absolute, outside");
    // Inside the root, the two spelled differently: named relative to the root.
    std::fs::write(base.join("site/other.toml"), BAD).unwrap();
    let out = run_in(
        &base,
        &["build", "--root", "./site", "--config", "site/other.toml"],
    );
    assert_located(&out, "other.toml", "inside, spelled differently");
    let out = run_in(
        &base.join("site"),
        &["build", "--root", ".", "--config", "../site/other.toml"],
    );
    assert_located(&out, "other.toml", "inside, through ..");
    // The default file of a root given from elsewhere.
    std::fs::write(base.join("site/pmarchive.toml"), BAD).unwrap();
    let root = base.join("site");
    let out = run_in(Path::new("/"), &["build", "--root", root.to_str().unwrap()]);
    assert_located(&out, "pmarchive.toml", "default");
}

#[test]
fn every_command_exits_1_on_an_invalid_configuration() {
    // `check` exited 2 (could not run), the others 1.
    let (_dir, base) = layout();
    let outside = base.join("bad.toml");
    let outside_shown = outside.to_str().unwrap();
    let site = ["--root", "site", "--config", "bad.toml"];
    let commands: [&[&str]; 7] = [
        &["build"],
        &["check"],
        &["check", "--format", "json"],
        &["new", "A new incident"],
        &["search", "dns"],
        &["similar", "good"],
        &["serve", "--port", "0"],
    ];
    for command in commands {
        let args: Vec<&str> = command[..1]
            .iter()
            .chain(&site)
            .chain(&command[1..])
            .copied()
            .collect();
        let out = run_in(&base, &args);
        assert_located(&out, outside_shown, &args.join(" "));
    }
    // Nothing was written: no new postmortem, no site.
    assert_eq!(
        std::fs::read_dir(base.join("site/content"))
            .unwrap()
            .count(),
        1
    );
    assert!(!base.join("site/public").exists());
    // A configuration that cannot be read at all is no invalid input: the command could not run.
    let out = run_in(
        &base,
        &["check", "--root", "site", "--config", "missing.toml"],
    );
    assert_eq!(out.status.code(), Some(2));
}
