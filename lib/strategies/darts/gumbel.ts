/**
 * GDAS (Dong & Yang, CVPR 2019): instead of running all 8 ops on every edge, sample one op per
 * edge from the Gumbel-softmax of alpha and run only that one. The forward pass uses the hard
 * one-hot h; the backward pass uses the gradient of the soft probabilities p (straight-through:
 * h = p + (onehot - p) with the bracket held constant). Temperature tau is annealed 10 -> 0.1.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import type { CellType } from "../../spaces/darts/genotypes";
import type { EdgeMixing } from "../../spaces/darts/search-cell";
import type { Alphas, Mixing } from "../../spaces/darts/supernet";

/** GDAS's linear schedule: tauMax at the first epoch, tauMin at the last. */
export function gdasTemperature(epoch: number, epochs: number, tauMax: number, tauMin: number): number {
  return epochs <= 1 ? tauMax : tauMax - ((tauMax - tauMin) * epoch) / (epochs - 1);
}

/** One Gumbel draw per edge and op, for one cell type; `edgeMixing()` must run inside the gradient tape. */
class GumbelDraw {
  private readonly noise: tf.Tensor2D;
  private readonly correction: tf.Tensor2D;
  readonly chosen: number[];

  constructor(
    private readonly alpha: tf.Variable,
    private readonly tau: number,
    rng: Rng,
  ) {
    this.noise = tf.tidy(() => {
      // Clipped away from 0 so that -log(-log u) stays finite (GDAS redraws instead).
      const u = tf.randomUniform(alpha.shape, 1e-10, 1, "float32", rng.seed());
      return tf.neg(tf.log(tf.neg(tf.log(u)))) as tf.Tensor2D;
    });
    const probs = this.probabilities();
    const chosen = tf.argMax(probs, 1);
    this.chosen = Array.from(chosen.dataSync());
    this.correction = tf.tidy(() => tf.sub(tf.oneHot(chosen as tf.Tensor1D, alpha.shape[1] as number), probs) as tf.Tensor2D);
    tf.dispose([probs, chosen]);
  }

  /** softmax((log_softmax(alpha) + g) / tau): differentiable in alpha. */
  private probabilities(): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(tf.div(tf.add(tf.logSoftmax(this.alpha as tf.Tensor2D), this.noise), this.tau)) as tf.Tensor2D);
  }

  edgeMixing(): EdgeMixing {
    return { weights: tf.add(this.probabilities(), this.correction) as tf.Tensor2D, chosen: this.chosen };
  }

  dispose(): void {
    tf.dispose([this.noise, this.correction]);
  }
}

/** A hard, straight-through sample of every edge's op, for both cell types. */
export class GumbelSample {
  private readonly draws: Record<CellType, GumbelDraw>;

  constructor(alphas: Alphas, tau: number, rng: Rng) {
    this.draws = { normal: new GumbelDraw(alphas.normal, tau, rng), reduce: new GumbelDraw(alphas.reduce, tau, rng) };
  }

  mixing(): Mixing {
    return { normal: this.draws.normal.edgeMixing(), reduce: this.draws.reduce.edgeMixing() };
  }

  dispose(): void {
    for (const draw of Object.values(this.draws)) draw.dispose();
  }
}

/** GDAS at inference: each edge runs its most likely op. */
export function argmaxMixing(alphas: Alphas): Mixing {
  const one = (alpha: tf.Variable): EdgeMixing => {
    const best = tf.argMax(alpha, 1) as tf.Tensor1D;
    const chosen = Array.from(best.dataSync());
    const weights = tf.tidy(() => tf.oneHot(best, alpha.shape[1] as number).toFloat() as tf.Tensor2D);
    best.dispose();
    return { weights, chosen };
  };
  return { normal: one(alphas.normal), reduce: one(alphas.reduce) };
}
