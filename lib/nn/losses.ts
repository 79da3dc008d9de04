/**
 * The mean softmax cross-entropy of logits against label distributions (tf.losses.softmaxCrossEntropy
 * with its defaults): one kernel each way where the backend registered nasbook's
 * (backend/wasm-kernels/softmax-cross-entropy.ts: wasm), tfjs's composition everywhere else.
 */
import * as tf from "@tensorflow/tfjs";
import { SOFTMAX_CROSS_ENTROPY } from "../backend/wasm-kernels/softmax-cross-entropy";

export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const fused = tf.getKernel(SOFTMAX_CROSS_ENTROPY, tf.getBackend()) && labels.dtype === "float32" && logits.dtype === "float32" && logits.rank === 2;
  if (!fused) return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  return tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { labels, logits }) as tf.Scalar;
}
