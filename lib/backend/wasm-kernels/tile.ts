/**
 * Tile on wasm by block copies on the heap. tfjs's batch-norm gradient tiles per-channel values
 * to the whole activation ([1, 1, 1, C] to [N, H, W, C]) several times per step, and wasm's Tile
 * computes every element's source index in a scalar loop (~40 ns per float: 16-28 ms of a
 * 25-55 ms step of a small NAS network). Here the input is copied once into the corner of the
 * output and each axis, innermost first, is repeated with copyWithin.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type Heap, stridesOf } from "./block-copy";
import { heapOutput, KernelArgs, withWasmOps } from "./wasm-ops";

/**
 * Writes the tile of src's block at `srcAt` (axes d and after) into out at `outAt`: the input's
 * rows along axis d are written first, then that block is repeated reps[d] - 1 times.
 */
function tileAxis(src: Heap, out: Heap, shape: number[], reps: number[], d: number, srcAt: number, outAt: number, strides: { src: number[]; out: number[] }) {
  const block = shape[d] * strides.out[d];
  if (d === shape.length - 1) {
    out.set(src.subarray(srcAt, srcAt + shape[d]), outAt);
  } else {
    for (let i = 0; i < shape[d]; i++) tileAxis(src, out, shape, reps, d + 1, srcAt + i * strides.src[d], outAt + i * strides.out[d], strides);
  }
  for (let r = 1; r < reps[d]; r++) out.copyWithin(outAt + r * block, outAt, outAt + block);
}

function tile({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const { reps } = attrs as unknown as tf.TileAttrs;
  if (x.dtype === "string" || x.shape.length === 0) return withWasmOps(backend, (ops) => ops.run("Tile", { x }, { reps }));
  const wasm = backend as BackendWasm;
  const outShape = x.shape.map((size, d) => size * reps[d]);
  const out = heapOutput(wasm, outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  // Views only after makeOutput: allocating can grow the heap, which detaches older views.
  const [src, dst] = [wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out)] as Heap[];
  tileAxis(src, dst, x.shape, reps, 0, 0, 0, { src: stridesOf(x.shape), out: stridesOf(outShape) });
  return out;
}

export const tileConfig: tf.KernelConfig = { kernelName: tf.Tile, backendName: "wasm", kernelFunc: tile };
