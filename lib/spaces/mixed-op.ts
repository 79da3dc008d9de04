/**
 * One edge of a search cell: the weighted sum of all its candidate ops, sum_o w_o * o(x), or
 * under GDAS the one sampled op. DARTS's and NAS-Bench-201's search cells differ only in the
 * ops they give it.
 */
import * as tf from "@tensorflow/tfjs";
import type { Module } from "../nn/module";
import { weightedSum } from "../nn/weighted-sum";

export class MixedOp {
  constructor(
    /** One per column of the edge's alpha row. */
    readonly ops: readonly Module[],
    /** The column of `none`. */
    private readonly none: number,
  ) {}

  apply(x: tf.Tensor4D, training: boolean, weights: tf.Tensor1D, chosen?: number): tf.Tensor4D {
    if (chosen === undefined) {
      // "none" adds w_none * 0: nothing to the sum and nothing to any gradient, so it is not run.
      const columns = this.ops.map((_, o) => o).filter((o) => o !== this.none);
      return weightedSum(columns.map((o) => this.ops[o].apply(x, training)), weights, columns);
    }
    const w = tf.unstack(weights) as tf.Scalar[];
    // GDAS: only the sampled op runs. The other weights are 0 in value but are added (as GDAS
    // does) so that the straight-through gradient reaches every op's logit.
    const others = tf.sum(weights).sub(w[chosen]);
    return this.ops[chosen].apply(x, training).mul(w[chosen]).add(others) as tf.Tensor4D;
  }
}
