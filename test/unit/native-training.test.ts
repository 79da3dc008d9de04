/**
 * The native addon's training kernels against the tf-op compositions they replace, on wasm:
 * training batch norm (values, batch statistics, gradients) on real shapes with odd sizes and 1
 * to 32 channels, BatchNorm's running averages (in place on the heap), the momentum-SGD
 * update (weight decay, clipping, a variable whose buffer another tensor shares, a weight that
 * XNNPACK has packed) and Adam's. The compositions run with the addon unregistered, as under NASBOOK_NATIVE=0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeKernels, nativeOptions } from "../../lib/backend/native";
import { assertSameBitsOnThreads } from "./same-bits-on-threads";
import { initBackend } from "../../lib/backend/select";
import { BATCH_NORM_TRAINING } from "../../lib/backend/wasm-kernels/native-training";
import { registerWasmTrainingKernels } from "../../lib/backend/wasm-training";
import { Rng } from "../../lib/core/random";
import { batchNormTraining } from "../../lib/nn/batch-norm-training";
import { BatchNorm } from "../../lib/nn/layers";
import { Adam } from "../../lib/nn/adam";
import { MomentumSGD } from "../../lib/nn/sgd";

const native = loadNativeKernels(nativeOptions({})).kernels;
const EPSILON = 1e-5;

function randomValues(n: number, rng: Rng, shift = 0): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 4 - 2 + shift);
}

/** `body` with the addon's kernels registered, then with the compositions; both results. */
async function bothWays<T>(body: () => T | Promise<T>): Promise<{ native: T; composed: T }> {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  try {
    registerWasmTrainingKernels(native);
    const withAddon = await body();
    registerWasmTrainingKernels(null);
    return { native: withAddon, composed: await body() };
  } finally {
    registerWasmTrainingKernels(native);
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
  }
}

// Channel counts whose periods of whole vectors hold 16 rows (1), 2 (8), 9 rows of 9 channels, 4 of
// 12, and one too long to sum in registers (68: 17 vectors); rows from under one period to several
// shares on both threads.
const BN_SHAPES: Array<[number, number, number, number]> = [
  ...[1, 8, 9, 12, 16, 32, 68].flatMap((c) => [[2, 7, 7, c], [3, 15, 15, c]] as Array<[number, number, number, number]>),
  [1, 1, 3, 9], [16, 16, 16, 12],
];

test("native training batch norm matches the composition: values, statistics and gradients", { skip: !native }, async () => {
  for (const shape of BN_SHAPES) {
    const rng = new Rng(shape[1] * 100 + shape[3]);
    const c = shape[3];
    const [x, gamma, beta, weights] = [randomValues(tf.util.sizeFromShape(shape), rng, 3), randomValues(c, rng), randomValues(c, rng), randomValues(tf.util.sizeFromShape(shape), rng)];
    const before = tf.memory().numTensors;
    const run = () =>
      tf.tidy(() => {
        const stats: Float32Array[] = [];
        const loss = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTraining(xt as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPSILON, ({ mean, variance }) => {
            stats.push(mean.dataSync() as Float32Array, variance.dataSync() as Float32Array);
          }), tf.tensor(weights, shape))) as tf.Scalar;
        const { value, grads } = tf.valueAndGrads(loss)([tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)]);
        return { value: value.dataSync()[0], grads: grads.map((g) => g.dataSync() as Float32Array), stats, nativeKernel: !!tf.getKernel(BATCH_NORM_TRAINING, "wasm") };
      });
    const { native: n, composed: t } = await bothWays(run);
    assert.ok(n.nativeKernel && !t.nativeKernel, "the kernel is registered with the addon only");
    const what = `shape ${shape}`;
    assertClose([n.value], [t.value], `${what} value`);
    assertClose(n.stats[0], t.stats[0], `${what} mean`);
    assertClose(n.stats[1], t.stats[1], `${what} variance`);
    ["x", "gamma", "beta"].forEach((name, i) => assertClose(n.grads[i], t.grads[i], `${what} d${name}`));
    assert.equal(tf.memory().numTensors, before, `${what}: no tensor outlives the step`);
  }
});

test("BatchNorm's running statistics move the same in place as with tf ops", async () => {
  const shape: [number, number, number, number] = [4, 7, 7, 8];
  const x = randomValues(tf.util.sizeFromShape(shape), new Rng(5), 1);
  const run = () => {
    const norm = new BatchNorm(8, { momentum: 0.25 });
    for (let i = 0; i < 3; i++) tf.tidy(() => norm.apply(tf.tensor4d(x, shape), true));
    const out = [norm.runningMean.dataSync(), norm.runningVar.dataSync()] as Float32Array[];
    norm.dispose();
    return out;
  };
  const { native: n, composed: t } = await bothWays(run);
  assertClose(n[0], t[0], "running mean", 1e-6);
  assertClose(n[1], t[1], "running variance", 1e-6);
});

test("native batch norm gives the same bits on any number of threads", { skip: !native }, () => {
  const kernels = native!;
  const rows = 64 * 28 * 28 + 3;  // a tail of rows past the last whole period
  const c = 8;
  const rng = new Rng(9);
  const [x, dy, gamma, beta] = [randomValues(rows * c, rng, 2), randomValues(rows * c, rng), randomValues(c, rng), randomValues(c, rng)];
  assertSameBitsOnThreads(kernels, () => {
    const [y, dx] = [new Float32Array(rows * c), new Float32Array(rows * c)];
    const [mean, variance, dgamma, dbeta] = [0, 0, 0, 0].map(() => new Float32Array(c));
    kernels.batchNormForward(x, gamma, beta, y, mean, variance, EPSILON);
    kernels.batchNormBackward(dy, x, mean, variance, gamma, dx, dgamma, dbeta, EPSILON);
    return { y, mean, variance, dx, dgamma, dbeta };
  });
});

test("the momentum-SGD kernel matches the tf-op update, with weight decay, clipping and a shared buffer", async () => {
  const shapes = [[3, 3, 4, 8], [8], [5, 3]];
  const rng = new Rng(11);
  const initial = shapes.map((s) => randomValues(tf.util.sizeFromShape(s), rng));
  const grads = [1, 2, 3].map(() => shapes.map((s) => randomValues(tf.util.sizeFromShape(s), rng)));
  const run = (clipNorm: number | undefined) => async () => {
    const variables = initial.map((v, i) => tf.tidy(() => tf.variable(tf.tensor(v, shapes[i]), true, `sgd-test-${i}`)));
    // A variable made from a tensor that stays alive shares its buffer: the update must leave the tensor alone.
    const source = tf.tensor(initial[2], shapes[2]);
    const shared = tf.variable(source, true, "sgd-test-shared");
    const sgd = new MomentumSGD([...variables, shared], { momentum: 0.9, weightDecay: 0.01, clipNorm });
    const before = tf.memory().numTensors;
    let kernels = 0;
    for (const step of grads) {
      const named: tf.NamedTensorMap = {};
      step.forEach((g, i) => (named[`sgd-test-${i}`] = tf.tensor(g, shapes[i])));
      named["sgd-test-shared"] = tf.tensor(step[2], shapes[2]);
      kernels = (await tf.profile(() => sgd.apply(named, 0.1))).kernels.length;
      tf.dispose(Object.values(named));
    }
    const grew = tf.memory().numTensors - before;
    const out = { values: [...variables, shared].map((v) => v.dataSync() as Float32Array), source: source.dataSync() as Float32Array, grew, kernels };
    sgd.dispose();
    tf.dispose([...variables, shared, source]);
    return out;
  };
  for (const clipNorm of [undefined, 1]) {
    const { native: n, composed: t } = await bothWays(run(clipNorm));
    n.values.forEach((v, i) => assertClose(v, t.values[i], `clip ${clipNorm} variable ${i}`, 1e-5));
    assertClose(n.values[3], n.values[2], `clip ${clipNorm}: the shared variable steps like its twin`, 1e-5);
    assert.deepEqual(n.source, Float32Array.from(initial[2]), "the tensor sharing a variable's buffer is unchanged");
    assert.equal(n.grew, 4, "only the velocities (of the first step) stay");
    // Four variables: one kernel each instead of five or six.
    if (native) assert.ok(t.kernels - n.kernels >= 16, `native: ${n.kernels} kernels a step, with tf ops ${t.kernels}`);
  }
});

test("the Adam kernel matches the tf-op update over steps, keeps moments that restore, and frees what it makes", async () => {
  const shapes = [[3, 3, 4, 8], [8], [14]];
  const rng = new Rng(12);
  const initial = shapes.map((s) => randomValues(tf.util.sizeFromShape(s), rng));
  const grads = [1, 2, 3, 4].map(() => shapes.map((s) => randomValues(tf.util.sizeFromShape(s), rng)));
  const run = async () => {
    const variables = initial.map((v, i) => tf.variable(tf.tensor(v, shapes[i]), true, `adam-test-${i}`));
    const adam = new Adam(variables, { learningRate: 0.05, betas: [0.5, 0.999], epsilon: 1e-8 });
    const before = tf.memory().numTensors;
    let kernels = 0;
    for (const step of grads) {
      const named: tf.NamedTensorMap = Object.fromEntries(step.map((g, i) => [`adam-test-${i}`, tf.tensor(g, shapes[i])]));
      kernels = (await tf.profile(() => adam.applyGradients(named))).kernels.length;
      tf.dispose(Object.values(named));
    }
    const out = { values: variables.map((v) => v.dataSync() as Float32Array), state: adam.saveState(), grew: tf.memory().numTensors - before, kernels };
    adam.dispose();
    tf.dispose(variables);
    return out;
  };
  const { native: n, composed: t } = await bothWays(run);
  n.values.forEach((v, i) => assertClose(v, t.values[i], `variable ${i}`, 1e-5));
  assert.equal(n.state.step, 4);
  n.state.moments.forEach((m, i) => assert.deepEqual(m.shape, t.state.moments[i].shape, `moment ${i}`));
  assert.equal(n.grew, 0, "no tensor left behind");
  // Three variables: one kernel each instead of about fifteen.
  if (native) assert.ok(t.kernels - n.kernels >= 30, `native: ${n.kernels} kernels a step, with tf ops ${t.kernels}`);
});

test("a Dense weight updated by SGD changes what matMul computes (XNNPACK's packed weights are not stale)", async () => {
  const run = () => {
    const w = tf.variable(tf.ones([4, 3]), true, "sgd-matmul-w");
    const x = tf.ones([2, 4]);
    const sgd = new MomentumSGD([w], { momentum: 0 });
    const outputs: number[] = [];
    for (let i = 0; i < 3; i++) {
      outputs.push(tf.tidy(() => tf.matMul(x, w).dataSync()[0]));
      tf.tidy(() => sgd.apply({ "sgd-matmul-w": tf.onesLike(w) }, 0.5));
    }
    sgd.dispose();
    tf.dispose([w, x]);
    return outputs;
  };
  const { native: n, composed: t } = await bothWays(run);
  assert.deepEqual(n, [4, 2, 0]);
  assert.deepEqual(t, [4, 2, 0]);
});
