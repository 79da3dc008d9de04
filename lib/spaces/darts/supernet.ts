/**
 * The DARTS search network: the macro skeleton of search cells, plus the architecture
 * parameters alpha, one [14 edges x 8 ops] matrix shared by all normal cells and one by all
 * reduction cells.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { initialAlpha, softmaxMixing, type Alphas, type Mixing, type Supernet } from "../supernet";
import { DARTS_OPS, EDGE_COUNT, type CellType } from "./genotypes";
import { SearchCell } from "./search-cell";
import { Skeleton, planCells, type SkeletonOptions } from "./skeleton";

export class DartsSupernet implements Supernet<CellType> {
  private readonly skeleton: Skeleton<SearchCell>;
  readonly alphas: Alphas<CellType>;

  constructor(
    readonly options: SkeletonOptions,
    input: ImageShape,
    numClasses: number,
    rng: Rng,
  ) {
    const cells = planCells(options).map((plan) => new SearchCell(plan, rng));
    this.skeleton = new Skeleton(options, cells, input, numClasses, rng);
    this.alphas = { normal: initialAlpha(EDGE_COUNT, DARTS_OPS.length, rng), reduce: initialAlpha(EDGE_COUNT, DARTS_OPS.length, rng) };
  }

  /** Logits; every normal cell mixes its ops by `mixing.normal`, every reduction cell by `mixing.reduce`. */
  apply(x: tf.Tensor4D, training: boolean, mixing: Mixing<CellType>): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, s0, s1) => cell.apply(s0, s1, training, mixing[cell.type]));
  }

  weights(): tf.Variable[] {
    return this.skeleton.weights();
  }

  alphaVariables(): tf.Variable[] {
    return Object.values(this.alphas);
  }

  stateVariables(): tf.Variable[] {
    return [...this.skeleton.variables(), ...this.alphaVariables()];
  }

  softmaxMixing(): Mixing<CellType> {
    return softmaxMixing(this.alphas);
  }

  dispose(): void {
    this.skeleton.dispose();
    for (const a of this.alphaVariables()) a.dispose();
  }
}
