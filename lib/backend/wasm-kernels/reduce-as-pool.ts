/**
 * Sum and Mean on wasm over a run of adjacent axes (bias gradients reduce [N, H, W] of an NHWC
 * tensor, global average pooling [H, W]) as one XNNPACK average pooling. wasm's own reductions
 * first transpose the reduced axes to the end, which for a 1M-float bias gradient costs ~1.4 ms
 * against ~0.15 ms for the pooling. The tensor is viewed as [outer, reduced, 1, inner] and pooled
 * with a [reduced, 1] window; Sum then scales the mean back up. Other reductions (non-adjacent
 * axes, the last axis, int32, more than MAX_POOLED_CHANNELS kept values) go to wasm's own kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, WasmOps, withWasmOps } from "./wasm-ops";

/**
 * XNNPACK's multipass average pooling keeps one row of channels on the wasm stack (alloca); a
 * 16384-channel row overflowed it and corrupted the heap, so wider rows are not pooled.
 */
const MAX_POOLED_CHANNELS = 1024;

/** [outer, reduced, inner] sizes when `axes` is one contiguous run that leaves the last axis; else null. */
function poolView(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const contiguous = sorted.every((a, i) => a === first + i);
  if (sorted.length === 0 || !contiguous || last === shape.length - 1) return null;
  const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to));
  const inner = size(last + 1, shape.length);
  return inner > MAX_POOLED_CHANNELS ? null : [size(0, first), size(first, last + 1), inner];
}

function outputShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  if (keepDims) return shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return shape.filter((_, i) => !axes.includes(i));
}

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

function reduceAsPool(kernelName: "Sum" | "Mean") {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as ReduceAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const view = x.dtype === "float32" ? poolView(x.shape, axes) : null;
    return withWasmOps(backend, (ops: WasmOps) => {
      if (!view) return ops.run(kernelName, { x }, attrs as unknown as tf.NamedAttrMap);
      const [outer, reduced, inner] = view;
      const pooled = ops.run(
        "AvgPool",
        { x: ops.reshape(x, [outer, reduced, 1, inner]) },
        { filterSize: [reduced, 1], strides: [1, 1], pad: "valid" } as unknown as tf.NamedAttrMap,
      );
      const result = kernelName === "Sum" ? ops.mul(pooled, ops.scalar(reduced)) : pooled;
      return ops.reshape(result, outputShape(x.shape, axes, keepDims));
    });
  };
}

export const sumConfig: tf.KernelConfig = { kernelName: tf.Sum, backendName: "wasm", kernelFunc: reduceAsPool("Sum") };
export const meanConfig: tf.KernelConfig = { kernelName: tf.Mean, backendName: "wasm", kernelFunc: reduceAsPool("Mean") };
