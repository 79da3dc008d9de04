/**
 * ReLU's gradient, dY where x > 0 and 0 elsewhere, as one native pass on wasm. tfjs's own is
 * dY * step(x): two kernels over the whole activation, 4.7 ms of a 25 ms reference-CNN step
 * (its three ReLUs) where the native pass takes about 0.5 ms. The gradient is registered for
 * every backend, so it runs the kernel where the current backend has it (wasm with the addon)
 * and tfjs's composition everywhere else; the values are the same.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeKernels } from "../native";
import { onHeap } from "./native-training";
import type { KernelArgs } from "./wasm-ops";

/** Inputs dy, x; output dx. */
export const RELU_GRAD = "NasbookReluGrad";

const reluGrad: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ["x"],
  gradFunc: (dy, [x]) => ({
    x: () =>
      tf.getKernel(RELU_GRAD, tf.getBackend()) && x.dtype === "float32"
        ? (tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor)
        : tf.mul(dy as tf.Tensor, tf.step(x).toFloat()),
  }),
};

export function registerReluGradient(): void {
  tf.registerGradient(reluGrad);
}

export function reluGradConfig(native: NativeKernels): tf.KernelConfig {
  const kernelFunc = ({ inputs, backend }: KernelArgs) => {
    const { dy, x } = inputs as Record<"dy" | "x", tf.TensorInfo>;
    return onHeap(backend as never, [x, dy], [x.shape], ([xv, dyv, dx]) => native.reluGrad(xv, dyv, dx))[0];
  };
  return { kernelName: RELU_GRAD, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc };
}
