/**
 * The DARTS search network: the macro skeleton of search cells, plus the architecture
 * parameters alpha, one [14 edges x 8 ops] matrix shared by all normal cells and one by all
 * reduction cells. Network weights and alphas are kept apart because bilevel search
 * optimises them on different data with different optimisers.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { ImageShape } from "../../core/types";
import { CELL_TYPES, DARTS_OPS, EDGE_COUNT, type CellType } from "./genotypes";
import { SearchCell, type EdgeMixing } from "./search-cell";
import { Skeleton, planCells, type SkeletonOptions } from "./skeleton";

export type Alphas = Record<CellType, tf.Variable>;
export type Mixing = Record<CellType, EdgeMixing>;

export class DartsSupernet {
  private readonly skeleton: Skeleton<SearchCell>;
  readonly alphas: Alphas;

  constructor(
    readonly options: SkeletonOptions,
    input: ImageShape,
    numClasses: number,
    rng: Rng,
  ) {
    const cells = planCells(options).map((plan) => new SearchCell(plan, rng));
    this.skeleton = new Skeleton(options, cells, input, numClasses, rng);
    // DARTS initialises alpha at 1e-3 * N(0, 1): near-uniform mixing with the ties broken.
    const init = () => tf.tidy(() => tf.variable(tf.mul(1e-3, tf.randomNormal([EDGE_COUNT, DARTS_OPS.length], 0, 1, "float32", rng.seed())), true));
    this.alphas = { normal: init(), reduce: init() };
  }

  /** Logits; every normal cell mixes its ops by `mixing.normal`, every reduction cell by `mixing.reduce`. */
  apply(x: tf.Tensor4D, training: boolean, mixing: Mixing): tf.Tensor2D {
    return this.skeleton.apply(x, training, (cell, s0, s1) => cell.apply(s0, s1, training, mixing[cell.type]));
  }

  /** The network weights w (what SGD trains), without the alphas. */
  weights(): tf.Variable[] {
    return this.skeleton.weights();
  }

  alphaVariables(): tf.Variable[] {
    return CELL_TYPES.map((t) => this.alphas[t]);
  }

  /** DARTS's continuous relaxation: softmax over each edge's ops. */
  softmaxMixing(): Mixing {
    return { normal: { weights: tf.softmax(this.alphas.normal as tf.Tensor2D) }, reduce: { weights: tf.softmax(this.alphas.reduce as tf.Tensor2D) } };
  }

  dispose(): void {
    this.skeleton.dispose();
    for (const a of this.alphaVariables()) a.dispose();
  }
}
