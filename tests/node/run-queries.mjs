// Runs queries through the browser client (search/pmsearch.js of a built site) in Node, reading
// the exported files from disk. Usage: node run-queries.mjs SITE_DIR QUERIES_JSON
// QUERIES_JSON: [{ "query": "...", "prefix": bool, "limit": n }]. Prints one JSON array of
// { total, results: [{ id, score, doc }], facets } per query.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [site, queriesFile] = process.argv.slice(2);
const searchDir = path.join(site, "search");
const { search } = await import(pathToFileURL(path.join(searchDir, "pmsearch.js")).href);
const queries = JSON.parse(await readFile(queriesFile, "utf8"));
let bytes = 0;
const fetcher = async (url) => {
  const file = path.join(searchDir, String(url).replace(/^search:\/\//, "").replace(/\?.*$/, ""));
  const data = await readFile(file);
  bytes += data.length;
  return new Response(data);
};
const out = [];
for (const q of queries) {
  const r = await search(q.query, {
    baseUrl: "search://",
    fetch: fetcher,
    prefix: q.prefix ?? false,
    limit: q.limit ?? 10,
  });
  out.push({
    total: r.total,
    results: r.results.map((x) => ({ id: x.id, score: x.score, doc: x.doc, excerpt: x.excerpt })),
    facets: r.facets,
  });
}
process.stdout.write(JSON.stringify(out));
