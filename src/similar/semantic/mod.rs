//! The optional semantic layer of similar incidents (`[similar] model`): each postmortem's
//! what-went-wrong text (the fields the text score compares, with the words of its own
//! services and teams masked out, as they weigh nothing in its term vector) embedded by a
//! sentence encoder (all-MiniLM-L6-v2: [`bert`]), and the cosine of two incidents' embeddings
//! mixed into their text score (`[similar] model_weight` of it).
//!
//! Embedding is the costly part (a fraction of a second per postmortem), so every embedding is
//! kept in a persistent cache ([`store`]), keyed by a hash of the model and the embedded text:
//! a rebuild embeds only the postmortems whose text changed. The cache lives in
//! `.pmarchive-cache/` beside the configuration file, never in the output. Embeddings are
//! quantised (one i8 per dimension, scaled per vector) before they are used or kept, and the
//! cosine is computed on those integers, so the same texts give the same scores on every run,
//! from the cache or not, whatever the threads did.
//!
//! Nothing is downloaded: the model is a folder on disk the configuration names.

mod bert;
mod store;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use siphasher::sip128::{Hasher128, SipHasher13};
use std::hash::Hasher;
use tantivy::tokenizer::TokenStream;

use super::terms::{self, Analysed};
use crate::enrich::Site;
use crate::error::{Error, Result};
use store::{Entries, Key};

/// The cache folder's name, beside the configuration file.
pub(crate) const CACHE_DIR: &str = ".pmarchive-cache";

/// Bumped whenever the text embedded, the encoder or the quantisation change: the cache's
/// entries of an older version are then not this version's.
const EMBEDDING_VERSION: &[u8] = b"pmarchive-embedding-1";

/// A sentence-embedding model, checked, with its cache. Its weights are read the first time
/// something is not in the cache.
pub struct Semantic {
    /// The model's folder.
    dir: PathBuf,
    shape: bert::Shape,
    /// A hash of everything the model's embeddings depend on.
    identity: Key,
    /// The cache file, when there is one (never inside the output).
    cache_file: Option<PathBuf>,
    /// The encoder, read on first use (or why it could not be).
    encoder: OnceLock<std::result::Result<bert::Bert, String>>,
    /// The cache's entries (read from the file on first use), and whether they were read.
    memory: Mutex<(bool, Entries)>,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Semantic")
            .field("dir", &self.dir)
            .field("cache_file", &self.cache_file)
            .finish_non_exhaustive()
    }
}

impl Semantic {
    /// Checks the model folder `dir` (its configuration, tokenizer and the shapes of its
    /// weights; the weights are checksummed, not loaded) and keeps its embeddings in `cache_dir`
    /// when given. `Err` is a sentence saying what is wrong.
    pub(crate) fn open(dir: &Path, cache_dir: Option<&Path>) -> std::result::Result<Self, String> {
        if !dir.is_dir() {
            return Err(format!("{} is not a folder", dir.display()));
        }
        let weights_path = dir.join("model.safetensors");
        let weights = std::fs::read(&weights_path)
            .map_err(|e| format!("cannot read {}: {e}", weights_path.display()))?;
        let shape = bert::Shape::check(dir, &weights)?;
        let mut h = SipHasher13::new();
        h.write(EMBEDDING_VERSION);
        for file in ["config.json", "tokenizer.json"] {
            let bytes =
                std::fs::read(dir.join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
            h.write_usize(bytes.len());
            h.write(&bytes);
        }
        h.write_usize(shape.max_tokens);
        // The weights by their length and checksum: any change to them changes the identity
        // (crc32fast hashes at memory speed; 90 MB through SipHash took 0.4 s unoptimised).
        h.write_usize(weights.len());
        h.write_u32(crc32fast::hash(&weights));
        Ok(Semantic {
            dir: dir.to_path_buf(),
            shape,
            identity: h.finish128().as_bytes(),
            cache_file: cache_dir.map(|d| d.join(store::FILE)),
            encoder: OnceLock::new(),
            memory: Mutex::new((false, Entries::new())),
        })
    }

    /// The encoder, its weights read on first use.
    fn encoder(&self) -> Result<&bert::Bert> {
        let loaded = self.encoder.get_or_init(|| {
            let path = self.dir.join("model.safetensors");
            let weights =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            bert::Bert::load(&self.shape, &weights)
        });
        loaded
            .as_ref()
            .map_err(|e| Error::internal_bare(format!("the embedding model: {e}")))
    }

    /// The cache key of `text`.
    fn key(&self, text: &str) -> Key {
        let mut h = SipHasher13::new();
        h.write(&self.identity);
        h.write(text.as_bytes());
        h.finish128().as_bytes()
    }

    /// `text` embedded and quantised.
    fn embed_text(&self, text: &str) -> Result<Vec<i8>> {
        let encoding = self
            .shape
            .tokenizer
            .encode(text, true)
            .map_err(|e| Error::internal("tokenizing a text for the embedding model", e))?;
        let vector = self
            .encoder()?
            .embed(encoding.get_ids())
            .map_err(|e| Error::internal("embedding a text", e))?;
        Ok(quantise(&vector))
    }
}

/// An embedding as integers: each component scaled so the largest is 127, rounded. The cosine
/// does not depend on the scale.
fn quantise(v: &[f32]) -> Vec<i8> {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max <= 0.0 || !max.is_finite() {
        return vec![0; v.len()];
    }
    v.iter()
        .map(|x| (x / max * 127.0).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// The site's postmortems embedded, ready for the pair scores.
#[derive(Debug, Clone, Default)]
pub(crate) struct Embedded {
    /// Per postmortem, its quantised embedding (`dims` each, in site order).
    vectors: Vec<i8>,
    dims: usize,
    /// Per postmortem, the norm of its quantised embedding.
    norms: Vec<f32>,
    /// The share of the embedding cosine in the text score.
    pub(crate) weight: f32,
}

impl Embedded {
    /// The cosine of two postmortems' embeddings, 0 when negative: computed on the integers,
    /// so it is the same on every run.
    pub(crate) fn cosine(&self, a: usize, b: usize) -> f32 {
        let denom = self.norms[a] * self.norms[b];
        if denom <= 0.0 {
            return 0.0;
        }
        let (va, vb) = (
            &self.vectors[a * self.dims..(a + 1) * self.dims],
            &self.vectors[b * self.dims..(b + 1) * self.dims],
        );
        let dot: i32 = va
            .iter()
            .zip(vb)
            .map(|(&x, &y)| i32::from(x) * i32::from(y))
            .sum();
        (dot as f32 / denom).clamp(0.0, 1.0)
    }

    /// How many postmortems are embedded.
    pub(crate) fn count(&self) -> usize {
        self.norms.len()
    }

    /// A text score with the embedding cosine mixed in.
    pub(crate) fn mix(&self, text: f32, a: usize, b: usize) -> f32 {
        (1.0 - self.weight) * text + self.weight * self.cosine(a, b)
    }
}

/// What an embedding pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EmbedCount {
    /// Postmortems embedded now.
    pub embedded: usize,
    /// Postmortems whose embedding came from the cache.
    pub cached: usize,
}

/// The text of postmortem `i` that is embedded: the compared fields (and the body of a report
/// without them), one per line, without the words of its own services and teams.
fn text_of(site: &Site<'_>, analysed: &Analysed, i: usize) -> String {
    let pm = &site.postmortems[i];
    let doc = &analysed.docs[i];
    let bare = super::is_bare(pm);
    let fields = &analysed.plan.fields;
    let count = if bare {
        fields.len()
    } else {
        analysed.plan.compared
    };
    let text = fields[..count]
        .iter()
        .map(|f| terms::field_text(pm, f))
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // The words (as written, lowercased) whose terms name the incident's own services/teams.
    let owners: FxHashSet<&str> = doc
        .words
        .iter()
        .filter(|(_, term)| doc.owners.binary_search(term).is_ok())
        .map(|(word, _)| &**word)
        .collect();
    if owners.is_empty() {
        return text;
    }
    let mut analyzer = crate::search::analyzer::surface_analyzer();
    let mut stream = analyzer.token_stream(&text);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while stream.advance() {
        let t = stream.token();
        if owners.contains(t.text.as_str()) {
            out.push_str(&text[from..t.offset_from]);
            from = t.offset_to;
        }
    }
    out.push_str(&text[from..]);
    out
}

/// Embeds every postmortem of `site` (analysed for similarity as `analysed`) with `model`,
/// taking what the cache holds and embedding the rest in parallel; the cache then holds the
/// site's embeddings (and only them), written when they changed. A cache file that cannot be
/// read is ignored (and rewritten), one that cannot be written only costs the next build time:
/// both are warnings on the standard error.
pub(crate) fn embed(
    site: &Site<'_>,
    analysed: &Analysed,
    model: &Semantic,
    weight: f32,
) -> Result<(Embedded, EmbedCount)> {
    let n = site.postmortems.len();
    let dims = model.shape.hidden();
    let keyed: Vec<(Key, String)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let text = text_of(site, analysed, i);
            (model.key(&text), text)
        })
        .collect();
    let mut memory = model.memory.lock().unwrap_or_else(|e| e.into_inner());
    if !memory.0 {
        memory.0 = true;
        if let Some(file) = &model.cache_file {
            match store::read(file, &model.identity, dims) {
                Ok(entries) => memory.1 = entries,
                Err(e) => eprintln!("warning: {e}: it is ignored (and rewritten)"),
            }
        }
    }
    // The texts not in the cache, each once.
    let mut missing: Vec<&(Key, String)> = keyed
        .iter()
        .filter(|(k, _)| !memory.1.contains_key(k))
        .collect();
    let count = EmbedCount {
        embedded: missing.len(),
        cached: n - missing.len(),
    };
    missing.sort_unstable_by_key(|a| a.0);
    missing.dedup_by(|a, b| a.0 == b.0);
    let made: Vec<(Key, Vec<i8>)> = missing
        .par_iter()
        .map(|(k, text)| Ok((*k, model.embed_text(text)?)))
        .collect::<Result<_>>()?;
    let fresh = !made.is_empty();
    memory.1.extend(made);
    let before = memory.1.len();
    let wanted: FxHashSet<&Key> = keyed.iter().map(|(k, _)| k).collect();
    memory.1.retain(|k, _| wanted.contains(k));
    if fresh || memory.1.len() != before {
        if let Some(file) = &model.cache_file {
            if let Err(e) = store::write(file, &model.identity, dims, &memory.1) {
                eprintln!("warning: {e}: the embeddings will be computed again next time");
            }
        }
    }
    let mut vectors = Vec::with_capacity(n * dims);
    let mut norms = Vec::with_capacity(n);
    for (k, _) in &keyed {
        let v = &memory.1[k];
        norms.push(
            (v.iter().map(|&x| i64::from(x) * i64::from(x)).sum::<i64>() as f64).sqrt() as f32,
        );
        vectors.extend_from_slice(v);
    }
    Ok((
        Embedded {
            vectors,
            dims,
            norms,
            weight,
        },
        count,
    ))
}
