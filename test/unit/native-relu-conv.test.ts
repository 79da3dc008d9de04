/**
 * The native ReLU-conv kernels (forward, input gradient with the ReLU mask, filter gradient)
 * against tf.relu then tf.conv2d, on wasm with the addon unregistered, over NB201's sizes and odd
 * ones, strides 1 and 2, and 1 to 32 channels; and ReluConvBn, which uses them, against its layers' composition.
 * The depthwise ones against tf.relu then tf.depthwiseConv2d on tfjs's cpu backend (kernels 3 and
 * 5, dilations 1 and 2 with strides 1 and 2), on 1 and 3 threads; and DilConv against its layers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeKernels, nativeOptions, type NativeKernels } from "../../lib/backend/native";
import { initBackend } from "../../lib/backend/select";
import { RELU_CONV2D, RELU_DEPTHWISE_CONV2D } from "../../lib/backend/wasm-kernels/native-relu-conv";
import { registerWasmTrainingKernels } from "../../lib/backend/wasm-training";
import { Rng } from "../../lib/core/random";
import type { Module } from "../../lib/nn/module";
import { reluConv2d, reluDepthwiseConv2d } from "../../lib/nn/relu-conv";
import { DilConv, ReluConvBn } from "../../lib/spaces/operations";
import { assertSameBitsOnThreads } from "./same-bits-on-threads";

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

type Shape4 = [number, number, number, number];

/**
 * A fresh module's loss sum(op(x) * weights) in training mode and its variables' gradients, with
 * the fused kernels and with the layers one by one: the two must agree.
 */
async function assertTrainsTheSame(makeOp: () => Module, xShape: Shape4, yShape: Shape4, seed: number, what: string): Promise<void> {
  const rng = new Rng(seed);
  const [x, weights] = [randomValues(tf.util.sizeFromShape(xShape), rng), randomValues(tf.util.sizeFromShape(yShape), rng)];
  const run = () =>
    tf.tidy(() => {
      const op = makeOp();
      const loss = () => tf.sum(tf.mul(op.apply(tf.tensor4d(x, xShape), true), tf.tensor4d(weights, yShape))) as tf.Scalar;
      const variables = op.trainableVariables();
      const { value, grads } = tf.variableGrads(loss, variables);
      const out = { value: value.dataSync()[0], grads: variables.map((v) => grads[v.name].dataSync() as Float32Array) };
      op.dispose();
      return out;
    });
  const { native: n, composed: t } = await bothWays(run);
  assertClose([n.value], [t.value], `${what} loss`);
  assert.equal(n.grads.length, t.grads.length);
  n.grads.forEach((g, i) => assertClose(g, t.grads[i], `${what} gradient ${i}`));
}

test("ReluConvBn trains the same with the fused kernels as with its layers one by one", { skip: !native }, async () => {
  await assertTrainsTheSame(() => new ReluConvBn(8, 16, [3, 3], 2, { affine: true }, new Rng(3)), [3, 14, 14, 8], [3, 7, 7, 16], 7, "ReluConvBn");
});

/** A float32 tensor's values and shape. */
type Values = [Float32Array, Shape4];

/** sum(conv(x, filter) * weights): its value and its gradients for x and the filter, on the current backend. */
function weightedLossAndGrads(conv: (x: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D, x: Values, filter: Values, weights: Values) {
  return tf.tidy(() => {
    const loss = (xt: tf.Tensor, ft: tf.Tensor) => tf.sum(tf.mul(conv(xt as tf.Tensor4D, ft as tf.Tensor4D), tf.tensor4d(...weights))) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(loss)([tf.tensor4d(...x), tf.tensor4d(...filter)]);
    return { value: value.dataSync() as Float32Array, dx: grads[0].dataSync() as Float32Array, dfilter: grads[1].dataSync() as Float32Array };
  });
}

/** A k x k x c filter's taps d apart on a ((k-1)d+1)-wide grid of zeros: the dilated filter as a plain one. */
function spreadTaps(filter: Float32Array, k: number, c: number, d: number): Float32Array {
  const side = (k - 1) * d + 1;
  const spread = new Float32Array(side * side * c);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let ch = 0; ch < c; ch++) spread[(i * d * side + j * d) * c + ch] = filter[(i * k + j) * c + ch];
  return spread;
}

/** The taps spreadTaps placed, read back from a gradient of the spread filter. */
function tapsOf(spread: Float32Array, k: number, c: number, d: number): Float32Array {
  const side = (k - 1) * d + 1;
  const taps = new Float32Array(k * k * c);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let ch = 0; ch < c; ch++) taps[(i * k + j) * c + ch] = spread[(i * d * side + j * d) * c + ch];
  return taps;
}

interface DepthwiseCase {
  size: number;
  c: number;
  kernel: number;
  dilation: number;
  stride: number;
}

const DEPTHWISE_CASES: DepthwiseCase[] = [1, 8, 16].flatMap((c) =>
  [3, 5].flatMap((kernel) => [1, 2].flatMap((dilation) => [1, 2].flatMap((stride) => [9, 16].map((size) => ({ size, c, kernel, dilation, stride }))))),
);

test("the native ReLU-depthwise matches tf.relu then tf.depthwiseConv2d on cpu: values and both gradients, the same bits on 1 and 3 threads", { skip: !native }, async () => {
  const kernels = native as NativeKernels;
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  registerWasmTrainingKernels(kernels);
  for (const { size, c, kernel: k, dilation: d, stride } of DEPTHWISE_CASES) {
    const rng = new Rng(size * 1000 + c * 40 + k * 4 + d * 2 + stride);
    const xShape: Shape4 = [2, size, size, c];
    const outSize = Math.ceil(size / stride);
    const yShape: Shape4 = [2, outSize, outSize, c];
    const [x, f, w] = [xShape, [k, k, c, 1], yShape].map((shape) => randomValues(tf.util.sizeFromShape(shape), rng));
    const what = `x ${xShape} kernel ${k} dilation ${d} stride ${stride}`;

    await tf.setBackend("wasm");
    assert.ok(tf.getKernel(RELU_DEPTHWISE_CONV2D, "wasm"), "the fused kernel is registered with the addon");
    const before = tf.memory().numTensors;
    const fused = () => weightedLossAndGrads((xt, ft) => reluDepthwiseConv2d(xt, ft, stride, "same", d), [x, xShape], [f, [k, k, c, 1]], [w, yShape]);
    const n = fused();
    assertSameBitsOnThreads(kernels, fused);
    assert.equal(tf.memory().numTensors, before, `${what}: no tensor left behind`);

    await tf.setBackend("cpu");
    const side = (k - 1) * d + 1;
    const spread: Values = [spreadTaps(f, k, c, d), [side, side, c, 1]];
    const t = weightedLossAndGrads((xt, ft) => tf.depthwiseConv2d(tf.relu(xt), ft, stride, "same"), [x, xShape], spread, [w, yShape]);
    assertClose(n.value, t.value, `${what} value`);
    assertClose(n.dx, t.dx, `${what} dx`);
    assertClose(n.dfilter, tapsOf(t.dfilter, k, c, d), `${what} dfilter`);
  }
  await tf.setBackend("wasm");
});

test("DilConv and SepConv's unit train the same with the fused kernels as with their layers one by one (the spread kernel at stride 2)", { skip: !native }, async () => {
  for (const [kernel, dilation, stride] of [[3, 1, 1], [5, 1, 2], [3, 2, 1], [5, 2, 2]]) {
    const out = Math.ceil(9 / stride);
    const makeOp = () => new DilConv(8, kernel, dilation, stride, { affine: true }, new Rng(3));
    await assertTrainsTheSame(makeOp, [3, 9, 9, 8], [3, out, out, 8], kernel * 10 + dilation * 3 + stride, `kernel ${kernel} dilation ${dilation} stride ${stride}`);
  }
});
