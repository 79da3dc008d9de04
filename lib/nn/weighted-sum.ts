/**
 * sum_k w[columns[k]] * t_k: a DARTS edge's output, the candidate ops' outputs weighted by the
 * edge's softmaxed alphas (lib/spaces/mixed-op.ts). One kernel each way where nasbook's native
 * addon registered it (backend/wasm-kernels/weighted-sum.ts); tf ops everywhere else.
 */
import * as tf from "@tensorflow/tfjs";
import { WEIGHTED_SUM, type WeightedSumAttrs } from "../backend/wasm-kernels/weighted-sum";

export function weightedSum(terms: tf.Tensor4D[], weights: tf.Tensor1D, columns: number[]): tf.Tensor4D {
  if (terms.length !== columns.length) throw new RangeError(`weightedSum: ${terms.length} terms but ${columns.length} columns`);
  if (tf.getKernel(WEIGHTED_SUM, tf.getBackend())) {
    const attrs: WeightedSumAttrs = { columns };
    return tf.engine().runKernel(WEIGHTED_SUM, [weights, ...terms] as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  const w = tf.unstack(weights);
  return tf.addN(terms.map((t, k) => tf.mul(t, w[columns[k]]))) as tf.Tensor4D;
}
