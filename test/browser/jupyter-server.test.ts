/**
 * The interactive path: Debian's Jupyter Notebook 6.4 (`jupyter-notebook`) with the project's
 * kernel, driven in headless Chromium. Run All draws every figure and drawing; after a reload
 * (the kernel still running) Run All draws them again (plotly.js comes with the first figure of
 * each run); an executed notebook that is not trusted says how to trust it in place of each
 * figure and drawing, and once trusted draws them from its saved outputs.
 * Works in build/jupyter/ (copies of the notebooks, their run directories, Jupyter's own state).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import type { Browser, Page } from "puppeteer-core";
import { collectErrors, launchChromium, problems, ROOT, screenshot, settledState, type PageState } from "./chromium";

const WORK = path.join(ROOT, "build", "jupyter");
const NOTEBOOKS = path.join(WORK, "notebooks");
const TOKEN = "nasbook-browser-test";
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** The live notebook: figures but short at smoke scale. */
const LIVE = "00-overview.ipynb";
/** The executed notebook opened untrusted, then trusted: it has figures and drawings. */
const EXECUTED = path.join(ROOT, "build", "notebooks", "04-darts.ipynb");

let browser: Browser;
let server: ChildProcess;
let base: string;
const env: NodeJS.ProcessEnv = { ...process.env, NASBOOK_SCALE: "smoke" };

/**
 * Console lines of Jupyter Notebook's own page, none of them from nasbook's outputs: MathJax 2.7's
 * HTML-CSS output declares a "MathJax_Blank" font at url('about:blank'), which Chromium refuses
 * (one CORS line and one failed load per page), and Chromium declines the notebook's "leave this
 * page?" prompt when the test reloads without a click.
 */
const JUPYTER_PAGE_NOISE = [
  /^console: Access to font at 'about:blank' from origin 'http:\/\/127\.0\.0\.1:\d+' has been blocked by CORS policy/,
  /^console: Failed to load resource: net::ERR_FAILED \(about:blank\)$/,
  /^console: Blocked attempt to show a 'beforeunload' confirmation panel for a frame that never had a user gesture/,
];

function pageErrors(errors: readonly string[]): string[] {
  return errors.filter((error) => !JUPYTER_PAGE_NOISE.some((noise) => noise.test(error)));
}

function python(): string {
  return process.env.NASBOOK_PYTHON ?? "/usr/bin/python3";
}

/** A tab that answers "leave this page?" (the notebook's unsaved-changes prompt) as a person reloading would. */
async function newTab(): Promise<Page> {
  const page = await browser.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  await page.setViewport({ width: 1280, height: 900 });
  return page;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited (${server.exitCode})`);
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`jupyter-notebook did not answer at ${url} within ${timeoutMs} ms`);
}

before(async () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(NOTEBOOKS, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "notebooks", LIVE), path.join(NOTEBOOKS, LIVE));
  // Jupyter's config, data (the trust database) and runtime files stay in build/jupyter.
  Object.assign(env, {
    JUPYTER_CONFIG_DIR: path.join(WORK, "config"),
    JUPYTER_DATA_DIR: path.join(WORK, "data"),
    JUPYTER_RUNTIME_DIR: path.join(WORK, "runtime"),
    JUPYTER_PATH: path.join(WORK, "kernel", "share", "jupyter"),
  });
  const install = spawnSync(process.execPath, [path.join(ROOT, "scripts", "install-kernel.js"), "--prefix", path.join(WORK, "kernel")], { env, encoding: "utf8" });
  assert.equal(install.status, 0, `kernel installed:\n${install.stdout}${install.stderr}`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // --allow-root: CI and this sandbox run as root, which the notebook server refuses by default.
  server = spawn("jupyter-notebook", ["--no-browser", "--allow-root", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${TOKEN}`, `--notebook-dir=${WORK}`], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  server.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
  await waitForServer(`${base}/api/status?token=${TOKEN}`, 60_000).catch((error) => {
    throw new Error(`${error.message}\n${log}`);
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
});

/** Opens a notebook in the classic UI and waits until its kernel is connected. */
async function openNotebook(page: Page, name: string): Promise<void> {
  await page.goto(`${base}/notebooks/notebooks/${name}?token=${TOKEN}`, { waitUntil: "load", timeout: 120_000 });
  await page.waitForFunction(() => {
    const jupyter = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter;
    return jupyter?.notebook?.kernel?.is_connected() === true;
  }, { timeout: 60_000, polling: 250 });
}

/** Run All, then waits until no cell is queued or running and every code cell has its count. */
async function runAll(page: Page, timeoutMs: number): Promise<void> {
  await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }).Jupyter.notebook.execute_all_cells());
  await page.waitForFunction(
    () => {
      type Cell = { cell_type: string; input_prompt_number?: unknown };
      const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter.notebook.get_cells();
      const code = cells.filter((cell) => cell.cell_type === "code");
      return document.querySelectorAll(".cell.running").length === 0 && code.every((cell) => typeof cell.input_prompt_number === "number");
    },
    { timeout: timeoutMs, polling: 500 },
  );
}

/** The figure outputs the notebook's cells hold now. */
function figureOutputs(page: Page): Promise<number> {
  return page.evaluate((mime) => {
    type Cell = { output_area?: { outputs: Array<{ data?: Record<string, unknown> }> } };
    const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter.notebook.get_cells();
    return cells.flatMap((cell) => cell.output_area?.outputs ?? []).filter((output) => output.data?.[mime] !== undefined).length;
  }, PLOTLY_MIME);
}

/** A screenshot of the whole notebook: the classic UI scrolls inside #site, which a full-page shot would cut to the window. */
async function notebookScreenshot(page: Page, name: string): Promise<void> {
  await page.addStyleTag({ content: "html, body, #site { height: auto !important; overflow: visible !important; }" });
  await screenshot(page, name);
}

async function checkAllDrawn(page: Page, name: string): Promise<PageState> {
  const state = await settledState(page, 20_000);
  await notebookScreenshot(page, name);
  assert.deepEqual(problems(state), [], `${name}: every figure draws and every drawing shows`);
  assert.equal(state.figures.length, await figureOutputs(page), `${name}: one drawn figure per figure output`);
  assert.ok(state.figures.length > 0, `${name}: the notebook showed figures`);
  return state;
}

test("Jupyter Notebook: Run All draws every figure; after a reload with the kernel running, Run All draws them again", async () => {
  const page = await newTab();
  const errors = collectErrors(page);
  await openNotebook(page, LIVE);
  await runAll(page, 300_000);
  await checkAllDrawn(page, "jupyter-00-overview-run-all");
  await page.reload({ waitUntil: "load", timeout: 120_000 });
  await openNotebook(page, LIVE);
  await runAll(page, 300_000);
  await checkAllDrawn(page, "jupyter-00-overview-reloaded-run-all");
  await page.close();
  assert.deepEqual(pageErrors(errors), [], "no console errors");
});

test("Jupyter Notebook: an untrusted executed notebook says how to trust it; trusted, it draws from its saved outputs", async () => {
  assert.ok(fs.existsSync(EXECUTED), `${path.relative(ROOT, EXECUTED)} missing: npm test executes the notebooks with --html build/notebooks first`);
  const name = "04-darts-executed.ipynb";
  fs.copyFileSync(EXECUTED, path.join(NOTEBOOKS, name));
  const page = await newTab();
  const errors = collectErrors(page);
  await openNotebook(page, name);
  const untrusted = await settledState(page, 5_000, () => false);
  await notebookScreenshot(page, "jupyter-04-darts-untrusted");
  assert.ok(untrusted.figures.length > 0 && untrusted.drawings.length > 0, "the saved figures and drawings are on the page");
  for (const figure of untrusted.figures) {
    assert.ok(!figure.drawn && figure.text.includes("File > Trust Notebook"), `an untrusted figure says how to trust it: ${figure.text}`);
  }
  for (const drawing of untrusted.drawings) assert.match(drawing.alt, /Not shown: an untrusted notebook/);

  // `jupyter trust` itself; Debian ships no jupyter-trust script, so its module is run directly.
  const trust = spawnSync(python(), ["-m", "nbformat.sign", path.join(NOTEBOOKS, name)], { env, encoding: "utf8" });
  assert.equal(trust.status, 0, `python3 -m nbformat.sign:\n${trust.stdout}${trust.stderr}`);
  await openNotebook(page, name);
  const trusted = await checkAllDrawn(page, "jupyter-04-darts-trusted");
  assert.equal(trusted.figures.length, untrusted.figures.length);
  assert.equal(trusted.drawings.length, untrusted.drawings.length);
  await page.close();
  assert.deepEqual(pageErrors(errors), [], "no console errors");
});
