#!/usr/bin/env python3
"""Judges the similar-incident lists of a built site against bench/gen-archive.py's hidden classes.

Usage: similar_eval.py SITE_DIR CLASSES_TSV [--json]

Reads SITE_DIR/api/postmortems.json (the lists exactly as the pages show them) and the
generator's ground truth (id<TAB>class). Reports, over published postmortems:
- precision@5: of the first five links of each non-empty list, the share in the same class
  (the figure the issue compares with Hugo's related content);
- strict precision@5: same-class links in the first five over min(5, same-class incidents
  published), i.e. also counting links that should have been listed but were not;
- recall@5: same-class links in the first five over min(5, published class mates);
- coverage: share of postmortems with class mates that have a non-empty list;
- class purity and pairwise precision / recall of the recurring classes (`cluster`).
"""
import collections
import json
import sys


def evaluate(site, tsv):
    truth = {}
    with open(tsv) as f:
        next(f)
        for line in f:
            pid, cls = line.rstrip("\n").split("\t")
            truth[pid] = cls
    pms = json.load(open(f"{site}/api/postmortems.json"))
    published = {p["id"] for p in pms}
    mates = collections.Counter(truth[p] for p in published)
    hits = shown = lists = 0
    strict_num = strict_den = 0
    with_mates = covered = 0
    for p in pms:
        pid = p["id"]
        links = [l["id"] for l in p["similar"]][:5]
        others = mates[truth[pid]] - 1
        good = sum(truth[t] == truth[pid] for t in links)
        if links:
            lists += 1
            shown += len(links)
            hits += good
        if others:
            with_mates += 1
            covered += bool(links)
            strict_num += good
            strict_den += min(5, others)
    # Recurring classes: pairwise precision and recall against the hidden classes.
    clusters = collections.defaultdict(list)
    for p in pms:
        if p["cluster"]:
            clusters[p["cluster"]].append(p["id"])
    same_pairs = sum(c * (c - 1) // 2 for c in mates.values())
    cl_pairs = cl_good = 0
    pure = 0
    for members in clusters.values():
        counts = collections.Counter(truth[m] for m in members)
        pure += counts.most_common(1)[0][1]
        cl_pairs += len(members) * (len(members) - 1) // 2
        cl_good += sum(c * (c - 1) // 2 for c in counts.values())
    in_clusters = sum(len(m) for m in clusters.values())
    return {
        "postmortems": len(pms),
        "precision_at_5": hits / shown if shown else None,
        "strict_precision_at_5": strict_num / strict_den if strict_den else None,
        "coverage": covered / with_mates if with_mates else None,
        "mean_links": shown / len(pms) if pms else 0,
        "lists": lists,
        "classes": len(clusters),
        "in_classes": in_clusters,
        "class_purity": pure / in_clusters if in_clusters else None,
        "class_pair_precision": cl_good / cl_pairs if cl_pairs else None,
        "class_pair_recall": cl_good / same_pairs if same_pairs else None,
    }


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    r = evaluate(sys.argv[1], sys.argv[2])
    if "--json" in sys.argv:
        print(json.dumps(r, indent=2))
    else:
        for k, v in r.items():
            print(f"{k:24} {v:.3f}" if isinstance(v, float) else f"{k:24} {v}")
