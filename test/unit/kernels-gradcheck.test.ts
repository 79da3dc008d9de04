/**
 * Whole-network checks of wasm training against tfjs's cpu backend: the gradients (tf.grads) of
 * a small block that uses every op nasbook's search spaces train (convs 1x1 to 7x7, 1x7/7x1,
 * stride 2, dilated separable conv, batch norm from moments, max/avg pools, an embedding fed
 * to an LSTM cell, softmax cross-entropy), then Adam and SGD-momentum steps on it.
 * tfjs's cpu backend has no dilated conv gradients, so there the dilated conv is written the
 * way TensorFlow's atrous_conv2d does it (space-to-batch, conv, batch-to-space): same function.
 * Last, the DARTS dilated op: direct dilated taps on wasm against its zero-spread kernel on cpu.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { DilatedDepthwiseConv2d } from "../../lib/spaces/operations";

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 8],
  gamma: [8],
  beta: [8],
  depthwise: [3, 3, 8, 1],
  pointwise: [1, 1, 8, 8],
  row: [1, 7, 8, 8],
  column: [7, 1, 8, 8],
  reduce: [3, 3, 8, 8],
  wide: [5, 5, 8, 4],
  embedding: [10, 8],
  lstmKernel: [16, 32],
  lstmBias: [32],
  dense: [12, 5],
};
const NAMES = Object.keys(SHAPES);

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 7.13 + i * 1.71) * 0.5;
  return out;
}

/** Depthwise 3x3 conv with dilation 2, 'same' padding, on an 8x8 input. */
function dilatedDepthwise(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (tf.getBackend() === "wasm") return tf.depthwiseConv2d(x, w, 1, "same", "NHWC", 2);
  const spaced = tf.spaceToBatchND(x, [2, 2], [[2, 2], [2, 2]]);
  return tf.batchToSpaceND(tf.depthwiseConv2d(spaced as tf.Tensor4D, w, 1, "valid"), [2, 2], [[0, 0], [0, 0]]) as tf.Tensor4D;
}

function loss(p: Record<string, tf.Tensor>): tf.Scalar {
  const x = tf.tensor4d(values(2 * 8 * 8 * 3, 99), [2, 8, 8, 3]);
  let h: tf.Tensor4D = tf.relu(tf.conv2d(x, p.stem as tf.Tensor4D, 1, "same"));
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  h = tf.batchNorm(h, mean, variance, p.beta as tf.Tensor1D, p.gamma as tf.Tensor1D, 1e-3) as tf.Tensor4D;
  h = tf.conv2d(dilatedDepthwise(h, p.depthwise as tf.Tensor4D), p.pointwise as tf.Tensor4D, 1, "same");
  h = tf.relu(tf.conv2d(tf.conv2d(h, p.row as tf.Tensor4D, 1, "same"), p.column as tf.Tensor4D, 1, "same"));
  h = tf.conv2d(h, p.reduce as tf.Tensor4D, 2, "same");
  h = tf.add(tf.maxPool(h, 3, 1, "same"), tf.avgPool(h, 3, 1, "same"));
  const features = tf.mean(tf.conv2d(h, p.wide as tf.Tensor4D, 1, "same"), [1, 2]);
  const token = tf.gather(p.embedding, tf.tensor1d([4, 7], "int32"));
  const zeros = tf.zeros([2, 8]) as tf.Tensor2D;
  const [, hidden] = tf.basicLSTMCell(tf.scalar(1), p.lstmKernel as tf.Tensor2D, p.lstmBias as tf.Tensor1D, token as tf.Tensor2D, zeros, zeros);
  const logits = tf.matMul(tf.concat([hidden, features], 1), p.dense as tf.Tensor2D);
  return tf.losses.softmaxCrossEntropy(tf.oneHot([1, 3], 5), logits) as tf.Scalar;
}

function initial(): Float32Array[] {
  return NAMES.map((name, i) => values(SHAPES[name].reduce((a, b) => a * b, 1), i + 1));
}

async function gradientsOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const params = initial().map((v, i) => tf.tensor(v, SHAPES[NAMES[i]]));
    const grads = tf.grads((...ps: tf.Tensor[]) => loss(Object.fromEntries(NAMES.map((n, i) => [n, ps[i]]))))(params);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

async function trainedOn(backend: string, steps: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const vars = initial().map((v, i) => tf.variable(tf.tensor(v, SHAPES[NAMES[i]])));
  const named = Object.fromEntries(NAMES.map((n, i) => [n, vars[i]]));
  const optimizers = [tf.train.adam(0.01), tf.train.momentum(0.05, 0.9)];
  for (let s = 0; s < steps; s++) for (const opt of optimizers) opt.minimize(() => loss(named));
  const out = vars.map((v) => v.dataSync() as Float32Array);
  tf.dispose(vars);
  optimizers.forEach((o) => o.dispose());
  return out;
}

function assertAllClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  expected.forEach((e, i) => {
    const scale = Math.max(1e-6, ...Array.from(e, Math.abs));
    const worst = Math.max(...Array.from(e, (v, j) => Math.abs(v - actual[i][j])));
    assert.ok(worst <= 1e-3 * scale, `${what} ${NAMES[i]}: max error ${worst} vs scale ${scale}`);
  });
}

test("gradients of a block using every trained op match cpu", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const wasm = await gradientsOn("wasm");
  const cpu = await gradientsOn("cpu");
  for (const g of cpu) assert.ok(g.some((v) => v !== 0), "every parameter gets a gradient");

  assertAllClose(wasm, cpu, "gradient of");
});

test("Adam and SGD-momentum steps match cpu", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  assertAllClose(await trainedOn("wasm", 3), await trainedOn("cpu", 3), "after 3 steps,");
});

test("on wasm the dilated taps run directly, with the same values and gradients as the zero-spread kernel on cpu", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const values = Array.from({ length: 2 * 11 * 9 * 3 }, (_, i) => Math.sin(i));
  for (const [kernel, dilation] of [[3, 2], [5, 2]]) {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const conv = new DilatedDepthwiseConv2d(3, kernel, dilation, 1, new Rng(4));
      const x = tf.tensor4d(values, [2, 11, 9, 3]);
      const weights = tf.tensor4d(values.slice(0, kernel * kernel * 3).map((v) => v / 3), [kernel, kernel, 3, 1]);
      const [filter] = conv.variables();
      filter.assign(weights);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(conv.apply(x))) as tf.Scalar, [filter]);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.square(conv.apply(input as tf.Tensor4D))))(x);
      const out = { value: value.dataSync()[0], dFilter: Array.from(grads[filter.name].dataSync()), dx: Array.from(dx.dataSync()) };
      tf.dispose([x, weights, value, dx, ...Object.values(grads)]);
      conv.dispose();
      return out;
    };
    const [direct, spread] = [await run("wasm"), await run("cpu")];
    const close = (a: number[], b: number[], what: string) =>
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-3 * Math.max(1, Math.abs(b[i])), `k=${kernel} d=${dilation} ${what}[${i}]: ${v} vs ${b[i]}`));
    close([direct.value], [spread.value], "loss");
    close(direct.dFilter, spread.dFilter, "d filter");
    close(direct.dx, spread.dx, "dx");
  }
});
