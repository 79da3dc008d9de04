/**
 * Training the shared weights (ENAS's child model, Li & Talwalkar's supernet): each minibatch
 * trains the one architecture sampled for it, so an op's weights learn only on the minibatches
 * of architectures that pick it, and whatever they learn every other such architecture inherits.
 * SGD with momentum 0.9, l2 1e-4, the gradient norm clipped at 5 (ENAS's child_grad_bound), and
 * the learning rate cosine-annealed from 0.05 to 0.0005 with warm restarts every 10, 20, 40...
 * epochs (ENAS's lr_T_0 = 10, lr_T_mul = 2). ENAS's code uses Nesterov momentum; this is plain
 * momentum, and l2 reaches only the weights an architecture used (ENAS adds it to all of them).
 */
import * as tf from "@tensorflow/tfjs";
import { DivergedError } from "../../core/errors";
import type { Batch } from "../../data/batches";
import { cosineWithRestarts } from "../../nn/schedule";
import { MomentumSGD } from "../../nn/sgd";
import type { SinglePathNet } from "../../spaces/single-path";
import { softmaxCrossEntropy } from "../../nn/losses";

export interface SharedWeightsConfig {
  readonly batchSize: number;
  readonly weightLr: number;
  readonly weightLrMin: number;
  /** Epochs of the first cosine period. */
  readonly restartPeriod: number;
  /** Each next period is this many times longer. */
  readonly restartGrowth: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly gradClip: number;
}

/** ENAS's micro-search child settings (scripts/cifar10_micro_search.sh), all but the batch size (ENAS: 160). */
export const ENAS_SHARED_WEIGHTS = {
  weightLr: 0.05,
  weightLrMin: 0.0005,
  restartPeriod: 10,
  restartGrowth: 2,
  momentum: 0.9,
  weightDecay: 1e-4,
  gradClip: 5,
} as const;

export class SharedWeightsTrainer {
  readonly sgd: MomentumSGD;

  constructor(
    readonly net: SinglePathNet,
    readonly config: SharedWeightsConfig,
  ) {
    const { momentum, weightDecay, gradClip } = config;
    this.sgd = new MomentumSGD(net.weights(), { momentum, weightDecay, clipNorm: gradClip });
  }

  learningRate(epoch: number): number {
    const { weightLr, weightLrMin, restartPeriod, restartGrowth } = this.config;
    return cosineWithRestarts(weightLr, weightLrMin, epoch, restartPeriod, restartGrowth);
  }

  /** One SGD step of architecture `tokens` on `batch` (not disposed); its loss and accuracy on that batch. */
  step(batch: Batch, tokens: readonly number[], epoch: number): { loss: number; accuracy: number } {
    let correct = 0;
    const loss = this.sgd.minimize(() => {
      const logits = this.net.apply(batch.x, true, tokens);
      correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(batch.y, "int32")), "int32")).dataSync()[0]);
      const labels = tf.oneHot(tf.cast(batch.y, "int32"), logits.shape[1]);
      return softmaxCrossEntropy(labels, logits);
    }, this.learningRate(epoch));
    const value = loss.dataSync()[0];
    loss.dispose();
    if (!Number.isFinite(value)) {
      throw new DivergedError(`Shared-weights training diverged at epoch ${epoch + 1}: loss ${value}. Lower the learning rate (${this.config.weightLr}).`);
    }
    return { loss: value, accuracy: correct / batch.y.shape[0] };
  }

  dispose(): void {
    this.sgd.dispose();
  }
}
