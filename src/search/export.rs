//! The browser index: the one owner of its format. Version 4, described here and in the
//! README; `src/search/pmsearch.js` (written to `search/pmsearch.js`) reads it.
//!
//! Everything lives under `search/` in the output. Every file except the client and
//! `passages.bin` is gzip
//! (RFC 1952), decompressed by the client itself with `DecompressionStream`, so any static host
//! works without configuration (a host that serves them with `Content-Encoding: gzip` works
//! too: the client checks the gzip magic bytes). Files are named by number; the manifest's
//! `build` hash is appended as `?v=` to every request, so caches see new names on every change.
//!
//! What a first query costs is what the layout is for: a query fetches the manifest, one
//! postings file per term, the document files of the results shown, and nothing else unless it
//! has a phrase (positions), a prefix (surface forms) or a filter or facet counts (one file
//! per facet), a word with no match (the vocabulary files of the lengths it may be corrected
//! to), and for each result shown its passages: a byte range of `passages.bin`, so an excerpt
//! costs that result's own text and not its neighbours' (a host that ignores `Range` sends the
//! whole file, which the client then keeps). Postings and positions are packed into files separately, each in term order: a
//! term whose data reaches the target size gets a file of its own (a common word never drags
//! its neighbours along), smaller terms share a file up to the target. The targets start at
//! [`POSTINGS_TARGET`] and [`POSITIONS_TARGET`] raw bytes and grow until the whole export fits
//! in [`MAX_FILES`] files, so larger archives get larger files, never more than that.
//!
//! ```text
//! manifest.gz  JSON { version, build, docs, fields: [{name, boost, total_tokens}],
//!              fieldnorms: [256 lengths by fieldnorm id], stop_words, min_prefix,
//!              max_prefix_terms, terms: [first term of each postings file],
//!              positions: [first term of each positions file],
//!              surface: [first word of each surface file],
//!              documents: {per_chunk, chunks, url}, facets: [facet names, one file each],
//!              synonyms: [groups: [members: [[offset, term], ...]]], synonym_boost,
//!              vocabulary: [word lengths with a v/ file], fuzzy: [min length, two-edit length] }
//! t/<i>.gz     postings of the terms in [terms[i], terms[i+1]):
//!              varint n; n x { varint len; utf-8 term; varint nfields;
//!                nfields x { varint field; varint df; df x varint doc_delta;
//!                  df x varint (tf - 1); df x u8 fieldnorm_id } }
//! p/<i>.gz     positions of the terms in [positions[i], positions[i+1]):
//!              varint n; n x { varint len; utf-8 term; varint len; then for every (field, doc)
//!                of the term's postings in their order, tf x varint position delta }
//! s/<i>.gz     surface forms (words as written, lowercased) with their term, sorted:
//!              varint n; n x { varint shared_prefix; varint len; suffix; varint len; term }
//! d/<i>.gz     JSON array of documents [i*per_chunk, (i+1)*per_chunk), each
//!              [id, title, date, severity, offset, length]; the page is `url` with `{id}`
//!              replaced; the document's passages (search::excerpt, the summary first) are
//!              the `length` bytes at `offset` of passages.bin
//! passages.bin one gzip member per document: a JSON array of its passages (strings)
//! v/<n>.gz     vocabulary words of n characters (search::fuzzy), sorted: varint count;
//!              count x { varint shared_prefix; varint len; suffix; varint df }
//! f/<i>.gz     facet facets[i]: varint n; n x { varint len; value; varint len; label;
//!              u8 encoding; 0 = list (varint count; count x varint doc_delta), 1 = bitset
//!              (ceil(docs/8) bytes, bit d (LSB first) set when doc d has the value) },
//!              values sorted
//! ```
//!
//! Doc ids are positions in the site's order (newest first); `url` is relative to the site root.
//! Varints are unsigned LEB128; strings are UTF-8 and sorted by bytes (= code points). The
//! client computes scores from these statistics exactly as tantivy computes BM25 (f32
//! arithmetic, K1 = 1.2, B = 0.75, idf = ln(1 + (N - n + 0.5) / (n + 0.5)), length
//! normalisation from the fieldnorm id).
//!
//! Version 3 had no passages, vocabulary or `fuzzy`; the summary, in the document rows, was
//! the excerpt.
//! Version 2 had one text field per part of a postmortem (title, summary, ... body), each
//! with a boost, and no synonyms. Version 1 had per-term-range postings chunks of at least 14 KB, positions grouped eight
//! postings chunks to a file, the url in every document row and the facets in the manifest
//! and one `f.gz`.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use super::analyzer::STOP_WORDS;
use super::query::MIN_PREFIX;
use super::{fuzzy, SearchIndex, FACETS, MAX_PREFIX_TERMS, TEXT_FIELDS};
use crate::error::{Error, Result};
use crate::output::OutputFile;
use crate::text::postmortem_url;

/// The client, written to `search/pmsearch.js`.
pub(crate) const CLIENT_JS: &str = include_str!("pmsearch.js");

/// The format version written into the manifest.
pub(crate) const FORMAT_VERSION: u32 = 4;

/// The passages file (not gzip as a whole: one gzip member per document).
pub(crate) const PASSAGES: &str = "passages.bin";

/// The most files the export writes (the client and the search page included): static hosts
/// and deployments handle a few hundred files well, tens of thousands badly.
pub(crate) const MAX_FILES: usize = 1000;
/// Raw (uncompressed) size a postings file is filled to at least: about 9 KB gzipped.
pub(crate) const POSTINGS_TARGET: usize = 16 * 1024;
/// Raw size a positions file is filled to at least (phrases are rarer than words).
pub(crate) const POSITIONS_TARGET: usize = 32 * 1024;
/// Document files aimed for: the results shown fetch one each, so more and smaller is better.
pub(crate) const DOCUMENT_CHUNKS: usize = 350;
/// Raw size at which a surface-form chunk is closed.
pub(crate) const SURFACE_CHUNK_BYTES: usize = 24 * 1024;
/// Files besides postings and positions that are not counted elsewhere: manifest, client and
/// the search page (`search/index.html`, written by the renderer).
const OTHER_FILES: usize = 3;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// How many leading bytes `word` shares with `prev`, never splitting a UTF-8 sequence.
fn common_prefix(word: &str, prev: &str) -> usize {
    let shared = word
        .bytes()
        .zip(prev.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    (0..=shared)
        .rev()
        .find(|&i| word.is_char_boundary(i))
        .unwrap_or(0)
}

/// Gzip with a fixed header (no name, no time): identical input, identical bytes.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::default(),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

const FNV_OFFSET: u64 = 0xcbf29ce484222325;

/// FNV-1a of what `h` hashed, then `bytes`.
fn fnv_update(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn fnv_hex(h: u64) -> String {
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

/// Display labels of facet values (`dns` -> `DNS`), per facet in [`FACETS`] order.
pub(crate) type FacetLabels = Vec<BTreeMap<String, String>>;

#[derive(Serialize)]
struct FieldMeta {
    name: &'static str,
    boost: f32,
    total_tokens: u64,
}

/// A document as the client shows it: `[id, title, date, severity, offset, length]` (its
/// passages, for the excerpt: `length` bytes at `offset` of `passages.bin`).
#[derive(Serialize)]
struct DocRow<'a>(
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    usize,
    usize,
);

#[derive(Serialize)]
struct Documents {
    per_chunk: usize,
    chunks: usize,
    url: String,
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    build: String,
    docs: usize,
    fields: Vec<FieldMeta>,
    fieldnorms: Vec<u32>,
    stop_words: &'static [&'static str],
    min_prefix: usize,
    max_prefix_terms: usize,
    terms: Vec<String>,
    positions: Vec<String>,
    surface: Vec<String>,
    documents: Documents,
    facets: Vec<&'static str>,
    synonyms: &'a [Vec<super::synonyms::Member>],
    synonym_boost: f32,
    vocabulary: Vec<usize>,
    fuzzy: [usize; 2],
}

/// Where the export's files go, each as soon as it is made (the shards of a large archive are
/// never all in memory), and what the manifest says of them.
struct Files<'e> {
    emit: &'e dyn Fn(OutputFile) -> Result<()>,
    /// How many files were made.
    count: usize,
    /// FNV-1a over every file's path and contents, in order: the manifest's build hash.
    hash: u64,
}

impl Files<'_> {
    /// Adds `search/<name>` gzipped.
    fn add(&mut self, name: String, raw: &[u8]) -> Result<()> {
        self.add_as_is(name, gzip(raw))
    }

    /// Adds `search/<name>` as it is.
    fn add_as_is(&mut self, name: String, contents: Vec<u8>) -> Result<()> {
        let file = OutputFile::new(format!("search/{name}"), contents);
        self.hash = fnv_update(self.hash, file.path.as_bytes());
        self.hash = fnv_update(self.hash, &file.contents);
        self.count += 1;
        (self.emit)(file)
    }
}

fn export_err(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::internal("search export", e)
}

/// One field's postings of one term: (doc, tf, fieldnorm id, positions).
type FieldPostings = Vec<(u32, u32, u8, Vec<u32>)>;

/// Reads every (term -> per-field postings) from the single segment, merged across fields in
/// term order, and hands each term to `sink`.
fn for_each_term(
    index: &SearchIndex,
    mut sink: impl FnMut(&str, &[(usize, FieldPostings)]),
) -> Result<Vec<u64>> {
    let searcher = index.searcher();
    let Some(segment) = searcher.segment_readers().first() else {
        return Ok(vec![0; TEXT_FIELDS.len()]);
    };
    let mut totals = Vec::new();
    let mut streams = Vec::new();
    let mut inverted = Vec::new();
    let mut norms = Vec::new();
    for field in &index.text_fields {
        let inv = segment.inverted_index(*field).map_err(export_err)?;
        totals.push(inv.total_num_tokens());
        norms.push(segment.get_fieldnorms_reader(*field).map_err(export_err)?);
        inverted.push(inv);
    }
    for inv in &inverted {
        let mut s = inv.terms().stream().map_err(export_err)?;
        let live = s.advance();
        streams.push((s, live));
    }
    loop {
        // The smallest current key across the fields' term streams.
        let mut min: Option<Vec<u8>> = None;
        for (s, live) in &streams {
            if *live && min.as_deref().is_none_or(|m| s.key() < m) {
                min = Some(s.key().to_vec());
            }
        }
        let Some(key) = min else { break };
        let mut per_field = Vec::new();
        for (fi, (s, live)) in streams.iter_mut().enumerate() {
            if !*live || s.key() != key.as_slice() {
                continue;
            }
            let info = s.value().clone();
            let mut postings = inverted[fi]
                .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)
                .map_err(export_err)?;
            let mut list = Vec::new();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                let mut positions = Vec::new();
                postings.positions(&mut positions);
                list.push((
                    doc,
                    postings.term_freq(),
                    norms[fi].fieldnorm_id(doc),
                    positions,
                ));
                doc = postings.advance();
            }
            per_field.push((fi, list));
            *live = s.advance();
        }
        let term = String::from_utf8_lossy(&key).into_owned();
        sink(&term, &per_field);
    }
    Ok(totals)
}

/// One term's encoded postings (without the term) and positions.
struct TermData {
    term: String,
    postings: Vec<u8>,
    positions: Vec<u8>,
}

fn encode_term(term: &str, per_field: &[(usize, FieldPostings)]) -> TermData {
    let mut post = Vec::new();
    let mut pos = Vec::new();
    varint(&mut post, per_field.len() as u64);
    for (fi, list) in per_field {
        varint(&mut post, *fi as u64);
        varint(&mut post, list.len() as u64);
        // Columns: doc gaps, then term frequencies, then fieldnorm ids (each compresses better
        // among its own kind).
        let mut prev = 0u32;
        for (doc, ..) in list {
            varint(&mut post, u64::from(doc - prev));
            prev = *doc;
        }
        for (_, tf, ..) in list {
            varint(&mut post, u64::from(tf.saturating_sub(1)));
        }
        post.extend(list.iter().map(|(_, _, norm, _)| *norm));
        for (.., positions) in list {
            let mut last = 0u32;
            for p in positions {
                varint(&mut pos, u64::from(p - last));
                last = *p;
            }
        }
    }
    TermData {
        term: term.to_string(),
        postings: post,
        positions: pos,
    }
}

/// Splits items (sizes, in order) into consecutive groups: an item of `target` bytes or more
/// alone, smaller ones together until the group reaches `target`. Returns each group's start.
fn pack(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut filled = 0;
    for (i, size) in sizes.enumerate() {
        if size >= target || filled == 0 || filled + size > target {
            starts.push(i);
            filled = 0;
        }
        filled += size;
        if size >= target {
            filled = target; // nothing joins a large term
        }
    }
    starts
}

/// The postings and positions layouts (each file's first term index) that fit `budget` files.
fn layout(terms: &[TermData], budget: usize) -> (Vec<usize>, Vec<usize>) {
    // Sizes as stored: the term's own bytes plus its name.
    let post = |t: &TermData| t.postings.len() + t.term.len() + 2;
    let pos = |t: &TermData| t.positions.len() + t.term.len() + 3;
    let mut scale = 1.0f64;
    loop {
        let t_target = (POSTINGS_TARGET as f64 * scale) as usize;
        let p_target = (POSITIONS_TARGET as f64 * scale) as usize;
        let t = pack(terms.iter().map(post), t_target);
        let p = pack(terms.iter().map(pos), p_target);
        if t.len() + p.len() <= budget || t.len() + p.len() <= 2 {
            return (t, p);
        }
        scale *= 1.15;
    }
}

/// Writes groups of terms as numbered files; returns the first term of each.
fn write_groups(
    files: &mut Files,
    dir: &str,
    terms: &[TermData],
    starts: &[usize],
    bytes: impl Fn(&TermData) -> &[u8],
) -> Result<Vec<String>> {
    let mut firsts = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(terms.len());
        let group = &terms[start..end];
        let mut raw = Vec::new();
        varint(&mut raw, group.len() as u64);
        for t in group {
            string(&mut raw, &t.term);
            let b = bytes(t);
            if dir == "p" {
                varint(&mut raw, b.len() as u64);
            }
            raw.extend_from_slice(b);
        }
        files.add(format!("{dir}/{i}.gz"), &raw)?;
        firsts.push(group[0].term.clone());
    }
    Ok(firsts)
}

/// Exports the index into `search/` files, the client included.
pub(crate) fn export(index: &SearchIndex, labels: &FacetLabels) -> Result<Vec<OutputFile>> {
    let out = std::cell::RefCell::new(Vec::new());
    export_to(index, labels, &|f| {
        out.borrow_mut().push(f);
        Ok(())
    })?;
    Ok(out.into_inner())
}

/// [`export`], handing each file to `emit` as soon as it is made: the surface forms, the
/// vocabulary for typo correction, the passages, the documents, the facets, then the postings
/// and positions in the files left, and the manifest that names them all.
pub(crate) fn export_to(
    index: &SearchIndex,
    labels: &FacetLabels,
    emit: &dyn Fn(OutputFile) -> Result<()>,
) -> Result<()> {
    let mut files = Files {
        emit,
        count: 0,
        hash: FNV_OFFSET,
    };
    let surface = write_surface(&mut files, index)?;
    let vocabulary = write_vocabulary(&mut files, index)?;
    let spans = write_passages(&mut files, index)?;
    let (per_chunk, chunks) = write_documents(&mut files, index, &spans)?;
    write_facets(&mut files, index, labels)?;
    let docs = index.docs.len();

    // Postings and positions, in the files left.
    let mut terms = Vec::new();
    let totals = for_each_term(index, |term, per_field| {
        terms.push(encode_term(term, per_field));
    })?;
    let budget = MAX_FILES.saturating_sub(files.count + OTHER_FILES);
    let (t_starts, p_starts) = layout(&terms, budget);
    let firsts = write_groups(&mut files, "t", &terms, &t_starts, |t| &t.postings)?;
    let positions = write_groups(&mut files, "p", &terms, &p_starts, |t| &t.positions)?;
    drop(terms);

    // The build hash covers every file, so any change gives new `?v=` URLs.
    let manifest = Manifest {
        version: FORMAT_VERSION,
        build: fnv_hex(files.hash),
        docs,
        fields: TEXT_FIELDS
            .iter()
            .zip(&totals)
            .map(|(f, t)| FieldMeta {
                name: f.name,
                boost: f.boost,
                total_tokens: *t,
            })
            .collect(),
        fieldnorms: (0..=255u8)
            .map(tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm)
            .collect(),
        stop_words: STOP_WORDS,
        min_prefix: MIN_PREFIX,
        max_prefix_terms: MAX_PREFIX_TERMS,
        terms: firsts,
        positions,
        surface,
        documents: Documents {
            per_chunk,
            chunks,
            url: postmortem_url("{id}"),
        },
        facets: FACETS.iter().map(|(name, _)| *name).collect(),
        synonyms: &index.synonyms.groups,
        synonym_boost: super::synonyms::SYNONYM_BOOST,
        vocabulary,
        fuzzy: [fuzzy::MIN_LENGTH, fuzzy::TWO_EDITS_LENGTH],
    };
    let json = serde_json::to_vec(&manifest).map_err(export_err)?;
    files.add("manifest.gz".into(), &json)?;
    emit(OutputFile::new(
        "search/pmsearch.js".into(),
        CLIENT_JS.as_bytes().to_vec(),
    ))
}

/// The surface forms (word, stem), front-coded in chunks: the first word of each chunk.
fn write_surface(files: &mut Files<'_>, index: &SearchIndex) -> Result<Vec<String>> {
    let mut surface = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0u64;
    let mut prev = String::new();
    let close = |files: &mut Files, buf: &mut Vec<u8>, n: &mut u64, surface: &[String]| {
        let mut raw = Vec::new();
        varint(&mut raw, *n);
        raw.extend_from_slice(buf);
        buf.clear();
        *n = 0;
        files.add(format!("s/{}.gz", surface.len() - 1), &raw)
    };
    for (word, stem) in &index.surface {
        if n == 0 {
            surface.push(word.clone());
            prev.clear();
        }
        let shared = common_prefix(word, &prev);
        varint(&mut buf, shared as u64);
        varint(&mut buf, (word.len() - shared) as u64);
        buf.extend_from_slice(&word.as_bytes()[shared..]);
        string(&mut buf, stem);
        prev = word.clone();
        n += 1;
        if buf.len() >= SURFACE_CHUNK_BYTES {
            close(files, &mut buf, &mut n, &surface)?;
        }
    }
    if n > 0 {
        close(files, &mut buf, &mut n, &surface)?;
    }
    Ok(surface)
}

/// The words typo correction may correct to, one file per length (front-coded, with their
/// document frequency): the lengths written.
fn write_vocabulary(files: &mut Files<'_>, index: &SearchIndex) -> Result<Vec<usize>> {
    let mut by_length: BTreeMap<usize, Vec<(&str, u64)>> = BTreeMap::new();
    for (word, stem) in &index.surface {
        if fuzzy::in_vocabulary(word) {
            by_length
                .entry(word.chars().count())
                .or_default()
                .push((word, index.doc_freq(stem)));
        }
    }
    for (len, words) in &by_length {
        let mut raw = Vec::new();
        varint(&mut raw, words.len() as u64);
        let mut prev = "";
        for (word, df) in words {
            let shared = common_prefix(word, prev);
            varint(&mut raw, shared as u64);
            string(&mut raw, &word[shared..]);
            varint(&mut raw, *df);
            prev = word;
        }
        files.add(format!("v/{len}.gz"), &raw)?;
    }
    Ok(by_length.keys().copied().collect())
}

/// Passages: one gzip member per document, fetched by byte range for the results shown (the
/// summary too: a document file then holds little more than titles, and a result costs its own
/// text rather than its neighbours' summaries). Each document's (offset, length).
fn write_passages(files: &mut Files<'_>, index: &SearchIndex) -> Result<Vec<(usize, usize)>> {
    let mut passages = Vec::new();
    let mut spans = Vec::with_capacity(index.docs.len());
    for d in &index.docs {
        let member = gzip(&serde_json::to_vec(&d.passages).map_err(export_err)?);
        spans.push((passages.len(), member.len()));
        passages.extend_from_slice(&member);
    }
    files.add_as_is(PASSAGES.into(), passages)?;
    Ok(spans)
}

/// Documents, in small chunks so the results shown cost little: (documents per chunk, chunks).
fn write_documents(
    files: &mut Files<'_>,
    index: &SearchIndex,
    spans: &[(usize, usize)],
) -> Result<(usize, usize)> {
    let per_chunk = index.docs.len().div_ceil(DOCUMENT_CHUNKS).max(8);
    let mut chunks = 0;
    for (i, chunk) in index.docs.chunks(per_chunk).enumerate() {
        let rows: Vec<DocRow<'_>> = chunk
            .iter()
            .zip(&spans[i * per_chunk..])
            .map(|(d, (offset, length))| {
                DocRow(
                    &d.id,
                    &d.title,
                    d.date.as_deref(),
                    d.severity.as_deref(),
                    *offset,
                    *length,
                )
            })
            .collect();
        let json = serde_json::to_vec(&rows).map_err(export_err)?;
        files.add(format!("d/{i}.gz"), &json)?;
        chunks += 1;
    }
    Ok((per_chunk, chunks))
}

/// Facets, one file each: each value's documents as a delta list or a bitset, whichever is
/// smaller.
fn write_facets(files: &mut Files<'_>, index: &SearchIndex, labels: &FacetLabels) -> Result<()> {
    let docs = index.docs.len();
    for (fi, _) in FACETS.iter().enumerate() {
        let mut by_value: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (doc, info) in index.docs.iter().enumerate() {
            for v in &info.facets[fi] {
                by_value.entry(v.as_str()).or_default().push(doc as u32);
            }
        }
        let mut raw = Vec::new();
        varint(&mut raw, by_value.len() as u64);
        for (value, list) in &by_value {
            string(&mut raw, value);
            let label = labels.get(fi).and_then(|l| l.get(*value));
            string(&mut raw, label.map_or(*value, String::as_str));
            let mut encoded = Vec::new();
            let mut prev = 0;
            varint(&mut encoded, list.len() as u64);
            for d in list {
                varint(&mut encoded, u64::from(d - prev));
                prev = *d;
            }
            if encoded.len() <= docs.div_ceil(8) {
                raw.push(0);
                raw.extend_from_slice(&encoded);
            } else {
                let mut bits = vec![0u8; docs.div_ceil(8)];
                for d in list {
                    bits[*d as usize / 8] |= 1 << (d % 8);
                }
                raw.push(1);
                raw.extend_from_slice(&bits);
            }
        }
        files.add(format!("f/{fi}.gz"), &raw)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_reads_the_format_version_written() {
        // The one number the client cannot take from the manifest: which format it reads.
        assert!(
            CLIENT_JS.contains(&format!("\nconst FORMAT = {FORMAT_VERSION};\n")),
            "src/search/pmsearch.js must read format {FORMAT_VERSION}"
        );
    }

    #[test]
    fn varints_and_gzip_are_deterministic() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        assert_eq!(gzip(b"hello"), gzip(b"hello"));
        assert_eq!(&gzip(b"hello")[..2], &[0x1f, 0x8b]);
    }

    #[test]
    fn files_leave_as_they_are_made_and_the_build_hash_covers_them_all() {
        let config = crate::config::Config::default();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        let docs = crate::render::tests::site_docs(&config);
        let site = crate::enrich::enrich(docs, &config, today, false);
        let index = SearchIndex::build(&site).unwrap();
        let files = export(&index, &crate::search::facet_labels(&site)).unwrap();
        let manifest = files
            .iter()
            .position(|f| f.path == "search/manifest.gz")
            .unwrap();
        // Every file made before the manifest, path and contents, in the order emitted.
        let mut all = Vec::new();
        for f in &files[..manifest] {
            all.extend_from_slice(f.path.as_bytes());
            all.extend_from_slice(&f.contents);
        }
        let mut json = Vec::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&files[manifest].contents[..])
            .read_to_end(&mut json)
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["build"], fnv_hex(fnv_update(FNV_OFFSET, &all)));
        assert!(files[..manifest]
            .iter()
            .any(|f| f.path.starts_with("search/t/")));
        assert_eq!(files.last().unwrap().path, "search/pmsearch.js");
    }

    #[test]
    fn large_terms_get_files_of_their_own() {
        // target 10: 3+4 share, 12 alone, 2+2+5 share, 9 would overflow them.
        let starts = pack([3, 4, 12, 2, 2, 5, 9, 10, 1].into_iter(), 10);
        assert_eq!(starts, [0, 2, 3, 6, 7, 8]);
        assert_eq!(pack(std::iter::empty(), 10), Vec::<usize>::new());
    }
}
