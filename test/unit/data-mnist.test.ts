import { test } from "node:test";
import assert from "node:assert/strict";
import type { RawImages } from "../../lib/data/dataset";
import { loadFashionMnist } from "../../lib/data/fashion-mnist";
import { loadMnist } from "../../lib/data/mnist";

function classCounts(images: RawImages): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of images.labels) counts[label]++;
  return counts;
}

test("MNIST has 60000 + 10000 28x28 digits with the known first labels", () => {
  const mnist = loadMnist();
  assert.deepEqual(mnist.info.shape, [28, 28, 1]);
  assert.equal(mnist.train.count, 60000);
  assert.equal(mnist.test.count, 10000);
  assert.equal(mnist.train.pixels.length, 60000 * 784);
  assert.equal(mnist.test.pixels.length, 10000 * 784);
  assert.deepEqual(Array.from(mnist.train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual(Array.from(mnist.test.labels.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  // Published class frequencies of the MNIST training set.
  assert.deepEqual(classCounts(mnist.train), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.equal(loadMnist(), mnist, "parsed once per process");
});

test("Fashion-MNIST has 6000 + 1000 images per class, interleaved by class", () => {
  const fashion = loadFashionMnist();
  assert.deepEqual(fashion.info.shape, [28, 28, 1]);
  assert.equal(fashion.info.classNames[9], "Ankle boot");
  assert.equal(fashion.train.pixels.length, 60000 * 784);
  assert.equal(fashion.test.pixels.length, 10000 * 784);
  assert.deepEqual(classCounts(fashion.train), new Array(10).fill(6000));
  assert.deepEqual(classCounts(fashion.test), new Array(10).fill(1000));
  assert.deepEqual(Array.from(fashion.train.labels.subarray(0, 12)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  // The training images' mean brightness is the published 0.2860 (test: 0.2868), which tells the groups apart.
  const mean = (images: RawImages) => {
    let sum = 0;
    for (const v of images.pixels) sum += v;
    return sum / images.pixels.length / 255;
  };
  assert.ok(Math.abs(mean(fashion.train) - 0.286) < 3e-4, `train mean ${mean(fashion.train)}`);
  assert.ok(Math.abs(mean(fashion.test) - 0.2868) < 3e-4, `test mean ${mean(fashion.test)}`);
  assert.equal(loadFashionMnist(), fashion, "parsed once per process");
});
