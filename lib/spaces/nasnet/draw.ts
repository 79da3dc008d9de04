/**
 * Draws a NASNet cell as an SVG string, in the layout of the paper's Fig. 4: h_{i-2} and h_{i-1}
 * on the left, the B blocks (each the sum of its two ops) left to right, and the output h_{i+1}
 * that concatenates the unused blocks (dashed arrows). Edges are labelled and coloured by op.
 * The arrows, boxes and label placement are the DARTS drawing's.
 */
import { escapeHtml } from "../../viz/html";
import { edgePath, marker, nodeShape, placeLabel, type Point } from "../darts/draw";
import { OPERATION_NAMES, type OperationName } from "../operations";
import { unusedBlocks, type NasnetBlock, type NasnetGenotype } from "./genotypes";

const OP_COLOURS: Record<OperationName, string> = {
  none: "#bbbbbb",
  skip_connect: "#d62728",
  max_pool_3x3: "#1f77b4",
  max_pool_5x5: "#3f8fd0",
  max_pool_7x7: "#6baed6",
  avg_pool_3x3: "#17becf",
  conv_1x1: "#7f7f7f",
  conv_3x3: "#393b79",
  conv_1x3_3x1: "#e377c2",
  conv_1x7_7x1: "#ad494a",
  sep_conv_3x3: "#2ca02c",
  sep_conv_5x5: "#8c564b",
  sep_conv_7x7: "#637939",
  dil_conv_3x3: "#9467bd",
  dil_conv_5x5: "#ff7f0e",
};

const HEIGHT = 360;

/** State s's position: 0 and 1 are the inputs, 2 + j block j (alternating high and low). */
function position(state: number): Point {
  if (state < 2) return { x: 70, y: state === 0 ? 130 : 240 };
  const block = state - 2;
  return { x: 230 + 130 * block, y: block % 2 === 0 ? 75 : 290 };
}

/** One cell as a standalone SVG document. */
export function nasnetCellSvg(blocks: readonly NasnetBlock[], title = ""): string {
  const width = 230 + 130 * blocks.length + 90;
  const output: Point = { x: 230 + 130 * blocks.length, y: HEIGHT / 2 };
  const id = (op: OperationName) => `nasnet-op-${OPERATION_NAMES.indexOf(op)}`;
  const used = [...new Set(blocks.flatMap((b) => b.ops))];
  const defs = [...used.map((op) => marker(id(op), OP_COLOURS[op])), marker("nasnet-concat", "#888")].join("");
  const arrows: string[] = [];
  const labels: string[] = [];
  const placed: Array<Point & { width: number }> = [];
  blocks.forEach((block, j) => {
    [0, 1].forEach((k) => {
      const op = block.ops[k];
      const curve = edgePath(position(block.inputs[k]), position(2 + j), k === 0 ? 1 : -1, OP_COLOURS[op], id(op));
      arrows.push(curve.path);
      const at = placeLabel(curve.label, op, placed);
      labels.push(
        `<text x="${at.x}" y="${at.y}" text-anchor="middle" font-size="11" fill="${OP_COLOURS[op]}" ` +
          `stroke="white" stroke-width="3" paint-order="stroke">${op}</text>`,
      );
    });
  });
  for (const state of unusedBlocks(blocks)) arrows.push(edgePath(position(state), output, 0, "#888", "nasnet-concat", true).path);
  const nodes = [
    nodeShape(position(0), "h_{i-2}", "#b9e6b9"),
    nodeShape(position(1), "h_{i-1}", "#b9e6b9"),
    ...blocks.map((_, j) => nodeShape(position(2 + j), `${2 + j}: add`, "#c6dbef")),
    nodeShape(output, "h_{i+1}", "#fde9a9"),
  ];
  const heading = title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeHtml(title)}</text>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif">` +
    `<defs>${defs}</defs>${heading}${arrows.join("")}${nodes.join("")}${labels.join("")}</svg>`
  );
}

/** Both cells, normal above reduction, as one SVG document. */
export function nasnetSvg(genotype: NasnetGenotype, title = ""): string {
  const [normal, reduce] = [nasnetCellSvg(genotype.normal, `${title} normal cell`.trim()), nasnetCellSvg(genotype.reduce, `${title} reduction cell`.trim())];
  const width = 230 + 130 * genotype.normal.length + 90;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${2 * HEIGHT}" viewBox="0 0 ${width} ${2 * HEIGHT}">` +
    `${normal}<g transform="translate(0 ${HEIGHT})">${reduce}</g></svg>`
  );
}
