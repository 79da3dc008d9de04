/**
 * A derived DARTS cell: each intermediate node sums the two ops its genotype keeps. Edges
 * that read c_{k-2} or c_{k-1} in a reduction cell have stride 2.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { Module } from "../../nn/module";
import { createOperation } from "../operations";
import type { DartsEdge } from "./genotypes";
import { concatNodes, preprocessors, type Cell, type CellPlan } from "./skeleton";

export class DartsCell implements Cell {
  private readonly pre: [Module, Module];
  private readonly ops: Module[];
  readonly modules: readonly Module[];

  constructor(
    readonly edges: readonly DartsEdge[],
    plan: CellPlan,
    rng: Rng,
  ) {
    const options = { affine: true };
    this.pre = preprocessors(plan, options, rng);
    const stride = (input: number) => (plan.type === "reduce" && input < 2 ? 2 : 1);
    this.ops = edges.map((e) => createOperation(e.op, plan.channels, stride(e.input), options, rng));
    this.modules = [...this.pre, ...this.ops];
  }

  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const states = [this.pre[0].apply(s0, training), this.pre[1].apply(s1, training)];
    for (let node = 0; node < this.edges.length / 2; node++) {
      const [a, b] = [2 * node, 2 * node + 1];
      const left = this.ops[a].apply(states[this.edges[a].input], training);
      const right = this.ops[b].apply(states[this.edges[b].input], training);
      states.push(left.add(right));
    }
    return concatNodes(states);
  }
}
