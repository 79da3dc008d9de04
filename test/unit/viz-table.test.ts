import { test } from "node:test";
import assert from "node:assert/strict";
import * as dfd from "danfojs-node";
import { formatCell, tableHtml, tableText } from "../../lib/viz/table";

test("HTML tables escape column names, cells and the caption", () => {
  const html = tableHtml([{ "<th>": "<script>alert('x')</script>", "a&b": '"quoted"' }], { caption: "<i>trials</i>" });
  assert.doesNotMatch(html, /<script>|<i>|<th>"/);
  assert.match(html, /<caption>&lt;i&gt;trials&lt;\/i&gt;<\/caption>/);
  assert.match(html, /<th>&lt;th&gt;<\/th><th>a&amp;b<\/th>/);
  assert.match(html, /<td>&lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt;<\/td><td>&quot;quoted&quot;<\/td>/);
});

test("records with different keys share one set of columns, missing cells blank", () => {
  const text = tableText([{ id: 1, accuracy: 0.912345 }, { id: 2, error: "out of memory" }]);
  assert.equal(
    text,
    ["id  accuracy  error", "--  --------  -------------", " 1    0.9123", " 2            out of memory"].join("\n"),
  );
});

test("danfo DataFrames and Series render with their columns and values", () => {
  const df = new dfd.DataFrame({ strategy: ["random", "evolution"], best: [0.91, 0.935] });
  const html = tableHtml(df);
  assert.match(html, /<th>strategy<\/th><th style="text-align:right">best<\/th>/);
  assert.match(html, /<td>evolution<\/td><td style="text-align:right">0.935<\/td>/);
  assert.equal(tableText(df.column("best")), [" best", "-----", " 0.91", "0.935"].join("\n"));
});

test("long tables stop at maxRows and say how many rows were left out", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ trial: i }));
  assert.match(tableHtml(rows, { maxRows: 10 }), /<tfoot><tr><td colspan="1">… 2 more rows<\/td><\/tr><\/tfoot>/);
  assert.equal(tableText(rows, { maxRows: 10 }).split("\n").length, 2 + 10 + 1);
});

test("cells format numbers short and structures as JSON", () => {
  assert.equal(formatCell(12), "12");
  assert.equal(formatCell(0.123456), "0.1235");
  assert.equal(formatCell(123456.789), "123456.8");
  assert.equal(formatCell(null), "");
  assert.equal(formatCell({ layers: [3, 5] }), '{"layers":[3,5]}');
  assert.equal(formatCell(true), "true");
});
