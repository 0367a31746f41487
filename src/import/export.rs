//! Importing one export: read (HTML converted), its fields mapped, named, its images copied,
//! written and reported.

use super::*;

/// Reports an error at `line` of `file`; the document is not imported.
fn fail<T>(
    diags: &mut Vec<Diagnostic>,
    file: &Path,
    line: usize,
    rule: &'static str,
    msg: String,
) -> std::result::Result<T, ()> {
    diags.push(Diagnostic::error(file, (line, 1), rule, msg));
    Err(())
}

/// An export's text, and its Markdown (converted when it is HTML).
struct Source {
    text: String,
    converted: Option<html::Converted>,
}

impl Source {
    /// The Markdown to import.
    fn markdown(&self) -> &str {
        self.converted
            .as_ref()
            .map_or(self.text.as_str(), |c| c.markdown.as_str())
    }

    /// The line of the export a message names: lines of an HTML export are found in the HTML
    /// itself (where `needle` first is); the Markdown is made here.
    fn line(&self, line: usize, needle: &str) -> usize {
        if self.converted.is_some() {
            self.text
                .find(needle)
                .map_or(1, |o| crate::text::line_col(&self.text, o).0)
        } else {
            line
        }
    }
}

/// Reads an export and converts it when it is HTML, refusing what nests too deep and what has
/// more markup than the archive's limit.
fn read_source(file: &Path, diags: &mut Vec<Diagnostic>) -> std::result::Result<Source, ()> {
    let text = match read_text(file) {
        Ok(t) => t,
        Err(msg) => return fail(diags, file, 1, "import/unreadable", msg),
    };
    let is_html = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if let Some(at) = is_html.then(|| html::too_deep(&text)).flatten() {
        let line = crate::text::line_col(&text, at).0;
        let msg = format!(
            "elements nest more than {} deep here: not imported",
            html::MAX_NESTING
        );
        return fail(diags, file, line, "import/too-deep", msg);
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
    let source = Source { text, converted };
    // The archive's own limit: what the Markdown parser pays for out of proportion.
    let markdown = source.markdown();
    if let Some(at) = crate::content::limits::too_much_markup(markdown) {
        let line = source.line(crate::text::line_col(markdown, at).0, "");
        let msg = format!(
            "more than {} lines and Markdown markup characters: not imported",
            crate::content::limits::MAX_MARKUP
        );
        return fail(diags, file, line, "import/too-large", msg);
    }
    Ok(source)
}

/// The document's title (and its line) and incident date: from the metadata, else the title,
/// else the file name. The date joins the fields when the metadata had none.
fn title_and_date(
    file: &Path,
    source: &Source,
    parsed: &document::Parsed<'_>,
    mapped: &mut fields::Mapped,
    diags: &mut Vec<Diagnostic>,
) -> std::result::Result<(String, usize, chrono::NaiveDate), ()> {
    let Some((title, title_line)) = parsed.title.clone() else {
        return fail(
            diags,
            file,
            1,
            "import/no-title",
            "the document has no title: no heading (and no <title>); give it a first heading such as `# Database failover lost writes`".into(),
        );
    };
    let date = mapped
        .date
        .or_else(|| date_in(&title))
        .or_else(|| date_in(&file.file_stem().unwrap_or_default().to_string_lossy()));
    let Some(date) = date else {
        return fail(
            diags,
            file,
            source.line(title_line, &title),
            "import/no-date",
            "no incident date: the metadata has none (a `Date: 2024-03-05` line or a row of its table), nor the title or the file name".into(),
        );
    };
    if !mapped.fields.iter().any(|(f, _)| *f == "date") {
        mapped.fields.insert(
            1.min(mapped.fields.len()),
            (
                "date",
                toml::Value::Datetime(date.to_string().parse().expect("a TOML date")),
            ),
        );
    }
    Ok((title, title_line, date))
}

/// The file's name (its stem, in the year's folder): never an existing one; a name this
/// import gave already gets -2, -3. `Err` with the report when the archive has the document
/// already.
fn name_file(
    opts: &ImportOptions,
    file: &Path,
    source: &Source,
    (title, title_line, date): (&str, usize, chrono::NaiveDate),
    existing: &BTreeSet<String>,
    planned: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) -> std::result::Result<(String, PathBuf), Done> {
    let year = date.format("%Y").to_string();
    let base: String = format!("{date}-{}", slugify(title))
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
        return Err(Done::Skipped(report));
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
            (source.line(title_line, title), 1),
            "import/duplicate-name",
            format!("{} has the same date and title and was given `{base}.md`: this one is written as `{stem}.md`", other.display()),
        ));
    }
    planned.push((stem.clone(), file.to_path_buf()));
    Ok((stem, dir))
}

/// Warns of each image that is not copied (missing, or outside the exported folder).
fn warn_images(
    file: &Path,
    source: &Source,
    parsed: &document::Parsed<'_>,
    plan: &images::Plan,
    diags: &mut Vec<Diagnostic>,
) {
    for (img, action) in parsed.images.iter().zip(&plan.actions) {
        let at = (source.line(img.line, &img.dest), 1);
        match action {
            ImageAction::Missing(why) => diags.push(Diagnostic::warning(file, at, "import/missing-image", format!("image `{}` {why}: the reference is kept as written", short(&img.dest)))),
            ImageAction::Outside => diags.push(Diagnostic::warning(file, at, "import/image-outside", format!("image `{}` is outside the exported folder: not copied, the reference is kept as written", short(&img.dest)))),
            _ => {}
        }
    }
}

/// Imports one export: read (and converted), its fields mapped, named, its images planned,
/// written (unless a dry run) and reported.
pub(super) fn import_one(
    opts: &ImportOptions,
    input: &Input,
    names: &names::SectionNames,
    existing: &BTreeSet<String>,
    planned: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) -> std::result::Result<Done, ()> {
    let file = input.path.as_path();
    let source = read_source(file, diags)?;
    let parsed = document::parse(source.markdown(), names);
    let mut mapped = fields::map(&parsed, &opts.config);
    let (title, title_line, date) = title_and_date(file, &source, &parsed, &mut mapped, diags)?;
    let named = name_file(
        opts,
        file,
        &source,
        (&title, title_line, date),
        existing,
        planned,
        diags,
    );
    let (stem, dir) = match named {
        Ok(named) => named,
        Err(skipped) => return Ok(skipped),
    };
    // Images: copied into <stem>/ beside the file.
    let plan = images::plan(&parsed.images, file, &input.base, &stem);
    warn_images(file, &source, &parsed, &plan, diags);
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
            return fail(diags, file, 1, "import/write", e);
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
