//! The semantic layer of similar incidents (`[similar] model`): a build with a model embeds
//! every published postmortem once, keeps the embeddings in `.pmarchive-cache/` (never in the
//! output), embeds again only what changed, shows the embeddings' cosine in the links'
//! reasons, and builds the same bytes every time; a model that cannot be used is a located
//! configuration error. The real model cannot live in the repository, so these tests write a
//! tiny random BERT (same format, 32 dimensions, 2 layers); the real all-MiniLM-L6-v2 is used
//! when `PMARCHIVE_TEST_MODEL` names its folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::harness::{pmarchive, skipped, Built, Site};

/// The words of the tiny model's vocabulary (after the special tokens), and every letter as
/// a word start and a continuation, so that any English text has tokens.
const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "was",
    "dns",
    "certificate",
    "expired",
    "database",
    "disk",
    "full",
    "deploy",
    "config",
    "rollback",
    "timeout",
    "latency",
    "cache",
    "queue",
    "memory",
    "leak",
    "network",
    "partition",
    "outage",
    "error",
    "errors",
    "failed",
    "service",
    "load",
    "balancer",
    "traffic",
    "retry",
    "storm",
    "lock",
    "replica",
    "lag",
    "tls",
];

/// A tiny deterministic pseudo-random generator (the weights must be the same in every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.4
    }
}

/// Writes a tiny random BERT sentence encoder into `dir`: config.json, tokenizer.json (a
/// WordPiece vocabulary), model.safetensors and the pooling configuration, in the layout of
/// all-MiniLM-L6-v2.
pub(crate) fn tiny_model(dir: &Path, seed: u64) {
    std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let mut vocab: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
        .map(String::from)
        .to_vec();
    vocab.extend(WORDS.iter().map(|w| w.to_string()));
    for c in 'a'..='z' {
        vocab.push(c.to_string());
        vocab.push(format!("##{c}"));
    }
    for c in '0'..='9' {
        vocab.push(c.to_string());
        vocab.push(format!("##{c}"));
    }
    for p in ".,:;-()'\"/%!?_=#".chars() {
        vocab.push(p.to_string());
    }
    let (hidden, layers, heads, inner, positions) = (32usize, 2usize, 4usize, 64usize, 64usize);
    let config = json!({
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
        "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads,
        "intermediate_size": inner, "vocab_size": vocab.len(),
        "max_position_embeddings": positions, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"word_embedding_dimension": 32, "pooling_mode_mean_tokens": true}"#,
    )
    .unwrap();
    let special = |id: usize, content: &str| {
        json!({"id": id, "content": content, "single_word": false, "lstrip": false,
               "rstrip": false, "normalized": false, "special": true})
    };
    let ids: serde_json::Map<String, Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), json!(i)))
        .collect();
    let tokenizer = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    });
    std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    let mut shapes: Vec<(String, Vec<usize>)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![vocab.len(), hidden],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![positions, hidden],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![2, hidden],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![hidden]),
        ("embeddings.LayerNorm.bias".into(), vec![hidden]),
    ];
    for l in 0..layers {
        for (name, dims) in [
            ("attention.self.query.weight", vec![hidden, hidden]),
            ("attention.self.query.bias", vec![hidden]),
            ("attention.self.key.weight", vec![hidden, hidden]),
            ("attention.self.key.bias", vec![hidden]),
            ("attention.self.value.weight", vec![hidden, hidden]),
            ("attention.self.value.bias", vec![hidden]),
            ("attention.output.dense.weight", vec![hidden, hidden]),
            ("attention.output.dense.bias", vec![hidden]),
            ("attention.output.LayerNorm.weight", vec![hidden]),
            ("attention.output.LayerNorm.bias", vec![hidden]),
            ("intermediate.dense.weight", vec![inner, hidden]),
            ("intermediate.dense.bias", vec![inner]),
            ("output.dense.weight", vec![hidden, inner]),
            ("output.dense.bias", vec![hidden]),
            ("output.LayerNorm.weight", vec![hidden]),
            ("output.LayerNorm.bias", vec![hidden]),
        ] {
            shapes.push((format!("encoder.layer.{l}.{name}"), dims));
        }
    }
    let mut rng = Lcg(seed);
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, dims)| {
            let len: usize = dims.iter().product();
            let is_norm_weight = name.ends_with("LayerNorm.weight");
            let bytes = (0..len)
                .flat_map(|_| {
                    let v = if is_norm_weight {
                        1.0 + rng.next() * 0.1
                    } else {
                        rng.next()
                    };
                    v.to_le_bytes()
                })
                .collect();
            (name, dims, bytes)
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = data
        .iter()
        .map(|(name, dims, bytes)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, dims.clone(), bytes)
                    .unwrap();
            (name.clone(), view)
        })
        .collect();
    safetensors::tensor::serialize_to_file(views, None, &dir.join("model.safetensors")).unwrap();
}

/// A generated archive of `count` postmortems whose configuration names a tiny model in
/// `model/`.
fn site_with_model(count: usize) -> Site {
    let site = Site::generated(count, 11, &[]);
    tiny_model(&site.root().join("model"), 5);
    site.write("pmarchive.toml", "[similar]\nmodel = \"model\"\n");
    site
}

/// Builds verbosely (the phase times and the embedding count are printed); returns the
/// embedding line's two numbers (embedded now, from the cache) and the built site.
fn build_counting(site: &Site) -> ((usize, usize), Built) {
    let out = site.build(&["--verbose"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "build failed: {stderr}");
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("embedded "))
        .unwrap_or_else(|| panic!("no embedding count in {stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (
        (numbers[0], numbers[1]),
        Built::read(&site.root().join("public")),
    )
}

fn published(built: &Built) -> Vec<Value> {
    serde_json::from_str::<Value>(&built.text("api/postmortems.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_model_embeds_each_postmortem_once_and_shows_in_the_reasons() {
    let site = site_with_model(40);
    let (first, built) = build_counting(&site);
    let pms = published(&built);
    let n = pms.len();
    assert!(n > 20, "{n} published");
    // Every published postmortem (and only those) embedded, none from an empty cache.
    assert_eq!(first, (n, 0));
    let cache = site.root().join(".pmarchive-cache/embeddings.bin");
    assert!(cache.is_file(), "no cache at {}", cache.display());
    assert!(built
        .files
        .keys()
        .all(|f| !f.contains("pmarchive-cache") && !f.contains("embeddings")));
    // Computed links show the embeddings' cosine among their reasons.
    let semantic: Vec<&Value> = pms
        .iter()
        .flat_map(|p| p["similar"].as_array().unwrap())
        .filter(|l| {
            l["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().starts_with("semantic:"))
        })
        .collect();
    assert!(!semantic.is_empty(), "no link has a semantic reason");
    // ... and the page of the postmortem that has such a link says how close in meaning.
    let pm = pms
        .iter()
        .find(|p| {
            p["similar"].as_array().unwrap().iter().any(|l| {
                l["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r.as_str().unwrap().starts_with("semantic:"))
            })
        })
        .unwrap();
    let page = built.text(&format!("{}index.html", pm["url"].as_str().unwrap()));
    assert!(
        page.contains("<b>Close in meaning</b> "),
        "the page of {} shows no closeness in meaning",
        pm["id"]
    );

    // A rebuild embeds nothing and builds the same bytes.
    let (second, again) = build_counting(&site);
    assert_eq!(second, (0, n));
    assert_eq!(built.files, again.files, "a rebuild from the cache differs");

    // An edit embeds exactly the edited postmortem.
    let content = site.root().join("content");
    let file = walkdir::WalkDir::new(&content)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            !text.contains("draft") && !text.contains("restricted")
        })
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let heading = "## Root cause and contributing factors\n";
    let edited = text.replacen(heading, &format!("{heading}\nThe disk was full.\n"), 1);
    assert_ne!(text, edited, "{} has no root cause section", file.display());
    std::fs::write(&file, edited).unwrap();
    let (third, _) = build_counting(&site);
    assert_eq!(third, (1, n - 1));

    // `similar` reads the same model and cache.
    let root = site.root().to_str().unwrap();
    let id = pms
        .iter()
        .find(|p| !p["similar"].as_array().unwrap().is_empty())
        .map(|p| p["id"].as_str().unwrap().to_string())
        .unwrap();
    let out = pmarchive(&["similar", "--root", root, "--json", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let links: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(links.as_array().unwrap().iter().any(|l| l["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().starts_with("semantic:"))));
}

#[test]
fn the_same_archive_builds_the_same_bytes_with_a_model_and_a_fresh_cache() {
    let site = site_with_model(30);
    let (_, first) = build_counting(&site);
    std::fs::remove_dir_all(site.root().join(".pmarchive-cache")).unwrap();
    let (count, second) = build_counting(&site);
    assert_eq!(count.1, 0, "the cache was removed");
    assert_eq!(first.files, second.files);
    // Without the model the lists are the text's alone: another site.
    site.write("pmarchive.toml", "");
    let without = site.build_ok(&[]);
    assert_ne!(
        first.text("api/postmortems.json"),
        without.text("api/postmortems.json")
    );
}

#[test]
fn a_corrupt_cache_is_ignored_with_a_warning_and_rewritten() {
    let site = site_with_model(12);
    let (first, built) = build_counting(&site);
    let cache = site.root().join(".pmarchive-cache/embeddings.bin");
    std::fs::write(&cache, b"PMAEMB\0\0 not a cache").unwrap();
    let out = site.build(&["--verbose"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("embeddings.bin"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("embedded {} postmortems (0 from", first.0)),
        "{stderr}"
    );
    assert_eq!(Built::read(&site.root().join("public")).files, built.files);
    let (again, _) = build_counting(&site);
    assert_eq!(again, (0, first.0));
}

#[test]
fn a_model_that_cannot_be_used_is_a_located_configuration_error() {
    let site = Site::example();
    let config = std::fs::read_to_string(site.root().join("pmarchive.toml")).unwrap();
    let with_model = |model: &str| {
        let text = if config.contains("[similar]") {
            config.replacen(
                "[similar]\n",
                &format!("[similar]\nmodel = \"{model}\"\n"),
                1,
            )
        } else {
            format!("{config}\n[similar]\nmodel = \"{model}\"\n")
        };
        site.write("pmarchive.toml", &text);
        let line = text
            .lines()
            .position(|l| l.starts_with("model = "))
            .unwrap()
            + 1;
        (site.build(&[]), line)
    };
    // A folder that is not there.
    let (out, line) = with_model("no/such/model");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("pmarchive.toml:{line}:1")),
        "{stderr}"
    );
    assert!(
        stderr.contains("config/similar-model") && stderr.contains("not a folder"),
        "{stderr}"
    );
    assert!(!site.root().join("public").exists());
    // A folder whose weights do not have the shape its configuration gives.
    tiny_model(&site.root().join("model"), 1);
    let path = site.root().join("model/config.json");
    let cfg = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        cfg.replace("\"intermediate_size\":64", "\"intermediate_size\":48"),
    )
    .unwrap();
    let (out, _) = with_model("model");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("intermediate.dense.weight") && stderr.contains("shape"),
        "{stderr}"
    );
    // Weights that are not a safetensors file.
    std::fs::write(&path, cfg).unwrap();
    std::fs::write(site.root().join("model/model.safetensors"), b"not weights").unwrap();
    let (out, _) = with_model("model");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("safetensors"), "{stderr}");
    // `serve` and `similar` refuse it the same way (before anything runs).
    let root = site.root().to_str().unwrap();
    let out = pmarchive(&["similar", "--root", root, "anything"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config/similar-model"));
}

/// The real all-MiniLM-L6-v2, when `PMARCHIVE_TEST_MODEL` names its folder.
fn real_model(test: &str) -> Option<PathBuf> {
    let why = match std::env::var_os("PMARCHIVE_TEST_MODEL").map(PathBuf::from) {
        Some(dir) if dir.join("model.safetensors").is_file() => return Some(dir),
        Some(dir) => format!("{} holds no model.safetensors", dir.display()),
        None => "PMARCHIVE_TEST_MODEL is not set".to_string(),
    };
    skipped(&format!(
        "{test} needs all-MiniLM-L6-v2 in the folder PMARCHIVE_TEST_MODEL names ({why}; README, \"Semantic similarity\", says how to get it)"
    ));
    None
}

#[test]
fn the_real_model_links_incidents_that_mean_the_same() {
    let Some(model) = real_model("the_real_model_links_incidents_that_mean_the_same") else {
        return;
    };
    // Two incidents that say the same thing in other words, and one about something else:
    // the text shares no distinctive word between the first two beyond "incident".
    let site = Site::empty();
    let pm = |id: &str, day: u32, title: &str, summary: &str, cause: &str| {
        format!(
            "+++\nid = \"{id}\"\ntitle = \"{title}\"\ndate = 2024-03-{day:02}T10:00:00Z\nseverity = \"SEV2\"\nstatus = \"published\"\nsummary = \"{summary}\"\nservices = [\"svc-{id}\"]\nteams = [\"team-{id}\"]\nauthors = [\"A\"]\ncontributing_factors = [\"other\"]\n+++\n\n## Summary\n\n{summary}\n\n## Root cause\n\n{cause}\n\n## Timeline\n\n- 10:00 UTC: incident begins.\n"
        )
    };
    site.write(
        "content/a.md",
        &pm(
            "a",
            1,
            "TLS certificate expired on the login site",
            "Logins failed because the TLS certificate expired.",
            "Nobody renewed the certificate before its expiry date.",
        ),
    );
    site.write(
        "content/b.md",
        &pm(
            "b",
            5,
            "HTTPS cert lapsed for the API gateway",
            "Clients got handshake failures once the cert lapsed.",
            "The cert renewal job had been broken for months.",
        ),
    );
    site.write(
        "content/c.md",
        &pm(
            "c",
            9,
            "Disk filled up on the database host",
            "Writes failed when the disk filled up.",
            "Log rotation was off, so logs grew until no space was left.",
        ),
    );
    let mut config = String::from("[similar]\nmodel = \"");
    config.push_str(model.to_str().unwrap());
    config.push_str("\"\nmin_score = 0.0\n[check.rules]\ntemplate = \"off\"\nschema = \"off\"\n");
    site.write("pmarchive.toml", &config);
    let out = pmarchive(&[
        "similar",
        "--root",
        site.root().to_str().unwrap(),
        "--json",
        "a",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let links: Vec<Value> = serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let semantic: BTreeMap<String, f64> = links
        .iter()
        .filter_map(|l| {
            let s = l["reasons"]
                .as_array()?
                .iter()
                .find_map(|r| r.as_str()?.strip_prefix("semantic:")?.parse::<f64>().ok())?;
            Some((l["id"].as_str()?.to_string(), s))
        })
        .collect();
    // The paraphrase is linked, and its meaning is closer than the other incident's.
    let b = semantic
        .get("b")
        .copied()
        .unwrap_or_else(|| panic!("{links:?}"));
    assert!(b > 0.4, "{semantic:?}");
    if let Some(c) = semantic.get("c") {
        assert!(b > *c, "{semantic:?}");
    }
}

#[test]
fn serve_embeds_only_the_edited_postmortem() {
    let site = site_with_model(15);
    let log = site.root().join("serve.log");
    let server = crate::serve::start_with(
        &site,
        &["--verbose"],
        std::fs::File::create(&log).unwrap().into(),
    );
    let counts = || -> Vec<String> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().strip_prefix("embedded ").map(String::from))
            .collect()
    };
    let wait = |n: usize| {
        let start = std::time::Instant::now();
        while counts().len() < n && start.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        counts()
    };
    let first = wait(1);
    let published = first[0].split(' ').next().unwrap().to_string();
    assert!(first[0].ends_with("(0 from the cache)"), "{first:?}");
    let file = walkdir::WalkDir::new(site.root().join("content"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            !text.contains("draft") && !text.contains("restricted")
        })
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let heading = "## Root cause and contributing factors\n";
    let tmp = file.with_extension("md.tmp~");
    std::fs::write(
        &tmp,
        text.replacen(heading, &format!("{heading}\nA lock was held.\n"), 1),
    )
    .unwrap();
    std::fs::rename(&tmp, &file).unwrap();
    let after = wait(2);
    drop(server);
    let total: usize = published.parse().unwrap();
    assert_eq!(
        after.get(1).map(String::as_str),
        Some(format!("1 postmortems ({} from the cache)", total - 1).as_str()),
        "{after:?}"
    );
}
