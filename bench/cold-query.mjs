// The first query of a browser with an empty cache, in headless Chromium on loopback: the
// time from importing the search client to the results with their excerpts, and the longest
// chain of requests that waited on one another, for the site's own client and (with --base) an
// other version of search/pmsearch.js on the same index, in alternating rounds.
//
//   node bench/cold-query.mjs SITE [--base CLIENT_JS] [--runs 5] [--delay MS] [--out FILE]
//
// SITE is a built site (its search/ folder is read, never changed: the other client is served
// from memory at /search/pmsearch-base.js). --delay holds each answer MS milliseconds, as a
// network's round trip would (loopback has none). The queries are search-bench.mjs's. Prints a table
// of medians per query and overall (and writes it to --out, if given), with the load average.
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, median, QUERIES, serve } from "./lib.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const site = argv[0];
if (!site || site.startsWith("--")) {
  console.error("usage: node bench/cold-query.mjs SITE [--base CLIENT_JS] [--runs 5] [--delay MS] [--out FILE]");
  process.exit(2);
}
const RUNS = Number(opt("--runs", "5"));
const BASE = opt("--base", null);
const OUT = opt("--out", null);
const DELAY = Number(opt("--delay", "0"));

const page = "<!doctype html><html><head><meta charset=utf-8><title>bench</title></head><body></body></html>";
const extra = { "/__bench.html": page };
if (BASE) extra["/search/pmsearch-base.js"] = { type: "text/javascript", body: await readFile(BASE) };
const srv = await serve(site, extra, { delay: DELAY });
const clients = { pmarchive: "/search/pmsearch.js", ...(BASE ? { base: "/search/pmsearch-base.js" } : {}) };
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const version = browser.version();
const loadStart = os.loadavg()[0];
const times = {}; // client -> query -> [ms]
const chains = {}; // client -> query -> [requests in the longest chain]
for (let round = 0; round < RUNS; round++) {
  for (const { q, prefix } of QUERIES) {
    for (const [name, client] of Object.entries(clients)) {
      const context = await browser.newContext(); // empty HTTP cache and module map
      const tab = await context.newPage();
      await tab.goto(srv.base + "/__bench.html");
      const r = await tab.evaluate(
        async ({ q, prefix, client }) => {
          const t0 = performance.now();
          const { search } = await import(client);
          await search(q, { baseUrl: "/search/", facets: false, prefix, limit: 10 });
          const ms = performance.now() - t0;
          // The longest chain: requests each starting after the one before it ended.
          const spans = performance
            .getEntriesByType("resource")
            .filter((e) => e.name.includes("/search/"))
            .map((e) => [e.startTime, e.responseEnd])
            .sort((a, b) => a[0] - b[0]);
          const depth = spans.map(() => 1);
          spans.forEach(([s], i) => {
            for (let j = 0; j < i; j++) if (spans[j][1] <= s) depth[i] = Math.max(depth[i], depth[j] + 1);
          });
          return { ms, chain: Math.max(0, ...depth) };
        },
        { q, prefix: !!prefix, client },
      );
      ((times[name] ??= {})[q] ??= []).push(r.ms);
      ((chains[name] ??= {})[q] ??= []).push(r.chain);
      await context.close();
    }
  }
}
const loadEnd = os.loadavg()[0];
await browser.close();
srv.server.close();

const names = Object.keys(clients);
const L = [];
L.push(`Cold first query in Chromium ${version} on loopback${DELAY ? `, each answer held ${DELAY} ms` : ""}, \`node bench/cold-query.mjs SITE${BASE ? " --base CLIENT" : ""} --runs ${RUNS}${DELAY ? ` --delay ${DELAY}` : ""}\`: median of ${RUNS} alternating rounds; load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end (${os.cpus().length} cores).`);
L.push("");
L.push(`| query | ${names.map((n) => `${n}: ms · chain`).join(" | ")} |`);
L.push(`| --- | ${names.map(() => "---:").join(" | ")} |`);
for (const { q } of QUERIES) {
  L.push(`| \`${q}\` | ${names.map((n) => `${median(times[n][q]).toFixed(0)} · ${median(chains[n][q])}`).join(" | ")} |`);
}
L.push(`| median of the queries | ${names.map((n) => `${median(QUERIES.map(({ q }) => median(times[n][q]))).toFixed(0)} · ${median(QUERIES.map(({ q }) => median(chains[n][q])))}`).join(" | ")} |`);
const text = L.join("\n") + "\n";
process.stdout.write(text);
if (OUT) await writeFile(OUT, text);
process.exit(0);
