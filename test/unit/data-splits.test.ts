import { test } from "node:test";
import assert from "node:assert/strict";
import { NasbookError } from "../../lib/core/errors";
import type { DatasetInfo, RawDataset } from "../../lib/data/dataset";
import type { Subset } from "../../lib/data/batches";
import { loadDataset } from "../../lib/data/index";
import { splitDataset, type DataSplits } from "../../lib/data/splits";

const INFO: DatasetInfo = { name: "mnist", shape: [1, 2, 1], numClasses: 10, classNames: [] };

/** `count` two-pixel images whose pixels spell their own index (base 256), so splits can be traced back. */
function numbered(count: number, offset = 0): RawDataset["train"] {
  const pixels = new Uint8Array(2 * count);
  for (let i = 0; i < count; i++) [pixels[2 * i], pixels[2 * i + 1]] = [(i + offset) >> 8, (i + offset) & 255];
  return { count, pixels, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

const RAW: RawDataset = { info: INFO, train: numbered(1000), test: numbered(200, 5000), defaultValidSize: 100 };

/** The index each image of a subset spells, undoing the standardisation. */
function indices(subset: Subset): number[] {
  const { mean, std } = subset.normalization;
  const byte = (x: number) => Math.round((x * std[0] + mean[0]) * 255);
  const { images } = subset;
  return Array.from({ length: subset.size }, (_, i) => byte(images[2 * i]) * 256 + byte(images[2 * i + 1]));
}

function trainAndValid(splits: DataSplits): [number[], number[]] {
  return [indices(splits.train), indices(splits.valid)];
}

test("train and valid are disjoint, drawn from the training set, and sized by the options", () => {
  const splits = splitDataset(RAW, { seed: 3, trainSize: 500, validSize: 200, testSize: 50 });
  const [train, valid] = trainAndValid(splits);
  assert.equal(train.length, 500);
  assert.equal(valid.length, 200);
  assert.equal(new Set([...train, ...valid]).size, 700);
  assert.ok([...train, ...valid].every((i) => i >= 0 && i < 1000));
  assert.deepEqual(Array.from(splits.valid.labels), valid.map((i) => i % 10), "labels travel with their images");
  assert.deepEqual(indices(splits.test.open("check")), Array.from({ length: 50 }, (_, i) => 5000 + i));
});

test("defaults use every training example, with the dataset's validation size", () => {
  const splits = splitDataset(RAW, { seed: 0 });
  assert.deepEqual([splits.train.size, splits.valid.size, splits.test.size], [900, 100, 200]);
});

test("the same seed gives the same split, another seed another one; valid ignores trainSize", () => {
  const a = trainAndValid(splitDataset(RAW, { seed: 7 }));
  assert.deepEqual(trainAndValid(splitDataset(RAW, { seed: 7 })), a);
  assert.notDeepEqual(trainAndValid(splitDataset(RAW, { seed: 8 }))[1], a[1]);
  assert.deepEqual(trainAndValid(splitDataset(RAW, { seed: 7, trainSize: 10 }))[1], a[1]);
});

test("the train part is standardised with its own statistics", () => {
  const { train, valid } = splitDataset(RAW, { seed: 1 });
  const values = Array.from(train.images);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 1e-4, `variance ${variance}`);
  assert.equal(valid.normalization, train.normalization);
});

test("the test set opens once, and a second open names the first purpose", () => {
  const { test: sealed } = splitDataset(RAW, { seed: 0 });
  assert.equal(sealed.openedFor, null);
  assert.equal(sealed.open("final evaluation").size, 200);
  assert.equal(sealed.openedFor, "final evaluation");
  const namesFirstPurpose = (e: unknown) => e instanceof NasbookError && /final evaluation/.test(e.message);
  assert.throws(() => sealed.open("peek"), namesFirstPurpose);
  assert.throws(() => splitDataset(RAW, { seed: 0 }).test.open(""), NasbookError);
});

test("impossible sizes are refused with the allowed range", () => {
  const tooBig = { seed: 0, validSize: 100, trainSize: 901 };
  assert.throws(() => splitDataset(RAW, tooBig), /trainSize must be an integer from 1 to 900/);
  assert.throws(() => splitDataset(RAW, { seed: 0, testSize: 201 }), /testSize must be an integer from 0 to 200/);
  assert.throws(() => splitDataset(RAW, { seed: 0, validSize: 1.5 }), NasbookError);
});

test("loadDataset splits real MNIST and refuses unknown names", async () => {
  const mnist = await loadDataset("mnist", { seed: 0, trainSize: 1000, validSize: 500, testSize: 100 });
  assert.deepEqual([mnist.train.size, mnist.valid.size, mnist.test.size], [1000, 500, 100]);
  assert.equal(mnist.train.images.length, 1000 * 784);
  assert.ok(mnist.train.labels.every((l) => l >= 0 && l < 10));
  assert.deepEqual(Array.from(mnist.test.open("label check").labels.subarray(0, 3)), [7, 2, 1]);
  await assert.rejects(
    loadDataset("svhn" as "mnist", { seed: 0 }),
    (e: unknown) => e instanceof NasbookError && /mnist, fashion-mnist, cifar10/.test(e.message),
  );
});
