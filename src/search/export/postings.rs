//! The postings and positions of the browser index: every term's postings per field, encoded,
//! and packed into files in term order (a term whose data reaches the target gets a file of
//! its own, smaller ones share one), the targets grown until the export fits in
//! [`super::MAX_FILES`].

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

use super::{export_err, string, varint, Files, POSITIONS_TARGET, POSTINGS_TARGET};
use crate::error::Result;
use crate::search::{SearchIndex, TEXT_FIELDS};

/// One field's postings of one term: (doc, tf, fieldnorm id, positions).
pub(super) type FieldPostings = Vec<(u32, u32, u8, Vec<u32>)>;

/// Reads every (term -> per-field postings) from the single segment, merged across fields in
/// term order, and hands each term to `sink`.
pub(super) fn for_each_term(
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
pub(super) struct TermData {
    term: String,
    pub(super) postings: Vec<u8>,
    pub(super) positions: Vec<u8>,
}

pub(super) fn encode_term(term: &str, per_field: &[(usize, FieldPostings)]) -> TermData {
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
pub(super) fn pack(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<usize> {
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
pub(super) fn layout(terms: &[TermData], budget: usize) -> (Vec<usize>, Vec<usize>) {
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
pub(super) fn write_groups(
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
