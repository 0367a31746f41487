//! `pmarchive import`: a folder of exported documents (Markdown from Google Docs or Notion, HTML
//! from Google Docs or Confluence) written into the archive as postmortems.
//!
//! Each document is read (`html` converts HTML to Markdown first), its title, metadata,
//! sections, action items and images found (`document`), its metadata mapped to our fields
//! through the `[fields]` alias machinery (`names`, `fields`), and it is written to
//! `content/<year>/<date>-<slug>.md` with its images in the folder `<date>-<slug>/` beside it.
//! Nothing is overwritten: a document whose file (or id) the archive already has is skipped, and
//! two documents of one import that would share a name get `-2`, `-3`. Every document gets a
//! report of what was mapped and what was left in the body; problems are located diagnostics.

mod blocks;
mod document;
mod fields;
mod html;
mod images;
mod markup;
mod names;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::text::slugify;

use images::ImageAction;

/// What `import` was asked to do, validated.
pub(crate) struct ImportOptions {
    /// The archive's configuration.
    pub config: Config,
    /// The site root.
    pub root: PathBuf,
    /// The content folder (it exists).
    pub content: PathBuf,
    /// The exported files, each with the folder its images may come from.
    pub inputs: Vec<Input>,
    /// Report what would be written, write nothing.
    pub dry_run: bool,
}

/// One exported file.
pub(crate) struct Input {
    /// The file.
    pub path: PathBuf,
    /// The folder given on the command line it was found in (images must be inside it).
    pub base: PathBuf,
}

/// What an import did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Documents written (or that would be, with `--dry-run`).
    pub written: usize,
    /// Of those, written as drafts.
    pub drafts: usize,
    /// Documents skipped because the archive has their file already.
    pub skipped: usize,
    /// Documents that could not be imported.
    pub failed: usize,
    /// Every problem, located.
    pub diags: Vec<Diagnostic>,
}

/// The exported files under `sources` (files, or folders walked without following links):
/// `.md`, `.markdown`, `.html`, `.htm`, hidden ones left out, in path order.
pub(crate) fn find_inputs(sources: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for source in sources {
        let meta = std::fs::symlink_metadata(source).map_err(|e| Error::io(source, e))?;
        if !meta.is_dir() {
            let base = source.parent().map(Path::to_path_buf).unwrap_or_default();
            out.push(Input {
                path: source.clone(),
                base,
            });
            continue;
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(source)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = entry
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", source.display())))?;
            let name = entry.file_name().to_string_lossy();
            if entry.depth() > 0 && name.starts_with('.') {
                continue;
            }
            let ext = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if !entry.file_type().is_dir()
                && matches!(ext.as_str(), "md" | "markdown" | "html" | "htm")
            {
                found.push(entry.path().to_path_buf());
            }
        }
        out.extend(found.into_iter().map(|path| Input {
            path,
            base: source.clone(),
        }));
    }
    Ok(out)
}

/// Imports every input, printing the report to `out`.
pub(crate) fn run(opts: &ImportOptions, out: &mut dyn Write) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let existing = existing_ids(&opts.root, &opts.content, &opts.config);
    let mut planned: Vec<(String, PathBuf)> = Vec::new();
    let names = names::SectionNames::new(&opts.config);
    let w = |out: &mut dyn Write, s: String| {
        writeln!(out, "{s}").map_err(|e| Error::internal("writing the report", e))
    };
    for input in &opts.inputs {
        let file = &input.path;
        let before = outcome.diags.len();
        let result = import_one(
            opts,
            input,
            &names,
            &existing,
            &mut planned,
            &mut outcome.diags,
        );
        match result {
            Ok(Done::Written { report, draft }) => {
                outcome.written += 1;
                outcome.drafts += usize::from(draft);
                w(out, report)?;
            }
            Ok(Done::Skipped(report)) => {
                outcome.skipped += 1;
                w(out, report)?;
            }
            Err(()) => {
                outcome.failed += 1;
                w(
                    out,
                    format!("{}: not imported (see the errors)", file.display()),
                )?;
            }
        }
        for d in &outcome.diags[before..] {
            eprintln!("{d}");
        }
    }
    let verb = if opts.dry_run {
        "would be written"
    } else {
        "written"
    };
    w(
        out,
        format!(
            "{} document{}: {} {verb} ({} as drafts), {} skipped (already in the archive), {} not imported",
            opts.inputs.len(),
            if opts.inputs.len() == 1 { "" } else { "s" },
            outcome.written,
            outcome.drafts,
            outcome.skipped,
            outcome.failed
        ),
    )?;
    Ok(outcome)
}

enum Done {
    Written { report: String, draft: bool },
    Skipped(String),
}

/// The ids the archive has: those its postmortems set (`id = ...`, read as `check FILE` reads
/// the files it was not given: front matter only), and every file's default id (its name
/// without `.md`, a bundle's folder name), whether it parses or not.
fn existing_ids(root: &Path, content: &Path, config: &Config) -> BTreeSet<String> {
    let highlighter = crate::content::Highlighter::new();
    let (postmortems, _) =
        crate::content::read_archive_for(root, content, config, &highlighter, &|_| false);
    let mut ids: BTreeSet<String> = postmortems.into_iter().map(|p| p.id).collect();
    for entry in walkdir::WalkDir::new(content)
        .follow_links(false)
        .into_iter()
        .flatten()
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "md") {
            let rel = p.strip_prefix(content).unwrap_or(p);
            ids.insert(crate::content::default_id(rel).to_string());
        }
    }
    ids
}

fn import_one(
    opts: &ImportOptions,
    input: &Input,
    names: &names::SectionNames,
    existing: &BTreeSet<String>,
    planned: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) -> std::result::Result<Done, ()> {
    let file = input.path.as_path();
    let error = |diags: &mut Vec<Diagnostic>, line: usize, rule: &'static str, msg: String| {
        diags.push(Diagnostic::error(file, (line, 1), rule, msg));
        Err(())
    };
    let text = match read_text(file) {
        Ok(t) => t,
        Err(msg) => return error(diags, 1, "import/unreadable", msg),
    };
    let is_html = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if let Some(at) = is_html.then(|| html::too_deep(&text)).flatten() {
        let line = crate::text::line_col(&text, at).0;
        return error(
            diags,
            line,
            "import/too-deep",
            format!(
                "elements nest more than {} deep here: not imported",
                html::MAX_NESTING
            ),
        );
    }
    let converted = is_html.then(|| html::convert(&text));
    if converted.as_ref().is_some_and(|c| c.flattened) {
        diags.push(Diagnostic::warning(
            file,
            (1, 1),
            "import/too-deep",
            "elements nested more than 200 deep were kept as plain text",
        ));
    }
    let markdown = converted
        .as_ref()
        .map_or(text.as_str(), |c| c.markdown.as_str());
    // Lines of an HTML export are found in the HTML itself; the Markdown is made here.
    let line_in_source = |line: usize, needle: &str| {
        if is_html {
            text.find(needle)
                .map_or(1, |o| crate::text::line_col(&text, o).0)
        } else {
            line
        }
    };
    // The archive's own limit: what the Markdown parser pays for out of proportion.
    if let Some(at) = crate::content::limits::too_much_markup(markdown) {
        let line = line_in_source(crate::text::line_col(markdown, at).0, "");
        return error(
            diags,
            line,
            "import/too-large",
            format!(
                "more than {} lines and Markdown markup characters: not imported",
                crate::content::limits::MAX_MARKUP
            ),
        );
    }
    let parsed = document::parse(markdown, names);
    let Some((title, title_line)) = parsed.title.clone() else {
        return error(
            diags,
            1,
            "import/no-title",
            "the document has no title: no heading (and no <title>); give it a first heading such as `# Database failover lost writes`".into(),
        );
    };
    let mapped = fields::map(&parsed, &opts.config);
    let date = mapped
        .date
        .or_else(|| date_in(&title))
        .or_else(|| date_in(&file.file_stem().unwrap_or_default().to_string_lossy()));
    let Some(date) = date else {
        return error(
            diags,
            line_in_source(title_line, &title),
            "import/no-date",
            "no incident date: the metadata has none (a `Date: 2024-03-05` line or a row of its table), nor the title or the file name".into(),
        );
    };
    let mut mapped = mapped;
    if !mapped.fields.iter().any(|(f, _)| *f == "date") {
        mapped.fields.insert(
            1.min(mapped.fields.len()),
            (
                "date",
                toml::Value::Datetime(date.to_string().parse().expect("a TOML date")),
            ),
        );
    }
    // The file's name: never an existing one; a name this import gave already gets -2, -3.
    let year = date.format("%Y").to_string();
    let base: String = format!("{date}-{}", slugify(&title))
        .chars()
        .take(80)
        .collect();
    let base = base.trim_end_matches('-').to_string();
    let dir = opts.content.join(&year);
    let first_path = dir.join(format!("{base}.md"));
    let ours = planned.iter().any(|(s, _)| *s == base);
    if existing.contains(&base) || (first_path.exists() && !ours) {
        let report = format!(
            "{}: skipped: the archive has {} already (imported before?); nothing was overwritten",
            file.display(),
            if first_path.exists() {
                first_path.display().to_string()
            } else {
                format!("a postmortem with the id `{base}`")
            }
        );
        diags.push(Diagnostic::warning(
            file,
            (1, 1),
            "import/exists",
            format!("not imported: the archive has `{base}` already"),
        ));
        return Ok(Done::Skipped(report));
    }
    let mut stem = base.clone();
    let mut n = 2;
    let mut shared_with = None;
    while let Some((_, other)) = planned.iter().find(|(s, _)| *s == stem) {
        shared_with.get_or_insert_with(|| other.clone());
        stem = format!("{base}-{n}");
        n += 1;
    }
    while existing.contains(&stem) || dir.join(format!("{stem}.md")).exists() {
        stem = format!("{base}-{n}");
        n += 1;
    }
    if let Some(other) = &shared_with {
        diags.push(Diagnostic::warning(
            file,
            (line_in_source(title_line, &title), 1),
            "import/duplicate-name",
            format!("{} has the same date and title and was given `{base}.md`: this one is written as `{stem}.md`", other.display()),
        ));
    }
    planned.push((stem.clone(), file.to_path_buf()));
    // Images: copied into <stem>/ beside the file.
    let plan = images::plan(&parsed.images, file, &input.base, &stem);
    for (img, action) in parsed.images.iter().zip(&plan.actions) {
        let at = (line_in_source(img.line, &img.dest), 1);
        match action {
            ImageAction::Missing(why) => diags.push(Diagnostic::warning(file, at, "import/missing-image", format!("image `{}` {why}: the reference is kept as written", short(&img.dest)))),
            ImageAction::Outside => diags.push(Diagnostic::warning(file, at, "import/image-outside", format!("image `{}` is outside the exported folder: not copied, the reference is kept as written", short(&img.dest)))),
            _ => {}
        }
    }
    let extra = extra_body(&parsed, &mapped, names);
    let dests: Vec<Option<String>> = plan.actions.iter().map(ImageAction::dest).collect();
    let body = parsed.body(&dests, "", &extra);
    let origin = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = format!(
        "{}\n{body}",
        fields::front_matter(&mapped, &opts.config, &origin)
    );
    let path = dir.join(format!("{stem}.md"));
    if !opts.dry_run {
        if let Err(e) = write_all(&dir, &path, &stem, &plan, &text) {
            return error(diags, 1, "import/write", e);
        }
    }
    let draft = mapped
        .fields
        .iter()
        .any(|(f, v)| *f == "status" && v.as_str() == Some("draft"));
    let report = report(
        file,
        &path,
        opts.dry_run,
        &title,
        &parsed,
        &mapped,
        &plan,
        &body,
        names,
    );
    Ok(Done::Written { report, draft })
}

/// The body's additions before its first section: the metadata no field took, and sections
/// the metadata gave (`Impact: ...`) that the document has no heading for.
fn extra_body(
    parsed: &document::Parsed<'_>,
    mapped: &fields::Mapped,
    names: &names::SectionNames,
) -> String {
    let mut left = Vec::new();
    let mut sections = Vec::new();
    for (key, value) in &mapped.unmapped {
        match names.section_of(key) {
            Some(k)
                if !parsed.section_keys.contains(&k) && !sections.iter().any(|(s, _)| *s == k) =>
            {
                sections.push((k, value.clone()))
            }
            _ => left.push(format!("- **{}:** {value}", key.trim())),
        }
    }
    // The summary field's text is the summary section too, when the document has none.
    if let Some((_, toml::Value::String(s))) = mapped.fields.iter().find(|(f, _)| *f == "summary") {
        if !parsed.section_keys.iter().any(|k| k == "summary")
            && !sections.iter().any(|(k, _)| k == "summary")
        {
            sections.insert(0, ("summary".to_string(), s.clone()));
        }
    }
    let mut out = left.join("\n");
    for (key, value) in sections {
        out.push_str(&format!("\n\n## {}\n\n{value}", names.title_of(&key)));
    }
    out.trim().to_string()
}

/// The per-document report.
#[allow(clippy::too_many_arguments)]
fn report(
    file: &Path,
    path: &Path,
    dry_run: bool,
    title: &str,
    parsed: &document::Parsed<'_>,
    mapped: &fields::Mapped,
    plan: &images::Plan,
    body: &str,
    names: &names::SectionNames,
) -> String {
    let mut r = format!(
        "{} -> {}{}\n  title: {title}\n",
        file.display(),
        path.display(),
        if dry_run {
            " (dry run: not written)"
        } else {
            ""
        }
    );
    if !mapped.used.is_empty() || !mapped.unmapped.is_empty() {
        let mut parts: Vec<String> = mapped
            .used
            .iter()
            .map(|(k, f)| format!("{k} -> {f}"))
            .collect();
        for (k, _) in &mapped.unmapped {
            match names.section_of(k) {
                Some(s) if !parsed.section_keys.contains(&s) => {
                    parts.push(format!("{k} -> section {s}"))
                }
                _ => parts.push(format!("{k} -> body")),
            }
        }
        r.push_str(&format!("  metadata: {}\n", parts.join(", ")));
    }
    if !parsed.headings.is_empty() {
        let parts: Vec<String> = parsed
            .headings
            .iter()
            .map(|h| match (&h.section, h.repeated) {
                (Some(s), false) => format!("{} -> {s}", h.text),
                (Some(s), true) => format!("{} -> {s} (again: a subheading)", h.text),
                (None, _) => format!("{} -> body", h.text),
            })
            .collect();
        r.push_str(&format!("  headings: {}\n", parts.join(", ")));
    }
    let from = parsed
        .items_from
        .map(|(what, line)| format!(" (from {what} at line {line})"))
        .unwrap_or_default();
    r.push_str(&format!("  action items: {}{from}\n", mapped.items.len()));
    if parsed.timeline_events > 0 {
        r.push_str(&format!(
            "  timeline: a table written as {} events\n",
            parsed.timeline_events
        ));
    }
    r.push_str(&format!("  images: {}\n", plan.summary()));
    for note in &mapped.notes {
        r.push_str(&format!("  left out: {note}\n"));
    }
    if !mapped.missing.is_empty() {
        r.push_str(&format!(
            "  written as a draft: no {}\n",
            mapped.missing.join(", ")
        ));
    }
    let lines = body.lines().filter(|l| !l.trim().is_empty()).count();
    r.push_str(&format!("  body: {lines} lines of Markdown kept"));
    r
}

/// A destination shortened for a message (a `data:` URI is long).
fn short(dest: &str) -> String {
    if dest.len() > 80 {
        format!("{}…", dest.chars().take(60).collect::<String>())
    } else {
        dest.to_string()
    }
}

/// The first ISO date in `s` (`2024-03-05 Checkout outage`).
fn date_in(s: &str) -> Option<chrono::NaiveDate> {
    let bytes = s.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let w = s.get(i..i + 10)?;
        let ok = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit());
        ok.then(|| chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
            .flatten()
    })
}

/// A regular file's text (at most the archive's file size limit, UTF-8).
fn read_text(file: &Path) -> std::result::Result<String, String> {
    let meta = std::fs::symlink_metadata(file).map_err(|e| format!("cannot read the file: {e}"))?;
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link: not read (pass the file it points to)".into());
    }
    if !meta.is_file() {
        return Err("is not a regular file: not read".into());
    }
    if meta.len() > crate::content::MAX_FILE_BYTES {
        return Err(format!(
            "is larger than {} MB: not read",
            crate::content::MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read the file: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, _) = crate::text::line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        format!("is not UTF-8 text (line {line}): re-export it as UTF-8")
    })
}

/// Writes the postmortem (never over a file) and its images.
fn write_all(
    dir: &Path,
    path: &Path,
    stem: &str,
    plan: &images::Plan,
    text: &str,
) -> std::result::Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    plan.write(&dir.join(stem))
}
