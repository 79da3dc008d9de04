/**
 * The native ReLU-conv kernels (forward, input gradient with the ReLU mask, filter gradient)
 * against tf.relu then tf.conv2d, on wasm with the addon unregistered, over NB201's sizes and odd
 * ones, strides 1 and 2, and 1 to 32 channels; and ReluConvBn, which uses them, against its layers' composition.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeKernels, nativeOptions } from "../../lib/backend/native";
import { initBackend } from "../../lib/backend/select";
import { RELU_CONV2D } from "../../lib/backend/wasm-kernels/native-relu-conv";
import { registerWasmTrainingKernels } from "../../lib/backend/wasm-training";
import { Rng } from "../../lib/core/random";
import { reluConv2d } from "../../lib/nn/relu-conv";
import { ReluConvBn } from "../../lib/spaces/operations";

const native = loadNativeKernels(nativeOptions({})).kernels;

function randomValues(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
}

/** `body` with the addon's kernels registered, then with the compositions. */
async function bothWays<T>(body: () => T): Promise<{ native: T; composed: T }> {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  try {
    registerWasmTrainingKernels(native);
    const withAddon = body();
    registerWasmTrainingKernels(null);
    return { native: withAddon, composed: body() };
  } finally {
    registerWasmTrainingKernels(native);
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-4 * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

interface Case {
  size: number;
  c: number;
  o: number;
  kernel: number;
  stride: number;
}

const CHANNELS = [1, 4, 8, 16, 32];
const CASES: Case[] = CHANNELS.flatMap((c) =>
  CHANNELS.flatMap((o) => [{ size: 15, c, o, kernel: 3, stride: 1 }, { size: 7, c, o, kernel: 3, stride: 2 }, { size: 14, c, o, kernel: 1, stride: 1 }]),
);

test("the native ReLU-conv matches tf.relu then tf.conv2d: values and both gradients", { skip: !native }, async () => {
  for (const { size, c, o, kernel, stride } of CASES) {
    const rng = new Rng(size * 1000 + c * 40 + o);
    const xShape: [number, number, number, number] = [2, size, size, c];
    const fShape: [number, number, number, number] = [kernel, kernel, c, o];
    const [x, f] = [randomValues(tf.util.sizeFromShape(xShape), rng), randomValues(tf.util.sizeFromShape(fShape), rng)];
    const outSize = Math.ceil(size / stride);
    const weights = randomValues(2 * outSize * outSize * o, rng);
    const before = tf.memory().numTensors;
    const run = () =>
      tf.tidy(() => {
        const loss = (xt: tf.Tensor, ft: tf.Tensor) =>
          tf.sum(tf.mul(reluConv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, stride, "same"), tf.tensor(weights, [2, outSize, outSize, o]))) as tf.Scalar;
        const { value, grads } = tf.valueAndGrads(loss)([tf.tensor(x, xShape), tf.tensor(f, fShape)]);
        return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array), fused: !!tf.getKernel(RELU_CONV2D, "wasm") };
      });
    const { native: n, composed: t } = await bothWays(run);
    assert.ok(n.fused && !t.fused, "the fused kernel is registered with the addon only");
    const what = `x ${xShape} filter ${fShape} stride ${stride}`;
    assertClose([n.value], [t.value], `${what} value`);
    assertClose(n.grads[0], t.grads[0], `${what} dx`);
    assertClose(n.grads[1], t.grads[1], `${what} dfilter`);
    assert.equal(tf.memory().numTensors, before, `${what}: no tensor left behind`);
  }
});

test("ReluConvBn trains the same with the fused kernels as with its layers one by one", { skip: !native }, async () => {
  const rng = new Rng(7);
  const x = randomValues(3 * 14 * 14 * 8, rng);
  const weights = randomValues(3 * 7 * 7 * 16, rng);
  const run = () =>
    tf.tidy(() => {
      const op = new ReluConvBn(8, 16, [3, 3], 2, { affine: true }, new Rng(3));
      const loss = () => tf.sum(tf.mul(op.apply(tf.tensor4d(x, [3, 14, 14, 8]), true), tf.tensor4d(weights, [3, 7, 7, 16]))) as tf.Scalar;
      const variables = op.trainableVariables();
      const { value, grads } = tf.variableGrads(loss, variables);
      const out = { value: value.dataSync()[0], grads: variables.map((v) => grads[v.name].dataSync() as Float32Array) };
      op.dispose();
      return out;
    });
  const { native: n, composed: t } = await bothWays(run);
  assertClose([n.value], [t.value], "loss");
  assert.equal(n.grads.length, t.grads.length);
  n.grads.forEach((g, i) => assertClose(g, t.grads[i], `gradient ${i}`));
});
