import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { GenotypeError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { avgPool } from "../../lib/nn/layers";
import { MacroCnnSpace, type MacroCnnGenotype } from "../../lib/spaces/macro-cnn";

const space = new MacroCnnSpace({ minLayers: 1, maxLayers: 3, kernels: [1, 3], filters: [4, 8] });

test("sampling is seeded and always valid", () => {
  const a = Array.from({ length: 20 }, (_, i) => space.sample(new Rng(i)));
  const b = Array.from({ length: 20 }, (_, i) => space.sample(new Rng(i)));
  assert.deepEqual(a, b);
  for (const g of a) assert.deepEqual(space.validate(JSON.parse(JSON.stringify(g))), g);
  assert.ok(new Set(a.map((g) => JSON.stringify(g))).size > 10, "samples should differ across seeds");
});

test("encode and decode round-trip, and tokens fit the decisions", () => {
  const rng = new Rng(3);
  const decisions = space.decisions();
  for (let i = 0; i < 50; i++) {
    const g = space.sample(rng);
    const tokens = space.encode(g);
    assert.equal(tokens.length, decisions.length);
    tokens.forEach((t, j) => assert.ok(t >= 0 && t < decisions[j].choices));
    assert.deepEqual(space.decode(tokens), g);
  }
});

test("mutation makes one valid change", () => {
  const rng = new Rng(5);
  let g = space.sample(rng);
  for (let i = 0; i < 100; i++) {
    const child = space.mutate(g, rng);
    assert.deepEqual(space.validate(child), child);
    assert.notDeepEqual(child, g);
    g = child;
  }
});

test("validation errors name the bad field", () => {
  const bad = (value: unknown, field: RegExp) =>
    assert.throws(() => space.validate(value), (e: unknown) => e instanceof GenotypeError && field.test(e.field));
  bad(null, /^genotype$/);
  bad({ layers: [] }, /^layers$/);
  bad({ layers: [{ kernel: 2, filters: 4, pool: "none" }] }, /^layers\[0\]\.kernel$/);
  bad({ layers: [{ kernel: 3, filters: 4, pool: "none" }, { kernel: 3, filters: 5, pool: "max" }] }, /^layers\[1\]\.filters$/);
  bad({ layers: [{ kernel: 3, filters: 4, pool: "mean" }] }, /^layers\[0\]\.pool$/);
  assert.throws(() => space.decode([0, 9, 0, 0, 0, 0, 0, 0, 0, 0]), /tokens\[1\]/);
});

test("built networks give logits, count parameters and MACs, and free their tensors", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const genotype: MacroCnnGenotype = { layers: [{ kernel: 3, filters: 4, pool: "max" }, { kernel: 1, filters: 8, pool: "none" }] };
  const before = tf.memory().numTensors;
  const net = space.build(genotype, [8, 8, 1], 10, new Rng(1));
  const logits = tf.tidy(() => net.apply(tf.ones([2, 8, 8, 1]) as tf.Tensor4D, false));
  assert.deepEqual(logits.shape, [2, 10]);
  logits.dispose();
  // conv 3x3x1x4 (+BN 2x4), conv 1x1x4x8 (+BN 2x8), dense 8x10+10
  assert.equal(net.paramCount(), 36 + 8 + 32 + 16 + 90);
  // conv1 at 8x8: 64*9*4, BN 64*4*2; conv2 at 4x4: 16*4*8, BN 16*8*2; dense 80
  assert.equal(net.macs(), 64 * 9 * 4 + 64 * 8 + 16 * 32 + 16 * 16 + 80);
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("width multiplier scales channels", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const genotype: MacroCnnGenotype = { layers: [{ kernel: 1, filters: 8, pool: "none" }] };
  const narrow = space.build(genotype, [4, 4, 1], 2, new Rng(1), { widthMultiplier: 0.5 });
  // conv 1x1x1x4, BN 2x4, dense 4x2+2
  assert.equal(narrow.paramCount(), 4 + 8 + 10);
  narrow.dispose();
});

test("average pooling with 'same' padding has the gradient of the function it computes", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  // 7x7 with a 2x2 stride-2 window pads the last row and column: those windows average fewer pixels.
  const x = tf.randomNormal([1, 7, 7, 2], 0, 1, "float32", 3) as tf.Tensor4D;
  const weights = tf.randomNormal([1, 4, 4, 2], 0, 1, "float32", 4);
  const f = (input: tf.Tensor4D) => tf.sum(tf.mul(avgPool(input, 2, 2), weights)) as tf.Scalar;
  const analytic = tf.grad((input) => f(input as tf.Tensor4D))(x).arraySync() as number[][][][];
  const values = x.arraySync() as number[][][][];
  const eps = 1e-2;
  for (const [i, j, c] of [[6, 6, 0], [6, 3, 1], [2, 2, 0]]) {
    const shifted = (delta: number) => {
      const copy = values.map((a) => a.map((b) => b.map((v) => [...v])));
      copy[0][i][j][c] += delta;
      return f(tf.tensor4d(copy)).dataSync()[0];
    };
    const numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
    assert.ok(Math.abs(numeric - analytic[0][i][j][c]) < 1e-2, `at (${i}, ${j}, ${c}): ${numeric} vs ${analytic[0][i][j][c]}`);
  }
});
