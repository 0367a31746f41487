// Drives the sortable postmortem tables (static/sort-table.js) in headless Chromium.
// Usage: node sort-test.mjs SITE_DIR LISTING  (a listing's path, e.g. postmortems/).
// Checks: column headers become buttons; clicking one (or Enter on it) sorts the rows by that
// column, ascending then descending, empty cells last; aria-sort follows and the live region
// says it; without JavaScript the table is plain, in the server's order (newest first); on a
// phone the table scrolls inside its own region, not the page. Prints a JSON report; non-zero
// on failure.
import path from "node:path";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const site = path.resolve(process.argv[2]);
const listing = process.argv[3];
const { server, base } = await serveStatic(site, "/archive/");
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
// The table's rows as [date, rank, title, services, minutes, status] keys, as the page shows them.
const rows = (page) => page.locator("table.pm-table tbody tr").evaluateAll((trs) => trs.map((tr) => {
  const c = tr.cells;
  const time = c[0].querySelector("time");
  return [time ? time.getAttribute("datetime") : "", c[1].dataset.sort ?? "", c[2].textContent.trim(), c[3].textContent.trim(), c[4].dataset.sort ?? "", c[5].textContent.trim()];
}));
const sortState = (page) => page.locator("table.pm-table thead th").evaluateAll((ths) => ths.map((th) => th.getAttribute("aria-sort")));
// Whether `keys` are in order (numbers for numeric columns), empty keys last.
function ordered(keys, numeric, descending) {
  const filled = keys.filter((k) => k !== "");
  if (keys.slice(filled.length).some((k) => k !== "")) return false;
  return filled.every((k, i) => {
    if (i === 0) return true;
    const [a, b] = numeric ? [Number(filled[i - 1]), Number(k)] : [filled[i - 1].toLowerCase(), k.toLowerCase()];
    return descending ? a >= b : a <= b;
  });
}
try {
  // Without JavaScript: a plain table, newest first.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto(base + listing);
  const server0 = await rows(noJs);
  expect(server0.length > 3, `the listing has rows (${server0.length})`);
  expect(await noJs.locator("table.pm-table thead button").count() === 0, "no buttons without JavaScript");
  expect(ordered(server0.map((r) => r[0]), false, true), "without JavaScript, newest first");
  expect((await sortState(noJs))[0] === "descending", "the date column says it is sorted, descending");
  await plain.close();

  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + listing);
  await page.locator("table.pm-table thead th button").first().waitFor({ timeout: 10000 });
  expect(await page.locator("table.pm-table thead th > button").count() === 6, "every column header holds a button");
  const before = await rows(page);
  expect(JSON.stringify(before) === JSON.stringify(server0), "the script keeps the server's order until asked");

  const click = async (name) => page.locator("table.pm-table thead th button", { hasText: name }).click();
  for (const [col, name, numeric] of [[2, "Title", false], [4, "Duration", true], [1, "Severity", true], [0, "Date", false]]) {
    await click(name);
    let now = await rows(page);
    expect(ordered(now.map((r) => r[col]), numeric, false), `${name}: ascending after one click`);
    let state = await sortState(page);
    expect(state[col] === "ascending" && state.filter((s) => s).length === 1, `${name}: aria-sort ascending on its header only`);
    const said = await page.locator("table.pm-table .sort-status").textContent();
    expect(said.includes(`sorted by ${name}, ascending`), `${name}: the live region says so ("${said}")`);
    await click(name);
    now = await rows(page);
    expect(ordered(now.map((r) => r[col]), numeric, true), `${name}: descending after a second click`);
    state = await sortState(page);
    expect(state[col] === "descending", `${name}: aria-sort descending`);
    expect(now.length === before.length && new Set(now.map((r) => r[2] + r[0])).size === new Set(before.map((r) => r[2] + r[0])).size, `${name}: the same rows`);
  }
  // The keyboard: Tab to a header's button and press Enter.
  await page.locator("table.pm-table thead th button", { hasText: "Status" }).focus();
  await page.keyboard.press("Enter");
  expect((await sortState(page))[5] === "ascending", "Enter on a focused header sorts");
  expect(ordered((await rows(page)).map((r) => r[5]), false, false), "by status");

  // A phone: the table scrolls inside its region (a focusable one), the page does not.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  phone.on("pageerror", (e) => errors.push(String(e)));
  await phone.goto(base + listing);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  expect(wide <= 390, `no sideways scrolling of the page on a phone (${wide} px)`);
  const region = await phone.locator(".pm-table-scroll").evaluate((r) => ({ scroll: r.scrollWidth, client: r.clientWidth, tab: r.tabIndex, role: r.getAttribute("role"), bg: getComputedStyle(r).backgroundImage }));
  expect(region.scroll > region.client, `the table scrolls sideways in its region (${region.scroll} > ${region.client})`);
  expect(region.tab === 0 && region.role === "region", "the region is focusable and named, for the keyboard");
  expect(region.bg.includes("gradient"), "its edge shadows are the cue that it scrolls");
  expect(errors.length === 0, "no page errors: " + errors.join("; "));
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
