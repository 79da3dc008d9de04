/**
 * Draws a DARTS cell as an SVG string, in the style of the paper's Fig. 4 and 5: inputs
 * c_{k-2} and c_{k-1} on the left, the four intermediate nodes, and the output c_k that
 * concatenates them. Edges are labelled and coloured by op. No Graphviz needed: the layout is fixed.
 */
import { escapeHtml } from "../../viz/html";
import { DARTS_OPS, STEPS, type DartsEdge, type DartsOp } from "./genotypes";

const OP_COLOURS: Record<DartsOp, string> = {
  none: "#bbbbbb",
  max_pool_3x3: "#1f77b4",
  avg_pool_3x3: "#17becf",
  skip_connect: "#d62728",
  sep_conv_3x3: "#2ca02c",
  sep_conv_5x5: "#8c564b",
  dil_conv_3x3: "#9467bd",
  dil_conv_5x5: "#ff7f0e",
};

export interface Point {
  readonly x: number;
  readonly y: number;
}

const WIDTH = 860;
const HEIGHT = 340;

/** State i's position: 0 and 1 are the inputs, 2..5 the intermediate nodes. */
function position(state: number): Point {
  if (state < 2) return { x: 70, y: state === 0 ? 120 : 230 };
  const node = state - 2;
  return { x: 250 + 140 * node, y: node % 2 === 0 ? 70 : 280 };
}
const OUTPUT: Point = { x: 250 + 140 * STEPS, y: 175 };

export function nodeShape(p: Point, label: string, fill: string): string {
  return (
    `<rect x="${p.x - 34}" y="${p.y - 17}" width="68" height="34" rx="8" fill="${fill}" stroke="#333"/>` +
    `<text x="${p.x}" y="${p.y + 5}" text-anchor="middle" font-size="14">${escapeHtml(label)}</text>`
  );
}

/** A curved arrow from `a` to `b`, bent to one `side` so the two edges into a node do not overlap. */
export function edgePath(a: Point, b: Point, side: number, colour: string, marker: string, dashed = false): { path: string; label: Point } {
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  const bend = side * 0.15 * length;
  const control = { x: mid.x - ((b.y - a.y) / length) * bend, y: mid.y + ((b.x - a.x) / length) * bend };
  // End on the target box's border (68 x 34 plus a margin) so the arrowhead stays visible.
  const d = Math.hypot(b.x - control.x, b.y - control.y);
  const u = { x: (b.x - control.x) / d, y: (b.y - control.y) / d };
  const back = Math.min(37 / Math.abs(u.x || 1e-9), 20 / Math.abs(u.y || 1e-9));
  const end = { x: b.x - u.x * back, y: b.y - u.y * back };
  const dash = dashed ? ` stroke-dasharray="4 3"` : "";
  const path = `<path d="M ${a.x} ${a.y} Q ${control.x} ${control.y} ${end.x} ${end.y}" fill="none" stroke="${colour}" stroke-width="2"${dash} marker-end="url(#${marker})"/>`;
  const label = { x: 0.25 * a.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * a.y + 0.5 * control.y + 0.25 * end.y };
  return { path, label };
}

/** Moves a label up or down in 13-pixel steps until its (estimated) box overlaps no placed label. */
export function placeLabel(at: Point, text: string, placed: Array<Point & { width: number }>): Point {
  const width = 6.2 * text.length;
  const clashes = (p: Point) => placed.some((q) => Math.abs(q.x - p.x) < (q.width + width) / 2 && Math.abs(q.y - p.y) < 13);
  for (let k = 0; ; k++) {
    const shift = Math.ceil(k / 2) * 13 * (k % 2 === 0 ? 1 : -1);
    const p = { x: at.x, y: at.y + shift };
    if (!clashes(p) || k > 20) {
      placed.push({ ...p, width });
      return p;
    }
  }
}

export function marker(id: string, colour: string): string {
  return `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${colour}"/></marker>`;
}

/** One cell (8 edges, two per intermediate node) as a standalone SVG document. */
export function cellSvg(edges: readonly DartsEdge[], title = ""): string {
  const ids = new Map(DARTS_OPS.map((op, i) => [op, `darts-op-${i}`]));
  const defs = [...DARTS_OPS.map((op) => marker(ids.get(op)!, OP_COLOURS[op])), marker("darts-concat", "#888")].join("");
  const arrows: string[] = [];
  const labels: string[] = [];
  const placed: Array<Point & { width: number }> = [];
  edges.forEach((edge, k) => {
    const target = 2 + Math.floor(k / 2);
    const curve = edgePath(position(edge.input), position(target), k % 2 === 0 ? 1 : -1, OP_COLOURS[edge.op], ids.get(edge.op)!);
    arrows.push(curve.path);
    const label = placeLabel(curve.label, edge.op, placed);
    labels.push(
      `<text x="${label.x}" y="${label.y}" text-anchor="middle" font-size="11" fill="${OP_COLOURS[edge.op]}" ` +
        `stroke="white" stroke-width="3" paint-order="stroke">${edge.op}</text>`,
    );
  });
  for (let node = 0; node < STEPS; node++) arrows.push(edgePath(position(2 + node), OUTPUT, 0, "#888", "darts-concat", true).path);
  const nodes = [
    nodeShape(position(0), "c_{k-2}", "#b9e6b9"),
    nodeShape(position(1), "c_{k-1}", "#b9e6b9"),
    ...Array.from({ length: STEPS }, (_, i) => nodeShape(position(2 + i), String(i), "#c6dbef")),
    nodeShape(OUTPUT, "c_{k}", "#fde9a9"),
  ];
  const heading = title ? `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeHtml(title)}</text>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">` +
    `<defs>${defs}</defs>${heading}${arrows.join("")}${nodes.join("")}${labels.join("")}</svg>`
  );
}
