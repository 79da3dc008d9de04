/**
 * Training-mode batch normalisation over [N, H, W, C] with the batch's own statistics, and its
 * gradient written out in closed form (Ioffe & Szegedy 2015, section 3):
 *   x̂ = (x − μ) / σ,  y = γ x̂ + β,
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/σ · (dy − dβ/M − x̂ · dγ/M),  M = N·H·W.
 * Taped by tfjs through moments and batchNorm, the same gradient takes about twenty full-size
 * ops per layer (broadcasts and a Tile among them); written out it takes six, which speeds up
 * every training step of a BatchNorm network and allocates far less for the garbage collector.
 * With nasbook's native addon on wasm, forward and gradient are one kernel each
 * (backend/wasm-kernels/native-training.ts); these tf ops are the fallback everywhere else.
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, type BatchNormTrainingAttrs } from "../backend/wasm-kernels/native-training";

export interface BatchStatistics {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

const AXES = [0, 1, 2];

function gradients(dy: tf.Tensor4D, [x, mean, variance, gamma]: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const count = dy.shape[0] * dy.shape[1] * dy.shape[2];
  const normalized = tf.batchNorm4d(x as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, undefined, undefined, epsilon);
  const dBeta = tf.sum(dy, AXES);
  const dGamma = tf.sum(tf.mul(dy, normalized), AXES);
  const gain = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
  const centered = tf.sub(dy, tf.mul(normalized, tf.div(dGamma, count)));
  const dx = tf.sub(tf.mul(centered, gain), tf.mul(gain, tf.div(dBeta, count)));
  return [dx, dGamma, dBeta];
}

/** The batch statistics, normalised output and gradient with tf ops, on any backend. */
const composed = {
  forward(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchStatistics & { y: tf.Tensor4D } {
    const { mean, variance } = tf.moments(x, AXES) as BatchStatistics;
    return { y: tf.batchNorm4d(x, mean, variance, beta, gamma, epsilon), mean, variance };
  },
  gradients,
};

/** The same as one kernel each, where the native addon registered them. */
const native = {
  forward(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchStatistics & { y: tf.Tensor4D } {
    const attrs: BatchNormTrainingAttrs = { epsilon };
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale: gamma, offset: beta }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  },
  gradients(dy: tf.Tensor4D, [x, mean, variance, scale]: tf.Tensor[], epsilon: number): tf.Tensor[] {
    const attrs: BatchNormTrainingAttrs = { epsilon };
    return tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, mean, variance, scale }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  },
};

/**
 * γ x̂ + β for x [N, H, W, C] and γ, β [C]; `onStatistics` receives the batch mean and (biased)
 * variance while they exist (to update running averages; they are freed afterwards).
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStatistics: (stats: BatchStatistics) => void,
): tf.Tensor4D {
  const way = tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) ? native : composed;
  // customGrad passes the inputs then the save function, typed as one union.
  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, scale, offset, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const { y, mean, variance } = way.forward(input, scale, offset, epsilon);
    onStatistics({ mean, variance });
    save([input, mean, variance, scale]);
    return { value: y, gradFunc: (dy, saved) => way.gradients(dy as tf.Tensor4D, saved, epsilon) };
  });
  return normalize(x, gamma, beta) as tf.Tensor4D;
}
