// Search benchmark: pmarchive's static index (search/) against Pagefind, on a synthetic archive.
//
//   node bench/search-bench.mjs [--count 10000] [--runs 1] [--keep] [--skip-pagefind]
//
// 1. Generates COUNT postmortems with bench/gen-archive.py (seed 42) into a temporary folder.
// 2. Builds them --runs times with `pmarchive build --verbose` and records the `search` phase
//    (tantivy index build + export of search/) and the whole build.
// 3. Sizes search/ (bytes, files).
// 4. Cold first query, in Node: for each query a fresh index (nothing cached), the bytes of the
//    client module plus every file it fetches, with facets:false (header box) and facets:true
//    (search page); raw, and with the client gzip-compressed as a host would serve it. The same
//    is checked in headless Chromium (server-side byte count).
// 5. Warm latency in headless Chromium: a page imports search/pmsearch.js from a local server,
//    runs each query once, then times 20 runs of each with performance.now().
// 6. Pagefind over the same built site (postmortem pages only, their <article>): indexing time,
//    size, files; cold first-query transfer in Chromium (search + data() of the first 10
//    results, every byte of /pagefind/ URLs) and warm latency the same way.
// Prints a Markdown report and writes it to bench/results/search-<count>.md.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import {
  benchDir, CHROMIUM, CHROMIUM_ARGS, kb, machineInfo, mb, median, ms, percentile, PMARCHIVE,
  QUERIES, run, serve, snapshotBinary, table, walk,
} from "./lib.mjs";

// ------------------------------------------------------------------ arguments

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const COUNT = Number(opt("--count", "10000"));
const RUNS = Math.max(1, Number(opt("--runs", "1")));
const KEEP = argv.includes("--keep");
const SKIP_PAGEFIND = argv.includes("--skip-pagefind");
const WARM_RUNS = Number(opt("--warm-runs", "20"));
const SEED = 42;
const TODAY = "2025-11-30";
const GEN = process.env.GEN_ARCHIVE || new URL("./gen-archive.py", import.meta.url).pathname;
const PAGEFIND_BIN = path.join(benchDir, "node_modules/pagefind/lib/runner/bin.cjs");
// Pagefind indexes what pmarchive's search indexes: the postmortem pages, their <article>
// (without it: every listing, tag and year page too, and each page's header, nav and footer).
const PAGEFIND_GLOB = "postmortems/*/index.html";
const PAGEFIND_ROOT = "article.postmortem";


const log = (...a) => console.error("[bench]", ...a);

// ------------------------------------------------------------------ corpus and builds

const tmp = await mkdtemp(path.join(os.tmpdir(), "pmarchive-bench-"));
const content = path.join(tmp, "content");
const out = path.join(tmp, "out");
const commands = [];

async function main() {
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  if (!existsSync(PMARCHIVE)) throw new Error(`${PMARCHIVE} is missing: cargo build --release`);
  const { bin, identity } = await snapshotBinary(tmp);
  const genArgs = ["--count", String(COUNT), "--seed", String(SEED), "--out", content, "--quiet"];
  commands.push(`python3 ${GEN} ${genArgs.join(" ")}`);
  log(`generating ${COUNT} postmortems in ${tmp}`);
  const gen = await run("python3", [GEN, ...genArgs]);
  log(`generated in ${(gen.ms / 1000).toFixed(1)} s`);

  const buildArgs = ["build", "--root", tmp, "--output", out, "--today", TODAY, "--verbose"];
  commands.push(`pmarchive ${buildArgs.join(" ")}`);
  const builds = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(bin, buildArgs);
    const phases = {};
    for (const m of r.stderr.matchAll(/^\s+([a-z]+)\s+([\d.]+) ms$/gm)) phases[m[1]] = Number(m[2]);
    if (phases.search === undefined) throw new Error("no `search` phase in the verbose output:\n" + r.stderr.slice(-2000));
    const summary = (r.stderr.match(/^Built .*$/m) || [""])[0];
    // The tantivy index is built before the similar-incident pass (which reads it), so search
    // costs the `index` phase plus the export (`search`).
    phases.search += phases.index || 0;
    builds.push({ wall: r.ms, phases, summary });
    log(`build ${i + 1}/${RUNS}: ${(r.ms / 1000).toFixed(1)} s, search (index + export) ${phases.search} ms`);
  }

  const searchDir = path.join(out, "search");
  const searchFiles = await walk(searchDir);
  const siteFiles = await walk(out);
  const manifest = JSON.parse(gunzipSync(await readFile(path.join(searchDir, "manifest.gz"))).toString());
  const clientRaw = await readFile(path.join(searchDir, "pmsearch.js"));
  const clientGz = gzipSync(clientRaw, { level: 6 }).length;

  // ---------------------------------------------------------------- cold, in Node
  log("cold first queries in Node");
  const { search } = await import(pathToFileURL(path.join(searchDir, "pmsearch.js")).href);
  const cold = [];
  let fresh = 0;
  for (const query of QUERIES) {
    const row = { query };
    // box / facets: the header box and a search with facet counts, limit 10 and prefix matching
    // only for the typing queries; uiBox / uiPage: exactly what theme/static/search-ui.js asks
    // for (limit 8 / 20, and no prefix option, so the client's default applies: the last word
    // is also a prefix). The search page asks twice: its results without facets (uiPageFirst,
    // what it shows first), then the same with facet counts (uiPage: everything it fetched).
    const configs = [
      { key: "box", facets: false, limit: 10, prefix: !!query.prefix },
      { key: "facets", facets: true, limit: 10, prefix: !!query.prefix },
      { key: "uiBox", facets: false, limit: 8 },
      { key: "uiPage", facets: true, limit: 20, first: "uiPageFirst" },
    ];
    for (const { key, facets, limit, prefix, first } of configs) {
      const fetched = [];
      const scheme = `cold${fresh++}://`; // a new baseUrl: a new Index, nothing cached
      const fetcher = async (url, init) => {
        const rel = String(url).slice(scheme.length).replace(/\?.*$/, "");
        const data = await readFile(path.join(searchDir, rel));
        // A byte range (a result's passages), answered as a static host does.
        const range = /^bytes=(\d+)-(\d+)$/.exec(init?.headers?.Range ?? "");
        if (range) {
          const part = data.subarray(Number(range[1]), Number(range[2]) + 1);
          fetched.push({ rel: `${rel}#${range[1]}`, bytes: part.length });
          return new Response(part, { status: 206 });
        }
        fetched.push({ rel, bytes: data.length });
        return new Response(data);
      };
      const opts = { baseUrl: scheme, fetch: fetcher, facets, limit };
      if (prefix !== undefined) opts.prefix = prefix;
      if (first) {
        const r = await search(query.q, { ...opts, facets: false });
        const files = fetched.reduce((a, x) => a + x.bytes, 0);
        row[first] = { total: r.total, requests: fetched.length + 1, raw: files + clientRaw.length, gz: files + clientGz };
      }
      const r = await search(query.q, opts);
      const files = fetched.reduce((a, x) => a + x.bytes, 0);
      row[key] = {
        total: r.total,
        top: r.results.map((x) => x.id),
        requests: fetched.length + 1,
        raw: files + clientRaw.length,
        gz: files + clientGz,
        files: fetched.map((x) => x.rel),
      };
    }
    cold.push(row);
  }

  // ---------------------------------------------------------------- Pagefind index
  let pf = null;
  if (!SKIP_PAGEFIND) {
    const pfArgs = ["--site", out, "--output-subdir", "pagefind", "--glob", PAGEFIND_GLOB, "--root-selector", PAGEFIND_ROOT];
    commands.push(`npx pagefind ${pfArgs.map((a) => (/[*\s]/.test(a) ? `"${a}"` : a)).join(" ")}   (from bench/)`);
    const times = [];
    let r;
    for (let i = 0; i < RUNS; i++) {
      await rm(path.join(out, "pagefind"), { recursive: true, force: true });
      r = await run(process.execPath, [PAGEFIND_BIN, ...pfArgs]);
      times.push(r.ms);
      log(`pagefind ${i + 1}/${RUNS}: ${(r.ms / 1000).toFixed(1)} s`);
    }
    const pages = Number((r.stdout.match(/Indexed (\d+) pages/) || [])[1]);
    const version = (r.stdout.match(/Running Pagefind v([\d.]+)/) || [])[1]
      || JSON.parse(await readFile(path.join(benchDir, "node_modules/pagefind/package.json"), "utf8")).version;
    const files = await walk(path.join(out, "pagefind"));
    const ui = files.filter((f) => /^pagefind-(component-|modular-)?ui\.|^pagefind-highlight\./.test(f.rel));
    pf = { times, pages, version, files, ui, stdout: r.stdout };
  }

  // ---------------------------------------------------------------- Chromium
  const benchPage = "<!doctype html><html><head><meta charset=utf-8><title>bench</title></head><body></body></html>";
  const srv = await serve(out, { "/__bench.html": benchPage });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  const pageErrors = [];

  async function coldPage(prefixPath, fn, arg) {
    const context = await browser.newContext(); // empty HTTP cache and module map
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    const urls = new Map();
    let wire = 0;
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => {
      const u = urls.get(e.requestId);
      if (u && new URL(u).pathname.startsWith(prefixPath)) wire += e.encodedDataLength;
    });
    await page.goto(srv.base + "/__bench.html");
    srv.log.length = 0;
    // Playwright's view (it also sees requests made by dedicated workers, which a CDP session on
    // the page target does not: Pagefind fetches its index from pagefind-worker.js).
    const sizes = [];
    context.on("requestfinished", (req) => {
      if (new URL(req.url()).pathname.startsWith(prefixPath)) sizes.push(req.sizes());
    });
    const result = await page.evaluate(fn, arg);
    await page.waitForTimeout(150); // let late responses (if any) finish
    const served = srv.log.filter((x) => x.path.startsWith(prefixPath));
    const pw = (await Promise.all(sizes)).reduce((a, x) => a + x.responseBodySize, 0);
    await context.close();
    return { result, served, wire, pw, pwRequests: sizes.length };
  }

  log("cold first queries in Chromium (pmarchive)");
  const coldBrowser = [];
  for (const query of QUERIES) {
    const r = await coldPage("/search/", async ({ q, prefix }) => {
      const t0 = performance.now();
      const { search } = await import("/search/pmsearch.js");
      const res = await search(q, { baseUrl: "/search/", facets: false, prefix, limit: 10 });
      return { ms: performance.now() - t0, total: res.total };
    }, { q: query.q, prefix: !!query.prefix });
    coldBrowser.push({ bytes: r.served.reduce((a, x) => a + x.bytes, 0), requests: r.served.length, wire: r.wire, pw: r.pw, pwRequests: r.pwRequests, ms: r.result.ms, total: r.result.total });
  }

  log("warm latency in Chromium (pmarchive)");
  const warm = { box: [], facets: [], perQuery: [] };
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(srv.base + "/__bench.html");
    const res = await page.evaluate(async ({ queries, runs }) => {
      const { search } = await import("/search/pmsearch.js");
      const out = [];
      for (const { q, prefix } of queries) {
        const row = { box: [], facets: [] };
        for (const facets of [false, true]) {
          await search(q, { baseUrl: "/search/", facets, prefix: !!prefix, limit: 10 }); // warm
          for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            await search(q, { baseUrl: "/search/", facets, prefix: !!prefix, limit: 10 });
            row[facets ? "facets" : "box"].push(performance.now() - t0);
          }
        }
        out.push(row);
      }
      return out;
    }, { queries: QUERIES.map((x) => ({ q: x.q, prefix: x.prefix })), runs: WARM_RUNS });
    res.forEach((row) => {
      warm.box.push(...row.box);
      warm.facets.push(...row.facets);
      warm.perQuery.push({ box: median(row.box), facets: median(row.facets) });
    });
    await context.close();
  }

  let pfCold = [];
  const pfWarm = { all: [], perQuery: [] };
  if (pf) {
    log("cold first queries in Chromium (Pagefind)");
    for (const query of QUERIES) {
      const r = await coldPage("/pagefind/", async ({ q }) => {
        const t0 = performance.now();
        const pf = await import("/pagefind/pagefind.js");
        const s = await pf.search(q);
        const data = await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
        return { ms: performance.now() - t0, total: s.results.length, top: data.map((d) => d.url) };
      }, { q: query.pf ?? query.q });
      const js = r.served.filter((x) => x.path.endsWith(".js"));
      const jsGz = await Promise.all(js.map(async (x) => gzipSync(await readFile(path.join(out, x.path)), { level: 6 }).length));
      const raw = r.served.reduce((a, x) => a + x.bytes, 0);
      pfCold.push({
        raw,
        gz: raw - js.reduce((a, x) => a + x.bytes, 0) + jsGz.reduce((a, b) => a + b, 0),
        requests: r.served.length,
        wire: r.wire,
        pw: r.pw,
        pwRequests: r.pwRequests,
        ms: r.result.ms,
        total: r.result.total,
        kinds: r.served.map((x) => x.path.replace(/^\/pagefind\//, "").replace(/\/.*/, "/…")),
      });
    }
    log("warm latency in Chromium (Pagefind)");
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(srv.base + "/__bench.html");
    const res = await page.evaluate(async ({ queries, runs }) => {
      const pf = await import("/pagefind/pagefind.js");
      const out = [];
      for (const q of queries) {
        const one = async () => {
          const s = await pf.search(q);
          await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
        };
        await one(); // warm
        const times = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          await one();
          times.push(performance.now() - t0);
        }
        out.push(times);
      }
      return out;
    }, { queries: QUERIES.map((x) => x.pf ?? x.q), runs: WARM_RUNS });
    res.forEach((times) => {
      pfWarm.all.push(...times);
      pfWarm.perQuery.push(median(times));
    });
    await context.close();
  }
  await browser.close();
  srv.server.close();

  // ---------------------------------------------------------------- report
  const { loadavg, ...rest } = machineInfo();
  const info = { pmarchive: identity, ...rest, chromium: chromiumVersion, "load average (1/5/15 min) at start · at end": `${loadStart} · ${loadavg}` };
  const searchTimes = builds.map((b) => b.phases.search);
  const searchBytes = searchFiles.reduce((a, x) => a + x.size, 0);
  const indexOnly = searchFiles.filter((f) => f.rel !== "index.html");
  const indexBytes = indexOnly.reduce((a, x) => a + x.size, 0);
  const byDir = (files, re) => {
    const g = new Map();
    for (const f of files) {
      const k = re(f.rel);
      const v = g.get(k) || { n: 0, bytes: 0 };
      v.n++;
      v.bytes += f.size;
      g.set(k, v);
    }
    return [...g.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  };
  const siteBytes = siteFiles.filter((f) => !f.rel.startsWith("pagefind/")).reduce((a, x) => a + x.size, 0);
  const siteCount = siteFiles.filter((f) => !f.rel.startsWith("pagefind/")).length;
  const col = (sel) => cold.map(sel);
  const boxRaw = median(col((r) => r.box.raw));
  const boxGz = median(col((r) => r.box.gz));
  const facRaw = median(col((r) => r.facets.raw));
  const facGz = median(col((r) => r.facets.gz));
  const mismatch = cold.map((r, i) => (r.box.raw - clientRaw.length) !== coldBrowser[i].bytes - clientRaw.length ? i : -1).filter((i) => i >= 0);

  const L = [];
  L.push(`# Search benchmark: ${COUNT} synthetic postmortems`);
  L.push("");
  L.push(`Generated by \`node bench/search-bench.mjs --count ${COUNT} --runs ${RUNS}\` on ${new Date().toISOString().slice(0, 10)}.`);
  L.push("");
  L.push("## Machine");
  L.push("");
  L.push(table(["", ""], Object.entries(info).map(([k, v]) => [k, String(v)])));
  L.push("");
  L.push("## Commands");
  L.push("");
  L.push("```sh");
  for (const c of commands) L.push(c);
  L.push("```");
  L.push("");
  L.push(`Build summary: ${builds[builds.length - 1].summary || "(none printed)"}`);
  L.push("");
  L.push("## pmarchive against Pagefind");
  L.push("");
  const pfBytes = pf ? pf.files.reduce((a, x) => a + x.size, 0) : 0;
  const pfUiBytes = pf ? pf.ui.reduce((a, x) => a + x.size, 0) : 0;
  const pfCol = (sel) => (pf ? sel() : "n/a");
  L.push(table(["", "pmarchive `search/`", `Pagefind ${pf ? pf.version : ""}`], [
    ["documents indexed", String(manifest.docs), pfCol(() => String(pf.pages))],
    ["index time", `${ms(median(searchTimes))} (\`search\` phase: tantivy + export${RUNS > 1 ? `, median of ${RUNS}` : ""})`, pfCol(() => `${ms(median(pf.times))} (whole \`pagefind\` run, wall${RUNS > 1 ? `, median of ${RUNS}` : ""})`)],
    ["output size", `${mb(searchBytes)} (${searchBytes} B)`, pfCol(() => `${mb(pfBytes)} (${pfBytes} B; ${mb(pfBytes - pfUiBytes)} without the UI bundles)`)],
    ["output files", String(searchFiles.length), pfCol(() => `${pf.files.length} (${pf.files.length - pf.ui.length} without the UI bundles)`)],
    ["cold first query, median bytes (raw)", `${kb(boxRaw)} box · ${kb(facRaw)} with facets`, pfCol(() => kb(median(pfCold.map((x) => x.raw))))],
    ["cold first query, median bytes (JS gzipped by host)", `${kb(boxGz)} box · ${kb(facGz)} with facets`, pfCol(() => kb(median(pfCold.map((x) => x.gz))))],
    ["cold first query, largest bytes (raw)", `${kb(Math.max(...col((r) => r.box.raw)))} box · ${kb(Math.max(...col((r) => r.facets.raw)))} with facets`, pfCol(() => kb(Math.max(...pfCold.map((x) => x.raw))))],
    ["cold first query as the theme's UI asks (prefix on, limit 8 / 20), median bytes raw · JS gz", `${kb(median(col((r) => r.uiBox.raw)))} · ${kb(median(col((r) => r.uiBox.gz)))} box · ${kb(median(col((r) => r.uiPageFirst.raw)))} · ${kb(median(col((r) => r.uiPageFirst.gz)))} search page results · ${kb(median(col((r) => r.uiPage.raw)))} · ${kb(median(col((r) => r.uiPage.gz)))} with its filters`, "(as above)"],
    ["cold first query, median requests", `${median(col((r) => r.box.requests))} box · ${median(col((r) => r.facets.requests))} with facets`, pfCol(() => String(median(pfCold.map((x) => x.requests))))],
    ["warm query, median (Chromium)", `${ms(median(warm.box))} box · ${ms(median(warm.facets))} with facets`, pfCol(() => ms(median(pfWarm.all)))],
    ["warm query, p95 (Chromium)", `${ms(percentile(warm.box, 95))} box · ${ms(percentile(warm.facets, 95))} with facets`, pfCol(() => ms(percentile(pfWarm.all, 95)))],
    ["cold first query on loopback, median time (Chromium)", ms(median(coldBrowser.map((x) => x.ms))) + " box", pfCol(() => ms(median(pfCold.map((x) => x.ms))))],
  ]));
  L.push("");
  L.push("- *index time*: pmarchive's is the `search` line of `pmarchive build --verbose` (the site's pages are rendered in other phases); Pagefind's is its whole run, reading the built HTML of every postmortem page.");
  L.push("- *cold first query*: what a browser with an empty cache transfers for its first query, results included: for pmarchive the client module (" + `${kb(clientRaw.length)}, ${kb(clientGz)} gzipped at level 6` + ") and every index file it fetches (already gzip files: they are counted as stored), each result's passages (for its excerpt) as the byte range of `passages.bin` it asks for, and for a word with no match the vocabulary files of typo correction; for Pagefind every /pagefind/ URL the page fetched to run `pf.search(q)` and `data()` of the first 10 results (pagefind.js, pagefind-worker.js, entry JSON, WASM, metadata, index chunks, fragments). \"box\" = `facets: false` (the header search box), \"with facets\" = `facets: true` (facet counts too: the facet files `f/`), both with `limit: 10` and `prefix: true` only for the two typing queries. The header box and search page of the theme (theme/static/search-ui.js) pass no `prefix` option, so the client's default (`prefix: true`: the last word also matches as a prefix) applies to every query they run, with `limit` 8 and 20: that row measures exactly those calls; the search page shows its results from a first call without facets (\"search page results\"), then asks again with facets (\"with its filters\": every byte both calls fetched).");
  L.push("- *warm query*: the same query again in a loaded page, " + `${WARM_RUNS} timed runs per query after one warm-up, ${QUERIES.length} queries (percentiles over all ${WARM_RUNS * QUERIES.length} runs)` + "; performance.now() in Chromium has 0.1 ms resolution without cross-origin isolation. Pagefind's warm time includes `data()` of the first 10 results, as pmarchive's includes their titles and excerpts.");
  L.push(`- Pagefind is given only the postmortem pages (\`--glob "${PAGEFIND_GLOB}"\`) and their \`<article>\` (\`--root-selector "${PAGEFIND_ROOT}"\`), as a site would set it up with \`data-pagefind-body\`; pmarchive indexes the same documents. Pagefind has no \`factor:\` syntax and the theme declares no Pagefind filters, so for \`factor:dns timeout\` it searches \`timeout\` alone.`);
  L.push("");
  L.push("## pmarchive: cold first query per query (Node, fresh index each time)");
  L.push("");
  L.push(table(
    ["query", "kind", "hits", "box: requests", "box: bytes raw", "box: JS gz", "facets: requests", "facets: bytes raw", "facets: JS gz", "UI box: bytes raw", "UI page results: bytes raw", "UI page with filters: bytes raw", "Pagefind: hits", "Pagefind: requests", "Pagefind: bytes raw", "Pagefind: JS gz"],
    cold.map((r, i) => [
      "`" + r.query.q.replace(/\|/g, "\\|") + "`" + (r.query.prefix ? " (prefix)" : ""), r.query.kind, String(r.box.total),
      String(r.box.requests), kb(r.box.raw), kb(r.box.gz),
      String(r.facets.requests), kb(r.facets.raw), kb(r.facets.gz), kb(r.uiBox.raw), kb(r.uiPageFirst.raw), kb(r.uiPage.raw),
      pf ? String(pfCold[i].total) : "n/a", pf ? String(pfCold[i].requests) : "n/a", pf ? kb(pfCold[i].raw) : "n/a", pf ? kb(pfCold[i].gz) : "n/a",
    ])
  ));
  L.push("");
  const zero = cold.filter((r) => r.box.total === 0).map((r) => "`" + r.query.q + "`");
  if (zero.length) {
    L.push(`pmarchive found nothing for ${zero.join(", ")}. A quoted phrase containing a stop word (\`on\`, \`no\`, \`of\`, ...) cannot match: the index keeps the position gap a removed stop word leaves, the phrase query (tantivy's and the client's alike) looks for the remaining words at consecutive positions.`);
    L.push("");
  }
  if (pf) {
    const pwMatch = pfCold.every((x) => x.pw === x.raw && x.pwRequests === x.requests);
    const workerJs = pf.files.find((f) => f.rel === "pagefind-worker.js")?.size ?? -1;
    const pwWorker = pfCold.every((x) => x.pw + workerJs === x.raw && x.pwRequests === x.requests);
    const pwText = pwMatch
      ? "Playwright's response body sizes agree for every query"
      : pwWorker
        ? `Playwright sees the same requests and the same body sizes for every query, except the worker script pagefind-worker.js itself (${workerJs} B), whose body size it reports as 0`
        : "Playwright's response body sizes give a median of " + kb(median(pfCold.map((x) => x.pw))) + " over " + median(pfCold.map((x) => x.pwRequests)) + " requests";
    L.push(`Pagefind bytes are the bodies the local server sent for /pagefind/ URLs; ${pwText}. A CDP session on the page target sees only ${kb(median(pfCold.map((x) => x.wire)))} (wire bytes, median): Pagefind fetches its index and fragments from a dedicated worker (pagefind-worker.js), whose requests that session does not report.`);
    L.push("");
  }
  L.push(`Chromium cross-check (header box, server-side body bytes of /search/): ${mismatch.length === 0 ? "every query fetched exactly the bytes counted in Node" : "differs from Node for queries " + mismatch.map((i) => "`" + QUERIES[i].q + "`").join(", ")}; wire bytes incl. HTTP headers (CDP) median ${kb(median(coldBrowser.map((x) => x.wire)))}.`);
  L.push("");
  L.push("## Warm latency per query (Chromium, median of " + WARM_RUNS + ")");
  L.push("");
  L.push(table(["query", "pmarchive box", "pmarchive facets", "Pagefind"], QUERIES.map((q, i) => [
    "`" + q.q + "`", ms(warm.perQuery[i].box), ms(warm.perQuery[i].facets), pf ? ms(pfWarm.perQuery[i]) : "n/a",
  ])));
  L.push("");
  L.push("## Output breakdown");
  L.push("");
  L.push(table(["pmarchive search/", "files", "bytes"], byDir(searchFiles, (r) => (r.includes("/") ? r.split("/")[0] + "/" : r)).map(([k, v]) => [k, String(v.n), kb(v.bytes)])));
  L.push("");
  L.push(`search/index.html is the search page (a page of the site, not index data); without it search/ is ${mb(indexBytes)} in ${indexOnly.length} files. The whole site (without pagefind/) is ${mb(siteBytes)} in ${siteCount} files.`);
  L.push("");
  if (pf) {
    L.push(table(["Pagefind pagefind/", "files", "bytes"], byDir(pf.files, (r) => (r.includes("/") ? r.split("/")[0] + "/" : r.replace(/_[0-9a-f]+\./, "_….")))
      .map(([k, v]) => [k, String(v.n), kb(v.bytes)])));
    L.push("");
  }
  L.push("## Builds");
  L.push("");
  const phaseNames = Object.keys(builds[0].phases);
  L.push(table(["run", "wall", ...phaseNames], builds.map((b, i) => [String(i + 1), ms(b.wall), ...phaseNames.map((p) => ms(b.phases[p]))])));
  L.push("");
  if (pageErrors.length) {
    L.push("Page errors: " + pageErrors.join("; "));
    L.push("");
  }
  const report = L.join("\n");
  await mkdir(path.join(benchDir, "results"), { recursive: true });
  const file = path.join(benchDir, "results", `search-${COUNT}.md`);
  await writeFile(file, report);
  process.stdout.write(report + "\n");
  log(`wrote ${path.relative(process.cwd(), file)}`);
  const dump = path.join(benchDir, "results", `search-${COUNT}.json`);
  await writeFile(dump, JSON.stringify({ info, builds, cold, coldBrowser, warm, pfCold, pfWarm, pfTimes: pf?.times }, null, 1));
}

try {
  await main();
} finally {
  if (KEEP) log(`kept ${tmp}`);
  else await rm(tmp, { recursive: true, force: true });
}
