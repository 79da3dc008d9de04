import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../lib/core/random";
import { cellSvg } from "../../lib/spaces/darts/draw";
import { DartsSpace } from "../../lib/spaces/darts/space";
import { drawingAltText, drawingBundle } from "../../lib/viz/drawing";
import { escapeHtml } from "../../lib/viz/html";

const genotype = new DartsSpace({ layers: 3, channels: 2 }).sample(new Rng(4));

test("a drawing carries its SVG, an HTML <img> of the same SVG, and its description as text", () => {
  const svg = cellSvg(genotype.normal, "normal cell");
  const bundle = drawingBundle(svg, "normal cell: 8 edges");
  assert.equal(bundle["image/svg+xml"], svg);
  assert.equal(bundle["text/plain"], "normal cell: 8 edges");
  const html = bundle["text/html"] as string;
  const src = /^<img class="nasbook-drawing" style="max-width:100%;" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">$/.exec(html);
  assert.ok(src, `one <img> with a base64 data URI: ${html.slice(0, 120)}`);
  assert.equal(Buffer.from(src[1], "base64").toString("utf8"), svg, "the data URI decodes to the SVG");
  assert.equal(src[2], escapeHtml(drawingAltText("normal cell: 8 edges")));
  assert.match(drawingAltText("x"), /trust it \(Jupyter Notebook: File > Trust Notebook/);
});
