/**
 * The NAS-Bench-201 search network (its TinyNetworkDarts and TinyNetworkGDAS): the skeleton of
 * its networks (skeleton.ts) with search cells, and one alpha, [6 edges x 5 ops], shared by every
 * cell.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { initialAlpha, softmaxMixing, type Alphas, type Mixing, type Supernet } from "../supernet";
import { NB201_EDGES, NB201_OPS } from "./genotypes";
import { Nb201SearchCell } from "./search-cell";
import { Nb201Skeleton, type Nb201NetworkOptions } from "./skeleton";

/** The name of the supernet's one alpha. */
export type Nb201AlphaName = "cell";

export class Nb201Supernet implements Supernet<Nb201AlphaName> {
  private readonly skeleton: Nb201Skeleton<Nb201SearchCell>;
  readonly alphas: Alphas<Nb201AlphaName>;

  constructor(options: Nb201NetworkOptions, input: ImageShape, numClasses: number, rng: Rng) {
    this.skeleton = new Nb201Skeleton(options, input, numClasses, rng, (channels) => new Nb201SearchCell(channels, rng));
    this.alphas = { cell: initialAlpha(NB201_EDGES.length, NB201_OPS.length, rng) };
  }

  apply(x: tf.Tensor4D, training: boolean, mixing: Mixing<Nb201AlphaName>): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, h) => cell.apply(h, training, mixing.cell));
  }

  weights(): tf.Variable[] {
    return this.skeleton.parts().flatMap((p) => p.variables()).filter((v) => v.trainable);
  }

  /** Every variable but the alpha, trainable or not (BatchNorm running statistics): what a checkpoint keeps. */
  variables(): tf.Variable[] {
    return this.skeleton.parts().flatMap((p) => p.variables());
  }

  alphaVariables(): tf.Variable[] {
    return [this.alphas.cell];
  }

  stateVariables(): tf.Variable[] {
    return [...this.variables(), this.alphas.cell];
  }

  softmaxMixing(): Mixing<Nb201AlphaName> {
    return softmaxMixing(this.alphas);
  }

  dispose(): void {
    for (const v of this.stateVariables()) v.dispose();
  }
}
