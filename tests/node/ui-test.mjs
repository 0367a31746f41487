// Drives a built site's search UI in headless Chromium: serves SITE_DIR on 127.0.0.1 under a
// sub-path, types queries, checks the results, follows one, uses the search page and a facet.
// Usage: node ui-test.mjs SITE_DIR  (CHROMIUM=/usr/bin/chromium by default). Prints a JSON
// report; exits non-zero on the first failed expectation.
import path from "node:path";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const site = path.resolve(process.argv[2]);
const prefix = "/archive/"; // serve from a sub-path: links must be relative
const { server, base, served } = await serveStatic(site, prefix);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = { checks: [] };
const errors = [];
function expect(cond, what) {
  report.checks.push(what);
  if (!cond) throw new Error("expectation failed: " + what);
}
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push("dialog opened: " + d.message()); d.dismiss(); });

  // 1. The header box on the home page: results as you type, keyboard navigation, follow.
  await page.goto(base);
  const box = page.getByTestId("header-search");
  await box.click();
  await box.pressSequentially("fraud-check canar", { delay: 30 });
  const first = page.getByTestId("search-result").first();
  await first.waitFor({ timeout: 10000 });
  // Results of a shorter prefix of what is typed may show first (a slow machine): wait for the
  // answer to the whole query.
  const answered = await page
    .waitForFunction(() => /Checkout errors after fraud-check deploy/.test(document.querySelector('[data-testid="search-result"]')?.textContent ?? ""), null, { timeout: 10000 })
    .then(() => true, () => false);
  expect(answered, "typing 'fraud-check canar' shows the fraud-check deploy postmortem first");
  const marks = await page.locator("mark").count();
  expect(marks > 0, "excerpts highlight the query terms");
  await box.press("ArrowDown");
  await box.press("Enter");
  await page.waitForURL(/postmortems\/2025-02-03-checkout-errors-after-fraud-check-deploy\//, { timeout: 10000 });
  expect(true, "ArrowDown + Enter follows the first result");

  // 2. The search page: the query in the URL runs the search; a facet filters; URL updates.
  await page.goto(base + "search/?q=" + encodeURIComponent("certificate expired"));
  await page.getByTestId("search-result").first().waitFor({ timeout: 10000 });
  const count = (await page.getByTestId("search-count").textContent()) || "";
  expect(/\d/.test(count), "the search page shows a result count");
  const results = await page.getByTestId("search-result").allTextContents();
  expect(results.some((t) => /certificate/i.test(t)), "certificate incidents are found");
  const facet = page.locator('[data-testid^="facet-factor-certificate-expiry"]').first();
  await facet.click();
  await page.waitForFunction(() => location.search.includes("factor=certificate-expiry"), null, { timeout: 10000 });
  const filtered = await page.getByTestId("search-result").allTextContents();
  expect(filtered.length >= 1, "filtering by a factor keeps matching results");
  expect(new URL(page.url()).searchParams.get("q") === "certificate expired", "the query stays in the URL");

  // 3. Typo correction, exclusion, the passage that matched, how many hold every word.
  const searchPage = async (q) => {
    await page.goto(base + "search/?q=" + encodeURIComponent(q));
    await page.waitForFunction(() => (document.querySelector('[data-testid="search-count"]')?.textContent ?? "") !== "", null, { timeout: 10000 });
    return (await page.getByTestId("search-count").textContent()) || "";
  };
  await searchPage("certifcate");
  const fixed = page.getByTestId("search-correction");
  expect(await fixed.isVisible(), "a misspelt word says what was searched instead");
  expect((await fixed.textContent()) === "Showing results for certificate", "'certifcate' shows results for 'certificate': " + (await fixed.textContent()));
  expect((await fixed.locator("strong").textContent()) === "certificate", "the corrected word is emphasised");
  const corrected = await page.getByTestId("search-result").allTextContents();
  expect(corrected.length >= 2 && corrected.every((t) => /certificate/i.test(t)), "the corrected query finds the certificate incidents");
  const ttl = "Storefront traffic stranded on a drained CDN POP after a DNS TTL change";
  await searchPage("dns");
  expect((await page.getByTestId("search-result").allTextContents()).includes(ttl), "'dns' finds the TTL incident");
  expect(!(await page.getByTestId("search-correction").isVisible()), "no correction for words the archive has");
  const none = await searchPage("dns -ttl");
  expect(/^No results/.test(none) && (await page.getByTestId("search-result").count()) === 0, "'dns -ttl' leaves out the TTL incident (and every DNS incident mentions a TTL): " + none);
  await searchPage('dns -"ttl change"');
  const phraseOut = await page.getByTestId("search-result").allTextContents();
  expect(phraseOut.length === 1 && !phraseOut.includes(ttl), "'dns -\"ttl change\"' leaves out the postmortem with that phrase");
  await searchPage("plan-diff bot");
  const body = page.locator(".search-hit").first();
  const bodyMarks = await body.locator(".search-excerpt mark").allTextContents();
  expect(bodyMarks.includes("diff"), "an excerpt comes from the passage that matched (a word only in the body is marked): " + bodyMarks.join(","));
  const ranged = served.filter((p) => /passages\.bin#\d+-\d+$/.test(p));
  expect(ranged.length > 0 && !served.some((p) => p.endsWith("/passages.bin")), "passages are fetched by byte range, never whole");
  const counted = await searchPage("dns resolver");
  expect(/2 match all words, \d+ match some/.test(counted), "a query of two words says how many results hold both: " + counted);
  expect((await page.getByTestId("search-all-words").count()) === 2, "the results holding every word are marked");
  const firstTwo = await page.locator(".search-hit").evaluateAll((hits) => hits.slice(0, 2).map((h) => !!h.querySelector('[data-testid="search-all-words"]')));
  expect(firstTwo.every(Boolean), "here they rank first by score (the order is never changed)");
  // Screenshots (kept where SCREENSHOTS points, else beside the built site): wide and phone.
  const shots = process.env.SCREENSHOTS || site;
  await page.screenshot({ path: path.join(shots, "search-all-words-wide.png") }).catch(() => {});
  await page.setViewportSize({ width: 390, height: 844 });
  await searchPage("certifcate expird");
  await page.screenshot({ path: path.join(shots, "search-correction-390.png") }).catch(() => {});
  await page.setViewportSize({ width: 1280, height: 720 });
  // The header box says it too.
  await page.goto(base);
  const header = page.getByTestId("header-search");
  await header.click();
  await header.pressSequentially("certifcate expird", { delay: 20 });
  const note = await page
    .waitForFunction(() => /Showing results for certificate expired/.test(document.querySelector(".site-search-note")?.textContent ?? ""), null, { timeout: 10000 })
    .then(() => true, () => false);
  expect(note, "the header box shows the corrected query");
  await page.screenshot({ path: path.join(shots, "search-correction-header.png") }).catch(() => {});

  // 4. Nothing restricted or draft is searchable.
  await page.goto(base + "search/?q=ZEBRAFISH");
  await page.waitForTimeout(800);
  expect((await page.getByTestId("search-result").count()) === 0, "restricted postmortems are not searchable");

  expect(errors.length === 0, "no page errors or dialogs: " + errors.join("; "));
  report.ok = true;
} catch (e) {
  report.ok = false;
  report.error = String(e && e.message ? e.message : e);
  report.pageErrors = errors;
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.ok ? 0 : 1);
