#!/usr/bin/env python3
"""serve under load: keep-alive latency, then concurrent clients while the archive is edited.

    bench/serve-load.py [--count 1000] [--clients 64] [--seconds 60] [--pmarchive BIN] [--out FILE]

Generates `bench/gen-archive.py --count N --seed 42` into a temporary site (the repository's example
`content/` when the generator is not there), starts `pmarchive serve` on it, and:

1. keep-alive: 50 GETs of one page on one HTTP/1.1 connection, against 50 on a fresh
   connection each (http.client); the median and mean of each;
2. load: CLIENTS threads, each on its own keep-alive connection, GET pages of the site (the
   postmortems, listings, home, search manifest) for SECONDS, while another thread saves an
   edit (a title change, renamed over the file as editors do) every second. A failed request is
   an exception or a status other than 200 (the client then reconnects). The server's RSS and
   threads (/proc/PID/status) are read before, every 10 s during, at the end, and 10 s after.

Standard library only. Prints a Markdown report (and writes it to --out if given).
"""
import argparse
import http.client
import os
import pathlib
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
GEN = REPO / "bench" / "gen-archive.py"


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                out[k] = v.strip()
    return out


def rss_mb(pid):
    return int(proc_status(pid)["VmRSS"].split()[0]) / 1024


def threads(pid):
    return int(proc_status(pid)["Threads"])


def make_site(count, work):
    site = work / "site"
    site.mkdir()
    if GEN.exists():
        subprocess.run([sys.executable, str(GEN), "--count", str(count), "--seed", "42",
                        "--out", str(site / "content"), "--quiet"], check=True)
        return site, f"bench/gen-archive.py --count {count} --seed 42"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "pmarchive.toml", site / "pmarchive.toml")
    return site, "the example archive (content/)"


def start(binary, site):
    proc = subprocess.Popen([str(binary), "serve", "--root", str(site), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"no address in {line!r}")
    return proc, int(m.group(1))


def keepalive(port, path, n=50):
    """(median ms, mean ms) on one connection, then on a fresh connection each."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    kept = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        kept.append((time.perf_counter() - t) * 1000)
    conn.close()
    fresh = []
    for _ in range(n):
        t = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        c.close()
        assert r.status == 200, r.status
        fresh.append((time.perf_counter() - t) * 1000)
    return ((statistics.median(kept), statistics.mean(kept)),
            (statistics.median(fresh), statistics.mean(fresh)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--pmarchive", default=os.environ.get(
        "PMARCHIVE", str(REPO / "target" / "release" / "pmarchive")))
    ap.add_argument("--out")
    args = ap.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="pmarchive-serve-load-"))
    proc = None
    try:
        site, what = make_site(args.count, work)
        files = sorted((site / "content").rglob("*.md"))
        proc, port = start(args.pmarchive, site)
        pid = proc.pid

        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/postmortems/")
        listing = conn.getresponse().read().decode()
        conn.close()
        pages = sorted({f"/postmortems/{m}/" for m in
                        re.findall(r'href="(?:\.\./)*/?postmortems/([^"/]+)/"', listing)})
        if not pages:
            sys.exit("no postmortem pages found in /postmortems/")
        urls = pages + ["/", "/postmortems/", "/search/manifest.gz", "/no/such/page/"]
        # Render every page once, and make the search export, before measuring.
        c = http.client.HTTPConnection("127.0.0.1", port)
        for u in urls:
            c.request("GET", u)
            c.getresponse().read()
        c.close()

        (k_med, k_mean), (f_med, f_mean) = keepalive(port, pages[0])

        rss = {"start": rss_mb(pid)}
        thr = {"start": threads(pid)}
        stop = threading.Event()
        lock = threading.Lock()
        counts = {"requests": 0, "failures": 0, "edits": 0}
        failures = []
        latencies = []
        samples = []

        def client(seed):
            rnd = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            done, failed, lat = 0, 0, []
            while not stop.is_set():
                url = rnd.choice(urls)
                t = time.perf_counter()
                try:
                    conn.request("GET", url)
                    r = conn.getresponse()
                    r.read()
                    ok = r.status == 200 or (url == "/no/such/page/" and r.status == 404)
                    if not ok:
                        raise RuntimeError(f"{url}: {r.status}")
                    lat.append((time.perf_counter() - t) * 1000)
                    done += 1
                except Exception as e:  # noqa: BLE001 - every failure counts
                    failed += 1
                    with lock:
                        if len(failures) < 10:
                            failures.append(repr(e))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.close()
            with lock:
                counts["requests"] += done + failed
                counts["failures"] += failed
                latencies.extend(lat)

        def retitle(text, n):
            """The text with its title ending in ` eN` (TOML or YAML front matter)."""
            lines = text.split("\n")
            for i, line in enumerate(lines[1:60], 1):
                m = re.match(r"(title\s*[=:]\s*)(.*?)(\s*)$", line)
                if not m:
                    continue
                value = m.group(2)
                quote = value[-1] if value[-1:] in ("'", '"') and len(value) > 1 else ""
                inner = value[:-1] if quote else value
                inner = re.sub(r" e\d+$", "", inner)
                lines[i] = f"{m.group(1)}{inner} e{n}{quote}"
                break
            return "\n".join(lines)

        def editor():
            rnd = random.Random(7)
            n = 0
            while not stop.wait(1.0):
                f = rnd.choice(files)
                n += 1
                tmp = f.with_suffix(".md.tmp~")
                tmp.write_text(retitle(f.read_text(), n))
                os.replace(tmp, f)
                with lock:
                    counts["edits"] += 1

        workers = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        ed = threading.Thread(target=editor)
        t0 = time.time()
        for w in workers:
            w.start()
        ed.start()
        while time.time() - t0 < args.seconds:
            time.sleep(min(10, args.seconds - (time.time() - t0)))
            samples.append((round(time.time() - t0), rss_mb(pid), threads(pid)))
        stop.set()
        for w in workers:
            w.join()
        ed.join()
        elapsed = time.time() - t0
        rss["end"] = rss_mb(pid)
        thr["end"] = threads(pid)
        time.sleep(10)
        rss["idle"] = rss_mb(pid)
        thr["idle"] = threads(pid)
        alive = proc.poll() is None

        latencies.sort()
        pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]  # noqa: E731
        report = f"""# serve under load

`bench/serve-load.py --count {args.count} --clients {args.clients} --seconds {args.seconds:g}`
on {what} ({len(files)} files, {len(pages)} postmortem pages); binary `{args.pmarchive}`;
{os.cpu_count()} CPUs.

## Keep-alive

50 GETs of `{pages[0]}`: on one keep-alive connection median {k_med:.2f} ms (mean
{k_mean:.2f} ms); on a fresh connection each median {f_med:.2f} ms (mean {f_mean:.2f} ms).

## Load

| | |
| --- | --- |
| clients | {args.clients} (keep-alive, one connection each) |
| duration | {elapsed:.1f} s |
| edits saved | {counts['edits']} (one a second) |
| requests | {counts['requests']} ({counts['requests'] / elapsed:.0f}/s) |
| failed | {counts['failures']} |
| latency | median {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {latencies[-1]:.1f} ms |
| RSS | start {rss['start']:.0f} MB, end {rss['end']:.0f} MB, 10 s later {rss['idle']:.0f} MB |
| threads | start {thr['start']}, end {thr['end']}, 10 s later {thr['idle']} |
| server alive at the end | {alive} |

RSS (MB) and threads every 10 s: {", ".join(f"{t}s {r:.0f}/{n}" for t, r, n in samples)}
"""
        if failures:
            report += "\nFirst failures: " + "; ".join(failures) + "\n"
        print(report)
        if args.out:
            pathlib.Path(args.out).write_text(report)
        return 0 if counts["failures"] == 0 and alive else 1
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
