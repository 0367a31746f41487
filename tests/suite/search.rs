//! Search: the browser client, run in Node over an exported index, returns the same documents
//! in the same order with the same scores as tantivy, for many queries; and the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use pmarchive::config::Config;
use pmarchive::content::{read_archive, Highlighter};
use pmarchive::enrich::enrich;
use pmarchive::search::{parse_query, SearchIndex};

use crate::harness::{pmarchive, real_corpus, repo, Site};

fn node() -> Option<PathBuf> {
    let out = Command::new("node").arg("--version").output().ok()?;
    out.status.success().then(|| PathBuf::from("node"))
}

/// A site of synthetic postmortems from bench/gen-archive.py (deterministic).
fn generated_site(count: usize) -> Site {
    Site::generated(count, 42, &[])
}

fn index_of(root: &Path) -> SearchIndex {
    let config = match std::fs::read_to_string(root.join("pmarchive.toml")) {
        Ok(t) => Config::parse(Path::new("pmarchive.toml"), &t).unwrap(),
        Err(_) => Config::default(),
    };
    let content = root.join(&config.content_dir);
    let (pms, diags) = read_archive(root, &content, &config, &Highlighter::new(), &|| {});
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
    let site = enrich(pms, &config, today, false);
    SearchIndex::build(&site).unwrap()
}

struct Case {
    query: String,
    prefix: bool,
}

fn case(q: &str, prefix: bool) -> Case {
    Case {
        query: q.to_string(),
        prefix,
    }
}

/// Runs every case through tantivy and through the client in Node, and compares.
fn compare(root: &Path, out: &Path, cases: &[Case]) -> usize {
    let Some(node) = node() else {
        panic!("node is required for the search client tests (install Node.js 20+)");
    };
    let index = index_of(root);
    let queries: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| serde_json::json!({ "query": c.query, "prefix": c.prefix, "limit": 20 }))
        .collect();
    let qfile = out.join("queries.json");
    std::fs::write(&qfile, serde_json::to_vec(&queries).unwrap()).unwrap();
    let run = Command::new(node)
        .arg(repo().join("tests/node/run-queries.mjs"))
        .arg(out)
        .arg(&qfile)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let js: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout).unwrap();
    let mut compared = 0;
    for (c, got) in cases.iter().zip(&js) {
        let q = parse_query(&c.query, c.prefix);
        let want = index.search(&q, 20).unwrap();
        let ctx = format!("query {:?} (prefix {})", c.query, c.prefix);
        assert_eq!(
            got["total"].as_u64().unwrap() as usize,
            want.total,
            "{ctx}: total"
        );
        let results = got["results"].as_array().unwrap();
        assert_eq!(results.len(), want.hits.len(), "{ctx}: result count");
        for (k, (r, h)) in results.iter().zip(&want.hits).enumerate() {
            let score = r["score"].as_f64().unwrap();
            let expect = f64::from(h.score);
            let tol = 1e-4 * expect.abs().max(1e-6);
            assert!(
                (score - expect).abs() <= tol,
                "{ctx}: #{k} score {score} vs tantivy {expect}"
            );
            let doc = r["doc"].as_u64().unwrap() as u32;
            if doc != h.doc {
                // Only a tie (equal f32 scores up to summation order) may differ, and then both
                // sides must still order the tied documents by ascending doc id.
                let near = want
                    .hits
                    .iter()
                    .filter(|x| {
                        (f64::from(x.score) - expect).abs() <= 1e-6 * expect.abs().max(1e-6)
                    })
                    .count();
                assert!(near > 1, "{ctx}: #{k} is doc {doc}, tantivy has {}", h.doc);
            }
        }
        // The first call (no facets) found the same, and fetched only what its query needs.
        let first: Vec<u64> = got["first"]["docs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        let second: Vec<u64> = results.iter().map(|r| r["doc"].as_u64().unwrap()).collect();
        assert_eq!(first, second, "{ctx}: results without facets");
        assert_eq!(
            got["first"]["total"], got["total"],
            "{ctx}: total without facets"
        );
        // Synonyms of several words are phrases: they read positions too.
        let synonym_phrase = index.synonyms.expand(&q.words).iter().any(|m| m.len() > 1);
        check_fetched(&q, synonym_phrase, got["files"].as_array().unwrap(), &ctx);
        // Facet counts over all matches.
        for (name, counts) in &want.facets {
            let js_counts = got["facets"][name].as_array().unwrap();
            let total: usize = counts.values().sum();
            let js_total: u64 = js_counts.iter().map(|v| v["count"].as_u64().unwrap()).sum();
            assert_eq!(js_total as usize, total, "{ctx}: facet {name}");
            for v in js_counts {
                let value = v["value"].as_str().unwrap();
                assert_eq!(
                    v["count"].as_u64().unwrap() as usize,
                    counts[value],
                    "{ctx}: {name}={value}"
                );
            }
        }
        compared += 1;
    }
    compared
}

/// What a query without facet counts may fetch: the manifest first, postings and documents;
/// positions only for a phrase, surface forms only for a prefix, a facet's file only for a filter
/// on it, each file once.
fn check_fetched(
    q: &pmarchive::search::ParsedQuery,
    synonym_phrase: bool,
    files: &[serde_json::Value],
    ctx: &str,
) {
    let files: Vec<&str> = files.iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files.first(), Some(&"manifest.gz"), "{ctx}: {files:?}");
    let mut seen = std::collections::BTreeSet::new();
    for f in &files {
        assert!(seen.insert(*f), "{ctx}: {f} fetched twice");
        let (dir, _) = f.split_once('/').unwrap_or((f, ""));
        match dir {
            "manifest.gz" | "t" | "d" => {}
            "p" => assert!(
                !q.phrases.is_empty() || synonym_phrase,
                "{ctx}: positions without a phrase"
            ),
            "s" => assert!(q.prefix.is_some(), "{ctx}: surface forms without a prefix"),
            "f" => {
                let i: usize = f[2..].trim_end_matches(".gz").parse().unwrap();
                let facet = pmarchive::search::FACETS[i].0;
                assert!(
                    q.filters.iter().any(|x| x.facet == facet),
                    "{ctx}: {f} ({facet}) without a filter on it"
                );
            }
            _ => panic!("{ctx}: unexpected {f}"),
        }
    }
}

fn fixed_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for q in [
        "database failover lost writes",
        "dns",
        "timeout",
        "the missing timeout",
        "certificate expired",
        "\"read timed out\"",
        "\"connection pool\" exhausted",
        "identity-provider latency",
        "ReadTimeout HTTPSConnectionPool",
        "rollback canary",
        "factor:missing-timeout",
        "factor:missing-timeout timeout",
        "service:checkout errors",
        "severity:SEV1 outage",
        "year:2024 deploy",
        "team:payments factor:config-change",
        "tag:latency",
        "nonexistentword",
        "zzz \"nothing here at all\"",
        "running runs ran",
        "configurations configured",
        "42",
        "",
        "   ",
        "error rate peaks",
        "\"rate of the errors\"",
        "\"no space left on device\"",
        "\"error budget for the\" checkout",
        // Identifiers the analyzer splits: their terms and a phrase of them.
        "PAYMENT_VERIFICATION_UNAVAILABLE",
        "mapper_parsing_exception errors",
        "rand.Int63n panic",
        "2,147,483,647",
        "eslint-scope@3.7.2",
        // Synonyms: a word for a word, a word for a phrase, a phrase for words.
        "k8s oom",
        "out of memory db",
        "prod db failover",
        "behaviour of the lb",
        "\"out of memory\"",
    ] {
        cases.push(case(q, false));
    }
    for q in [
        "certif",
        "time",
        "data",
        "conn",
        "rollb",
        "ca",
        "dns fail",
        "severity:sev2 lat",
        "\"error rate\" pea",
        "k8s oo",
        "db fail",
    ] {
        cases.push(case(q, true));
    }
    cases
}

#[test]
fn the_browser_client_ranks_exactly_as_tantivy_on_generated_postmortems() {
    let site = generated_site(300);
    let built = site.build(&[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = site.root().join("public");
    let mut cases = fixed_cases();
    // Every word of some documents' titles, alone and in pairs, as typed and as prefixes.
    let index = index_of(site.root());
    for (i, d) in index.docs.iter().enumerate().step_by(7).take(40) {
        let words: Vec<&str> = d.title.split_whitespace().collect();
        cases.push(case(&d.title, false));
        if let Some(w) = words.get(i % words.len().max(1)) {
            cases.push(case(w, false));
            let p: String = w.chars().take(4).collect();
            cases.push(case(&p, true));
        }
        if words.len() >= 2 {
            cases.push(case(&format!("\"{} {}\"", words[0], words[1]), false));
        }
    }
    let n = compare(site.root(), &out, &cases);
    assert!(n >= 100, "{n} queries compared");
}

#[test]
fn the_browser_client_ranks_exactly_as_tantivy_on_real_postmortems() {
    if real_corpus("the_browser_client_ranks_exactly_as_tantivy_on_real_postmortems").is_none() {
        return;
    }
    let root = repo().join("tests/fixtures/public-postmortems");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let r = pmarchive(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--today",
        "2025-11-30",
        "--quiet",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let mut cases = fixed_cases();
    for q in [
        "handshake timeout lock service",
        "leap second",
        "BGP route leak",
        "power loss data center",
        "\"human error\"",
        "factor:cascading-failure",
        "service:github mysql",
        "kubernetes",
        "kube",
        "certificate expiration firefox",
    ] {
        cases.push(case(q, false));
        cases.push(case(q, true));
    }
    compare(&root, &out, &cases);
}

#[test]
fn the_client_stemmer_matches_tantivy_on_every_word_of_the_corpus() {
    if real_corpus("the_client_stemmer_matches_tantivy_on_every_word_of_the_corpus").is_none() {
        return;
    }
    let Some(node) = node() else {
        panic!("node is required");
    };
    let root = repo().join("tests/fixtures/public-postmortems");
    let index = index_of(&root);
    let mut words: Vec<&String> = index.surface.keys().collect();
    // Plus the stop words' neighbours and tricky Porter2 cases.
    let extra: Vec<String> = [
        "generously",
        "communication",
        "arsenal",
        "skies",
        "dying",
        "news",
        "proceed",
        "succeeded",
        "hoped",
        "hopping",
        "agreed",
        "feed",
        "cries",
        "ties",
        "gas",
        "gaps",
        "happy",
        "sky",
        "crying",
        "abilities",
        "controlling",
        "relational",
        "conditional",
        "electrical",
        "hopefulness",
        "formalize",
        "adjustable",
        "replacement",
        "adoption",
        "rate",
        "roll",
        "yelling",
        "sayings",
        "by",
        "bye",
        "ow",
        "ugly",
        "earring",
        "outing",
        "fluently",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    words.extend(extra.iter());
    let json = serde_json::to_vec(&words).unwrap();
    let mut child = Command::new(node)
        .arg(repo().join("tests/node/stem-words.mjs"))
        .arg(repo().join("src/search/pmsearch.js"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&json).unwrap();
    let out = child.wait_with_output().unwrap();
    let stems: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    let mut an = pmarchive::search::analyzer::analyzer();
    let mut mismatches = Vec::new();
    for (w, s) in words.iter().zip(&stems) {
        let want = pmarchive::search::analyzer::terms(&mut an, w);
        if let Some(want) = want.first() {
            if want != s {
                mismatches.push(format!("{w}: tantivy {want}, client {s}"));
            }
        }
    }
    assert!(words.len() > 3000, "{} words", words.len());
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// `pmarchive search --root ROOT --json ARGS...`, which must succeed: its hits.
fn search_json(root: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["search", "--root", root.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    let out = pmarchive(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn search_command_prints_json_best_first() {
    if real_corpus("search_command_prints_json_best_first").is_none() {
        return;
    }
    let root = repo().join("tests/fixtures/public-postmortems");
    let hits = search_json(&root, &["--limit", "5", "certificate", "expired"]);
    assert_eq!(hits.len(), 5);
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for h in &hits {
        for k in ["id", "title", "url", "score"] {
            assert!(h.get(k).is_some());
        }
    }
    assert!(hits[0]["title"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("certificate"));
}

#[test]
fn a_pasted_identifier_finds_the_postmortem_that_holds_it_first() {
    // The example archive: the only postmortem with `PAYMENT_VERIFICATION_UNAVAILABLE` in its
    // text ranked third, below two that merely say "payment" and "unavailable".
    let root = repo();
    for query in [
        "PAYMENT_VERIFICATION_UNAVAILABLE",
        "checkout PAYMENT_VERIFICATION_UNAVAILABLE errors",
    ] {
        let hits = search_json(&root, &["--limit", "3", query]);
        assert_eq!(
            hits[0]["id"], "2025-02-03-checkout-errors-after-fraud-check-deploy",
            "{query}: {hits:?}"
        );
    }
}

#[test]
fn an_archive_adds_its_own_synonyms_and_may_drop_the_built_in_ones() {
    let site = Site::empty();
    site.write(
        "content/2024/a.md",
        "+++\ntitle = \"Ledger writes stall\"\ndate = 2024-03-01\nseverity = \"SEV2\"\nsummary = \"The payments platform stalled when its Kubernetes nodes ran out of memory.\"\n+++\n## Summary\n\nThe payments platform stalled.\n",
    );
    site.write(
        "content/2024/b.md",
        "+++\ntitle = \"Search is slow\"\ndate = 2024-04-01\nseverity = \"SEV3\"\nsummary = \"Queries were slow.\"\n+++\n## Summary\n\nQueries were slow.\n",
    );
    let search = |q: &str| -> Vec<String> {
        search_json(site.root(), &[q])
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Built in: `k8s` and `oom` find what says "Kubernetes" and "out of memory".
    assert_eq!(search("k8s"), ["a"]);
    assert_eq!(search("oom"), ["a"]);
    assert!(search("pay").is_empty());
    site.write(
        "pmarchive.toml",
        "[search]\nsynonyms = [[\"pay\", \"payments platform\"]]\nbuiltin_synonyms = false\n",
    );
    assert_eq!(search("pay"), ["a"]);
    assert!(search("k8s").is_empty());
    // A typo in the table is a located error, like every other setting.
    site.write("pmarchive.toml", "[search]\nsynonym = []\n");
    let out = pmarchive(&["search", "--root", site.root().to_str().unwrap(), "x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pmarchive.toml:2:1"), "{err}");
}

/// Runs `queries` through the client of the site built in `out` (tests/node/run-queries.mjs).
fn run_client(out: &Path, queries: &[&str]) -> std::process::Output {
    let node = node().expect("node is required for the search client tests");
    let queries: Vec<serde_json::Value> = queries
        .iter()
        .map(|q| serde_json::json!({ "query": q, "limit": 20 }))
        .collect();
    let qfile = out.join("queries.json");
    std::fs::write(&qfile, serde_json::to_vec(&queries).unwrap()).unwrap();
    Command::new(node)
        .arg(repo().join("tests/node/run-queries.mjs"))
        .arg(out)
        .arg(&qfile)
        .output()
        .unwrap()
}

fn client_totals(out: &Path, queries: &[&str]) -> Vec<serde_json::Value> {
    let run = run_client(out, queries);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

#[test]
fn the_browser_client_takes_the_facets_and_the_format_version_from_the_manifest() {
    // The client had its own copy of the facet list and of the format version.
    let site = Site::example();
    site.build_ok(&[]);
    let out = site.root().join("public");
    let path = out.join("search/manifest.gz");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap()),
        &mut text,
    )
    .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let before = client_totals(&out, &["tag:batch", "tag batch"]);
    let (filtered, text_total) = (&before[0]["total"], &before[1]["total"]);
    assert_ne!(filtered, text_total, "the filter and the words differ here");
    assert!(before[0]["facets"]["tag"].is_array());

    // A manifest whose tag facet is called `label`: `label:` filters, `tag:` is two words.
    let mut renamed = manifest.clone();
    let facets = renamed["facets"].as_array_mut().unwrap();
    let tag = facets.iter().position(|f| f == "tag").unwrap();
    facets[tag] = "label".into();
    // Plain JSON: the client decompresses only what is gzipped.
    std::fs::write(&path, serde_json::to_vec(&renamed).unwrap()).unwrap();
    let after = client_totals(&out, &["label:batch", "tag:batch"]);
    assert_eq!(&after[0]["total"], filtered, "label: filters as tag: did");
    assert_eq!(&after[1]["total"], text_total, "tag: is no facet now");
    assert!(after[0]["facets"]["label"].is_array());
    assert!(after[0]["facets"].get("tag").is_none());

    // A manifest of another format version is refused, naming both versions.
    let mut newer = manifest.clone();
    let version = manifest["version"].as_u64().unwrap();
    newer["version"] = (version + 1).into();
    std::fs::write(&path, serde_json::to_vec(&newer).unwrap()).unwrap();
    let run = run_client(&out, &["batch"]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "index format {}, client reads {version}",
            version + 1
        )),
        "{stderr}"
    );
}
