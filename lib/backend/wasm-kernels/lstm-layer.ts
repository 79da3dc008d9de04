/**
 * One LSTM layer's step, z = [x, h] W + b through the gates to h' and c' (native/src/lstm.h), as
 * one native kernel forward and one backward, registered on wasm only with the addon like
 * native-training.ts. A controller's layer is a few dozen units over a batch of one to a few
 * sequences, so its cost is tfjs's dispatch: the composition (concat, matMul and bias add under a
 * custom gradient, then the cell kernel of lstm-cell.ts) takes four kernels forward and six back,
 * each with its tape entry. lib/strategies/controller/lstm.ts composes it wherever this is not.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { NativeKernels } from "../native";
import { onHeap } from "./native-training";
import type { KernelArgs } from "./wasm-ops";

/** Inputs x [B, I], h, c [B, U], kernel [I + U, 4U], bias [4U]; outputs h', c' and z [B, 4U] (for the gradient). */
export const LSTM_LAYER = "NasbookLstmLayer";
/** Inputs dh, dc (of h', c'), x, h, c, kernel, z; outputs dx, dh, dc, dkernel, dbias. */
export const LSTM_LAYER_GRAD = "NasbookLstmLayerGrad";

function forward(native: NativeKernels) {
  return ({ inputs, backend }: KernelArgs) => {
    const { x, h, c, kernel, bias } = inputs as Record<"x" | "h" | "c" | "kernel" | "bias", tf.TensorInfo>;
    const [batch, units] = h.shape;
    return onHeap(backend as BackendWasm, [x, h, c, kernel, bias], [h.shape, h.shape, [batch, 4 * units]], ([xv, hv, cv, w, b, hNext, cNext, z]) =>
      native.lstmLayerForward(xv, hv, cv, w, b, units, z, hNext, cNext),
    );
  };
}

function gradient(native: NativeKernels) {
  return ({ inputs, backend }: KernelArgs) => {
    const { dh, dc, x, h, c, kernel, z } = inputs as Record<"dh" | "dc" | "x" | "h" | "c" | "kernel" | "z", tf.TensorInfo>;
    return onHeap(backend as BackendWasm, [dh, dc, x, h, c, kernel, z], [x.shape, h.shape, h.shape, kernel.shape, [kernel.shape[1]]], (views) => {
      const [dhv, dcv, xv, hv, cv, w, zv, dx, dhPrev, dcPrev, dw, db] = views;
      native.lstmLayerBackward(dhv, dcv, xv, hv, cv, w, zv, h.shape[1], dx, dhPrev, dcPrev, dw, db);
    });
  };
}

/** Every input's gradient from one call of the gradient kernel. */
export const lstmLayerGradConfig: tf.GradConfig = {
  kernelName: LSTM_LAYER,
  inputsToSave: ["x", "h", "c", "kernel"],
  outputsToSave: [false, false, true],
  gradFunc: (dys, [x, h, c, kernel, z]) => {
    const [dhNext, dcNext] = dys as tf.Tensor[];
    const [dx, dh, dc, dKernel, dBias] = tf.engine().runKernel(LSTM_LAYER_GRAD, { dh: dhNext, dc: dcNext, x, h, c, kernel, z }) as tf.Tensor[];
    return { x: () => dx, h: () => dh, c: () => dc, kernel: () => dKernel, bias: () => dBias };
  },
};

export function nativeLstmLayerConfigs(native: NativeKernels): tf.KernelConfig[] {
  return [
    { kernelName: LSTM_LAYER, backendName: "wasm", kernelFunc: forward(native) as tf.KernelFunc },
    { kernelName: LSTM_LAYER_GRAD, backendName: "wasm", kernelFunc: gradient(native) as tf.KernelFunc },
  ];
}
