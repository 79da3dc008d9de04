/**
 * Kernels that nasbook's native addon (lib/backend/native.ts) runs on the wasm heap in place of
 * wasm's: Conv2D, Conv2DBackpropFilter, DepthwiseConv2dNative, its filter gradient, MaxPoolGrad
 * and AvgPoolGrad; FusedBatchNorm, and Add, Multiply and Sub where one side is a per-channel vector
 * (wasm's run these in scalar loops, 3-10x slower than one pass). The input gradients stay
 * compositions (conv-as-forward.ts) whose forward convolutions then run here too.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { assertChannelsLast, ConvGradAttrs, forwardConvInfo } from "./conv-as-forward";
import { KernelArgs, Shape4, withWasmOps } from "./wasm-ops";

type Geometry = Int32Array;
type NativeKernel = NativeKernels["conv2d"];

/** The fields of native/src/geometry.h, in its order. */
function geometryOf(info: tf.backend_util.Conv2DInfo): Geometry {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  );
}

/** Allocates the output on the heap, then runs `kernel` on views of a, b (or b's own values) and it. */
function runOnHeap(backend: BackendWasm, kernel: NativeKernel, a: tf.TensorInfo, b: tf.TensorInfo | Float32Array, outShape: number[], geometry: Geometry) {
  for (const input of [a, b]) {
    if (!(input instanceof Float32Array) && input.dtype !== "float32") {
      throw new Error(`nasbook's native kernels take float32 tensors; got ${input.dtype}`);
    }
  }
  const out = backend.makeOutput(outShape, "float32");
  try {
    // Views only after makeOutput: allocating can grow the heap, which detaches older views.
    const view = (t: tf.TensorInfo | Float32Array) => (t instanceof Float32Array ? t : (backend.typedArrayFromHeap(t) as Float32Array));
    kernel(view(a), view(b), view(out), geometry);
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  }
}

interface ConvAttrs extends ConvGradAttrs {
  /** Set for the filter gradient, which has no filter input to take it from. */
  filterShape?: Shape4;
}

/** A convolution on the addon: the forward pass (inputs x, filter) or the filter gradient (x, dy). */
function convolution(kernelName: string, depthwise: boolean, pass: "forward" | "filterGrad", kernel: (n: NativeKernels) => NativeKernel) {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, filter, dy } = inputs as Record<"x" | "filter" | "dy", tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      assertChannelsLast(kernelName, a);
      const filterShape = pass === "forward" ? (filter.shape as Shape4) : (a.filterShape as Shape4);
      const info = forwardConvInfo(x.shape, filterShape, a, depthwise);
      const [second, outShape] = pass === "forward" ? [filter, info.outShape] : [dy, filterShape];
      return runOnHeap(backend as BackendWasm, kernel(native), x, second, outShape, geometryOf(info));
    },
  });
}

function poolGrad(kernelName: string, kernel: (n: NativeKernels) => NativeKernel) {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
      return runOnHeap(backend as BackendWasm, kernel(native), input, dy, input.shape, geometryOf(info));
    },
  });
}

/** Below this many floats wasm's own elementwise kernels are as fast as a native call. */
const AFFINE_MIN_FLOATS = 4096;

/** x [..., C] times scale[c] plus shift[c] along the last axis, on the heap. */
function channelAffine(backend: BackendWasm, native: NativeKernels, x: tf.TensorInfo, scale: Float32Array, shift: Float32Array) {
  const channels = scale.length;
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const coefficients = new Float32Array(2 * channels);
  coefficients.set(scale);
  coefficients.set(shift, channels);
  const geometry = Int32Array.of(rows, 1, 1, channels, 1, 1, channels, 1, 1, 1, 1, 1, 1, 0, 0);
  return runOnHeap(backend, native.channelAffine, x, coefficients, x.shape, geometry);
}

/** The values of a per-channel vector for x: float32, C = x's last axis, every other axis 1. */
function channelVector(backend: BackendWasm, v: tf.TensorInfo | undefined, x: tf.TensorInfo): Float32Array | null {
  if (!v || v.dtype !== "float32" || x.dtype !== "float32" || x.shape.length < 2) return null;
  const channels = x.shape[x.shape.length - 1];
  const perChannel = v.shape.length <= x.shape.length && v.shape.every((d, i) => (i === v.shape.length - 1 ? d === channels : d === 1));
  if (!perChannel || v.shape.length === 0 || tf.util.sizeFromShape(x.shape) < AFFINE_MIN_FLOATS) return null;
  return backend.typedArrayFromHeap(v) as Float32Array;
}

const ones = (n: number) => new Float32Array(n).fill(1);

/** Add, Multiply or Sub with a per-channel vector on either side natively; anything else on wasm's kernel. */
function elementwise(kernelName: "Add" | "Multiply" | "Sub") {
  return (native: NativeKernels): tf.KernelConfig => ({
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const wasm = backend as BackendWasm;
      const right = channelVector(wasm, b, a);
      const left = right ? null : channelVector(wasm, a, b);
      const negate = (v: Float32Array) => v.map((value) => -value);
      if (right && kernelName === "Add") return channelAffine(wasm, native, a, ones(right.length), right);
      if (left && kernelName === "Add") return channelAffine(wasm, native, b, ones(left.length), left);
      if (right && kernelName === "Multiply") return channelAffine(wasm, native, a, right, new Float32Array(right.length));
      if (left && kernelName === "Multiply") return channelAffine(wasm, native, b, left, new Float32Array(left.length));
      if (right) return channelAffine(wasm, native, a, ones(right.length), negate(right));
      if (left) return channelAffine(wasm, native, b, negate(ones(left.length)), left.slice());
      return withWasmOps(backend, (ops) => ops.run(kernelName, { a, b }, attrs));
    },
  });
}

/** (x - mean) * scale / sqrt(variance + epsilon) + offset as one per-channel affine map. */
const fusedBatchNorm = (native: NativeKernels): tf.KernelConfig => ({
  kernelName: tf.FusedBatchNorm,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined> & { x: tf.TensorInfo };
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const wasm = backend as BackendWasm;
    const [m, v] = [channelVector(wasm, mean, x), channelVector(wasm, variance, x)];
    const [o, s] = [offset && channelVector(wasm, offset, x), scale && channelVector(wasm, scale, x)];
    if (!m || !v || o === null || s === null) {
      return withWasmOps(backend, (ops) => ops.run(tf.FusedBatchNorm, inputs as tf.NamedTensorInfoMap, attrs));
    }
    const gain = v.map((value, c) => (s ? s[c] : 1) / Math.sqrt(value + varianceEpsilon));
    const shift = m.map((value, c) => (o ? o[c] : 0) - value * gain[c]);
    return channelAffine(wasm, native, x, gain, shift);
  },
});

const NATIVE_CONFIGS = [
  convolution(tf.Conv2D, false, "forward", (n) => n.conv2d),
  convolution(tf.Conv2DBackpropFilter, false, "filterGrad", (n) => n.conv2dFilterGrad),
  convolution(tf.DepthwiseConv2dNative, true, "forward", (n) => n.depthwiseConv2d),
  convolution(tf.DepthwiseConv2dNativeBackpropFilter, true, "filterGrad", (n) => n.depthwiseFilterGrad),
  poolGrad(tf.MaxPoolGrad, (n) => n.maxPoolGrad),
  poolGrad(tf.AvgPoolGrad, (n) => n.avgPoolGrad),
  elementwise("Add"),
  elementwise("Multiply"),
  elementwise("Sub"),
  fusedBatchNorm,
];

/** The kernel configs that run on `native`. */
export function nativeKernelConfigs(native: NativeKernels): tf.KernelConfig[] {
  return NATIVE_CONFIGS.map((config) => config(native));
}
