#!/usr/bin/env python3
"""check-files: what `pmarchive check FILE...` (a pull request's changed postmortems) costs on a
large archive, against the whole `check`, in one run.

Usage:
  python3 bench/check-files.py [--count 10000] [--runs 7] [--pmarchive BIN] [--base BIN]
                               [--work DIR] [--out bench/results/check-files.md]

Generates `--count` postmortems with bench/gen-archive.py (seed 42) into `--work` (kept and
reused when it is already there), then times, in alternating rounds so that load on a shared
machine falls on every command alike:
  - `check --format json FILE` with one postmortem named,
  - `check --format json F1 ... F10` with ten (a larger pull request),
  - the same ten, one of them linking to headings of two other postmortems (whose bodies are
    then read too),
  - the whole `check --format json`,
each with `--pmarchive` and, with `--base`, a second binary (an older build, to compare).
Reports the median wall time, CPU time (user + system) and peak memory of each, and the load
average at the start and the end. Standard library only.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, cwd):
    """Runs `cmd`; returns (wall s, CPU s, peak RSS MB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def archive(work, count):
    """The generated archive's root (generated once)."""
    root = os.path.join(work, f"root{count}")
    content = os.path.join(root, "content")
    if not os.path.isdir(content):
        os.makedirs(root, exist_ok=True)
        subprocess.run(
            [sys.executable, os.path.join(REPO, "bench/gen-archive.py"), "--count", str(count),
             "--seed", "42", "--out", content, "--quiet"],
            check=True,
        )
    return root


def named_files(root):
    """Ten postmortems spread over the archive (relative to the root), and a copy of the first
    that links to headings of two others (written once as `content/zz-linking.md`)."""
    paths = []
    for dirpath, _, files in os.walk(os.path.join(root, "content")):
        for f in files:
            if f.endswith(".md") and f != "zz-linking.md":
                paths.append(os.path.relpath(os.path.join(dirpath, f), root))
    paths.sort()
    step = len(paths) // 10
    ten = [paths[i * step + step // 2] for i in range(10)]
    linking = os.path.join(root, "content", "zz-linking.md")
    if not os.path.exists(linking):
        with open(os.path.join(root, ten[0]), encoding="utf-8") as f:
            text = f.read()
        others = [os.path.relpath(os.path.join(root, p), os.path.join(root, "content")) for p in ten[1:3]]
        text = text.replace('title = "', 'id = "zz-linking"\ntitle = "', 1)
        text += "\n\nSee [its timeline](%s#timeline) and [its lessons](%s#lessons-learned).\n" % tuple(others)
        with open(linking, "w", encoding="utf-8") as f:
            f.write(text)
    return ten, ["content/zz-linking.md"] + ten[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pmarchive", default=os.environ.get("PMARCHIVE", os.path.join(REPO, "target/release/pmarchive")))
    ap.add_argument("--base", help="a second binary to compare (an older build)")
    ap.add_argument("--work", default="/tmp/pmarchive-check-files")
    ap.add_argument("--out", default=os.path.join(REPO, "bench/results/check-files.md"))
    args = ap.parse_args()

    root = archive(args.work, args.count)
    ten, linked = named_files(root)
    # Copies, so that a rebuild of target/release during the run cannot mix two versions.
    binaries = {}
    for name, path in [("pmarchive", args.pmarchive), ("base", args.base)]:
        if path:
            copy = os.path.join(args.work, f"bin-{name}")
            shutil.copy2(path, copy)
            binaries[name] = copy
    # Run from the root, as CI runs it (the files named relative to it).
    common = ["check", "--root", ".", "--format", "json", "--today", "2025-11-30"]
    cases = [
        ("one file", ten[:1]),
        ("ten files", ten),
        ("ten files, one linking to two others' headings", linked),
        ("the whole archive", []),
    ]
    load_start = os.getloadavg()
    results = {}
    for _ in range(args.runs):
        for label, files in cases:
            for name, binary in binaries.items():
                wall, cpu, rss, code = run([binary] + common + files, root)
                if code not in (0, 1):
                    sys.exit(f"{name} {label}: exit {code}")
                results.setdefault((label, name), []).append((wall, cpu, rss))
    load_end = os.getloadavg()

    lines = [
        "# `check FILE...` at %s postmortems" % f"{args.count:,}",
        "",
        f"Generated by `python3 bench/check-files.py --count {args.count} --runs {args.runs}"
        + (" --base BIN" if args.base else "") + f"` on {time.strftime('%Y-%m-%d')}: "
        f"`bench/gen-archive.py --count {args.count} --seed 42`, `check --format json` with the "
        f"files named, median of {args.runs} alternating rounds; load average "
        f"{load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end ({os.cpu_count()} cores).",
        "",
        "| files named | binary | wall s | CPU s | peak RSS MB |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for label, _ in cases:
        for name in binaries:
            rows = results[(label, name)]
            med = [statistics.median(r[i] for r in rows) for i in range(3)]
            lines.append(f"| {label} | {name} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(report)


if __name__ == "__main__":
    main()
