//! Bad input: every problem reported with file, line and column, all at once, never a panic,
//! and the previous output left untouched.

use crate::harness::{Built, Site};

const GOOD: &str = "+++\ntitle = \"Good\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"Fine.\"\nservices = [\"web\"]\n+++\n\n## Summary\n\nFine.\n";

#[test]
fn every_problem_is_reported_at_once_with_its_location() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    site.write(
        "content/bad-fields.md",
        "+++\ntitle = \"Bad\"\ndate = \"last tuesday\"\nseverity = \"SEV9\"\nrecurrence_of = [\"no-such-incident\"]\n+++\n",
    );
    site.write(
        "content/broken-toml.md",
        "+++\ntitle = \"x\ndate = 2025-01-01\n+++\n",
    );
    site.write("content/unclosed.md", "+++\ntitle = \"x\"\n");
    site.write("content/empty.md", "");
    site.write("content/sub/good.md", GOOD);
    std::fs::write(
        site.root().join("content/latin1.md"),
        b"+++\ntitle = \"caf\xe9\"\n+++\n",
    )
    .unwrap();
    site.write("content/yaml.md", "---\ntitle: [unclosed\n---\n");
    site.write("content/types.md", "+++\ntitle = \"t\"\ndate = 2025-01-01\nservices = [1, [2]]\nnear_miss = \"yes\"\n[[action_items]]\ndue = 5\n+++\n");
    let huge = format!("+++\ntitle = \"big\"\n+++\n{}", "x".repeat(9 * 1024 * 1024));
    site.write("content/huge.md", &huge);
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "content/bad-fields.md:3:",
        "content/bad-fields.md:4:",
        "content/bad-fields.md:5:",
        "unknown severity `SEV9`",
        "no-such-incident",
        "content/broken-toml.md:2:",
        "content/unclosed.md:1:",
        "never closed",
        "content/empty.md:1:1",
        "content/latin1.md:2:",
        "UTF-8",
        "content/yaml.md:",
        "the id `good` is also used by",
        "content/types.md:4:",
        "must be a list of strings",
        "content/types.md:5:",
        "must be true or false",
        "content/types.md:7:",
        "content/huge.md:1:1",
        "refused",
    ] {
        assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
    }
    assert!(!err.contains("panicked"));
    assert!(
        !site.root().join("public").exists(),
        "a failed build wrote output"
    );
}

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    let before = site.build_ok(&[]);
    site.write("content/bad.md", "+++\ntitle = 3\n+++\n");
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    let after = Built::read(&site.root().join("public"));
    assert_eq!(before.files, after.files);
}

#[test]
fn output_inside_content_is_refused() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    let out_dir = site.root().join("content/public");
    let out = site.build(&["--output", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the content folder"));
    let root = site.root().to_str().unwrap().to_string();
    let out = site.build(&["--output", &root]);
    assert_eq!(out.status.code(), Some(2));
    assert!(site.root().join("content/good.md").exists());
}

#[test]
fn a_foreign_output_folder_is_not_replaced() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    site.write("public/notes.txt", "mine");
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(site.root().join("public/notes.txt").exists());
}

#[test]
fn missing_required_fields_and_unsafe_ids() {
    let site = Site::empty();
    site.write("content/no-title.md", "+++\ndate = 2025-01-01\n+++\n");
    site.write(
        "content/x.md",
        "+++\nid = \"../../etc\"\ntitle = \"t\"\ndate = 2025-01-01\n+++\n",
    );
    site.write("content/no-date.md", "+++\ntitle = \"t\"\n+++\n");
    let out = site.build(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`title` is required"), "{err}");
    assert!(err.contains("`date` is required"), "{err}");
    assert!(err.contains("not a valid id"), "{err}");
}
