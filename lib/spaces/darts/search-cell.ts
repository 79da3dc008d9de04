/**
 * The DARTS search cell: every node j sums a mixed op on each of its 2 + j predecessors,
 * 14 edges in all, and each mixed op is a weighted sum over all 8 candidate ops.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { BatchNorm } from "../../nn/layers";
import { Module, Sequential } from "../../nn/module";
import { MixedOp } from "../mixed-op";
import { createOperation, isPoolOperation } from "../operations";
import type { EdgeMixing } from "../supernet";
import { DARTS_OPS, STEPS, edgeIndex, type CellType } from "./genotypes";
import { concatNodes, preprocessors, type Cell, type CellPlan } from "./skeleton";

/** An edge's 8 ops. As in quark0/darts, pools get a BatchNorm so their scale matches the normalised conv outputs. */
function dartsMixedOp(channels: number, stride: number, rng: Rng): MixedOp {
  const options = { affine: false };
  const ops = DARTS_OPS.map((name) => {
    const op = createOperation(name, channels, stride, options, rng);
    return isPoolOperation(name) ? new Sequential([op, new BatchNorm(channels, options)]) : op;
  });
  return new MixedOp(ops, DARTS_OPS.indexOf("none"));
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
        this.edges.push(dartsMixedOp(plan.channels, stride, rng));
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
