//! Hostile or broken input (issue #8): huge files, deep nesting, long lines, non-UTF-8, symlink
//! loops, thousands of factors, NUL bytes. Each gives located diagnostics or a site, never a
//! panic, a hang or unbounded memory. Timings are not asserted: each build runs under a generous
//! timeout (a hang guard only) and, on Unix, an address-space limit (a memory guard).

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Built, Site};

/// Hang guard: far above any honest build of these inputs.
const TIMEOUT: Duration = Duration::from_secs(300);
/// Memory guard (address space, so it also bounds what a runaway allocation could take).
const MEMORY: u64 = 6 << 30;

const HEAD: &str =
    "+++\ntitle = \"T\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [\"web\"]\n+++\n";

/// Runs pmarchive with the guards; panics when it hangs.
pub(crate) fn guarded(args: &[&str]) -> Output {
    guarded_with(args, &[], TIMEOUT)
}

/// [`guarded`] with extra environment variables and its own hang guard.
pub(crate) fn guarded_with(args: &[&str], env: &[(&str, &str)], timeout: Duration) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pmarchive"));
    cmd.args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: MEMORY as libc::rlim_t,
                    rlim_max: MEMORY as libc::rlim_t,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().expect("run pmarchive");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pmarchive {args:?} hung (killed after {timeout:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Builds `site` under the guards: exit 0 or 1, never a panic or a signal. Returns (code,
/// stderr).
fn build(site: &Site, extra: &[&str]) -> (i32, String) {
    let root = site.root().to_str().unwrap().to_string();
    let mut args = vec!["build", "--root", &root, "--today", "2025-11-30", "--quiet"];
    args.extend_from_slice(extra);
    let out = guarded(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let head: String = err.chars().take(3000).collect();
    assert!(!err.contains("panicked"), "panic: {head}");
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal ({:?}): {head}", out.status));
    assert!(code == 0 || code == 1, "exit {code}: {head}");
    (code, err)
}

fn ok(site: &Site) -> Built {
    let (code, err) = build(site, &[]);
    assert_eq!(code, 0, "{}", err.chars().take(3000).collect::<String>());
    Built::read(&site.root().join("public"))
}

#[test]
fn deep_nesting_is_a_located_error_and_repetition_builds() {
    let n = 50_000;
    let site = Site::empty();
    // Nesting a real postmortem might have builds.
    site.write(
        "content/nested.md",
        &format!(
            "{HEAD}## Summary\n\n{} deep\n\n{}deep\n\n{}x{}\n",
            ">".repeat(40),
            "- ".repeat(40),
            "<div>".repeat(20),
            "</div>".repeat(20)
        ),
    );
    // Many siblings, the same heading thousands of times, long runs of delimiters (within the
    // markup limit: 330,000 lines and markup characters).
    let r = n / 2;
    site.write(
        "content/repeated.md",
        &format!(
            "{HEAD}{}\n{}\n\n{}{}{}\n\n{}x{}\n",
            "## Summary\n\n### x\n\n".repeat(20_000),
            "<div>x</div>".repeat(r),
            "[".repeat(r),
            "*_".repeat(r),
            "](".repeat(r),
            "**".repeat(r),
            "**".repeat(r)
        ),
    );
    let built = ok(&site);
    let page = built.text("postmortems/repeated/index.html");
    assert!(page.contains("id=\"x-19999\""), "unique anchors");

    // Nesting no postmortem needs (the sanitiser's cost grows with the square of the depth):
    // an error at the line where it gets too deep.
    site.write(
        "content/quotes.md",
        &format!("{HEAD}## Summary\n\n{} deep\n", ">".repeat(n)),
    );
    site.write(
        "content/lists.md",
        &format!("{HEAD}## Summary\n\nText.\n\n{}deep\n", "- ".repeat(n)),
    );
    site.write(
        "content/html.md",
        &format!(
            "{HEAD}## Summary\n\n{}deep{}\n",
            "<div>".repeat(n),
            "</div>".repeat(n)
        ),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    for at in [
        "content/quotes.md:10:",
        "content/lists.md:12:",
        "content/html.md:10:",
    ] {
        assert!(
            err.contains(at),
            "no error at {at}:\n{}",
            &err[..err.len().min(3000)]
        );
    }
    assert!(err.contains("nest more than 100 levels"));
}

#[test]
fn deep_front_matter_nesting_is_a_located_error() {
    let site = Site::empty();
    let n = 20_000;
    site.write(
        "content/toml.md",
        &format!(
            "+++\ntitle = \"T\"\nx = {}{}\n+++\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    site.write(
        "content/toml-tables.md",
        &format!(
            "+++\ntitle = \"T\"\nx = {}1{}\n+++\n",
            "{a=".repeat(n),
            "}".repeat(n)
        ),
    );
    site.write(
        "content/yaml.md",
        &format!(
            "---\ntitle: T\nx: {}{}\n---\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    for f in [
        "content/toml.md:",
        "content/toml-tables.md:",
        "content/yaml.md:",
    ] {
        assert!(err.contains(f), "no diagnostic for {f}");
    }
}

#[test]
fn long_lines_and_large_files_build_or_are_refused() {
    let site = Site::empty();
    // A 4 MB paragraph on one line, a 1 MB title, a 1 MB line in a code block, 100,000 lines.
    let long = "word ".repeat(800_000);
    site.write("content/long.md", &format!("{HEAD}## Summary\n\n{long}\n"));
    site.write(
        "content/title.md",
        &HEAD.replace(
            "title = \"T\"",
            &format!("title = \"{}\"", "t".repeat(1 << 20)),
        ),
    );
    site.write(
        "content/code.md",
        &format!(
            "{HEAD}## Summary\n\n```rust\n{}\n```\n",
            "x".repeat(1 << 20)
        ),
    );
    site.write(
        "content/lines.md",
        &format!(
            "{HEAD}## Timeline\n\n{}",
            "- 10:00 UTC: event\n".repeat(100_000)
        ),
    );
    ok(&site);
    // Over the size limit: refused with its location, with a long line in a bad field too.
    site.write("content/huge.md", &format!("{HEAD}{}", "x".repeat(9 << 20)));
    site.write(
        "content/bad-long.md",
        &format!(
            "+++\ntitle = \"T\"\ndate = \"{}\"\n+++\n",
            "9".repeat(1 << 20)
        ),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("content/huge.md:1:1"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.contains("content/bad-long.md:3:"));
}

#[test]
fn non_utf8_nul_bytes_and_control_characters() {
    let site = Site::empty();
    let write = |rel: &str, bytes: &[u8]| {
        let p = site.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    write(
        "content/latin1-body.md",
        &[HEAD.as_bytes(), b"## Summary\n\ncaf\xe9\n"].concat(),
    );
    write("content/nul-toml.md", b"+++\ntitle = \"a\0b\"\n+++\n");
    write(
        "content/bom.md",
        &[b"\xef\xbb\xbf", HEAD.as_bytes()].concat(),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("content/latin1-body.md:10:"), "{err}");
    assert!(err.contains("content/nul-toml.md:2:"), "{err}");

    // NUL and other control characters that are valid TOML escapes or Markdown text: the site
    // builds, and its feeds stay well-formed XML (which allows no C0 control characters).
    let site = Site::empty();
    site.write(
        "content/controls.md",
        &format!(
            "{}## Summary\n\nNUL \0 here, bell \x07, escape \x1b.\n",
            HEAD.replace("title = \"T\"", "title = \"a\\u0000b\\u0007c\\u001bd\"")
                .replace("summary = \"S.\"", "summary = \"s\\u0000\\u0008\"")
                .replace("services = [\"web\"]", "services = [\"w\\u0000eb\"]")
        ),
    );
    let built = ok(&site);
    for (path, bytes) in &built.files {
        if path.ends_with(".xml") {
            let text = std::str::from_utf8(bytes).unwrap();
            roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        if path.ends_with(".html") || path.ends_with(".xml") {
            assert!(!bytes.contains(&0), "{path} has a NUL byte");
        }
    }
}

#[test]
fn thousands_of_factors_services_and_tags() {
    let names = |p: &str, from: usize, n: usize| {
        (from..from + n)
            .map(|i| format!("\"{p}-{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let doc = |title: &str, date: &str, services: String, factors: String, tags: String| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [{services}]\ncontributing_factors = [{factors}]\ntags = [{tags}]\n+++\n## Summary\n\nMany.\n"
        )
    };
    // 5,000 distinct factors over an archive, and one postmortem at the limit of 1,000.
    let site = Site::empty();
    for k in 0..250 {
        site.write(
            &format!("content/p-{k}.md"),
            &doc(
                &format!("P {k}"),
                &format!("2024-{:02}-{:02}", 1 + k % 12, 1 + k % 28),
                names("service", k % 50, 3),
                names("factor", k * 20, 20),
                names("tag", k % 40, 4),
            ),
        );
    }
    site.write(
        "content/at-the-limit.md",
        &doc(
            "At the limit",
            "2025-06-07",
            names("service", 0, 1000),
            names("factor", 0, 1000),
            names("tag", 0, 1000),
        ),
    );
    let built = ok(&site);
    assert!(built.has("factors/factor-4999/index.html"));
    // A card in a listing shows a dozen of each, not all 1,000.
    let page = built.text("factors/factor-999/index.html");
    assert!(page.contains("+988 more"), "card terms are capped");

    // 5,000 in one postmortem: a located error, quickly.
    site.write(
        "content/too-many.md",
        &doc(
            "Too many",
            "2025-06-08",
            names("service", 0, 5000),
            names("factor", 0, 5000),
            names("tag", 0, 5000),
        ),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    for line in [6, 7, 8] {
        assert!(
            err.contains(&format!("content/too-many.md:{line}:")),
            "{err}"
        );
    }
    assert!(err.contains("at most 1000"));
}

#[test]
fn dates_far_apart_stay_bounded() {
    // Quarters from year 1 to 9999 (40,000 of them) with many factors: the insights, the
    // factor pages' year tables and the JSON stay bounded.
    let site = Site::empty();
    let factors = (0..300)
        .map(|i| format!("\"f{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    for (k, date) in ["0001-01-01", "9999-12-31", "2025-01-01"]
        .iter()
        .enumerate()
    {
        site.write(
            &format!("content/far-{k}.md"),
            &format!(
                "+++\ntitle = \"Far {k}\"\ndate = {date}\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [\"web\"]\ncontributing_factors = [{factors}]\n[timing]\npublished = 9999-12-31\n[[action_items]]\ntitle = \"Rotate the keys\"\nowner = \"sec\"\ndue = {date}\nstatus = \"open\"\n+++\n## Summary\n\nFar.\n"
            ),
        );
    }
    let built = ok(&site);
    // Bounded by the input, not by the 10,000 years between the dates.
    let total: usize = built.files.values().map(Vec::len).sum();
    assert!(
        total < 50 << 20,
        "{total} bytes of output for three postmortems"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_self_links_are_reported() {
    use std::os::unix::fs::symlink;
    let site = Site::empty();
    site.write("content/good.md", HEAD);
    let content = site.root().join("content");
    symlink(&content, content.join("loop")).unwrap();
    symlink("self.md", content.join("self.md")).unwrap();
    std::fs::create_dir(content.join("a")).unwrap();
    symlink("../b", content.join("a/to-b")).unwrap();
    std::fs::create_dir(content.join("b")).unwrap();
    symlink("../a", content.join("b/to-a")).unwrap();
    // Links are never followed into folders, so no loop is walked; each is reported once.
    let root = site.root().to_str().unwrap();
    let out = guarded(&["check", "--root", root]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("content/loop:1:1"), "{report}");
    assert!(report.contains("content/self.md:1:1"), "{report}");
    assert_eq!(report.matches("symbolic link loop").count(), 2, "{report}");
    assert_eq!(out.status.code(), Some(0), "warnings only: {report}");
    ok(&site);
}

#[test]
fn too_many_fields_or_action_items_are_located_errors() {
    let site = Site::empty();
    let fields: String = (0..5000).map(|i| format!("field{i} = {i}\n")).collect();
    site.write(
        "content/fields.md",
        &format!("+++\ntitle = \"T\"\n{fields}+++\n"),
    );
    let items: String = (0..20_000)
        .map(|i| format!("[[action_items]]\ntitle = \"Fix {i}\"\n"))
        .collect();
    site.write(
        "content/items.md",
        &HEAD.replace("+++\n## ", "").replacen(
            "services = [\"web\"]\n+++\n",
            &format!("services = [\"web\"]\n{items}+++\n"),
            1,
        ),
    );
    let (code, err) = build(&site, &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("content/fields.md:2:"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.contains("at most 200"));
    assert!(err.contains("content/items.md:"));
    assert!(err.contains("20000 action items"));
}
