/**
 * NAS-Bench-201's cell (its InferCell): node i sums op(node j) over every j < i, and the cell
 * outputs node 3. Channels stay the same through the cell; every op has stride 1.
 *
 * Only the edges that can change the output are built and run. An edge is skipped when its term
 * is zero whatever the input (`none`, or `skip_connect` / `avg_pool_3x3` of a node that is
 * itself zero) or when its target cannot reach node 3 through non-zero terms. A convolution of
 * a zero node is not skipped: ReLU-Conv-BN of zeros is BatchNorm's shift, a learned constant, so
 * skipping it would change the function. The output therefore equals the full definition.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { Module } from "../../nn/module";
import { createOperation, type OperationName } from "../operations";
import { NB201_EDGES, NB201_NODES, type Nb201Genotype, type Nb201Op } from "./genotypes";

/** The ops of lib/spaces/operations.ts that are NAS-Bench-201's (its nor_conv is ReLU-Conv-BN). */
export const NB201_OPERATIONS: Record<Nb201Op, OperationName> = {
  none: "none",
  skip_connect: "skip_connect",
  nor_conv_1x1: "conv_1x1",
  nor_conv_3x3: "conv_3x3",
  avg_pool_3x3: "avg_pool_3x3",
};

/** Whether op(source) is zero for every input, given whether the source is. */
function isZeroTerm(op: Nb201Op, sourceIsZero: boolean): boolean {
  return op === "none" || (sourceIsZero && (op === "skip_connect" || op === "avg_pool_3x3"));
}

/** Per edge of NB201_EDGES: whether the cell must compute it to produce its output. */
export function computedEdges(genotype: Nb201Genotype): boolean[] {
  const { edges } = genotype;
  const zero = [false];
  for (let to = 1; to <= NB201_NODES; to++) {
    zero.push(NB201_EDGES.every((e, k) => e.to !== to || isZeroTerm(edges[k], zero[e.from])));
  }
  const reaches = Array.from({ length: NB201_NODES + 1 }, (_, node) => node === NB201_NODES);
  for (let from = NB201_NODES - 1; from >= 0; from--) {
    reaches[from] = NB201_EDGES.some((e, k) => e.from === from && reaches[e.to] && !isZeroTerm(edges[k], zero[from]));
  }
  return NB201_EDGES.map((e, k) => reaches[e.to] && !isZeroTerm(edges[k], zero[e.from]));
}

export class Nb201Cell extends Module {
  /** The op of each edge, null where the edge is not computed. */
  readonly operations: ReadonlyArray<Module | null>;

  constructor(genotype: Nb201Genotype, channels: number, rng: Rng) {
    super();
    // One generator per edge, drawn for every edge: an edge's weights depend on the seed and its
    // op only, so cells that differ elsewhere start from the same weights on it.
    const edgeRngs = NB201_EDGES.map(() => rng.fork());
    const computed = computedEdges(genotype);
    this.operations = genotype.edges.map((op, k) =>
      computed[k] && op !== "none" ? this.addChild(createOperation(NB201_OPERATIONS[op], channels, 1, { affine: true }, edgeRngs[k])) : null,
    );
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    // null: a node that is zero (or unused); a convolution reading it gets explicit zeros.
    const nodes: Array<tf.Tensor4D | null> = [x];
    for (let to = 1; to <= NB201_NODES; to++) {
      let sum: tf.Tensor4D | null = null;
      for (const [k, e] of NB201_EDGES.entries()) {
        const op = this.operations[k];
        if (e.to !== to || !op) continue;
        const y = op.apply(nodes[e.from] ?? tf.zerosLike(x), training);
        sum = sum ? tf.add<tf.Tensor4D>(sum, y) : y;
      }
      nodes.push(sum);
    }
    return nodes[NB201_NODES] ?? tf.zerosLike(x);
  }
}
