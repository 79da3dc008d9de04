/**
 * The network a NASNet genotype builds, written N@F in the paper (Sec. 3, Fig. 2 CIFAR-10
 * column): a 3x3 conv stem, then N normal cells, a reduction cell, N normal cells, a reduction
 * cell and N normal cells, global average pooling and a linear classifier. Cell channels C
 * double at each reduction. Each cell reads the outputs of the two cells before it.
 *
 * The paper's F is the filter count of the penultimate layer, i.e. of the last cell's output:
 * 4C x (the normal cell's unused blocks); NASNet-A 6@768 has C = 32 and 6 concatenated states.
 * `nasnetFilters` computes it. No auxiliary head or drop-path: both are training tricks for
 * the paper's long final schedules, not part of the architecture.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BatchNorm, Conv2d, Dense, globalAvgPool } from "../../nn/layers";
import { Sequential } from "../../nn/module";
import { BuiltNetwork, type VariableOwner } from "../../nn/network";
import type { CellPlan } from "../darts/skeleton";
import { NasnetCell } from "./cell";
import type { NasnetCellType, NasnetGenotype } from "./genotypes";

export interface NasnetNetworkOptions {
  /** N: normal cells between reductions (the paper's children: 2; NASNet-A CIFAR-10: 6). */
  readonly repeats: number;
  /** C: channels of each block in the first stage (NASNet-A CIFAR-10: 32). Even, for the factorized reduce. */
  readonly channels: number;
  /** The stem outputs stemMultiplier x C channels (3, as in the TF-slim NASNet CIFAR model). */
  readonly stemMultiplier?: number;
  /** 1 on CIFAR; 2 halves a 28 x 28 image first, four times cheaper on a CPU. */
  readonly stemStride?: number;
}

/** The cell types in network order: N normal, reduce, N normal, reduce, N normal. */
export function cellSequence(repeats: number): NasnetCellType[] {
  const stage = (): NasnetCellType[] => Array.from({ length: repeats }, () => "normal");
  return [...stage(), "reduce", ...stage(), "reduce", ...stage()];
}

function checkOptions(options: NasnetNetworkOptions): void {
  const { repeats, channels } = options;
  if (!Number.isInteger(repeats) || repeats < 0) throw new RangeError(`NASNet needs an integer N >= 0 of normal cells per stage, got ${repeats}`);
  if (!Number.isInteger(channels) || channels < 2 || channels % 2 !== 0) {
    throw new RangeError(`NASNet channels must be an even integer >= 2 (the factorized reduce halves them), got ${channels}`);
  }
}

/** Channel bookkeeping for every cell; a cell outputs C x (its unused blocks) channels. */
export function planNasnetCells(genotype: NasnetGenotype, options: NasnetNetworkOptions): CellPlan[] {
  checkOptions(options);
  let prevPrev = (options.stemMultiplier ?? 3) * options.channels;
  let prev = prevPrev;
  let channels = options.channels;
  let reductionPrev = false;
  return cellSequence(options.repeats).map((type) => {
    if (type === "reduce") channels *= 2;
    const plan: CellPlan = { type, reductionPrev, prevPrevChannels: prevPrev, prevChannels: prev, channels };
    [prevPrev, prev] = [prev, NasnetCell.outputChannels(genotype[type], channels)];
    reductionPrev = type === "reduce";
    return plan;
  });
}

/** The paper's F: filters of the penultimate layer (the last cell's output). */
export function nasnetFilters(genotype: NasnetGenotype, options: NasnetNetworkOptions): number {
  const last = planNasnetCells(genotype, options).at(-1)!;
  return NasnetCell.outputChannels(genotype[last.type], last.channels);
}

export class NasnetNetwork extends BuiltNetwork {
  private readonly stem: Sequential;
  private readonly cells: NasnetCell[];
  private readonly head: Dense;

  constructor(genotype: NasnetGenotype, options: NasnetNetworkOptions, input: ImageShape, numClasses: number, rng: Rng) {
    super(input);
    const stemChannels = (options.stemMultiplier ?? 3) * options.channels;
    this.stem = new Sequential([new Conv2d(input[2], stemChannels, { kernel: [3, 3], stride: options.stemStride ?? 1 }, rng), new BatchNorm(stemChannels)]);
    this.cells = planNasnetCells(genotype, options).map((plan) => new NasnetCell(genotype[plan.type], plan, rng));
    this.head = new Dense(nasnetFilters(genotype, options), numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    let s0 = this.stem.apply(x, training);
    let s1 = s0;
    for (const cell of this.cells) [s0, s1] = [s1, cell.apply(s0, s1, training)];
    return this.head.apply(globalAvgPool(s1));
  }

  protected parts(): VariableOwner[] {
    return [this.stem, ...this.cells.flatMap((c) => c.modules), this.head];
  }
}
