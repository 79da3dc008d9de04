/**
 * A DARTS edge's output, sum_k w[columns[k]] * t_k, and its gradient as one native kernel each
 * (native/src/weighted_sum.h), registered on wasm only with the addon like native-training.ts.
 * Composed of tf ops (unstack, one product per op, addN) the edge takes about 15 kernels forward
 * and 30 back, each a pass over the activation; 140 edges run in a first-order DARTS step of
 * the bench's 5-cell supernet. lib/nn/weighted-sum.ts composes the tf ops wherever these are not.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { heapOutput, type KernelArgs } from "./wasm-ops";

/** Inputs [weights, ...terms]; attrs WeightedSumAttrs; output sum_k weights[columns[k]] * terms[k]. */
export const WEIGHTED_SUM = "NasbookWeightedSum";
/** Inputs [dy, weights, ...terms]; attrs WeightedSumAttrs; outputs [dweights, ...dterms]. */
export const WEIGHTED_SUM_GRAD = "NasbookWeightedSumGrad";

export interface WeightedSumAttrs {
  /** The weight of each term: its column in the weights vector. */
  columns: number[];
}

const views = (backend: BackendWasm, tensors: tf.TensorInfo[]) => tensors.map((t) => backend.typedArrayFromHeap(t) as Float32Array);

function checkFloat32(tensors: tf.TensorInfo[]): void {
  for (const t of tensors) if (t.dtype !== "float32") throw new Error(`${WEIGHTED_SUM} takes float32 tensors; got ${t.dtype}`);
}

function forward(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const [weights, ...terms] = inputs as unknown as tf.TensorInfo[];
    const { columns } = attrs as unknown as WeightedSumAttrs;
    checkFloat32([weights, ...terms]);
    const wasm = backend as BackendWasm;
    const out = heapOutput(wasm, terms[0].shape, "float32");
    // Views only after makeOutput: allocating can grow the heap, which detaches older views.
    const [w, ...t] = views(wasm, [weights, ...terms]);
    native.weightedSum(t, Float32Array.from(columns, (c) => w[c]), views(wasm, [out])[0]);
    return out;
  };
}

function gradient(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const [dy, weights, ...terms] = inputs as unknown as tf.TensorInfo[];
    const { columns } = attrs as unknown as WeightedSumAttrs;
    checkFloat32([dy, weights, ...terms]);
    const wasm = backend as BackendWasm;
    const outputs = [weights, ...terms].map((t) => heapOutput(wasm, t.shape, "float32"));
    const [g, w, ...t] = views(wasm, [dy, weights, ...terms]);
    const [dWeights, ...dTerms] = views(wasm, outputs);
    const picked = new Float32Array(columns.length);
    native.weightedSumGrad(t, Float32Array.from(columns, (c) => w[c]), g, dTerms, picked);
    dWeights.fill(0);
    columns.forEach((c, k) => (dWeights[c] += picked[k]));
    return outputs;
  };
}

/**
 * Every input's gradient comes from one kernel call, made when the gradient is asked for: tfjs
 * then takes each input's out of it (the call's unused outputs are freed with the backward pass).
 */
export const weightedSumGradConfig: tf.GradConfig = {
  kernelName: WEIGHTED_SUM,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const all = tf.engine().runKernel(WEIGHTED_SUM_GRAD, [dy as tf.Tensor, ...saved] as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
    return Object.fromEntries(all.map((g, i) => [String(i), () => g]));
  },
};

export function nativeWeightedSumConfigs(native: NativeKernels): tf.KernelConfig[] {
  return [
    { kernelName: WEIGHTED_SUM, backendName: "wasm", kernelFunc: forward(native) as tf.KernelFunc },
    { kernelName: WEIGHTED_SUM_GRAD, backendName: "wasm", kernelFunc: gradient(native) as unknown as tf.KernelFunc },
  ];
}
