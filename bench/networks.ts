/**
 * The two benchmark networks, written in raw tf ops so that bench/torch_reference.py can mirror
 * them layer for layer:
 *  - the reference CNN: 64x32x32x3 -> conv3x3(16) ReLU -> conv3x3(16) ReLU -> max-pool 2 ->
 *    conv3x3(32) ReLU -> global average pool -> dense(10), softmax cross-entropy;
 *  - one DARTS mixed op on 32x16x16x16: softmax(alpha)-weighted sum of sep conv 3x3 and 5x5,
 *    dilated conv 3x3 and 5x5, max pool, avg pool and skip, then the same head.
 */
import * as tf from "@tensorflow/tfjs";

export interface BenchNetwork {
  readonly name: string;
  readonly inputShape: [number, number, number, number];
  readonly classes: number;
  /** Trainable parameters, created on the current backend. */
  params(): Record<string, tf.Variable>;
  logits(x: tf.Tensor4D, p: Record<string, tf.Variable>): tf.Tensor2D;
}

function glorot(shape: number[], seed: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1)), "float32", seed));
}

export const referenceCnn: BenchNetwork = {
  name: "reference-cnn",
  inputShape: [64, 32, 32, 3],
  classes: 10,
  params: () => ({
    c1: glorot([3, 3, 3, 16], 1), b1: tf.variable(tf.zeros([16])),
    c2: glorot([3, 3, 16, 16], 2), b2: tf.variable(tf.zeros([16])),
    c3: glorot([3, 3, 16, 32], 3), b3: tf.variable(tf.zeros([32])),
    dense: glorot([32, 10], 4), bias: tf.variable(tf.zeros([10])),
  }),
  logits: (x, p) => {
    let h = tf.relu(tf.add(tf.conv2d(x, p.c1 as tf.Tensor4D, 1, "same"), p.b1)) as tf.Tensor4D;
    h = tf.relu(tf.add(tf.conv2d(h, p.c2 as tf.Tensor4D, 1, "same"), p.b2)) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, "valid");
    h = tf.relu(tf.add(tf.conv2d(h, p.c3 as tf.Tensor4D, 1, "same"), p.b3)) as tf.Tensor4D;
    return tf.add(tf.matMul(tf.mean(h, [1, 2]), p.dense), p.bias) as tf.Tensor2D;
  },
};

/** ReLU -> depthwise k x k (dilation d) -> pointwise 1x1, as in DARTS' SepConv/DilConv (one half). */
function reluDwPw(x: tf.Tensor4D, dw: tf.Variable, pw: tf.Variable, dilation: number): tf.Tensor4D {
  const depthwise = tf.depthwiseConv2d(tf.relu(x), dw as tf.Tensor4D, 1, "same", "NHWC", dilation);
  return tf.conv2d(depthwise, pw as tf.Tensor4D, 1, "same");
}

const C = 16;
const sepConv = (k: number, seed: number) => ({
  [`sep${k}dw1`]: glorot([k, k, C, 1], seed), [`sep${k}pw1`]: glorot([1, 1, C, C], seed + 1),
  [`sep${k}dw2`]: glorot([k, k, C, 1], seed + 2), [`sep${k}pw2`]: glorot([1, 1, C, C], seed + 3),
});
const dilConv = (k: number, seed: number) => ({
  [`dil${k}dw`]: glorot([k, k, C, 1], seed), [`dil${k}pw`]: glorot([1, 1, C, C], seed + 1),
});

export const dartsMixedOp: BenchNetwork = {
  name: "darts-mixed-op",
  inputShape: [32, 16, 16, C],
  classes: 10,
  params: () => ({
    alpha: tf.variable(tf.zeros([7])),
    ...sepConv(3, 10), ...sepConv(5, 20), ...dilConv(3, 30), ...dilConv(5, 40),
    dense: glorot([C, 10], 50), bias: tf.variable(tf.zeros([10])),
  }),
  logits: (x, p) => {
    const sep = (k: number) =>
      reluDwPw(reluDwPw(x, p[`sep${k}dw1`], p[`sep${k}pw1`], 1), p[`sep${k}dw2`], p[`sep${k}pw2`], 1);
    const dil = (k: number) => reluDwPw(x, p[`dil${k}dw`], p[`dil${k}pw`], 2);
    const candidates = [sep(3), sep(5), dil(3), dil(5), tf.maxPool(x, 3, 1, "same"), tf.avgPool(x, 3, 1, "same"), x];
    const weights = tf.unstack(tf.softmax(p.alpha));
    const mixed = tf.addN(candidates.map((h, i) => tf.mul(h, weights[i])));
    return tf.add(tf.matMul(tf.mean(mixed, [1, 2]), p.dense), p.bias) as tf.Tensor2D;
  },
};

export const BENCH_NETWORKS: readonly BenchNetwork[] = [referenceCnn, dartsMixedOp];
