/**
 * A NAS-RL genotype as an SVG picture: the image on top, one box per layer, the classifier at
 * the bottom. Edges into the next box are straight; skips curve around the right side and
 * dangling layers' edges into the classifier around the left, wider the further they reach.
 */
import { escapeHtml } from "../../viz/html";
import { danglingLayers } from "./network";
import type { NasRlGenotype } from "./genotypes";

const BOX = { width: 150, height: 34, gap: 26 };
const CENTRE = 230;

/** Vertical position of the top of node `row` (0: image, 1..n: layers, n + 1: classifier). */
function top(row: number): number {
  return 16 + row * (BOX.height + BOX.gap);
}

function box(row: number, label: string, fill: string): string {
  const x = CENTRE - BOX.width / 2;
  const y = top(row);
  return (
    `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="${fill}" stroke="#444"/>` +
    `<text x="${CENTRE}" y="${y + BOX.height / 2 + 5}" text-anchor="middle" font-family="sans-serif" font-size="13">${escapeHtml(label)}</text>`
  );
}

/** An edge from node row `from` down to node row `to`; `side` is +1 (right) or -1 (left) for curves. */
function edge(from: number, to: number, side: 1 | -1): string {
  let path = `M ${CENTRE} ${top(from) + BOX.height} L ${CENTRE} ${top(to)}`;
  if (to > from + 1) {
    const x = CENTRE + (side * BOX.width) / 2;
    const reach = x + side * (18 + 14 * (to - from));
    const [y1, y2] = [top(from) + BOX.height / 2, top(to) + BOX.height / 2];
    path = `M ${x} ${y1} C ${reach} ${y1}, ${reach} ${y2}, ${x} ${y2}`;
  }
  return `<path d="${path}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#nasrl-arrow)"/>`;
}

export function nasRlSvg(genotype: NasRlGenotype, title?: string): string {
  const n = genotype.layers.length;
  const edges: string[] = [];
  genotype.layers.forEach((layer, i) => {
    if (layer.inputs.length === 0) edges.push(edge(0, i + 1, 1));
    for (const j of layer.inputs) edges.push(edge(j + 1, i + 1, 1));
  });
  for (const i of danglingLayers(genotype)) edges.push(edge(i + 1, n + 1, -1));
  const boxes = [
    box(0, "image", "#eef"),
    ...genotype.layers.map((l, i) => box(i + 1, `${i}: ${l.filterHeight}x${l.filterWidth}, ${l.filters}${l.stride === 1 ? "" : `, /${l.stride}`}`, "#fff")),
    box(n + 1, "pool + dense", "#efe"),
  ];
  const height = top(n + 2);
  const caption = title ? `<title>${escapeHtml(title)}</title>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * CENTRE}" height="${height}" viewBox="0 0 ${2 * CENTRE} ${height}">${caption}` +
    `<defs><marker id="nasrl-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
    `<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>` +
    edges.join("") +
    boxes.join("") +
    `</svg>`
  );
}
