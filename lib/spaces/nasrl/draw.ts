/**
 * A NAS-RL genotype as an SVG picture (lib/viz/chain-svg.ts): the image on top, one box per
 * layer, the classifier at the bottom; skips curve around the right side and dangling layers'
 * edges into the classifier around the left.
 */
import { chainSvg, type ChainEdge } from "../../viz/chain-svg";
import { danglingLayers } from "./network";
import type { NasRlGenotype } from "./genotypes";

export function nasRlSvg(genotype: NasRlGenotype, title?: string): string {
  const n = genotype.layers.length;
  const edges: ChainEdge[] = [];
  genotype.layers.forEach((layer, i) => {
    if (layer.inputs.length === 0) edges.push({ from: 0, to: i + 1, side: 1 });
    for (const j of layer.inputs) edges.push({ from: j + 1, to: i + 1, side: 1 });
  });
  for (const i of danglingLayers(genotype)) edges.push({ from: i + 1, to: n + 1, side: -1 });
  const boxes = [
    { label: "image", fill: "#eef" },
    ...genotype.layers.map((l, i) => ({ label: `${i}: ${l.filterHeight}x${l.filterWidth}, ${l.filters}${l.stride === 1 ? "" : `, /${l.stride}`}`, fill: "#fff" })),
    { label: "pool + dense", fill: "#efe" },
  ];
  return chainSvg(boxes, edges, "nasrl-arrow", title);
}
