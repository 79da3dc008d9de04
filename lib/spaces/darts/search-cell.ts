/**
 * The DARTS search cell: every node j sums a mixed op on each of its 2 + j predecessors,
 * 14 edges in all, and each mixed op is a weighted sum over all 8 candidate ops.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { BatchNorm } from "../../nn/layers";
import { Module, Sequential } from "../../nn/module";
import { createOperation, isPoolOperation } from "../operations";
import { DARTS_OPS, STEPS, edgeIndex, type CellType } from "./genotypes";
import { concatNodes, preprocessors, type Cell, type CellPlan } from "./skeleton";

/** How one forward pass weighs the ops of every edge of one cell type. */
export interface EdgeMixing {
  /** [14, 8]: softmax(alpha) for DARTS, straight-through one-hots for GDAS. */
  readonly weights: tf.Tensor2D;
  /** GDAS: the one op per edge that runs. Absent: every op runs (DARTS). */
  readonly chosen?: readonly number[];
}

/** The weighted sum of all candidate ops on one edge: sum_o w_o * o(x). */
class MixedOp {
  readonly ops: Module[];

  constructor(channels: number, stride: number, rng: Rng) {
    const options = { affine: false };
    // As in quark0/darts: pools get a BatchNorm so their scale matches the normalised conv outputs.
    this.ops = DARTS_OPS.map((name) => {
      const op = createOperation(name, channels, stride, options, rng);
      return isPoolOperation(name) ? new Sequential([op, new BatchNorm(channels, options)]) : op;
    });
  }

  apply(x: tf.Tensor4D, training: boolean, weights: tf.Tensor1D, chosen?: number): tf.Tensor4D {
    const w = tf.unstack(weights) as tf.Scalar[];
    if (chosen === undefined) {
      // "none" adds w_none * 0: nothing to the sum and nothing to any gradient, so it is not run.
      const terms = this.ops.flatMap((op, o) => (DARTS_OPS[o] === "none" ? [] : [op.apply(x, training).mul(w[o]) as tf.Tensor4D]));
      return tf.addN(terms);
    }
    // GDAS: only the sampled op runs. The other weights are 0 in value but are added (as GDAS
    // does) so that the straight-through gradient reaches every op's logit.
    const others = tf.sum(weights).sub(w[chosen]);
    return this.ops[chosen].apply(x, training).mul(w[chosen]).add(others) as tf.Tensor4D;
  }
}

export class SearchCell implements Cell {
  private readonly pre: [Module, Module];
  private readonly edges: MixedOp[] = [];
  readonly modules: readonly Module[];
  readonly type: CellType;

  constructor(plan: CellPlan, rng: Rng) {
    this.type = plan.type;
    this.pre = preprocessors(plan, { affine: false }, rng);
    for (let node = 0; node < STEPS; node++) {
      for (let input = 0; input < node + 2; input++) {
        const stride = plan.type === "reduce" && input < 2 ? 2 : 1;
        this.edges.push(new MixedOp(plan.channels, stride, rng));
      }
    }
    this.modules = [...this.pre, ...this.edges.flatMap((e) => e.ops)];
  }

  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, training: boolean, mixing: EdgeMixing): tf.Tensor4D {
    const states = [this.pre[0].apply(s0, training), this.pre[1].apply(s1, training)];
    const rows = tf.unstack(mixing.weights) as tf.Tensor1D[];
    for (let node = 0; node < STEPS; node++) {
      const inputs = states.map((h, input) => {
        const e = edgeIndex(node, input);
        return this.edges[e].apply(h, training, rows[e], mixing.chosen?.[e]);
      });
      states.push(tf.addN(inputs));
    }
    return concatNodes(states);
  }
}
