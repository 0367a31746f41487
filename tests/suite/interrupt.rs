//! A failed or interrupted build never leaves a half-written output (issue #8): a build killed
//! (SIGKILL, no destructor runs) while it writes leaves the previous site as it was, and the
//! next build cleans up after it; a build that fails in rendering keeps the previous site too.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{same_site, Site};

/// A generated archive large enough that writing it takes a while.
fn large_site(count: usize) -> Site {
    Site::generated(count, 8, &[])
}

/// Leftover folders of builds beside the output.
fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect()
}

/// Starts a build and kills it once its temporary folder holds at least `files` files.
/// Returns whether it was killed while writing (false: it finished first).
fn kill_while_writing(site: &Site, files: usize) -> bool {
    let root = site.root();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pmarchive"))
        .args([
            "build",
            "--root",
            root.to_str().unwrap(),
            "--today",
            "2025-11-30",
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let prefix = format!(".public.tmp-{}-", child.id());
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the build hung"
        );
        let tmp = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with(&prefix));
        if let Some(tmp) = tmp {
            let written = walkdir::WalkDir::new(tmp.path())
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .count();
            if written >= files {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_build_killed_while_writing_leaves_the_previous_site() {
    let site = large_site(600);
    let before = site.build_ok(&[]);
    let public = site.root().join("public");
    // Change the content so the next site differs.
    site.write(
        "content/2099/2099-01-01-new.md",
        "+++\ntitle = \"A new incident\"\ndate = 2099-01-01\nseverity = \"SEV3\"\nsummary = \"New.\"\nservices = [\"web\"]\n+++\n## Summary\n\nNew.\n",
    );
    let mut killed = 0;
    // Killed as soon as it starts writing, and half-way through.
    for files in [1, before.files.len() / 2] {
        if kill_while_writing(&site, files) {
            killed += 1;
            same_site(&public, &before);
            assert!(
                !leftovers(site.root()).is_empty(),
                "the killed build left its folder"
            );
        }
    }
    assert!(
        killed > 0,
        "no build was killed while writing (the machine is too fast?)"
    );
    // The next build replaces the site and removes what the killed ones left.
    let after = site.build_ok(&[]);
    assert!(after.has("postmortems/2099-01-01-new/index.html"));
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}

#[test]
fn a_build_that_fails_while_rendering_keeps_the_previous_site() {
    let site = Site::empty();
    site.write(
        "content/good.md",
        "+++\ntitle = \"Good\"\ndate = 2025-01-02\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [\"web\"]\n+++\n## Summary\n\nFine.\n",
    );
    let before = site.build_ok(&[]);
    site.write(
        "theme/templates/postmortem.html",
        "{{ no_such_value.field }}",
    );
    let out = site.build(&[]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"));
    // The site's own template is named, with the line and column of the problem.
    assert!(
        stderr.contains("theme/templates/postmortem.html:1:4"),
        "{stderr}"
    );
    same_site(&site.root().join("public"), &before);
    assert_eq!(leftovers(site.root()), Vec::<String>::new());
}
