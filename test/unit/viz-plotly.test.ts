import { test } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import { escapeHtml } from "../../lib/viz/html";
import { CellRuns, IDLE_GAP_MS } from "../../lib/viz/cell-runs";
import { figureHtml, figureText, MISSING_LIBRARY_NOTE, NotebookFigures, plotlyLibraryHtml, PLOTLY_MIME, UNTRUSTED_NOTE, type Figure } from "../../lib/viz/plotly";

const LIBRARY_BANNER = "* plotly.js v";
const scatter: Figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [0.5, 0.25, 0.75] }], layout: { title: { text: "Accuracy" } } };

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function html(bundle: Readonly<Record<string, unknown>>): string {
  return bundle["text/html"] as string;
}

test("plotly.js travels with the first figure of each run, and every figure gets its own div", () => {
  const figures = new NotebookFigures();
  const [first, second, third] = [figures.bundle(scatter, 1), figures.bundle(scatter, 1), figures.bundle(scatter, 1)];
  assert.equal(count(html(first), LIBRARY_BANNER), 1);
  assert.equal(count(html(second), LIBRARY_BANNER), 0);
  assert.equal(count(html(third), LIBRARY_BANNER), 0);
  const ids = [first, second, third].map((bundle) => /<div id="([^"]+)" class="nasbook-figure"/.exec(html(bundle))?.[1]);
  assert.equal(new Set(ids).size, 3, `distinct figure divs: ${ids.join(", ")}`);
  for (const bundle of [first, second, third]) assert.match(html(bundle), /Plotly\.newPlot\(element, figure\.data/);
  assert.equal(count(html(figures.bundle(scatter, 2)), LIBRARY_BANNER), 1, "a new run ships it again");
  assert.equal(count(html(figures.bundle(scatter, 2)), LIBRARY_BANNER), 0);
});

/** A writer stand-in: CellRuns only keys on its identity. */
const writer = () => (() => undefined) as unknown as Parameters<CellRuns["arrive"]>[0];

test("a Run All is one run; a pause, or a new client such as a reloaded tab, starts the next", () => {
  const runs = new CellRuns();
  // Run All from tab A: every request arrives at once, executions end one after another.
  const runAll = [writer(), writer(), writer()];
  assert.deepEqual(runAll.map((w) => runs.arrive(w, "tab-A", 0)), [1, 1, 1]);
  runs.finish("tab-A", 10);
  runs.finish("tab-A", 20);
  assert.equal(runs.arrive(writer(), "tab-A", 30), 1, "a cell run while the kernel is busy joins the run");
  runs.finish("tab-A", 40);
  runs.finish("tab-A", 50);
  assert.equal(runs.runOfWriter(runAll[1]), 1);
  const soon = writer();
  assert.equal(runs.arrive(soon, "tab-A", 50 + IDLE_GAP_MS - 1), 1, "under the idle gap: the same run");
  runs.finish("tab-A", 60 + IDLE_GAP_MS);
  const later = writer();
  assert.equal(runs.arrive(later, "tab-A", 60 + 2 * IDLE_GAP_MS), 2, "after a pause: a new run");
  assert.equal(runs.runOfWriter(later), 2);
  // The tab reloads while its run still executes: the new tab's requests start a run at once.
  assert.equal(runs.arrive(writer(), "tab-B", 60 + 2 * IDLE_GAP_MS + 5), 3);
  assert.equal(runs.arrive(writer(), "tab-B", 60 + 2 * IDLE_GAP_MS + 6), 3);
  assert.equal(runs.runOfWriter(undefined), 1, "an execution from before the watch is run 1");
});

test("requests queued before the watch end without having arrived; their client is known and their end starts the idle gap", () => {
  const runs = new CellRuns();
  runs.finish("tab-A", 100); // the cell that loaded nasbook
  runs.finish("tab-A", 200); // the rest of that Run All
  assert.equal(runs.arrive(writer(), "tab-A", 200 + 10), 1, "the next cell, sent as the last ended (nbclient): the same run");
  runs.finish("tab-A", 300);
  assert.equal(runs.arrive(writer(), "tab-B", 310), 2, "a reloaded tab: a new run at once");
});

test("a figure bundle carries plotly JSON, HTML and a text fallback", () => {
  const bundle = new NotebookFigures().bundle({ data: [{ type: "bar", y: new Float32Array([1, 2]) }] }, 1);
  assert.equal(Object.keys(bundle)[0], PLOTLY_MIME, "the plotly mime type first, for JupyterLab's renderer");
  assert.deepEqual(bundle[PLOTLY_MIME], { data: [{ type: "bar", y: [1, 2] }] }, "typed arrays become plain arrays");
  assert.match(bundle["text/plain"] as string, /^\[figure, 1 trace\] \(drawn by plotly\.js where HTML and JavaScript run/);
  assert.equal(figureText(scatter), "[figure: Accuracy, 1 trace]");
});

test("figure data cannot close the script that embeds it", () => {
  const hostile: Figure = { data: [{ type: "scatter", name: "</script><script>alert(1)</script><!--", y: [1] }] };
  const fragment = figureHtml(hostile);
  assert.equal(count(fragment, "</script>"), 1, "only the embedding script's own closing tag");
  assert.equal(count(fragment, "<!--"), 0);
  const script = fragment.slice(fragment.indexOf("<script"), fragment.lastIndexOf("</script>"));
  const json = /var figure = (.*);\n/.exec(script)?.[1];
  assert.deepEqual(JSON.parse(json ?? "null"), hostile, "the data survives the escaping");
});

test("the inlined library is valid JavaScript that hides AMD/CommonJS so plotly defines window.Plotly", () => {
  const library = plotlyLibraryHtml();
  assert.ok(library.startsWith('<script type="text/javascript">(function (define, module, exports) {'));
  assert.equal(count(library, "</script>"), 1);
  const code = library.slice(library.indexOf(">") + 1, library.lastIndexOf("</script>"));
  assert.doesNotThrow(() => new vm.Script(code, { filename: "plotly-inline.js" }));
});

test("a figure's div says what to do where its script never runs, and its script where the library is missing", () => {
  const fragment = figureHtml(scatter);
  const div = fragment.slice(0, fragment.indexOf("</div>"));
  assert.ok(div.includes(`<p>${escapeHtml(UNTRUSTED_NOTE)}</p>`), "the untrusted note, visible once scripts are stripped");
  assert.match(UNTRUSTED_NOTE, /File > Trust Notebook/);
  assert.ok(fragment.includes(JSON.stringify(MISSING_LIBRARY_NOTE)), "the script's note for a page without plotly.js");
});
