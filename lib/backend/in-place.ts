/**
 * BatchNorm's running averages updated in place on the wasm heap: a few floats per layer in JS,
 * where tf ops take four kernels and two allocations per statistic. Safe only when the variable
 * alone holds its buffer (tfjs shares buffers between tensors: `tf.variable(x)` keeps x's, so do
 * Reshape and nasbook's Identity and Cast, and the backend's refCount counts the holders) and
 * when no kernel keeps something derived from it: wasm's XNNPACK packs matMul and conv weights
 * once per buffer, which is why weights are never updated in place (sgd.ts writes new ones);
 * running statistics only reach batch norm kernels, which read them afresh on every call.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** average = (1 - momentum) * average + momentum * value; false (nothing changed) where it cannot be done in place. */
export function movingAverageInPlace(average: tf.Variable, value: tf.Tensor, momentum: number): boolean {
  if (tf.getBackend() !== "wasm" || average.size !== value.size) return false;
  const backend = tf.backend() as BackendWasm;
  const onHeap = (t: tf.Tensor) => t.dtype === "float32" && !t.isDisposed && backend.refCount(t.dataId) >= 1;
  if (!onHeap(average) || !onHeap(value) || backend.refCount(average.dataId) !== 1) return false;
  const a = backend.typedArrayFromHeap(average) as Float32Array;
  const x = backend.typedArrayFromHeap(value) as Float32Array;
  for (let i = 0; i < a.length; i++) a[i] = a[i] * (1 - momentum) + x[i] * momentum;
  return true;
}
