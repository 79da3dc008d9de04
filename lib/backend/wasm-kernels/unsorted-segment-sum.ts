/**
 * UnsortedSegmentSum on wasm (the gradient of Gather, e.g. of controller embeddings) as one
 * XNNPACK matrix product: the transposed one-hot matrix of the segment ids [S, n] times the
 * rows [n, D]. Ids outside [0, S) match no one-hot column and are dropped, as in TensorFlow.
 */
import * as tf from "@tensorflow/tfjs";
import { KernelArgs, withWasmOps } from "./wasm-ops";

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== "float32") throw new Error(`UnsortedSegmentSum on wasm supports float32 values, got ${x.dtype}`);
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(segmentIds.shape.length);
  const width = tf.util.sizeFromShape(rest);
  return withWasmOps(backend, (ops) => {
    const ids = ops.reshape(segmentIds, [rows]);
    // wasm's OneHot writes int32 whatever dtype it is asked for.
    const oneHot = ops.run("OneHot", { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: "int32" });
    const membership = ops.run("Cast", { x: ops.transpose(oneHot, [1, 0]) }, { dtype: "float32" });
    const sums = ops.matMul(membership, ops.reshape(x, [rows, width]));
    return ops.reshape(sums, [numSegments, ...rest]);
  });
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSum,
};
