/**
 * MaxPoolGrad on wasm, fixed: wasm's kernel starts each window's search at the smallest
 * positive float instead of the lowest one, so windows of zeros or negatives (ReLU outputs,
 * batch-normed features) sent their gradient to element 0 of the tensor. Shifting x so that
 * every value is at least 1 (argmax is shift-invariant) makes the same kernel right. Among tied
 * maxima it picks the last one (tfjs's cpu picks the first): both are valid subgradients.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  return withWasmOps(backend, (ops) => {
    const all = input.shape.map((_, i) => i);
    const offset = ops.sub(ops.run("Min", { x: input }, { axis: all, keepDims: false }), ops.scalar(1));
    const positive = ops.sub(input, offset);
    return ops.run("MaxPoolGrad", { dy, input: positive, output }, attrs);
  });
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad,
};
