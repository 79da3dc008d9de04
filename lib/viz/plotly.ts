/**
 * Plotly figures in notebooks and pages that work offline. plotly.js (plotly.js-dist-min, 4.6 MB;
 * the unminified plotly.js-dist is 10.8 MB) is inlined: once per report page, and in a notebook
 * with the first figure of each *run* of cell executions (cell-runs.ts: a Run All, or a cell run
 * after a pause, or the first request of a new client such as a reloaded tab).
 *
 * Why per run: the kernel cannot see what a page holds. Sent once per kernel process, the library
 * was lost for good when a tab reloaded or Run All cleared its first figure. Sent with every
 * figure, a notebook of ten figures would weigh 46 MB. Per run, a Run All (and so an exported
 * notebook) carries one copy, a reload or a re-run after a pause brings it back, and a notebook
 * stepped through cell by cell with pauses carries a copy per figure cell stepped.
 *
 * Every figure says what to do where it cannot draw: its div holds a note for renderers that
 * strip scripts (an untrusted notebook in Jupyter Notebook or JupyterLab shows sanitised HTML);
 * its script replaces the note with the plot, or with what to run when the library is missing.
 * The plotly mime bundle comes first, for front-ends with a plotly renderer (JupyterLab's).
 */
import * as fs from "fs";
import { randomBytes } from "crypto";
import { currentRun } from "./cell-runs";
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
    const source = fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
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

/** Shown where the figure's script never runs: renderers that strip scripts from untrusted outputs. */
export const UNTRUSTED_NOTE =
  "This figure is drawn by JavaScript, which did not run here. In Jupyter, trust the notebook " +
  "(Jupyter Notebook: File > Trust Notebook; JupyterLab: Trust Notebook in the command palette) " +
  "and reload the page, or run its cells.";

/** Shown by the figure's script when the page has no plotly.js once it has loaded. */
export const MISSING_LIBRARY_NOTE =
  "plotly.js is not on this page: it comes with the first figure of each run of cells. " +
  "Run this cell again (or Run All) and the figure draws; for an exported copy, run the notebook " +
  "from the top, save, and export again.";

/** After the page has loaded, how long a figure waits for plotly.js (a library later on the page). */
const LIBRARY_GRACE_MS = 2000;
/** After the page has loaded, how long a figure waits for its div to be on the page. */
const ELEMENT_WAIT_MS = 60000;

/**
 * A div and the script that draws `figure` into it once `window.Plotly` exists: at once when the
 * library came earlier (a report's head, an earlier figure of the run), else when it appears;
 * if it has not appeared `LIBRARY_GRACE_MS` after the page loaded, the div says what to do.
 * A div not yet on the page (an output attached after its script ran) is waited for too.
 */
export function figureHtml(figure: Figure, json: string = figureJson(figure)): string {
  const id = `nasbook-figure-${randomBytes(6).toString("hex")}`;
  return [
    `<div id="${id}" class="nasbook-figure" style="width:100%;min-height:360px;"><p>${escapeHtml(UNTRUSTED_NOTE)}</p></div>`,
    `<script type="text/javascript">(function () {`,
    `  var figure = ${scriptSafe(json)};`,
    `  var loadedAt;`,
    `  function draw() {`,
    `    var element = document.getElementById("${id}");`,
    `    if (element && window.Plotly) {`,
    `      element.textContent = "";`,
    `      window.Plotly.newPlot(element, figure.data, figure.layout || {}, Object.assign({ responsive: true }, figure.config));`,
    `      return;`,
    `    }`,
    `    if (document.readyState === "complete" && loadedAt === undefined) loadedAt = Date.now();`,
    `    var waited = loadedAt === undefined ? 0 : Date.now() - loadedAt;`,
    `    if (element && waited > ${LIBRARY_GRACE_MS}) element.textContent = ${JSON.stringify(MISSING_LIBRARY_NOTE)};`,
    `    else if (waited < ${ELEMENT_WAIT_MS}) setTimeout(draw, 50);`,
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

/** The text/plain of a notebook figure: what consoles and text exports show. */
function notebookFigureText(figure: Figure): string {
  return `${figureText(figure)} (drawn by plotly.js where HTML and JavaScript run: a trusted notebook, its HTML export)`;
}

/**
 * Builds a notebook's figure bundles: the first figure of each run of cell executions carries
 * plotly.js in its HTML (see the header), later ones of the run only their div and script.
 */
export class NotebookFigures {
  private shippedRun: number | undefined;

  bundle(figure: Figure, run: number): MimeBundle {
    // Serialised once: the HTML embeds the text, the plotly mime type carries it parsed back.
    const json = figureJson(figure);
    const div = figureHtml(figure, json);
    const html = this.shippedRun === run ? div : `${plotlyLibraryHtml()}\n${div}`;
    this.shippedRun = run;
    return { [PLOTLY_MIME]: JSON.parse(json) as Figure, "text/html": html, "text/plain": notebookFigureText(figure) };
  }
}

const session = new NotebookFigures();

/** Shows a figure as a notebook output; outside a notebook prints a one-line placeholder. */
export function showFigure(figure: Figure): void {
  if (inNotebook()) showBundle(session.bundle(figure, currentRun()));
  else console.log(figureText(figure));
}
