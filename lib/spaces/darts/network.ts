/**
 * The standalone network of a DARTS genotype, as in quark0/darts `model.py` (NetworkCIFAR)
 * without the auxiliary head and drop-path, which are training tricks for long schedules.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { BuiltNetwork, type VariableOwner } from "../../nn/network";
import { DartsCell } from "./cell";
import type { DartsGenotype } from "./genotypes";
import { Skeleton, planCells, type SkeletonOptions } from "./skeleton";

export class DartsNetwork extends BuiltNetwork {
  private readonly skeleton: Skeleton<DartsCell>;

  constructor(genotype: DartsGenotype, options: SkeletonOptions, input: ImageShape, numClasses: number, rng: Rng) {
    super(input);
    const cells = planCells(options).map((plan) => new DartsCell(genotype[plan.type], plan, rng));
    this.skeleton = new Skeleton(options, cells, input, numClasses, rng);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, s0, s1) => cell.apply(s0, s1, training));
  }

  protected parts(): VariableOwner[] {
    return this.skeleton.parts();
  }
}
