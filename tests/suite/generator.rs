//! The repository's generator of synthetic archives (`bench/gen-archive.py`, issue #24), which
//! the tests and benchmarks build on: deterministic, in the archive's format, and with hidden
//! classes whose recurrence links point back in time within the class.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::{pmarchive, Site};

fn files(content: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(content)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(content)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_generator_is_deterministic_and_its_classes_are_consistent() {
    let a = Site::generated(120, 5, &[]);
    let b = Site::generated(120, 5, &[]);
    let c = Site::generated(120, 6, &[]);
    let (fa, fb, fc) = (
        files(&a.root().join("content")),
        files(&b.root().join("content")),
        files(&c.root().join("content")),
    );
    assert_eq!(fa.len(), 120);
    assert_eq!(fa, fb, "same count and seed, same bytes");
    assert_ne!(fa, fc, "another seed, another archive");
    assert_eq!(
        std::fs::read(a.root().join("content.classes.tsv")).unwrap(),
        std::fs::read(b.root().join("content.classes.tsv")).unwrap()
    );

    // The ground truth names every postmortem once; a class has several members.
    let tsv = std::fs::read_to_string(a.root().join("content.classes.tsv")).unwrap();
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some("id\tclass"));
    let class: BTreeMap<&str, &str> = lines.map(|l| l.split_once('\t').unwrap()).collect();
    assert_eq!(class.len(), 120);
    let classes: std::collections::BTreeSet<&&str> = class.values().collect();
    assert!((10..=20).contains(&classes.len()), "{}", classes.len());

    // It checks clean (warnings only: overdue items are part of the shape), and every
    // recurrence link names an earlier incident of the same class.
    let root = a.root().to_str().unwrap();
    let out = pmarchive(&[
        "check",
        "--root",
        root,
        "--today",
        "2025-11-30",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut links = 0;
    for (path, text) in &fa {
        let id = Path::new(path).file_stem().unwrap().to_str().unwrap();
        let front = text.split("\n+++\n").next().unwrap();
        for line in front
            .lines()
            .filter(|l| l.starts_with("recurrence_of = [\""))
        {
            for target in line["recurrence_of = [".len()..line.len() - 1].split(", ") {
                let target = target.trim_matches('"');
                assert_eq!(class[target], class[id], "{id} -> {target}");
                assert!(target[..10] <= id[..10], "{id} -> {target}: later");
                links += 1;
            }
        }
        for heading in ["## Summary", "## Timeline", "## Action items"] {
            assert!(text.contains(heading), "{path}: {heading}");
        }
    }
    assert!(links > 10, "{links}");

    // Drafts and restricted postmortems come from a stream of their own: nothing else changes.
    let d = Site::generated(
        120,
        5,
        &["--draft-fraction", "0.3", "--restricted-fraction", "0.2"],
    );
    let fd = files(&d.root().join("content"));
    let mut drafts = 0;
    for (path, text) in &fd {
        let plain = text
            .replace("status = \"draft\"", "status = \"published\"")
            .replace("visibility = \"restricted\"", "visibility = \"internal\"");
        assert_eq!(&plain, &fa[path], "{path}");
        drafts += usize::from(text.contains("status = \"draft\""));
    }
    assert!((15..=60).contains(&drafts), "{drafts}");
}
