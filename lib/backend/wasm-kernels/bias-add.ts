/**
 * Add on wasm when one operand is a per-channel bias ([C], or [1, ..., 1, C]) for the other's
 * last axis, as XNNPACK's 1x1 depthwise convolution with a ones filter and that bias: wasm's
 * broadcasting Add is a scalar loop (~0.85 ms for a million floats against ~0.2 ms). Every other
 * Add goes to wasm's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, WasmOps, withWasmOps } from "./wasm-ops";

function isBiasFor(bias: tf.TensorInfo, x: tf.TensorInfo): boolean {
  const channels = x.shape[x.shape.length - 1];
  const leadingOnes = bias.shape.slice(0, -1).every((d) => d === 1);
  return (
    x.shape.length >= 2 && bias.shape.length >= 1 && bias.shape.length <= x.shape.length && leadingOnes &&
    bias.shape[bias.shape.length - 1] === channels && tf.util.sizeFromShape(x.shape) > channels
  );
}

/**
 * A rank-1 copy of the bias (C floats): wasm's fused kernel checks the shape the data was made
 * with, which for a reshaped tensor (a [C] view of a [1, 1, 1, C] result) is not rank 1.
 */
function rankOne(ops: WasmOps, bias: tf.TensorInfo): tf.TensorInfo {
  return ops.run("Cast", { x: ops.reshape(bias, [bias.shape[bias.shape.length - 1]]) }, { dtype: "float32" });
}

function addBias(ops: WasmOps, x: tf.TensorInfo, bias: tf.TensorInfo): tf.TensorInfo {
  const channels = x.shape[x.shape.length - 1];
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const ones = ops.adopt(ops.backend.makeOutput([1, 1, channels, 1], "float32", undefined, new Float32Array(channels).fill(1)));
  const attrs = { strides: 1, pad: "valid", dilations: 1, dataFormat: "NHWC", activation: "linear" };
  const sum = ops.run(
    "FusedDepthwiseConv2D",
    { x: ops.reshape(x, [1, rows, 1, channels]), filter: ones, bias: rankOne(ops, bias) },
    attrs as unknown as tf.NamedAttrMap,
  );
  return ops.reshape(sum, x.shape);
}

function add({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const floats = a.dtype === "float32" && b.dtype === "float32";
  return withWasmOps(backend, (ops) => {
    if (floats && isBiasFor(b, a)) return addBias(ops, a, b);
    if (floats && isBiasFor(a, b)) return addBias(ops, b, a);
    return ops.run("Add", { a, b });
  });
}

export const biasAddConfig: tf.KernelConfig = { kernelName: tf.Add, backendName: "wasm", kernelFunc: add };
