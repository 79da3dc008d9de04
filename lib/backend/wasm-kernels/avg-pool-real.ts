/**
 * Average pooling over each window's pixels inside the image (PyTorch's count_include_pad=False,
 * DARTS' avg_pool_3x3) as one native kernel forward and one backward, registered on wasm only
 * with the addon like native-training.ts. lib/nn/layers.ts' avgPool composes it (pad, pool the
 * padded image, divide by the real pixels' share: three kernels forward and four back) wherever
 * these are not.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { geometryOf, runOnHeap } from "./native-kernels";
import type { KernelArgs, Pair, Shape4 } from "./wasm-ops";

/** Inputs x; attrs AvgPoolRealAttrs; output the pooled x. */
export const AVG_POOL_REAL = "NasbookAvgPoolReal";
/** Inputs dy, x; attrs AvgPoolRealAttrs; output dx. */
export const AVG_POOL_REAL_GRAD = "NasbookAvgPoolRealGrad";

export interface AvgPoolRealAttrs {
  size: number;
  stride: number;
  /** [[top, bottom], [left, right]]. */
  pads: [Pair, Pair];
}

function poolInfo(shape: number[], { size, stride, pads }: AvgPoolRealAttrs): tf.backend_util.Conv2DInfo {
  const explicit: tf.backend_util.ExplicitPadding = [[0, 0], pads[0], pads[1], [0, 0]];
  return tf.backend_util.computePool2DInfo(shape as Shape4, [size, size], [stride, stride], 1, explicit);
}

const NO_SECOND_INPUT = new Float32Array(0);

function forward(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const info = poolInfo(x.shape, attrs as unknown as AvgPoolRealAttrs);
    return runOnHeap(backend as BackendWasm, native.avgPoolReal, x, NO_SECOND_INPUT, info.outShape, geometryOf(info));
  };
}

function gradient(native: NativeKernels) {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const { dy, x } = inputs as Record<"dy" | "x", tf.TensorInfo>;
    const info = poolInfo(x.shape, attrs as unknown as AvgPoolRealAttrs);
    return runOnHeap(backend as BackendWasm, native.avgPoolRealGrad, x, dy, x.shape, geometryOf(info));
  };
}

export const avgPoolRealGradConfig: tf.GradConfig = {
  kernelName: AVG_POOL_REAL,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({ x: () => tf.engine().runKernel(AVG_POOL_REAL_GRAD, { dy: dy as tf.Tensor, x }, attrs) as tf.Tensor }),
};

export function nativeAvgPoolRealConfigs(native: NativeKernels): tf.KernelConfig[] {
  return [
    { kernelName: AVG_POOL_REAL, backendName: "wasm", kernelFunc: forward(native) as tf.KernelFunc },
    { kernelName: AVG_POOL_REAL_GRAD, backendName: "wasm", kernelFunc: gradient(native) as tf.KernelFunc },
  ];
}
