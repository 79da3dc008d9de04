/**
 * A network drawn as a chain: one box per node from top to bottom (input, layers, classifier).
 * Edges into the next box are straight; longer ones (skips) curve around the right side, or
 * the left, wider the further they reach. NAS-RL's and ENAS's macro genotypes are drawn so.
 */
import { escapeHtml } from "./html";

export interface ChainBox {
  readonly label: string;
  readonly fill: string;
}

/** From row `from` down to row `to`; `side` +1 (right) or -1 (left) for curves. */
export interface ChainEdge {
  readonly from: number;
  readonly to: number;
  readonly side: 1 | -1;
}

const BOX = { width: 150, height: 34, gap: 26 };
const CENTRE = 230;

/** Vertical position of the top of row `row`. */
function top(row: number): number {
  return 16 + row * (BOX.height + BOX.gap);
}

function box(row: number, { label, fill }: ChainBox): string {
  const x = CENTRE - BOX.width / 2;
  const y = top(row);
  return (
    `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="${fill}" stroke="#444"/>` +
    `<text x="${CENTRE}" y="${y + BOX.height / 2 + 5}" text-anchor="middle" font-family="sans-serif" font-size="13">${escapeHtml(label)}</text>`
  );
}

function edge({ from, to, side }: ChainEdge, marker: string): string {
  let path = `M ${CENTRE} ${top(from) + BOX.height} L ${CENTRE} ${top(to)}`;
  if (to > from + 1) {
    const x = CENTRE + (side * BOX.width) / 2;
    const reach = x + side * (18 + 14 * (to - from));
    const [y1, y2] = [top(from) + BOX.height / 2, top(to) + BOX.height / 2];
    path = `M ${x} ${y1} C ${reach} ${y1}, ${reach} ${y2}, ${x} ${y2}`;
  }
  return `<path d="${path}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#${marker})"/>`;
}

/** The chain as a standalone SVG; `marker` names its arrowhead (unique per kind of drawing on a page). */
export function chainSvg(boxes: readonly ChainBox[], edges: readonly ChainEdge[], marker: string, title?: string): string {
  const height = top(boxes.length);
  const caption = title ? `<title>${escapeHtml(title)}</title>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * CENTRE}" height="${height}" viewBox="0 0 ${2 * CENTRE} ${height}">${caption}` +
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
    `<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>` +
    edges.map((e) => edge(e, marker)).join("") +
    boxes.map((b, row) => box(row, b)).join("") +
    `</svg>`
  );
}
