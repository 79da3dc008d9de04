/**
 * NASNet's controller (Zoph et al. 2018, Sec. 3 and Appendix A): a 1-layer LSTM with 100 units
 * walking the cell space's 2 x 4B decisions (`policy.ts`), trained with Proximal Policy
 * Optimization (Schulman et al. 2017) instead of REINFORCE. For a batch of m architectures a^k
 * sampled by the old policy, with rewards R_k and baseline b, A_k = R_k - b and the ratio of
 * the architecture's joint probability under the current and the sampling policy
 *   r_k = p(a^k) / p_old(a^k) = exp(log p(a^k) - log p_old(a^k)),
 * PPO minimises the clipped surrogate, for a few epochs over the same batch:
 *   loss = -(1/m) sum_k [ min(r_k A_k, clip(r_k, 1 - eps, 1 + eps) A_k) + beta H_k ].
 * The clip stops an update once the policy has moved a factor (1 +- eps) on an architecture,
 * so several gradient steps can reuse the same, expensive, rewards.
 *
 * From the paper: LSTM 1 x 100, weights uniform in [-0.1, 0.1], Adam lr 3.5e-4, entropy weight
 * 1e-5, baseline an exponential moving average of rewards with decay 0.95, the reward the
 * child's validation accuracy, the ratio on the joint probability of all softmaxes.
 * Left out by the paper, chosen here: the clip eps = 0.2 and 4 epochs per batch (Schulman et
 * al.'s defaults for small problems), full-batch steps (no minibatches), m = 10 children per
 * update (the paper's 450 workers update asynchronously), and the combine softmax, which this
 * space does not have (add only).
 */
import * as tf from "@tensorflow/tfjs";
import type { Json, SearchSpace } from "../../core/types";
import type { PolicyOptions } from "./policy";
import { ReinforceController, type ReinforceOptions, type Rewarded } from "./reinforce";

export interface PpoOptions extends ReinforceOptions {
  /** eps: the ratio is clipped to [1 - eps, 1 + eps]. */
  readonly clip: number;
  /** Gradient steps on each batch. */
  readonly epochs: number;
}

export const NASNET_POLICY: PolicyOptions = { units: 100, lstmLayers: 1, initRange: 0.1 };

export const NASNET_CONTROLLER: PpoOptions = {
  ...NASNET_POLICY,
  learningRate: 3.5e-4,
  batchSize: 10,
  baselineDecay: 0.95,
  entropyWeight: 1e-5,
  reward: (metrics) => metrics.validAccuracy,
  clip: 0.2,
  epochs: 4,
};

/**
 * -(1/m) sum_k min(r_k A_k, clip(r_k, 1 - eps, 1 + eps) A_k), the entropy bonus left to the
 * caller; `logProbs` [m] are the current policy's (taped), `oldLogProbs` the sampling policy's.
 */
export function clippedSurrogateLoss(logProbs: tf.Tensor1D, oldLogProbs: readonly number[], advantages: readonly number[], clip: number): tf.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logProbs, tf.tensor1d([...oldLogProbs])));
    const a = tf.tensor1d([...advantages]);
    const surrogate = tf.minimum(tf.mul(ratio, a), tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), a));
    return tf.neg(tf.mean(surrogate)) as tf.Scalar;
  });
}

export class PpoController<G extends Json> extends ReinforceController<G> {
  override readonly name: string = "ppo";
  readonly ppo: PpoOptions;

  constructor(space: SearchSpace<G>, seed: number, options: Partial<PpoOptions> = {}) {
    const ppo = { ...NASNET_CONTROLLER, ...options };
    if (!(ppo.clip > 0) || !Number.isInteger(ppo.epochs) || ppo.epochs < 1) {
      throw new RangeError(`PpoController needs clip > 0 and an integer epochs >= 1, got clip=${ppo.clip}, epochs=${ppo.epochs}`);
    }
    super(space, seed, ppo);
    this.ppo = ppo;
  }

  /** `epochs` Adam steps on the clipped loss of the same batch; returns the first step's loss. */
  protected override optimise(batch: readonly Rewarded[], baseline: number): number {
    const advantages = batch.map((s) => s.reward - baseline);
    const oldLogProbs = batch.map((s) => s.logProb);
    const losses = Array.from({ length: this.ppo.epochs }, () =>
      this.minimiseOnce(() => {
        const { logProb, entropy } = this.policy.score(batch.map((s) => s.tokens));
        const surrogate = clippedSurrogateLoss(logProb, oldLogProbs, advantages, this.ppo.clip);
        return tf.sub(surrogate, tf.mul(tf.mean(entropy), this.ppo.entropyWeight)) as tf.Scalar;
      }),
    );
    return losses[0];
  }
}
