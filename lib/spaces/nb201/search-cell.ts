/**
 * NAS-Bench-201's search cell (its NAS201SearchCell): node i sums a mixed op over all 5 ops on
 * the edge from every earlier node, and the cell outputs node 3. BatchNorm has no learned scale
 * and shift (affine = false), as in NAS-Bench-201's DARTS and GDAS searches; unlike DARTS's
 * search cell, its pools get no BatchNorm of their own (its POOLING has none when the channels match).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { VariableOwner } from "../../nn/network";
import { MixedOp } from "../mixed-op";
import { createOperation } from "../operations";
import type { EdgeMixing } from "../supernet";
import { NB201_OPERATIONS } from "./cell";
import { NB201_EDGES, NB201_NODES, NB201_OPS } from "./genotypes";

export class Nb201SearchCell implements VariableOwner {
  /** One per edge of NB201_EDGES. */
  private readonly edges: MixedOp[];

  constructor(channels: number, rng: Rng) {
    const options = { affine: false };
    const none = NB201_OPS.indexOf("none");
    this.edges = NB201_EDGES.map(() => new MixedOp(NB201_OPS.map((op) => createOperation(NB201_OPERATIONS[op], channels, 1, options, rng)), none));
  }

  apply(x: tf.Tensor4D, training: boolean, mixing: EdgeMixing): tf.Tensor4D {
    const rows = tf.unstack(mixing.weights) as tf.Tensor1D[];
    const nodes = [x];
    for (let to = 1; to <= NB201_NODES; to++) {
      const terms = NB201_EDGES.flatMap((e, k) => (e.to === to ? [this.edges[k].apply(nodes[e.from], training, rows[k], mixing.chosen?.[k])] : []));
      nodes.push(tf.addN(terms));
    }
    return nodes[NB201_NODES];
  }

  variables(): tf.Variable[] {
    return this.edges.flatMap((edge) => edge.ops.flatMap((op) => op.variables()));
  }
}
