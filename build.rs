//! Records the commit pmarchive is built from, for `pmarchive --version`
//! (`0.1.0 (1a2b3c4d5e6f 2026-12-07)`), as `PMARCHIVE_COMMIT_SUFFIX`; empty when the source is
//! not a git checkout (a crate tarball, an export) or git is not installed.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Only this repository's own checkout counts, not one the source merely sits inside.
    let top = git(&[
        "-C",
        dir.to_str().unwrap_or("."),
        "rev-parse",
        "--show-toplevel",
    ]);
    let ours = top.is_some_and(|t| PathBuf::from(t).canonicalize().ok() == dir.canonicalize().ok());
    let c = dir.to_str().unwrap_or(".");
    let suffix = if ours {
        // Rebuild when HEAD moves: HEAD itself, the branch it points at, the packed refs.
        for path in ["HEAD", "packed-refs"]
            .into_iter()
            .map(String::from)
            .chain(git(&["-C", c, "symbolic-ref", "-q", "HEAD"]))
        {
            // A path that does not exist would rerun this script on every build.
            let p = git(&[
                "-C",
                c,
                "rev-parse",
                "--path-format=absolute",
                "--git-path",
                &path,
            ]);
            if let Some(p) = p.filter(|p| std::path::Path::new(p).exists()) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        match (
            git(&["-C", c, "rev-parse", "--short=12", "HEAD"]),
            git(&["-C", c, "log", "-1", "--format=%cs"]),
        ) {
            (Some(hash), Some(day)) => format!(" ({hash} {day})"),
            (Some(hash), None) => format!(" ({hash})"),
            _ => String::new(),
        }
    } else {
        String::new()
    };
    println!("cargo:rustc-env=PMARCHIVE_COMMIT_SUFFIX={suffix}");
}
