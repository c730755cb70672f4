// Loads a slowburn html report in Debian's headless Chromium and prints, as one JSON object,
// what a person would see: the table's rows, each chart's vertices, what clicking headers
// does, and anything that went wrong (console errors, page errors, dialogs, requests, a
// script that ran). The end-to-end tests (tests/e2e/test_html_report.py) judge it.
//   node inspect_report.mjs REPORT.html SCREENSHOT.png
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [reportPath, screenshotPath] = process.argv.slice(2);
const pageUrl = pathToFileURL(resolve(reportPath)).href;
const profile = mkdtempSync(join(tmpdir(), "sb-chromium-"));
const facts = { consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };

// Without the background-networking flags Chromium dials out at start; nothing here may.
// A fresh profile directory each run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
try {
  const page = browser.pages()[0] ?? await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error") facts.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => facts.pageErrors.push(String(e)));
  page.on("dialog", async (d) => { facts.dialogs.push(d.message()); await d.dismiss(); });
  page.on("request", (r) => { if (r.url() !== pageUrl) facts.requests.push(r.url()); });
  const started = Date.now();
  await page.goto(pageUrl, { waitUntil: "load" });
  facts.loadMs = Date.now() - started;

  Object.assign(facts, await page.evaluate(() => {
    const text = (el) => (el ? el.textContent : null);
    const rows = (sel) => Array.from(document.querySelectorAll(sel)).map((tr) =>
      Array.from(tr.cells).map((td) => ({ text: td.textContent, v: td.dataset.v ?? null })));
    const charts = Array.from(document.querySelectorAll("section.site")).map((s) => ({
      id: s.id,
      title: text(s.querySelector("h3")),
      svgs: s.querySelectorAll("svg").length,
      series: Array.from(s.querySelectorAll("svg polyline.series")).map((p) => ({
        dataPoints: Number(p.dataset.points),
        vertices: p.points.numberOfItems,
      })),
      fit: s.querySelectorAll("svg line.fit:not(.key)").length,
      ticks: Array.from(s.querySelectorAll("svg text.xtick, svg text.ytick")).map(text),
      stack: Array.from(s.querySelectorAll("ol.stack li")).map(text),
    }));
    const process = document.querySelector("body > svg.chart");
    return {
      title: document.title,
      heading: text(document.querySelector("h1")),
      verdict: text(document.getElementById("verdict")),
      notes: Array.from(document.querySelectorAll(".note")).map(text),
      headers: Array.from(document.querySelectorAll("#ranking thead th")).map(text),
      rows: rows("#ranking tbody tr"),
      rest: text(document.getElementById("rest")),
      charts,
      processSeries: process ? Array.from(process.querySelectorAll("polyline.series")).map(
        (p) => ({ cls: p.getAttribute("class"), vertices: p.points.numberOfItems })) : [],
      legend: Array.from(document.querySelectorAll("dl.legend dt")).map(text),
      scripts: document.scripts.length,
      elementsWithHandlers: Array.from(document.querySelectorAll("*")).filter((el) =>
        Array.from(el.attributes).some((a) => a.name.startsWith("on"))).length,
      footer: text(document.querySelector("footer")),
      pwned: window.__pwned ?? null,
    };
  }));

  // Clicking a header re-sorts: the column's values after one click and after a second.
  const columnValues = (index) => page.$$eval("#ranking tbody tr",
    (trs, i) => trs.map((tr) => Number(tr.cells[i].dataset.v)), index);
  facts.sorting = {};
  for (const name of ["live", "allocs", "#"]) {
    const index = facts.headers.indexOf(name);
    if (index < 0) continue;
    const header = page.locator("#ranking thead th").nth(index);
    await header.click();
    const first = await columnValues(index);
    const firstSort = await header.getAttribute("aria-sort");
    await header.click();
    facts.sorting[name] = { first, firstSort, second: await columnValues(index),
                            secondSort: await header.getAttribute("aria-sort") };
  }
  // Back to rank order, as it was loaded, for the screenshot.
  const rankHeader = page.locator("#ranking thead th").first();
  if ((await rankHeader.getAttribute("aria-sort")) !== "ascending") await rankHeader.click();
  if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: false });
  facts.pwned = await page.evaluate(() => window.__pwned ?? null);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(facts));
