//! Search: the browser client, run in Node over an exported index, returns the same documents
//! in the same order with the same scores as tantivy, for many queries; and the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use pmarchive::testing::enrich;
use pmarchive::testing::Config;
use pmarchive::testing::SearchIndex;
use pmarchive::testing::{read_archive, Highlighter};

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
        let uncorrected = pmarchive::testing::parse_query(&c.query, c.prefix);
        let looked_up = !index.uncorrected(&uncorrected).is_empty();
        let q = index.parse(&c.query, c.prefix);
        let want = index.search(&q, 20).unwrap();
        let ctx = format!("query {:?} (prefix {})", c.query, c.prefix);
        assert_eq!(
            got["total"].as_u64().unwrap() as usize,
            want.total,
            "{ctx}: total"
        );
        // Typo correction, and how many results hold every word.
        let corrected = q.corrected(&c.query);
        assert_eq!(
            got["corrected"].as_str(),
            corrected.as_deref(),
            "{ctx}: corrected"
        );
        assert_eq!(
            got["words"].as_u64().unwrap() as usize,
            want.words,
            "{ctx}: words"
        );
        assert_eq!(
            got["allWords"].as_u64().unwrap() as usize,
            want.all_words,
            "{ctx}: all words"
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
            // The excerpt, and whether it holds every word, for the document the client shows.
            let shown = want.hits.iter().find(|x| x.doc == doc);
            assert_eq!(
                r["excerpt"].as_str().unwrap(),
                index.excerpt(doc, &q),
                "{ctx}: #{k} excerpt"
            );
            if let Some(shown) = shown {
                assert_eq!(r["allWords"], shown.all_words, "{ctx}: #{k} all words");
            }
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
        // Synonyms of several words are phrases: they read positions too; so do excluded
        // phrases and the phrases that stand for a word when counting who holds every word.
        let phrase = |m: &Vec<(usize, String)>| m.len() > 1;
        let positions = !q.phrases.is_empty()
            || index.synonyms.expand(&q.words).iter().any(phrase)
            || q.excluded.iter().any(phrase)
            || index.requirements(&q).iter().flatten().any(phrase);
        check_fetched(
            &q,
            positions,
            looked_up,
            got["files"].as_array().unwrap(),
            &ctx,
        );
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
/// positions only for a phrase, surface forms only for a prefix (or a word with no match: is it
/// a prefix?), vocabulary only for a word with no match, a facet's file only for a filter on it,
/// the passages of the results as byte ranges, each file or range once.
fn check_fetched(
    q: &pmarchive::testing::ParsedQuery,
    positions: bool,
    looked_up: bool,
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
            _ if f.starts_with("passages.bin#") => {}
            "p" => assert!(positions, "{ctx}: positions without a phrase"),
            "v" => assert!(looked_up, "{ctx}: vocabulary without a word to correct"),
            "s" => assert!(
                q.prefix.is_some() || looked_up,
                "{ctx}: surface forms without a prefix"
            ),
            "f" => {
                let i: usize = f[2..].trim_end_matches(".gz").parse().unwrap();
                let facet = pmarchive::testing::FACETS[i].0;
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
        // Typos corrected from the index's words; exclusions.
        "certifcate",
        "certifcate expird",
        "databse failover",
        "dns -ttl",
        "dns -\"ttl change\"",
        "timeout -\"read timed out\"",
        "-ttl",
        "factor:missing-timeout -retry",
        "timeout -retries -\"connection pool\"",
        "oom -kubernetes",
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
        "certifcat",
        "dns -tt",
        "failover databse",
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
    let (_tmp, out) = built_site(&root);
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
    let mut an = pmarchive::testing::analyzer();
    let mut mismatches = Vec::new();
    for (w, s) in words.iter().zip(&stems) {
        let want = pmarchive::testing::terms(&mut an, w);
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
    search_json_all(root, args)["hits"]
        .as_array()
        .unwrap()
        .clone()
}

/// `pmarchive search --root ROOT --json ARGS...`, which must succeed: all it prints.
fn search_json_all(root: &Path, args: &[&str]) -> serde_json::Value {
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

/// Postmortems in Russian and Japanese (Japanese words run together, without spaces).
fn multilingual_site() -> Site {
    let site = Site::empty();
    let doc = |title: &str, summary: &str, body: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = 2025-02-03\nseverity = \"SEV2\"\nsummary = \"{summary}\"\nservices = [\"checkout\"]\n+++\n## Summary\n\n{body}\n")
    };
    site.write(
        "content/ru.md",
        &doc(
            "Отказ платёжного шлюза",
            "Платёжный шлюз не отвечал, платежи не проходили.",
            "Сертификаты истекли; проверка отключена.",
        ),
    );
    site.write(
        "content/ja.md",
        &doc(
            "決済システム停止",
            "決済システムが停止しました。",
            "データベースの接続プールが枯渇しました。",
        ),
    );
    site.write(
        "content/en.md",
        &doc(
            "Payments gateway failure",
            "The payments gateway failed and certificates expired.",
            "Connection pool exhausted.",
        ),
    );
    site
}

#[test]
fn words_in_any_script_are_found_and_the_client_agrees() {
    let site = multilingual_site();
    let ids = |q: &[&str]| -> Vec<String> {
        search_json(site.root(), q)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Cyrillic, as written and in another case; Japanese words inside running text.
    assert_eq!(ids(&["шлюз"]), ["ru"]);
    assert_eq!(ids(&["ПЛАТЕЖИ"]), ["ru"]);
    assert_eq!(ids(&["сертификаты"]), ["ru"]);
    assert_eq!(ids(&["決済"]), ["ja"]);
    assert_eq!(ids(&["システム"]), ["ja"]);
    assert_eq!(ids(&["接続プール"]), ["ja"]);
    assert_eq!(ids(&["--prefix", "плат"]), ["ru"]);
    // English still stemmed.
    assert_eq!(ids(&["certificate"]), ["en"]);

    let built = site.build(&[]);
    assert!(built.status.success());
    let Some(_) = node() else {
        panic!("node is required for the search client tests (install Node.js 20+)");
    };
    let mut cases = Vec::new();
    for q in [
        "шлюз",
        "ПЛАТЕЖИ",
        "сертификаты истекли",
        "\"платёжный шлюз\"",
        "決済",
        "システム",
        "接続プール",
        "決済 gateway",
        "certificate",
    ] {
        cases.push(case(q, false));
    }
    for q in ["плат", "シス", "決"] {
        cases.push(case(q, true));
    }
    let n = compare(site.root(), &site.root().join("public"), &cases);
    assert!(n >= 12, "{n} queries compared");
}

#[test]
fn the_command_line_and_the_client_agree_on_corrections_exclusions_excerpts_and_all_words() {
    let Some(node) = node() else {
        panic!("node is required for the search client tests (install Node.js 20+)");
    };
    let root = repo();
    let (tmp, out) = built_site(&root);
    let queries = [
        "certifcate",
        "certifcate expird",
        "dns -ttl",
        "dns -\"ttl change\"",
        "dns resolver",
        "plan-diff bot",
        "payments webhook -certificate",
    ];
    let json: Vec<serde_json::Value> = queries
        .iter()
        .map(|q| serde_json::json!({ "query": q, "prefix": false, "limit": 10 }))
        .collect();
    let qfile = tmp.path().join("queries.json");
    std::fs::write(&qfile, serde_json::to_vec(&json).unwrap()).unwrap();
    let run = Command::new(&node)
        .arg(repo().join("tests/node/run-queries.mjs"))
        .arg(&out)
        .arg(&qfile)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let js: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout).unwrap();
    // A host that ignores byte ranges: the same answers, passages.bin fetched whole, once.
    let whole = Command::new(&node)
        .env("NO_RANGE", "1")
        .arg(repo().join("tests/node/run-queries.mjs"))
        .arg(&out)
        .arg(&qfile)
        .output()
        .unwrap();
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let whole: Vec<serde_json::Value> = serde_json::from_slice(&whole.stdout).unwrap();
    for (ranged, whole) in js.iter().zip(&whole) {
        assert_eq!(ranged["results"], whole["results"]);
        let files = whole["files"].as_array().unwrap();
        let passages: Vec<&str> = files
            .iter()
            .map(|f| f.as_str().unwrap())
            .filter(|f| f.starts_with("passages.bin"))
            .collect();
        let shown = !whole["results"].as_array().unwrap().is_empty();
        let want: &[&str] = if shown { &["passages.bin"] } else { &[] };
        assert_eq!(passages, want, "{files:?}");
    }
    for (query, client) in queries.iter().zip(&js) {
        let cli = search_json_all(&root, &["--limit", "10", query]);
        assert_eq!(cli["corrected"], client["corrected"], "{query}: corrected");
        assert_eq!(cli["total"], client["total"], "{query}: total");
        assert_eq!(cli["words"], client["words"], "{query}: words");
        assert_eq!(cli["all_words"], client["allWords"], "{query}: all words");
        let hits = cli["hits"].as_array().unwrap();
        let results = client["results"].as_array().unwrap();
        assert_eq!(hits.len(), results.len(), "{query}");
        for (h, r) in hits.iter().zip(results) {
            assert_eq!(h["id"], r["id"], "{query}");
            assert_eq!(
                h["excerpt"], r["excerpt"],
                "{query}: excerpt of {}",
                h["id"]
            );
            assert_eq!(
                h["all_words"], r["allWords"],
                "{query}: all words of {}",
                h["id"]
            );
        }
    }
    let cli = |q: &str| search_json_all(&root, &["--limit", "20", q]);
    // A typo is corrected from the archive's own words, and said so.
    let typo = cli("certifcate");
    assert_eq!(typo["corrected"], "certificate");
    assert_eq!(typo["corrections"][0]["from"], "certifcate");
    assert_eq!(typo["corrections"][0]["to"], "certificate");
    assert!(typo["total"].as_u64().unwrap() >= 2, "{typo}");
    // Exclusion: every postmortem about DNS also speaks of its TTL.
    assert!(cli("dns")["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == "2022-08-09-dns-ttl-change-strands-traffic"));
    assert_eq!(cli("dns -ttl")["total"], 0);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    let phrase = ids(&cli("dns -\"ttl change\""));
    assert_eq!(phrase, ["2024-06-18-dns-record-deleted-by-terraform"]);
    // The excerpt is the passage that matched: `diff` is not in that postmortem's summary.
    let body = cli("plan-diff bot");
    let first = &body["hits"][0];
    assert_eq!(first["id"], "2024-06-18-dns-record-deleted-by-terraform");
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .contains("<mark>diff</mark>"),
        "{first}"
    );
    // All words: counted, flagged, and the order is tantivy's (scores never increase).
    let some = cli("dns resolver");
    let hits = some["hits"].as_array().unwrap();
    let flagged = hits.iter().filter(|h| h["all_words"] == true).count();
    assert_eq!(some["all_words"], 2, "{some}");
    assert_eq!(flagged, 2);
    assert!(some["total"].as_u64().unwrap() > 2);
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

/// Builds the archive at `root` (as of 2025-11-30) into a temporary folder: the folder (kept
/// while it lives) and the site in it.
fn built_site(root: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
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
    (tmp, out)
}
