import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { reportHtml, writeReport, type Report } from "../../lib/viz/report";

const report: Report = {
  title: "Random search <smoke>",
  sections: [
    {
      heading: "Search",
      text: "Budget: 8 trials.\n\nBest accuracy & its genotype below.",
      figures: [
        { data: [{ type: "scatter", name: "best so far", y: [0.41, 0.63, 0.77] }] },
        { data: [{ type: "bar", x: ["a", "b"], y: [3, 4] }] },
      ],
      tables: [{ data: [{ trial: 3, accuracy: 0.77 }], caption: "Top trials" }],
    },
    { heading: "Notes", text: "No failures." },
  ],
};

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

test("a report is one standalone page: plotly.js inlined once, nothing fetched, the data embedded", () => {
  const html = reportHtml(report);
  assert.match(html, /^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
  assert.match(html, /<\/body>\n<\/html>\n$/);
  assert.equal(count(html, "* plotly.js v"), 1);
  assert.equal(count(html, 'class="nasbook-figure"'), 2);
  assert.doesNotMatch(html, /<script[^>]* src=|<link /, "offline: no external scripts or stylesheets");
  assert.ok(html.indexOf("* plotly.js v") < html.indexOf("</head>"), "the library loads before the figures");
  assert.match(html, /"name":"best so far","y":\[0.41,0.63,0.77\]/);
  assert.match(html, /<caption>Top trials<\/caption>/);
  assert.match(html, /<td style="text-align:right">0.77<\/td>/);
  assert.match(html, /<title>Random search &lt;smoke&gt;<\/title>/);
  assert.match(html, /<p>Budget: 8 trials.<\/p>\n<p>Best accuracy &amp; its genotype below.<\/p>/);
  assert.match(html, /<h2>Notes<\/h2>\n<p>No failures.<\/p>/);
});

test("a report without figures does not carry plotly.js", () => {
  const html = reportHtml({ title: "Tables only", sections: [{ heading: "Trials", tables: [{ data: [{ id: 0 }] }] }] });
  assert.equal(count(html, "* plotly.js v"), 0);
  assert.ok(html.length < 10_000);
});

test("writeReport replaces the file whole and leaves no temporary files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nasbook-report-"));
  try {
    const file = path.join(dir, "run", "report.html");
    writeReport(file, { title: "first", sections: [] });
    writeReport(file, report);
    const written = fs.readFileSync(file, "utf8");
    assert.match(written, /<title>Random search &lt;smoke&gt;<\/title>/);
    assert.equal(count(written, "* plotly.js v"), 1);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["report.html"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
