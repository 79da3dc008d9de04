/** The closed-form batch-norm gradient against tfjs's taped one, on cpu and on wasm. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { batchNormTraining } from "../../lib/nn/batch-norm-training";
import { Rng } from "../../lib/core/random";

const EPSILON = 1e-5;

function randomTensor(shape: number[], rng: Rng, shift = 0): tf.Tensor {
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 4 - 2 + shift);
  return tf.tensor(values, shape);
}

/** Values and gradients (x, gamma, beta) of sum(weights * batchNorm(x)). */
function valueAndGrads(closedForm: boolean, x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, weights: tf.Tensor4D) {
  const stats: number[][] = [];
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    let y: tf.Tensor4D;
    if (closedForm) {
      y = batchNormTraining(xi as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPSILON, ({ mean, variance }) => {
        stats.push(Array.from(mean.dataSync()), Array.from(variance.dataSync()));
      });
    } else {
      const { mean, variance } = tf.moments(xi, [0, 1, 2]);
      y = tf.batchNorm4d(xi as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, EPSILON);
    }
    return tf.sum(tf.mul(y, weights)) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)([x, gamma, beta]);
  return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())), stats };
}

function assertClose(actual: number[], expected: number[], what: string): void {
  const scale = Math.max(1e-3, ...expected.map(Math.abs));
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4 * scale, `${what}[${i}]: ${v} vs ${expected[i]}`));
}

for (const backend of ["cpu", "wasm"]) {
  test(`batch norm's closed-form gradient matches the taped one on ${backend}`, async () => {
    await initBackend({ NASBOOK_BACKEND: "wasm" });
    await tf.setBackend(backend);
    const rng = new Rng(3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = randomTensor([3, 5, 4, 6], rng, 1.5) as tf.Tensor4D;
      const gamma = randomTensor([6], rng) as tf.Tensor1D;
      const beta = randomTensor([6], rng) as tf.Tensor1D;
      const weights = randomTensor([3, 5, 4, 6], rng) as tf.Tensor4D;
      const closed = valueAndGrads(true, x, gamma, beta, weights);
      const taped = valueAndGrads(false, x, gamma, beta, weights);
      assertClose([closed.value], [taped.value], "value");
      ["x", "gamma", "beta"].forEach((name, i) => assertClose(closed.grads[i], taped.grads[i], `d${name}`));
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      assertClose(closed.stats[0], Array.from(mean.dataSync()), "batch mean");
      assertClose(closed.stats[1], Array.from(variance.dataSync()), "batch variance");
    });
    assert.equal(tf.memory().numTensors, before, "no tensor outlives the step");
  });
}
