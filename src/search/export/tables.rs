//! The browser index's files that are not postings: surface forms, the typo-correction
//! vocabulary, passages, document rows and facets (their layout is in [`super`]).

use std::collections::BTreeMap;

use super::{
    common_prefix, export_err, gzip, string, varint, DocRow, FacetLabels, Files, DOCUMENT_CHUNKS,
    PASSAGES, SURFACE_CHUNK_BYTES,
};
use crate::error::Result;
use crate::search::{fuzzy, SearchIndex, FACETS};

/// The surface forms (word, stem), front-coded in chunks: the first word of each chunk.
pub(super) fn write_surface(files: &mut Files<'_>, index: &SearchIndex) -> Result<Vec<String>> {
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
pub(super) fn write_vocabulary(files: &mut Files<'_>, index: &SearchIndex) -> Result<Vec<usize>> {
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
pub(super) fn write_passages(
    files: &mut Files<'_>,
    index: &SearchIndex,
) -> Result<Vec<(usize, usize)>> {
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
pub(super) fn write_documents(
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
pub(super) fn write_facets(
    files: &mut Files<'_>,
    index: &SearchIndex,
    labels: &FacetLabels,
) -> Result<()> {
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
