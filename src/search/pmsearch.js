// pmsearch.js: pmarchive's search client (ES module, no dependencies; browsers, Node 20+). Reads
// search/ (src/search/export.rs; the manifest names format and facets), ranks exactly as
// tantivy (same analyzer and query rules, BM25 in f32). Compact on purpose: every browser
// fetches it before its first result.
//   import { search } from "./search/pmsearch.js";
//   const { total, results, facets } = await search("dns outage", { baseUrl: "/search/" });
// Also: typo correction (`corrected`), `-word` / `-"phrase"` exclusion, how many results hold
// every word (`allWords`), excerpts from the passage that matched (fetched by byte range).

// The index format this client reads: FORMAT_VERSION in export.rs (a unit test there holds them equal).
const FORMAT = 4;
const f = Math.fround, K1 = f(1.2), B = f(0.75), dec = new TextDecoder(), enc = new TextEncoder();

// ---------------------------------------------------------------- files

const join = (base, path) => (base instanceof URL ? new URL(path, base).href : base.replace(/\/?$/, "/") + path);

async function get(url, fetcher) {
  const r = await fetcher(url);
  if (!r.ok) throw new Error(`pmsearch: ${url}: HTTP ${r.status}`);
  const b = new Uint8Array(await r.arrayBuffer());
  return gunzip(b);
}

// A host that sends Content-Encoding: gzip has decompressed it already.
const gunzip = async (b) =>
  b[0] !== 0x1f || b[1] !== 0x8b ? b : new Uint8Array(await new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());

class Reader {
  constructor(b) { this.b = b; this.i = 0; }
  n() { let v = 0, s = 1, x; do { x = this.b[this.i++]; v += (x & 127) * s; s *= 128; } while (x > 127); return v; }
  bytes(n) { return this.b.subarray(this.i, (this.i += n)); }
  s() { return dec.decode(this.bytes(this.n())); }
}

/** Code point order (= UTF-8 byte order, the index's order). */
function cmp(a, b) {
  if (a === b) return 0;
  const x = [...a], y = [...b];
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i].codePointAt(0) < y[i].codePointAt(0) ? -1 : 1;
  return x.length < y.length ? -1 : 1;
}

/** The last file whose first key is <= key (0 when none). */
function fileFor(firsts, key) {
  let lo = 0, hi = firsts.length - 1, at = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(firsts[mid], key) <= 0) (at = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return at;
}

/** A front-coded word list (src/search/export.rs): a count, then each word as the length of
 * the prefix it shares with the one before and the rest; `more(r)` reads what follows a word. */
function frontCoded(b, more) {
  const r = new Reader(b), out = [];
  let prev = new Uint8Array(0);
  for (let n = r.n(); n--; ) {
    const shared = r.n(), rest = r.bytes(r.n()), w = new Uint8Array(shared + rest.length);
    w.set(prev.subarray(0, shared));
    w.set(rest, shared);
    out.push([dec.decode((prev = w)), more(r)]);
  }
  return out;
}

class Index {
  constructor(base, fetcher) { this.base = base; this.fetcher = fetcher; this.cache = new Map(); }

  async load() {
    const m = (this.m = JSON.parse(dec.decode(await get(join(this.base, "manifest.gz"), this.fetcher))));
    if (m.version !== FORMAT) throw new Error(`pmsearch: index format ${m.version}, client reads ${FORMAT}`);
    this.stop = new Set(m.stop_words);
    this.n = m.docs;
    // BM25 length normalisation per field and fieldnorm id, as tantivy caches it.
    this.norm = m.fields.map((x) => {
      const avg = f(f(x.total_tokens) / f(m.docs));
      return m.fieldnorms.map((len) => f(K1 * f(f(1 - B) + f(f(B * f(len)) / avg))));
    });
    return this;
  }

  /** A file, fetched and parsed once. */
  file(path, parse) {
    let p = this.cache.get(path);
    if (!p) {
      p = get(join(this.base, path) + "?v=" + this.m.build, this.fetcher).then(parse);
      p.catch(() => this.cache.delete(path));
      this.cache.set(path, p);
    }
    return p;
  }

  /** A term's postings [{ field, docs, tfs, norms, pos }] or null; pos with `positions`. */
  async postings(term, positions) {
    const m = this.m;
    if (!m.terms.length) return null;
    const terms = await this.file(`t/${fileFor(m.terms, term)}.gz`, (b) => {
      const r = new Reader(b), out = new Map();
      for (let n = r.n(); n--; ) {
        const t = r.s(), fields = [];
        for (let k = r.n(); k--; ) {
          const field = r.n(), df = r.n(), docs = new Uint32Array(df), tfs = new Uint32Array(df);
          for (let j = 0, d = 0; j < df; j++) docs[j] = d += r.n();
          for (let j = 0; j < df; j++) tfs[j] = r.n() + 1;
          fields.push({ field, docs, tfs, norms: r.bytes(df), pos: null });
        }
        out.set(t, fields);
      }
      return out;
    });
    const fields = terms.get(term);
    if (fields && positions && !fields[0].pos) {
      const all = await this.file(`p/${fileFor(m.positions, term)}.gz`, (b) => {
        const r = new Reader(b), out = new Map();
        for (let n = r.n(); n--; ) out.set(r.s(), r.bytes(r.n()));
        return out;
      });
      const r = new Reader(all.get(term));
      for (const p of fields) {
        p.pos = Array.from(p.tfs, (tf) => {
          const l = new Uint32Array(tf);
          for (let k = 0, x = 0; k < tf; k++) l[k] = x += r.n();
          return l;
        });
      }
    }
    return fields || null;
  }

  /** The terms a prefix stands for (the walk of SearchIndex::expand_prefix), sorted. */
  async expand(prefix) {
    const m = this.m, stems = new Set();
    for (let i = fileFor(m.surface, prefix); i < m.surface.length; i++) {
      const words = await this.file(`s/${i}.gz`, (b) => frontCoded(b, (r) => r.s()));
      for (const [w, t] of words) {
        if (cmp(w, prefix) < 0) continue;
        if (!w.startsWith(prefix) || stems.size === m.max_prefix_terms) return [...stems].sort(cmp);
        stems.add(t);
      }
    }
    return [...stems].sort(cmp);
  }

  /** Facet `i` (of manifest.facets): [[value, label, docs]]. */
  facet(i) {
    return this.file(`f/${i}.gz`, (b) => {
      const r = new Reader(b), out = [];
      for (let n = r.n(); n--; ) {
        const value = r.s(), label = r.s(), docs = [];
        if (r.bytes(1)[0]) {
          r.bytes(Math.ceil(this.n / 8)).forEach((x, k) => {
            for (let j = 0; j < 8; j++) if (x & (1 << j)) docs.push(k * 8 + j);
          });
        } else for (let c = r.n(), d = 0; c--; ) docs.push((d += r.n()));
        out.push([value, label, docs]);
      }
      return out;
    });
  }

  async doc(id) {
    const { per_chunk: per, url } = this.m.documents, i = Math.floor(id / per);
    const rows = await this.file(`d/${i}.gz`, (b) => JSON.parse(dec.decode(b)));
    const [docId, title, date, severity, offset, length] = rows[id - i * per];
    return { id: docId, url: url.split("{id}").join(docId), title, date, severity, offset, length };
  }

  /** Vocabulary words of `len` characters: [[word, df]], sorted. */
  vocab(len) {
    return this.file(`v/${len}.gz`, (b) => frontCoded(b, (r) => r.n()));
  }

  /** Bytes `first`..`last` of passages.bin, asked for at the URL with `query` appended:
   * { part, bytes }, part false when the host sent the whole file instead. */
  async range(query, first, last) {
    const url = join(this.base, "passages.bin") + "?v=" + this.m.build + query;
    const r = await this.fetcher(url, { headers: { Range: `bytes=${first}-${last}` } });
    if (!r.ok) throw new Error(`pmsearch: ${url}: HTTP ${r.status}`);
    return { part: r.status === 206, bytes: new Uint8Array(await r.arrayBuffer()) };
  }

  /** Whether the host honours byte ranges, asked once with the first byte of passages.bin
   * (beside the requests for the results' rows, so that their passages can then all be asked
   * for at once): { part: true } if it does; if it sent the whole file instead, { part: false,
   * bytes } and every document's passages are read from that. */
  probeRanges() {
    if (!this.probe) {
      this.probe = this.range("", 0, 0);
      this.probe.catch(() => (this.probe = null));
    }
    return this.probe;
  }

  /** A document's passages, the summary first: `length` bytes at `offset` of passages.bin, by
   * byte range (or from the whole file, if the host ignores ranges). */
  passages(offset, length) {
    const key = "passages.bin#" + offset;
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        let got = await this.probeRanges();
        // A URL of its own for each range (hosts ignore the query): a browser's HTTP cache
        // answers requests for one URL one after another, each waiting for the one before.
        if (got.part) got = await this.range("&at=" + offset, offset, offset + length - 1);
        const bytes = got.part ? got.bytes : got.bytes.subarray(offset, offset + length);
        return JSON.parse(dec.decode(await gunzip(bytes)));
      })();
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }
}

// ---------------------------------------------------------------- analysis

// A Chinese or Japanese character (Han, hiragana, katakana) is a token alone; other runs of
// alphanumeric characters are one token each (src/search/tokenizer.rs).
const CJK = "\\u3040-\\u30ff\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f\\u{20000}-\\u{3134f}";
const ALNUM = "\\p{Alphabetic}\\p{Nd}\\p{Nl}\\p{No}";
const TOKEN = new RegExp(`(?=[${ALNUM}])[${CJK}]|(?:(?![${CJK}])[${ALNUM}])+`, "gu");
// Letters beyond the Latin script: such words are not stemmed.
const NON_LATIN = /[^\u0000-\u024f]/u;

/** Lowercased tokens and positions; those of 40 bytes or more dropped (their position kept). */
function tokens(text) {
  const out = [];
  let pos = 0;
  for (const [t] of text.matchAll(TOKEN)) {
    if (enc.encode(t).length < 40) out.push([pos, t.toLowerCase()]);
    pos++;
  }
  return out;
}

/** Terms with positions relative to the first one kept (removed stop words leave gaps). */
function analyze(text, stop) {
  const out = tokens(text).filter(([, t]) => !stop.has(t));
  const first = out.length ? out[0][0] : 0;
  return out.map(([p, t]) => [p - first, stem(t)]);
}

// Porter2 (Snowball English) stemmer, as rust-stemmers implements it.
const V = (c) => "aeiouy".includes(c);
const EX1 = {
  skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl", gently: "gentl", ugly: "ugli",
  early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
  cosmos: "cosmos", bias: "bias", andes: "andes",
};
const EX2 = "inning outing canning herring earring proceed exceed succeed".split(" ");
// Suffix, replacement pairs: the first that ends the word applies ("-": special, "_": none).
const S2 = "ization ize ational ate fulness ful ousness ous iveness ive tional tion biliti ble lessli less entli ent ation ate alism al aliti al ousli ous iviti ive fulli ful enci ence anci ance abli able izer ize ator ate alli al bli ble ogi - li -".split(" ");
const S3 = "ational ate tional tion alize al icate ic iciti ic ative - ical ic ness _ ful _".split(" ");
const S4 = "ement ance ence able ible ment ant ent ism ate iti ous ive ize ion al er ic".split(" ");
const S1B = "eedly ingly edly eed ing ed".split(" ");
const DOUBLES = "bb dd ff gg mm nn pp rr tt".split(" ");

const shortv = (w, n = w.length) =>
  n >= 3 ? !V(w[n - 3]) && V(w[n - 2]) && !V(w[n - 1]) && !"wxY".includes(w[n - 1]) : n === 2 && V(w[0]) && !V(w[1]);

/** Porter2 stem of one lowercased token. */
export function stem(word) {
  if (NON_LATIN.test(word)) return word;
  if (Object.hasOwn(EX1, word)) return EX1[word];
  let a = [...word];
  if (a.length < 3) return word;
  if (a[0] === "'") a.shift();
  if (a[0] === "y") a[0] = "Y";
  for (let i = 1; i < a.length; i++) if (a[i] === "y" && V(a[i - 1])) a[i] = "Y";
  const L = a.length;
  const after = (i) => {
    while (i < L && !V(a[i])) i++;
    if (i++ >= L) return L;
    while (i < L && V(a[i])) i++;
    return i >= L ? L : i + 1;
  };
  const pre = ["gener", "commun", "arsen"].find((p) => a.join("").startsWith(p));
  const p1 = pre ? pre.length : after(0), p2 = after(p1);
  const ends = (x) => a.join("").endsWith(x);
  const cut = (n) => (a = a.slice(0, a.length - n));
  const suffix = (list, step = 1) => {
    for (let i = 0; i < list.length; i += step) if (ends(list[i])) return i;
    return -1;
  };
  // Step 1a
  if (ends("'s'")) cut(3);
  else if (ends("'s")) cut(2);
  else if (ends("'")) cut(1);
  if (ends("sses")) cut(2);
  else if (ends("ied") || ends("ies")) {
    const keep = a.length - 3 >= 2 ? "i" : "ie";
    cut(3);
    a.push(...keep);
  } else if (!ends("us") && !ends("ss") && ends("s") && a.length >= 2 && a.slice(0, -2).some(V)) cut(1);
  if (EX2.includes(a.join(""))) return a.join("").replace(/Y/g, "y");
  // Step 1b
  const x = S1B[suffix(S1B)];
  if (x === "eed" || x === "eedly") {
    if (a.length - x.length >= p1) cut(x.length), a.push("e", "e");
  } else if (x && a.slice(0, a.length - x.length).some(V)) {
    cut(x.length);
    const t = a.slice(-2).join("");
    if (t === "at" || t === "bl" || t === "iz") a.push("e");
    else if (DOUBLES.includes(t)) cut(1);
    else if (p1 === a.length && shortv(a)) a.push("e");
  }
  // Step 1c
  const n = a.length;
  if (n >= 3 && (a[n - 1] === "y" || a[n - 1] === "Y") && !V(a[n - 2])) a[n - 1] = "i";
  // Step 2
  let i = suffix(S2, 2);
  if (i >= 0 && a.length - S2[i].length >= p1) {
    const start = a.length - S2[i].length;
    if (S2[i] === "ogi") start > 0 && a[start - 1] === "l" && (cut(3), a.push("o", "g"));
    else if (S2[i] === "li") start > 0 && "cdeghkmnrt".includes(a[start - 1]) && cut(2);
    else cut(S2[i].length), a.push(...S2[i + 1]);
  }
  // Step 3
  i = suffix(S3, 2);
  if (i >= 0 && a.length - S3[i].length >= p1) {
    if (S3[i] !== "ative") cut(S3[i].length), a.push(...S3[i + 1].replace("_", ""));
    else if (a.length - 5 >= p2) cut(5);
  }
  // Step 4
  const s4 = S4[suffix(S4)];
  if (s4 && a.length - s4.length >= p2) {
    const start = a.length - s4.length;
    if (s4 !== "ion") cut(s4.length);
    else if (start > 0 && (a[start - 1] === "s" || a[start - 1] === "t")) cut(3);
  }
  // Step 5
  const last = a.length - 1;
  if (a[last] === "e") (last >= p2 || (last >= p1 && !shortv(a.slice(0, last)))) && cut(1);
  else if (a[last] === "l" && last >= p2 && a[last - 1] === "l") cut(1);
  return a.join("").replace(/Y/g, "y");
}

// ---------------------------------------------------------------- queries

const slug = (s) => (s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "x").slice(0, 120);
const normalise = (facet, v) => (facet === "severity" || facet === "year" ? v.trim().toLowerCase() : slug(v));
// Unicode White_Space, as Rust's char::is_whitespace.
const isSpace = (c) => /[\s\x85]/u.test(c) && c !== "\uFEFF";
const addFilter = (q, x) => q.filters.some((y) => y.facet === x.facet && y.value === x.value) || q.filters.push(x);

/** Parses a query exactly like `search::parse_query` in pmarchive; `facets`: the manifest's. */
export function parseQuery(input, prefix, stop, facets) {
  const q = { terms: [], phrases: [], prefix: null, filters: [], words: [], excluded: [], bare: [], corrections: [] };
  const add = (t) => q.terms.includes(t) || q.terms.push(t);
  const c = [...input];
  let i = 0, last = null;
  while (i < c.length) {
    if (isSpace(c[i])) {
      i++;
      last = null;
      continue;
    }
    if (c[i] === "-" && i + 1 < c.length && !isSpace(c[i + 1])) {
      i = exclusion(q, c, i, stop);
      last = null;
      continue;
    }
    if (c[i] === '"') {
      let end = ++i;
      while (end < c.length && c[end] !== '"') end++;
      const ts = analyze(c.slice(i, end).join(""), stop), key = JSON.stringify(ts);
      if (ts.length === 1) add(ts[0][1]);
      else if (ts.length > 1 && !q.phrases.some((p) => JSON.stringify(p) === key)) q.phrases.push(ts);
      i = Math.min(end + 1, c.length);
      last = null;
      continue;
    }
    const start = i;
    while (i < c.length && !isSpace(c[i])) i++;
    const chunk = c.slice(start, i).join(""), colon = chunk.indexOf(":"), facet = chunk.slice(0, colon).toLowerCase();
    if (colon >= 0 && facets.includes(facet)) {
      let v = chunk.slice(colon + 1);
      if (v[0] === '"') {
        // A quoted value may contain spaces: read to the closing quote.
        v = v.slice(1);
        if (!v.endsWith('"') || v === "") {
          while (i < c.length && c[i] !== '"') v += c[i++];
          i = Math.min(i + 1, c.length);
        }
        v = v.replace(/"+$/, "");
      }
      if (v.trim()) addFilter(q, { facet, value: normalise(facet, v) });
      last = null;
      continue;
    }
    const ts = analyze(chunk, stop), key = JSON.stringify(ts);
    for (const [, t] of ts) add(t), q.words.push(t);
    // A word the analyzer splits (an identifier) is also a phrase of its terms.
    if (ts.length > 1 && !q.phrases.some((p) => JSON.stringify(p) === key)) q.phrases.push(ts);
    const words = tokens(chunk);
    if (ts.length === 1 && words.length === 1) q.bare.push({ span: [start, i], word: words[0][1], term: ts[0][1] });
    last = i === c.length && words.length ? words[words.length - 1][1] : null;
  }
  if (prefix && last && [...last].length >= 3) q.prefix = last;
  return q;
}

/** Reads the exclusion (`-word` or `-"a phrase"`) at c[i] into q.excluded; returns where the
 * query goes on, as `parse_query` does. */
function exclusion(q, c, i, stop) {
  let end = i + 1, text, next;
  if (c[i + 1] === '"') {
    end = i + 2;
    while (end < c.length && c[end] !== '"') end++;
    (text = c.slice(i + 2, end).join("")), (next = end + 1);
  } else {
    while (end < c.length && !isSpace(c[end])) end++;
    (text = c.slice(i + 1, end).join("")), (next = end);
  }
  const ts = analyze(text, stop), key = JSON.stringify(ts);
  if (ts.length && !q.excluded.some((p) => JSON.stringify(p) === key)) q.excluded.push(ts);
  return Math.min(next, c.length);
}

// ---------------------------------------------------------------- scoring

/** What the query's bare words also search for, exactly like `Synonyms::expand` in pmarchive. */
export function expandSynonyms(groups, words) {
  const contains = (m) => words.some((_, i) => i + m.length <= words.length && m.every(([, t], k) => words[i + k] === t));
  const out = [], keys = new Set();
  for (const group of groups) {
    if (!group.some(contains)) continue;
    for (const m of group) {
      const key = JSON.stringify(m);
      if (!contains(m) && !keys.has(key)) keys.add(key), out.push(m);
    }
  }
  return out;
}

const idf = (df, n) => f(Math.log(f(1 + f(f(f(n - df) + 0.5) / f(df + 0.5)))));

/** Calls fn(field, postings, doc, j, count) for each field and document holding the phrase. */
async function phraseHits(index, ph, fn) {
  const lists = await Promise.all(ph.map(([, t]) => index.postings(t, true)));
  if (lists.some((l) => !l)) return;
  for (let field = 0; field < index.m.fields.length; field++) {
    const per = lists.map((fields) => fields.find((p) => p.field === field));
    if (per.some((p) => !p)) continue;
    const at = per.map((p) => new Map(Array.from(p.docs, (d, j) => [d, j])));
    per[0].docs.forEach((d, j) => {
      const idx = at.map((x) => x.get(d));
      if (idx.includes(undefined)) return;
      const count = phraseCount(per.map((p, k) => p.pos[idx[k]]), ph.map(([o]) => o));
      if (count) fn(field, per, d, j, count);
    });
  }
}

/** How often the terms (positions shifted by their offsets) follow each other. */
function phraseCount(lists, offsets) {
  let cur = Array.from(lists[0]);
  for (let k = 1; k < lists.length && cur.length; k++) {
    const next = new Set(Array.from(lists[k], (p) => p - offsets[k]));
    cur = cur.filter((p) => next.has(p));
  }
  return cur.length;
}

/** Starts fetching the postings of `terms` and `phrases` (with positions) at once, so that the
 * steps that read them in turn find them fetched or on their way: each file is fetched once, so
 * this changes the order of the requests, not what is fetched nor any score. */
function prefetch(index, terms, phrases) {
  const quiet = (p) => p.catch(() => null); // the step that reads it reports a failure
  for (const t of terms) quiet(index.postings(t));
  for (const ph of phrases) for (const [, t] of ph) quiet(index.postings(t, true));
}

async function score(index, q) {
  const m = index.m, scores = new Map();
  const members = expandSynonyms(m.synonyms, q.words);
  prefetch(index, q.terms.concat(members.filter((x) => x.length === 1).map((x) => x[0][1])), q.phrases.concat(members.filter((x) => x.length > 1)));
  const add = (doc, s) => scores.set(doc, scores.has(doc) ? f(scores.get(doc) + s) : s);
  const bm25 = (field, weight, tf, norm) => f(f(weight * f(tf / f(tf + index.norm[field][norm]))) * f(m.fields[field].boost));
  const terms = q.terms.slice(), expansions = q.prefix ? await index.expand(q.prefix) : [];
  for (const t of expansions) terms.includes(t) || terms.push(t);
  const hasText = terms.length > 0 || q.phrases.length > 0;
  if (!hasText && (q.terms.length || q.phrases.length || q.prefix)) return null; // a prefix that expands to nothing
  for (const fields of await Promise.all(terms.map((t) => index.postings(t)))) {
    for (const p of fields || []) {
      const w = f(idf(p.docs.length, index.n) * f(1 + K1));
      p.docs.forEach((d, j) => add(d, bm25(p.field, w, f(p.tfs[j]), p.norms[j])));
    }
  }
  const phrase = (ph, boost) =>
    phraseHits(index, ph, (field, per, d, j, count) => {
      let sum = f(0);
      for (const p of per) sum = f(sum + idf(p.docs.length, index.n));
      const w = f(sum * f(1 + K1)), s = bm25(field, w, f(count), per[0].norms[j]);
      add(d, boost === 1 ? s : f(s * f(boost)));
    });
  for (const ph of q.phrases) await phrase(ph, 1);
  // Synonyms: one-term members as terms, longer ones as phrases, at their weight.
  const boost = m.synonym_boost;
  for (const member of members) {
    if (member.length > 1) {
      await phrase(member, boost);
      continue;
    }
    const fields = await index.postings(member[0][1]);
    for (const p of fields || []) {
      const w = f(idf(p.docs.length, index.n) * f(1 + K1));
      p.docs.forEach((d, j) => add(d, f(bm25(p.field, w, f(p.tfs[j]), p.norms[j]) * f(boost))));
    }
  }
  return { scores, hasText, terms, expansions };
}

// ---------------------------------------------------------------- corrections, exclusions, all words

/** Optimal string alignment distance (a transposition is one edit) of two code point arrays. */
function osa(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const LETTERS = /^\p{Alphabetic}+$/u;

/** Corrects the words of q with no match from the vocabulary, as `SearchIndex::correct`. */
async function correct(index, q) {
  const m = index.m, [min, two] = m.fuzzy, edits = (n) => (n < min ? 0 : n < two ? 1 : 2);
  // Every word's postings and the last word's completions are read below and by `score`.
  prefetch(index, q.terms, q.phrases);
  if (q.prefix) index.expand(q.prefix).catch(() => null);
  const todo = [];
  for (const b of q.bare) {
    if (!LETTERS.test(b.word) || !edits([...b.word].length)) continue;
    if (await index.postings(b.term)) continue;
    if (q.prefix === b.word && (await index.expand(b.word)).length) continue;
    todo.push(b);
  }
  for (const b of todo) {
    const w = [...b.word], e = edits(w.length), lens = [];
    for (let len = w.length - e; len <= w.length + e; len++) if (m.vocabulary.includes(len)) lens.push(len);
    let best = null;
    for (const words of await Promise.all(lens.map((len) => index.vocab(len)))) {
      for (const [c, df] of words) {
        const d = osa(w, [...c]);
        if (d === 0 || d > e) continue;
        if (!best || d < best[0] || (d === best[0] && (df > best[1] || (df === best[1] && cmp(c, best[2]) < 0)))) best = [d, df, c];
      }
    }
    if (!best) continue;
    const to = best[2], term = stem(to), at = q.terms.indexOf(b.term);
    if (at >= 0) q.terms.includes(term) ? q.terms.splice(at, 1) : (q.terms[at] = term);
    q.words = q.words.map((x) => (x === b.term ? term : x));
    if (q.prefix === b.word) q.prefix = null;
    q.corrections.push({ from: b.word, to, span: b.span });
  }
}

/** The query as searched (corrected words replaced), or null. */
function corrected(input, corrections) {
  if (!corrections.length) return null;
  const c = [...input];
  let out = "", at = 0;
  for (const x of corrections) (out += c.slice(at, x.span[0]).join("") + x.to), (at = x.span[1]);
  return out + c.slice(at).join("");
}

/** The documents holding a term ([[0, t]]) or a phrase. */
async function holding(index, member) {
  const out = new Set();
  if (member.length > 1) await phraseHits(index, member, (_, __, d) => out.add(d));
  else for (const p of (await index.postings(member[0][1])) || []) p.docs.forEach((d) => out.add(d));
  return out;
}

/** The other members of the synonym groups that have `term` as a one-term member. */
function alternatives(groups, term) {
  const own = (m) => m.length === 1 && m[0][1] === term, out = [], keys = new Set();
  for (const g of groups) {
    if (!g.some(own)) continue;
    for (const m of g) {
      const k = JSON.stringify(m);
      if (!own(m) && !keys.has(k)) keys.add(k), out.push(m);
    }
  }
  return out;
}

/** The query's words with their alternatives, as `SearchIndex::requirements`. */
function requirements(index, q, expansions) {
  const one = (t) => [[0, t]], has = (alts, m) => alts.some((a) => JSON.stringify(a) === JSON.stringify(m));
  const prefixTerms = q.prefix ? analyze(q.prefix, index.stop).map(([, t]) => t) : [];
  const out = [];
  for (const t of q.terms) {
    const alts = [one(t)];
    for (const m of alternatives(index.m.synonyms, t)) has(alts, m) || alts.push(m);
    if (prefixTerms.length === 1 && prefixTerms[0] === t) for (const e of expansions) has(alts, one(e)) || alts.push(one(e));
    out.push(alts);
  }
  if (!prefixTerms.length && expansions.length) out.push(expansions.map(one));
  for (const p of q.phrases) out.push([p]);
  return out;
}

/** For each requirement, the documents that meet it. */
async function meeting(index, reqs) {
  return Promise.all(
    reqs.map(async (alts) => {
      const out = new Set();
      for (const s of await Promise.all(alts.map((m) => holding(index, m)))) s.forEach((d) => out.add(d));
      return out;
    })
  );
}

// ---------------------------------------------------------------- results

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (s) => s.replace(/[&<>"']/g, (c) => ESC[c]);

const memo = new Map();

/** stem(), remembered: an excerpt stems every word of ten postmortems. */
function stemmed(w) {
  let t = memo.get(w);
  if (t === undefined) {
    if (memo.size > 50000) memo.clear();
    memo.set(w, (t = stem(w)));
  }
  return t;
}

/** Code points among the UTF-16 units [a, b) of s. */
function points(s, a, b) {
  let n = 0;
  for (let k = a; k < b; k++) if ((s.charCodeAt(k) & 0xfc00) !== 0xdc00) n++;
  return n;
}

/** The excerpt as HTML (escaped text, query words in <mark>) of the passage where the terms are
 * densest, trimmed around its first match: `search::excerpt` in pmarchive. */
export function excerpt(passages, terms, stop, max = 220) {
  const wanted = new Set(terms);
  let best = null;
  for (const p of passages) {
    const spans = [], found = new Set();
    let words = 0, cp = 0, u = 0;
    for (const x of p.matchAll(TOKEN)) {
      const start = (cp += points(p, u, x.index));
      cp += points(p, x.index, (u = x.index + x[0].length));
      words++;
      const w = x[0].toLowerCase();
      if (stop.has(w)) continue;
      const t = stemmed(w);
      if (wanted.has(t)) spans.push([start, cp]), found.add(t);
    }
    const better = !best
      ? p.length > 0
      : found.size > best.distinct || (found.size === best.distinct && spans.length * Math.max(best.words, 1) > best.spans.length * Math.max(words, 1));
    if (better) best = { p, spans, distinct: found.size, words };
  }
  if (!best) return "";
  const { spans } = best, text = [...best.p];
  const lastSpace = (before) => {
    for (let k = Math.min(before, text.length - 1); k >= 0; k--) if (text[k] === " ") return k;
    return -1;
  };
  const from = spans.length && spans[0][0] > Math.floor(max / 2) ? lastSpace(spans[0][0] - 40) + 1 : 0;
  let to = Math.min(text.length, from + max);
  if (to < text.length) {
    const sp = lastSpace(to);
    if (sp > from) to = sp;
  }
  let out = from > 0 ? "… " : "", at = from;
  const esc = (a, b) => escape(text.slice(a, b).join(""));
  for (const [s, e] of spans) {
    if (s < from || e > to) continue;
    out += esc(at, s) + "<mark>" + esc(s, e) + "</mark>";
    at = e;
  }
  return out + esc(at, to) + (to < text.length ? " …" : "");
}

const indexes = new Map();

function open(base, fetcher) {
  const key = String(base);
  if (!indexes.has(key)) {
    const p = new Index(base, fetcher).load();
    p.catch(() => indexes.delete(key));
    indexes.set(key, p);
  }
  return indexes.get(key);
}

/**
 * Searches the archive.
 * options: baseUrl (where search/ is served; default: beside this module), limit (10),
 * offset (0), filters ({ factor: "dns", ... } or [{facet, value}]), prefix (true: the last
 * word also matches as a prefix), facets (true: counts per facet value over every match; their
 * files are fetched only then), fetch (a fetch implementation).
 * Returns { total, words, allWords, corrected, corrections, results: [{ id, url, title, date,
 * severity, score, excerpt, allWords }], facets }: `words` is how many words the query has and
 * `allWords` how many matches hold them all (the order is tantivy's, unchanged); `corrected` the
 * query as searched when words were corrected ([{from, to}] in `corrections`), else null.
 */
export async function search(query, options = {}) {
  const { limit = 10, offset = 0 } = options;
  const index = await open(options.baseUrl ?? new URL(".", import.meta.url), options.fetch ?? ((u, init) => fetch(u, init)));
  const m = index.m, q = parseQuery(query, options.prefix ?? true, index.stop, m.facets);
  const extra = Array.isArray(options.filters)
    ? options.filters
    : Object.entries(options.filters ?? {}).flatMap(([facet, v]) => [].concat(v).map((value) => ({ facet, value })));
  for (const x of extra) addFilter(q, { facet: x.facet, value: normalise(x.facet, String(x.value)) });
  await correct(index, q);
  const fixed = corrected(query, q.corrections), corrections = q.corrections.map(({ from, to }) => ({ from, to }));
  const empty = { total: 0, words: 0, allWords: 0, corrected: fixed, corrections, results: [], facets: {} };
  const scored = await score(index, q);
  if (!scored || (!scored.hasText && !q.filters.length)) return empty;
  let docs = scored.hasText ? [...scored.scores.keys()] : Array.from({ length: index.n }, (_, i) => i);
  for (const { facet, value } of q.filters) {
    const i = m.facets.indexOf(facet);
    const found = i < 0 ? null : (await index.facet(i)).find(([v]) => v === value);
    const allowed = new Set(found ? found[2] : []);
    docs = docs.filter((d) => allowed.has(d));
  }
  if (q.excluded.length) {
    const out = await Promise.all(q.excluded.map((x) => holding(index, x)));
    docs = docs.filter((d) => !out.some((s) => s.has(d)));
  }
  const reqs = requirements(index, q, scored.expansions), met = await meeting(index, reqs);
  const complete = (d) => met.every((s) => s.has(d));
  const scoreOf = (d) => (scored.hasText ? scored.scores.get(d) : 0);
  docs.sort((a, b) => scoreOf(b) - scoreOf(a) || a - b);
  const facets = {};
  if (options.facets !== false) {
    const hit = new Uint8Array(index.n);
    for (const d of docs) hit[d] = 1;
    const all = await Promise.all(m.facets.map((_, i) => index.facet(i)));
    m.facets.forEach((name, i) => {
      facets[name] = all[i]
        .map(([value, label, ds]) => ({ value, label, count: ds.reduce((n, d) => n + hit[d], 0) }))
        .filter((v) => v.count)
        .sort((a, b) => b.count - a.count || cmp(a.value, b.value));
    });
  }
  const highlight = scored.terms.concat(q.phrases.flatMap((p) => p.map(([, t]) => t)));
  if (docs.length > offset && limit > 0) index.probeRanges().catch(() => null);
  const results = await Promise.all(
    docs.slice(offset, offset + limit).map(async (d) => {
      const { id, url, title, date, severity, offset: at, length } = await index.doc(d);
      const passages = await index.passages(at, length);
      return { id, url, title, date, severity, score: scoreOf(d), excerpt: excerpt(passages, highlight, index.stop), allWords: complete(d), doc: d };
    })
  );
  return { total: docs.length, words: reqs.length, allWords: docs.filter(complete).length, corrected: fixed, corrections, results, facets };
}
