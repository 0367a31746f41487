// pmsearch.js: the pmarchive search client. An ES module without dependencies, for browsers
// and Node 20+. It reads the static index that `pmarchive build` exports under search/ (format
// version 1, documented in src/search/export.rs) and ranks exactly as tantivy does: the same
// analyzer (simple tokenizer, long-token removal, lowercasing, English stop words, Porter2
// stemming), the same query rules, and BM25 in f32 arithmetic with tantivy's constants.
//
//   import { search } from "./search/pmsearch.js";
//   const { total, results, facets } = await search("dns outage", { baseUrl: "/search/" });

const VERSION = 1;
const K1 = Math.fround(1.2);
const B = Math.fround(0.75);
const f = Math.fround;

// ---------------------------------------------------------------- loading

const indexes = new Map();

function joinUrl(base, path) {
  if (base instanceof URL) return new URL(path, base).href;
  return base.endsWith("/") ? base + path : base + "/" + path;
}

async function fetchBytes(url, fetcher) {
  const response = await fetcher(url);
  if (!response.ok) throw new Error(`pmsearch: ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Hosts that add Content-Encoding: gzip themselves hand us the decompressed bytes.
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const utf8 = new TextDecoder();
const utf8enc = new TextEncoder();

class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.i = 0;
  }
  varint() {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = this.b[this.i++];
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
      shift += 7;
    }
  }
  u8() {
    return this.b[this.i++];
  }
  str() {
    const n = this.varint();
    const s = utf8.decode(this.b.subarray(this.i, this.i + n));
    this.i += n;
    return s;
  }
}

/** Compares strings by code point (= UTF-8 byte order, the order of the index). */
function cmp(a, b) {
  if (a === b) return 0;
  const x = Array.from(a);
  const y = Array.from(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length - y.length < 0 ? -1 : x.length === y.length ? 0 : 1;
}

/** Index of the last chunk whose first key is <= key (0 when none). */
function chunkFor(firsts, key) {
  let lo = 0;
  let hi = firsts.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(firsts[mid], key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

class Index {
  constructor(baseUrl, fetcher) {
    this.baseUrl = baseUrl;
    this.fetcher = fetcher;
    this.cache = new Map();
  }

  async load() {
    const bytes = await fetchBytes(joinUrl(this.baseUrl, "manifest.gz"), this.fetcher);
    const m = JSON.parse(utf8.decode(bytes));
    if (m.version !== VERSION) {
      throw new Error(`pmsearch: index format ${m.version}, client reads ${VERSION}`);
    }
    this.m = m;
    this.stop = new Set(m.stop_words);
    this.n = m.docs;
    this.avg = m.fields.map((fd) => f(f(fd.total_tokens) / f(m.docs)));
    // BM25 length normalisation per field and fieldnorm id, as tantivy caches it.
    this.norm = this.avg.map((avg) =>
      m.fieldnorms.map((len) => f(K1 * f(f(1 - B) + f(f(B * f(len)) / avg))))
    );
    return this;
  }

  file(path) {
    if (!this.cache.has(path)) {
      const url = joinUrl(this.baseUrl, path) + "?v=" + this.m.build;
      const p = fetchBytes(url, this.fetcher);
      p.catch(() => this.cache.delete(path));
      this.cache.set(path, p);
    }
    return this.cache.get(path);
  }

  async termChunk(i) {
    const key = "t:" + i;
    if (!this.cache.has(key)) {
      this.cache.set(
        key,
        this.file(`t/${i}.gz`).then((bytes) => {
          const r = new Reader(bytes);
          const count = r.varint();
          const terms = new Map();
          const order = [];
          for (let t = 0; t < count; t++) {
            const term = r.str();
            const nfields = r.varint();
            const fields = [];
            for (let k = 0; k < nfields; k++) {
              const field = r.varint();
              const df = r.varint();
              const docs = new Uint32Array(df);
              const tfs = new Uint32Array(df);
              const norms = new Uint8Array(df);
              let doc = 0;
              for (let j = 0; j < df; j++) {
                doc += r.varint();
                docs[j] = doc;
                tfs[j] = r.varint();
                norms[j] = r.u8();
              }
              fields.push({ field, docs, tfs, norms, positions: null });
            }
            terms.set(term, fields);
            order.push(fields);
          }
          return { terms, order, positions: false, index: i };
        })
      );
    }
    return this.cache.get(key);
  }

  async postings(term, withPositions) {
    if (this.m.terms.length === 0) return null;
    const i = chunkFor(this.m.terms, term);
    const chunk = await this.termChunk(i);
    if (withPositions && !chunk.positions) {
      const group = this.m.positions_group;
      const bytes = await this.file(`p/${Math.floor(i / group)}.gz`);
      if (!chunk.positions) {
        const r = new Reader(bytes);
        const k = r.varint();
        const lengths = [];
        for (let j = 0; j < k; j++) lengths.push(r.varint());
        for (let j = 0; j < i % group; j++) r.i += lengths[j];
        for (const fields of chunk.order) {
          for (const p of fields) {
            p.positions = new Array(p.docs.length);
            for (let j = 0; j < p.docs.length; j++) {
              const list = new Uint32Array(p.tfs[j]);
              let pos = 0;
              for (let k = 0; k < list.length; k++) {
                pos += r.varint();
                list[k] = pos;
              }
              p.positions[j] = list;
            }
          }
        }
        chunk.positions = true;
      }
    }
    return chunk.terms.get(term) || null;
  }

  async surfaceChunk(i) {
    const key = "s:" + i;
    if (!this.cache.has(key)) {
      this.cache.set(
        key,
        this.file(`s/${i}.gz`).then((bytes) => {
          const r = new Reader(bytes);
          const n = r.varint();
          const out = [];
          let prev = new Uint8Array(0);
          for (let j = 0; j < n; j++) {
            const shared = r.varint();
            const len = r.varint();
            const word = new Uint8Array(shared + len);
            word.set(prev.subarray(0, shared));
            word.set(r.b.subarray(r.i, r.i + len), shared);
            r.i += len;
            prev = word;
            out.push([utf8.decode(word), r.str()]);
          }
          return out;
        })
      );
    }
    return this.cache.get(key);
  }

  /** The terms a prefix stands for (same walk as SearchIndex::expand_prefix). */
  async expandPrefix(prefix) {
    const stems = new Set();
    if (this.m.surface.length === 0) return [];
    for (let i = chunkFor(this.m.surface, prefix); i < this.m.surface.length; i++) {
      const entries = await this.surfaceChunk(i);
      for (const [word, stem] of entries) {
        if (cmp(word, prefix) < 0) continue;
        if (!word.startsWith(prefix) || stems.size === this.m.max_prefix_terms) {
          return [...stems].sort(cmp);
        }
        stems.add(stem);
      }
    }
    return [...stems].sort(cmp);
  }

  async facets() {
    if (!this.facetDocs) {
      this.facetDocs = this.file("f.gz").then((bytes) => {
        const r = new Reader(bytes);
        const bitsetLen = Math.ceil(this.n / 8);
        return this.m.facets.map((facet) =>
          facet.values.map(() => {
            if (r.u8() === 1) {
              const docs = [];
              for (let b = 0; b < bitsetLen; b++) {
                const byte = r.u8();
                for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) docs.push(b * 8 + bit);
              }
              return Uint32Array.from(docs);
            }
            const n = r.varint();
            const docs = new Uint32Array(n);
            let d = 0;
            for (let j = 0; j < n; j++) {
              d += r.varint();
              docs[j] = d;
            }
            return docs;
          })
        );
      });
    }
    return this.facetDocs;
  }

  async doc(id) {
    const per = this.m.documents.per_chunk;
    const i = Math.floor(id / per);
    const key = "d:" + i;
    if (!this.cache.has(key)) {
      this.cache.set(
        key,
        this.file(`d/${i}.gz`).then((b) =>
          JSON.parse(utf8.decode(b)).map(([id, url, title, date, severity, excerpt]) => ({
            id, url, title, date, severity, excerpt,
          }))
        )
      );
    }
    return (await this.cache.get(key))[id - i * per];
  }
}

// ---------------------------------------------------------------- analysis

const TOKEN = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/gu;

function surfaceTokens(text) {
  const out = [];
  for (const m of text.matchAll(TOKEN)) {
    if (utf8enc.encode(m[0]).length < 40) out.push(m[0].toLowerCase());
  }
  return out;
}

function analyze(text, stop) {
  return analyzeWithOffsets(text, stop).map(([, t]) => t);
}

/** Terms with positions relative to the first kept term (removed tokens leave gaps). */
function analyzeWithOffsets(text, stop) {
  const out = [];
  let pos = 0;
  for (const m of text.matchAll(TOKEN)) {
    const here = pos++;
    if (utf8enc.encode(m[0]).length >= 40) continue;
    const t = m[0].toLowerCase();
    if (!stop.has(t)) out.push([here, stem(t)]);
  }
  const first = out.length ? out[0][0] : 0;
  return out.map(([p, t]) => [p - first, t]);
}

// Porter2 (Snowball English) stemmer, as rust-stemmers implements it.
const isV = (c) => c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";
const isVWXY = (c) => isV(c) || c === "w" || c === "x" || c === "Y";
const EXCEPTION1 = {
  skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl",
  gently: "gentl", ugly: "ugli", early: "earli", only: "onli", singly: "singl",
  sky: "sky", news: "news", howe: "howe", atlas: "atlas", cosmos: "cosmos", bias: "bias",
  andes: "andes",
};
const EXCEPTION2 = new Set([
  "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed",
]);
const STEP2 = [
  ["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"],
  ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"],
  ["entli", "ent"], ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"],
  ["iviti", "ive"], ["fulli", "ful"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"],
  ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"], ["ogi", null], ["li", null],
];
const STEP3 = [
  ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
  ["ative", null], ["ical", "ic"], ["ness", ""], ["ful", ""],
];
const STEP4 = [
  "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous",
  "ive", "ize", "ion", "al", "er", "ic",
];
const DOUBLES = new Set(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"]);

function shortv(w) {
  const n = w.length;
  if (n >= 3 && !isV(w[n - 3]) && isV(w[n - 2]) && !isVWXY(w[n - 1])) return true;
  return n === 2 && isV(w[0]) && !isV(w[1]);
}

function longest(w, list) {
  for (const entry of list) {
    const s = Array.isArray(entry) ? entry[0] : entry;
    if (w.endsWith(s)) return entry;
  }
  return null;
}

/** Porter2 stem of one lowercased token. */
export function stem(word) {
  if (Object.prototype.hasOwnProperty.call(EXCEPTION1, word)) return EXCEPTION1[word];
  if (Array.from(word).length < 3) return word;
  let w = Array.from(word);
  if (w[0] === "'") w = w.slice(1);
  if (w[0] === "y") w[0] = "Y";
  for (let i = 1; i < w.length; i++) if (w[i] === "y" && isV(w[i - 1])) w[i] = "Y";
  let s = w.join("");
  // Regions (indices in code units equal code points here only for ASCII; we keep arrays).
  const chars = Array.from(s);
  const limit = chars.length;
  let p1 = limit;
  let p2 = limit;
  const after = (from) => {
    let i = from;
    while (i < limit && !isV(chars[i])) i++;
    if (i >= limit) return limit;
    i++;
    while (i < limit && isV(chars[i])) i++;
    return i >= limit ? limit : i + 1;
  };
  const pre = ["gener", "commun", "arsen"].find((p) => s.startsWith(p));
  p1 = pre ? pre.length : after(0);
  p2 = after(p1);

  // Work on an array of code points; suffixes are ASCII.
  let a = chars;
  const ends = (suf) => a.length >= suf.length && a.slice(a.length - suf.length).join("") === suf;
  const cut = (n) => {
    a = a.slice(0, a.length - n);
  };
  const hasVowel = (arr) => arr.some(isV);

  // Step 1a
  if (ends("'s'")) cut(3);
  else if (ends("'s")) cut(2);
  else if (ends("'")) cut(1);
  if (ends("sses")) {
    cut(2);
  } else if (ends("ied") || ends("ies")) {
    const keep = a.length - 3 >= 2 ? "i" : "ie";
    cut(3);
    a = a.concat(Array.from(keep));
  } else if (ends("us") || ends("ss")) {
    // unchanged
  } else if (ends("s")) {
    if (a.length >= 2 && hasVowel(a.slice(0, a.length - 2))) cut(1);
  }
  if (!EXCEPTION2.has(a.join(""))) {
    // Step 1b
    const s1b = longest(a.join(""), ["eedly", "ingly", "edly", "eed", "ing", "ed"]);
    if (s1b === "eed" || s1b === "eedly") {
      if (a.length - s1b.length >= p1) {
        cut(s1b.length);
        a = a.concat(["e", "e"]);
      }
    } else if (s1b) {
      const base = a.slice(0, a.length - s1b.length);
      if (hasVowel(base)) {
        a = base;
        const tail = a.slice(-2).join("");
        if (tail === "at" || tail === "bl" || tail === "iz") a.push("e");
        else if (DOUBLES.has(tail)) cut(1);
        else if (p1 === a.length && shortv(a)) a.push("e");
      }
    }
    // Step 1c
    const n = a.length;
    if (n >= 3 && (a[n - 1] === "y" || a[n - 1] === "Y") && !isV(a[n - 2])) a[n - 1] = "i";
    // Step 2
    const s2 = longest(a.join(""), STEP2);
    if (s2 && a.length - s2[0].length >= p1) {
      const start = a.length - s2[0].length;
      if (s2[0] === "ogi") {
        if (start > 0 && a[start - 1] === "l") {
          cut(3);
          a = a.concat(["o", "g"]);
        }
      } else if (s2[0] === "li") {
        if (start > 0 && "cdeghkmnrt".includes(a[start - 1])) cut(2);
      } else {
        cut(s2[0].length);
        a = a.concat(Array.from(s2[1]));
      }
    }
    // Step 3
    const s3 = longest(a.join(""), STEP3);
    if (s3 && a.length - s3[0].length >= p1) {
      const start = a.length - s3[0].length;
      if (s3[0] === "ative") {
        if (start >= p2) cut(5);
      } else {
        cut(s3[0].length);
        a = a.concat(Array.from(s3[1]));
      }
    }
    // Step 4
    const s4 = longest(a.join(""), STEP4);
    if (s4 && a.length - s4.length >= p2) {
      const start = a.length - s4.length;
      if (s4 === "ion") {
        if (start > 0 && (a[start - 1] === "s" || a[start - 1] === "t")) cut(3);
      } else {
        cut(s4.length);
      }
    }
    // Step 5
    const last = a[a.length - 1];
    const start = a.length - 1;
    if (last === "e") {
      if (start >= p2 || (start >= p1 && !shortv(a.slice(0, start)))) cut(1);
    } else if (last === "l") {
      if (start >= p2 && a[start - 1] === "l") cut(1);
    }
  }
  return a.join("").replace(/Y/g, "y");
}

// ---------------------------------------------------------------- queries

const FACETS = ["severity", "year", "factor", "service", "team", "tag"];

function slugify(s) {
  let out = "";
  let dash = false;
  for (const c of s) {
    if (/^[A-Za-z0-9]$/.test(c)) {
      if (dash && out.length) out += "-";
      dash = false;
      out += c.toLowerCase();
    } else {
      dash = true;
    }
  }
  return (out || "x").slice(0, 120);
}

function normaliseFilter(facet, value) {
  return facet === "severity" || facet === "year" ? value.trim().toLowerCase() : slugify(value);
}

const isSpace = (c) => /\s/u.test(c) && c !== "\uFEFF";

/** Parses a query exactly like `search::parse_query` in pmarchive. */
export function parseQuery(input, prefix, stop) {
  const q = { terms: [], phrases: [], prefix: null, filters: [] };
  const push = (t) => {
    if (!q.terms.includes(t)) q.terms.push(t);
  };
  const chars = Array.from(input);
  let i = 0;
  let lastWord = null;
  while (i < chars.length) {
    const c = chars[i];
    if (isSpace(c)) {
      i++;
      lastWord = null;
      continue;
    }
    if (c === '"') {
      const start = i + 1;
      let end = start;
      while (end < chars.length && chars[end] !== '"') end++;
      const ts = analyzeWithOffsets(chars.slice(start, end).join(""), stop);
      if (ts.length === 1) push(ts[0][1]);
      else if (ts.length > 1 && !q.phrases.some((p) => JSON.stringify(p) === JSON.stringify(ts))) {
        q.phrases.push(ts);
      }
      i = Math.min(end + 1, chars.length);
      lastWord = null;
      continue;
    }
    const start = i;
    while (i < chars.length && !isSpace(chars[i])) i++;
    const chunk = chars.slice(start, i).join("");
    const colon = chunk.indexOf(":");
    if (colon >= 0) {
      const key = chunk.slice(0, colon).toLowerCase();
      if (FACETS.includes(key)) {
        let value = chunk.slice(colon + 1);
        if (value.startsWith('"')) {
          let v = value.slice(1);
          if (!v.endsWith('"') || v === "") {
            while (i < chars.length && chars[i] !== '"') v += chars[i++];
            i = Math.min(i + 1, chars.length);
          }
          value = v.replace(/"+$/, "");
        }
        if (value.trim() !== "") {
          const filter = { facet: key, value: normaliseFilter(key, value) };
          if (!q.filters.some((x) => x.facet === filter.facet && x.value === filter.value)) {
            q.filters.push(filter);
          }
        }
        lastWord = null;
        continue;
      }
    }
    for (const t of analyze(chunk, stop)) push(t);
    const surface = surfaceTokens(chunk);
    lastWord = i === chars.length && surface.length ? surface[surface.length - 1] : null;
  }
  if (prefix && lastWord && Array.from(lastWord).length >= 3) q.prefix = lastWord;
  return q;
}

// ---------------------------------------------------------------- scoring

function idf(df, n) {
  const x = f(f(f(n - df) + 0.5) / f(df + 0.5));
  return f(Math.log(f(1 + x)));
}

function addScore(scores, doc, s) {
  const prev = scores.get(doc);
  scores.set(doc, prev === undefined ? s : f(prev + s));
}

function phraseCount(lists, offsets) {
  // Positions of term k shifted by its offset; count positions present in every list.
  let current = lists[0];
  for (let k = 1; k < lists.length; k++) {
    const next = new Set(Array.from(lists[k], (p) => p - offsets[k]));
    current = current.filter((p) => next.has(p));
    if (current.length === 0) return 0;
  }
  return current.length;
}

async function scoreQuery(index, q) {
  const m = index.m;
  const scores = new Map();
  let terms = q.terms.slice();
  if (q.prefix) {
    for (const t of await index.expandPrefix(q.prefix)) if (!terms.includes(t)) terms.push(t);
  }
  const hasText = terms.length > 0 || q.phrases.length > 0;
  if (!hasText && (q.terms.length || q.phrases.length || q.prefix)) return null;
  const perTerm = await Promise.all(terms.map((t) => index.postings(t, false)));
  perTerm.forEach((fields) => {
    if (!fields) return;
    for (const p of fields) {
      const weight = f(idf(p.docs.length, index.n) * f(1 + K1));
      const norm = index.norm[p.field];
      const boost = f(m.fields[p.field].boost);
      for (let j = 0; j < p.docs.length; j++) {
        const tf = f(p.tfs[j]);
        const s = f(weight * f(tf / f(tf + norm[p.norms[j]])));
        addScore(scores, p.docs[j], f(s * boost));
      }
    }
  });
  for (const phrase of q.phrases) {
    const lists = await Promise.all(phrase.map(([, t]) => index.postings(t, true)));
    const offsets = phrase.map(([o]) => o);
    if (lists.some((l) => !l)) continue;
    for (let field = 0; field < m.fields.length; field++) {
      const per = lists.map((fields) => fields.find((p) => p.field === field));
      if (per.some((p) => !p)) continue;
      let idfSum = f(0);
      for (const p of per) idfSum = f(idfSum + idf(p.docs.length, index.n));
      const weight = f(idfSum * f(1 + K1));
      const maps = per.map((p) => new Map(Array.from(p.docs, (d, j) => [d, j])));
      const boost = f(m.fields[field].boost);
      const norm = index.norm[field];
      for (let j = 0; j < per[0].docs.length; j++) {
        const doc = per[0].docs[j];
        const idx = maps.map((mp) => mp.get(doc));
        if (idx.some((x) => x === undefined)) continue;
        const count = phraseCount(
          per.map((p, k) => Array.from(p.positions[idx[k]])),
          offsets
        );
        if (count === 0) continue;
        const tf = f(count);
        const s = f(weight * f(tf / f(tf + norm[per[0].norms[j]])));
        addScore(scores, doc, f(s * boost));
      }
    }
  }
  return { scores, hasText, terms };
}

// ---------------------------------------------------------------- results

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** The excerpt as HTML: escaped text, query words in <mark>, trimmed around the first match. */
export function excerpt(text, terms, stop, max = 220) {
  const wanted = new Set(terms);
  const marks = [];
  for (const m of text.matchAll(TOKEN)) {
    const lower = m[0].toLowerCase();
    if (!stop.has(lower) && wanted.has(stem(lower))) marks.push([m.index, m.index + m[0].length]);
  }
  let from = 0;
  if (marks.length && marks[0][0] > max / 2) {
    from = text.lastIndexOf(" ", marks[0][0] - 40) + 1;
  }
  let to = Math.min(text.length, from + max);
  if (to < text.length) {
    const sp = text.lastIndexOf(" ", to);
    if (sp > from) to = sp;
  }
  let out = from > 0 ? "… " : "";
  let at = from;
  for (const [s, e] of marks) {
    if (s < from || e > to) continue;
    out += escapeHtml(text.slice(at, s)) + "<mark>" + escapeHtml(text.slice(s, e)) + "</mark>";
    at = e;
  }
  out += escapeHtml(text.slice(at, to)) + (to < text.length ? " …" : "");
  return out;
}

async function open(baseUrl, fetcher) {
  const key = String(baseUrl);
  if (!indexes.has(key)) {
    const p = new Index(baseUrl, fetcher).load();
    p.catch(() => indexes.delete(key));
    indexes.set(key, p);
  }
  return indexes.get(key);
}

/**
 * Searches the archive.
 * options: baseUrl (where search/ is served; default: beside this module), limit (10),
 * offset (0), filters ({ factor: "dns", ... } or [{facet, value}]), prefix (true: the last
 * word also matches as a prefix), facets (true: compute facet counts), fetch (a fetch
 * implementation).
 * Returns { total, results: [{ id, url, title, date, severity, score, excerpt }], facets }.
 */
export async function search(query, options = {}) {
  const baseUrl = options.baseUrl ?? new URL(".", import.meta.url);
  const fetcher = options.fetch ?? ((u) => fetch(u));
  const limit = options.limit ?? 10;
  const offset = options.offset ?? 0;
  const index = await open(baseUrl, fetcher);
  const q = parseQuery(query, options.prefix ?? true, index.stop);
  const extra = Array.isArray(options.filters)
    ? options.filters
    : Object.entries(options.filters ?? {}).flatMap(([facet, v]) =>
        (Array.isArray(v) ? v : [v]).map((value) => ({ facet, value }))
      );
  for (const x of extra) {
    const filter = { facet: x.facet, value: normaliseFilter(x.facet, String(x.value)) };
    if (!q.filters.some((y) => y.facet === filter.facet && y.value === filter.value)) {
      q.filters.push(filter);
    }
  }
  const empty = { total: 0, results: [], facets: {} };
  const scored = await scoreQuery(index, q);
  if (!scored) return empty;
  let docs;
  if (scored.hasText) {
    docs = [...scored.scores.keys()];
  } else if (q.filters.length) {
    docs = Array.from({ length: index.n }, (_, i) => i);
  } else {
    return empty;
  }
  let facetDocs = null;
  if (q.filters.length || options.facets !== false) facetDocs = await index.facets();
  for (const flt of q.filters) {
    const fi = index.m.facets.findIndex((x) => x.name === flt.facet);
    const vi = fi < 0 ? -1 : index.m.facets[fi].values.findIndex((v) => v.value === flt.value);
    const allowed = new Set(vi < 0 ? [] : facetDocs[fi][vi]);
    docs = docs.filter((d) => allowed.has(d));
  }
  const score = (d) => (scored.hasText ? scored.scores.get(d) : 0);
  docs.sort((a, b) => score(b) - score(a) || a - b);
  const facets = {};
  if (options.facets !== false && facetDocs) {
    const matched = new Set(docs);
    index.m.facets.forEach((facet, fi) => {
      const values = [];
      facet.values.forEach((v, vi) => {
        let count = 0;
        for (const d of facetDocs[fi][vi]) if (matched.has(d)) count++;
        if (count) values.push({ value: v.value, label: v.label, count });
      });
      values.sort((a, b) => b.count - a.count || cmp(a.value, b.value));
      facets[facet.name] = values;
    });
  }
  const page = docs.slice(offset, offset + limit);
  const highlight = scored.terms.concat(q.phrases.flatMap((p) => p.map(([, t]) => t)));
  const results = await Promise.all(
    page.map(async (d) => {
      const doc = await index.doc(d);
      return {
        id: doc.id,
        url: doc.url,
        title: doc.title,
        date: doc.date,
        severity: doc.severity,
        score: score(d),
        excerpt: excerpt(doc.excerpt || "", highlight, index.stop),
        doc: d,
      };
    })
  );
  return { total: docs.length, results, facets };
}
