/**
 * ENAS's skip penalty (src/cifar10/general_controller.py, `skip_penaltys`): left alone, a macro
 * controller's skip connections drift (towards none or all); ENAS pulls each skip probability
 * p towards a target rate t with the KL divergence of Bernoulli(p) from Bernoulli(t),
 *   KL(p || t) = p log(p / t) + (1 - p) log((1 - p) / (1 - t)),
 * summed over a layer's skip decisions, averaged over the layers that have any, and added to
 * the REINFORCE loss with weight w (scripts/cifar10_macro_search.sh: t = 0.4, w = 0.8).
 * ENAS's code samples a skip from softmax([-x, x]), P(yes) = sigmoid(2x), and penalises
 * sigmoid(x); nasbook's controller samples P(yes) = sigmoid(x) (the paper's formula) and
 * penalises that same probability.
 */
import * as tf from "@tensorflow/tfjs";

export interface SkipPenaltyOptions {
  /** The skip rate t the penalty pulls towards. */
  readonly target: number;
  /** Its weight w in the controller's loss. */
  readonly weight: number;
}

export const ENAS_SKIP_PENALTY: SkipPenaltyOptions = { target: 0.4, weight: 0.8 };

/** Every anchor decision's [log(1 - p), log p] for a batch of sequences, [anchors, batch, 2], and the number of anchor groups (layers with skip decisions) they fall in. */
export interface SkipLogProbs {
  readonly logProbs: tf.Tensor3D;
  readonly groups: number;
}

/**
 * Each sequence's mean over anchor groups of sum_j KL(p_j || t): [batch]. Every sequence has the
 * same groups, so the mean is the sum over all anchors divided by the number of groups. With no
 * anchor, the scalar 0 (it broadcasts over any batch).
 */
export function skipPenalty(skip: SkipLogProbs | null, target: number): tf.Tensor {
  if (!(target > 0 && target < 1)) throw new RangeError(`skip penalty target must be in (0, 1), got ${target}`);
  if (!skip) return tf.scalar(0);
  const { logProbs, groups } = skip;
  const logTarget = tf.tensor1d([Math.log(1 - target), Math.log(target)]);
  return tf.div(tf.sum(tf.mul(tf.exp(logProbs), tf.sub(logProbs, logTarget)), [0, 2]), groups);
}
