// Runs axe-core (tests/node/node_modules/axe-core, pinned in package.json) on the built site's
// main kinds of page in headless Chromium, in light and in dark (prefers-color-scheme), at a
// desktop and a phone width, and fails on any violation of impact serious or critical (or a
// landmark-unique one). Search results are announced: the count is a live region.
// Usage: node a11y-test.mjs SITE_DIR PATH...  (paths relative to the site root; a search page
// path waits for its results). CHROMIUM=/usr/bin/chromium by default. SHOTS=DIR keeps a
// screenshot of each page and scheme there. Prints a JSON report; exits non-zero on a violation.
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const site = path.resolve(process.argv[2]);
const paths = process.argv.slice(3);
const shots = process.env.SHOTS;
const { server, base } = await serveStatic(site, "/archive/");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { pages: [], violations: [] };
const errors = [];
try {
  for (const scheme of ["light", "dark"]) {
    for (const [width, height] of [[1366, 900], [390, 844]]) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height } });
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(String(e)));
      for (const p of paths) {
        await page.goto(base + p);
        if (p.startsWith("search/")) {
          await page.getByTestId("search-result").first().waitFor({ timeout: 10000 });
          const live = await page.getByTestId("search-count").getAttribute("aria-live");
          if (live !== "polite") report.violations.push({ path: p, id: "search count is not a live region" });
        }
        await page.waitForLoadState("networkidle");
        await page.addScriptTag({ path: axePath });
        const result = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { resultTypes: ["violations"] });
          return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
            count: v.nodes.length,
          }));
        });
        // Serious and critical ones, and duplicate landmark names (moderate, but they make a
        // screen reader's landmark list useless).
        const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "landmark-unique");
        report.pages.push({ path: p, scheme, width, violations: bad.length, others: result.filter((v) => !bad.includes(v)).map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(", ")}`) });
        bad.forEach((v) => report.violations.push({ path: p, scheme, width, ...v }));
        if (shots) {
          const name = `${p.replace(/[^a-z0-9]+/gi, "_") || "home"}-${scheme}-${width}.png`;
          await page.screenshot({ path: path.join(shots, name), fullPage: false });
        }
      }
      await context.close();
    }
  }
  report.pageErrors = errors;
  report.ok = report.violations.length === 0 && errors.length === 0;
} catch (e) {
  report.ok = false;
  report.error = String(e && e.message ? e.message : e);
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.ok ? 0 : 1);
