#!/usr/bin/env python3
"""Summarises `perf script --no-inline` output (CPU-clock samples with call stacks) of one
`pmarchive build`: CPU time by phase (the innermost pmarchive module on the stack), by library
(the function the sample landed in) and the hottest functions. Used by bench/profile.sh."""

import argparse
import collections
import datetime
import os
import re
import sys

PHASES = {
    "content": "load: read, front matter, Markdown, highlighting",
    "enrich": "taxonomies and recurrence links",
    "similar": "similar incidents and recurring classes",
    "search": "search index (tantivy) and its export",
    "render": "render pages, feeds, JSON (Tera)",
    "insights": "insights and the action register",
    "output": "write the site",
    "swap": "write the site",
    "check": "build-time checks",
    "audience": "drop what the audience may not see",
    "build": "build driver",
}
PHASE_RE = re.compile(r"\bpmarchive::(" + "|".join(PHASES) + r")::")
# A path's first segment: at the start, or after `<`, `&`, `(`, `[`, `*`, `,` or a space.
CRATE_RE = re.compile(r"(?:^|[<&(\[*, ])([a-z_][a-z0-9_]*)::")
GENERIC = {"core", "alloc", "std", "impl", "__rustc"}
ONIG = re.compile(r"^(onig|match_at$|forward_search|backward_search|search_in_range|onigenc|st_)")


def library(sym, dso):
    if "kernel" in dso:
        return "kernel"
    if sym.startswith(("mi_", "_mi_")):
        return "mimalloc"
    if ONIG.match(sym):
        return "oniguruma (syntect)"
    if "libc" in dso or "ld-linux" in dso:
        return "libc"
    crates = [c for c in CRATE_RE.findall(sym) if c not in GENERIC]
    if crates:
        c = crates[0]
        return "tantivy" if c.startswith("tantivy") else c
    return "std" if "::" in sym else (sym or "?")


def samples(lines):
    """Yields (thread, frames) per sample; frames leaf first, each (symbol, dso)."""
    head, frames = None, []
    for line in lines:
        if not line.strip():
            if head is not None:
                yield head, frames
            head, frames = None, []
        elif not line[0].isspace():
            head = line.split()[1] if len(line.split()) > 1 else "?"
        else:
            m = re.match(r"\s*[0-9a-f]+ (.*?)(?:\+0x[0-9a-f]+)? \((.*)\)$", line)
            if m:
                frames.append((m.group(1), m.group(2)))
    if head is not None:
        yield head, frames


def phase_of(frames):
    for sym, _ in frames:
        m = PHASE_RE.search(sym)
        if m:
            return PHASES[m.group(1)]
    if any(library(s, d) == "tantivy" for s, d in frames):
        return PHASES["search"]
    return "elsewhere (process start and exit, thread pools idling, unattributed stacks)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--freq", type=float, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--wall", type=float, required=True)
    ap.add_argument("--binary", default="?")
    ap.add_argument("--commit", default="?")
    a = ap.parse_args()

    by_phase = collections.Counter()
    phase_lib = collections.defaultdict(collections.Counter)
    by_lib = collections.Counter()
    by_sym = collections.Counter()
    total = 0
    for _, frames in samples(sys.stdin):
        if not frames:
            continue
        total += 1
        leaf_sym, leaf_dso = frames[0]
        lib = library(leaf_sym, leaf_dso)
        ph = phase_of(frames)
        by_phase[ph] += 1
        phase_lib[ph][lib] += 1
        by_lib[lib] += 1
        by_sym[(leaf_sym, lib)] += 1
    if total == 0:
        sys.exit("no samples: is perf allowed to sample here (perf_event_paranoid)?")

    def secs(n):
        return f"{n / a.freq:.2f}"

    def share(n, of=total):
        return f"{100 * n / of:.1f}%"

    out = []
    out.append("# Where a build's time goes\n")
    out.append(
        f"`bench/profile.sh --count {a.count}`, "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ}, repository at "
        f"`{a.commit}`, {os.cpu_count()} cores. One `pmarchive build` of `bench/gen-archive.py --count "
        f"{a.count} --seed 42` into tmpfs under `perf record -e cpu-clock -F {a.freq:.0f} "
        f"--call-graph dwarf`: {total:,} samples, {secs(total)} s of CPU in "
        f"{a.wall:.2f} s of wall time (perf's own cost included; the build alone is in "
        f"`results/build.md`).\n"
    )
    out.append(
        "A sample counts for the phase of the innermost pmarchive module on its stack "
        "(tantivy's own indexing threads count for the search), and for the library of the "
        "function it landed in. Kernel time is page faults (fresh memory is zeroed), file "
        "writes and thread wake-ups.\n"
    )
    out.append("## By phase\n")
    out.append("| phase | CPU s | share | where its samples landed |")
    out.append("| --- | ---: | ---: | --- |")
    for ph, n in by_phase.most_common():
        libs = ", ".join(
            f"{lib} {share(m, n)}" for lib, m in phase_lib[ph].most_common(4)
        )
        out.append(f"| {ph} | {secs(n)} | {share(n)} | {libs} |")
    out.append("\n## By library (the function a sample landed in)\n")
    out.append("| library | CPU s | share |")
    out.append("| --- | ---: | ---: |")
    for lib, n in by_lib.most_common(16):
        out.append(f"| {lib} | {secs(n)} | {share(n)} |")
    out.append("\n## The hottest functions\n")
    out.append("| function | library | share |")
    out.append("| --- | --- | ---: |")
    for (sym, lib), n in by_sym.most_common(25):
        name = sym if len(sym) <= 100 else sym[:97] + "..."
        name = name.replace("|", "\\|")
        out.append(f"| `{name}` | {lib} | {share(n)} |")
    try:
        print("\n".join(out))
    except BrokenPipeError:
        pass


if __name__ == "__main__":
    main()
