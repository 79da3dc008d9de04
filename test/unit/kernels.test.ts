/**
 * nasbook's wasm training kernels against tfjs's cpu backend on random inputs over a grid of
 * kernel sizes, strides, dilations and paddings (odd spatial sizes, batch 1 and 2), twice: with
 * the native addon's kernels and with the wasm compositions alone; the LSTM cell kernel against
 * the ops it replaces, on cpu. cpu's backprop kernels ignore
 * dilation, so dilated references use the zero-inserted ("effective") filter with dilation 1,
 * which is the same function.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeKernels, nativeOptions } from "../../lib/backend/native";
import { assertSameBitsOnThreads } from "./same-bits-on-threads";
import { initBackend } from "../../lib/backend/select";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "../../lib/backend/wasm-training";
import { LSTM_CELL } from "../../lib/backend/wasm-kernels/lstm-cell";
import { LSTM_LAYER } from "../../lib/backend/wasm-kernels/lstm-layer";
import { Rng } from "../../lib/core/random";
import { StackedLstm } from "../../lib/strategies/controller/lstm";
import { RELU_GRAD } from "../../lib/backend/wasm-kernels/relu-gradient";
import { SOFTMAX_CROSS_ENTROPY } from "../../lib/backend/wasm-kernels/softmax-cross-entropy";
import { avgPool } from "../../lib/nn/layers";
import { lstmCell } from "../../lib/nn/lstm-cell";
import { softmaxCrossEntropy } from "../../lib/nn/losses";
import { weightedSum } from "../../lib/nn/weighted-sum";

type Shape4 = [number, number, number, number];
type Pad = "same" | "valid" | tf.backend_util.ExplicitPadding;

const KERNELS: Array<[number, number]> = [[1, 1], [3, 3], [5, 5], [7, 7], [1, 7], [7, 1]];
const POOLS: Array<[number, number]> = [[2, 2], [3, 1], [3, 2]];
const STRIDE_DILATION: Array<[number, number]> = [[1, 1], [2, 1], [1, 2]];
const PADS: Pad[] = ["same", "valid", [[0, 0], [1, 2], [0, 1], [0, 0]]];

let seed = 1;
function random(shape: number[]): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    values[i] = seed / 1073741824 - 1;
  }
  return values;
}

/** Runs `f` on a backend with fresh tensors made from `inputs`, returning the values. */
async function on(backend: string, inputs: Array<[Float32Array, number[]]>, f: (...t: tf.Tensor[]) => tf.Tensor) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f(...inputs.map(([v, s]) => tf.tensor(v, s)));
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

function assertClose(actual: { values: Float32Array; shape: number[] }, expected: typeof actual, what: string) {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < expected.values.length; i++) {
    scale = Math.max(scale, Math.abs(expected.values[i]));
    worst = Math.max(worst, Math.abs(actual.values[i] - expected.values[i]));
  }
  assert.ok(worst <= 1e-3 * scale, `${what}: max error ${worst} vs scale ${scale}`);
}

/** The filter with (d - 1) zeros between taps: a dilation-1 filter computing the dilated conv. */
function dilateFilter(w: tf.Tensor, d: number): tf.Tensor {
  if (d === 1) return w;
  const [kh, kw, ci, co] = w.shape;
  const spread = w.reshape([kh, 1, kw, 1, ci * co]).pad([[0, 0], [0, d - 1], [0, 0], [0, d - 1], [0, 0]]);
  return spread.reshape([kh * d, kw * d, ci, co]).slice([0, 0, 0, 0], [(kh - 1) * d + 1, (kw - 1) * d + 1, ci, co]);
}

function everyDthTap(g: tf.Tensor, d: number): tf.Tensor {
  if (d === 1) return g;
  return tf.stridedSlice(g, [0, 0, 0, 0], g.shape, [d, d, 1, 1]);
}

interface Case {
  x: Shape4;
  filter: Shape4;
  stride: number;
  dilation: number;
  pad: Pad;
  depthwise: boolean;
}

function outShape(c: Case): Shape4 | null {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, c.dilation, c.pad, undefined, c.depthwise);
  return info.outHeight > 0 && info.outWidth > 0 ? (info.outShape as Shape4) : null;
}

const names = (depthwise: boolean) =>
  depthwise
    ? { input: tf.DepthwiseConv2dNativeBackpropInput, filter: tf.DepthwiseConv2dNativeBackpropFilter }
    : { input: tf.Conv2DBackpropInput, filter: tf.Conv2DBackpropFilter };

async function checkCase(c: Case): Promise<void> {
  const dyShape = outShape(c);
  if (!dyShape) return;
  const what = `${c.depthwise ? "depthwise" : "conv"} x${c.x} w${c.filter} s${c.stride} d${c.dilation} ${JSON.stringify(c.pad)}`;
  const x: [Float32Array, number[]] = [random(c.x), c.x];
  const w: [Float32Array, number[]] = [random(c.filter), c.filter];
  const dy: [Float32Array, number[]] = [random(dyShape), dyShape];
  const kernel = names(c.depthwise);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC" };
  const forward = (xT: tf.Tensor, wT: tf.Tensor) =>
    c.depthwise
      ? tf.depthwiseConv2d(xT as tf.Tensor4D, wT as tf.Tensor4D, c.stride, c.pad, "NHWC", c.dilation)
      : tf.conv2d(xT as tf.Tensor4D, wT as tf.Tensor4D, c.stride, c.pad, "NHWC", c.dilation);
  // tfjs refuses strides and dilations both above 1 in a forward convolution.
  if (c.stride === 1 || c.dilation === 1) assertClose(await on("wasm", [x, w], forward), await on("cpu", [x, w], forward), `${what} forward`);
  const run = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
    tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;

  // The cpu reference runs with dilation 1 on the zero-inserted filter (its kernels ignore dilations).
  const inputGrad = (reference: boolean) => (dyT: tf.Tensor, wT: tf.Tensor) =>
    reference
      ? run(kernel.input, { dy: dyT, filter: dilateFilter(wT, c.dilation) }, { inputShape: c.x, dilations: 1 })
      : run(kernel.input, { dy: dyT, filter: wT }, { inputShape: c.x, dilations: c.dilation });
  assertClose(await on("wasm", [dy, w], inputGrad(false)), await on("cpu", [dy, w], inputGrad(true)), `${what} input grad`);

  const effective = dilateFilter(tf.zeros(c.filter), c.dilation).shape;
  const filterGrad = (reference: boolean) => (xT: tf.Tensor, dyT: tf.Tensor) =>
    reference
      ? everyDthTap(run(kernel.filter, { x: xT, dy: dyT }, { filterShape: effective, dilations: 1 }), c.dilation)
      : run(kernel.filter, { x: xT, dy: dyT }, { filterShape: c.filter, dilations: c.dilation });
  assertClose(await on("wasm", [x, dy], filterGrad(false)), await on("cpu", [x, dy], filterGrad(true)), `${what} filter grad`);
}

test("wasm registers nasbook's training kernels", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  for (const name of WASM_TRAINING_KERNELS) assert.ok(tf.getKernel(name, "wasm"), name);
});

const native = loadNativeKernels(nativeOptions({})).kernels;

test("the native addon is built (set NASBOOK_NATIVE=0 to test without it)", { skip: process.env.NASBOOK_NATIVE === "0" }, () => {
  assert.ok(native, loadNativeKernels(nativeOptions({})).detail);
});

/** Each grid runs with the native kernels and with wasm's compositions alone. */
const VARIANTS = [
  { name: "native", kernels: native },
  { name: "wasm only", kernels: null },
];

async function eachVariant(body: () => Promise<void>): Promise<void> {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  try {
    for (const variant of VARIANTS) {
      if (variant.name === "native" && !variant.kernels) continue;
      registerWasmTrainingKernels(variant.kernels);
      await body();
    }
  } finally {
    registerWasmTrainingKernels(native);
  }
}

test("conv2d and its gradients match cpu over kernel sizes, strides, dilations and paddings", () => eachVariant(async () => {
  for (const [kh, kw] of KERNELS) {
    for (const [stride, dilation] of STRIDE_DILATION) {
      for (const pad of PADS) {
        await checkCase({ x: [2, 15, 13, 3], filter: [kh, kw, 3, 4], stride, dilation, pad, depthwise: false });
      }
    }
  }
  await checkCase({ x: [1, 9, 7, 5], filter: [3, 3, 5, 2], stride: 2, dilation: 1, pad: "same", depthwise: false });
  // An even window width, which the in-place forward sums tap by tap rather than a window row at a time.
  await checkCase({ x: [2, 9, 8, 3], filter: [2, 4, 3, 4], stride: 1, dilation: 1, pad: "same", depthwise: false });
  // More channels than one 16-wide tile, and a row count that leaves a partial tile.
  await checkCase({ x: [3, 7, 5, 20], filter: [3, 3, 20, 37], stride: 1, dilation: 1, pad: "same", depthwise: false });
}));

test("conv2d and its gradients match cpu from 1 to 40 channels in and out (narrow and wide tiles, padded input read in place)", () => eachVariant(async () => {
  // 9 and 12 out: a filter gradient in tiles whose rows are the channels; 17, 32 and 40: one
  // part-filled wide tile, one full, a full one and a part-filled one.
  for (const c of [1, 4, 8, 16, 32]) {
    for (const o of [1, 4, 8, 9, 12, 16, 17, 32, 40]) {
      await checkCase({ x: [2, 15, 15, c], filter: [3, 3, c, o], stride: 1, dilation: 1, pad: "same", depthwise: false });
      await checkCase({ x: [2, 7, 7, c], filter: [3, 3, c, o], stride: 2, dilation: 1, pad: "same", depthwise: false });
      await checkCase({ x: [2, 15, 15, c], filter: [3, 3, c, o], stride: 2, dilation: 1, pad: "valid", depthwise: false });
      await checkCase({ x: [2, 7, 7, c], filter: [1, 1, c, o], stride: 1, dilation: 1, pad: "valid", depthwise: false });
    }
  }
  // NAS-RL's 5x5 window from 28 channels to 9 (on images enough for two shares of the filter
  // gradient's sums), a 5x3 one to 11, NB201's cell convolution at its real size, and an explicit
  // pad larger than the window reaches.
  await checkCase({ x: [4, 24, 24, 28], filter: [5, 5, 28, 9], stride: 1, dilation: 1, pad: "same", depthwise: false });
  await checkCase({ x: [3, 9, 7, 5], filter: [5, 3, 5, 11], stride: 1, dilation: 1, pad: "same", depthwise: false });
  await checkCase({ x: [3, 14, 14, 8], filter: [3, 3, 8, 8], stride: 1, dilation: 1, pad: "same", depthwise: false });
  await checkCase({ x: [2, 7, 7, 8], filter: [3, 3, 8, 8], stride: 1, dilation: 1, pad: [[0, 0], [3, 0], [0, 4], [0, 0]], depthwise: false });
}));

test("depthwise conv and its gradients match cpu, with channel multipliers 1 and 2", () => eachVariant(async () => {
  for (const [kh, kw] of KERNELS) {
    for (const [stride, dilation] of STRIDE_DILATION) {
      for (const pad of PADS) {
        await checkCase({ x: [2, 15, 13, 3], filter: [kh, kw, 3, 1], stride, dilation, pad, depthwise: true });
      }
    }
  }
  for (const [stride, dilation] of STRIDE_DILATION) {
    await checkCase({ x: [1, 9, 11, 4], filter: [3, 3, 4, 2], stride, dilation, pad: "same", depthwise: true });
  }
}));

test("depthwise conv and its gradients match cpu over DARTS' kernels, strides and dilations from 1 to 24 channels (runs of pixels and channels across vectors)", () => eachVariant(async () => {
  for (const c of [1, 3, 8, 16, 24]) {
    for (const multiplier of [1, 2]) {
      for (const k of [3, 5]) {
        for (const [stride, dilation] of [[1, 1], [2, 1], [1, 2], [2, 2]]) {
          for (const pad of PADS) {
            await checkCase({ x: [2, 9, 8, c], filter: [k, k, c, multiplier], stride, dilation, pad, depthwise: true });
          }
        }
      }
    }
    // DARTS' last cells: on 4x4 images most taps of a dilated 5x5 read only padding.
    await checkCase({ x: [2, 4, 4, c], filter: [5, 5, c, 1], stride: 1, dilation: 2, pad: "same", depthwise: true });
  }
}));

test("max and average pool gradients match cpu, with all-negative windows", () => eachVariant(async () => {
  const shape: Shape4 = [2, 9, 7, 3];
  const x = random(shape).map((v) => v - 0.9);
  for (const [size, stride] of POOLS) {
    for (const pad of ["same", "valid"] as const) {
      for (const pool of [tf.maxPool, tf.avgPool]) {
        const outShape = tf.backend_util.computePool2DInfo(shape as Shape4, size, stride, 1, pad).outShape;
        const weights = tf.tensor(random(outShape), outShape);
        const grad = (xT: tf.Tensor) => tf.grad((v: tf.Tensor) => pool(v as tf.Tensor4D, size, stride, pad).mul(weights).sum())(xT);
        const what = `${pool === tf.maxPool ? "max" : "avg"} pool ${size}/${stride} ${pad} grad`;
        assertClose(await on("wasm", [[x, shape]], grad), await on("cpu", [[x, shape]], grad), what);
        weights.dispose();
      }
    }
  }
}));

test("average pooling over real pixels ('same', count_include_pad=False) and its gradient match cpu's composition", () => eachVariant(async () => {
  // One channel takes its own path (avg_pool_image<1>): NAS-RL pools the raw image 2/2.
  for (const [shape, size, stride] of [[[2, 7, 7, 1], 3, 1], [[2, 9, 7, 1], 2, 2], [[2, 9, 8, 8], 3, 2], [[1, 8, 8, 17], 2, 2], [[3, 5, 6, 3], 3, 1]] as Array<[number[], number, number]>) {
    const inputs: Array<[Float32Array, number[]]> = [[random(shape), shape]];
    const pool = (t: tf.Tensor) => avgPool(t as tf.Tensor4D, size, stride);
    const what = `avg pool ${size}/${stride} of ${shape}`;
    assertClose(await on("wasm", inputs, pool), await on("cpu", inputs, pool), what);
    // The loss weights every output differently, so that a gradient sent to the wrong pixel shows.
    const grad = (t: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pool(v), tf.range(1, 1 + tf.util.sizeFromShape(pool(v).shape)).reshape(pool(v).shape))))(t);
    assertClose(await on("wasm", inputs, grad), await on("cpu", inputs, grad), `${what}: gradient`);
  }
}));

test("softmax cross-entropy and its gradients for logits and labels match tfjs's composition on cpu", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  // An earlier test's `on("cpu", ...)` may have left cpu current; initBackend does not switch back.
  await tf.setBackend("wasm");
  const loss = softmaxCrossEntropy;
  const profile = await tf.profile(() => tf.tidy(() => loss(tf.oneHot([1, 0], 3).toFloat(), tf.zeros([2, 3]))));
  (profile.result as tf.Tensor).dispose();
  assert.ok(profile.kernelNames.includes(SOFTMAX_CROSS_ENTROPY), `wasm runs ${profile.kernelNames.join(", ")}`);
  for (const [b, k] of [[50, 10], [3, 1], [7, 120]]) {
    // Logits up to 100 (exp overflows float32 unshifted); labels one-hot, then smoothed distributions.
    const logits = random([b, k]).map((v, i) => (i < k ? 100 * v : 3 * v));
    const oneHot = new Float32Array(b * k).map((_, i) => (i % k === (Math.floor(i / k) * 7) % k ? 1 : 0));
    const spread = random([b, k]).map((v) => v + 1.5);
    const smoothed = spread.map((v, i) => v / spread.slice(i - (i % k), i - (i % k) + k).reduce((x, y) => x + y, 0));
    for (const [name, labels] of [["one-hot", oneHot], ["smoothed", smoothed]] as const) {
      const inputs: Array<[Float32Array, number[]]> = [[labels, [b, k]], [logits, [b, k]]];
      const what = `${b} x ${k}, ${name} labels`;
      assertClose(await on("wasm", inputs, loss), await on("cpu", inputs, loss), what);
      const grads = (y: tf.Tensor, z: tf.Tensor) => tf.grads(loss)([y, z]);
      assertClose(await on("wasm", inputs, (y, z) => grads(y, z)[1]), await on("cpu", inputs, (y, z) => grads(y, z)[1]), `${what}: gradient for the logits`);
      // tfjs's gradient for the labels is (labels - softmax) / B, not the derivative: compare with -logSoftmax / B.
      const derivative = (_: tf.Tensor, z: tf.Tensor) => tf.neg(tf.logSoftmax(z)).div(b);
      assertClose(await on("wasm", inputs, (y, z) => grads(y, z)[0]), await on("cpu", inputs, derivative), `${what}: gradient for the labels`);
    }
  }
  await tf.setBackend("wasm");
});

test("a window of tied maxima sends its whole gradient to one of them", () => eachVariant(async () => {
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid").mul(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1])).sum())(tf.zeros([1, 4, 4, 1])));
  const values = Array.from(grad.dataSync());
  grad.dispose();
  const windows = [0, 2, 8, 10].map((corner) => [corner, corner + 1, corner + 4, corner + 5].map((i) => values[i]));
  windows.forEach((w, i) => assert.deepEqual(w.filter((v) => v !== 0), [i + 1]));
}));

test("unsortedSegmentSum matches cpu, dropping out-of-range ids", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const ids = [3, 0, 3, 7, -1, 2];
  const values: [Float32Array, number[]] = [random([6, 2, 5]), [6, 2, 5]];
  const sum = (x: tf.Tensor) => tf.unsortedSegmentSum(x, tf.tensor1d(ids, "int32"), 5);
  assertClose(await on("wasm", [values], sum), await on("cpu", [values], sum), "unsortedSegmentSum");
});

test("sum and mean match cpu over leading, middle, trailing and scattered axes, with keepDims", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const shape = [3, 5, 4, 6];
  const values: [Float32Array, number[]] = [random(shape), shape];
  const axesGrid: Array<number | number[]> = [0, [0, 1], [0, 1, 2], [1, 2], 1, [2, 1], 3, [0, 3], [0, 2], [0, 1, 2, 3], -2];
  for (const axes of axesGrid) {
    for (const keepDims of [false, true]) {
      for (const [name, reduce] of [["sum", tf.sum], ["mean", tf.mean]] as const) {
        const f = (x: tf.Tensor) => reduce(x, axes, keepDims);
        assertClose(await on("wasm", [values], f), await on("cpu", [values], f), `${name} ${JSON.stringify(axes)} keepDims=${keepDims}`);
      }
    }
  }
  const ints = (x: tf.Tensor) => tf.sum(x.toInt(), [0, 1]).toFloat();
  assertClose(await on("wasm", [values], ints), await on("cpu", [values], ints), "int32 sum");
  // Wide kept rows (here 8*8*64 values) once overflowed the wasm stack inside the pooling and
  // corrupted the heap for the ops after it.
  const wide: [Float32Array, number[]] = [random([16, 8, 8, 64]), [16, 8, 8, 64]];
  const wideThenAdd = (x: tf.Tensor) => tf.add(tf.sum(x, 0), tf.sum(x, [0, 1, 2]));
  assertClose(await on("wasm", [wide], wideThenAdd), await on("cpu", [wide], wideThenAdd), "wide sum then bias add");
});

test("add matches cpu for per-channel biases on either side and for other broadcasts", () => eachVariant(async () => {
  const pairs: Array<[number[], number[]]> = [
    [[2, 5, 3, 4], [4]], [[4], [2, 5, 3, 4]], [[6, 4], [1, 4]], [[2, 3, 4], [1, 1, 4]], [[3, 4], [3, 4]],
    [[2, 5, 3, 4], [3, 1]], [[2, 3, 4], [3, 4]], [[4], [4]], [[1, 4], [4]], [[5, 1], [1]],
    // Large enough for the native per-channel path.
    [[2, 33, 17, 12], [12]], [[12], [2, 33, 17, 12]], [[2, 33, 17, 12], [1, 1, 1, 12]],
  ];
  for (const [sa, sb] of pairs) {
    const inputs: Array<[Float32Array, number[]]> = [[random(sa), sa], [random(sb), sb]];
    const add = (a: tf.Tensor, b: tf.Tensor) => tf.add(a, b);
    assertClose(await on("wasm", inputs, add), await on("cpu", inputs, add), `add ${sa} + ${sb}`);
  }
  const ints = (a: tf.Tensor, b: tf.Tensor) => tf.add(a.toInt(), b.toInt()).toFloat();
  const intInputs: Array<[Float32Array, number[]]> = [[random([3, 4]), [3, 4]], [random([4]), [4]]];
  assertClose(await on("wasm", intInputs, ints), await on("cpu", intInputs, ints), "int32 bias add");
}));

test("identity and same-dtype cast share data and still match cpu; other casts convert", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const values: [Float32Array, number[]] = [random([3, 4]), [3, 4]];
  const relabel = (x: tf.Tensor) => tf.add(tf.clone(x), tf.cast(x, "float32"));
  assertClose(await on("wasm", [values], relabel), await on("cpu", [values], relabel), "clone + same-dtype cast");
  const convert = (x: tf.Tensor) => tf.cast(tf.cast(tf.cast(x.mul(3), "int32"), "int32"), "float32");
  assertClose(await on("wasm", [values], convert), await on("cpu", [values], convert), "float -> int32 -> float");
  await tf.setBackend("wasm");
  const x = tf.ones([2, 2]);
  const shared = [tf.clone(x), tf.cast(x, "float32")];
  for (const t of shared) assert.equal(t.dataId, x.dataId, "clone and same-dtype cast share the input's data");
  const buffers = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
  x.dispose();
  assert.equal((tf.memory() as { numDataBuffers: number }).numDataBuffers, buffers, "the data lives while a sharer does");
  tf.dispose(shared);
  assert.equal((tf.memory() as { numDataBuffers: number }).numDataBuffers, buffers - 1, "and is freed with the last one");
});

test("tile matches cpu for per-channel, leading, inner and int32 repeats", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const cases: Array<[number[], number[]]> = [
    [[1, 1, 1, 4], [2, 3, 5, 1]], [[2, 3], [3, 2]], [[3, 1, 2], [1, 4, 1]], [[5], [3]], [[2, 2], [1, 1]], [[2, 3], [0, 2]],
  ];
  for (const [shape, reps] of cases) {
    const values: [Float32Array, number[]] = [random(shape), shape];
    const tile = (x: tf.Tensor) => tf.tile(x, reps);
    assertClose(await on("wasm", [values], tile), await on("cpu", [values], tile), `tile ${shape} by ${reps}`);
    const ints = (x: tf.Tensor) => tf.tile(x.mul(10).toInt(), reps).toFloat();
    assertClose(await on("wasm", [values], ints), await on("cpu", [values], ints), `int32 tile ${shape} by ${reps}`);
  }
});

test("slice, split and concat match cpu on every axis, short and long rows, empty pieces, int32, and strings (sliced and joined)", () => eachVariant(async () => {
  const slices: Array<[number[], number[], number[]]> = [
    // The first two copy enough floats for the native addon's rows, the rest fewer.
    [[4, 16, 16, 12], [0, 0, 0, 4], [-1, -1, -1, 5]], [[4, 16, 16, 12], [1, 2, 0, 0], [2, 9, 16, 12]],
    [[2, 5, 5, 12], [0, 0, 0, 4], [-1, -1, -1, 5]], [[2, 5, 5, 12], [1, 1, 2, 0], [1, 3, 2, -1]], [[3, 70], [1, 3], [2, 66]],
    [[4, 6], [2, 0], [2, 6]], [[4, 6, 3], [0, 2, 1], [4, 0, 2]], [[7], [2], [3]],
  ];
  for (const [shape, begin, size] of slices) {
    const values: [Float32Array, number[]] = [random(shape), shape];
    for (const [what, f] of [["", (x: tf.Tensor) => tf.slice(x, begin, size)], ["int32 ", (x: tf.Tensor) => tf.slice(x.mul(10).toInt(), begin, size).toFloat()]] as const) {
      assertClose(await on("wasm", [values], f), await on("cpu", [values], f), `${what}slice ${shape} at ${begin} of ${size}`);
    }
  }
  const pieces: Array<[number[], number[], number]> = [[[4, 16, 16, 28], [12, 16], 3], [[2, 3, 3, 10], [2, 0, 8], 3], [[2, 3, 3, 10], [1, 2], 1], [[6, 70], [1, 5], 0], [[4, 9], [3, 3, 3], -1]];
  for (const [shape, sizes, axis] of pieces) {
    const values: [Float32Array, number[]] = [random(shape), shape];
    // Each piece times a different weight, so that one put in the wrong place changes the sum.
    const split = (x: tf.Tensor) => tf.concat(tf.split(x, sizes, axis).map((p, i) => tf.mul(p, i + 1).reshape([-1])));
    assertClose(await on("wasm", [values], split), await on("cpu", [values], split), `split ${shape} into ${sizes} on axis ${axis}`);
    const rejoin = (x: tf.Tensor) => tf.concat([...tf.split(x, sizes, axis)].reverse(), axis);
    assertClose(await on("wasm", [values], rejoin), await on("cpu", [values], rejoin), `concat of ${shape}'s pieces on axis ${axis}`);
  }
  await tf.setBackend("wasm");
  const words = tf.tensor2d([["a", "b", "c"], ["d", "e", "f"]]);
  assert.deepEqual(tf.concat([tf.slice(words, [0, 1], [2, 2]), tf.slice(words, [0, 0], [2, 1])], 1).arraySync(), [["b", "c", "a"], ["e", "f", "d"]]);
  words.dispose();
}));

test("native kernels give the same bits on any number of threads", { skip: !native }, () => {
  const kernels = native!;
  // x [8, 32, 32, 16], 3x3 filters, 'same': large enough that every kernel splits its work; with 8
  // channels out the convolutions read the padded input in place, at stride 2 the input gradient
  // spreads dY; with 9 the filter gradient's tile rows are the channels.
  const conv = Int32Array.of(8, 32, 32, 16, 3, 3, 16, 32, 32, 1, 1, 1, 1, 1, 1);
  const narrow = Int32Array.of(8, 32, 32, 16, 3, 3, 8, 32, 32, 1, 1, 1, 1, 1, 1);
  const strided = Int32Array.of(8, 32, 32, 16, 3, 3, 8, 16, 16, 2, 2, 1, 1, 0, 0);
  const x = random([8, 32, 32, 16]);
  const dy = random([8, 32, 32, 16]);
  const dyNarrow = random([8, 32, 32, 8]);
  const narrowFilter = random([3, 3, 16, 8]);
  const nine = Int32Array.of(8, 32, 32, 16, 3, 3, 9, 32, 32, 1, 1, 1, 1, 1, 1);
  const dyNine = random([8, 32, 32, 9]);
  const depthwiseFilter = random([3, 3, 16, 1]);
  const depthwiseStrided = Int32Array.of(8, 32, 32, 16, 3, 3, 16, 16, 16, 2, 2, 1, 1, 0, 0);
  assertSameBitsOnThreads(kernels, () => {
    const out = {
      conv: new Float32Array(8 * 32 * 32 * 16), filterGrad: new Float32Array(3 * 3 * 16 * 16),
      depthwise: new Float32Array(8 * 32 * 32 * 16), depthwiseGrad: new Float32Array(3 * 3 * 16),
      narrow: new Float32Array(8 * 32 * 32 * 8), narrowFilterGrad: new Float32Array(3 * 3 * 16 * 8), nineFilterGrad: new Float32Array(3 * 3 * 16 * 9),
      inputGrad: new Float32Array(8 * 32 * 32 * 16), stridedInputGrad: new Float32Array(8 * 32 * 32 * 16),
      depthwiseInputGrad: new Float32Array(8 * 32 * 32 * 16), depthwiseStridedInputGrad: new Float32Array(8 * 32 * 32 * 16),
    };
    kernels.conv2d(x, narrowFilter, out.narrow, narrow);
    kernels.conv2dFilterGrad(x, dyNarrow, out.narrowFilterGrad, narrow);
    kernels.conv2dFilterGrad(x, dyNine, out.nineFilterGrad, nine);
    kernels.conv2dInputGrad(dyNarrow, narrowFilter, out.inputGrad, narrow);
    kernels.conv2dInputGrad(dyNarrow.subarray(0, 8 * 16 * 16 * 8), narrowFilter, out.stridedInputGrad, strided);
    kernels.conv2d(x, random([3, 3, 16, 16]).fill(0.25), out.conv, conv);
    kernels.conv2dFilterGrad(x, dy, out.filterGrad, conv);
    kernels.depthwiseConv2d(x, new Float32Array(3 * 3 * 16).fill(0.5), out.depthwise, conv);
    kernels.depthwiseFilterGrad(x, dy, out.depthwiseGrad, conv);
    kernels.depthwiseInputGrad(dy, depthwiseFilter, out.depthwiseInputGrad, conv);
    kernels.depthwiseInputGrad(dy.subarray(0, 8 * 16 * 16 * 16), depthwiseFilter, out.depthwiseStridedInputGrad, depthwiseStrided);
    return out;
  });
});

test("back-to-back calls on 3 threads never share tasks across calls: 300 small convolutions give the one-thread bits", { skip: !native }, () => {
  const kernels = native!;
  // Small enough that a woken thread often arrives after its call has ended, and the next has begun.
  const geometry = Int32Array.of(4, 8, 8, 8, 3, 3, 8, 8, 8, 1, 1, 1, 1, 1, 1);
  const x = random([4, 8, 8, 8]);
  const filters = Array.from({ length: 300 }, (_, i) => random([3, 3, 8, 8]).map((v) => v * (1 + i / 300)));
  assertSameBitsOnThreads(kernels, () => {
    const out: Record<string, Float32Array> = {};
    filters.forEach((filter, i) => {
      out[`call ${i}`] = new Float32Array(4 * 8 * 8 * 8);
      kernels.conv2d(x, filter, out[`call ${i}`], geometry);
    });
    return out;
  });
});

test("ReLU matches cpu (NaN kept, int32 too) and so does its gradient, dY * step(x), zeros included, one kernel with the addon", () => eachVariant(async () => {
  const shape = [2, 9, 7, 12];
  const big = [3, 20, 20, 8];
  const values = random(big).map((v, i) => (i % 23 === 0 ? 0 : i === 5 ? NaN : v));
  const relu = (t: tf.Tensor) => tf.relu(t);
  const [wasmRelu, cpuRelu] = [await on("wasm", [[values, big]], relu), await on("cpu", [[values, big]], relu)];
  assert.ok(Number.isNaN(wasmRelu.values[5]), "a NaN stays NaN");
  wasmRelu.values[5] = cpuRelu.values[5] = 0;
  assertClose(wasmRelu, cpuRelu, "relu");
  const intRelu = (t: tf.Tensor) => tf.relu(t.mul(10).toInt()).toFloat();
  assertClose(await on("wasm", [[values.map((v) => (Number.isNaN(v) ? 0 : v)), big]], intRelu), await on("cpu", [[values.map((v) => (Number.isNaN(v) ? 0 : v)), big]], intRelu), "int32 relu");
  const x = random(shape).map((v, i) => (i % 17 === 0 ? 0 : v));
  const weights = random(shape);
  const grad = (t: tf.Tensor, w: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(t);
  assertClose(await on("wasm", [[x, shape], [weights, shape]], grad), await on("cpu", [[x, shape], [weights, shape]], grad), "relu gradient");
  await tf.setBackend("wasm");
  const xs = tf.tensor(x, shape);
  const profile = await tf.profile(() => tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(xs)));
  xs.dispose();
  const names = profile.kernels.map((k) => k.name);
  assert.equal(names.includes(RELU_GRAD), tf.getKernel(RELU_GRAD, "wasm") !== undefined, `kernels run: ${names.join(", ")}`);
}));

test("a DARTS edge's weighted sum and its gradients match cpu's tf ops, with a skipped column, without leaking tensors", () => eachVariant(async () => {
  const shape = [2, 9, 9, 12];
  const columns = [0, 2, 3, 5];
  const inputs: Array<[Float32Array, number[]]> = [[random([6]), [6]], ...columns.map((): [Float32Array, number[]] => [random(shape), shape]), [random(shape), shape]];
  // The loss weights every output element differently, so that a gradient in the wrong place shows.
  const loss = (w: tf.Tensor, ...rest: tf.Tensor[]) => tf.sum(tf.mul(weightedSum(rest.slice(0, -1) as tf.Tensor4D[], w as tf.Tensor1D, columns), rest[rest.length - 1]));
  for (let input = 0; input <= columns.length; input++) {
    const grad = (...t: tf.Tensor[]) => tf.grads(loss)(t)[input];
    assertClose(await on("wasm", inputs, grad), await on("cpu", inputs, grad), `gradient of input ${input}`);
  }
  const value = (...t: tf.Tensor[]) => weightedSum(t.slice(1, -1) as tf.Tensor4D[], t[0] as tf.Tensor1D, columns);
  assertClose(await on("wasm", inputs, value), await on("cpu", inputs, value), "value");
  await tf.setBackend("wasm");
  const tensors = inputs.map(([v, s]) => tf.tensor(v, s));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tf.dispose(tf.grads(loss)(tensors));
  assert.equal(tf.memory().numTensors, before, "tensors left after three gradients");
  tf.dispose(tensors);
}));

test("a DARTS edge's weighted sum gives the same bits on any number of threads", { skip: !native }, () => {
  const kernels = native!;
  const n = 8 * 16 * 16 * 16;
  const terms = [random([n]), random([n]), random([n])];
  const weights = random([3]);
  const dy = random([n]);
  assertSameBitsOnThreads(kernels, () => {
    const out = { sum: new Float32Array(n), dweights: new Float32Array(3), dterm: new Float32Array(n) };
    kernels.weightedSum(terms, weights, out.sum);
    kernels.weightedSumGrad(terms, weights, dy, [out.dterm, new Float32Array(n), new Float32Array(n)], out.dweights);
    return out;
  });
});

test("multiply, sub and batch norm match cpu for per-channel vectors on either side", () => eachVariant(async () => {
  const big = [2, 33, 17, 12];
  const pairs: Array<[number[], number[]]> = [[big, [12]], [[12], big], [big, [1, 1, 1, 12]], [[1, 12], big], [big, big], [big, [17, 1]], [[6, 12], [12]]];
  for (const [sa, sb] of pairs) {
    const inputs: Array<[Float32Array, number[]]> = [[random(sa), sa], [random(sb), sb]];
    for (const [name, op] of [["mul", tf.mul], ["sub", tf.sub]] as const) {
      const f = (a: tf.Tensor, b: tf.Tensor) => op(a, b);
      assertClose(await on("wasm", inputs, f), await on("cpu", inputs, f), `${name} ${sa} and ${sb}`);
    }
  }
  const x: [Float32Array, number[]] = [random(big), big];
  const vector = (shift: number): [Float32Array, number[]] => [random([12]).map((v) => v + shift), [12]];
  const [mean, variance, offset, scale] = [vector(0), vector(1.5), vector(0), vector(0)];
  const full = (xT: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.batchNorm4d(xT as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);
  assertClose(await on("wasm", [x, mean, variance, offset, scale], full), await on("cpu", [x, mean, variance, offset, scale], full), "batch norm");
  const bare = (xT: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => tf.batchNorm4d(xT as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D);
  assertClose(await on("wasm", [x, mean, variance], bare), await on("cpu", [x, mean, variance], bare), "batch norm without scale and offset");
}));

test("the gradient of mean is dY / n spread over the reduced axes", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  const shape = [2, 3, 4, 5];
  const x = tf.tensor(random(shape), shape);
  for (const [axes, keepDims] of [[[1, 2], false], [[0], true], [[3], false], [[0, 1, 2, 3], false]] as Array<[number[], boolean]>) {
    const outShape = shape.map((size, axis) => (axes.includes(axis) ? 1 : size)).filter((_, axis) => keepDims || !axes.includes(axis));
    const weights = random(outShape);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mean(v, axes, keepDims), tf.tensor(weights, outShape))))(x);
    const values = grad.dataSync();
    grad.dispose();
    const count = axes.reduce((n, axis) => n * shape[axis], 1);
    // Element (a, b, c, d) of x feeds the output element with its reduced coordinates dropped.
    const keptAxes = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
    const keptSizes = keptAxes.map((axis) => shape[axis]);
    for (let flat = 0; flat < values.length; flat++) {
      const coords = shape.map((_, axis) => Math.floor(flat / shape.slice(axis + 1).reduce((a, b) => a * b, 1)) % shape[axis]);
      const outFlat = keptAxes.reduce((acc, axis, i) => acc * keptSizes[i] + coords[axis], 0);
      assert.ok(Math.abs(values[flat] - weights[outFlat] / count) < 1e-6, `mean over ${axes} keepDims=${keepDims}: element ${flat}`);
    }
  }
  x.dispose();
});

test("an LSTM layer's step as one native kernel each way matches cpu's composed ops: outputs and every gradient, over two steps", { skip: !native }, async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  assert.ok(tf.getKernel(LSTM_LAYER, "wasm"), "the LSTM layer kernel is registered on wasm");
  for (const [batch, inputs, units] of [[1, 3, 5], [4, 6, 35], [2, 17, 9]]) {
    const xs = [random([batch, inputs]), random([batch, inputs])];
    const [wh, wc] = [random([batch, units]), random([batch, units])];
    // Two steps of two layers, and a loss that reads the top h and the bottom c, so that every path of the gradient is used.
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const lstm = new StackedLstm(inputs, units, 2, 0.5, new Rng(3));
      const x = xs.map((v) => tf.variable(tf.tensor2d(v, [batch, inputs])));
      const loss = () => {
        let state = lstm.zeroState(batch);
        let top: tf.Tensor2D | null = null;
        for (const input of x) ({ output: top, state } = lstm.step(input, state));
        return tf.add(tf.sum(tf.mul(top as tf.Tensor2D, tf.tensor2d(wh, [batch, units]))), tf.sum(tf.mul(state.c[0], tf.tensor2d(wc, [batch, units])))) as tf.Scalar;
      };
      const all = [...lstm.variables(), ...x];
      const { value, grads } = tf.variableGrads(loss, all);
      const out = { loss: value.dataSync()[0], grads: all.map((v) => ({ values: grads[v.name].dataSync() as Float32Array, shape: grads[v.name].shape })) };
      tf.dispose([value, ...Object.values(grads), ...x, ...lstm.variables()]);
      return out;
    };
    const [wasm, cpu] = [await run("wasm"), await run("cpu")];
    const what = `LSTM layer, batch ${batch}, ${inputs} inputs, ${units} units`;
    assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-4 * Math.max(1, Math.abs(cpu.loss)), `${what}: loss ${wasm.loss} vs ${cpu.loss}`);
    wasm.grads.forEach((g, i) => assertClose(g, cpu.grads[i], `${what}: gradient of ${i < 4 ? `weight ${i}` : `input ${i - 4}`}`));
  }
});

test("the LSTM cell kernel and its gradient match cpu's composed ops over batch sizes and widths", async () => {
  await initBackend({ NASBOOK_BACKEND: "wasm" });
  assert.ok(tf.getKernel(LSTM_CELL, "wasm"), "the LSTM cell kernel is registered on wasm");
  for (const [batch, units] of [[1, 1], [1, 35], [3, 4], [2, 17]]) {
    // Pre-activations spread over [-3, 3], so that saturated and linear gates are both covered.
    const z = random([batch, 4 * units]).map((v) => 3 * v);
    const c = random([batch, units]);
    const [wh, wc] = [random([batch, units]), random([batch, units])];
    const inputs: Array<[Float32Array, number[]]> = [[z, [batch, 4 * units]], [c, [batch, units]]];
    const part = (which: "h" | "c") => (zT: tf.Tensor, cT: tf.Tensor) => lstmCell(zT as tf.Tensor2D, cT as tf.Tensor2D)[which];
    // A loss reading both outputs, so that both upstream gradients reach the cell.
    const loss = (zT: tf.Tensor, cT: tf.Tensor) => {
      const cell = lstmCell(zT as tf.Tensor2D, cT as tf.Tensor2D);
      return tf.add(tf.sum(tf.mul(cell.h, tf.tensor(wh, [batch, units]))), tf.sum(tf.mul(cell.c, tf.tensor(wc, [batch, units]))));
    };
    const grad = (k: number) => (zT: tf.Tensor, cT: tf.Tensor) => tf.grads(loss)([zT, cT])[k];
    const what = `LSTM cell, batch ${batch}, ${units} units`;
    for (const which of ["h", "c"] as const) assertClose(await on("wasm", inputs, part(which)), await on("cpu", inputs, part(which)), `${what}: ${which}'`);
    assertClose(await on("wasm", inputs, grad(0)), await on("cpu", inputs, grad(0)), `${what}: dz`);
    assertClose(await on("wasm", inputs, grad(1)), await on("cpu", inputs, grad(1)), `${what}: dc`);
  }
});
