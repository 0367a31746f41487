#!/usr/bin/env python3
"""Report of bench/build-bench.sh: medians (min-max) per count and tool, ratios to Hugo, goals.

    build_report.py RUNS.tsv --command ... --started ... --pmarchive-sha256 ... [...]

RUNS.tsv has one row per build: count, tool, run, wall_s, user_s, sys_s, max_rss_kb,
file_bytes, du_bytes, files, postmortem_pages. Prints Markdown.
"""
import argparse
import csv
import statistics
import sys

MB = 1024 * 1024
GB_MB = 1024  # goal thresholds: 1 GB = 1024 MB (GiB), as /usr/bin/time reports KiB

# Issue #9's goals for pmarchive (whole build, peak memory).
GOALS = {10000: (5.0, 1.0), 50000: (30.0, 4.0)}
SCALING = (10000, 50000, 1.3)

# Issue #9's reference figures for Hugo on the same kind of archive (not measured here).
HUGO_REFERENCE = [
    ("10,000", "pages alone", "5 s", "1.8 GB"),
    ("10,000", "with related content", "29 s", "2.4 GB"),
    ("50,000", "pages alone", "31 s", "8.7 GB"),
    ("50,000", "with related content", "28 min", "11.8 GB"),
]

TOOL_ORDER = ["pmarchive", "hugo", "hugo-related"]
TOOL_NAME = {"pmarchive": "pmarchive", "hugo": "Hugo", "hugo-related": "Hugo + related"}


def load(path):
    rows = []
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            wall, user, sys_ = float(r["wall_s"]), float(r["user_s"]), float(r["sys_s"])
            rows.append({
                "count": int(r["count"]), "tool": r["tool"], "run": int(r["run"]),
                "wall": wall, "cpu": user + sys_, "user": user, "sys": sys_,
                "rss_mb": int(r["max_rss_kb"]) / 1024,
                "out_mb": int(r["file_bytes"]) / MB, "du_mb": int(r["du_bytes"]) / MB,
                "files": int(r["files"]), "pages": int(r["postmortem_pages"]),
                "status": r.get("status") or "ok",
            })
    return rows


def summarise(rows):
    """{(count, tool): {metric: (median, min, max)}, 'runs', 'failed'} over the runs that succeeded"""
    groups = {}
    for r in rows:
        groups.setdefault((r["count"], r["tool"]), []).append(r)
    out = {}
    for key, all_rs in groups.items():
        rs = [r for r in all_rs if r["status"] == "ok"]
        failed = [r for r in all_rs if r["status"] != "ok"]
        s = {"runs": len(rs), "failed": failed}
        if not rs:
            out[key] = s
            continue
        for m in ("wall", "cpu", "rss_mb", "out_mb", "du_mb", "files"):
            vals = [r[m] for r in rs]
            s[m] = (statistics.median(vals), min(vals), max(vals))
        s["us_per_pm"] = tuple(v / key[0] * 1e6 for v in s["wall"])
        s["cpu_us_per_pm"] = tuple(v / key[0] * 1e6 for v in s["cpu"])
        out[key] = s
    return out


def failed_text(x):
    f = x["failed"]
    return "; ".join(f"run {r['run']} failed ({r['status']}, after {r['wall']:.0f} s, peak {r['rss_mb']:.0f} MB)" for r in f)


def cell(t, fmt):
    med, lo, hi = (fmt.format(v) for v in t)
    return med if lo == hi else f"{med} ({lo}–{hi})"


def ratio(a, b):
    return "–" if not b else f"{a / b:.2f}×"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs_tsv")
    for opt in ("command", "started", "pmarchive-sha256", "pmarchive-path", "repo-head",
                "hugo-version", "nproc", "cpu", "mem-kb", "load"):
        ap.add_argument("--" + opt, default="")
    a = ap.parse_args()
    rows = load(a.runs_tsv)
    if not rows:
        sys.exit("no runs")
    s = summarise(rows)
    counts = sorted({k[0] for k in s})
    tools = [t for t in TOOL_ORDER if any(k[1] == t for k in s)]
    load_start, _, load_end = a.load.partition("|")
    mem_gb = int(a.mem_kb or 0) / 1024 / 1024

    p = print
    p("# Whole build: pmarchive against Hugo")
    p()
    p(f"`{a.command}`, started {a.started}.")
    p()
    p(f"- Machine: {a.nproc} cores ({a.cpu}), {mem_gb:.0f} GB memory; load average "
      f"{load_start} at the start, {load_end} at the end (the machine may be shared: compare "
      "times only between runs made under the same load; sizes do not depend on it).")
    try:
        busy = max(float(load_start.split()[0]), float(load_end.split()[0])) > int(a.nproc)
    except (ValueError, IndexError):
        busy = False
    if busy:
        p(f"- **The load average exceeded the {a.nproc} cores**: wall times include waiting for a "
          "core and are inflated; CPU times are the steadier comparison.")
    p(f"- pmarchive: sha256 `{a.pmarchive_sha256}` (copied from `{a.pmarchive_path}` before the "
      f"first build; repository at `{a.repo_head}`).")
    p(f"- Hugo: `{a.hugo_version.strip()}`.")
    p("- Archives: `bench/gen-archive.py --count N --seed 42`. Every build writes a fresh output folder; "
      "the tools take turns in each round. Medians over the runs, (min–max) when they differ.")
    p()
    p("| postmortems | tool | runs | wall s | CPU s (user+sys) | peak RSS MB | output MB | files | µs per postmortem (wall) |")
    p("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in counts:
        for t in tools:
            x = s.get((n, t))
            if not x:
                continue
            if not x["runs"]:
                p(f"| {n:,} | {TOOL_NAME[t]} | 0 | {failed_text(x)} | | | | | |")
                continue
            runs = f"{x['runs']}" + (f" ({len(x['failed'])} failed)" if x["failed"] else "")
            p(f"| {n:,} | {TOOL_NAME[t]} | {runs} | {cell(x['wall'], '{:.2f}')} | "
              f"{cell(x['cpu'], '{:.2f}')} | {cell(x['rss_mb'], '{:.0f}')} | "
              f"{cell(x['out_mb'], '{:.1f}')} | {cell(x['files'], '{:,.0f}')} | "
              f"{cell(x['us_per_pm'], '{:.0f}')} |")
    p()

    hugos = [t for t in tools if t != "pmarchive"]
    ratio_rows = []
    for n in counts:
        pm = s.get((n, "pmarchive"))
        for h in hugos:
            hx = s.get((n, h))
            if not pm or not hx or not pm["runs"] or not hx["runs"]:
                continue
            ratio_rows.append(
                f"| {n:,} | {TOOL_NAME[h]} | {ratio(pm['wall'][0], hx['wall'][0])} | "
                f"{ratio(pm['cpu'][0], hx['cpu'][0])} | {ratio(pm['rss_mb'][0], hx['rss_mb'][0])} | "
                f"{ratio(pm['out_mb'][0], hx['out_mb'][0])} | {ratio(pm['files'][0], hx['files'][0])} |")
    if ratio_rows:
        p("Ratios pmarchive / Hugo (medians; below 1× means pmarchive is faster, smaller or "
          "leaner):")
        p()
        p("| postmortems | against | wall | CPU | peak RSS | output size | files |")
        p("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        for r in ratio_rows:
            p(r)
        p()

    if "pmarchive" in tools:
        p("Issue #9's goals for pmarchive (medians; 1 GB = 1024 MB):")
        p()
        p("| goal | measured | |")
        p("| --- | --- | --- |")
        for n, (wall_goal, gb_goal) in GOALS.items():
            pm = s.get((n, "pmarchive"))
            if not pm:
                p(f"| {n:,}: wall ≤ {wall_goal:g} s, peak ≤ {gb_goal:g} GB | not measured | – |")
                continue
            if not pm["runs"]:
                p(f"| {n:,}: wall ≤ {wall_goal:g} s, peak ≤ {gb_goal:g} GB | {failed_text(pm)} | **missed** |")
                continue
            w, m = pm["wall"][0], pm["rss_mb"][0]
            bad = f"**missed** ({len(pm['failed'])} run(s) failed)" if pm["failed"] else "**missed**"
            p(f"| {n:,}: wall ≤ {wall_goal:g} s | {w:.2f} s | {'met' if w <= wall_goal and not pm['failed'] else bad} |")
            p(f"| {n:,}: peak ≤ {gb_goal:g} GB | {m / GB_MB:.2f} GB ({m:.0f} MB) | "
              f"{'met' if m <= gb_goal * GB_MB and not pm['failed'] else bad} |")
        lo, hi, limit = SCALING
        a_, b_ = s.get((lo, "pmarchive")), s.get((hi, "pmarchive"))
        goal = f"wall per postmortem at {hi:,} ≤ {limit:g}× that at {lo:,}"
        if a_ and b_ and (not a_["runs"] or not b_["runs"]):
            p(f"| {goal} | a build failed | **missed** |")
        elif a_ and b_:
            r = b_["us_per_pm"][0] / a_["us_per_pm"][0]
            rc = b_["cpu_us_per_pm"][0] / a_["cpu_us_per_pm"][0]
            p(f"| {goal} | {b_['us_per_pm'][0]:.0f} µs / {a_['us_per_pm'][0]:.0f} µs = {r:.2f}× "
              f"(CPU: {rc:.2f}×) | {'met' if r <= limit else '**missed**'} |")
        else:
            p(f"| {goal} | not measured | – |")
        p()

    p("Hugo reference figures quoted in issue #9 (another machine and setup, for orientation):")
    p()
    p("| postmortems | Hugo build | wall | peak memory |")
    p("| ---: | --- | ---: | ---: |")
    for r in HUGO_REFERENCE:
        p("| " + " | ".join(r) + " |")
    p()
    p("What is compared:")
    p()
    p("- pmarchive: `pmarchive build --today 2025-11-30 --quiet`, the default theme: every "
      "postmortem page (with similar incidents and recurrence links), archives by year, factor, "
      "service, team, severity and tag (50 a page), recurring classes, insights with charts, the "
      "action register, Atom feeds, the JSON API and the search index.")
    p("- Hugo: a minimal site the script writes (`hugo.toml`, layouts baseof/single/list/"
      "taxonomy/term and a home page): each postmortem's title, date, severity, summary, term "
      "links and rendered Markdown; the taxonomies `contributing_factors`, `services`, `teams`, "
      "`tags`, `severity` (list and term pages, 50 a page); Hugo's default RSS feeds (50 "
      "items); no sitemap. `hugo --quiet --destination OUT` over the same files (hard-linked into "
      "`content/postmortems/`). Hugo + related adds a `[related]` index over the same "
      "taxonomies and five `.Site.RegularPages.Related .` links on each page.")
    p("- Measured by `/usr/bin/time -f '%e %U %S %M'`: wall, user + system CPU, peak resident "
      "memory. Output: the bytes of the files written (`du -sb` would add 4 KB per folder; "
      "both are in the raw table below) and their number. Each build's postmortem pages "
      "(`postmortems/<id>/index.html`) are counted and must equal the archive's size.")
    p()
    p("<details><summary>Every run</summary>")
    p()
    p("| postmortems | tool | run | wall s | user s | sys s | peak RSS MB | files MB | du -sb MB | files | status |")
    p("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in sorted(rows, key=lambda r: (r["count"], TOOL_ORDER.index(r["tool"]), r["run"])):
        p(f"| {r['count']:,} | {TOOL_NAME[r['tool']]} | {r['run']} | {r['wall']:.2f} | {r['user']:.2f} | "
          f"{r['sys']:.2f} | {r['rss_mb']:.0f} | {r['out_mb']:.1f} | {r['du_mb']:.1f} | {r['files']:,} | {r['status']} |")
    p()
    p("</details>")


if __name__ == "__main__":
    main()
