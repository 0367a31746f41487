// Runs queries through the browser client (search/pmsearch.js of a built site) in Node, reading
// the exported files from disk. Usage: node run-queries.mjs SITE_DIR QUERIES_JSON
// QUERIES_JSON: [{ "query": "...", "prefix": bool, "limit": n }]. Each query runs on a fresh
// index (nothing cached), first without facets, as the header box and the search page's first
// results ask, then with them. Prints one JSON array of { total, words, allWords, corrected,
// corrections, results: [{ id, score, doc, excerpt, allWords }], facets, first: { total, docs },
// files } per query: `results` and `facets` from the second call, `first` and `files` (every
// file the client fetched, in order; a byte range of passages.bin as `passages.bin#first-last`)
// from the first. Byte ranges are answered as a static host does (206 Partial Content), or
// ignored with NO_RANGE=1 in the environment.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [site, queriesFile] = process.argv.slice(2);
const searchDir = path.join(site, "search");
const { search } = await import(pathToFileURL(path.join(searchDir, "pmsearch.js")).href);
const queries = JSON.parse(await readFile(queriesFile, "utf8"));
const out = [];
for (const [i, q] of queries.entries()) {
  const base = `q${i}://`;
  const files = [];
  const fetcher = async (url, init) => {
    const rel = String(url).slice(base.length).replace(/\?.*$/, "");
    const data = await readFile(path.join(searchDir, rel));
    // NO_RANGE=1: a host that ignores Range (the whole file, 200).
    const range = process.env.NO_RANGE ? null : /^bytes=(\d+)-(\d+)$/.exec(init?.headers?.Range ?? "");
    if (!range) {
      files.push(rel);
      return new Response(data);
    }
    files.push(`${rel}#${range[1]}-${range[2]}`);
    return new Response(data.subarray(Number(range[1]), Number(range[2]) + 1), { status: 206 });
  };
  const options = { baseUrl: base, fetch: fetcher, prefix: q.prefix ?? false, limit: q.limit ?? 10 };
  const first = await search(q.query, { ...options, facets: false });
  const fetched = files.slice();
  const r = await search(q.query, options);
  out.push({
    total: r.total,
    words: r.words,
    allWords: r.allWords,
    corrected: r.corrected,
    corrections: r.corrections,
    results: r.results.map((x) => ({ id: x.id, score: x.score, doc: x.doc, excerpt: x.excerpt, allWords: x.allWords })),
    facets: r.facets,
    first: { total: first.total, docs: first.results.map((x) => x.doc) },
    files: fetched,
  });
}
process.stdout.write(JSON.stringify(out));
