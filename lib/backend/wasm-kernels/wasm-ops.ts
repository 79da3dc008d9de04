/**
 * Calling wasm's own (XNNPACK-backed) kernels from inside another kernel (convolutions: the
 * registered ones, which are nasbook's native kernels when its addon is loaded). Training kernels are
 * compositions of these: `withWasmOps` hands a builder to a function, frees every intermediate
 * the builder made once the function returns, and keeps only the result.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export type Shape4 = [number, number, number, number];
export type Pair = [number, number];
/** [[top, bottom], [left, right]]: explicit spatial padding. */
export type SpatialPads = [Pair, Pair];

/** What tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

export interface ConvCall {
  readonly strides: Pair;
  readonly dilations: Pair;
  readonly pads: SpatialPads;
}

/**
 * `backend.makeOutput`, refusing a failed allocation. When wasm's heap is full its malloc returns
 * 0, and tfjs makes the tensor there anyway: wasm's own kernels then trap ("memory access out of
 * bounds"), but a kernel writing through a typed-array view would overwrite the heap from its
 * start and go on with garbage. This throws instead, before anything is written.
 */
export function heapOutput(backend: BackendWasm, shape: number[], dtype: tf.DataType): tf.TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  const bytes = tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype);
  if (bytes > 0 && backend.dataIdMap.get(out.dataId)?.memoryOffset === 0) {
    backend.disposeData(out.dataId);
    throw new Error(`wasm's memory is exhausted: no room for a [${shape}] ${dtype} tensor of ${(bytes / 2 ** 20).toFixed(0)} MiB`);
  }
  return out;
}

/** The kernels compositions build on, captured before nasbook registers its own versions. */
const baseKernels = new Map<string, tf.KernelConfig>();

/** Remembers wasm's kernel for `name` as the one compositions call, even after it is replaced. */
export function captureBaseKernel(name: string): void {
  if (baseKernels.has(name)) return;
  const kernel = tf.getKernel(name, "wasm");
  if (kernel) baseKernels.set(name, kernel);
}

/** Puts wasm's own kernel for `name` back in the registry, undoing a replacement. */
export function restoreBaseKernel(name: string): void {
  captureBaseKernel(name);
  const base = baseKernels.get(name);
  if (!base || tf.getKernel(name, "wasm") === base) return;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel(base);
}

/** wasm's own kernel for `name`, even after nasbook has replaced it. */
export function baseKernel(name: string): tf.KernelFunc {
  captureBaseKernel(name);
  const kernel = baseKernels.get(name);
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel to build on`);
  return kernel.kernelFunc;
}

/** The kernel registered for `name` now: nasbook's native one when the addon is loaded, else wasm's. */
function registeredKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel to build on`);
  return kernel.kernelFunc;
}

export class WasmOps {
  private readonly made: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}, kernel = baseKernel(name)): tf.TensorInfo {
    const out = kernel({ inputs, backend: this.backend, attrs }) as tf.TensorInfo;
    this.made.push(out);
    return out;
  }

  /** Max pooling that also returns each window's argmax as a flat index into x (batch included). */
  maxPoolWithArgmax(x: tf.TensorInfo, attrs: tf.NamedAttrMap): { pooled: tf.TensorInfo; argmax: tf.TensorInfo } {
    const call = { inputs: { x }, backend: this.backend, attrs: { ...attrs, includeBatchInIndex: true } };
    const [pooled, argmax] = baseKernel("MaxPoolWithArgmax")(call) as tf.TensorInfo[];
    this.made.push(pooled, argmax);
    return { pooled, argmax };
  }

  scalar(value: number): tf.TensorInfo {
    return this.adopt(this.backend.makeOutput([], "float32", undefined, new Float32Array([value])));
  }

  /** Takes a tensor made outside the builder into its care, to be freed with the rest. */
  adopt(info: tf.TensorInfo): tf.TensorInfo {
    this.made.push(info);
    return info;
  }

  sub(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run("Sub", { a, b });
  }

  mul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run("Multiply", { a, b });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  pad(x: tf.TensorInfo, paddings: Pair[]): tf.TensorInfo {
    return this.run("PadV2", { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run("Slice", { x }, { begin, size });
  }

  reverse(x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
    return this.run("Reverse", { x }, { dims });
  }

  sum(x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
    return this.run("Sum", { x }, { axis, keepDims: false });
  }

  /** a [M, K] times b [K, N]: wasm's XNNPACK path needs rank-2, untransposed operands. */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    return this.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
  }

  conv2d(x: tf.TensorInfo, filter: tf.TensorInfo, call: ConvCall): tf.TensorInfo {
    return this.run("Conv2D", { x, filter }, { ...convAttrs(call), dataFormat: "NHWC" }, registeredKernel("Conv2D"));
  }

  depthwiseConv2d(x: tf.TensorInfo, filter: tf.TensorInfo, call: ConvCall): tf.TensorInfo {
    return this.run("DepthwiseConv2dNative", { x, filter }, convAttrs(call), registeredKernel("DepthwiseConv2dNative"));
  }

  /** Frees everything this builder made except `keep` (which may share data with one of them). */
  release(keep: tf.TensorInfo): void {
    for (const info of this.made) if (info !== keep) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

function convAttrs({ strides, dilations, pads }: ConvCall): tf.NamedAttrMap {
  const pad = [[0, 0], pads[0], pads[1], [0, 0]];
  return { strides, dilations, pad, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
}

/** Runs a composition and frees its intermediates; the returned TensorInfo belongs to the caller. */
export function withWasmOps(backend: unknown, body: (ops: WasmOps) => tf.TensorInfo): tf.TensorInfo {
  const ops = new WasmOps(backend as BackendWasm);
  let result: tf.TensorInfo | null = null;
  try {
    result = body(ops);
    return result;
  } finally {
    ops.release(result as tf.TensorInfo);
  }
}
