/**
 * The standalone network of a DARTS genotype, as in quark0/darts `model.py` (NetworkCIFAR)
 * without the auxiliary head and drop-path, which are training tricks for long schedules.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape, Network } from "../../core/types";
import { countMacs } from "../../nn/macs";
import { DartsCell } from "./cell";
import type { DartsGenotype } from "./genotypes";
import { Skeleton, planCells, type SkeletonOptions } from "./skeleton";

export class DartsNetwork implements Network {
  private readonly skeleton: Skeleton<DartsCell>;
  private readonly macCount: number;

  constructor(genotype: DartsGenotype, options: SkeletonOptions, input: ImageShape, numClasses: number, rng: Rng) {
    const cells = planCells(options).map((plan) => new DartsCell(genotype[plan.type], plan, rng));
    this.skeleton = new Skeleton(options, cells, input, numClasses, rng);
    this.macCount = countMacs(() => tf.tidy(() => this.apply(tf.zeros([1, ...input]) as tf.Tensor4D, false)));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, s0, s1) => cell.apply(s0, s1, training));
  }

  get trainableVariables(): tf.Variable[] {
    return this.skeleton.weights();
  }

  paramCount(): number {
    return this.trainableVariables.reduce((n, v) => n + v.size, 0);
  }

  macs(): number {
    return this.macCount;
  }

  dispose(): void {
    this.skeleton.dispose();
  }
}
