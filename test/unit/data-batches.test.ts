import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { NasbookError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import { Subset, type BatchOptions } from "../../lib/data/batches";
import type { DatasetInfo } from "../../lib/data/dataset";

const INFO: DatasetInfo = { name: "cifar10", shape: [4, 4, 3], numClasses: 10, classNames: [] };
const PIXELS = 4 * 4 * 3;
const STATS = { mean: [0, 0, 0], std: [1, 1, 1] };

/** `count` images whose every pixel holds the image's index, labelled index % 10. */
function numbered(count: number): Subset {
  const images = new Float32Array(count * PIXELS).map((_, k) => Math.floor(k / PIXELS));
  return new Subset(INFO, images, Int32Array.from({ length: count }, (_, i) => i % 10), STATS);
}

/** Runs one epoch and returns, per batch, the image indices it held (read back from the tensors). */
function epoch(subset: Subset, batchSize: number, options: BatchOptions = {}): number[][] {
  const seen: number[][] = [];
  for (const batch of subset.batches(batchSize, options)) {
    assert.deepEqual(batch.x.shape, [batch.size, 4, 4, 3]);
    assert.equal(batch.y.dtype, "int32");
    const x = batch.x.dataSync();
    const ids = Array.from({ length: batch.size }, (_, i) => x[i * PIXELS]);
    assert.deepEqual(Array.from(batch.y.dataSync()), ids.map((id) => id % 10), "labels stay with their images");
    seen.push(ids);
    tf.dispose([batch.x, batch.y]);
  }
  return seen;
}

before(async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
});

test("an epoch covers every example exactly once, in order without an rng", () => {
  const subset = numbered(10);
  const tensorsBefore = tf.memory().numTensors;
  const batches = epoch(subset, 4);
  assert.deepEqual(batches, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.equal(tf.memory().numTensors, tensorsBefore);
  assert.deepEqual(epoch(subset, 4, { dropLast: true }), [[0, 1, 2, 3], [4, 5, 6, 7]]);
});

test("shuffled epochs are permutations, reproducible by seed, and differ between epochs", () => {
  const subset = numbered(50);
  const rng = new Rng(5);
  const [first, second] = [epoch(subset, 8, { rng }).flat(), epoch(subset, 8, { rng }).flat()];
  assert.deepEqual([...first].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(first, second);
  assert.deepEqual(epoch(subset, 8, { rng: new Rng(5) }).flat(), first);
});

test("take gives the first examples without copying", () => {
  const subset = numbered(10);
  const head = subset.take(3);
  assert.equal(head.size, 3);
  assert.equal(head.images.buffer, subset.images.buffer);
  assert.throws(() => subset.take(11), NasbookError);
});

test("augmented batches are reproducible, keep their labels and need an rng", () => {
  const subset = numbered(6);
  const augmented = (seed: number) => {
    const [batch] = subset.batches(6, { rng: new Rng(seed), augment: { padding: 1, cutout: 2 } });
    const [x, y] = [Array.from(batch.x.dataSync()), Array.from(batch.y.dataSync())];
    tf.dispose([batch.x, batch.y]);
    return { x, y };
  };
  const { x, y } = augmented(1);
  y.forEach((label, i) => {
    const image = x.slice(i * PIXELS, (i + 1) * PIXELS);
    // Pixels hold their image's index (= label here); crop padding and cutout add zeros, never other values.
    assert.ok(image.every((v) => v === label || v === 0), `image ${i}`);
    assert.ok(image.includes(0), `image ${i} lost at least part of a cutout square`);
  });
  assert.deepEqual(augmented(1), { x, y });
  assert.notDeepEqual(augmented(2).x, x);
  assert.throws(() => subset.batches(2, { augment: true }).next(), /need an `rng`/);
  assert.throws(() => subset.batches(0).next(), NasbookError);
  assert.throws(() => new Subset(INFO, new Float32Array(5), new Int32Array(1), STATS), NasbookError);
});
