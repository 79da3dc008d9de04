import { test } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import { figureHtml, figureText, NotebookFigures, plotlyLibraryHtml, PLOTLY_MIME, type Figure } from "../../lib/viz/plotly";

const LIBRARY_BANNER = "* plotly.js v";
const scatter: Figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [0.5, 0.25, 0.75] }], layout: { title: { text: "Accuracy" } } };

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function html(bundle: Readonly<Record<string, unknown>>): string {
  return bundle["text/html"] as string;
}

test("a notebook session inlines plotly.js in its first figure only, and every figure gets its own div", () => {
  const session = new NotebookFigures();
  const [first, second, third] = [session.bundle(scatter), session.bundle(scatter), session.bundle(scatter)];
  assert.equal(count(html(first), LIBRARY_BANNER), 1);
  assert.equal(count(html(second), LIBRARY_BANNER), 0);
  assert.equal(count(html(third), LIBRARY_BANNER), 0);
  const ids = [first, second, third].map((bundle) => /<div id="([^"]+)" class="nasbook-figure"/.exec(html(bundle))?.[1]);
  assert.equal(new Set(ids).size, 3, `distinct figure divs: ${ids.join(", ")}`);
  for (const bundle of [first, second, third]) assert.match(html(bundle), /Plotly\.newPlot\(element, figure\.data/);
  assert.equal(count(html(new NotebookFigures().bundle(scatter)), LIBRARY_BANNER), 1, "a new session ships it again");
});

test("a figure bundle carries plotly JSON, HTML and a text fallback", () => {
  const bundle = new NotebookFigures().bundle({ data: [{ type: "bar", y: new Float32Array([1, 2]) }] });
  assert.deepEqual(bundle[PLOTLY_MIME], { data: [{ type: "bar", y: [1, 2] }] }, "typed arrays become plain arrays");
  assert.equal(bundle["text/plain"], "[figure, 1 trace]");
  assert.equal(figureText(scatter), "[figure: Accuracy, 1 trace]");
});

test("figure data cannot close the script that embeds it", () => {
  const hostile: Figure = { data: [{ type: "scatter", name: "</script><script>alert(1)</script><!--", y: [1] }] };
  const fragment = figureHtml(hostile);
  assert.equal(count(fragment, "</script>"), 1, "only the embedding script's own closing tag");
  assert.equal(count(fragment, "<!--"), 0);
  const script = fragment.slice(fragment.indexOf("<script"), fragment.lastIndexOf("</script>"));
  const json = /var figure = (.*), started/.exec(script)?.[1];
  assert.deepEqual(JSON.parse(json ?? "null"), hostile, "the data survives the escaping");
});

test("the inlined library is valid JavaScript that hides AMD/CommonJS so plotly defines window.Plotly", () => {
  const library = plotlyLibraryHtml();
  assert.ok(library.startsWith('<script type="text/javascript">(function (define, module, exports) {'));
  assert.equal(count(library, "</script>"), 1);
  const code = library.slice(library.indexOf(">") + 1, library.lastIndexOf("</script>"));
  assert.doesNotThrow(() => new vm.Script(code, { filename: "plotly-inline.js" }));
});
