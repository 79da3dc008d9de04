/**
 * GDAS (Dong & Yang, CVPR 2019): instead of running all ops on every edge, sample one op per
 * edge from the Gumbel-softmax of alpha and run only that one. The forward pass uses the hard
 * one-hot h; the backward pass uses the gradient of the soft probabilities p (straight-through:
 * h = p + (onehot - p) with the bracket held constant). Temperature tau is annealed 10 -> 0.1.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../core/random";
import { mapAlphas, type Alphas, type EdgeMixing, type Mixing } from "../../spaces/supernet";

/** GDAS's linear schedule: tauMax at the first epoch, tauMin at the last. */
export function gdasTemperature(epoch: number, epochs: number, tauMax: number, tauMin: number): number {
  return epochs <= 1 ? tauMax : tauMax - ((tauMax - tauMin) * epoch) / (epochs - 1);
}

/** One Gumbel draw per edge and op, for one alpha; `edgeMixing()` must run inside the gradient tape. */
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

/** A hard, straight-through sample of every edge's op, for every alpha. */
export class GumbelSample<K extends string> {
  private readonly draws: Record<K, GumbelDraw>;

  constructor(alphas: Alphas<K>, tau: number, rng: Rng) {
    this.draws = mapAlphas(alphas, (alpha) => new GumbelDraw(alpha, tau, rng));
  }

  mixing(): Mixing<K> {
    return mapAlphas(this.draws, (draw) => draw.edgeMixing());
  }

  dispose(): void {
    for (const draw of Object.values<GumbelDraw>(this.draws)) draw.dispose();
  }
}

/** GDAS at inference: each edge runs its most likely op. */
export function argmaxMixing<K extends string>(alphas: Alphas<K>): Mixing<K> {
  return mapAlphas(alphas, (alpha): EdgeMixing => {
    const best = tf.argMax(alpha, 1) as tf.Tensor1D;
    const chosen = Array.from(best.dataSync());
    const weights = tf.tidy(() => tf.oneHot(best, alpha.shape[1] as number).toFloat() as tf.Tensor2D);
    best.dispose();
    return { weights, chosen };
  });
}
