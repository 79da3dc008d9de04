/**
 * The mean softmax cross-entropy of a batch of logits z [B, K] against label distributions y, and
 * its gradients, as one kernel each way on wasm: plain loops over the heap, since a batch's logits
 * are a few hundred floats. tf.losses.softmaxCrossEntropy composes the same from some 45 kernel
 * calls forward and back (its weighting, reduction and casts), 135 us of dispatch a step where the
 * arithmetic takes about 2; every trainer calls it once a step. With lse(z) = m + log sum_k
 * exp(z_k - m), m = max_k z_k, and s_b = sum_k y_bk (1 for one-hot labels):
 *
 *   loss         = (1/B) sum_b [ s_b lse(z_b) - sum_k y_bk z_bk ]
 *   dloss/dz_bk  = (s_b softmax(z_b)_k - y_bk) / B
 *   dloss/dy_bk  = (lse(z_b) - z_bk) / B
 *
 * tfjs's gradient for the logits takes s_b = 1 (the two agree on label distributions), and for the
 * labels returns (y - softmax(z)) / B, which is not the derivative. Sums run in doubles.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { onHeap } from "./native-training";
import type { KernelArgs } from "./wasm-ops";

/** Inputs labels, logits (float32 [B, K]); output the mean loss (a scalar). */
export const SOFTMAX_CROSS_ENTROPY = "NasbookSoftmaxCrossEntropy";
/** Inputs dy, labels, logits; attrs SoftmaxCrossEntropyGradAttrs; output the gradient for `wrt`. */
export const SOFTMAX_CROSS_ENTROPY_GRAD = "NasbookSoftmaxCrossEntropyGrad";

export interface SoftmaxCrossEntropyGradAttrs {
  wrt: "logits" | "labels";
}

/** log sum_k exp(row[k]), shifted by the row's maximum so that no exp overflows. */
function logSumExp(z: Float32Array, start: number, k: number): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, z[start + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(z[start + j] - max);
  return max + Math.log(sum);
}

function batchShape(kernel: string, labels: tf.TensorInfo, logits: tf.TensorInfo): [number, number] {
  if (logits.shape.length !== 2 || labels.shape.join() !== logits.shape.join()) {
    throw new Error(`${kernel} takes labels and logits of one [batch, classes] shape; got labels [${labels.shape}], logits [${logits.shape}]`);
  }
  return logits.shape as [number, number];
}

function forward({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { labels, logits } = inputs as Record<"labels" | "logits", tf.TensorInfo>;
  const [b, k] = batchShape(SOFTMAX_CROSS_ENTROPY, labels, logits);
  return onHeap(backend as BackendWasm, [labels, logits], [[]], ([y, z, loss]) => {
    let total = 0;
    for (let row = 0; row < b * k; row += k) {
      const lse = logSumExp(z, row, k);
      for (let j = row; j < row + k; j++) total += y[j] * (lse - z[j]);
    }
    loss[0] = total / b;
  })[0];
}

function gradient({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, labels, logits } = inputs as Record<"dy" | "labels" | "logits", tf.TensorInfo>;
  const { wrt } = attrs as unknown as SoftmaxCrossEntropyGradAttrs;
  const [b, k] = batchShape(SOFTMAX_CROSS_ENTROPY_GRAD, labels, logits);
  return onHeap(backend as BackendWasm, [dy, labels, logits], [[b, k]], ([g, y, z, dx]) => {
    const scale = g[0] / b;
    for (let row = 0; row < b * k; row += k) {
      const lse = logSumExp(z, row, k);
      if (wrt === "labels") {
        for (let j = row; j < row + k; j++) dx[j] = (lse - z[j]) * scale;
        continue;
      }
      let mass = 0;
      for (let j = row; j < row + k; j++) mass += y[j];
      for (let j = row; j < row + k; j++) dx[j] = (mass * Math.exp(z[j] - lse) - y[j]) * scale;
    }
  })[0];
}

export const softmaxCrossEntropyConfigs: readonly tf.KernelConfig[] = [
  { kernelName: SOFTMAX_CROSS_ENTROPY, backendName: "wasm", kernelFunc: forward as tf.KernelFunc },
  { kernelName: SOFTMAX_CROSS_ENTROPY_GRAD, backendName: "wasm", kernelFunc: gradient as tf.KernelFunc },
];

export const softmaxCrossEntropyGradConfig: tf.GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ["labels", "logits"],
  gradFunc: (dy, [labels, logits]) => {
    const grad = (wrt: SoftmaxCrossEntropyGradAttrs["wrt"]) => () =>
      tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { dy: dy as tf.Tensor, labels, logits }, { wrt } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return { labels: grad("labels"), logits: grad("logits") };
  },
};
