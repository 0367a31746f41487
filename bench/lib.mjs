// Helpers shared by search-bench.mjs and ndcg.mjs: running commands, walking folders, a static
// file server on 127.0.0.1 that counts the bytes it sends, statistics and machine information.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { chmod, copyFile, open, readFile, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.dirname(benchDir);
export const PMARCHIVE = process.env.PMARCHIVE || path.join(repoDir, "target/release/pmarchive");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

// Realistic queries. `pf` is what Pagefind is given where its syntax differs (it has no
// `factor:` filter syntax and no filters are configured in the theme: the filter is dropped).
export const QUERIES = [
  { q: "database failover lost writes", kind: "natural language" },
  { q: "certificate expired", kind: "two words" },
  { q: "kafka", kind: "single word" },
  { q: "oomkilled", kind: "single word (error)" },
  { q: "retry storm overwhelms auth", kind: "natural language" },
  { q: "thundering herd after cache restart", kind: "natural language" },
  { q: '"no space left on device"', kind: "phrase" },
  { q: '"leap second"', kind: "phrase" },
  { q: "certif", prefix: true, kind: "prefix (typing)" },
  { q: "connection pool exha", prefix: true, kind: "words + prefix (typing)" },
  { q: "factor:dns timeout", pf: "timeout", kind: "filter + word" },
  { q: "payments rollback failed clock skew", kind: "natural language, long" },
  { q: "certifcate expird", kind: "two typos (corrected)" },
  { q: "dns -ttl", kind: "word, exclusion" },
];

/** Runs a command, returns { code, stdout, stderr, ms } (wall clock). Throws on failure. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const r = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms };
      if (code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${r.stderr.slice(-4000)}`));
      } else resolve(r);
    });
  });
}

/** Every file under dir: [{ rel, size }], rel with forward slashes. */
export async function walk(dir, base = dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, base)));
    else if (e.isFile()) out.push({ rel: path.relative(base, p).split(path.sep).join("/"), size: (await stat(p)).size });
  }
  return out;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".gz": "application/gzip", ".svg": "image/svg+xml",
  ".xml": "application/xml",
};

/**
 * Serves `root` on 127.0.0.1 (no compression, no caching headers beyond the defaults), plus
 * the in-memory `extra` pages ({ "/path": html }). Every response is logged as
 * { path, bytes } (body bytes sent) in server.log, which the caller resets.
 */
export async function serve(root, extra = {}, { delay = 0 } = {}) {
  const log = [];
  const server = createServer(async (req, res) => {
    // `delay` ms before each answer: a network's round trip, which loopback does not have.
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const url = new URL(req.url, "http://x");
    if (extra[url.pathname] !== undefined) {
      // An HTML page, or { type, body }.
      const e = extra[url.pathname], type = e.type ?? "text/html; charset=utf-8";
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      return res.end(e.body ?? e);
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
    try {
      let info = await stat(file);
      if (info.isDirectory()) (file = path.join(file, "index.html")), (info = await stat(file));
      // A single byte range, as static hosts answer it (the search client's passages): only
      // those bytes are read, as nginx or a CDN would (not the whole file for each range).
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
      if (range && Number(range[1]) <= Number(range[2]) && Number(range[2]) < info.size) {
        const part = Buffer.alloc(Number(range[2]) - Number(range[1]) + 1);
        const fh = await open(file);
        try {
          await fh.read(part, 0, part.length, Number(range[1]));
        } finally {
          await fh.close();
        }
        log.push({ path: url.pathname, bytes: part.length, range: `${range[1]}-${range[2]}` });
        res.writeHead(206, {
          "content-type": TYPES[path.extname(file)] || "application/octet-stream",
          "content-length": part.length,
          "content-range": `bytes ${range[1]}-${range[2]}/${info.size}`,
        });
        return res.end(part);
      }
      const data = await readFile(file);
      log.push({ path: url.pathname, bytes: data.length });
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] || "application/octet-stream",
        "content-length": data.length,
      });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, log, base: `http://127.0.0.1:${server.address().port}` };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const kb = (n) => (n / 1024).toFixed(1) + " KiB";
export const mb = (n) => (n / 1024 / 1024).toFixed(2) + " MiB";
export const ms = (n) => (n < 10 ? n.toFixed(2) : n.toFixed(1)) + " ms";

/**
 * Copies the pmarchive binary into `dir` (so a rebuild of target/release during a run cannot
 * mix two versions) and returns { bin, identity } for the report.
 */
export async function snapshotBinary(dir) {
  const bin = path.join(dir, "pmarchive");
  await copyFile(PMARCHIVE, bin);
  await chmod(bin, 0o755);
  const st = statSync(PMARCHIVE);
  const hash = createHash("sha256").update(readFileSync(bin)).digest("hex").slice(0, 12);
  const version = spawnSync(bin, ["--version"]).stdout.toString().trim();
  return { bin, identity: `${version}, ${path.relative(process.cwd(), PMARCHIVE) || PMARCHIVE} (sha256 ${hash}…, built ${st.mtime.toISOString().replace(/\.\d+Z$/, "Z")})` };
}

export function machineInfo() {
  const cpus = os.cpus();
  let distro = "";
  try {
    const osr = spawnSync("sh", ["-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]).stdout.toString().trim();
    distro = osr;
  } catch {}
  const ver = (cmd, args) => {
    try {
      const r = spawnSync(cmd, args);
      return (r.stdout.toString() + r.stderr.toString()).trim().split("\n")[0];
    } catch {
      return "?";
    }
  };
  return {
    cpu: `${cpus[0]?.model ?? "?"} (${cpus.length} logical cores visible)`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${distro || os.type()} (${os.release()})`,
    node: process.version,
    chromium: ver(CHROMIUM, ["--version"]),
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(" "),
  };
}

export function table(header, rows) {
  const line = (cells) => "| " + cells.join(" | ") + " |";
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
