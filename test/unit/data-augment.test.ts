import { test } from "node:test";
import assert from "node:assert/strict";
import { NasbookError } from "../../lib/core/errors";
import { Rng } from "../../lib/core/random";
import type { ImageShape } from "../../lib/core/types";
import { augmentBatch, cropPadded, cutout, flipHorizontal } from "../../lib/data/augment";

const SHAPE: ImageShape = [6, 5, 2];

/** Pixel (y, x, c) holds 1 + 100y + 10x + c, so positions can be read back (0 = padding). */
function coded(shape: ImageShape = SHAPE): Float32Array {
  const [h, w, c] = shape;
  const value = (k: number) => 1 + 100 * Math.floor(k / (w * c)) + 10 * (Math.floor(k / c) % w) + (k % c);
  return Float32Array.from({ length: h * w * c }, (_, k) => value(k));
}

function at(image: Float32Array, y: number, x: number, c: number, [, w, channels]: ImageShape = SHAPE): number {
  return image[(y * w + x) * channels + c];
}

test("flip mirrors every row and is its own inverse", () => {
  const image = coded();
  flipHorizontal(image, SHAPE);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 5; x++) for (let c = 0; c < 2; c++) {
    assert.equal(at(image, y, x, c), 1 + 100 * y + 10 * (4 - x) + c);
  }
  flipHorizontal(image, SHAPE);
  assert.deepEqual(image, coded());
});

test("a padded crop shifts the image, fills with zeros and keeps the shape", () => {
  const centred = coded();
  cropPadded(centred, SHAPE, 2, 2, 2);
  assert.deepEqual(centred, coded(), "the centre window is the image itself");
  const image = coded();
  cropPadded(image, SHAPE, 2, 0, 3); // window starts 2 rows above and 1 column right of the image
  assert.equal(image.length, coded().length);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 5; x++) {
    const [sy, sx] = [y - 2, x + 1];
    const inside = sy >= 0 && sx < 5;
    assert.equal(at(image, y, x, 1), inside ? 1 + 100 * sy + 10 * sx + 1 : 0, `(${y}, ${x})`);
  }
});

test("cutout zeroes exactly the square, clipped at the border", () => {
  const image = coded();
  cutout(image, SHAPE, 1, 3, 4); // rows [-1, 3) -> [0, 3), columns [1, 5)
  for (let y = 0; y < 6; y++) for (let x = 0; x < 5; x++) for (let c = 0; c < 2; c++) {
    const inSquare = y < 3 && x >= 1;
    assert.equal(at(image, y, x, c) === 0, inSquare, `(${y}, ${x}, ${c})`);
  }
});

test("augmentBatch is seeded, touches each image separately and checks its options", () => {
  const shape: ImageShape = [8, 8, 3];
  const batch = () => {
    const one = coded(shape);
    const images = new Float32Array(4 * one.length);
    for (let i = 0; i < 4; i++) images.set(one, i * one.length);
    return images;
  };
  const [a, b, c] = [batch(), batch(), batch()];
  augmentBatch(a, 4, shape, new Rng(9), { padding: 2, cutout: 3 });
  augmentBatch(b, 4, shape, new Rng(9), { padding: 2, cutout: 3 });
  augmentBatch(c, 4, shape, new Rng(10), { padding: 2, cutout: 3 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const size = coded(shape).length;
  const images = Array.from({ length: 4 }, (_, i) => Array.from(a.subarray(i * size, (i + 1) * size)));
  assert.ok(new Set(images.map((x) => x.join())).size > 1, "images get different draws");
  const untouched = batch();
  augmentBatch(untouched, 4, shape, new Rng(9), { padding: 0, flip: false, cutout: 0 });
  assert.deepEqual(untouched, batch());
  assert.throws(() => augmentBatch(batch(), 4, shape, new Rng(0), { padding: -1 }), NasbookError);
});
