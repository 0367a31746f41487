// A static file server for the browser tests: serves SITE under PREFIX on 127.0.0.1 (a sub-path,
// so a site's links must be relative to work), records each path served, and answers 404 for
// anything outside. Shared by ui-test.mjs and inject-test.mjs.
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
      served.push(url.pathname);
      res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${server.address().port}${prefix}`, served };
}
