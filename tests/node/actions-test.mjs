// Drives the action register's filters (/actions/, static/actions.js) in headless Chromium.
// Usage: node actions-test.mjs SITE_DIR TEAM SERVICE  (a team and a service slug of the site).
// Checks against api/actions.json itself: filters combine across the whole register, land in
// the query string, a filtered URL opens filtered, every count follows, sort by due date; on a
// phone the rows are cards (no sideways scrolling). Prints a JSON report; non-zero on failure.
import path from "node:path";
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const site = path.resolve(process.argv[2]);
const [team, service] = process.argv.slice(3);
const items = JSON.parse(await readFile(path.join(site, "api/actions.json"), "utf8"));
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
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const stat = (page, k) => page.locator(`[data-stat=${k}]`).textContent().then(Number);
const rows = (page) => page.locator("[data-actions-filtered] tr.action-row");
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "actions/");
  expect(await page.locator("[data-actions-filters]").isVisible(), "the filter form shows with JavaScript");
  expect((await stat(page, "total")) === items.length, "unfiltered, the summary counts every item");

  // Team, then overdue: combined over the whole register.
  await page.selectOption("select[data-key=team]", team);
  await page.waitForFunction(() => location.search.includes("team="), null, { timeout: 10000 });
  await page.locator("[data-actions-filtered]:not([hidden])").waitFor({ timeout: 10000 });
  const byTeam = items.filter((a) => a.teams.map(slug).includes(team));
  expect((await rows(page).count()) === byTeam.length, `team=${team} lists its ${byTeam.length} items`);
  expect((await stat(page, "total")) === byTeam.length, "the summary follows the filter");
  expect((await stat(page, "open")) === byTeam.filter((a) => a.open).length, "open count follows");
  const teamLinks = await page.locator("[data-actions-filtered] td[data-label=Team] a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(teamLinks.includes("../teams/" + team + "/"), "drawn rows link their teams as the page's rows do");
  await page.check("input[data-key=overdue]");
  await page.waitForFunction(() => location.search.includes("overdue=yes"), null, { timeout: 10000 });
  const both = byTeam.filter((a) => a.overdue);
  expect((await rows(page).count()) === both.length, `team and overdue combine: ${both.length} items`);
  expect((await stat(page, "overdue")) === both.length, "overdue count follows");
  // Group headings count what is listed.
  const heads = await page.locator("[data-actions-filtered] h2 .count").allTextContents();
  expect(heads.map(Number).reduce((x, y) => x + y, 0) === both.length, "group counts add up to the filtered items");
  // Each service option counts its items among those (team and overdue applied).
  const n = both.filter((a) => a.services.map(slug).includes(service)).length;
  const label = await page.locator(`select[data-key=service] option[value="${service}"]`).textContent();
  expect(label.endsWith(`(${n})`), `the ${service} option counts ${n} with the other filters: ${label}`);

  // A filtered URL opens filtered, sorted by due date.
  await page.goto(base + `actions/?service=${service}&sort=due`);
  await page.locator("[data-actions-filtered]:not([hidden])").waitFor({ timeout: 10000 });
  const bySvc = items.filter((a) => a.services.map(slug).includes(service));
  expect((await rows(page).count()) === bySvc.length, `a URL with service=${service} opens filtered`);
  expect((await page.inputValue("select[data-key=service]")) === service, "the select shows the URL's filter");
  const groups = await page.locator("[data-actions-filtered] section").evaluateAll((ss) =>
    ss.map((s) => Array.from(s.querySelectorAll(".ai-due"), (d) => d.textContent.trim())));
  const sorted = groups.every((dues) => {
    // Dated first, earliest first; then the undated.
    const dated = dues.filter((d) => /^\d{4}-/.test(d));
    return dues.slice(0, dated.length).join() === [...dated].sort().join();
  });
  expect(groups.length > 0 && sorted, "sorted by due date within each group, undated last");
  // Clearing restores the server-rendered register.
  await page.click("[data-actions-reset]");
  await page.waitForFunction(() => location.search === "", null, { timeout: 10000 });
  expect(await page.locator("[data-actions-all]").isVisible(), "clearing shows the full register again");
  expect((await stat(page, "total")) === items.length, "and its counts");

  // A phone: cards, nothing wider than the screen.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(base + "actions/");
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  expect(wide <= 390, `no sideways scrolling on a phone (${wide} px)`);
  const display = await phone.locator("[data-actions-all] tr.action-row").first().evaluate((e) => getComputedStyle(e).display);
  expect(display === "block", "rows are cards on a phone");
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
