// Injection test (issue #8): loads every page of a built site whose content carries script
// payloads, uses the search UI with payload queries and payload-carrying results, and reports
// any script that ran (the payloads call `pwn(tag)`, a binding into this process; dialogs are
// caught too) and any executable markup that reached the DOM (on* attributes, javascript:/data:
// URLs, script/iframe/object/embed elements other than the theme's own scripts).
// Usage: node inject-test.mjs SITE_DIR [SERVE_URL...]  (CHROMIUM=/usr/bin/chromium by default).
// SERVE_URLs are pages of a running `pmarchive serve` (its injected overlay and warnings).
// Prints a JSON report; exits non-zero when anything ran or reached the DOM.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const site = path.resolve(process.argv[2]);
const serveUrls = process.argv.slice(3);
const prefix = "/archive/";
const { server, base } = await serveStatic(site, prefix);

async function files(dir, rel = "") {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(path.join(dir, e.name), r)));
    else out.push(r);
  }
  return out;
}
const pages = (await files(site)).filter((f) => f.endsWith(".html") || f.endsWith(".xml")).sort();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const ran = [];
const dom = [];
const errors = [];
const report = { pages: 0, queries: 0, shown: [] };

/** Executable markup in the page's DOM (every frame). */
function domProblems() {
  const out = [];
  const own = /\/static\/(search-ui|actions|sort-table)\.js$/;
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) out.push(`<${tag} ${name}="${a.value}">`);
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data:text\/html|data:image\/svg)/.test(value)) out.push(`<${tag} ${name}="${a.value}">`);
    }
    // `pmarchive serve` injects one inline script of its own (JSON data + reload client).
    const served = !el.src && el.textContent.startsWith("window.__pmarchiveError = ");
    if (tag === "script" && !served && !(el.src && own.test(new URL(el.src, location.href).pathname))) out.push(`<script src="${el.getAttribute("src") ?? ""}">${el.textContent.slice(0, 80)}`);
    if (["iframe", "object", "embed", "frame", "base", "meta"].includes(tag) && !(tag === "meta" && !el.hasAttribute("http-equiv"))) out.push(`<${tag}>`);
  }
  return out;
}

const page = await browser.newPage();
// `pmarchive serve` is a debug build here and plans its listings on the first request: on a
// loaded machine (a CI run beside other builds) its first page took over the default 30 s.
page.setDefaultNavigationTimeout(120000);
await page.exposeBinding("pwn", ({ frame }, tag) => ran.push(`${tag} @ ${frame.url()}`));
await page.addInitScript(() => {
  // Payloads that reach `alert` instead of `pwn` are caught as dialogs below.
  window.__pwned = false;
});
page.on("dialog", (d) => { ran.push(`dialog ${d.type()}: ${d.message()} @ ${page.url()}`); d.dismiss().catch(() => {}); });
page.on("pageerror", (e) => errors.push(`${page.url()}: ${e}`));

async function inspect(where) {
  await page.waitForTimeout(50);
  for (const frame of page.frames()) {
    try {
      for (const p of await frame.evaluate(domProblems)) dom.push(`${where}: ${p}`);
      if (await frame.evaluate(() => window.__pwned)) ran.push(`__pwned set @ ${where}`);
    } catch (e) {
      errors.push(`${where}: ${e}`);
    }
  }
}

try {
  // 1. Every page and feed of the site.
  for (const p of pages) {
    await page.goto(base + p, { waitUntil: "load" });
    await inspect(p);
    report.pages++;
  }

  // 2. The header box: payload queries, and a query whose results carry payloads.
  const queries = [
    "<script>pwn('q-script')</script>",
    "<img src=x onerror=pwn('q-img')>",
    "\"><svg onload=pwn('q-attr')>",
    "'><svg onload=pwn('q-attr2')>",
    "</script><script>pwn('q-close')</script>",
    "javascript:pwn('q-js')",
    "{{ 7*7 }} ${pwn('q-tpl')}",
    "pwnable",
    "pwnable service:checkout",
  ];
  await page.goto(base, { waitUntil: "load" });
  const box = page.getByTestId("header-search");
  for (const q of queries) {
    await box.fill("");
    await box.fill(q);
    await page.waitForTimeout(400);
    await inspect(`header box: ${q}`);
    report.queries++;
  }
  await box.fill("pwnable");
  await page.getByTestId("search-result").first().waitFor({ timeout: 10000 });
  const headerShown = await page.locator(".site-search-popup").textContent();
  report.shown.push(headerShown.slice(0, 400));
  if (!/<img src=x onerror=pwn/.test(headerShown)) throw new Error("the header results should show payload titles as text: " + headerShown);

  // 3. The search page: payloads in the URL's query and facets; payload results and facets.
  const urls = [
    "search/?q=" + encodeURIComponent("<script>pwn('u-q')</script>"),
    "search/?q=pwnable&service=" + encodeURIComponent("<img src=x onerror=pwn('u-facet')>"),
    "search/?q=" + encodeURIComponent("\"><img src=x onerror=pwn('u-attr')>") + "&tag=" + encodeURIComponent("\"><svg onload=pwn('u-tag')>"),
    "search/?q=pwnable",
  ];
  for (const u of urls) {
    await page.goto(base + u, { waitUntil: "load" });
    await page.waitForTimeout(600);
    await inspect(u);
    report.queries++;
  }
  await page.getByTestId("search-result").first().waitFor({ timeout: 10000 });
  const results = await page.locator("[data-search-results]").textContent();
  report.shown.push(results.slice(0, 400));
  if (!/<img src=x onerror=pwn/.test(results)) throw new Error("the search page should show payload titles as text: " + results);
  // Use every facet button (labels carry payloads), then clear.
  const buttons = page.locator(".facet-option");
  const n = Math.min(await buttons.count(), 40);
  for (let i = 0; i < n; i++) {
    const b = buttons.nth(i);
    if (await b.isVisible()) {
      await b.click();
      await page.waitForTimeout(150);
      await inspect(`facet ${i}`);
    }
  }
  const input = page.getByTestId("search-input");
  await input.fill("<img src=x onerror=pwn('page-box')> pwnable");
  await input.press("Enter");
  await page.waitForTimeout(600);
  await inspect("search page box");

  // 4. Pages of a running `pmarchive serve` (reload client, error overlay, warnings).
  const seen = { overlay: false, warning: false };
  for (const u of serveUrls) {
    await page.goto(u, { waitUntil: "load" });
    await page.waitForTimeout(500);
    await inspect(u);
    const shown = await page.evaluate(() => ["pmarchive-error", "pmarchive-warnings"].map((id) => document.getElementById(id)?.textContent ?? ""));
    if (shown[0].includes("pwn('overlay')")) seen.overlay = true;
    if (shown[1].includes("pwn('warning')")) seen.warning = true;
    report.pages++;
  }
  if (serveUrls.length && !(seen.overlay && seen.warning)) {
    throw new Error("the serve pages should show the payloads of the error overlay and the warnings as text: " + JSON.stringify(seen));
  }
} catch (e) {
  errors.push(String(e && e.message ? e.message : e));
} finally {
  await browser.close();
  server.close();
}
report.ran = ran;
report.dom = dom;
report.errors = errors;
report.ok = ran.length === 0 && dom.length === 0 && errors.length === 0 && report.pages > 0;
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.ok ? 0 : 1);
