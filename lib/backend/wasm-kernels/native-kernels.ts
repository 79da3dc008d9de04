/**
 * Kernels that nasbook's native addon (lib/backend/native.ts) runs on the wasm heap in place of
 * wasm's: Conv2D, DepthwiseConv2dNative and both gradients of each, MaxPoolGrad and AvgPoolGrad;
 * FusedBatchNorm, and Add, Multiply and Sub where one side is a per-channel vector (wasm's run
 * these in scalar loops, 3-10x slower than one pass); Relu.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { assertChannelsLast, ConvGradAttrs, forwardConvInfo, GradAttrs } from "./conv-as-forward";
import { heapOutput, type KernelArgs, type Shape4 } from "./wasm-ops";

type Geometry = Int32Array;
type NativeKernel = NativeKernels["conv2d"];

/** The fields of native/src/geometry.h, by name. */
interface GeometryFields {
  n: number; h: number; w: number; c: number; kh: number; kw: number; outC: number; ho: number; wo: number;
  sh: number; sw: number; dh: number; dw: number; padTop: number; padLeft: number;
}

/** The Int32Array native/src/geometry.h reads, fields in its order. */
function geometry(g: GeometryFields): Geometry {
  return Int32Array.of(g.n, g.h, g.w, g.c, g.kh, g.kw, g.outC, g.ho, g.wo, g.sh, g.sw, g.dh, g.dw, g.padTop, g.padLeft);
}

export function geometryOf(info: tf.backend_util.Conv2DInfo): Geometry {
  return geometry({
    n: info.batchSize, h: info.inHeight, w: info.inWidth, c: info.inChannels, kh: info.filterHeight, kw: info.filterWidth,
    outC: info.outChannels, ho: info.outHeight, wo: info.outWidth, sh: info.strideHeight, sw: info.strideWidth,
    dh: info.dilationHeight, dw: info.dilationWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  });
}

/** `rows` rows of `channels` values, as channelAffine sweeps them. */
function rowsGeometry(rows: number, channels: number): Geometry {
  return geometry({ n: rows, h: 1, w: 1, c: channels, kh: 1, kw: 1, outC: channels, ho: 1, wo: 1, sh: 1, sw: 1, dh: 1, dw: 1, padTop: 0, padLeft: 0 });
}

/** Allocates the output on the heap, then runs `kernel` on views of a, b (or b's own values) and it. */
export function runOnHeap(backend: BackendWasm, kernel: NativeKernel, a: tf.TensorInfo, b: tf.TensorInfo | Float32Array, outShape: number[], geometry: Geometry) {
  for (const input of [a, b]) {
    if (!(input instanceof Float32Array) && input.dtype !== "float32") {
      throw new Error(`nasbook's native kernels take float32 tensors; got ${input.dtype}`);
    }
  }
  const out = heapOutput(backend, outShape, "float32");
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

/**
 * A kernel the addon runs: its name, and its function given the addon and the kernel registered
 * before it (what it falls back to for inputs it does not take).
 */
interface NativeKernelSpec {
  readonly kernelName: string;
  kernelFunc(native: NativeKernels, fallback: tf.KernelFunc): tf.KernelFunc;
}

/** A convolution on the addon: the forward pass (inputs x, filter) or the filter gradient (x, dy). */
function convolution(kernelName: string, depthwise: boolean, pass: "forward" | "filterGrad", kernel: (n: NativeKernels) => NativeKernel): NativeKernelSpec {
  return {
    kernelName,
    kernelFunc: (native) => ({ inputs, backend, attrs }: KernelArgs) => {
      const { x, filter, dy } = inputs as Record<"x" | "filter" | "dy", tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      assertChannelsLast(kernelName, a);
      const filterShape = pass === "forward" ? (filter.shape as Shape4) : (a.filterShape as Shape4);
      const info = forwardConvInfo(x.shape, filterShape, a, depthwise);
      const [second, outShape] = pass === "forward" ? [filter, info.outShape] : [dy, filterShape];
      return runOnHeap(backend as BackendWasm, kernel(native), x, second, outShape, geometryOf(info));
    },
  };
}

/** An input gradient (inputs dy, filter) as one native call instead of conv-as-forward's spread, flip, convolution and crop. */
function inputGrad(kernelName: string, depthwise: boolean, kernel: (n: NativeKernels) => NativeKernel): NativeKernelSpec {
  return {
    kernelName,
    kernelFunc: (native) => ({ inputs, backend, attrs }: KernelArgs) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const a = attrs as unknown as GradAttrs<"inputShape">;
      assertChannelsLast(kernelName, a);
      const info = forwardConvInfo(a.inputShape, filter.shape, a, depthwise);
      return runOnHeap(backend as BackendWasm, kernel(native), dy, filter, a.inputShape, geometryOf(info));
    },
  };
}

function poolGrad(kernelName: string, kernel: (n: NativeKernels) => NativeKernel): NativeKernelSpec {
  return {
    kernelName,
    kernelFunc: (native) => ({ inputs, backend, attrs }: KernelArgs) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
      return runOnHeap(backend as BackendWasm, kernel(native), input, dy, input.shape, geometryOf(info));
    },
  };
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
  return runOnHeap(backend, native.channelAffine, x, coefficients, x.shape, rowsGeometry(rows, channels));
}

/** The values of a per-channel vector for x: float32, C = x's last axis, every other axis 1. */
function channelVector(backend: BackendWasm, v: tf.TensorInfo | undefined, x: tf.TensorInfo): Float32Array | null {
  if (!v || v.dtype !== "float32" || x.dtype !== "float32" || x.shape.length < 2) return null;
  const channels = x.shape[x.shape.length - 1];
  const perChannel = v.shape.length <= x.shape.length && v.shape.every((d, i) => (i === v.shape.length - 1 ? d === channels : d === 1));
  if (!perChannel || v.shape.length === 0 || tf.util.sizeFromShape(x.shape) < AFFINE_MIN_FLOATS) return null;
  return backend.typedArrayFromHeap(v) as Float32Array;
}

const filled = (n: number, value: number) => new Float32Array(n).fill(value);

/** x op v as x * scale + shift, for v a per-channel vector on the right (x op v) or the left (v op x). */
function affineOf(kernelName: "Add" | "Multiply" | "Sub", v: Float32Array, vOnRight: boolean): [Float32Array, Float32Array] {
  const n = v.length;
  if (kernelName === "Add") return [filled(n, 1), v];
  if (kernelName === "Multiply") return [v, filled(n, 0)];
  return vOnRight ? [filled(n, 1), v.map((value) => -value)] : [filled(n, -1), v];
}

/** Add, Multiply or Sub with a per-channel vector on either side natively; anything else falls back. */
function elementwise(kernelName: "Add" | "Multiply" | "Sub"): NativeKernelSpec {
  return {
    kernelName,
    kernelFunc: (native, fallback) => (args: KernelArgs) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const wasm = args.backend as BackendWasm;
      const right = channelVector(wasm, b, a);
      const left = right ? null : channelVector(wasm, a, b);
      if (!right && !left) return fallback(args);
      const [x, v] = right ? [a, right] : [b, left as Float32Array];
      return channelAffine(wasm, native, x, ...affineOf(kernelName, v, right !== null));
    },
  };
}

/** (x - mean) * scale / sqrt(variance + epsilon) + offset as one per-channel affine map. */
const fusedBatchNorm: NativeKernelSpec = {
  kernelName: tf.FusedBatchNorm,
  kernelFunc: (native, fallback) => (args: KernelArgs) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined> & { x: tf.TensorInfo };
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const wasm = args.backend as BackendWasm;
    const [m, v] = [channelVector(wasm, mean, x), channelVector(wasm, variance, x)];
    const [o, s] = [offset && channelVector(wasm, offset, x), scale && channelVector(wasm, scale, x)];
    if (!m || !v || o === null || s === null) return fallback(args);
    const gain = v.map((value, c) => (s ? s[c] : 1) / Math.sqrt(value + varianceEpsilon));
    const shift = m.map((value, c) => (o ? o[c] : 0) - value * gain[c]);
    return channelAffine(wasm, native, x, gain, shift);
  },
};

/** Below this many floats wasm's ReLU is as fast as a native call. */
const RELU_MIN_FLOATS = 4096;

/** ReLU of a float32 tensor in one native pass (wasm's takes about three times as long); anything else falls back. */
const relu: NativeKernelSpec = {
  kernelName: tf.Relu,
  kernelFunc: (native, fallback) => (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== "float32" || tf.util.sizeFromShape(x.shape) < RELU_MIN_FLOATS) return fallback(args);
    const wasm = args.backend as BackendWasm;
    const out = heapOutput(wasm, x.shape, "float32");
    // Views only after makeOutput: allocating can grow the heap, which detaches older views.
    native.relu(wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(out) as Float32Array);
    return out;
  },
};

const NATIVE_KERNELS: readonly NativeKernelSpec[] = [
  convolution(tf.Conv2D, false, "forward", (n) => n.conv2d),
  convolution(tf.Conv2DBackpropFilter, false, "filterGrad", (n) => n.conv2dFilterGrad),
  inputGrad(tf.Conv2DBackpropInput, false, (n) => n.conv2dInputGrad),
  convolution(tf.DepthwiseConv2dNative, true, "forward", (n) => n.depthwiseConv2d),
  convolution(tf.DepthwiseConv2dNativeBackpropFilter, true, "filterGrad", (n) => n.depthwiseFilterGrad),
  inputGrad(tf.DepthwiseConv2dNativeBackpropInput, true, (n) => n.depthwiseInputGrad),
  poolGrad(tf.MaxPoolGrad, (n) => n.maxPoolGrad),
  poolGrad(tf.AvgPoolGrad, (n) => n.avgPoolGrad),
  elementwise("Add"),
  elementwise("Multiply"),
  elementwise("Sub"),
  fusedBatchNorm,
  relu,
];

/** Names of the kernels the addon takes over, so that they can be given back to wasm. */
export const NATIVE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.map((k) => k.kernelName);

/**
 * The kernel configs that run on `native`, each falling back to the kernel registered for its
 * name now (wasm's, or nasbook's composition such as the bias add).
 */
export function nativeKernelConfigs(native: NativeKernels): tf.KernelConfig[] {
  return NATIVE_KERNELS.map(({ kernelName, kernelFunc }) => {
    const current = tf.getKernel(kernelName, "wasm");
    if (!current) throw new Error(`wasm backend has no ${kernelName} kernel to fall back to`);
    return { kernelName, backendName: "wasm", kernelFunc: kernelFunc(native, current.kernelFunc) };
  });
}
