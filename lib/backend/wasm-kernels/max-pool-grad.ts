/**
 * MaxPoolGrad on wasm: wasm's MaxPoolWithArgmax finds each window's maximum and ScatterNd adds
 * dY at those positions (overlapping windows add up), about 3x faster than wasm's MaxPoolGrad.
 * Both wasm kernels start each window's search at the smallest positive float instead of the
 * lowest one, so windows of zeros or negatives (ReLU outputs, batch-normed features) would point
 * at element 0 of the tensor; shifting x so that every value is at least 1 (argmax is
 * shift-invariant) makes them right. Each window's gradient goes to exactly one of its tied
 * maxima, a valid subgradient (tfjs's cpu picks the first, this may pick another).
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad } = attrs as unknown as tf.MaxPoolGradAttrs;
  const size = tf.util.sizeFromShape(input.shape);
  return withWasmOps(backend, (ops) => {
    const all = input.shape.map((_, i) => i);
    const offset = ops.sub(ops.run("Min", { x: input }, { axis: all, keepDims: false }), ops.scalar(1));
    const positive = ops.sub(input, offset);
    const { argmax } = ops.maxPoolWithArgmax(positive, { filterSize, strides, pad } as unknown as tf.NamedAttrMap);
    const windows = tf.util.sizeFromShape(dy.shape);
    const indices = ops.reshape(argmax, [windows, 1]);
    const flat = ops.run("ScatterNd", { indices, updates: ops.reshape(dy, [windows]) }, { shape: [size] });
    return ops.reshape(flat, input.shape);
  });
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad,
};
