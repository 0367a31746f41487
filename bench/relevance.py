#!/usr/bin/env python3
"""Relevance on real postmortems: pmarchive's search and similar incidents against the textbook
baselines, on the same data, in one run.

    python3 bench/relevance.py [--bin target/release/pmarchive] [--synthetic 1000,10000]
                               [--boot 2000] [--out bench/results/relevance.md]
                               [--model DIR [--model-weight 0.4]]

Needs ../shared/corpus/public-postmortems beside the repository (118 real public postmortems,
GPL test data read in place, never copied), Python 3 with numpy, PyYAML and snowballstemmer
(`pip install numpy pyyaml snowballstemmer`).

Search: every query of bench/judgments.json through `pmarchive search --json --limit 10`
(tantivy; the browser client ranks identically, checked by tests and bench/ndcg.mjs), in plain
and in prefix mode (`--prefix`, as the search box runs it), against BM25 (k1 1.2, b 0.75,
tantivy's idf) with Porter2 stemming and Lucene's stop words over one field,
title + summary + body. nDCG@10 (gain 2^grade - 1) and recall@10 (documents of grade >= 1 in the
top 10 over all judged ones, at most 10).

Similar incidents: the lists exactly as the built site shows them (api/postmortems.json) against
bench/classes.json (incident classes by failure mechanism; an incident's similar incidents are
its class mates; duplicate write-ups of one incident are dropped from its lists and its truth),
over every incident with at least one class mate; against TF-IDF cosine nearest neighbours
(raw tf, smoothed idf, L2; same tokens) over title + summary + body. capped recall@5 = correct
in the first five / min(5, mates); P@5 = correct in the first five / 5; precision of the links
shown = correct / shown; linked = share of incidents with at least one correct link in the
first five.

Each difference (pmarchive - baseline) comes with a paired bootstrap 95% interval over the
queries or incidents. With --model (a sentence-embedding model folder, all-MiniLM-L6-v2: README,
"Semantic similarity"), similar incidents are also built with `[similar] model` set (its cache
kept in $TMPDIR/pmarchive-relevance-model between runs), and compared with the lists without it
(paired bootstrap of the difference); the synthetic archives are then built with the model too.
With --synthetic, the synthetic precision@5 of similar-bench (bench/gen-archive.py
archives with hidden classes, --seed 42) is measured too, at the sizes given.
"""
import argparse
import collections
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import snowballstemmer
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ROOT = os.path.join(REPO, "tests/fixtures/public-postmortems")
CORPUS = os.path.join(REPO, "../shared/corpus/public-postmortems")
TODAY = "2025-11-30"
K = 10

STOP = set(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_stem = snowballstemmer.stemmer("english")
_tok = re.compile(r"[^\W_]+", re.UNICODE)


def analyse(text):
    """tantivy's SimpleTokenizer, long tokens removed, lowercased, stop words, Porter2."""
    toks = [t.lower() for t in _tok.findall(text) if len(t.encode()) < 40]
    return _stem.stemWords([t for t in toks if t not in STOP])


def load_corpus():
    docs = {}
    for name in sorted(os.listdir(CORPUS)):
        if not name.endswith(".md"):
            continue
        raw = open(os.path.join(CORPUS, name), encoding="utf-8").read()
        _, fm, body = raw.split("---", 2)
        meta = yaml.safe_load(fm) or {}
        title = meta.get("title") or f"{meta.get('company', '')} {meta.get('product', '')} incident"
        docs[meta["uuid"]] = {"title": str(title), "summary": str(meta.get("summary") or ""), "body": body}
    return docs


def text_of(d):
    return "\n".join([d["title"], d["summary"], d["body"]])


class BM25:
    def __init__(self, docs, k1=1.2, b=0.75):
        self.ids = list(docs)
        self.tf = [collections.Counter(analyse(text_of(docs[i]))) for i in self.ids]
        self.len = [sum(c.values()) for c in self.tf]
        self.avg = sum(self.len) / len(self.len)
        self.df = collections.Counter(t for c in self.tf for t in c)
        self.n = len(self.ids)
        self.k1, self.b = k1, b

    def search(self, query, k=K):
        terms = list(dict.fromkeys(analyse(query)))
        scores = []
        for j, c in enumerate(self.tf):
            s = 0.0
            for t in terms:
                f = c.get(t)
                if not f:
                    continue
                idf = math.log(1 + (self.n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                s += idf * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[j] / self.avg))
            if s > 0:
                scores.append((-s, j))
        scores.sort()
        return [self.ids[j] for _, j in scores[:k]]


def tfidf_neighbours(docs, k=5):
    ids = list(docs)
    tfs = [collections.Counter(analyse(text_of(docs[i]))) for i in ids]
    vocab = {t: n for n, t in enumerate(sorted({t for c in tfs for t in c}))}
    df = np.zeros(len(vocab))
    for c in tfs:
        for t in c:
            df[vocab[t]] += 1
    idf = np.log((1 + len(ids)) / (1 + df)) + 1
    m = np.zeros((len(ids), len(vocab)))
    for r, c in enumerate(tfs):
        for t, f in c.items():
            m[r, vocab[t]] = f * idf[vocab[t]]
    m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
    sim = m @ m.T
    out = {}
    for r, i in enumerate(ids):
        order = np.argsort(-sim[r], kind="stable")
        out[i] = [ids[j] for j in order if j != r][: k + 4]
    return out


def dcg(grades):
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


def search_measures(ranked, relevant):
    grades = [relevant.get(i, 0) for i in ranked[:K]]
    ideal = dcg(sorted(relevant.values(), reverse=True))
    ndcg = dcg(grades) / ideal if ideal else 0.0
    judged = [i for i, g in relevant.items() if g > 0]
    recall = sum(1 for i in ranked[:K] if relevant.get(i, 0) > 0) / min(K, len(judged))
    return ndcg, recall


def bootstrap(a, b, boot, seed=7):
    """Mean of a - b and the paired bootstrap 95% interval."""
    d = np.array(a) - np.array(b)
    rng = random.Random(seed)
    n = len(d)
    means = sorted(float(np.mean([d[rng.randrange(n)] for _ in range(n)])) for _ in range(boot))
    return float(np.mean(d)), means[int(0.025 * boot)], means[int(0.975 * boot) - 1]


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def pm_search(binary, query, prefix):
    args = [binary, "search", "--root", ROOT, "--json", "--limit", str(K)]
    if prefix:
        args.append("--prefix")
    return [r["id"] for r in json.loads(run(args + ["--", query]).stdout)["hits"]]


def truth_of(classes):
    mates = collections.defaultdict(set)
    for c in classes["classes"]:
        for m in c["members"]:
            mates[m].update(x for x in c["members"] if x != m)
    dup = collections.defaultdict(set)
    for a, b in classes.get("duplicates", []):
        dup[a].add(b)
        dup[b].add(a)
    return {i: s - dup[i] for i, s in mates.items() if s - dup[i]}, dup


def similar_measures(lists, truth, dup):
    """Per incident: (capped recall@5, P@5, correct, shown, linked)."""
    out = {}
    for i, rel in truth.items():
        shown = [x for x in lists.get(i, []) if x != i and x not in dup[i]][:5]
        good = sum(1 for x in shown if x in rel)
        out[i] = (good / min(5, len(rel)), good / 5, good, len(shown), 1.0 if good else 0.0)
    return out


def model_config(model, weight, extra=""):
    """A configuration file naming `model`, kept (with the embedding cache beside it) between
    runs; `extra` is the configuration it extends (the fixture's, for the real corpus)."""
    work = os.path.join(tempfile.gettempdir(), "pmarchive-relevance-model")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "real.toml" if extra else "synthetic.toml")
    with open(path, "w") as f:
        f.write(extra + f'\n[similar]\nmodel = "{os.path.abspath(model)}"\nmodel_weight = {weight}\n')
    return path


def similar_lists(binary, site, config=None):
    """The similar-incident lists of the real corpus as the built site shows them."""
    args = [binary, "build", "--root", ROOT, "--output", site, "--today", TODAY, "--quiet"]
    if config:
        args += ["--config", config]
    run(args)
    pms = json.load(open(os.path.join(site, "api/postmortems.json")))
    return pms, {p["id"]: [s["id"] for s in p["similar"]] for p in pms}


def synthetic(binary, sizes, config=None):
    gen = os.path.join(HERE, "gen-archive.py")
    sys.path.insert(0, HERE)
    import similar_eval  # noqa: E402

    rows = []
    work = os.path.join(tempfile.gettempdir(), "pmarchive-relevance-synthetic")
    os.makedirs(work, exist_ok=True)
    for n in sizes:
        root = os.path.join(work, f"archive-{n}")
        if not os.path.exists(os.path.join(root, "content.classes.tsv")):
            shutil.rmtree(root, ignore_errors=True)
            os.makedirs(root)
            run([sys.executable, gen, "--count", str(n), "--seed", "42", "--out", os.path.join(root, "content"), "--quiet"])
        site = os.path.join(work, f"site-{n}")
        args = [binary, "build", "--root", root, "--output", site, "--today", TODAY, "--quiet"]
        if config:
            args += ["--config", config]
        run(args)
        ev = similar_eval.evaluate(site, os.path.join(root, "content.classes.tsv"))
        rows.append((n, ev))
        shutil.rmtree(site, ignore_errors=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "target/release/pmarchive"))
    ap.add_argument("--boot", type=int, default=2000)
    ap.add_argument("--synthetic", default="", help="comma-separated sizes, e.g. 1000,10000")
    ap.add_argument("--out", default=os.path.join(HERE, "results/relevance.md"))
    ap.add_argument("--json", help="also write per-query and per-incident figures here")
    ap.add_argument("--model", help="a sentence-embedding model folder: similar incidents with and without it")
    ap.add_argument("--model-weight", type=float, default=0.4, help="[similar] model_weight with --model")
    a = ap.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"needs {CORPUS} beside the repository")
    tmp = tempfile.mkdtemp(prefix="pmarchive-relevance-")
    binary = os.path.join(tmp, "pmarchive")
    shutil.copy(a.bin, binary)  # a rebuild of target/ during the run cannot mix two versions
    digest = run(["sha256sum", binary]).stdout[:12]
    t0 = time.time()
    try:
        docs = load_corpus()
        judg = json.load(open(os.path.join(HERE, "judgments.json")))
        classes = json.load(open(os.path.join(HERE, "classes.json")))

        # Search.
        bm25 = BM25(docs)
        per_query = []
        for q in judg["queries"]:
            rel = q["relevant"]
            pm = pm_search(binary, q["query"], False)
            pmp = pm_search(binary, q["query"], True)
            base = bm25.search(q["query"])
            per_query.append({
                "query": q["query"], "kind": q.get("kind", ""),
                "pm": search_measures(pm, rel), "prefix": search_measures(pmp, rel),
                "bm25": search_measures(base, rel),
                "first_rel": {name: next((r + 1 for r, i in enumerate(lst) if rel.get(i, 0) == 2), None)
                              for name, lst in (("pm", pm), ("bm25", base))},
            })

        # Similar incidents.
        pms, lists = similar_lists(binary, os.path.join(tmp, "site"))
        truth, dup = truth_of(classes)
        pm_sim = similar_measures(lists, truth, dup)
        base_sim = similar_measures(tfidf_neighbours(docs), truth, dup)
        model_sim, model_pms = None, None
        if a.model:
            fixture = open(os.path.join(ROOT, "pmarchive.toml")).read()
            real = model_config(a.model, a.model_weight, fixture)
            model_pms, model_lists = similar_lists(binary, os.path.join(tmp, "site-model"), real)
            model_sim = similar_measures(model_lists, truth, dup)
        sizes = [int(s) for s in a.synthetic.split(",") if s]
        synth = synthetic(binary, sizes) if sizes else []
        synth_model = synthetic(binary, sizes, model_config(a.model, a.model_weight)) if sizes and a.model else []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lines = []
    p = lines.append
    p("# Relevance on real postmortems")
    p("")
    flags = (' --synthetic ' + a.synthetic if a.synthetic else '') + (
        f' --model {a.model} --model-weight {a.model_weight}' if a.model else '')
    p(f"`python3 bench/relevance.py{flags}`, "
      f"{time.strftime('%Y-%m-%d', time.gmtime())}, pmarchive {digest}, {os.cpu_count()} cores, "
      f"{time.time() - t0:.0f} s, load at end: {' '.join(open('/proc/loadavg').read().split()[:3])}.")
    p(f"{len(docs)} real public postmortems (`../shared/corpus/public-postmortems`), "
      f"{len(per_query)} judged queries (`bench/judgments.json`), {len(truth)} incidents with "
      f"class mates in {len(classes['classes'])} classes (`bench/classes.json`). "
      f"Paired bootstrap ({a.boot} resamples) 95% interval of each difference.")
    p("")
    p("## Search")
    p("")
    p("| measure | pmarchive | pmarchive, prefix mode | BM25 one field | difference (interval) |")
    p("| --- | ---: | ---: | ---: | --- |")
    for k, name in ((0, "nDCG@10"), (1, "recall@10")):
        pmv = [r["pm"][k] for r in per_query]
        pxv = [r["prefix"][k] for r in per_query]
        bv = [r["bm25"][k] for r in per_query]
        d, lo, hi = bootstrap(pmv, bv, a.boot)
        p(f"| {name} | {np.mean(pmv):.3f} | {np.mean(pxv):.3f} | {np.mean(bv):.3f} | {d:+.3f} ({lo:+.3f} to {hi:+.3f}) |")
    p("")
    p("By kind of query (nDCG@10):")
    p("")
    p("| kind | queries | pmarchive | BM25 one field |")
    p("| --- | ---: | ---: | ---: |")
    for kind in sorted({r["kind"] for r in per_query}):
        rs = [r for r in per_query if r["kind"] == kind]
        p(f"| {kind or '-'} | {len(rs)} | {np.mean([r['pm'][0] for r in rs]):.3f} | {np.mean([r['bm25'][0] for r in rs]):.3f} |")
    ident = [r for r in per_query if r["kind"] == "identifier"]
    if ident:
        first = sum(1 for r in ident if r["first_rel"]["pm"] == 1)
        bfirst = sum(1 for r in ident if r["first_rel"]["bm25"] == 1)
        p("")
        p(f"Identifier queries whose document (grade 2) ranks first: pmarchive {first} of {len(ident)}, "
          f"BM25 {bfirst} of {len(ident)}.")
    p("")
    p("Per query (nDCG@10; rank of the first grade-2 document):")
    p("")
    p("| query | kind | pmarchive | BM25 | first (pm / BM25) |")
    p("| --- | --- | ---: | ---: | --- |")
    for r in per_query:
        f = r["first_rel"]
        p(f"| {r['query']} | {r['kind']} | {r['pm'][0]:.3f} | {r['bm25'][0]:.3f} | {f['pm'] or '-'} / {f['bm25'] or '-'} |")
    p("")
    p("## Similar incidents")
    p("")
    p("| measure | pmarchive | TF-IDF neighbours | difference (interval) |")
    p("| --- | ---: | ---: | --- |")
    ids = sorted(truth)
    for k, name in ((0, "capped recall@5"), (1, "P@5"), (4, "incidents with a correct link")):
        pv = [pm_sim[i][k] for i in ids]
        bv = [base_sim[i][k] for i in ids]
        d, lo, hi = bootstrap(pv, bv, a.boot)
        p(f"| {name} | {np.mean(pv):.3f} | {np.mean(bv):.3f} | {d:+.3f} ({lo:+.3f} to {hi:+.3f}) |")
    shown = sum(pm_sim[i][3] for i in ids)
    good = sum(pm_sim[i][2] for i in ids)
    bshown = sum(base_sim[i][3] for i in ids)
    bgood = sum(base_sim[i][2] for i in ids)
    p(f"| precision of the links shown | {good / max(shown, 1):.3f} | {bgood / max(bshown, 1):.3f} | |")
    p(f"| links shown per incident | {shown / len(ids):.2f} | {bshown / len(ids):.2f} | |")
    empty = sum(1 for p_ in pms if not [s for s in p_["similar"] if s["id"] not in dup[p_["id"]]])
    p(f"| incidents with no link (of {len(pms)}) | {empty} | 0 | |")
    if model_sim:
        p("")
        p(f"### With the sentence-embedding model (`[similar] model`, model_weight {a.model_weight})")
        p("")
        p("| measure | with the model | without | difference (interval) | TF-IDF neighbours | with the model - TF-IDF (interval) |")
        p("| --- | ---: | ---: | --- | ---: | --- |")
        for k, name in ((0, "capped recall@5"), (1, "P@5"), (4, "incidents with a correct link")):
            mv = [model_sim[i][k] for i in ids]
            pv = [pm_sim[i][k] for i in ids]
            bv = [base_sim[i][k] for i in ids]
            d, lo, hi = bootstrap(mv, pv, a.boot)
            d2, lo2, hi2 = bootstrap(mv, bv, a.boot)
            p(f"| {name} | {np.mean(mv):.3f} | {np.mean(pv):.3f} | {d:+.3f} ({lo:+.3f} to {hi:+.3f}) | "
              f"{np.mean(bv):.3f} | {d2:+.3f} ({lo2:+.3f} to {hi2:+.3f}) |")
        mshown = sum(model_sim[i][3] for i in ids)
        mgood = sum(model_sim[i][2] for i in ids)
        p(f"| precision of the links shown | {mgood / max(mshown, 1):.3f} | {good / max(shown, 1):.3f} | | | |")
        p(f"| links shown per incident | {mshown / len(ids):.2f} | {shown / len(ids):.2f} | | | |")
        mempty = sum(1 for p_ in model_pms if not [s for s in p_["similar"] if s["id"] not in dup[p_["id"]]])
        p(f"| incidents with no link (of {len(model_pms)}) | {mempty} | {empty} | | | |")
    if synth:
        p("")
        p("## Synthetic archives (second check)")
        p("")
        p("| postmortems | precision@5 | strict precision@5 | links per incident |")
        p("| ---: | ---: | ---: | ---: |")
        for n, ev in synth:
            p(f"| {n:,} | {ev['precision_at_5']:.3f} | {ev['strict_precision_at_5']:.3f} | {ev['mean_links']:.2f} |")
        for n, ev in synth_model:
            p(f"| {n:,}, with the model | {ev['precision_at_5']:.3f} | {ev['strict_precision_at_5']:.3f} | {ev['mean_links']:.2f} |")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    open(a.out, "w").write(text)
    if a.json:
        json.dump({"queries": per_query, "similar": {i: {"pm": pm_sim[i], "tfidf": base_sim[i],
                                                        "model": model_sim[i] if model_sim else None} for i in ids}},
                  open(a.json, "w"), indent=1)
    print(text)


if __name__ == "__main__":
    main()
