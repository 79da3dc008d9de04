/**
 * 100 training steps on wasm must not leak: not tensors, not backend buffers (intermediates of
 * nasbook's composed kernels), not wasm heap (buffers or cached XNNPACK operators nobody frees).
 * The network runs through every composed kernel: conv and depthwise gradients, max-pool
 * gradient, the Gather gradient (UnsortedSegmentSum), with Adam.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { wasmHeapBytes } from "../../lib/backend/wasm-training";

const HEAP_SLACK_BYTES = 1 << 20;

function makeStep(): () => void {
  const v = (shape: number[]) => tf.variable(tf.randomNormal(shape, 0, 0.1, "float32", 3));
  const p = { conv: v([3, 3, 8, 16]), dw: v([3, 3, 16, 1]), pw: v([1, 1, 16, 16]), emb: v([20, 16]), dense: v([16, 4]) };
  const x = tf.randomNormal([8, 16, 16, 8], 0, 1, "float32", 5);
  const ids = tf.tensor1d([1, 5, 5, 9, 0, 3, 19, 2], "int32");
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], "int32"), 4);
  const optimizer = tf.train.adam(0.01);
  return () =>
    optimizer.minimize(() => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, p.conv as tf.Tensor4D, 2, "same"));
      h = tf.conv2d(tf.depthwiseConv2d(h, p.dw as tf.Tensor4D, 1, "same", "NHWC", 2), p.pw as tf.Tensor4D, 1, "same");
      h = tf.maxPool(h, 3, 1, "same");
      const features = tf.add(tf.mean(h, [1, 2]), tf.gather(p.emb, ids));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(features, p.dense)) as tf.Scalar;
    }) as unknown as void;
}

test("100 wasm training steps grow neither tensors, backend buffers nor the wasm heap", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const step = makeStep();
  for (let i = 0; i < 5; i++) step();
  const before = { ...tf.memory(), heap: wasmHeapBytes() };
  for (let i = 0; i < 100; i++) step();
  const after = { ...tf.memory(), heap: wasmHeapBytes() };
  assert.equal(after.numTensors, before.numTensors, "live tensors");
  assert.equal(after.numDataBuffers, before.numDataBuffers, "backend data buffers");
  assert.ok(after.heap - before.heap <= HEAP_SLACK_BYTES, `wasm heap grew by ${after.heap - before.heap} bytes`);
});
