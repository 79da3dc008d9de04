import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFashionMnist } from "../../lib/data/fashion-mnist";
import { downsampleDataset } from "../../lib/data/downsample";
import { splitDataset } from "../../lib/data/splits";

test("downsampling Fashion-MNIST by 2 gives 14x14 images whose pixels are the rounded means of 2x2 blocks", () => {
  const raw = loadFashionMnist();
  const small = downsampleDataset(raw, 2);
  assert.deepEqual(small.info.shape, [14, 14, 1]);
  assert.equal(small.train.count, raw.train.count);
  assert.equal(small.train.pixels.length, raw.train.count * 196);
  assert.equal(small.train.labels, raw.train.labels);
  // Image 7, output pixel (5, 9): input rows 10-11, columns 18-19.
  const at = (y: number, x: number) => raw.train.pixels[7 * 784 + y * 28 + x];
  const expected = Math.round((at(10, 18) + at(10, 19) + at(11, 18) + at(11, 19)) / 4);
  assert.equal(small.train.pixels[7 * 196 + 5 * 14 + 9], expected);
  assert.equal(downsampleDataset(raw, 1), raw);
  assert.throws(() => downsampleDataset(raw, 3), /downsample must be a positive integer dividing the fashion-mnist image size 28x28; got 3/);
});

test("a split with downsample reports the smaller shape and keeps the same examples", () => {
  const raw = loadFashionMnist();
  const full = splitDataset(raw, { seed: 1, trainSize: 50, validSize: 20, testSize: 10 });
  const small = splitDataset(raw, { seed: 1, trainSize: 50, validSize: 20, testSize: 10, downsample: 2 });
  assert.deepEqual(small.info.shape, [14, 14, 1]);
  assert.deepEqual([...small.train.labels], [...full.train.labels]);
});
