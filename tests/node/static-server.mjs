// A static file server for the browser tests: serves SITE under PREFIX on 127.0.0.1 (a sub-path,
// so a site's links must be relative to work), records each path served, and answers 404 for
// anything outside; answers a single byte range with 206 (a range as `path#first-last` in
// `served`). Shared by ui-test.mjs and inject-test.mjs.
import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".gz": "application/gzip", ".json": "application/json", ".xml": "application/xml" };

// Returns { server, base, served }: `base` is the site's URL, `served` the paths served so far.
export async function serveStatic(site, prefix) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); return res.end(); }
    let file = path.join(site, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(site)) { res.writeHead(403); return res.end(); }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      const data = await readFile(file);
      const type = types[path.extname(file)] || "application/octet-stream";
      // Byte ranges, as static hosts answer them (the search client's passages).
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
      if (range && Number(range[1]) <= Number(range[2]) && Number(range[2]) < data.length) {
        served.push(`${url.pathname}#${range[1]}-${range[2]}`);
        res.writeHead(206, { "content-type": type, "content-range": `bytes ${range[1]}-${range[2]}/${data.length}` });
        return res.end(data.subarray(Number(range[1]), Number(range[2]) + 1));
      }
      served.push(url.pathname);
      res.writeHead(200, { "content-type": type });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${server.address().port}${prefix}`, served };
}
