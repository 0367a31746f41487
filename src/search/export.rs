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
//! whole file, which the client then keeps; each range is asked for at a URL of its own,
//! `?v=BUILD&at=OFFSET`, as a browser's cache serialises requests for one URL). Postings and positions are packed into files separately, each in term order: a
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

mod postings;
mod tables;

use postings::{encode_term, for_each_term, layout, write_groups};
use tables::{write_documents, write_facets, write_passages, write_surface, write_vocabulary};

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

#[cfg(test)]
mod tests {
    use super::postings::pack;
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
