/**
 * The network NAS-Bench-201 trains for every cell: its skeleton (skeleton.ts) with every cell
 * the genotype's.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BuiltNetwork, type VariableOwner } from "../../nn/network";
import { Nb201Cell } from "./cell";
import type { Nb201Genotype } from "./genotypes";
import { Nb201Skeleton, type Nb201NetworkOptions } from "./skeleton";

export class Nb201Network extends BuiltNetwork {
  private readonly skeleton: Nb201Skeleton<Nb201Cell>;
  /** The cells in order; their ops by edge let tests give two networks the same weights. */
  readonly cells: readonly Nb201Cell[];

  constructor(genotype: Nb201Genotype, options: Nb201NetworkOptions, input: ImageShape, numClasses: number, rng: Rng) {
    super(input);
    this.skeleton = new Nb201Skeleton(options, input, numClasses, rng, (channels) => new Nb201Cell(genotype, channels, rng));
    this.cells = this.skeleton.cells;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, h) => cell.apply(h, training));
  }

  protected parts(): VariableOwner[] {
    return this.skeleton.parts();
  }
}
