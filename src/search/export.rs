//! The browser index: the one owner of its format. Version 1, described here and in the
//! README; `src/search/pmsearch.js` (written to `search/pmsearch.js`) reads it.
//!
//! Everything lives under `search/` in the output. Every file except the client is gzip
//! (RFC 1952), decompressed by the client itself with `DecompressionStream`, so any static host
//! works without configuration (a host that serves them with `Content-Encoding: gzip` works
//! too: the client checks the gzip magic bytes). Files are named by number; the manifest's
//! `build` hash is appended as `?v=` to every request, so caches see new names on every change.
//! The number of files stays bounded: at most 400 document chunks, at most ~480 postings chunks
//! (at least 14 KB of postings each), a positions file per eight postings chunks.
//!
//! ```text
//! manifest.gz  JSON { version, build, docs, fields: [{name, boost, total_tokens}],
//!              fieldnorms: [256 lengths by fieldnorm id], stop_words, min_prefix,
//!              max_prefix_terms, terms: [first term of each postings chunk],
//!              positions_group, surface: [first word of each surface chunk],
//!              documents: {per_chunk, chunks}, facets: [{name, values: [{value, label, count}]}] }
//! t/<i>.gz     postings of the terms in [terms[i], terms[i+1]):
//!              varint n; n x { varint len; utf-8 term; varint nfields;
//!                nfields x { varint field; varint df; df x { varint doc_delta; varint tf;
//!                u8 fieldnorm_id } } }
//! p/<g>.gz     positions of postings chunks g*G .. g*G+G-1 (G = positions_group):
//!              varint k; k x varint section length; then k sections, each: for every
//!              (term, field, doc) of the postings chunk in order, tf x varint position delta
//! s/<i>.gz     surface forms (words as written, lowercased) with their term, sorted:
//!              varint n; n x { varint shared_prefix; varint len; suffix; varint len; term }
//! d/<i>.gz     JSON array of documents [i*per_chunk, (i+1)*per_chunk), each
//!              [id, url, title, date, severity, excerpt]
//! f.gz         for each facet, for each value in manifest order: u8 encoding; 0 = list
//!              (varint count; count x varint doc_delta), 1 = bitset (ceil(docs/8) bytes,
//!              bit d (LSB first) set when doc d has the value)
//! ```
//!
//! Doc ids are positions in the site's order (newest first); `url` is relative to the site root.
//! Varints are unsigned LEB128. The client computes scores from these statistics exactly as
//! tantivy computes BM25 (f32 arithmetic, K1 = 1.2, B = 0.75, idf = ln(1 + (N - n + 0.5) /
//! (n + 0.5)), length normalisation from the fieldnorm id).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use super::analyzer::STOP_WORDS;
use super::query::MIN_PREFIX;
use super::{SearchIndex, FACETS, MAX_PREFIX_TERMS, TEXT_FIELDS};
use crate::error::{Error, Result};
use crate::output::OutputFile;

/// The client, written to `search/pmsearch.js`.
pub const CLIENT_JS: &str = include_str!("pmsearch.js");

/// The format version written into the manifest.
pub const FORMAT_VERSION: u32 = 1;

/// Smallest raw (uncompressed) size at which a postings chunk is closed.
pub const MIN_TERM_CHUNK_BYTES: usize = 14 * 1024;
/// Postings chunks aimed for at most (larger archives get larger chunks).
pub const MAX_TERM_CHUNKS: usize = 480;
/// Postings chunks per positions file (phrases are rare: fewer, larger files).
pub const POSITIONS_GROUP: usize = 8;
/// Raw size at which a surface-form chunk is closed.
pub const SURFACE_CHUNK_BYTES: usize = 24 * 1024;

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

/// Gzip with a fixed header (no name, no time): identical input, identical bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(bytes.len() / 3 + 64),
        flate2::Compression::best(),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

/// Display labels of facet values (`dns` -> `DNS`), per facet in [`FACETS`] order.
pub type FacetLabels = Vec<BTreeMap<String, String>>;

#[derive(Serialize)]
struct FieldMeta {
    name: &'static str,
    boost: f32,
    total_tokens: u64,
}

/// A document as the client shows it: `[id, url, title, date, severity, excerpt]`.
#[derive(Serialize)]
struct DocRow<'a>(
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

#[derive(Serialize)]
struct Documents {
    per_chunk: usize,
    chunks: usize,
}

#[derive(Serialize)]
struct FacetValue {
    value: String,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct FacetMeta {
    name: &'static str,
    values: Vec<FacetValue>,
}

#[derive(Serialize)]
struct Manifest {
    version: u32,
    build: String,
    docs: usize,
    fields: Vec<FieldMeta>,
    fieldnorms: Vec<u32>,
    stop_words: &'static [&'static str],
    min_prefix: usize,
    max_prefix_terms: usize,
    terms: Vec<String>,
    positions_group: usize,
    surface: Vec<String>,
    documents: Documents,
    facets: Vec<FacetMeta>,
}

struct Files {
    out: Vec<OutputFile>,
}

impl Files {
    /// Adds `search/<name>` gzipped.
    fn add(&mut self, name: String, raw: &[u8]) {
        self.out
            .push(OutputFile::new(format!("search/{name}"), gzip(raw)));
    }
}

fn tantivy_err(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("search export: {e}"))
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
        let inv = segment.inverted_index(*field).map_err(tantivy_err)?;
        totals.push(inv.total_num_tokens());
        norms.push(segment.get_fieldnorms_reader(*field).map_err(tantivy_err)?);
        inverted.push(inv);
    }
    for inv in &inverted {
        let mut s = inv.terms().stream().map_err(tantivy_err)?;
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
                .map_err(tantivy_err)?;
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

/// Exports the index into `search/` files, the client included.
pub fn export(index: &SearchIndex, labels: &FacetLabels) -> Result<Vec<OutputFile>> {
    let mut files = Files { out: Vec::new() };

    // Postings, and positions grouped by POSITIONS_GROUP chunks.
    let mut firsts: Vec<String> = Vec::new();
    let mut postings = Vec::new();
    let mut positions = Vec::new();
    let mut sections: Vec<Vec<u8>> = Vec::new();
    let mut count = 0u64;
    let flush_group = |files: &mut Files, sections: &mut Vec<Vec<u8>>, group: usize| {
        if sections.is_empty() {
            return;
        }
        let mut raw = Vec::new();
        varint(&mut raw, sections.len() as u64);
        for sec in sections.iter() {
            varint(&mut raw, sec.len() as u64);
        }
        for sec in sections.iter() {
            raw.extend_from_slice(sec);
        }
        files.add(format!("p/{group}.gz"), &raw);
        sections.clear();
    };
    let close_chunk = |files: &mut Files,
                       firsts: &[String],
                       postings: &mut Vec<u8>,
                       positions: &mut Vec<u8>,
                       sections: &mut Vec<Vec<u8>>,
                       count: &mut u64| {
        let i = firsts.len() - 1;
        let mut raw = Vec::new();
        varint(&mut raw, *count);
        raw.extend_from_slice(postings);
        files.add(format!("t/{i}.gz"), &raw);
        sections.push(std::mem::take(positions));
        postings.clear();
        *count = 0;
        if sections.len() == POSITIONS_GROUP {
            flush_group(files, sections, i / POSITIONS_GROUP);
        }
    };
    // First pass: every term's encoded postings and positions, to size the chunks.
    let mut entries: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    let totals = for_each_term(index, |term, per_field| {
        let mut post = Vec::new();
        let mut pos_bytes = Vec::new();
        varint(&mut post, term.len() as u64);
        post.extend_from_slice(term.as_bytes());
        varint(&mut post, per_field.len() as u64);
        for (fi, list) in per_field {
            varint(&mut post, *fi as u64);
            varint(&mut post, list.len() as u64);
            let mut prev = 0u32;
            for (doc, tf, norm, pos) in list {
                varint(&mut post, u64::from(doc - prev));
                varint(&mut post, u64::from(*tf));
                post.push(*norm);
                prev = *doc;
                let mut last = 0u32;
                for p in pos {
                    varint(&mut pos_bytes, u64::from(p - last));
                    last = *p;
                }
            }
        }
        entries.push((term.to_string(), post, pos_bytes));
    })?;
    let total: usize = entries.iter().map(|e| e.1.len()).sum();
    let chunk_bytes = (total / MAX_TERM_CHUNKS).max(MIN_TERM_CHUNK_BYTES);
    for (term, post, pos_bytes) in entries {
        if count == 0 {
            firsts.push(term);
        }
        postings.extend_from_slice(&post);
        positions.extend_from_slice(&pos_bytes);
        count += 1;
        if postings.len() >= chunk_bytes {
            close_chunk(
                &mut files,
                &firsts,
                &mut postings,
                &mut positions,
                &mut sections,
                &mut count,
            );
        }
    }
    if count > 0 {
        close_chunk(
            &mut files,
            &firsts,
            &mut postings,
            &mut positions,
            &mut sections,
            &mut count,
        );
    }
    if !sections.is_empty() {
        flush_group(
            &mut files,
            &mut sections,
            (firsts.len() - 1) / POSITIONS_GROUP,
        );
    }

    // Surface forms.
    let mut surface = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0u64;
    let mut prev = String::new();
    let close = |files: &mut Files, buf: &mut Vec<u8>, n: &mut u64, surface: &[String]| {
        let mut raw = Vec::new();
        varint(&mut raw, *n);
        raw.extend_from_slice(buf);
        files.add(format!("s/{}.gz", surface.len() - 1), &raw);
        buf.clear();
        *n = 0;
    };
    for (word, stem) in &index.surface {
        if n == 0 {
            surface.push(word.clone());
            prev.clear();
        }
        let shared = word
            .bytes()
            .zip(prev.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        // Never split a UTF-8 sequence.
        let shared = (0..=shared)
            .rev()
            .find(|&i| word.is_char_boundary(i))
            .unwrap_or(0);
        varint(&mut buf, shared as u64);
        varint(&mut buf, (word.len() - shared) as u64);
        buf.extend_from_slice(&word.as_bytes()[shared..]);
        varint(&mut buf, stem.len() as u64);
        buf.extend_from_slice(stem.as_bytes());
        prev = word.clone();
        n += 1;
        if buf.len() >= SURFACE_CHUNK_BYTES {
            close(&mut files, &mut buf, &mut n, &surface);
        }
    }
    if n > 0 {
        close(&mut files, &mut buf, &mut n, &surface);
    }

    // Documents: small chunks, so the results shown cost little.
    let per_chunk = index.docs.len().div_ceil(400).max(8);
    let mut chunks = 0;
    for (i, chunk) in index.docs.chunks(per_chunk).enumerate() {
        let rows: Vec<DocRow<'_>> = chunk
            .iter()
            .map(|d| {
                DocRow(
                    &d.id,
                    &d.url,
                    &d.title,
                    d.date.as_deref(),
                    d.severity.as_deref(),
                    &d.excerpt,
                )
            })
            .collect();
        let json = serde_json::to_vec(&rows).map_err(tantivy_err)?;
        files.add(format!("d/{i}.gz"), &json);
        chunks += 1;
    }

    // Facets: each value's documents as a delta list or a bitset, whichever is smaller.
    let docs = index.docs.len();
    let mut facet_raw = Vec::new();
    let mut facets = Vec::new();
    for (fi, (name, _)) in FACETS.iter().enumerate() {
        let mut by_value: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (doc, info) in index.docs.iter().enumerate() {
            for v in &info.facets[fi] {
                by_value.entry(v.as_str()).or_default().push(doc as u32);
            }
        }
        let mut values = Vec::new();
        for (value, list) in &by_value {
            let mut encoded = Vec::new();
            let mut prev = 0;
            varint(&mut encoded, list.len() as u64);
            for d in list {
                varint(&mut encoded, u64::from(d - prev));
                prev = *d;
            }
            if encoded.len() <= docs.div_ceil(8) {
                facet_raw.push(0);
                facet_raw.extend_from_slice(&encoded);
            } else {
                let mut bits = vec![0u8; docs.div_ceil(8)];
                for d in list {
                    bits[*d as usize / 8] |= 1 << (d % 8);
                }
                facet_raw.push(1);
                facet_raw.extend_from_slice(&bits);
            }
            values.push(FacetValue {
                value: value.to_string(),
                label: labels
                    .get(fi)
                    .and_then(|l| l.get(*value))
                    .cloned()
                    .unwrap_or_else(|| value.to_string()),
                count: list.len(),
            });
        }
        facets.push(FacetMeta { name, values });
    }
    files.add("f.gz".into(), &facet_raw);

    // The build hash covers every file, so any change gives new `?v=` URLs.
    let mut all = Vec::new();
    for f in &files.out {
        all.extend_from_slice(f.path.as_bytes());
        all.extend_from_slice(&f.contents);
    }
    let manifest = Manifest {
        version: FORMAT_VERSION,
        build: fnv(&all),
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
        positions_group: POSITIONS_GROUP,
        surface,
        documents: Documents { per_chunk, chunks },
        facets,
    };
    let json = serde_json::to_vec(&manifest).map_err(tantivy_err)?;
    files.add("manifest.gz".into(), &json);
    files.out.push(OutputFile::new(
        "search/pmsearch.js".into(),
        CLIENT_JS.as_bytes().to_vec(),
    ));
    Ok(files.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_gzip_are_deterministic() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        assert_eq!(gzip(b"hello"), gzip(b"hello"));
        assert_eq!(&gzip(b"hello")[..2], &[0x1f, 0x8b]);
    }
}
