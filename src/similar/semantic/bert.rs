//! A BERT sentence encoder (all-MiniLM-L6-v2 and models of its shape) on candle: the model's
//! folder checked without reading its weights ([`Shape::check`]), the weights read when
//! something is to be embedded ([`Bert::load`]), and one text's embedding: its tokens
//! (`tokenizers`, the model's own `tokenizer.json`), the encoder, the mean of the token
//! vectors, L2-normalised, as sentence-transformers pools them.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, Module};
use serde::Deserialize;
use tokenizers::Tokenizer;

/// Tokens a text is cut to at most (as sentence-transformers does for all-MiniLM-L6-v2,
/// `max_seq_length` of `sentence_bert_config.json`, when the folder does not say).
const DEFAULT_MAX_TOKENS: usize = 256;

/// What `config.json` says of the encoder (Hugging Face's BERT configuration).
#[derive(Debug, Clone, Deserialize)]
struct BertConfig {
    #[serde(default)]
    model_type: Option<String>,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    vocab_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "one")]
    type_vocab_size: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default = "default_act")]
    hidden_act: String,
}

fn one() -> usize {
    1
}

fn default_eps() -> f64 {
    1e-12
}

fn default_act() -> String {
    "gelu".into()
}

/// `sentence_bert_config.json`, when the folder has one.
#[derive(Debug, Deserialize)]
struct SentenceConfig {
    max_seq_length: Option<usize>,
}

/// `1_Pooling/config.json`, when the folder has one: only mean pooling is supported.
#[derive(Debug, Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
}

/// A model folder, checked: its configuration, tokenizer and the names, shapes and types of its
/// weights (the weights themselves not read).
pub(crate) struct Shape {
    config: BertConfig,
    /// The weights' names start with this (`""` or `"bert."`).
    prefix: String,
    pub(super) tokenizer: Tokenizer,
    /// Tokens a text is cut to.
    pub(super) max_tokens: usize,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The model's configuration (`config.json`): a BERT encoder with `gelu`, whose hidden size is
/// a non-zero multiple of its attention heads.
fn read_config(dir: &Path) -> Result<BertConfig, String> {
    let config: BertConfig =
        serde_json::from_slice(&read(&dir.join("config.json"))?).map_err(|e| {
            format!(
                "{}: not a BERT configuration: {e}",
                dir.join("config.json").display()
            )
        })?;
    if let Some(t) = config.model_type.as_deref().filter(|t| *t != "bert") {
        return Err(format!("the model is a `{t}`, not a BERT encoder"));
    }
    if config.hidden_act != "gelu" {
        return Err(format!(
            "the model's activation is `{}`; only `gelu` is supported",
            config.hidden_act
        ));
    }
    let c = &config;
    if c.num_attention_heads == 0
        || c.hidden_size == 0
        || c.hidden_size % c.num_attention_heads != 0
        || c.num_hidden_layers == 0
        || c.type_vocab_size == 0
    {
        return Err("config.json: the hidden size must be a non-zero multiple of the attention heads, with at least one layer".into());
    }
    Ok(config)
}

/// How many tokens an input is cut to: the sentence configuration's length (mean pooling
/// only), at most the model's positions.
fn max_tokens(dir: &Path, config: &BertConfig) -> Result<usize, String> {
    let pooling = dir.join("1_Pooling").join("config.json");
    if pooling.exists() {
        let p: PoolingConfig = serde_json::from_slice(&read(&pooling)?)
            .map_err(|e| format!("{}: {e}", pooling.display()))?;
        if !p.pooling_mode_mean_tokens {
            return Err(format!(
                "{}: only mean pooling is supported",
                pooling.display()
            ));
        }
    }
    let sentence = dir.join("sentence_bert_config.json");
    let wanted = if sentence.exists() {
        let s: SentenceConfig = serde_json::from_slice(&read(&sentence)?)
            .map_err(|e| format!("{}: {e}", sentence.display()))?;
        s.max_seq_length.unwrap_or(DEFAULT_MAX_TOKENS)
    } else {
        DEFAULT_MAX_TOKENS
    };
    Ok(wanted.min(config.max_position_embeddings).max(2))
}

/// The tokenizer (`tokenizer.json`), truncating at `max_tokens`, whose vocabulary fits the
/// model's (`vocab_size`).
fn read_tokenizer(dir: &Path, max_tokens: usize, vocab_size: usize) -> Result<Tokenizer, String> {
    let tpath = dir.join("tokenizer.json");
    let mut tokenizer = Tokenizer::from_bytes(read(&tpath)?)
        .map_err(|e| format!("{}: not a tokenizer: {e}", tpath.display()))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(tokenizers::TruncationParams {
            max_length: max_tokens,
            ..Default::default()
        }))
        .map_err(|e| format!("{}: {e}", tpath.display()))?;
    if tokenizer.get_vocab_size(true) > vocab_size {
        return Err(format!(
            "the tokenizer has {} tokens, more than the model's vocabulary ({})",
            tokenizer.get_vocab_size(true),
            vocab_size
        ));
    }
    Ok(tokenizer)
}

impl Shape {
    /// Checks the model folder `dir` whose weights are `weights` (the bytes of
    /// `model.safetensors`): a BERT configuration, a tokenizer its vocabulary fits, every
    /// weight the encoder needs with the shape the configuration gives, and mean pooling.
    /// `Err` says what is wrong, in a sentence.
    pub(super) fn check(dir: &Path, weights: &[u8]) -> Result<Shape, String> {
        let config = read_config(dir)?;
        let max_tokens = max_tokens(dir, &config)?;
        let tokenizer = read_tokenizer(dir, max_tokens, config.vocab_size)?;
        let (_, meta) = safetensors::SafeTensors::read_metadata(weights)
            .map_err(|e| format!("model.safetensors: not a safetensors file: {e}"))?;
        let prefix = if meta.info("embeddings.word_embeddings.weight").is_some() {
            ""
        } else {
            "bert."
        };
        let shape = Shape {
            config,
            prefix: prefix.into(),
            tokenizer,
            max_tokens,
        };
        shape.check_weights(&meta)?;
        Ok(shape)
    }

    /// Whether `meta` has every weight the encoder needs, floating point, with the shape the
    /// configuration gives.
    fn check_weights(&self, meta: &safetensors::tensor::Metadata) -> Result<(), String> {
        let prefix = &self.prefix;
        for (name, dims) in self.expected() {
            let full = format!("{prefix}{name}");
            let Some(info) = meta.info(&full) else {
                return Err(format!("model.safetensors has no weight `{full}`"));
            };
            use safetensors::Dtype;
            if !matches!(info.dtype, Dtype::F32 | Dtype::F16 | Dtype::BF16) {
                return Err(format!(
                    "model.safetensors: `{full}` is {:?}, not floating point",
                    info.dtype
                ));
            }
            if info.shape != dims {
                return Err(format!(
                    "model.safetensors: `{full}` has the shape {:?}, the configuration asks for {dims:?}",
                    info.shape
                ));
            }
        }
        Ok(())
    }

    /// The length of an embedding.
    pub(super) fn hidden(&self) -> usize {
        self.config.hidden_size
    }

    /// Every weight the encoder reads, with its shape.
    fn expected(&self) -> Vec<(String, Vec<usize>)> {
        let c = &self.config;
        let (h, i) = (c.hidden_size, c.intermediate_size);
        let mut out = vec![
            (
                "embeddings.word_embeddings.weight".to_string(),
                vec![c.vocab_size, h],
            ),
            (
                "embeddings.position_embeddings.weight".into(),
                vec![c.max_position_embeddings, h],
            ),
            (
                "embeddings.token_type_embeddings.weight".into(),
                vec![c.type_vocab_size, h],
            ),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
        ];
        for l in 0..c.num_hidden_layers {
            let p = format!("encoder.layer.{l}.");
            for (name, dims) in [
                ("attention.self.query.weight", vec![h, h]),
                ("attention.self.query.bias", vec![h]),
                ("attention.self.key.weight", vec![h, h]),
                ("attention.self.key.bias", vec![h]),
                ("attention.self.value.weight", vec![h, h]),
                ("attention.self.value.bias", vec![h]),
                ("attention.output.dense.weight", vec![h, h]),
                ("attention.output.dense.bias", vec![h]),
                ("attention.output.LayerNorm.weight", vec![h]),
                ("attention.output.LayerNorm.bias", vec![h]),
                ("intermediate.dense.weight", vec![i, h]),
                ("intermediate.dense.bias", vec![i]),
                ("output.dense.weight", vec![h, i]),
                ("output.dense.bias", vec![h]),
                ("output.LayerNorm.weight", vec![h]),
                ("output.LayerNorm.bias", vec![h]),
            ] {
                out.push((format!("{p}{name}"), dims));
            }
        }
        out
    }
}

fn failed(e: candle_core::Error) -> String {
    format!("model.safetensors: {e}")
}

/// The weights of a model file, taken one by one as the encoder is put together.
struct Weights<'a> {
    all: HashMap<String, Tensor>,
    prefix: &'a str,
    eps: f64,
}

impl Weights<'_> {
    fn take(&mut self, name: &str) -> Result<Tensor, String> {
        let full = format!("{}{name}", self.prefix);
        self.all
            .remove(&full)
            .ok_or_else(|| format!("model.safetensors has no weight `{full}`"))?
            .to_dtype(DType::F32)
            .map_err(failed)
    }

    fn linear(&mut self, name: &str) -> Result<Linear, String> {
        let weight = self.take(&format!("{name}.weight"))?;
        let bias = self.take(&format!("{name}.bias"))?;
        Ok(Linear::new(weight, Some(bias)))
    }

    fn norm(&mut self, name: &str) -> Result<LayerNorm, String> {
        let weight = self.take(&format!("{name}.weight"))?;
        let bias = self.take(&format!("{name}.bias"))?;
        Ok(LayerNorm::new(weight, bias, self.eps))
    }
}

/// One encoder layer.
struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The encoder, its weights read.
pub(super) struct Bert {
    words: Embedding,
    positions: Tensor,
    /// The embedding of token type 0 (one text: every token is of type 0).
    token_type: Tensor,
    norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
}

impl Bert {
    /// Reads the weights (`weights`: the bytes of `model.safetensors`) of a checked model.
    pub(super) fn load(shape: &Shape, weights: &[u8]) -> Result<Bert, String> {
        let all: HashMap<String, Tensor> =
            candle_core::safetensors::load_buffer(weights, &Device::Cpu).map_err(failed)?;
        let mut w = Weights {
            all,
            prefix: &shape.prefix,
            eps: shape.config.layer_norm_eps,
        };
        let c = &shape.config;
        let mut layers = Vec::with_capacity(c.num_hidden_layers);
        for l in 0..c.num_hidden_layers {
            let p = format!("encoder.layer.{l}.");
            layers.push(Layer {
                query: w.linear(&format!("{p}attention.self.query"))?,
                key: w.linear(&format!("{p}attention.self.key"))?,
                value: w.linear(&format!("{p}attention.self.value"))?,
                attention_out: w.linear(&format!("{p}attention.output.dense"))?,
                attention_norm: w.norm(&format!("{p}attention.output.LayerNorm"))?,
                intermediate: w.linear(&format!("{p}intermediate.dense"))?,
                output: w.linear(&format!("{p}output.dense"))?,
                output_norm: w.norm(&format!("{p}output.LayerNorm"))?,
            });
        }
        Ok(Bert {
            words: Embedding::new(w.take("embeddings.word_embeddings.weight")?, c.hidden_size),
            positions: w.take("embeddings.position_embeddings.weight")?,
            token_type: w
                .take("embeddings.token_type_embeddings.weight")?
                .get(0)
                .map_err(failed)?,
            norm: w.norm("embeddings.LayerNorm")?,
            layers,
            heads: c.num_attention_heads,
            hidden: c.hidden_size,
        })
    }

    /// The embedding of a text's tokens (one sequence, no padding): the mean of the last
    /// layer's token vectors, L2-normalised.
    pub(super) fn embed(&self, ids: &[u32]) -> candle_core::Result<Vec<f32>> {
        let n = ids.len();
        let ids = Tensor::new(ids, &Device::Cpu)?;
        let x = self
            .words
            .forward(&ids)?
            .broadcast_add(&self.positions.narrow(0, 0, n)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.norm.forward(&x)?;
        for layer in &self.layers {
            x = self.layer(layer, &x)?;
        }
        let mut v: Vec<f32> = x.mean(0)?.to_vec1()?;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        Ok(v)
    }

    /// One encoder layer over `x` (tokens x hidden): self-attention, then the feed-forward
    /// part, each added to its input and normalised.
    fn layer(&self, l: &Layer, x: &Tensor) -> candle_core::Result<Tensor> {
        let n = x.dim(0)?;
        let head = self.hidden / self.heads;
        let split = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((n, self.heads, head))?
                .transpose(0, 1)?
                .contiguous()
        };
        let q = split(l.query.forward(x)?)?;
        let k = split(l.key.forward(x)?)?;
        let v = split(l.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?.contiguous()?)? / (head as f64).sqrt())?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = weights
            .matmul(&v)?
            .transpose(0, 1)?
            .contiguous()?
            .reshape((n, self.hidden))?;
        let attended = l
            .attention_norm
            .forward(&(l.attention_out.forward(&context)? + x)?)?;
        let inner = l.intermediate.forward(&attended)?.gelu_erf()?;
        l.output_norm
            .forward(&(l.output.forward(&inner)? + &attended)?)
    }
}
