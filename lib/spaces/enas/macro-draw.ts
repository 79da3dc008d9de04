/**
 * An ENAS macro genotype as an SVG picture (lib/viz/chain-svg.ts): the stem on top, one box per
 * layer (its op, and "/2" where the resolution halves after it), the classifier at the bottom.
 * Each layer reads the box above it; its skips (the earlier nodes it adds) curve around the right.
 */
import { chainSvg, type ChainEdge } from "../../viz/chain-svg";
import { enasPoolLayers, type EnasMacroGenotype } from "./macro-genotypes";

export function enasMacroSvg(genotype: EnasMacroGenotype, title?: string): string {
  const n = genotype.layers.length;
  const pools = enasPoolLayers(n);
  // Row 0 is the stem (node 0), row i + 1 layer i (node i + 1), row n + 1 the classifier.
  const edges: ChainEdge[] = genotype.layers.flatMap((layer, i) => [
    { from: i, to: i + 1, side: 1 as const },
    ...layer.skips.flatMap((bit, j) => (bit === 1 ? [{ from: j, to: i + 1, side: 1 as const }] : [])),
  ]);
  edges.push({ from: n, to: n + 1, side: 1 });
  const boxes = [
    { label: "stem: conv 3x3", fill: "#eef" },
    ...genotype.layers.map((l, i) => ({ label: `${i}: ${l.op}${pools.includes(i) ? ", then /2" : ""}`, fill: l.op.includes("pool") ? "#ffe" : "#fff" })),
    { label: "pool + dense", fill: "#efe" },
  ];
  return chainSvg(boxes, edges, "enas-macro-arrow", title);
}
