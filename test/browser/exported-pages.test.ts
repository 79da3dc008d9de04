/**
 * The executed notebooks' HTML (nbconvert's HTML exporter, as `run_notebooks.py --html
 * build/notebooks` writes it; npm test runs the notebooks that way first) and a CLI report,
 * opened from disk in headless Chromium: every plotly figure drew, every drawing has visible
 * shapes, formulas are typeset, and the page logged no errors. Screenshots: build/screenshots/.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser } from "puppeteer-core";
import { collectErrors, launchChromium, problems, ROOT, screenshot, settledState } from "./chromium";

const EXPORTS = path.join(ROOT, "build", "notebooks");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface NotebookOutput {
  data?: Record<string, unknown>;
}
interface NotebookJson {
  cells: Array<{ cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }>;
}

/** What the executed notebook holds: its figure and drawing outputs, and whether its prose has formulas. */
function expected(notebook: NotebookJson): { figures: number; drawings: number; formulas: boolean } {
  const outputs = notebook.cells.flatMap((cell) => cell.outputs ?? []);
  const text = (source: string | string[]) => (Array.isArray(source) ? source.join("") : source);
  return {
    figures: outputs.filter((output) => output.data?.[PLOTLY_MIME] !== undefined).length,
    drawings: outputs.filter((output) => output.data?.["image/svg+xml"] !== undefined).length,
    formulas: notebook.cells.some((cell) => cell.cell_type === "markdown" && /\$[^$\s][^$]*\$/.test(text(cell.source))),
  };
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

/** Opens a file in a new tab and checks it; returns what it showed. */
async function checkPage(file: string, name: string, want: { figures: number; drawings: number; formulas: boolean }): Promise<void> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = collectErrors(page);
  await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: 60_000 });
  const state = await settledState(page, 20_000, (s) => s.figures.every((f) => f.drawn) && (!want.formulas || s.formulas > 0));
  await screenshot(page, name);
  await page.close();
  assert.deepEqual(problems(state), [], `${name}: every figure draws and every drawing shows`);
  assert.equal(state.figures.length, want.figures, `${name}: plotly figures on the page`);
  assert.equal(state.drawings.length, want.drawings, `${name}: drawings on the page`);
  if (want.formulas) assert.ok(state.formulas > 0, `${name}: MathJax typeset the formulas`);
  assert.deepEqual(errors, [], `${name}: no console errors`);
}

const exported = fs.existsSync(EXPORTS) ? fs.readdirSync(EXPORTS).filter((name) => name.endsWith(".html")).sort() : [];

test("the notebooks were executed and exported first (run_notebooks.py --html build/notebooks)", () => {
  assert.ok(exported.length > 0, `no HTML under ${path.relative(ROOT, EXPORTS)}: npm test writes it; alone, run the notebooks with --html build/notebooks`);
});

for (const html of exported) {
  test(`exported notebook ${html}: figures drawn, drawings shown, formulas typeset, no errors`, async () => {
    const notebook = JSON.parse(fs.readFileSync(path.join(EXPORTS, html.replace(/\.html$/, ".ipynb")), "utf8")) as NotebookJson;
    const want = expected(notebook);
    assert.ok(want.figures > 0, `${html} has figures to check`);
    await checkPage(path.join(EXPORTS, html), `notebook-${html.replace(/\.html$/, "")}`, want);
  });
}

test("a CLI report (a smoke DARTS search): its figures drawn, no errors", async () => {
  // A scratch run, not under the project: only its screenshot (build/screenshots) is kept.
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-report-"));
  try {
    const cli = path.join(ROOT, "dist", "cli", "main.js");
    const run = spawnSync(process.execPath, [cli, "search", "--method", "darts", "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", out], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `the search ran:\n${run.stdout}\n${run.stderr}`);
    const report = path.join(out, "report.html");
    const html = fs.readFileSync(report, "utf8");
    const figures = html.split('class="nasbook-figure"').length - 1;
    const drawings = html.split('class="nasbook-drawing"').length - 1;
    assert.ok(figures > 0, "the report has figures");
    assert.ok(drawings > 0, "the report draws its derived cells");
    await checkPage(report, "report-darts", { figures, drawings, formulas: false });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
