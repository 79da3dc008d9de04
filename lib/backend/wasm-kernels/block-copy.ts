/**
 * Slice, SplitV and Concat on wasm as block copies on the heap. wasm's own kernels copy a
 * strided block one innermost row at a time with `set(subarray(...))`, which makes a typed-array
 * view per row: a channel slice of an NHWC activation is N*H*W rows of a few floats, about
 * 300 ns each (the gradient of a NAS-RL child's channel concat: 3.5 ms of a 17 ms step). Here a
 * block is copied with the trailing axes that it spans whole merged into its rows, short rows
 * float by float and long ones with `set`.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { baseKernel, type KernelArgs } from "./wasm-ops";

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
 * The same block with each trailing axis that it spans whole (in both tensors, so begun at 0)
 * merged into the axis before it, and at least one axis (a scalar is a block of one).
 */
function mergeWholeAxes(block: Block): Block {
  const b = { srcShape: [1, ...block.srcShape], srcBegin: [0, ...block.srcBegin], dstShape: [1, ...block.dstShape], dstBegin: [0, ...block.dstBegin], size: [1, ...block.size] };
  for (let d = b.size.length - 1; d > 0 && b.size[d] === b.srcShape[d] && b.size[d] === b.dstShape[d]; d--) {
    const whole = b.size[d];
    for (const axes of [b.srcShape, b.dstShape, b.size, b.srcBegin, b.dstBegin]) {
      axes[d - 1] *= whole;
      axes.pop();
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

function copyRow(src: Heap, from: number, dst: Heap, to: number, width: number): void {
  if (width >= SET_MIN_FLOATS) {
    dst.set(src.subarray(from, from + width), to);
    return;
  }
  for (let t = 0; t < width; t++) dst[to + t] = src[from + t];
}

/** Copies `block` from src to dst. */
export function copyBlock(src: Heap, dst: Heap, block: Block): void {
  const b = mergeWholeAxes(block);
  const [srcStrides, dstStrides] = [stridesOf(b.srcShape), stridesOf(b.dstShape)];
  const last = b.size.length - 1;
  const walk = (d: number, from: number, to: number): void => {
    if (d === last) return copyRow(src, from, dst, to, b.size[last]);
    for (let i = 0; i < b.size[d]; i++) walk(d + 1, from + i * srcStrides[d], to + i * dstStrides[d]);
  };
  walk(0, offsetOf(b.srcBegin, srcStrides), offsetOf(b.dstBegin, dstStrides));
}

function heapOf(backend: BackendWasm, t: tf.TensorInfo): Heap {
  return backend.typedArrayFromHeap(t) as Heap;
}

function slice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  // Views only after makeOutput: allocating can grow the heap, which detaches older views.
  copyBlock(heapOf(backend, x), heapOf(backend, out), { srcShape: x.shape, srcBegin: begin, dstShape: size, dstBegin: size.map(() => 0), size });
  return out;
}

function sliceKernel(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  // Strings live in JS arrays, not on the heap: wasm's own kernels copy them.
  if (x.dtype === "string") return baseKernel(tf.Slice)(args) as tf.TensorInfo;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return slice(args.backend as BackendWasm, x, begin_, size_);
}

function splitVKernel(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const along = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = x.shape.map((n, d) => (d === along ? s : n));
    const piece = slice(args.backend as BackendWasm, x, [...begin], size);
    begin[along] += s;
    return piece;
  });
}

function concatKernel(args: KernelArgs): tf.TensorInfo {
  const inputs = args.inputs as unknown as tf.TensorInfo[];
  if (inputs[0].dtype === "string") return baseKernel(tf.Concat)(args) as tf.TensorInfo;
  const wasm = args.backend as BackendWasm;
  const along = tf.util.parseAxisParam((args.attrs as unknown as tf.ConcatAttrs).axis, inputs[0].shape)[0];
  tf.backend_util.assertParamsConsistent(inputs.map((t) => t.shape), along);
  const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), along);
  const out = wasm.makeOutput(outShape, inputs[0].dtype);
  const dst = heapOf(wasm, out);
  const dstBegin = outShape.map(() => 0);
  for (const input of inputs) {
    if (tf.util.sizeFromShape(input.shape) > 0) {
      copyBlock(heapOf(wasm, input), dst, { srcShape: input.shape, srcBegin: input.shape.map(() => 0), dstShape: outShape, dstBegin: [...dstBegin], size: input.shape });
    }
    dstBegin[along] += input.shape[along];
  }
  return out;
}

export const blockCopyConfigs: readonly tf.KernelConfig[] = [
  { kernelName: tf.Slice, backendName: "wasm", kernelFunc: sliceKernel as tf.KernelFunc },
  { kernelName: tf.SplitV, backendName: "wasm", kernelFunc: splitVKernel as unknown as tf.KernelFunc },
  { kernelName: tf.Concat, backendName: "wasm", kernelFunc: concatKernel as tf.KernelFunc },
];
