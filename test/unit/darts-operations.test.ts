import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select";
import { Rng } from "../../lib/core/random";
import { countMacs } from "../../lib/nn/macs";
import { DilatedDepthwiseConv2d, OPERATION_NAMES, createOperation } from "../../lib/spaces/operations";

test("every op keeps the channels and divides the resolution by its stride (odd sizes too)", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const rng = new Rng(0);
  for (const size of [6, 7]) {
    const x = tf.randomNormal([2, size, size, 4], 0, 1, "float32", 1) as tf.Tensor4D;
    for (const name of OPERATION_NAMES) {
      for (const stride of [1, 2]) {
        const op = createOperation(name, 4, stride, { affine: false }, rng);
        const y = op.apply(x, true);
        const side = Math.ceil(size / stride);
        assert.deepEqual(y.shape, [2, side, side, 4], `${name} stride ${stride} on ${size}x${size}`);
        if (y !== x) y.dispose(); // identity returns its input
        op.dispose();
      }
    }
    x.dispose();
  }
});

test("a dilated kernel computes tf's dilated depthwise convolution", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const x = tf.randomNormal([1, 9, 9, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  for (const [kernel, dilation] of [[3, 2], [5, 2], [3, 3]]) {
    const conv = new DilatedDepthwiseConv2d(3, kernel, dilation, 1, new Rng(1));
    const [filter] = conv.variables() as tf.Tensor4D[];
    const expected = tf.depthwiseConv2d(x, filter, 1, "same", "NHWC", dilation);
    const actual = conv.apply(x);
    assert.ok(tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] < 1e-5, `k=${kernel} d=${dilation}`);
    assert.equal(countMacs(() => tf.dispose(conv.apply(x))), 9 * 9 * kernel * kernel * 3, "MACs count the k x k taps only");
    tf.dispose([expected, actual]);
    conv.dispose();
  }
  x.dispose();
});

test("affine: false leaves BatchNorm without trainable scale and shift", async () => {
  await initBackend({ NASBOOK_BACKEND: "cpu" });
  const searchOp = createOperation("sep_conv_3x3", 4, 1, { affine: false }, new Rng(3));
  const finalOp = createOperation("sep_conv_3x3", 4, 1, { affine: true }, new Rng(3));
  // Two (depthwise 3x3 + pointwise 1x1) units: 2 * (9*4 + 4*4) weights, plus 2 * (4 + 4) BN params when affine.
  assert.equal(searchOp.paramCount(), 2 * (9 * 4 + 16));
  assert.equal(finalOp.paramCount(), 2 * (9 * 4 + 16) + 2 * 8);
  searchOp.dispose();
  finalOp.dispose();
});
