/**
 * A figure's own script in a real browser, on pages made here: with plotly.js later on the
 * page it still draws; with none it says what to run instead of waiting.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "puppeteer-core";
import { figureHtml, MISSING_LIBRARY_NOTE, plotlyLibraryHtml, type Figure } from "../../lib/viz/plotly";
import { collectErrors, launchChromium, settledState } from "./chromium";

const scatter: Figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [0.5, 0.25, 0.75] }], layout: { title: { text: "Accuracy" } } };

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

async function open(body: string) {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`, { waitUntil: "load" });
  return { page, errors };
}

test("a figure draws when plotly.js comes later on the page", async () => {
  const { page, errors } = await open(`${figureHtml(scatter)}\n${plotlyLibraryHtml()}`);
  const state = await settledState(page, 10_000);
  await page.close();
  assert.equal(state.figures.length, 1);
  assert.ok(state.figures[0].drawn, `drawn: ${state.figures[0].text}`);
  assert.deepEqual(errors, []);
});

test("a figure on a page without plotly.js says what to run, soon after the page loaded", async () => {
  const { page, errors } = await open(figureHtml(scatter));
  // Within the ten seconds polled here, not after the minute that figures used to wait.
  const state = await settledState(page, 10_000, (s) => s.figures.every((f) => f.text === MISSING_LIBRARY_NOTE));
  await page.close();
  assert.equal(state.figures[0].text, MISSING_LIBRARY_NOTE);
  assert.deepEqual(errors, []);
});
