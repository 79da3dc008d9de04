/**
 * The tensors saved for the backward pass without a tape node each (lib/backend/saved-tensors.ts):
 * a training step dispatches no Identity for its kernels' saved tensors nor for a custom
 * gradient's, and leaks nothing; its gradients are what the maths says, and a gradient of a
 * gradient, which reaches back through the saved tensors, still does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test("a training step saves its tensors without Identity kernels, frees them, and gets the right gradients", async () => {
  await initBackend();
  const x = tf.tensor2d([[1, -2, 3], [0.5, 4, -1]]);
  const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25], [-0.5, 1]]));
  // loss = sum(relu(x w)^2): dL/dw = x^T (2 relu(x w) * [x w > 0]).
  const loss = () => tf.sum(tf.square(tf.relu(tf.matMul(x, w)))) as tf.Scalar;
  const step = () => tf.variableGrads(loss, [w]);
  tf.dispose(step());  // warm-up
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => tf.dispose(step()));
  assert.deepEqual(profile.kernels.filter((k) => k.name === "Identity"), [], "no saved tensor went through Identity's dispatch");
  assert.ok(profile.kernels.some((k) => k.name === "MatMul" || k.name === "BatchMatMul"), "the profile saw the step's kernels");
  assert.equal(tf.memory().numTensors, before, "the saved copies are freed after the backward pass");

  const { grads, value } = step();
  const z = [[1 * 0.5 + -2 * 2 + 3 * -0.5, 1 * -1 + -2 * 0.25 + 3 * 1], [0.5 * 0.5 + 4 * 2 + -1 * -0.5, 0.5 * -1 + 4 * 0.25 + -1 * 1]];
  const upstream = z.map((row) => row.map((v) => (v > 0 ? 2 * v : 0)));
  const xs = [[1, -2, 3], [0.5, 4, -1]];
  const expected = [0, 1, 2].flatMap((i) => [0, 1].map((j) => xs[0][i] * upstream[0][j] + xs[1][i] * upstream[1][j]));
  assertClose(grads[w.name].dataSync(), expected, "dL/dw");
  assertClose(value.dataSync(), [z.flat().reduce((s, v) => s + (v > 0 ? v * v : 0), 0)], "loss");
  tf.dispose([grads[w.name], value, x, w]);
});

test("a custom gradient's saved tensors take no Identity either, and its gradient reads them", async () => {
  await initBackend();
  const x = tf.tensor1d([0.5, -1.5, 2]);
  const w = tf.variable(tf.tensor1d([2, 3, -1]));
  // cube(t) = t^3 with its gradient 3 t^2 from the saved t, as batch norm saves its statistics.
  const cube = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [t, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([t]);
    return { value: tf.pow(t, 3), gradFunc: (dy, [saved]) => tf.mul(dy, tf.mul(3, tf.square(saved))) };
  });
  const step = () => tf.variableGrads(() => tf.sum(cube(tf.mul(x, w)) as tf.Tensor) as tf.Scalar, [w]);
  tf.dispose(step());  // warm-up
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => tf.dispose(step()));
  assert.deepEqual(profile.kernels.filter((k) => k.name === "Identity"), [], "the saved t went through no Identity dispatch");
  assert.equal(tf.memory().numTensors, before, "the saved copy is freed after the backward pass");
  // d/dw sum((x w)^3) = 3 (x w)^2 x.
  const { grads, value } = step();
  const xs = [0.5, -1.5, 2], ws = [2, 3, -1];
  assertClose(grads[w.name].dataSync(), xs.map((v, i) => 3 * (v * ws[i]) ** 2 * v), "dL/dw");
  tf.dispose([grads[w.name], value, x, w]);
});

test("a gradient of a gradient still reaches back through the saved tensors", async () => {
  await initBackend();
  const x = tf.tensor1d([0.5, -1.5, 2]);
  // f = sum(x * x * x): f' = 3 x^2, f'' = 6 x. Mul saves both inputs: were the saved copies cut
  // from the tape, f'' would lose every path that runs through them.
  const cube = (t: tf.Tensor) => tf.sum(tf.mul(tf.mul(t, t), t));
  const first = tf.grad(cube);
  const second = tf.grad((t: tf.Tensor) => tf.sum(first(t)));
  const before = tf.memory().numTensors;
  const d1 = first(x);
  const d2 = second(x);
  assertClose(d1.dataSync(), [0.75, 6.75, 12], "f'");
  assertClose(d2.dataSync(), [3, -9, 12], "f''");
  tf.dispose([d1, d2]);
  assert.equal(tf.memory().numTensors, before, "nothing kept after nested gradients");
  x.dispose();
});
