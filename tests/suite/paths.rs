//! No path escapes the output folder (issue #8): ids and slugs from front matter, file names,
//! `..`, absolute paths, NUL, Windows separators, symlinks out of the content folder. Unsafe
//! ids and links out are located diagnostics; values that only become slugs (services, teams,
//! tags, factors) build, inside the output. The whole tree around the site is compared before
//! and after each build: nothing is written anywhere but the output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::hostile::guarded;

/// Every file and folder under `dir` (relative paths), with the bytes of files.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// A site two levels down in a private folder, so `..` from the output lands inside `outer`.
struct Nest {
    outer: tempfile::TempDir,
}

impl Nest {
    fn new() -> Nest {
        let nest = Nest {
            outer: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(nest.root().join("content")).unwrap();
        nest
    }

    fn root(&self) -> PathBuf {
        self.outer.path().join("a/b/site")
    }

    fn write(&self, rel: &str, text: &[u8]) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Builds; asserts nothing changed outside `site/public`. Returns (exit code, stderr).
    fn build(&self) -> (i32, String) {
        let before = tree(self.outer.path());
        let root = self.root();
        let out = guarded(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--today",
            "2025-11-30",
            "--quiet",
        ]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        let public = Path::new("a/b/site/public");
        let strip = |t: BTreeMap<PathBuf, Option<Vec<u8>>>| -> BTreeMap<PathBuf, Option<Vec<u8>>> {
            t.into_iter()
                .filter(|(p, _)| !p.starts_with(public))
                .collect()
        };
        let after = strip(tree(self.outer.path()));
        let before = strip(before);
        let added: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
        assert!(added.is_empty(), "written outside the output: {added:?}");
        assert!(before == after, "files outside the output changed");
        (out.status.code().unwrap_or(-1), err)
    }
}

const FIELDS: &str =
    "date = 2025-01-02\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [\"web\"]\n";

#[test]
fn unsafe_ids_and_file_names_are_located_errors() {
    let nest = Nest::new();
    let ids = [
        "../../../escape",
        "/tmp/absolute",
        "a/b",
        "a\\\\b",
        "..\\\\..\\\\escape",
        "C:\\\\escape",
        "nul\\u0000byte",
        "..",
        ".",
        "-leading-dash",
        "con sole",
    ];
    for (i, id) in ids.iter().enumerate() {
        nest.write(
            &format!("content/id-{i}.md"),
            format!("+++\ntitle = \"t\"\nid = \"{id}\"\n{FIELDS}+++\n").as_bytes(),
        );
    }
    // File names that make bad ids.
    for name in ["back\\slash", "with space", "-dash"] {
        nest.write(
            &format!("content/{name}.md"),
            format!("+++\ntitle = \"t\"\n{FIELDS}+++\n").as_bytes(),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        std::fs::write(
            nest.root().join("content").join(name),
            format!("+++\ntitle = \"t\"\n{FIELDS}+++\n"),
        )
        .unwrap();
    }
    let (code, err) = nest.build();
    assert_eq!(code, 1, "{err}");
    let missing: Vec<&&str> = (0..ids.len())
        .filter(|i| !err.contains(&format!("content/id-{i}.md:3:")))
        .map(|i| &ids[i])
        .collect();
    assert!(
        missing.is_empty(),
        "no located diagnostic for ids {missing:?}:\n{err}"
    );
    for name in ["back\\slash", "with space", "-dash"] {
        assert!(
            err.contains(&format!("content/{name}.md:")),
            "{name}:\n{err}"
        );
    }
    #[cfg(unix)]
    assert!(err.contains("content/caf"), "non-UTF-8 file name:\n{err}");
    assert!(err.contains("not a valid id"));
    assert!(!nest.root().join("public").exists());
}

#[test]
fn hostile_slugs_stay_inside_the_output() {
    let nest = Nest::new();
    let hostile = [
        "../../../escape",
        "/etc/passwd",
        "..",
        ".",
        "a\\\\..\\\\..\\\\b",
        "C:\\\\x",
        "nul\\u0000x",
        "%2e%2e%2fescape",
        "CON",
    ];
    let list = hostile
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ");
    nest.write(
        "content/slugs.md",
        format!(
            "+++\ntitle = \"t\"\ndate = 2025-01-02\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [{list}]\nteams = [{list}]\ntags = [{list}]\ncontributing_factors = [{list}]\n[[action_items]]\ntitle = \"Fix the resolver\"\nowner = \"../../../escape\"\ndue = 2025-02-01\nstatus = \"open\"\nkind = \"../x\"\npriority = \"/etc\"\n+++\n## Summary\n\nx\n"
        )
        .as_bytes(),
    );
    let (code, err) = nest.build();
    assert_eq!(code, 0, "{err}");
    let public = nest.root().join("public");
    for kind in ["services", "teams", "tags", "factors"] {
        assert!(
            public.join(kind).join("escape/index.html").exists(),
            "{kind}"
        );
        assert!(
            public.join(kind).join("etc-passwd/index.html").exists(),
            "{kind}"
        );
    }
    // Every file is a real file under the output (no symlinks, no `..` in any name).
    for e in walkdir::WalkDir::new(&public) {
        let e = e.unwrap();
        assert!(!e.path_is_symlink(), "{}", e.path().display());
        let name = e.file_name().to_string_lossy();
        assert!(name != ".." && !name.contains(['\\', '\0']), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_content_folder_are_located_warnings_and_never_read() {
    use std::os::unix::fs::symlink;
    let nest = Nest::new();
    let outside = nest.outer.path().join("secret");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.md"),
        format!("+++\ntitle = \"SECRETMARKER\"\n{FIELDS}+++\n"),
    )
    .unwrap();
    nest.write(
        "content/good.md",
        format!("+++\ntitle = \"good\"\n{FIELDS}+++\n").as_bytes(),
    );
    let content = nest.root().join("content");
    symlink(outside.join("secret.md"), content.join("file-link.md")).unwrap();
    symlink(&outside, content.join("dir-link")).unwrap();
    symlink("/etc/hostname", content.join("absolute.md")).unwrap();
    // A link that stays inside is fine.
    symlink("good.md", content.join("alias.md")).unwrap();
    // Skipped links do not fail the build; nothing of theirs is published.
    let (code, err) = nest.build();
    assert_eq!(code, 0, "{err}");
    let public = crate::harness::Built::read(&nest.root().join("public"));
    assert!(public.containing("SECRETMARKER").is_empty());
    assert!(public.has("postmortems/alias/index.html"));
    let root = nest.root();
    let out = guarded(&["check", "--root", root.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    for f in [
        "content/file-link.md:1:1",
        "content/dir-link:1:1",
        "content/absolute.md:1:1",
    ] {
        assert!(report.contains(f), "{f}:\n{report}");
    }
    assert_eq!(report.matches("warning[io/symlink]").count(), 3, "{report}");
    assert!(report.contains("outside the content folder"));
    assert!(!report.contains("SECRETMARKER"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("SECRETMARKER"));
}
