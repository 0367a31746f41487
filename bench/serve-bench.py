#!/usr/bin/env python3
"""serve: from saving a changed postmortem to the changed page being served.

    bench/serve-bench.py [--counts 1000,10000] [--edits 15] [--work DIR] [--pmarchive BIN]

For each size: generates `bench/gen-archive.py --count N --seed 42` (kept in WORK), copies its content
into a scratch site, starts `pmarchive serve` on it, then edits postmortems the way editors save
(a temporary file renamed over the original), each edit changing the title to a new marker. The
clock starts just before the rename and stops when an HTTP GET of that postmortem's page first
returns the new title (the page is polled every 2 ms, and each poll is a fresh connection, as a
reloading browser makes). The edited postmortems are spread over the archive. Reports the
median, minimum and maximum, and serve's own "rebuilt in" times, to bench/results/serve.md.
"""
import argparse
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
GEN = REPO / "bench" / "gen-archive.py"
PAUSE = 1.0  # seconds between an edit being served and the next save, as an author works


def get(port, path):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def corpus(work, n):
    root = work / f"archive-{n}"
    if not (root / "content.classes.tsv").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        subprocess.run([sys.executable, str(GEN), "--count", str(n), "--seed", "42",
                        "--out", str(root / "content"), "--quiet"], check=True)
    return root


def measure(binary, work, n, edits):
    src = corpus(work, n)
    site = work / f"serve-{n}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(src / "content", site / "content")
    files = sorted((site / "content").rglob("*.md"))
    log = open(work / f"serve-{n}.log", "w")
    proc = subprocess.Popen([str(binary), "serve", "--root", str(site), "--port", "0", "-v"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        times = []
        step = max(1, len(files) // edits)
        for k in range(edits):
            f = files[(k * step + step // 2) % len(files)]
            text = f.read_text()
            pid = f.stem
            top = re.split(r"^\[", text.split("+++", 2)[1], maxsplit=1, flags=re.M)[0]
            m = re.search(r'^id = "([^"]+)"', top, re.M)  # else the file's stem
            if m:
                pid = m.group(1)
            marker = f"Edited {k} while serving"
            new = re.sub(r'^title = ".*"$', f'title = "{marker}"', text, count=1, flags=re.M)
            page = f"/postmortems/{pid}/"
            first = get(port, page)
            assert b" 200 " in first.split(b"\r\n", 1)[0], (page, first[:200])
            tmp = f.with_name(f.name + ".tmp~")
            tmp.write_text(new)
            t0 = time.perf_counter()
            os.rename(tmp, f)
            while marker.encode() not in get(port, page):
                if time.perf_counter() - t0 > 120:
                    raise SystemExit(f"timed out waiting for {page}")
                time.sleep(0.002)
            times.append((time.perf_counter() - t0) * 1000)
            print(f"size {n} edit {k}: {times[-1]:.0f} ms", file=sys.stderr)
            time.sleep(PAUSE)
    finally:
        proc.terminate()
        proc.wait()
        log.close()
    log_text = (work / f"serve-{n}.log").read_text()
    rebuilt = [float(x) for x in re.findall(r"rebuilt \d+ postmortems in (\d+) ms", log_text)]
    phases = {}
    for line in re.findall(r"phases \(ms\): (.*)", log_text)[1:]:  # the edits, not the first build
        for part in line.split(", "):
            name, ms = part.rsplit(" ", 1)
            phases.setdefault(name, []).append(float(ms))
    shutil.rmtree(site, ignore_errors=True)
    return times, rebuilt, {k: statistics.median(v) for k, v in phases.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--counts", default="1000,10000")
    ap.add_argument("--edits", type=int, default=15)
    ap.add_argument("--work", default=os.environ.get("WORK", "/tmp/pmarchive-serve-bench"))
    ap.add_argument("--pmarchive", default=str(REPO / "target" / "release" / "pmarchive"))
    a = ap.parse_args()
    work = pathlib.Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    binary = work / "pmarchive"
    shutil.copy(a.pmarchive, binary)
    rows = []
    phase_rows = []
    for n in [int(x) for x in a.counts.split(",")]:
        times, rebuilt, phases = measure(binary, work, n, a.edits)
        phase_rows.append(f"| {n:,} | " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()) + " |")
        first, edits = (rebuilt[0], rebuilt[1:]) if rebuilt else (0, [])
        rows.append(f"| {n:,} | {statistics.median(times):.0f} ms | {min(times):.0f} ms | "
                    f"{max(times):.0f} ms | {statistics.median(edits) if edits else 0:.0f} ms | "
                    f"{first / 1000:.1f} s |")
    load = open("/proc/loadavg").read().split()[:3]
    out = REPO / "bench" / "results" / "serve.md"
    text = "\n".join([
        "# serve: from saving an edit to the page being served",
        "",
        f"`bench/serve-bench.py --counts {a.counts} --edits {a.edits}`, "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, "
        f"load at end: {' '.join(load)}. Archives from `bench/gen-archive.py --count N --seed 42`.",
        "",
        "| postmortems | save to served (median) | fastest | slowest | serve's rebuild (median) | first build |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "Median phases of the rebuilds after an edit (ms, `serve -v`):",
        "",
        "| postmortems | phases |",
        "| --- | --- |",
        *phase_rows,
        "",
        f"- Edits follow each other {PAUSE:.0f} s after the previous one was served.",
        "- save to served: from the rename of an editor's atomic save to the first GET of the "
        "postmortem's page that returns the new title (polled every 2 ms).",
        "- serve's rebuild: what serve logs (\"rebuilt N postmortems in X ms\"): after the file "
        "system has been quiet for 25 ms, from the start of the rebuild to the new site replacing "
        "the old; the page itself is rendered on the request that follows.",
        "- Goals (issue #5): under 150 ms at 1,000 postmortems, under 1 s at 10,000.",
        "",
    ])
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
