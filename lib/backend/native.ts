/**
 * nasbook's optional native CPU kernels: the addon in native/ (C++, built at install by
 * scripts/build-native.js with the build machine's SIMD) runs convolutions, their filter
 * gradients, pooling gradients, batch norm (training's too) and per-channel products directly on the wasm heap,
 * on a thread per core (wasm-kernels/native-kernels.ts registers them). wasm keeps every other
 * kernel and every tensor, and it also runs the SGD update. Without a compiler at install, or with NASBOOK_NATIVE=0, training
 * runs on wasm's kernels alone (slower, same results to float rounding).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { firstLine, intFromEnv } from "../core/env";
import { NasbookError } from "../core/errors";

/** Each kernel reads its two inputs and writes `out` in place; `geometry` is `geometryOf`'s. */
type NativeKernel = (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void;

export interface NativeKernels {
  conv2d: NativeKernel;
  conv2dFilterGrad: NativeKernel;
  /** (dy, filter, dx, the forward convolution's geometry). */
  conv2dInputGrad: NativeKernel;
  /** conv2d of relu(a), and its filter gradient (relu(x), dy, dfilter). */
  reluConv2d: NativeKernel;
  reluConv2dFilterGrad: NativeKernel;
  /** ReLU: y = x where x >= 0, else 0 (NaN stays NaN). */
  relu(x: Float32Array, y: Float32Array): void;
  /** ReLU's gradient: dx = dy where x > 0, else 0; dx may be dy (in place). */
  reluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  depthwiseConv2d: NativeKernel;
  depthwiseFilterGrad: NativeKernel;
  /** (dy, filter, dx, the forward convolution's geometry). */
  depthwiseInputGrad: NativeKernel;
  /** depthwiseConv2d of relu(a), and its filter gradient (relu(x), dy, dfilter). */
  reluDepthwiseConv2d: NativeKernel;
  reluDepthwiseFilterGrad: NativeKernel;
  maxPoolGrad: NativeKernel;
  avgPoolGrad: NativeKernel;
  /** Average pooling over each window's real pixels (count_include_pad=False): (x, an empty array, y); its gradient (x, dy, dx). */
  avgPoolReal: NativeKernel;
  avgPoolRealGrad: NativeKernel;
  /** a [M, C] times b[:C] plus b[C:], per channel. */
  channelAffine: NativeKernel;
  /** Training batch norm of x [M, C] with gamma, beta [C]: writes y, the batch mean and the biased variance. */
  batchNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number): void;
  /** Its closed-form gradient (lib/nn/batch-norm-training.ts): writes dx, dgamma and dbeta. */
  batchNormBackward(
    dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, epsilon: number,
  ): void;
  /** PyTorch's momentum SGD: step = gradScale * g + weightDecay * w; vOut = momentum * v + step; wOut = w - learningRate * vOut. */
  momentumSgd(
    w: Float32Array, g: Float32Array, v: Float32Array, wOut: Float32Array, vOut: Float32Array,
    learningRate: number, momentum: number, weightDecay: number, gradScale: number,
  ): void;
  /** out = sum_k weights[k] * terms[k] (a DARTS edge's output), the terms all out's size. */
  weightedSum(terms: Float32Array[], weights: Float32Array, out: Float32Array): void;
  /** Its gradient: dterms[k] = weights[k] * dy, dweights[k] = dy . terms[k]. */
  weightedSumGrad(terms: Float32Array[], weights: Float32Array, dy: Float32Array, dterms: Float32Array[], dweights: Float32Array): void;
  /** Row r's `width` floats from src[srcStart + r * srcStride] to dst[dstStart + r * dstStride]; geometry [rows, width, srcStart, srcStride, dstStart, dstStride]. */
  copyRows(src: Float32Array, dst: Float32Array, geometry: Int32Array): void;
  /** Adam (lib/nn/adam.ts) into fresh buffers, the bias corrections c = 1 - b^t given. */
  adam(
    w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, wOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    learningRate: number, beta1: number, beta2: number, epsilon: number, correction1: number, correction2: number,
  ): void;
  /** One LSTM layer's step (native/src/lstm.h): x [B, I], h, c [B, U], w [I + U, 4U], b [4U]; writes z, h', c'. */
  lstmLayerForward(x: Float32Array, h: Float32Array, c: Float32Array, w: Float32Array, b: Float32Array, units: number, z: Float32Array, hNext: Float32Array, cNext: Float32Array): void;
  /** Its gradient from dh', dc': writes dx, dh, dc, dw, db. */
  lstmLayerBackward(
    dhNext: Float32Array, dcNext: Float32Array, x: Float32Array, h: Float32Array, c: Float32Array, w: Float32Array, z: Float32Array, units: number,
    dx: Float32Array, dh: Float32Array, dc: Float32Array, dw: Float32Array, db: Float32Array,
  ): void;
  /** Threads each kernel call may use, the calling one included. */
  setThreads(threads: number): number;
}

export interface NativeStatus {
  readonly kernels: NativeKernels | null;
  /** "native kernels on N threads" when loaded, else why not. */
  readonly detail: string;
}

const ADDON = path.join("native", "build", "Release", "nasbook_native.node");
const MAX_NATIVE_THREADS = 64;

/** The addon beside the package root: from dist/backend (installed) or build/lib/backend (tests). */
function addonPath(): string | null {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ADDON);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Whether to load the addon (`NASBOOK_NATIVE=0` says no) and with how many threads. */
export interface NativeOptions {
  readonly enabled: boolean;
  readonly threads: number;
}

/** `NASBOOK_NATIVE` and `NASBOOK_NATIVE_THREADS` (default: one thread per core this process may use). */
export function nativeOptions(env: NodeJS.ProcessEnv): NativeOptions {
  const threads = intFromEnv(env, "NASBOOK_NATIVE_THREADS", {
    min: 1, max: MAX_NATIVE_THREADS, fallback: Math.min(os.availableParallelism(), MAX_NATIVE_THREADS),
  });
  const enabled = env.NASBOOK_NATIVE ?? "";
  if (!["", "0", "1"].includes(enabled)) throw new NasbookError(`NASBOOK_NATIVE must be 0 (wasm's kernels only) or 1 (nasbook's native kernels, the default); got "${enabled}".`);
  return { enabled: enabled !== "0", threads };
}

/** Loads the addon unless it is disabled, set to its threads. */
export function loadNativeKernels({ enabled, threads }: NativeOptions): NativeStatus {
  if (!enabled) return { kernels: null, detail: "native kernels off (NASBOOK_NATIVE=0)" };
  const file = addonPath();
  if (!file) return { kernels: null, detail: "native kernels not built (run `npm run build:native` to see why)" };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const kernels = require(file) as NativeKernels;
    kernels.setThreads(threads);
    return { kernels, detail: `native kernels on ${threads} thread${threads === 1 ? "" : "s"}` };
  } catch (error) {
    return { kernels: null, detail: `native kernels failed to load (${firstLine(error)})` };
  }
}
