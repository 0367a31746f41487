//! Issue #25, the second red-team round: each finding's hostile input, generated here at run
//! time, against the real binary. No timing is asserted: a generous kill timeout only guards
//! against hangs.

use std::time::Duration;

use crate::harness::{Built, Site};
use crate::hostile::guarded_with;

const GOOD: &str = "+++\ntitle = \"Good\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"Fine.\"\nservices = [\"web\"]\n+++\n\n## Summary\n\nFine.\n";

/// Hang guard for inputs that must finish quickly (a hang is what the finding was).
const QUICK: Duration = Duration::from_secs(30);

/// `check` on `site` (human output): (exit code, stdout, stderr).
fn check(site: &Site, env: &[(&str, &str)]) -> (i32, String, String) {
    let root = site.root().to_str().unwrap();
    let out = guarded_with(&["check", "--root", root], env, QUICK);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Findings 1, 2 and 9: links out of the content folder, a link to `/`, special and hidden
/// files. Each is one located warning; nothing is read through a link leaving the folder, so
/// the environment behind `/proc/self/environ` never reaches any output.
#[cfg(target_os = "linux")]
#[test]
fn r25_links_out_special_and_hidden_files_are_warnings_and_never_read() {
    use std::os::unix::fs::symlink;
    const CANARY: &str = "pm-canary-7f3a9c1e5b";
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    site.write("content/.hidden.md", GOOD);
    site.write("content/...md", GOOD);
    let content = site.root().join("content");
    symlink("/proc/self/environ", content.join("env.md")).unwrap();
    symlink("/", content.join("root")).unwrap();
    symlink("/dev/zero", content.join("zero.md")).unwrap();
    let fifo = std::ffi::CString::new(content.join("fifo.md").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let env = [("PMARCHIVE_SECRET_CANARY", CANARY)];

    let (code, out, err) = check(&site, &env);
    assert_eq!(code, 0, "warnings only:\n{out}{err}");
    for (file, rule) in [
        ("content/env.md:1:1", "warning[io/symlink]"),
        ("content/root:1:1", "warning[io/symlink]"),
        ("content/zero.md:1:1", "warning[io/symlink]"),
        ("content/fifo.md:1:1", "warning[io/skipped]"),
        ("content/.hidden.md:1:1", "warning[io/skipped]"),
        ("content/...md:1:1", "warning[io/skipped]"),
    ] {
        let at = out
            .find(file)
            .unwrap_or_else(|| panic!("no {file}:\n{out}"));
        // The rule is on the diagnostic's first line, just before the location.
        let head = &out[..at];
        let line = head.rsplit("\n\n").next().unwrap_or(head);
        assert!(line.contains(rule), "{file} is not {rule}:\n{out}");
    }
    assert_eq!(out.matches("warning[io/").count(), 6, "one each:\n{out}");
    assert!(out.contains("1 postmortems checked: 0 error(s)"), "{out}");
    assert!(!out.contains(CANARY) && !err.contains(CANARY), "{out}{err}");

    let root = site.root().to_str().unwrap();
    let json = guarded_with(&["check", "--root", root, "--format", "json"], &env, QUICK);
    assert!(!String::from_utf8_lossy(&json.stdout).contains(CANARY));

    // `build` prints the same warnings (not `--quiet`) and publishes only the good file.
    let out = guarded_with(
        &["build", "--root", root, "--today", "2025-11-30"],
        &env,
        QUICK,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("content/env.md:1:1") && !err.contains(CANARY),
        "{err}"
    );
    let built = Built::read(&site.root().join("public"));
    assert!(built.containing(CANARY).is_empty());
    assert!(built.has("postmortems/good/index.html"));
    for id in ["env", "zero", "fifo", "hidden", ".hidden", ".."] {
        assert!(!built.has(&format!("postmortems/{id}/index.html")), "{id}");
    }
}

/// `check --format json` on `site`: every diagnostic as (file, line, column, severity, rule,
/// message), but the `template/` warnings (sections these short test files leave out).
fn diagnostics(site: &Site) -> Vec<(String, u64, u64, String, String, String)> {
    let root = site.root().to_str().unwrap();
    let out = guarded_with(&["check", "--root", root, "--format", "json"], &[], QUICK);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    json.as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["rule"].as_str().unwrap().starts_with("template/"))
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Finding 5: ids that are the site's own names are located `check` errors, and `build` fails
/// on them with the same diagnostics, never with an unlocated `File exists`.
#[test]
fn r25_ids_that_are_the_sites_own_names_are_located_errors() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    site.write(
        "content/a.md",
        &GOOD.replace("+++\ntitle", "+++\nid = \"index.html\"\ntitle"),
    );
    site.write("content/index.html.md", GOOD);
    site.write("content/Page.md", GOOD);
    let d = diagnostics(&site);
    let ids: Vec<_> = d
        .iter()
        .filter(|x| x.4 == "schema/id")
        .map(|x| (x.0.as_str(), x.1, x.2, x.3.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("content/Page.md", 1, 1, "error"),
            ("content/a.md", 2, 6, "error"),
            ("content/index.html.md", 1, 1, "error"),
        ],
        "{d:?}"
    );
    assert!(d
        .iter()
        .any(|x| x.5.contains("a name the site uses itself")));
    let out = site.build(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/a.md:2:6"), "{err}");
    assert!(
        !err.contains("File exists") && !err.contains("os error"),
        "{err}"
    );
}

/// Finding 6: a number, a boolean, a date or a table where a list of names is expected is a
/// `schema/type` error at the value; one name stays a list of one.
#[test]
fn r25_scalars_where_a_list_of_names_is_expected_are_type_errors() {
    let site = Site::empty();
    let with = |field: &str, value: &str| {
        GOOD.replace(
            "services = [\"web\"]\n",
            &format!("services = [\"web\"]\n{field} = {value}\n"),
        )
    };
    site.write(
        "content/number.md",
        &GOOD.replace("services = [\"web\"]", "services = 42"),
    );
    site.write("content/bool.md", &with("teams", "true"));
    site.write("content/float.md", &with("tags", "3.5"));
    site.write("content/date.md", &with("authors", "2025-01-02"));
    site.write(
        "content/table.md",
        &with("contributing_factors", "{ a = 1 }"),
    );
    site.write("content/dates.md", &with("tags", "[2025-01-02]"));
    site.write("content/bools.md", &with("recurrence_of", "[true]"));
    site.write(
        "content/yaml.md",
        "---\ntitle: Y\ndate: 2025-01-02\nseverity: SEV3\nsummary: S.\nservices: 7\n---\n",
    );
    site.write(
        "content/one.md",
        &GOOD.replace(
            "services = [\"web\"]",
            "services = \"web\"\nteams = \"sre\"",
        ),
    );
    let d = diagnostics(&site);
    let types: Vec<_> = d
        .iter()
        .filter(|x| x.4 == "schema/type")
        .map(|x| (x.0.as_str(), x.1, x.2))
        .collect();
    assert_eq!(
        types,
        [
            ("content/bool.md", 7, 9),
            ("content/bools.md", 7, 17),
            ("content/date.md", 7, 11),
            ("content/dates.md", 7, 8),
            ("content/float.md", 7, 8),
            ("content/number.md", 6, 12),
            ("content/table.md", 7, 24),
            ("content/yaml.md", 6, 11),
        ],
        "{d:?}"
    );
    // A wrong `services` is not also missing.
    assert!(!d.iter().any(|x| x.4 == "schema/required"), "{d:?}");
    assert!(
        !d.iter().any(|x| x.0 == "content/one.md" && x.3 == "error"),
        "{d:?}"
    );
    let bad = d.iter().find(|x| x.0 == "content/number.md").unwrap();
    assert!(bad.5.contains("found a number"), "{bad:?}");
    // Nothing became a service page.
    let out = site.build(&[]);
    assert_eq!(out.status.code(), Some(1));
}

/// Finding 11: bidirectional controls are left out of every output file, with a located
/// warning; a bad value gets its own error only; an id over the limit says the limit; each
/// list level counts once towards the nesting limit.
#[test]
fn r25_bidi_controls_lone_errors_id_limit_and_list_nesting() {
    let site = Site::empty();
    site.write(
        "content/bidi.md",
        &GOOD
            .replace("title = \"Good\"", "title = \"Good \u{202e}txt.exe\"")
            .replace(
                "services = [\"web\"]",
                "services = [\"w\u{2066}eb\", \"db\u{200f}\"]",
            ),
    );
    site.write(
        "content/bad-severity.md",
        &GOOD.replace("severity = \"SEV3\"", "severity = \"SEV9\""),
    );
    site.write(
        "content/long-id.md",
        &GOOD.replace(
            "+++\ntitle",
            &format!("+++\nid = \"{}\"\ntitle", "a".repeat(201)),
        ),
    );
    let list = |n: usize| format!("{GOOD}\n{}deep\n", "- ".repeat(n));
    site.write("content/at-the-limit.md", &list(100));
    let d = diagnostics(&site);
    let of = |file: &str| -> Vec<(u64, u64, &str, &str)> {
        d.iter()
            .filter(|x| x.0 == file)
            .map(|x| (x.1, x.2, x.3.as_str(), x.4.as_str()))
            .collect()
    };
    assert_eq!(
        of("content/bidi.md"),
        [
            (2, 9, "warning", "schema/bidi-control"),
            (6, 12, "warning", "schema/bidi-control")
        ],
        "{d:?}"
    );
    assert_eq!(
        of("content/bad-severity.md"),
        [(4, 12, "error", "schema/severity")],
        "{d:?}"
    );
    assert_eq!(of("content/long-id.md"), [(2, 6, "error", "schema/id")]);
    let long = d.iter().find(|x| x.0 == "content/long-id.md").unwrap();
    assert!(long.5.contains("at most 200"), "{long:?}");
    assert!(of("content/at-the-limit.md").is_empty(), "{d:?}");

    std::fs::remove_file(site.root().join("content/bad-severity.md")).unwrap();
    std::fs::remove_file(site.root().join("content/long-id.md")).unwrap();
    let built = site.build_ok(&[]);
    for (path, bytes) in &built.files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(|c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')),
            "{path} has a bidirectional control"
        );
    }
    assert!(built
        .text("postmortems/bidi/index.html")
        .contains("Good txt.exe"));
    assert!(built.has("services/web/index.html") && built.has("services/db/index.html"));

    // One level over the limit: refused where it goes too deep.
    site.write("content/over.md", &list(101));
    let d = diagnostics(&site);
    let over: Vec<_> = d.iter().filter(|x| x.0 == "content/over.md").collect();
    assert_eq!(over.len(), 1, "{d:?}");
    assert_eq!((over[0].1, over[0].4.as_str()), (13, "schema/too-deep"));
    assert!(over[0].5.contains("more than 100 levels"));
}

/// Finding 3: deeply nested YAML flow collections are refused by a linear scan before the
/// YAML parser (whose time grows with the square of the depth) sees them.
#[test]
fn r25_deep_yaml_flow_nesting_is_refused_before_parsing() {
    let n = 200_000;
    let site = Site::empty();
    site.write(
        "content/seq.md",
        &format!(
            "---\ntitle: T\nx: {}{}\n---\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    site.write(
        "content/map.md",
        &format!(
            "---\ntitle: T\nx: {}1{}\n---\n",
            "{a: ".repeat(n),
            "}".repeat(n)
        ),
    );
    // Many, not nested, with closing brackets in quotes: bounded by the total.
    site.write(
        "content/quoted.md",
        &format!("---\ntitle: T\nx: {}\n---\n", "[\"]\", ".repeat(n)),
    );
    let d = diagnostics(&site);
    let got: Vec<_> = d
        .iter()
        .map(|x| (x.0.as_str(), x.1, x.2, x.4.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("content/map.md", 3, 4 + 4 * 64, "schema/too-deep"),
            ("content/quoted.md", 3, 4 + 6 * 10_000, "schema/too-deep"),
            ("content/seq.md", 3, 4 + 64, "schema/too-deep"),
        ],
        "{d:?}"
    );
}

/// Finding 8: a public site is never built inside a restricted archive, nor a restricted
/// archive over a folder holding a public site; both refused before anything is deleted.
#[test]
fn r25_public_and_restricted_outputs_never_nest() {
    let site = Site::empty();
    site.write("content/good.md", GOOD);
    let rout = site.root().join("rout");
    let inner = rout.join("inner");
    site.build_into(&rout, &["--include-restricted"]);
    let out = site.build(&["--output", inner.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("inside the restricted archive"), "{err}");
    assert!(!inner.exists());

    // A public site that got inside a restricted archive (moved there, or built by an older
    // version) is not deleted by the next restricted build.
    let public = site.build_into(&site.root().join("elsewhere"), &[]);
    std::fs::rename(site.root().join("elsewhere"), &inner).unwrap();
    let out = site.build(&["--include-restricted", "--output", rout.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("holds a public site"), "{err}");
    crate::harness::same_site(&inner, &public);
}

/// Finding 4: bodies under the size limit made of markup the parser keeps a node for (`[`,
/// emphasis, images, `<`, a 20,000-column table) are refused by a count before the parser
/// runs, at the place they go over it; code in a fenced block is not markup (8 MB of JSON
/// builds, shown plain past the highlighting budget).
#[test]
fn r25_markup_heavy_bodies_are_refused_before_they_cost_memory() {
    const HEAD: &str = "+++\ntitle = \"T\"\ndate = 2025-01-02T10:00:00Z\nseverity = \"SEV3\"\nsummary = \"S.\"\nservices = [\"web\"]\n+++\n## Summary\n\n";
    let size = 8 * 1024 * 1024 - 4096;
    let fill = |unit: &str| unit.repeat(size / unit.len());
    let site = Site::empty();
    for (name, unit) in [
        ("brackets", "["),
        ("emphasis", "*a **a "),
        ("images", "![["),
        ("angles", "<"),
    ] {
        site.write(
            &format!("content/{name}.md"),
            &format!("{HEAD}{}\n", fill(unit)),
        );
    }
    let columns = "|a".repeat(20_000) + "|\n";
    let table = format!(
        "{columns}{}|\n{}",
        "|-".repeat(20_000),
        columns.repeat(size / columns.len() - 2)
    );
    site.write("content/table.md", &format!("{HEAD}{table}"));
    let line = "{\"ts\": \"2025-01-02T10:00:00Z\", \"level\": \"error\", \"v\": [1, [2]]}\n";
    site.write(
        "content/log.md",
        &format!("{HEAD}```json\n{}```\n", line.repeat(size / line.len())),
    );
    let d = diagnostics(&site);
    let errors: Vec<_> = d
        .iter()
        .filter(|x| x.3 == "error")
        .map(|x| (x.0.as_str(), x.1, x.4.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("content/angles.md", 10, "schema/too-many"),
            ("content/brackets.md", 10, "schema/too-many"),
            ("content/emphasis.md", 10, "schema/too-many"),
            ("content/images.md", 10, "schema/too-many"),
            ("content/table.md", 29, "schema/too-many"),
        ],
        "{d:?}"
    );
    assert!(d[0]
        .5
        .contains("more than 400000 lines and Markdown markup"));
    // People see each problem with its line quoted around the column, not an 8 MiB line
    // (with as many carets) per problem: printing those took `build` 40 s per file.
    let out = site.build(&[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.len() < 64 * 1024, "{} bytes of diagnostics", err.len());
    assert!(err.contains("content/brackets.md:10:"), "{err}");
    assert!(err.contains("10 │ …[[[["), "{err}");
    for name in ["angles", "brackets", "emphasis", "images", "table"] {
        std::fs::remove_file(site.root().join(format!("content/{name}.md"))).unwrap();
    }
    let built = site.build_ok(&[]);
    assert!(built
        .text("postmortems/log/index.html")
        .contains("&quot;level&quot;"));
}
