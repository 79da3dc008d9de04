/**
 * Draws a NAS-Bench-201 cell as an SVG string, as the paper's Figure 1 does: the four nodes in a
 * row, input on the left and output on the right, every edge labelled and coloured by its op.
 * Edges to the next node are straight, the two that skip a node arc above and the input-to-output
 * edge arcs below. `none` edges are dashed, and edges the network does not compute (they cannot
 * change the output) are faded, so the drawing shows what the cell really does.
 */
import { escapeHtml } from "../../viz/html";
import { computedEdges } from "./cell";
import { NB201_EDGES, NB201_NODES, NB201_OPS, formatNb201, type Nb201Genotype, type Nb201Op } from "./genotypes";

const OP_COLOURS: Record<Nb201Op, string> = {
  none: "#aaaaaa",
  skip_connect: "#d62728",
  nor_conv_1x1: "#1f77b4",
  nor_conv_3x3: "#2ca02c",
  avg_pool_3x3: "#ff7f0e",
};

const WIDTH = 760;
const HEIGHT = 320;
const ROW = 170;
const RADIUS = 22;

function nodeX(node: number): number {
  return 80 + ((WIDTH - 160) / NB201_NODES) * node;
}

/** How far an edge spanning `span` nodes bows from the row: up for 2, down for 3. */
const BOW: Record<number, number> = { 1: 0, 2: -120, 3: 140 };

interface Curve {
  readonly d: string;
  readonly labelX: number;
  readonly labelY: number;
}

/** A quadratic curve from node `from` to node `to`, stopping at the target's circle. */
function curve(from: number, to: number): Curve {
  const [x0, x1] = [nodeX(from), nodeX(to)];
  const control = { x: (x0 + x1) / 2, y: ROW + BOW[to - from] };
  const toward = Math.atan2(ROW - control.y, x1 - control.x);
  const end = { x: x1 - (RADIUS + 4) * Math.cos(toward), y: ROW - (RADIUS + 4) * Math.sin(toward) };
  return { d: `M ${x0} ${ROW} Q ${control.x} ${control.y} ${end.x} ${end.y}`, labelX: control.x, labelY: (ROW + control.y) / 2 - 6 };
}

function edge(op: Nb201Op, from: number, to: number, computed: boolean): string {
  const c = curve(from, to);
  const style = `stroke="${OP_COLOURS[op]}" stroke-width="2"${op === "none" ? ` stroke-dasharray="5 4"` : ""}`;
  return (
    `<g opacity="${computed ? 1 : 0.35}"><path d="${c.d}" fill="none" ${style} marker-end="url(#nb201-${op})"/>` +
    `<text x="${c.labelX}" y="${c.labelY}" text-anchor="middle" font-size="12" fill="${OP_COLOURS[op]}" stroke="white" stroke-width="3" paint-order="stroke">${op}</text></g>`
  );
}

function node(index: number): string {
  const label = index === 0 ? "in" : index === NB201_NODES ? "out" : String(index);
  const fill = index === 0 || index === NB201_NODES ? "#fde9a9" : "#c6dbef";
  return (
    `<circle cx="${nodeX(index)}" cy="${ROW}" r="${RADIUS}" fill="${fill}" stroke="#333"/>` +
    `<text x="${nodeX(index)}" y="${ROW + 5}" text-anchor="middle" font-size="14">${label}</text>`
  );
}

function arrowhead(op: Nb201Op): string {
  return (
    `<marker id="nb201-${op}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
    `<path d="M 0 0 L 10 5 L 0 10 z" fill="${OP_COLOURS[op]}"/></marker>`
  );
}

/** The cell as a standalone SVG document, titled by `title` or else its architecture string. */
export function nb201Svg(genotype: Nb201Genotype, title = formatNb201(genotype)): string {
  const computed = computedEdges(genotype);
  const edges = NB201_EDGES.map((e, k) => edge(genotype.edges[k], e.from, e.to, computed[k]));
  const nodes = Array.from({ length: NB201_NODES + 1 }, (_, i) => node(i));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">` +
    `<defs>${NB201_OPS.map(arrowhead).join("")}</defs>` +
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="13">${escapeHtml(title)}</text>` +
    `${edges.join("")}${nodes.join("")}</svg>`
  );
}
