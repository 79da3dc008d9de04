/**
 * Plotly figures in notebooks and pages that work offline. plotly.js is read from the
 * plotly.js-dist package and inlined: once per notebook session (the first figure's HTML
 * carries it, later figures wait for it) and once per report page.
 */
import * as fs from "fs";
import { randomBytes } from "crypto";
import { inNotebook, showBundle, type MimeBundle } from "./display";
import { escapeHtml } from "./html";

/** One plotly trace: `{ type: "scatter", x, y, mode, name, ... }` as in plotly.js. */
export type Trace = Readonly<Record<string, unknown>>;

/** A plotly.js figure; the same JSON `Plotly.newPlot(div, data, layout, config)` takes. */
export interface Figure {
  readonly data: readonly Trace[];
  readonly layout?: Readonly<Record<string, unknown>>;
  readonly config?: Readonly<Record<string, unknown>>;
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let libraryHtml: string | undefined;

/**
 * A `<script>` defining `window.Plotly`. The bundle is UMD: under require.js (classic notebook,
 * nbconvert's templates) it would call `define` instead of setting the global, so the wrapper
 * hides the module systems. `</script` never occurs in it today; the escape keeps that safe.
 */
export function plotlyLibraryHtml(): string {
  if (libraryHtml === undefined) {
    const source = fs.readFileSync(require.resolve("plotly.js-dist"), "utf8").replace(/<\/script/gi, "<\\/script");
    libraryHtml = `<script type="text/javascript">(function (define, module, exports) {\n${source}\n})();</script>`;
  }
  return libraryHtml;
}

/** Typed arrays (e.g. a tensor's `dataSync()`) become plain arrays; JSON would make them objects. */
function plainArrays(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

/** The figure as JSON text, typed arrays as plain arrays (as the plotly mime type and `Plotly.newPlot` expect). */
function figureJson(figure: Figure): string {
  return JSON.stringify(figure, plainArrays);
}

/** JSON text made safe inside a `<script>`: no `</script>`, no `<!--`, no raw line separators. */
function scriptSafe(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** The figure's title text, if it has one (plotly accepts a string or `{ text }`). */
export function figureTitle(figure: Figure): string | undefined {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (typeof title === "object" && title !== null && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return undefined;
}

/**
 * A div and the script that draws `figure` into it once `window.Plotly` exists. Needs the
 * library somewhere on the page (`plotlyLibraryHtml()`), before or after.
 */
export function figureHtml(figure: Figure, json: string = figureJson(figure)): string {
  const id = `nasbook-figure-${randomBytes(6).toString("hex")}`;
  const missing = escapeHtml("plotly.js did not load. Re-run the notebook from the top: its first figure carries the library.");
  return [
    `<div id="${id}" class="nasbook-figure" style="width:100%;min-height:360px;"></div>`,
    `<script type="text/javascript">(function () {`,
    `  var figure = ${scriptSafe(json)}, started = Date.now();`,
    `  function draw() {`,
    `    var element = document.getElementById("${id}");`,
    `    if (element && window.Plotly) {`,
    `      window.Plotly.newPlot(element, figure.data, figure.layout || {}, Object.assign({ responsive: true }, figure.config));`,
    `    } else if (Date.now() - started < 60000) {`,
    `      setTimeout(draw, 50);`,
    `    } else if (element) {`,
    `      element.textContent = "${missing}";`,
    `    }`,
    `  }`,
    `  draw();`,
    `})();</script>`,
  ].join("\n");
}

/** What a figure looks like where nothing can draw it. */
export function figureText(figure: Figure): string {
  const title = figureTitle(figure);
  const traces = `${figure.data.length} trace${figure.data.length === 1 ? "" : "s"}`;
  return `[figure${title === undefined ? "" : `: ${title}`}, ${traces}]`;
}

/**
 * Builds the output bundles of one notebook session (one kernel process): the first figure's
 * HTML carries plotly.js, the later ones only their div and script.
 */
export class NotebookFigures {
  private libraryShipped = false;

  bundle(figure: Figure): MimeBundle {
    // Serialised once: the HTML embeds the text, the plotly mime type carries it parsed back.
    const json = figureJson(figure);
    const div = figureHtml(figure, json);
    const html = this.libraryShipped ? div : `${plotlyLibraryHtml()}\n${div}`;
    this.libraryShipped = true;
    return { [PLOTLY_MIME]: JSON.parse(json) as Figure, "text/html": html, "text/plain": figureText(figure) };
  }
}

const session = new NotebookFigures();

/** Shows a figure as a notebook output; outside a notebook prints a one-line placeholder. */
export function showFigure(figure: Figure): void {
  if (inNotebook()) showBundle(session.bundle(figure));
  else console.log(figureText(figure));
}
