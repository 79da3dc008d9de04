/**
 * One NASNet cell: h_{i-2} and h_{i-1} are brought to the cell's C channels (a 1x1 ReLU-Conv-BN,
 * or a factorized reduce when h_{i-2} is at twice the resolution after a reduction cell), then
 * each block adds its two ops' outputs, and the blocks no other block reads are concatenated:
 * the cell outputs C x (number of unused blocks) channels. In a reduction cell the ops that read
 * h_{i-2} or h_{i-1} have stride 2 (identity becomes a factorized reduce).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { Module } from "../../nn/module";
import { preprocessors, type CellPlan } from "../darts/skeleton";
import { createOperation } from "../operations";
import { unusedBlocks, type NasnetBlock } from "./genotypes";

export class NasnetCell {
  private readonly pre: [Module, Module];
  /** ops[j][k] applies to block j's input k. */
  private readonly ops: Array<[Module, Module]>;
  private readonly concat: number[];
  readonly modules: readonly Module[];

  constructor(
    readonly blocks: readonly NasnetBlock[],
    plan: CellPlan,
    rng: Rng,
  ) {
    const options = { affine: true };
    this.pre = preprocessors(plan, options, rng);
    const stride = (input: number) => (plan.type === "reduce" && input < 2 ? 2 : 1);
    this.ops = blocks.map((b) => [0, 1].map((k) => createOperation(b.ops[k], plan.channels, stride(b.inputs[k]), options, rng)) as [Module, Module]);
    this.concat = unusedBlocks(blocks);
    this.modules = [...this.pre, ...this.ops.flat()];
  }

  /** Channels of the cell's output for `channels` per block. */
  static outputChannels(blocks: readonly NasnetBlock[], channels: number): number {
    return unusedBlocks(blocks).length * channels;
  }

  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const states = [this.pre[0].apply(s0, training), this.pre[1].apply(s1, training)];
    this.blocks.forEach((block, j) => {
      const [left, right] = [0, 1].map((k) => this.ops[j][k].apply(states[block.inputs[k]], training));
      states.push(left.add(right));
    });
    return this.concat.length === 1 ? states[this.concat[0]] : tf.concat(this.concat.map((s) => states[s]), 3);
  }
}
