//! What the pages of `serve` may say about a failed build.
//!
//! A failed rebuild's errors go to every page served (the overlay) and to
//! `/__pmarchive/status`, which anyone who can open the site reads; `serve` never shows
//! restricted postmortems, nor drafts without `--drafts`. So an error of a postmortem the
//! audience may not read is shown without its path, title, values or lines: only that such
//! postmortems have errors, and how many. The terminal running `serve` still prints every
//! diagnostic in full: it belongs to the person who has the files on disk.
//!
//! Whether the audience may read a file in error:
//!
//! - its front matter was read: as the build decides (`status`, `visibility`, `--drafts`),
//!   except that a `status` or `visibility` in error (a misspelt `draft`, a list) is hidden:
//!   what the author meant is unknown;
//! - its front matter could not be read (a syntax error, no fences, not read at all): the raw
//!   text between the fences (or the whole file) is read again, if it is a regular file of at
//!   most [`MAX_FILE_BYTES`], and the file is shown only when that text names neither
//!   `restrict...` nor `draft` (any case), has no backslash (an escape can spell either), and
//!   every line naming `visibility` or `status` (or a key `[fields]` maps to them) is a plain
//!   `key = value` with `internal` as the visibility; anything else is hidden.
//!
//! Files other than postmortems (`pmarchive.toml`, templates) are shown. An error shown is
//! still hidden when its text names a postmortem the audience may not read (its id, title or
//! path: a duplicate id, a "did you mean" suggestion); then only its location and rule are
//! shown.

use std::path::{Path, PathBuf};

use crate::audience::{Audience, Screen};
use crate::build::BuildOptions;
use crate::config::{Config, FieldSource};
use crate::content::MAX_FILE_BYTES;
use crate::error::{Diagnostic, Error};

/// The text of `e` for the pages of the site (the overlay and the status), given the screen of
/// the load that failed.
pub(crate) fn overlay(e: &Error, screen: &Screen, opts: &BuildOptions) -> String {
    let diags = match e {
        Error::Invalid(diags) => diags,
        other => {
            let text = other.to_string();
            return if names_secret(&text, screen) {
                format!("the build failed: {WITHHELD}; {CHECK}")
            } else {
                text
            };
        }
    };
    let mut shown = Vec::new();
    let mut hidden_files: Vec<&Path> = Vec::new();
    let mut hidden = 0usize;
    for d in diags.iter().filter(|d| d.is_error()) {
        if !may_show(d, screen, opts) {
            hidden += 1;
            if !hidden_files.contains(&d.file.as_path()) {
                hidden_files.push(&d.file);
            }
        } else if names_secret(&d.to_string(), screen) {
            shown.push(format!(
                "{}:{}:{}: {}[{}]: {WITHHELD}",
                d.file.display(),
                d.line,
                d.column,
                d.severity,
                d.rule
            ));
        } else {
            // As `check` prints it, with the source line and carets, unless the line names
            // what the audience may not read (a `recurrence_of` to a restricted postmortem).
            let full = crate::report::render_diagnostics(&opts.root, std::slice::from_ref(d));
            if names_secret(&full, screen) || full.trim().is_empty() {
                shown.push(d.to_string());
            } else {
                shown.push(full.trim_end().to_string());
            }
        }
    }
    if hidden > 0 {
        let problems = if hidden == 1 {
            "1 problem".to_string()
        } else {
            format!("{hidden} problems")
        };
        shown.push(match hidden_files.len() {
            1 => format!("a postmortem you may not view here has an error ({problems}); {CHECK}"),
            n => format!("{n} postmortems you may not view here have errors ({problems}); {CHECK}"),
        });
    }
    shown.join("\n")
}

const WITHHELD: &str = "details withheld (they name a postmortem you may not view here)";
const CHECK: &str =
    "run `pmarchive check` locally (the terminal running `pmarchive serve` shows them)";

fn names_secret(text: &str, screen: &Screen) -> bool {
    screen.secrets.iter().any(|s| text.contains(s.as_str()))
}

/// Whether the audience may see the error `d`'s file, path and text.
fn may_show(d: &Diagnostic, screen: &Screen, opts: &BuildOptions) -> bool {
    let audience = screen.audience;
    if audience.restricted && audience.drafts {
        return true;
    }
    let abs = opts.root.join(&d.file);
    let postmortem = d
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        || abs.starts_with(&opts.content_dir);
    if !postmortem {
        return true;
    }
    if let Some(&readable) = screen.readable.get(&d.file) {
        return readable;
    }
    match raw_front(&abs) {
        Some(front) => raw_admits(&front, audience, &opts.config),
        None => false,
    }
}

/// The text between the fences of the file at `path` (all of it when they are not found), if
/// it is a regular file (not a link) of at most [`MAX_FILE_BYTES`].
fn raw_front(path: &PathBuf) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some(match crate::content::frontmatter::split(&text) {
        Ok(split) => split.front.to_string(),
        Err(_) => text,
    })
}

/// Whether raw front matter that could not be parsed surely leaves its postmortem readable by
/// `audience` (the rule in the module's documentation).
fn raw_admits(front: &str, audience: Audience, config: &Config) -> bool {
    let lower = front.to_lowercase();
    if front.contains('\\')
        || (!audience.restricted && lower.contains("restrict"))
        || (!audience.drafts && lower.contains("draft"))
    {
        return false;
    }
    // The keys that can set the status or the visibility.
    let mut keys: Vec<(String, bool)> = vec![("status".into(), false), ("visibility".into(), true)];
    for (field, is_visibility) in [("status", false), ("visibility", true)] {
        match config.fields.get(field) {
            None => {}
            Some(FieldSource::Field(k)) => keys.push((k.to_lowercase(), is_visibility)),
            Some(FieldSource::First { first }) => {
                keys.extend(first.iter().map(|k| (k.to_lowercase(), is_visibility)))
            }
            Some(FieldSource::Merge { merge }) => {
                keys.extend(merge.iter().map(|k| (k.to_lowercase(), is_visibility)))
            }
            // A value made from other fields: anything may become `draft`.
            Some(FieldSource::Template { .. }) => return false,
        }
    }
    lower.lines().all(|line| {
        keys.iter()
            .filter(|(k, _)| line.contains(k.as_str()))
            .all(|(k, is_visibility)| plain_setting(line, k, *is_visibility))
    })
}

/// Whether `line` is `key = value` or `key: value` (the key and the value optionally quoted, a
/// comment after), with a value of letters, digits and `-` (`internal` for the visibility).
fn plain_setting(line: &str, key: &str, is_visibility: bool) -> bool {
    let line = line.trim();
    let unquote = |s: &str| -> Option<String> {
        for q in ['"', '\''] {
            if let Some(rest) = s.strip_prefix(q) {
                return rest.strip_suffix(q).map(str::to_string);
            }
        }
        Some(s.to_string())
    };
    let Some((name, value)) = line.split_once(['=', ':']) else {
        return false;
    };
    if unquote(name.trim()).as_deref() != Some(key) {
        return false;
    }
    let value = value.split('#').next().unwrap_or("").trim();
    let Some(value) = unquote(value) else {
        return false;
    };
    if is_visibility {
        value == "internal"
    } else {
        !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(front: &str) -> bool {
        raw_admits(front, Audience::default(), &Config::default())
    }

    #[test]
    fn raw_front_matter_is_shown_only_when_surely_public() {
        assert!(public(
            "title = \"Disk full\"\nstatus = \"published\"\nvisibility = \"internal\"\ndate = [\n"
        ));
        assert!(public(
            "title: Disk full\nstatus: review # soon\nvisibility: 'internal'\n"
        ));
        assert!(public(
            "title = \"x\"\n[[action_items]]\nstatus = \"in-progress\"\n"
        ));
        for hidden in [
            "title = \"x\"\nvisibility = \"restricted\"\n",
            "title = \"x\"\nvisibility = \"RESTRICTED\"\n",
            "title = \"x\"\nvisibility = \"secret\"\n",
            "title = \"x\"\nvisibility = \"r\\u0065stricted\"\n",
            "title = \"x\"\n\"vis\\u0069bility\" = \"x\"\n",
            "title = \"x\"\nstatus = \"Draft\"\n",
            "title = \"x\"\nstatus = \"drаft\"\n",
            "title = \"x\"\nvisibility: &v internal\n",
            "title = \"x\"\nsummary = \"no visibility into the queue\"\n",
            "title = \"x\"\n[visibility]\n",
            "visibility = \"internal\" status = \"draft\"\n",
        ] {
            assert!(!public(hidden), "{hidden:?}");
        }
        let drafts = Audience {
            drafts: true,
            ..Audience::default()
        };
        assert!(raw_admits(
            "title = \"Draft\"\nstatus = \"draft\"\n",
            drafts,
            &Config::default()
        ));
    }
}
