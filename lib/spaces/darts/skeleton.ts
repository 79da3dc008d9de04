/**
 * The macro skeleton shared by the DARTS supernet and the networks built from its genotypes:
 * a 3x3 conv stem, L cells with reduction cells at 1/3 and 2/3 of the depth (channels double
 * there), global average pooling and a linear classifier. Each cell reads the outputs of the
 * two cells before it, c_{k-2} and c_{k-1}.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BatchNorm, Conv2d, Dense, globalAvgPool } from "../../nn/layers";
import { Module, Sequential } from "../../nn/module";
import type { VariableOwner } from "../../nn/network";
import { FactorizedReduce, ReluConvBn, type OperationOptions } from "../operations";
import { CONCAT, type CellType } from "./genotypes";

export interface SkeletonOptions {
  /** Number of cells L (DARTS: 8 in search, 20 for CIFAR-10 evaluation). */
  readonly layers: number;
  /** Channels C of the first cells' nodes (DARTS: 16 in search, 36 in evaluation). */
  readonly channels: number;
  /** The stem outputs stemMultiplier * C channels (3 in DARTS). */
  readonly stemMultiplier?: number;
  /**
   * Stride of the stem conv: 1 in DARTS's CIFAR networks; 2 halves the image first (as its
   * ImageNet stem does, by 8), which makes a CPU search on 28 x 28 images four times cheaper.
   */
  readonly stemStride?: number;
}

/** Channel bookkeeping for one cell. */
export interface CellPlan {
  readonly type: CellType;
  /** Whether c_{k-2} is at twice this cell's input resolution (the previous cell reduced). */
  readonly reductionPrev: boolean;
  readonly prevPrevChannels: number;
  readonly prevChannels: number;
  /** Channels of each intermediate node; the cell outputs 4 times as many. */
  readonly channels: number;
}

export function isReductionLayer(index: number, layers: number): boolean {
  return index === Math.floor(layers / 3) || index === Math.floor((2 * layers) / 3);
}

export function planCells(options: SkeletonOptions): CellPlan[] {
  const { layers, channels, stemMultiplier = 3 } = options;
  if (!Number.isInteger(layers) || layers < 1) throw new RangeError(`DARTS needs at least one cell, got layers = ${layers}`);
  if (!Number.isInteger(channels) || channels < 2 || channels % 2 !== 0) {
    throw new RangeError(`DARTS channels must be an even integer >= 2 (FactorizedReduce halves them), got ${channels}`);
  }
  const plans: CellPlan[] = [];
  let prevPrev = stemMultiplier * channels;
  let prev = stemMultiplier * channels;
  let current = channels;
  let reductionPrev = false;
  for (let i = 0; i < layers; i++) {
    const reduction = isReductionLayer(i, layers);
    if (reduction) current *= 2;
    plans.push({ type: reduction ? "reduce" : "normal", reductionPrev, prevPrevChannels: prevPrev, prevChannels: prev, channels: current });
    [prevPrev, prev] = [prev, CONCAT.length * current];
    reductionPrev = reduction;
  }
  return plans;
}

/** Brings c_{k-2} and c_{k-1} to the cell's channels (and c_{k-2} to its resolution after a reduction). */
export function preprocessors(plan: CellPlan, options: OperationOptions, rng: Rng): [Module, Module] {
  const { prevPrevChannels, prevChannels, channels } = plan;
  const first = plan.reductionPrev
    ? new FactorizedReduce(prevPrevChannels, channels, options, rng)
    : new ReluConvBn(prevPrevChannels, channels, [1, 1], 1, options, rng);
  return [first, new ReluConvBn(prevChannels, channels, [1, 1], 1, options, rng)];
}

/** A cell maps c_{k-2}, c_{k-1} to the concatenation of its intermediate nodes; here, what it owns. */
export interface Cell {
  readonly modules: readonly Module[];
}

/** Runs one cell; the supernet's cells also need the op mixing of this forward pass. */
export type CellRunner<C extends Cell> = (cell: C, s0: tf.Tensor4D, s1: tf.Tensor4D) => tf.Tensor4D;

/** Stem, cells and classifier; `cells` are built by the caller from `planCells`. */
export class Skeleton<C extends Cell> {
  readonly stem: Module;
  readonly head: Dense;

  constructor(
    readonly options: SkeletonOptions,
    readonly cells: readonly C[],
    input: ImageShape,
    numClasses: number,
    rng: Rng,
  ) {
    const stemChannels = (options.stemMultiplier ?? 3) * options.channels;
    this.stem = new Sequential([new Conv2d(input[2], stemChannels, { kernel: [3, 3], stride: options.stemStride ?? 1 }, rng), new BatchNorm(stemChannels)]);
    this.head = new Dense(CONCAT.length * planCells(options)[options.layers - 1].channels, numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean, runCell: CellRunner<C>): tf.Tensor2D {
    let s0 = this.stem.apply(x, training);
    let s1 = s0;
    for (const cell of this.cells) [s0, s1] = [s1, runCell(cell, s0, s1)];
    return this.head.apply(globalAvgPool(s1));
  }

  /** Everything that owns variables: stem, the cells' modules, head. */
  parts(): VariableOwner[] {
    return [this.stem, ...this.cells.flatMap((c) => c.modules), this.head];
  }

  /** Every variable, BatchNorm's running statistics included. */
  variables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.variables());
  }

  /** Trainable weights (not BatchNorm's running statistics). */
  weights(): tf.Variable[] {
    return this.variables().filter((v) => v.trainable);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Concatenates the intermediate nodes (states 2..5) along channels. */
export function concatNodes(states: readonly tf.Tensor4D[]): tf.Tensor4D {
  return tf.concat(CONCAT.map((i) => states[i]), 3);
}
