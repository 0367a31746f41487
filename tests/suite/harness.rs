//! Shared test machinery: fixture sites copied into temporary folders, built with the real
//! binary, and read back; a link checker over the built HTML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's generator of synthetic archives (`bench/gen-archive.py`).
pub(crate) fn generator() -> PathBuf {
    repo().join("bench/gen-archive.py")
}

/// The external corpus of real public postmortems (GPL test data, never copied into the
/// repository): `../shared/corpus/public-postmortems` beside it, which
/// `tests/fixtures/public-postmortems` builds. `None`, with a printed reason, when it is not
/// there; in CI (`CI` set), which always has it, its absence fails the test.
pub(crate) fn real_corpus(test: &str) -> Option<PathBuf> {
    let corpus = repo().join("../shared/corpus/public-postmortems");
    if corpus.is_dir() {
        return Some(corpus);
    }
    let why = format!(
        "{test} needs the real corpus at {} (../shared/corpus/public-postmortems beside the repository)",
        corpus.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}");
    }
    skipped(&why);
    None
}

/// Says why a test is skipped, on the real standard error: libtest captures `eprintln!` (shown
/// only for failing tests), and a skip must be seen in a passing run.
pub(crate) fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {why}");
}

/// Runs the pmarchive binary.
pub(crate) fn pmarchive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pmarchive"))
        .args(args)
        .output()
        .expect("run pmarchive")
}

/// A site under test: a temporary root with `content/` etc.
pub(crate) struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// An empty site root.
    pub(crate) fn empty() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        Site { dir }
    }

    /// A site of `bench/gen-archive.py --count count --seed seed` postmortems (deterministic),
    /// with `extra` generator options; the hidden classes land in `content.classes.tsv`.
    pub(crate) fn generated(count: usize, seed: u64, extra: &[&str]) -> Site {
        let site = Site::empty();
        std::fs::remove_dir_all(site.root().join("content")).unwrap();
        let status = Command::new("python3")
            .arg(generator())
            .args(["--count", &count.to_string(), "--seed", &seed.to_string()])
            .args(extra)
            .args(["--quiet", "--out"])
            .arg(site.root().join("content"))
            .status()
            .expect("python3 runs bench/gen-archive.py");
        assert!(status.success());
        site
    }

    /// A copy of the repository's example archive (content/ and pmarchive.toml).
    pub(crate) fn example() -> Site {
        let site = Site::empty();
        copy_dir(&repo().join("content"), &site.root().join("content"));
        std::fs::copy(
            repo().join("pmarchive.toml"),
            site.root().join("pmarchive.toml"),
        )
        .unwrap();
        site
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file under the root.
    pub(crate) fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Runs `build` with extra arguments; returns the process output.
    pub(crate) fn build(&self, extra: &[&str]) -> Output {
        let root = self.root().to_str().unwrap().to_string();
        let mut args = vec!["build", "--root", &root, "--today", "2025-11-30", "--quiet"];
        args.extend_from_slice(extra);
        pmarchive(&args)
    }

    /// Builds and asserts success; returns the built output.
    pub(crate) fn build_ok(&self, extra: &[&str]) -> Built {
        let out = self.build(extra);
        assert!(
            out.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Built::read(&self.root().join("public"))
    }

    /// Builds into `out` (`--output`) and asserts success; returns the built output.
    pub(crate) fn build_into(&self, out: &Path, extra: &[&str]) -> Built {
        let mut args = vec!["--output", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let output = self.build(&args);
        assert!(
            output.status.success(),
            "build into {} failed: {}",
            out.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        Built::read(out)
    }
}

/// Copies a folder recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A built site read into memory.
pub(crate) struct Built {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Built {
    pub(crate) fn read(dir: &Path) -> Built {
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(dir).unwrap();
                files.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(entry.path()).unwrap(),
                );
            }
        }
        Built { files }
    }

    /// A file's text; panics with the list of files when it is missing.
    pub(crate) fn text(&self, path: &str) -> String {
        match self.files.get(path) {
            Some(b) => String::from_utf8(b.clone()).unwrap(),
            None => panic!(
                "{path} not in output; have {:?}",
                self.files.keys().take(50).collect::<Vec<_>>()
            ),
        }
    }

    pub(crate) fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every file whose bytes contain `needle`.
    pub(crate) fn containing(&self, needle: &str) -> Vec<String> {
        let n = needle.as_bytes();
        self.files
            .iter()
            .filter(|(_, b)| b.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Checks every href/src of every HTML page: internal targets must exist, fragments must
    /// name an id in the target page. Returns the broken links.
    pub(crate) fn broken_links(&self) -> Vec<String> {
        let ids: BTreeMap<&str, BTreeSet<String>> = self
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(p, b)| {
                (
                    p.as_str(),
                    attr_values(&String::from_utf8_lossy(b), "id")
                        .into_iter()
                        .collect(),
                )
            })
            .collect();
        let mut broken = Vec::new();
        for (page, bytes) in &self.files {
            if !page.ends_with(".html") || page == "404.html" {
                continue;
            }
            let html = String::from_utf8_lossy(bytes);
            let mut links = attr_values(&html, "href");
            links.extend(attr_values(&html, "src"));
            for link in links {
                let link = link.replace("&amp;", "&");
                if link.starts_with("http://")
                    || link.starts_with("https://")
                    || link.starts_with("mailto:")
                    || link.starts_with("data:")
                {
                    continue;
                }
                let (path, frag) = match link.split_once('#') {
                    Some((p, f)) => (p.to_string(), Some(f.to_string())),
                    None => (link.clone(), None),
                };
                let path = path.split('?').next().unwrap().to_string();
                let target = if path.is_empty() {
                    page.clone()
                } else {
                    match resolve(page, &path) {
                        Some(t) => t,
                        None => {
                            broken.push(format!("{page}: {link} (escapes the site)"));
                            continue;
                        }
                    }
                };
                let target = if target.is_empty() || target.ends_with('/') {
                    format!("{target}index.html")
                } else {
                    target
                };
                if !self.files.contains_key(&target) {
                    broken.push(format!("{page}: {link} -> {target} missing"));
                    continue;
                }
                if let Some(f) = frag.filter(|f| !f.is_empty()) {
                    if target.ends_with(".html")
                        && !ids.get(target.as_str()).is_some_and(|s| s.contains(&f))
                    {
                        broken.push(format!("{page}: {link} -> no #{f} in {target}"));
                    }
                }
            }
        }
        broken
    }
}

/// Values of `name="..."` attributes (a scan good enough for the HTML we generate).
pub(crate) fn attr_values(html: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let pat = format!(" {name}=\"");
    let mut rest = html;
    while let Some(i) = rest.find(&pat) {
        rest = &rest[i + pat.len()..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// Resolves a relative link from `page` (a file path) to a path from the root.
pub(crate) fn resolve(page: &str, link: &str) -> Option<String> {
    if link.starts_with('/') {
        return None; // root-absolute links break sub-path hosting
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    let trailing = link.ends_with('/');
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut s = parts.join("/");
    if trailing && !s.is_empty() {
        s.push('/');
    }
    Some(s)
}

/// Asserts that `dir` still holds exactly the site `before` (after a failed or killed build).
pub(crate) fn same_site(dir: &Path, before: &Built) {
    let after = Built::read(dir);
    assert_eq!(
        before.files.keys().collect::<Vec<_>>(),
        after.files.keys().collect::<Vec<_>>()
    );
    assert!(before.files == after.files, "the previous site changed");
}
