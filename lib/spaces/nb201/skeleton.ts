/**
 * The macro skeleton of NAS-Bench-201's networks (its TinyNetwork), shared by the network built
 * from a genotype and the search supernet: a 3x3 conv stem with C channels and BatchNorm; three
 * stages of N cells with C, 2C and 4C channels, joined by a ResNet basic block of stride 2;
 * BatchNorm, ReLU, global average pooling and a linear layer. The paper uses N = 5, C = 16.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BatchNorm, Conv2d, Dense, avgPool, globalAvgPool } from "../../nn/layers";
import { Module, Sequential } from "../../nn/module";
import type { VariableOwner } from "../../nn/network";
import { ReluConvBn } from "../operations";

export interface Nb201NetworkOptions {
  /** Cells per stage, N (5 in the paper). */
  readonly cellsPerStage: number;
  /** Channels C of the first stage (16 in the paper); the stages have C, 2C, 4C. */
  readonly channels: number;
}

export const NB201_PAPER_NETWORK: Nb201NetworkOptions = { cellsPerStage: 5, channels: 16 };

/** Stages of the network; the channels double between them. */
const STAGES = 3;

export function checkNb201NetworkOptions(options: Nb201NetworkOptions): void {
  for (const name of ["cellsPerStage", "channels"] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new RangeError(`NAS-Bench-201 network needs ${name} >= 1, got ${options[name]}`);
  }
}

/**
 * ReLU-conv3x3 (stride 2)-BN, ReLU-conv3x3-BN, plus a shortcut that average-pools 2x2 and
 * projects with a 1x1 conv (no BN). TF's "same" padding is used throughout: at stride 2 it pads
 * only the bottom and right where PyTorch pads both sides (the sampling grid shifts by a pixel;
 * weights and MACs are equal), and it halves odd sizes to ceil(h / 2) on both paths.
 */
class ResidualBlock extends Module {
  private readonly body: Sequential;
  private readonly projection: Conv2d;

  constructor(inChannels: number, outChannels: number, rng: Rng) {
    super();
    const options = { affine: true };
    this.body = this.addChild(
      new Sequential([new ReluConvBn(inChannels, outChannels, [3, 3], 2, options, rng), new ReluConvBn(outChannels, outChannels, [3, 3], 1, options, rng)]),
    );
    this.projection = this.addChild(new Conv2d(inChannels, outChannels, { kernel: [1, 1] }, rng));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.add(this.body.apply(x, training), this.projection.apply(avgPool(x, 2, 2)));
  }
}

/** Runs one cell; the supernet's cells also need the op mixing of this forward pass. */
export type Nb201CellRunner<C> = (cell: C, x: tf.Tensor4D) => tf.Tensor4D;

/** Stem, stages and classifier; the caller builds each cell, given its stage's channels. */
export class Nb201Skeleton<C extends VariableOwner> {
  private readonly stem: Sequential;
  /** Cells and residual blocks, in order. */
  private readonly body: Array<C | ResidualBlock> = [];
  /** The cells in order. */
  readonly cells: C[] = [];
  private readonly lastNorm: BatchNorm;
  private readonly head: Dense;

  constructor(options: Nb201NetworkOptions, input: ImageShape, numClasses: number, rng: Rng, makeCell: (channels: number) => C) {
    checkNb201NetworkOptions(options);
    const { cellsPerStage, channels } = options;
    this.stem = new Sequential([new Conv2d(input[2], channels, { kernel: [3, 3] }, rng), new BatchNorm(channels)]);
    for (let stage = 0; stage < STAGES; stage++) {
      const width = channels * 2 ** stage;
      if (stage > 0) this.body.push(new ResidualBlock(width / 2, width, rng));
      for (let i = 0; i < cellsPerStage; i++) {
        const cell = makeCell(width);
        this.cells.push(cell);
        this.body.push(cell);
      }
    }
    const last = channels * 2 ** (STAGES - 1);
    this.lastNorm = new BatchNorm(last);
    this.head = new Dense(last, numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean, runCell: Nb201CellRunner<C>): tf.Tensor2D {
    const features = this.body.reduce(
      (h, layer) => (layer instanceof ResidualBlock ? layer.apply(h, training) : runCell(layer, h)),
      this.stem.apply(x, training),
    );
    return this.head.apply(globalAvgPool(tf.relu(this.lastNorm.apply(features, training))));
  }

  /** Everything that owns variables, trainable or not (BatchNorm running statistics). */
  parts(): VariableOwner[] {
    return [this.stem, ...this.body, this.lastNorm, this.head];
  }
}
