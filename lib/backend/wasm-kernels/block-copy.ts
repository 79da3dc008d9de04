/**
 * Slice, SplitV and Concat on wasm as block copies on the heap. wasm's own kernels copy a
 * strided block one innermost row at a time with `set(subarray(...))`, which makes a typed-array
 * view per row: a channel slice of an NHWC activation is N*H*W rows of a few floats, about
 * 300 ns each (the gradient of a NAS-RL child's channel concat: 3.5 ms of a 17 ms step). Here a
 * block is copied with the trailing axes that it spans whole merged into its rows: with the
 * native addon one memcpy per row, else short rows float by float and long ones with `set`.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { baseKernel, heapOutput, type KernelArgs } from "./wasm-ops";

/** A tensor's values on wasm's heap. */
export type Heap = Float32Array | Int32Array | Uint8Array;

/** Rows at least this long are copied with one `set` (a view costs about as much as 40 floats copied singly). */
const SET_MIN_FLOATS = 64;

/** A block of `size` at `srcBegin` in a tensor of `srcShape`, written at `dstBegin` in one of `dstShape`. */
interface Block {
  srcShape: number[];
  srcBegin: number[];
  dstShape: number[];
  dstBegin: number[];
  size: number[];
}

/**
 * The same block with each axis that it spans whole (in both tensors, so begun at 0) merged
 * into the axis before it, behind a leading axis of 1 (a whole tensor is one row): a channel
 * slice of [N, H, W, C] becomes N*H*W rows.
 */
function mergeWholeAxes(block: Block): Block {
  const b = { srcShape: [1, ...block.srcShape], srcBegin: [0, ...block.srcBegin], dstShape: [1, ...block.dstShape], dstBegin: [0, ...block.dstBegin], size: [1, ...block.size] };
  for (let d = b.size.length - 1; d > 0; d--) {
    const whole = b.size[d];
    if (whole !== b.srcShape[d] || whole !== b.dstShape[d]) continue;
    for (const axes of [b.srcShape, b.dstShape, b.size, b.srcBegin, b.dstBegin]) {
      axes[d - 1] *= whole;
      axes.splice(d, 1);
    }
  }
  return b;
}

/** Row-major strides, the last axis's (1) included. */
export function stridesOf(shape: number[]): number[] {
  const strides = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

const offsetOf = (begin: number[], strides: number[]) => begin.reduce((at, i, d) => at + i * strides[d], 0);

/** Copies `rows` rows of `width` values, the row starts `from` and `to` advancing by their strides. */
type RowsCopy = (src: Heap, from: number, fromStride: number, dst: Heap, to: number, toStride: number, rows: number, width: number) => void;

const jsRows: RowsCopy = (src, from, fromStride, dst, to, toStride, rows, width) => {
  for (let r = 0; r < rows; r++, from += fromStride, to += toStride) {
    if (width >= SET_MIN_FLOATS) dst.set(src.subarray(from, from + width), to);
    else for (let t = 0; t < width; t++) dst[to + t] = src[from + t];
  }
};

/** Below this many floats a native call costs more than the JavaScript copy. */
const NATIVE_MIN_FLOATS = 1024;

/** Float rows on the native addon (one memcpy each), anything else in JavaScript. */
function nativeRows(native: NativeKernels): RowsCopy {
  return (src, from, fromStride, dst, to, toStride, rows, width) => {
    if (!(src instanceof Float32Array && dst instanceof Float32Array) || rows * width < NATIVE_MIN_FLOATS) {
      return jsRows(src, from, fromStride, dst, to, toStride, rows, width);
    }
    native.copyRows(src, dst, Int32Array.of(rows, width, from, fromStride, to, toStride));
  };
}

/** Copies `block` from src to dst, its last two axes (after merging) as rows. */
export function copyBlock(src: Heap, dst: Heap, block: Block, copyRows: RowsCopy = jsRows): void {
  const b = mergeWholeAxes(block);
  if (b.size.length === 1) b.size.unshift(1), b.srcShape.unshift(1), b.dstShape.unshift(1), b.srcBegin.unshift(0), b.dstBegin.unshift(0);
  const [srcStrides, dstStrides] = [stridesOf(b.srcShape), stridesOf(b.dstShape)];
  const rowsAxis = b.size.length - 2;
  const walk = (d: number, from: number, to: number): void => {
    if (d === rowsAxis) return copyRows(src, from, srcStrides[d], dst, to, dstStrides[d], b.size[d], b.size[d + 1]);
    for (let i = 0; i < b.size[d]; i++) walk(d + 1, from + i * srcStrides[d], to + i * dstStrides[d]);
  };
  walk(0, offsetOf(b.srcBegin, srcStrides), offsetOf(b.dstBegin, dstStrides));
}

function heapOf(backend: BackendWasm, t: tf.TensorInfo): Heap {
  return backend.typedArrayFromHeap(t) as Heap;
}

function slice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[], copyRows: RowsCopy): tf.TensorInfo {
  const out = heapOutput(backend, size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views only after makeOutput: allocating can grow the heap, which detaches older views.
  copyBlock(heapOf(backend, x), heapOf(backend, out), { srcShape: x.shape, srcBegin: begin, dstShape: size, dstBegin: size.map(() => 0), size }, copyRows);
  return out;
}

const sliceKernel = (copyRows: RowsCopy) => (args: KernelArgs): tf.TensorInfo => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  // Strings live in JS arrays, not on the heap: wasm's own kernels copy them.
  if (x.dtype === "string") return baseKernel(tf.Slice)(args) as tf.TensorInfo;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return slice(args.backend as BackendWasm, x, begin_, size_, copyRows);
};

const splitVKernel = (copyRows: RowsCopy) => (args: KernelArgs): tf.TensorInfo[] => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const along = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = x.shape.map((n, d) => (d === along ? s : n));
    const piece = slice(args.backend as BackendWasm, x, [...begin], size, copyRows);
    begin[along] += s;
    return piece;
  });
};

const concatKernel = (copyRows: RowsCopy) => (args: KernelArgs): tf.TensorInfo => {
  const inputs = args.inputs as unknown as tf.TensorInfo[];
  if (inputs[0].dtype === "string") return baseKernel(tf.Concat)(args) as tf.TensorInfo;
  const wasm = args.backend as BackendWasm;
  const along = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), along);
  const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), along);
  const out = heapOutput(wasm, outShape, inputs[0].dtype);
  const dst = heapOf(wasm, out);
  const dstBegin = outShape.map(() => 0);
  for (const input of inputs) {
    if (tf.util.sizeFromShape(input.shape) > 0) {
      const block = { srcShape: input.shape, srcBegin: input.shape.map(() => 0), dstShape: outShape, dstBegin: [...dstBegin], size: input.shape };
      copyBlock(heapOf(wasm, input), dst, block, copyRows);
    }
    dstBegin[along] += input.shape[along];
  }
  return out;
};

/** The three kernels, their float rows copied by the native addon when it is loaded. */
export function blockCopyConfigs(native: NativeKernels | null): tf.KernelConfig[] {
  const copyRows = native ? nativeRows(native) : jsRows;
  return [
    { kernelName: tf.Slice, backendName: "wasm", kernelFunc: sliceKernel(copyRows) as tf.KernelFunc },
    { kernelName: tf.SplitV, backendName: "wasm", kernelFunc: splitVKernel(copyRows) as unknown as tf.KernelFunc },
    { kernelName: tf.Concat, backendName: "wasm", kernelFunc: concatKernel(copyRows) as tf.KernelFunc },
  ];
}
