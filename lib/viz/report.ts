/**
 * A run's results as one standalone HTML page: opens offline from disk, plotly.js inlined once
 * in the head, every figure drawn from data embedded in the page, drawings as images of their SVG. It reads
 * at laptop width: a table wider than the page scrolls in its own box, a drawing shrinks to fit.
 */
import { writeFileAtomic } from "../core/atomic-files";
import { drawingHtml } from "./drawing";
import { escapeHtml } from "./html";
import { figureHtml, plotlyLibraryHtml, type Figure } from "./plotly";
import { tableHtml, type TableInput, type TableOptions } from "./table";

export interface ReportTable extends TableOptions {
  readonly data: TableInput;
}

/** A standalone SVG document (a cell, an architecture), drawn as an image with a caption under it. */
export interface ReportDrawing {
  readonly svg: string;
  readonly caption: string;
}

export interface ReportSection {
  readonly heading: string;
  /** Plain text; blank lines separate paragraphs. */
  readonly text?: string;
  readonly figures?: readonly Figure[];
  readonly drawings?: readonly ReportDrawing[];
  readonly tables?: readonly ReportTable[];
}

export interface Report {
  readonly title: string;
  readonly sections: readonly ReportSection[];
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { border-bottom: 1px solid #ccc; padding-bottom: .3rem; }
.nasbook-scroll { overflow-x: auto; max-width: 100%; }
.nasbook-table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
.nasbook-table caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.nasbook-table th, .nasbook-table td { border: 1px solid #ddd; padding: .25rem .6rem; }
.nasbook-table thead th { background: #f4f4f4; }
.nasbook-table td { max-width: 40rem; overflow-wrap: anywhere; }
.nasbook-figure { margin: 1rem 0; }
.nasbook-drawing-figure { margin: 1rem 0; }
.nasbook-drawing-figure figcaption { font-size: .9rem; color: #555; }
`;

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join("\n");
}

/** A drawing as an image (lib/viz/drawing.ts says why not inline SVG: two cells' marker ids would collide), captioned. */
function captionedDrawing(drawing: ReportDrawing): string {
  return `<figure class="nasbook-drawing-figure">${drawingHtml(drawing.svg, drawing.caption)}<figcaption>${escapeHtml(drawing.caption)}</figcaption></figure>`;
}

function sectionHtml(section: ReportSection): string {
  return [
    `<section>`,
    `<h2>${escapeHtml(section.heading)}</h2>`,
    section.text === undefined ? "" : paragraphs(section.text),
    ...(section.figures ?? []).map((figure) => figureHtml(figure)),
    ...(section.drawings ?? []).map(captionedDrawing),
    ...(section.tables ?? []).map((table) => `<div class="nasbook-scroll">${tableHtml(table.data, table)}</div>`),
    `</section>`,
  ]
    .filter((part) => part !== "")
    .join("\n");
}

/** The whole page as a string; plotly.js is included only when some section has a figure. */
export function reportHtml(report: Report): string {
  const hasFigures = report.sections.some((section) => (section.figures ?? []).length > 0);
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    hasFigures ? plotlyLibraryHtml() : "",
    `</head>`,
    `<body>`,
    `<h1>${escapeHtml(report.title)}</h1>`,
    ...report.sections.map(sectionHtml),
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}

/** Writes the page to `path` atomically: readers see the old report or the new one, never half. */
export function writeReport(path: string, report: Report): void {
  writeFileAtomic(path, reportHtml(report));
}
