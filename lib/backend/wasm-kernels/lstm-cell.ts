/**
 * The LSTM cell's gate arithmetic as one wasm kernel, and its gradient as another (JavaScript
 * loops over the wasm heap; a controller's cell is a few dozen units, where tfjs's per-op
 * dispatch, not arithmetic, is the cost). Given the pre-activations z = [x, h] W + b, split
 * into the input, forget, candidate and output gates, and the previous cell state c:
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o),  c' = f c + i g,  h' = o tanh(c').
 * Backward, with dh', dc' arriving: dc'' = dc' + dh' o (1 − tanh²c'), and
 *   dz_i = dc'' g i(1−i), dz_f = dc'' c f(1−f), dz_g = dc'' i (1−g²), dz_o = dh' tanh(c') o(1−o), dc = dc'' f.
 * Ten tf ops forward and about twice as many backward become one kernel each
 * (lib/nn/lstm-cell.ts composes the ops wherever this is not registered).
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { onHeap } from "./native-training";
import type { KernelArgs } from "./wasm-ops";

/** Inputs z [batch, 4 units], c [batch, units]; outputs h', c'. */
export const LSTM_CELL = "NasbookLstmCell";
/** Inputs dh, dc (of h', c'), z, c; outputs dz, dc. */
export const LSTM_CELL_GRAD = "NasbookLstmCellGrad";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The four gates of row r, unit j of z [batch, 4 units]. */
function gates(z: Float32Array, units: number, r: number, j: number): [number, number, number, number] {
  const at = r * 4 * units + j;
  return [sigmoid(z[at]), sigmoid(z[at + units]), Math.tanh(z[at + 2 * units]), sigmoid(z[at + 3 * units])];
}

function checkShapes(z: tf.TensorInfo, c: tf.TensorInfo): number {
  const [batch, units] = c.shape;
  if (z.shape.length !== 2 || c.shape.length !== 2 || z.shape[0] !== batch || z.shape[1] !== 4 * units) {
    throw new Error(`an LSTM cell needs z [batch, 4 units] and c [batch, units]; got z ${z.shape}, c ${c.shape}`);
  }
  return units;
}

function forward({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { z, c } = inputs as Record<"z" | "c", tf.TensorInfo>;
  const units = checkShapes(z, c);
  return onHeap(backend as BackendWasm, [z, c], [c.shape, c.shape], ([zv, cv, h, cNext]) => {
    for (let k = 0; k < cv.length; k++) {
      const [i, f, g, o] = gates(zv, units, Math.floor(k / units), k % units);
      cNext[k] = f * cv[k] + i * g;
      h[k] = o * Math.tanh(cNext[k]);
    }
  });
}

function gradient({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { dh, dc, z, c } = inputs as Record<"dh" | "dc" | "z" | "c", tf.TensorInfo>;
  const units = checkShapes(z, c);
  return onHeap(backend as BackendWasm, [dh, dc, z, c], [z.shape, c.shape], ([dhv, dcv, zv, cv, dz, dcPrev]) => {
    for (let k = 0; k < cv.length; k++) {
      const r = Math.floor(k / units);
      const j = k % units;
      const [i, f, g, o] = gates(zv, units, r, j);
      const tc = Math.tanh(f * cv[k] + i * g);
      const dcTotal = dcv[k] + dhv[k] * o * (1 - tc * tc);
      const at = r * 4 * units + j;
      dz[at] = dcTotal * g * i * (1 - i);
      dz[at + units] = dcTotal * cv[k] * f * (1 - f);
      dz[at + 2 * units] = dcTotal * i * (1 - g * g);
      dz[at + 3 * units] = dhv[k] * tc * o * (1 - o);
      dcPrev[k] = dcTotal * f;
    }
  });
}

export const lstmCellConfigs: readonly tf.KernelConfig[] = [
  { kernelName: LSTM_CELL, backendName: "wasm", kernelFunc: forward as tf.KernelFunc },
  { kernelName: LSTM_CELL_GRAD, backendName: "wasm", kernelFunc: gradient as tf.KernelFunc },
];

/** Both input gradients from one call of the gradient kernel. */
export const lstmCellGradConfig: tf.GradConfig = {
  kernelName: LSTM_CELL,
  inputsToSave: ["z", "c"],
  gradFunc: (dy, saved) => {
    const [dh, dc] = dy as tf.Tensor[];
    const [z, c] = saved;
    const [dz, dcPrev] = tf.engine().runKernel(LSTM_CELL_GRAD, { dh, dc, z, c }) as tf.Tensor[];
    return { z: () => dz, c: () => dcPrev };
  },
};
