//! Where a document's images go: files of the export (inside the folder given on the command
//! line, never outside it, never through a symbolic link out) and `data:` images (Google Docs'
//! Markdown embeds them in base64) are written into the folder `<stem>/` beside the new
//! postmortem, under safe names; remote images stay links.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;

use super::document::Image;

/// What happens to one image.
#[derive(Debug, Clone)]
pub(crate) enum ImageAction {
    /// Copied (or decoded) into the folder, under this name.
    Copied(String),
    /// A remote image, left as a link.
    Remote,
    /// Not found (why), the reference kept.
    Missing(String),
    /// Outside the exported folder, not copied.
    Outside,
}

impl ImageAction {
    /// The new destination, for those copied (`<stem>/<name>`, set by [`plan`]).
    pub(crate) fn dest(&self) -> Option<String> {
        match self {
            ImageAction::Copied(d) => Some(d.clone()),
            _ => None,
        }
    }
}

enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// Every image's action, and the files to write.
pub(crate) struct Plan {
    /// One per image, in order.
    pub actions: Vec<ImageAction>,
    files: Vec<(String, Source)>,
}

/// Plans the images of the document `file`, exported in `base`, for the postmortem `stem`.
pub(crate) fn plan(images: &[Image], file: &Path, base: &Path, stem: &str) -> Plan {
    let mut plan = Plan {
        actions: Vec::new(),
        files: Vec::new(),
    };
    let mut by_source: BTreeMap<String, String> = BTreeMap::new();
    let doc_dir = file.parent().unwrap_or(Path::new(""));
    let base = base.canonicalize().ok();
    for (i, img) in images.iter().enumerate() {
        let dest = img.dest.trim();
        let action = if dest.starts_with("http://")
            || dest.starts_with("https://")
            || dest.starts_with("//")
        {
            ImageAction::Remote
        } else if let Some(data) = dest.strip_prefix("data:") {
            match decode_data(data) {
                Some((ext, bytes)) => {
                    let name = free_name(&plan.files, &format!("image{}.{ext}", i + 1));
                    plan.files.push((name.clone(), Source::Bytes(bytes)));
                    ImageAction::Copied(format!("{stem}/{name}"))
                }
                None => ImageAction::Missing("is a data: URI that is not a base64 image".into()),
            }
        } else if let Some(copied) = by_source.get(dest) {
            ImageAction::Copied(copied.clone())
        } else {
            let path_part = dest.split(['?', '#']).next().unwrap_or(dest);
            let decoded = percent_encoding::percent_decode_str(path_part)
                .decode_utf8_lossy()
                .into_owned();
            let candidate = doc_dir.join(&decoded);
            match (candidate.canonicalize(), &base) {
                (Err(_), _) => ImageAction::Missing("was not found beside the document".into()),
                (Ok(real), Some(base)) if !real.starts_with(base) => ImageAction::Outside,
                (Ok(real), _) if !real.is_file() => {
                    ImageAction::Missing("is not a regular file".into())
                }
                (Ok(real), _) => {
                    let raw_name = real
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let name = free_name(&plan.files, &safe_name(&raw_name));
                    plan.files.push((name.clone(), Source::File(real)));
                    let new = format!("{stem}/{name}");
                    by_source.insert(dest.to_string(), new.clone());
                    ImageAction::Copied(new)
                }
            }
        };
        plan.actions.push(action);
    }
    plan
}

impl Plan {
    /// "2 copied, 1 remote (kept as links), 1 missing".
    pub(crate) fn summary(&self) -> String {
        let count = |f: fn(&ImageAction) -> bool| self.actions.iter().filter(|a| f(a)).count();
        let mut parts = vec![format!("{} copied", self.files.len())];
        let remote = count(|a| matches!(a, ImageAction::Remote));
        let missing = count(|a| matches!(a, ImageAction::Missing(_)));
        let outside = count(|a| matches!(a, ImageAction::Outside));
        if remote > 0 {
            parts.push(format!("{remote} remote (kept as links)"));
        }
        if missing > 0 {
            parts.push(format!("{missing} missing"));
        }
        if outside > 0 {
            parts.push(format!("{outside} outside the export (not copied)"));
        }
        parts.join(", ")
    }

    /// Writes the images into `dir` (created), never over a file.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), String> {
        if self.files.is_empty() {
            return Ok(());
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (name, source) in &self.files {
            let to = dir.join(name);
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&to)
                .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
            match source {
                Source::Bytes(b) => out
                    .write_all(b)
                    .map_err(|e| format!("cannot write {}: {e}", to.display()))?,
                Source::File(from) => {
                    let mut input = std::fs::File::open(from)
                        .map_err(|e| format!("cannot read {}: {e}", from.display()))?;
                    std::io::copy(&mut input, &mut out)
                        .map_err(|e| format!("cannot copy to {}: {e}", to.display()))?;
                }
            }
        }
        Ok(())
    }
}

/// `image/png;base64,....` as its extension and bytes.
fn decode_data(data: &str) -> Option<(&'static str, Vec<u8>)> {
    let (head, payload) = data.split_once(',')?;
    let mime = head.strip_suffix(";base64")?;
    let ext = match mime {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpg",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/webp" => "webp",
        _ => return None,
    };
    let clean: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .ok()
        .map(|b| (ext, b))
}

/// A file name of letters, digits, `.`, `-` and `_`, not hidden.
fn safe_name(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_start_matches(['.', '-']).to_string();
    if s.is_empty() {
        "image".into()
    } else {
        s
    }
}

/// `name`, or `name-2.ext`... when the document has one of that name already.
fn free_name(files: &[(String, Source)], name: &str) -> String {
    let taken = |n: &str| files.iter().any(|(f, _)| f.eq_ignore_ascii_case(n));
    if !taken(name) {
        return name.to_string();
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    (2..)
        .map(|i| {
            if ext.is_empty() {
                format!("{stem}-{i}")
            } else {
                format!("{stem}-{i}.{ext}")
            }
        })
        .find(|n| !taken(n))
        .expect("a free name")
}
